//! A typed client for GitHub's Actions runner REST API: self-hosted runners,
//! labels, registration/remove tokens, JIT configs, runner downloads and
//! version deprecations, runner groups, GitHub-hosted runners, hosted-compute
//! network configurations and self-hosted-runner permissions, at enterprise,
//! organization and repository scope.
//!
//! Pick a scope (enterprise, organization, repository), then an area, then
//! call what you mean:
//!
//! ```no_run
//! # async fn demo() -> Result<(), gha_runners::Error> {
//! use futures::TryStreamExt;
//! let github = gha_runners::Client::from_env()?; // GITHUB_TOKEN
//! let runners: Vec<_> = github.org("octo-org").runners().list(Default::default()).try_collect().await?;
//! let token = github.repo("octo-org", "app").runners().registration_token().await?;
//! println!("{} runners; token expires {}", runners.len(), token.expires_at);
//! # Ok(()) }
//! ```
//!
//! Areas by scope ([`Client::enterprise`], [`Client::org`], [`Client::repo`]):
//!
#![doc = include_str!("areas.md")]
//!
//! [Runners]: api::Runners
//! [RunnerGroups]: api::RunnerGroups
//! [HostedRunners]: api::HostedRunners
//! [NetworkConfigurations]: api::NetworkConfigurations
//! [RunnerPermissions]: api::RunnerPermissions
//! [Jobs]: api::Jobs
//! [WorkflowRuns]: api::WorkflowRuns
//! [HookDeliveries]: api::HookDeliveries
//! [Installation]: scope::Installation
//!
//! Lists come as a stream of items that follows GitHub's pages (100 items a
//! request, one page in memory) or one page at a time ([`Page`]). Failures
//! are one [`Error`] type whose variants say what happened. Input whose rules
//! GitHub documents (empty names, label counts, hosted runner names,
//! `per_page`) is refused before anything is sent. Credentials and JIT
//! configs are [`Secret`]s that never print.
//!
//! The typed client underneath is generated at build time by [progenitor]
//! from the vendored OpenAPI subset in `spec/` (see the README for how that
//! subset is derived from GitHub's description). It is reachable as
//! [`Client::raw`] (module [`generated`]) for anything the facade does not
//! cover; every request of either passes through the [`transport`] layer.
//!
//! [progenitor]: https://github.com/oxidecomputer/progenitor
#![deny(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

pub mod api;
mod client;
mod decode;
pub mod deployment;
pub mod error;
pub mod pagination;
mod path;
pub mod record;
pub mod scaleset;
pub mod scope;
mod secret;
mod setters;
#[cfg(feature = "testkit")]
#[cfg_attr(docsrs, doc(cfg(feature = "testkit")))]
pub mod testkit;
pub mod transport;
pub mod types;
mod validate;
mod version;
pub mod webhook;

pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, install_crypto_provider};
pub use deployment::Deployment;
pub use error::{ApiError, AppAuthFailure, DecodeError, Error, FieldError, RateLimitKind};
pub use pagination::{CursorPage, CursorRequest, ItemStream, Page, PageRequest};
pub use secret::{SECRET_FIELDS, Secret};
pub use validate::MAX_LABELS;
pub use version::ApiVersion;

/// The client progenitor generates from `spec/openapi.json`: one builder
/// method per operation (`Client::actions_list_self_hosted_runners_for_org`,
/// ...) and the request/response types in [`generated::types`].
///
/// Requests sent through it get the same headers as every other request of
/// this crate (see [`transport`]).
#[allow(missing_docs, unused_imports, dead_code, clippy::all, clippy::pedantic, rustdoc::all)]
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/generated.rs"));
}

/// The README's Rust examples, compiled as doctests so they stay true
/// (with the `redis` feature, as the README's test command builds them:
/// "Several replicas" uses it).
#[doc = include_str!("../README.md")]
#[cfg(all(doctest, feature = "redis"))]
pub struct ReadmeDoctests;
