//! Maintainer tasks for gha-runners.
//!
//! The pipeline that turns GitHub's upstream OpenAPI description into the
//! vendored runner subset in `spec/`:
//!
//! 1. [`source`] loads the upstream description (file or URL);
//! 2. [`selection`] picks the operations named by `spec/selection.toml`;
//! 3. [`closure`] keeps exactly the components those operations reference;
//! 4. [`normalize`] applies the passes that make the subset digestible by
//!    progenitor without changing what the API means;
//! 5. [`canonical`] writes deterministic JSON, and [`refresh`] writes the
//!    provenance record.
//!
//! [`fixtures`] extracts the documented examples of the vendored operations;
//! [`versions`] derives each REST API version from GitHub's annotations;
//! [`webhooks`] vendors the `workflow_job` webhook events.
#![deny(unsafe_code)]

pub mod availability;
pub mod canonical;
pub mod closure;
pub mod diff;
pub mod fixtures;
pub mod normalize;
pub mod refresh;
pub mod selection;
pub mod source;
pub mod versions;
pub mod webhooks;

/// HTTP methods that carry an operation in an OpenAPI path item.
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];
