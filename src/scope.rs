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

/// The GitHub App the client authenticates as (`client.app()`):
/// App-level operations (`/app/...`), which GitHub accepts only with the
/// App's JWT. A client built with [`crate::ClientBuilder::github_app`]
/// signs one for each of them (and uses installation tokens for the rest);
/// a client with a static token sends that token, which GitHub refuses
/// unless it is a JWT.
#[derive(Debug, Clone)]
pub struct App {
    pub(crate) client: Client,
}

/// An organization webhook (`client.org("o").hook(id)`).
#[derive(Debug, Clone)]
pub struct OrgHook {
    pub(crate) client: Client,
    pub(crate) org: String,
    pub(crate) hook_id: crate::types::HookId,
}

/// The App installation the client acts as (`client.installation()`):
/// what its installation token may reach.
#[derive(Debug, Clone)]
pub struct Installation {
    pub(crate) client: Client,
}

impl App {
    /// The generated client this scope sends through.
    pub(crate) fn raw(&self) -> &crate::generated::Client {
        self.client.raw()
    }
}

impl OrgHook {
    /// The generated client this scope sends through.
    pub(crate) fn raw(&self) -> &crate::generated::Client {
        self.client.raw()
    }

    /// The organization name.
    pub fn org(&self) -> &str {
        &self.org
    }

    /// The webhook's id.
    pub fn id(&self) -> crate::types::HookId {
        self.hook_id
    }
}

impl Org {
    /// One of the organization's webhooks, by id (`X-GitHub-Hook-ID` of
    /// its deliveries).
    pub fn hook(&self, hook_id: impl Into<crate::types::HookId>) -> OrgHook {
        OrgHook { client: self.client.clone(), org: self.org.clone(), hook_id: hook_id.into() }
    }
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
        validate::name("enterprise", &self.enterprise)
    }
}

impl Scope for Org {
    fn client(&self) -> &Client {
        &self.client
    }
    fn check(&self) -> Result<(), Error> {
        validate::name("org", &self.org)
    }
}

impl Scope for Repo {
    fn client(&self) -> &Client {
        &self.client
    }
    fn check(&self) -> Result<(), Error> {
        validate::name("owner", &self.owner)?;
        validate::name("repo", &self.repo)
    }
}

impl Scope for App {
    fn client(&self) -> &Client {
        &self.client
    }
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }
}

impl Scope for OrgHook {
    fn client(&self) -> &Client {
        &self.client
    }
    fn check(&self) -> Result<(), Error> {
        validate::name("org", &self.org)
    }
}

impl Scope for Installation {
    fn client(&self) -> &Client {
        &self.client
    }
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }
}
