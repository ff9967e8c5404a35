//! Scopes: an enterprise, an organization or a repository. Each exposes
//! only the areas GitHub offers at that scope, so a call GitHub does not
//! have does not compile.
//!
//! ```compile_fail
//! # fn f(client: gha_runners::Client) {
//! // GitHub has no runner groups at repository scope.
//! client.repo("octo-org", "app").runner_groups();
//! # }
//! ```

use crate::{Client, Error, validate};

/// An enterprise (`client.enterprise("slug")`).
#[derive(Debug, Clone)]
pub struct Enterprise {
    pub(crate) client: Client,
    pub(crate) enterprise: String,
}

/// An organization (`client.org("name")`).
#[derive(Debug, Clone)]
pub struct Org {
    pub(crate) client: Client,
    pub(crate) org: String,
}

/// A repository (`client.repo("owner", "name")`).
#[derive(Debug, Clone)]
pub struct Repo {
    pub(crate) client: Client,
    pub(crate) owner: String,
    pub(crate) repo: String,
}

impl Enterprise {
    /// The generated client this scope sends through.
    pub(crate) fn raw(&self) -> &crate::generated::Client {
        self.client.raw()
    }
}

impl Org {
    /// The generated client this scope sends through.
    pub(crate) fn raw(&self) -> &crate::generated::Client {
        self.client.raw()
    }
}

impl Repo {
    /// The generated client this scope sends through.
    pub(crate) fn raw(&self) -> &crate::generated::Client {
        self.client.raw()
    }
}

/// What every scope has: its client and a check of its path segments.
pub trait Scope: Clone + Send + Sync + 'static {
    /// The client this scope sends through.
    fn client(&self) -> &Client;
    /// Refuses empty or unsafe path segments before any request is sent.
    fn check(&self) -> Result<(), Error>;
}

impl Enterprise {
    pub(crate) fn new(client: Client, enterprise: String) -> Self {
        Self { client, enterprise }
    }

    /// The enterprise slug.
    pub fn slug(&self) -> &str {
        &self.enterprise
    }
}

impl Org {
    pub(crate) fn new(client: Client, org: String) -> Self {
        Self { client, org }
    }

    /// The organization name.
    pub fn name(&self) -> &str {
        &self.org
    }
}

impl Repo {
    pub(crate) fn new(client: Client, owner: String, repo: String) -> Self {
        Self { client, owner, repo }
    }

    /// `owner/name`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }
}

impl Scope for Enterprise {
    fn client(&self) -> &Client {
        &self.client
    }
    fn check(&self) -> Result<(), Error> {
        validate::segment("enterprise", &self.enterprise)
    }
}

impl Scope for Org {
    fn client(&self) -> &Client {
        &self.client
    }
    fn check(&self) -> Result<(), Error> {
        validate::segment("org", &self.org)
    }
}

impl Scope for Repo {
    fn client(&self) -> &Client {
        &self.client
    }
    fn check(&self) -> Result<(), Error> {
        validate::segment("owner", &self.owner)?;
        validate::segment("repo", &self.repo)
    }
}
