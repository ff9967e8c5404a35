//! [`ScaleSets`]: a scope's runner scale sets on the Actions service, and
//! the connection to that service (runner registration, the admin token).

use super::error::{Subject, from_generated};
use super::raw::{self, types};
use super::transport::{AdminToken, Credential, Inner, Register, Registered};
use super::{Error, Sessions};
use crate::scope::{Enterprise, Org, Repo};
use crate::transport::RetryPolicy;
use crate::{Client, validate};
use progenitor_client::ClientInfo;
use std::sync::Arc;
use std::time::Duration;

/// The scale sets of a scope (`client.org("o").scale_sets()`), on the
/// Actions service.
///
/// The first call connects: it asks GitHub for a registration token of the
/// scope (with the client's credential), exchanges it at
/// `POST /actions/runner-registration` for the Actions service's URL and an
/// admin token, and keeps both for every clone of this handle. The admin
/// token is renewed the same way 60 s before it expires and when the
/// service refuses it. The client's GitHub credential is never sent to the
/// Actions service, nor the service's tokens to GitHub.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), gha_runners::scaleset::Error> {
/// use gha_runners::scaleset::NewScaleSet;
/// let fake = gha_runners::testkit::FakeGitHub::builder().org("octo-org").start().await;
/// let github = fake.client()?;
/// let sets = github.org("octo-org").scale_sets();
/// let set = sets.get_or_create(&NewScaleSet::new("linux-x64")).await?;
/// assert_eq!(set.name.as_deref(), Some("linux-x64"));
/// let again = sets.get_or_create(&NewScaleSet::new("linux-x64")).await?;
/// assert_eq!(again.id, set.id, "found by name, not created twice");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ScaleSets {
    github: Client,
    target: Target,
    settings: Settings,
    connection: Arc<tokio::sync::OnceCell<Arc<Connection>>>,
}

impl std::fmt::Debug for ScaleSets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScaleSets")
            .field("scope", &self.target)
            .field("connected", &self.connection.get().is_some())
            .finish()
    }
}

/// The scope a registration token is asked for.
#[derive(Debug, Clone)]
enum Target {
    Enterprise(String),
    Org(String),
    Repo(String, String),
}

impl Target {
    /// The scope's path on GitHub's web host.
    fn web_path(&self) -> String {
        match self {
            Target::Enterprise(e) => format!("enterprises/{e}"),
            Target::Org(o) => o.clone(),
            Target::Repo(o, r) => format!("{o}/{r}"),
        }
    }
}

/// What every scale-set client of a connection is built with.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub user_agent: reqwest::header::HeaderValue,
    pub retry: RetryPolicy,
    pub max_body: u64,
    pub request_timeout: Duration,
    pub poll_timeout: Duration,
}

impl Settings {
    pub(crate) fn inner(&self, credential: Credential) -> Inner {
        Inner {
            credential,
            user_agent: self.user_agent.clone(),
            retry: self.retry.clone(),
            max_body: self.max_body,
            request_timeout: self.request_timeout,
            poll_timeout: self.poll_timeout,
            base_query: None,
        }
    }
}

/// A connection to the Actions service: its admin client.
pub(crate) struct Connection {
    pub service: raw::Client,
    pub admin: Arc<AdminToken>,
    pub http: reqwest::Client,
    pub settings: Settings,
    /// GitHub's API root: no service URL may point there.
    pub github_base: String,
}

impl Enterprise {
    /// The enterprise's runner scale sets (see [`ScaleSets`]).
    pub fn scale_sets(&self) -> ScaleSets {
        ScaleSets::new(self.client.clone(), Target::Enterprise(self.enterprise.clone()))
    }
}

impl Org {
    /// The organization's runner scale sets (see [`ScaleSets`]).
    pub fn scale_sets(&self) -> ScaleSets {
        ScaleSets::new(self.client.clone(), Target::Org(self.org.clone()))
    }
}

impl Repo {
    /// The repository's runner scale sets (see [`ScaleSets`]).
    pub fn scale_sets(&self) -> ScaleSets {
        ScaleSets::new(self.client.clone(), Target::Repo(self.owner.clone(), self.repo.clone()))
    }
}

