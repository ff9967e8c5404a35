//! An in-process fake of GitHub's runner API for tests and demos (cargo
//! feature `testkit`).
//!
//! [`FakeGitHub`] serves, on 127.0.0.1 with an ephemeral port, a stateful
//! implementation of every runner operation of the vendored spec at
//! enterprise, organization and repository scope, and behaves like GitHub
//! where clients notice: `per_page`/`page` with `Link` headers and
//! `total_count`, `ETag` and `304 Not Modified`, rate-limit headers with a
//! settable budget, GitHub-shaped 401/403/404/409/422 bodies, and a required
//! token. Tests can inject faults, read the request log and change runner
//! state.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), gha_runners::Error> {
//! use futures::TryStreamExt;
//! use gha_runners::testkit::{FakeGitHub, FakeRunner, FakeScope};
//!
//! let fake = FakeGitHub::builder()
//!     .org("octo-org")
//!     .runner(FakeScope::org("octo-org"), FakeRunner::new("build-1").online().busy())
//!     .start()
//!     .await;
//! let github = fake.client()?;
//! let runners: Vec<_> = github.org("octo-org").runners().list(Default::default()).try_collect().await?;
//! assert_eq!(runners[0].name, "build-1");
//! assert_eq!(fake.requests().len(), 1);
//! # Ok(()) }
//! ```

mod call;
mod catalog;
mod groups;
mod hosted;
mod jobs;
mod network;
mod permissions;
mod replay;
mod runners;
pub mod scenario;
mod server;
mod state;
mod versions;

pub use replay::Replayer;
pub use server::{FakeGitHub, FakeGitHubBuilder, Fault, LoggedRequest, LoggedResponse};
pub use state::{FakeRunner, FakeScope};
