//! The types the API returns and accepts, as users see them.
//!
//! Response types replace the ones progenitor would generate for the same
//! schemas (see `build.rs`), so the generated client and the facade decode
//! into the same types. They follow three rules:
//! - string fields with a documented closed set of values are enums with an
//!   `Unknown(String)` variant that keeps a value GitHub adds later verbatim,
//!   so decoding never fails on one;
//! - credentials are [`Secret`](crate::Secret)s;
//! - timestamps are `chrono::DateTime<Utc>`.
//!
//! Unknown extra fields are ignored; fields the spec does not require are
//! `Option`s or default to empty.

#[macro_use]
pub(crate) mod open_enum;
mod deliveries;
pub(crate) mod groups;
pub(crate) mod hosted;
pub(crate) mod ids;
mod jobs;
pub(crate) mod network;
mod permissions;
mod runners;
mod tokens;

pub use deliveries::*;
pub use groups::*;
pub use hosted::*;
pub use ids::*;
pub use jobs::*;
pub use network::*;
pub use permissions::*;
pub use runners::*;
pub use tokens::*;

pub use crate::api::groups::requests::*;
pub use crate::api::hosted::requests::*;
pub use crate::api::network::requests::*;
pub use crate::api::runners::requests::*;
/// The status or conclusion to list workflow runs by
/// ([`WorkflowRuns::list`](crate::api::WorkflowRuns::list)).
pub use crate::generated::types::ActionsListWorkflowRunsForRepoStatus as RunStatus;
/// A repository an App installation may act on (an item of
/// `apps/list-repos-accessible-to-installation`).
pub use crate::generated::types::AppsListReposAccessibleToInstallationResponseRepositoriesItem as InstallationRepository;
pub use crate::generated::types::{MinimalRepository, OrganizationSimple, Repository, WorkflowRun};