/// A scale set to find or create ([`ScaleSets::get_or_create`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NewScaleSet {
    /// Its name, which is also the label workflows ask for (`runs-on`).
    pub name: String,
    /// The runner group it belongs to (default `Default`).
    pub runner_group: String,
    /// Whether its runners may not update themselves (default false).
    pub disable_update: bool,
}

impl NewScaleSet {
    /// A scale set named `name` in the `Default` runner group.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), runner_group: "Default".into(), disable_update: false }
    }
}

crate::setters::setters!(NewScaleSet {
    runner_group: set String,
    disable_update: val bool,
});

/// The API version every Actions-service request names.
macro_rules! v {
    ($t:ident) => {
        types::$t::X60Preview
    };
}

impl ScaleSets {
    fn new(github: Client, target: Target) -> Self {
        let inner = github.raw().inner();
        let settings = Settings {
            user_agent: inner.user_agent_header().clone(),
            retry: inner.retry.clone(),
            max_body: inner.max_body,
            request_timeout: super::transport::DEFAULT_REQUEST_TIMEOUT,
            poll_timeout: super::transport::DEFAULT_POLL_TIMEOUT,
        };
        Self { github, target, settings, connection: Arc::default() }
    }

    /// How long a request other than the long poll may take (default
    /// 30 s). Set before the first call.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.settings.request_timeout = timeout;
        self
    }

    /// How long the long poll may take (default 70 s; GitHub answers
    /// within about 50 s). Set before the first call.
    pub fn poll_timeout(mut self, timeout: Duration) -> Self {
        self.settings.poll_timeout = timeout;
        self
    }

    /// The scope's URL on GitHub's web host, which runner registration
    /// takes (`https://github.com/octo-org`).
    pub fn config_url(&self) -> Result<String, Error> {
        Ok(format!("{}/{}", web_root(self.github.base_url())?, self.target.web_path()))
    }

    /// Connects now (the first call of any other method does it too).
    pub async fn connect(&self) -> Result<(), Error> {
        self.connection().await.map(drop)
    }

    /// How many times the admin token was renewed (0 before connecting).
    pub fn admin_token_renewals(&self) -> u64 {
        self.connection.get().map_or(0, |c| c.admin.renewals.load(std::sync::atomic::Ordering::Relaxed))
    }

    pub(crate) async fn connection(&self) -> Result<Arc<Connection>, Error> {
        self.connection.get_or_try_init(|| self.open_connection()).await.cloned()
    }

    async fn open_connection(&self) -> Result<Arc<Connection>, Error> {
        let (github, target, settings) = (self.github.clone(), self.target.clone(), self.settings.clone());
        let first = register(&github, &target, &settings).await?;
        let url = first.url.clone();
        let for_renewal = (github, target, settings.clone());
        let renew: Register = Arc::new(move || {
            let (github, target, settings) = for_renewal.clone();
            Box::pin(async move {
                register(&github, &target, &settings).await.map_err(|e| {
                    let message = match &e {
                        Error::Registration { message, .. } => message.clone(),
                        other => other.to_string(),
                    };
                    (e.renewal_status(), message)
                })
            })
        });
        let admin = Arc::new(AdminToken::new(first, renew).map_err(|m| Error::Registration { status: 0, message: m })?);
        let http = self.github.raw().client().clone();
        let service =
            raw::Client::new_with_client(&url, http.clone(), settings.inner(Credential::Admin(admin.clone())));
        let github_base = self.github.base_url().to_string();
        Ok(Arc::new(Connection { service, admin, http, settings, github_base }))
    }

    /// The generated client for the Actions service, holding the admin
    /// token (connects first): the escape hatch for what this handle does
    /// not cover.
    pub async fn raw(&self) -> Result<raw::Client, Error> {
        Ok(self.connection().await?.service.clone())
    }

    /// The runner group named `name`.
    pub async fn runner_group(&self, name: &str) -> Result<types::RunnerGroup, Error> {
        validate::text("runner_group", name)?;
        let c = self.connection().await?;
        const OP: &str = "runner-groups/find-by-name";
        let found = c.service.runner_groups_find_by_name(v!(RunnerGroupsFindByNameApiVersion), name).await;
        let found = unwrap(OP, None, found).await?;
        found.value.into_iter().find(|g| g.name.eq_ignore_ascii_case(name)).ok_or_else(|| Error::Api {
            operation: OP,
            status: 404,
            type_name: None,
            message: format!("no runner group named `{name}`: create it first (runner_groups().create)"),
        })
    }

    /// The scale set named `name` in runner group `runner_group_id`, if any.
    pub async fn find(&self, name: &str, runner_group_id: i64) -> Result<Option<types::RunnerScaleSet>, Error> {
        validate::text("name", name)?;
        let c = self.connection().await?;
        const OP: &str = "scale-sets/find";
        let found = c.service.scale_sets_find(v!(ScaleSetsFindApiVersion), name, runner_group_id).await;
        Ok(unwrap(OP, None, found).await?.value.into_iter().next())
    }

    /// The scale set `id`; [`Error::ScaleSetNotFound`] if it does not exist.
    pub async fn get(&self, id: i64) -> Result<types::RunnerScaleSet, Error> {
        let c = self.connection().await?;
        let got = c.service.scale_sets_get(id, v!(ScaleSetsGetApiVersion)).await;
        unwrap("scale-sets/get", Some(id), got).await
    }

    /// The scale set named as `spec` says in its runner group, created if
    /// there is none: ephemeral, elastic runners, the name as its label.
    /// A creation whose answer was lost is looked up again, not repeated.
    pub async fn get_or_create(&self, spec: &NewScaleSet) -> Result<types::RunnerScaleSet, Error> {
        validate::text("name", &spec.name)?;
        let group = self.runner_group(&spec.runner_group).await?;
        if let Some(found) = self.find(&spec.name, group.id).await? {
            return Ok(found);
        }
        let body = types::RunnerScaleSet {
            name: Some(spec.name.clone()),
            runner_group_id: Some(group.id),
            labels: vec![types::Label { name: spec.name.clone(), type_: Some("System".into()) }],
            runner_setting: Some(types::RunnerSetting {
                ephemeral: Some(true),
                is_elastic: Some(true),
                disable_update: Some(spec.disable_update),
            }),
            ..Default::default()
        };
        let c = self.connection().await?;
        let created = c.service.scale_sets_create(v!(ScaleSetsCreateApiVersion), &body).await;
        match unwrap("scale-sets/create", None, created).await {
            Ok(set) => Ok(set),
            // A lost answer, or another replica that created it meanwhile.
            Err(e @ (Error::Unavailable { .. } | Error::Api { status: 400 | 409, .. })) => {
                match self.find(&spec.name, group.id).await? {
                    Some(found) => Ok(found),
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Replaces scale set `id` with `scale_set` (its name, group, labels,
    /// settings).
    pub async fn update(&self, id: i64, scale_set: &types::RunnerScaleSet) -> Result<types::RunnerScaleSet, Error> {
        let c = self.connection().await?;
        let updated = c.service.scale_sets_update(id, v!(ScaleSetsUpdateApiVersion), scale_set).await;
        unwrap("scale-sets/update", Some(id), updated).await
    }

    /// Deletes scale set `id`.
    pub async fn delete(&self, id: i64) -> Result<(), Error> {
        let c = self.connection().await?;
        let deleted = c.service.scale_sets_delete(id, v!(ScaleSetsDeleteApiVersion)).await;
        unwrap("scale-sets/delete", Some(id), deleted).await
    }

    /// A JIT config for a new runner of scale set `id` named `name`: start
    /// the runner with `run.sh --jitconfig <encoded_jit_config>`.
    ///
    /// A request that got no usable answer (no answer, 5xx) may have
    /// registered the runner: it is looked up by name, removed if it exists
    /// (its config cannot be recovered), and the config asked for once
    /// more. The answer is checked: a runner id above 0, the name asked for.
    pub async fn jit_config(&self, id: i64, name: &str) -> Result<types::JitRunnerConfig, Error> {
        validate::text("name", name)?;
        let c = self.connection().await?;
        let body = types::JitRunnerSetting { name: name.to_string(), work_folder: None };
        const OP: &str = "scale-sets/generate-jit-config";
        let mut again = false;
        let issued = loop {
            let issued =
                c.service.scale_sets_generate_jit_config(id, v!(ScaleSetsGenerateJitConfigApiVersion), &body).await;
            match unwrap(OP, Some(id), issued).await {
                Err(e @ Error::Unavailable { .. }) if !again => {
                    again = true;
                    match self.runner_by_name(name).await {
                        Ok(None) => {}
                        Ok(Some(runner)) => {
                            tracing::warn!(
                                runner_id = runner.id,
                                "a JIT config's answer was lost and its runner exists: removing it"
                            );
                            self.remove_runner(runner.id).await.map_err(|_| e)?;
                        }
                        Err(_) => return Err(e),
                    }
                }
                other => break other?,
            }
        };
        if issued.runner.id <= 0 || issued.runner.name != name {
            let reason = format!("the runner is `{}` ({}), not a new `{name}`", issued.runner.name, issued.runner.id);
            return Err(Error::Decode { operation: OP, reason, body: String::new() });
        }
        Ok(issued)
    }

    /// The runner `runner_id`.
    pub async fn runner(&self, runner_id: i64) -> Result<types::RunnerReference, Error> {
        let c = self.connection().await?;
        let got = c.service.runners_get(runner_id, v!(RunnersGetApiVersion)).await;
        unwrap("runners/get", None, got).await
    }

    /// The runner named `name`, if any.
    pub async fn runner_by_name(&self, name: &str) -> Result<Option<types::RunnerReference>, Error> {
        validate::text("name", name)?;
        let c = self.connection().await?;
        let found = c.service.runners_find_by_name(name, v!(RunnersFindByNameApiVersion)).await;
        Ok(unwrap("runners/find-by-name", None, found).await?.value.into_iter().next())
    }

    /// Removes runner `runner_id`.
    pub async fn remove_runner(&self, runner_id: i64) -> Result<(), Error> {
        let c = self.connection().await?;
        let removed = c.service.runners_remove(runner_id, v!(RunnersRemoveApiVersion)).await;
        unwrap("runners/remove", None, removed).await
    }

    /// The sessions of scale set `scale_set_id`: open one to listen.
    pub fn sessions(&self, scale_set_id: i64) -> Sessions {
        Sessions::new(self.clone(), scale_set_id)
    }
}

/// The body of a generated call's answer, or its error as [`Error`].
pub(crate) async fn unwrap<T, E: serde::Serialize>(
    operation: &'static str,
    scale_set_id: Option<i64>,
    result: Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
) -> Result<T, Error> {
    match result {
        Ok(v) => Ok(v.into_inner()),
        Err(e) => Err(from_generated(operation, Subject { scale_set_id }, e).await),
    }
}

/// Runner registration: a registration token of the scope from GitHub,
/// exchanged for the Actions service's URL and an admin token.
async fn register(github: &Client, target: &Target, settings: &Settings) -> Result<Registered, Error> {
    let token = match target {
        Target::Enterprise(e) => github.enterprise(e).runners().registration_token().await?,
        Target::Org(o) => github.org(o).runners().registration_token().await?,
        Target::Repo(o, r) => github.repo(o, r).runners().registration_token().await?,
    };
    let url = format!("{}/{}", web_root(github.base_url())?, target.web_path());
    let credential = Credential::registration(&token.token).ok_or_else(|| Error::Registration {
        status: 0,
        message: "the registration token is not a header value".into(),
    })?;
    let client =
        raw::Client::new_with_client(github.base_url(), github.raw().client().clone(), settings.inner(credential));
    let body =
        types::RunnerRegistrationRequest { runner_event: types::RunnerRegistrationRequestRunnerEvent::Register, url };
    let answer = unwrap("runner-registration/create", None, client.runner_registration_create(&body).await).await?;
    check_service_url("the Actions service URL", &answer.url, github.base_url())?;
    Ok(Registered { token: answer.token, url: answer.url })
}

/// GitHub's web root for an API root: `https://github.com` for
/// `https://api.github.com`, `https://acme.ghe.com` for
/// `https://api.acme.ghe.com`, `https://ghe.example.com` for
/// `https://ghe.example.com/api/v3`; any other root (a fake, a proxy) is
/// its own web root.
pub(crate) fn web_root(api_root: &str) -> Result<String, Error> {
    let mut url = reqwest::Url::parse(api_root).map_err(|e| {
        Error::invalid("base_url", format!("`{}` is not a URL: {e}", crate::client::redact_url(api_root)))
    })?;
    let host = url.host_str().unwrap_or_default().to_string();
    if host == "api.github.com" || (host.starts_with("api.") && host.ends_with(".ghe.com")) {
        let web = host.trim_start_matches("api.").to_string();
        url.set_host(Some(&web)).map_err(|e| Error::invalid("base_url", e.to_string()))?;
    }
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(path.strip_suffix("/api/v3").unwrap_or(&path));
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// Refuses a URL the service handed out that the admin or queue token
/// must not go to: not https (plain http only on a loopback host, for
/// tests), with userinfo, or GitHub's own REST API (where a service token
/// does not belong, and which the GitHub token's client talks to): its
/// whole origin when the API is the origin's root (`api.github.com`), its
/// path otherwise (GHES serves the Actions service on its own host, beside
/// `/api/v3`).
pub(crate) fn check_service_url(what: &'static str, url: &str, github_base: &str) -> Result<reqwest::Url, Error> {
    let shown = crate::client::redact_url(url);
    let refuse = |why: &str| Error::Registration { status: 0, message: format!("{what} `{shown}` {why}: refused") };
    let parsed = reqwest::Url::parse(url).map_err(|e| refuse(&format!("is not a URL ({e})")))?;
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(refuse("is not https")),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(refuse("carries a user name or password"));
    }
    if parsed.fragment().is_some() {
        return Err(refuse("has a fragment"));
    }
    if let Ok(github) = reqwest::Url::parse(github_base)
        && github.origin() == parsed.origin()
    {
        let api = github.path().trim_end_matches('/');
        // As a server that decodes the path would read it.
        let path = percent_encoding::percent_decode_str(parsed.path()).decode_utf8_lossy().to_ascii_lowercase();
        let api = api.to_ascii_lowercase();
        if api.is_empty() || path == api || path.starts_with(&format!("{api}/")) {
            return Err(refuse("is GitHub's REST API, where the service's tokens do not go"));
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_roots() {
        assert_eq!(web_root("https://api.github.com").unwrap(), "https://github.com");
        assert_eq!(web_root("https://api.acme.ghe.com/").unwrap(), "https://acme.ghe.com");
        assert_eq!(web_root("https://ghe.example.com/api/v3").unwrap(), "https://ghe.example.com");
        assert_eq!(web_root("http://127.0.0.1:8080").unwrap(), "http://127.0.0.1:8080");
    }

    #[test]
    fn service_urls_that_tokens_must_not_go_to_are_refused() {
        let github = "https://api.github.com";
        assert!(check_service_url("u", "https://pipelines.actions.githubusercontent.com/abc", github).is_ok());
        assert!(check_service_url("u", "http://127.0.0.1:9/x", github).is_ok());
        for bad in [
            "http://pipelines.actions.githubusercontent.com/abc",
            "https://user:pw@pipelines.actions.githubusercontent.com/abc",
            "https://api.github.com/abc",
            "https://api.github.com:443/abc",
            "ftp://example.com",
            "not a url",
            "https://x.example/#frag",
        ] {
            let e = check_service_url("u", bad, github).unwrap_err();
            assert!(!e.to_string().contains("pw@"), "{e}");
        }
        assert!(check_service_url("u", "http://127.0.0.1:9/x", "http://127.0.0.1:9").is_err(), "same origin as GitHub");
        // GHES: the Actions service on the same host, beside the API.
        let ghes = "https://ghe.example.com/api/v3";
        assert!(check_service_url("u", "https://ghe.example.com/_services/pipelines/abc", ghes).is_ok());
        for bad in [
            "https://ghe.example.com/api/v3",
            "https://ghe.example.com/api/v3/orgs",
            "https://GHE.example.com:443/api/v3/x",
            "https://ghe.example.com/api/%76%33/x",
            "https://ghe.example.com/API/v3/x",
        ] {
            assert!(check_service_url("u", bad, ghes).is_err(), "{bad}");
        }
    }
}
