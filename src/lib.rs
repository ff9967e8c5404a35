//! A typed client for GitHub's Actions runner REST API: self-hosted runners,
//! labels, registration/remove tokens, JIT configs, runner downloads and
//! version deprecations, runner groups, GitHub-hosted runners, hosted-compute
//! network configurations and self-hosted-runner permissions, at enterprise,
//! organization and repository scope.
//!
//! The client is generated at build time by [progenitor] from the vendored
//! OpenAPI subset in `spec/` (see the crate README for how that subset is
//! derived from GitHub's description). It is reachable as [`generated`]; every
//! request it sends passes through the [`transport`] layer.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use gha_runners::{generated::Client, transport::Inner};
//!
//! let http = reqwest::Client::builder()
//!     .user_agent("my-autoscaler")
//!     .default_headers(
//!         [(reqwest::header::AUTHORIZATION, "Bearer <token>".parse()?)].into_iter().collect(),
//!     )
//!     .build()?;
//! let github = Client::new_with_client("https://api.github.com", http, Inner::default());
//! let page = github.actions_list_self_hosted_runners_for_org().org("octo-org").per_page(100).send().await?;
//! for runner in &page.runners {
//!     println!("{} {}", runner.name, runner.status);
//! }
//! # Ok(()) }
//! ```
//!
//! [progenitor]: https://github.com/oxidecomputer/progenitor
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod transport;

/// The client progenitor generates from `spec/openapi.json`: one builder
/// method per operation (`Client::actions_list_self_hosted_runners_for_org`,
/// ...) and the request/response types in [`generated::types`].
///
/// Requests sent through it get the same headers as every other request of
/// this crate (see [`transport`]).
#[allow(
    missing_docs,
    unused_imports,
    dead_code,
    clippy::all,
    clippy::pedantic,
    rustdoc::all
)]
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/generated.rs"));
}

/// The README's Rust examples, compiled as doctests so they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
