//! [`Client`] and its builder.

use crate::scope::{Enterprise, Org, Repo};
use crate::transport::{DEFAULT_USER_AGENT, Inner};
use crate::{Deployment, Error, Secret, generated};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The default API root.
pub const DEFAULT_BASE_URL: &str = "https://api.github.com";

/// A GitHub client for the runner API. Cheap to clone; clones share one
/// connection pool.
///
/// Pick a scope, then an area, then call what you mean:
///
/// ```no_run
/// # async fn demo() -> Result<(), gha_runners::Error> {
/// use futures::TryStreamExt;
/// let github = gha_runners::Client::builder().token("ghp_...").build()?;
/// let runners: Vec<_> = github.org("octo-org").runners().list(Default::default()).try_collect().await?;
/// let token = github.repo("octo-org", "app").runners().registration_token().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    raw: Arc<generated::Client>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use progenitor_client::ClientInfo;
        f.debug_struct("Client").field("base_url", &self.raw.baseurl()).field("transport", self.raw.inner()).finish()
    }
}

impl Client {
    /// A builder with the defaults: `https://api.github.com`, no token,
    /// user agent `gha-runners/<version>`, API version `2022-11-28`.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: the token from
    /// `GITHUB_TOKEN` (or `GH_TOKEN`), the API root from `GITHUB_API_URL`
    /// when set (as in GitHub Actions), else `https://api.github.com`.
    pub fn from_env() -> Result<Self, Error> {
        let token = ["GITHUB_TOKEN", "GH_TOKEN"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
            .ok_or_else(|| {
                Error::invalid("GITHUB_TOKEN", "not set: export a token (PAT, installation token or GITHUB_TOKEN)")
            })?;
        let mut builder = Client::builder().token(token);
        if let Ok(url) = std::env::var("GITHUB_API_URL") {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// The generated client, sharing this client's transport (headers,
    /// credentials, connection pool): the escape hatch for anything the
    /// facade does not cover.
    pub fn raw(&self) -> &generated::Client {
        &self.raw
    }

    /// The deployment operations are checked against, if any.
    pub fn deployment(&self) -> Option<&Deployment> {
        use progenitor_client::ClientInfo;
        self.raw.inner().deployment.as_ref()
    }

    /// `Err(Error::Unsupported)` if the configured deployment does not
    /// publish `operation` (GitHub's operationId).
    pub(crate) fn check_available(&self, operation: &'static str) -> Result<(), Error> {
        match self.deployment() {
            Some(d) => crate::deployment::check(operation, d),
            None => Ok(()),
        }
    }

    /// The REST API version this client sends (see
    /// [`ClientBuilder::api_version`]).
    pub fn api_version(&self) -> crate::ApiVersion {
        use progenitor_client::ClientInfo;
        crate::ApiVersion::from(self.raw.inner().api_version())
    }

    /// GitHub's rate-limit headers of the latest response, if any (no
    /// request is sent). For an explicit check that does not count against
    /// the limit, see [`Client::rate_limit_status`].
    pub fn rate_limit(&self) -> Option<crate::transport::RateLimit> {
        use progenitor_client::ClientInfo;
        self.raw.inner().rate_limit()
    }

    /// Asks GitHub for the rate-limit status of every resource
    /// (`rate-limit/get`; it does not count against the limit).
    pub async fn rate_limit_status(&self) -> Result<crate::generated::types::RateLimitOverview, Error> {
        crate::api::send_body(self, "rate-limit/get", self.raw.rate_limit_get()).await
    }

    /// How many installation tokens GitHub App authentication has requested
    /// (`None` without App authentication).
    pub fn app_token_requests(&self) -> Option<u64> {
        use progenitor_client::ClientInfo;
        self.raw.inner().app_renewals()
    }

    /// The API root requests go to.
    pub fn base_url(&self) -> &str {
        use progenitor_client::ClientInfo;
        self.raw.baseurl()
    }

    /// The enterprise `slug`: runners, runner groups (with organization
    /// access), hosted runners, network configurations, runner permissions.
    pub fn enterprise(&self, slug: impl Into<String>) -> Enterprise {
        Enterprise::new(self.clone(), slug.into())
    }

    /// The organization `name`: runners, runner groups (with repository
    /// access), hosted runners, network configurations, runner permissions.
    pub fn org(&self, name: impl Into<String>) -> Org {
        Org::new(self.clone(), name.into())
    }

    /// The repository `owner/name`: runners only (GitHub has no repository
    /// runner groups or hosted runners).
    pub fn repo(&self, owner: impl Into<String>, name: impl Into<String>) -> Repo {
        Repo::new(self.clone(), owner.into(), name.into())
    }

    /// The GitHub App the client authenticates as: its webhook's
    /// deliveries (App-level operations, sent with the App's JWT).
    pub fn app(&self) -> crate::scope::App {
        crate::scope::App { client: self.clone() }
    }

    /// The App installation the client acts as: the repositories it may
    /// reach.
    pub fn installation(&self) -> crate::scope::Installation {
        crate::scope::Installation { client: self.clone() }
    }
}

/// Configures a [`Client`].
#[derive(Clone)]
pub struct ClientBuilder {
    token: Option<Secret>,
    base_url: String,
    user_agent: String,
    api_version: Option<crate::ApiVersion>,
    http: Option<reqwest::Client>,
    connect_timeout: Duration,
    timeout: Duration,
    deployment: Option<Deployment>,
    check_availability: bool,
    recorder: Option<crate::record::Recorder>,
    app: Option<crate::transport::GitHubApp>,
    retry: crate::transport::RetryPolicy,
    rate_policy: crate::transport::RateLimitPolicy,
    cache_capacity: usize,
    cache_max_bytes: usize,
    max_response_bytes: u64,
    pace_mutations: bool,
    mutation_interval: Duration,
    fleet: crate::transport::Fleet,
    clock: Option<Arc<dyn crate::transport::Clock>>,
    allow_insecure_http: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token)
            .field("base_url", &redact_url(&self.base_url))
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("user_agent", &self.user_agent)
            .field("api_version", &self.api_version)
            .field("custom_http_client", &self.http.is_some())
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("deployment", &self.deployment)
            .field("check_availability", &self.check_availability)
            .field("app", &self.app)
            .field("retry", &self.retry)
            .field("rate_policy", &self.rate_policy)
            .field("cache_capacity", &self.cache_capacity)
            .field("cache_max_bytes", &self.cache_max_bytes)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("pace_mutations", &self.pace_mutations)
            .field("mutation_interval", &self.mutation_interval)
            .field("fleet", &self.fleet)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            token: None,
            base_url: DEFAULT_BASE_URL.into(),
            user_agent: DEFAULT_USER_AGENT.into(),
            api_version: None,
            http: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            deployment: None,
            check_availability: true,
            recorder: None,
            app: None,
            retry: crate::transport::RetryPolicy::default(),
            rate_policy: crate::transport::RateLimitPolicy::default(),
            cache_capacity: crate::transport::DEFAULT_CACHE_CAPACITY,
            cache_max_bytes: crate::transport::DEFAULT_CACHE_MAX_BYTES,
            max_response_bytes: crate::transport::DEFAULT_MAX_RESPONSE_BYTES,
            pace_mutations: true,
            mutation_interval: crate::transport::DEFAULT_MUTATION_INTERVAL,
            fleet: crate::transport::Fleet::default(),
            clock: None,
            allow_insecure_http: false,
        }
    }
}

impl ClientBuilder {
    /// The credential: a personal access token, an installation token or
    /// the `GITHUB_TOKEN` of a workflow. Sent as `Authorization: Bearer`.
    pub fn token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The API root. `https://api.github.com` by default; for GitHub
    /// Enterprise Server either `https://ghe.example.com` or
    /// `https://ghe.example.com/api/v3` (a URL without a path on a host other
    /// than `api.*` or a loopback address gets `/api/v3`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Allows a plain `http://` base URL to a host that is not loopback
    /// (off by default: the token would cross the network in clear text).
    /// `http://` to `localhost`, `127.0.0.1` or `::1` is always allowed.
    ///
    /// ```
    /// use gha_runners::Client;
    /// assert!(Client::builder().base_url("http://ghe.internal").build().is_err());
    /// let trusted = Client::builder().base_url("http://ghe.internal").allow_insecure_http(true).build();
    /// assert!(trusted.is_ok());
    /// ```
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The `User-Agent` header (GitHub requires one); default `gha-runners/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The REST API version sent as `X-GitHub-Api-Version` (an
    /// [`ApiVersion`](crate::ApiVersion), or its text).
    ///
    /// Default: the newest version the deployment serves: 2026-03-10 on
    /// github.com and GitHub Enterprise Cloud, 2022-11-28 on GitHub
    /// Enterprise Server 3.17-3.19 and on a host whose deployment is not
    /// known (what GitHub serves a request that names none). A known
    /// version the configured deployment does not serve fails
    /// [`ClientBuilder::build`] with [`Error::UnsupportedApiVersion`]; a
    /// [custom](crate::ApiVersion::Custom) one must look like `YYYY-MM-DD`
    /// and is sent as given.
    ///
    /// ```
    /// use gha_runners::{ApiVersion, Client, Deployment, Error};
    /// let pinned = Client::builder().token("t").api_version(ApiVersion::V2022_11_28).build().unwrap();
    /// assert_eq!(pinned.api_version(), ApiVersion::V2022_11_28);
    /// let ghes = Client::builder().base_url("https://ghe.example.com").deployment(Deployment::enterprise_server("3.19"));
    /// assert!(matches!(ghes.api_version("2026-03-10").build(), Err(Error::UnsupportedApiVersion { .. })));
    /// ```
    pub fn api_version(mut self, version: impl Into<crate::ApiVersion>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// Use this `reqwest::Client` (proxies, custom roots...). The crate still
    /// sets its headers and credentials on every request; the client's own
    /// timeouts apply instead of [`ClientBuilder::timeout`]. Build it after
    /// calling [`install_crypto_provider`].
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Timeout for establishing a connection; default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Timeout for a whole request; default 60 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The deployment, which decides what operations exist: a call to an
    /// operation it does not publish fails with [`Error::Unsupported`]
    /// without sending anything. Default: [`Deployment::GitHubCom`] for
    /// `https://api.github.com`, [`Deployment::EnterpriseCloud`] for
    /// `api.*.ghe.com`, and no check for other hosts. Organizations and
    /// enterprises on GitHub Enterprise Cloud served from api.github.com
    /// set [`Deployment::EnterpriseCloud`] for the enterprise-scope calls.
    pub fn deployment(mut self, deployment: Deployment) -> Self {
        self.deployment = Some(deployment);
        self
    }

    /// Whether to refuse operations the deployment does not publish (on by
    /// default). Turn it off for a GitHub Enterprise Server newer than this
    /// crate's data.
    pub fn check_availability(mut self, check: bool) -> Self {
        self.check_availability = check;
        self
    }

    /// Authenticate as a GitHub App installation: the client signs an RS256
    /// JWT with the App's key, exchanges it for an installation token
    /// (`apps/create-installation-access-token`), caches the token and renews
    /// it 5 minutes before it expires. A key that is not an RSA private key
    /// in PEM form fails [`ClientBuilder::build`]. Replaces [`ClientBuilder::token`].
    pub fn github_app(mut self, app: crate::transport::GitHubApp) -> Self {
        self.app = Some(app);
        self
    }

    /// Retries of connection failures, timeouts and 5xx (default: 3
    /// attempts, 500 ms base, full jitter; see [`crate::transport::RetryPolicy`]).
    pub fn retry_policy(mut self, policy: crate::transport::RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// What to do when the primary rate limit is exhausted (default: fail
    /// with [`Error::RateLimited`]).
    pub fn rate_limit_policy(mut self, policy: crate::transport::RateLimitPolicy) -> Self {
        self.rate_policy = policy;
        self
    }

    /// How many GET responses the conditional-request cache keeps (default
    /// 512); 0 turns conditional requests off.
    pub fn cache_capacity(mut self, entries: usize) -> Self {
        self.cache_capacity = entries;
        self
    }

    /// How many bytes (bodies and headers) the conditional-request cache
    /// keeps at most (default 32 MiB); the oldest entries go first, and a
    /// response larger than this is not cached.
    pub fn cache_max_bytes(mut self, bytes: usize) -> Self {
        self.cache_max_bytes = bytes;
        self
    }

    /// The largest response body the client reads (default 8 MiB, see
    /// [`crate::transport::DEFAULT_MAX_RESPONSE_BYTES`]). A larger body is
    /// refused while it streams in (at once when `Content-Length` says so)
    /// and the call fails with [`Error::ResponseTooLarge`].
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Whether mutating requests (POST, PATCH, PUT, DELETE) are paced:
    /// one at a time, [`ClientBuilder::mutation_interval`] apart (default
    /// true, as GitHub's best practices ask), per client and its clones,
    /// or in a [fleet](ClientBuilder::fleet) per credential across every
    /// replica. Turning it off
    /// sends mutations as they come, concurrently: GitHub may answer a
    /// burst with a secondary rate limit.
    pub fn pace_mutations(mut self, pace: bool) -> Self {
        self.pace_mutations = pace;
        self
    }

    /// The least time between the end of one mutation and the start of the
    /// next (default 1 s, GitHub's figure; 0 keeps mutations one at a time
    /// without spacing them; at most 10 minutes, a longer one is taken as
    /// 10 minutes).
    ///
    /// What it costs: a burst of N writes takes about N seconds (creating
    /// 30 JIT runners at once, 30 s), whatever their concurrency; reads
    /// are never paced. Lowering it is reasonable against a fake or a test
    /// server, and for a few writes at a time; a scaler that creates and
    /// deletes runners in bursts should keep GitHub's second, or accept
    /// secondary rate limits, which hold every request of the credential
    /// (reads too) for a minute or more.
    ///
    /// ```
    /// use std::time::Duration;
    /// let github = gha_runners::Client::builder()
    ///     .token("ghp_...")
    ///     .mutation_interval(Duration::from_millis(250))
    ///     .build()
    ///     .unwrap();
    /// # drop(github);
    /// ```
    pub fn mutation_interval(mut self, interval: Duration) -> Self {
        self.mutation_interval = interval.min(crate::transport::MAX_MUTATION_INTERVAL);
        self
    }

    /// Where the client keeps what every client of its credential shares:
    /// the rate-limit gate, the mutation lock and its spacing, and the
    /// GitHub App installation token. Default
    /// [`Fleet::InProcess`](crate::transport::Fleet::InProcess): this
    /// client and its clones. With the `redis` feature, a `RedisFleet`
    /// (`gha_runners::transport::RedisFleet`) shares them with every
    /// replica of the same fleet id (see the README, "Several replicas").
    pub fn fleet(mut self, fleet: impl Into<crate::transport::Fleet>) -> Self {
        self.fleet = fleet.into();
        self
    }

    /// The clock retries and rate-limit waits use; tests pass a
    /// [`crate::transport::VirtualClock`] so waits take no time.
    pub fn clock(mut self, clock: impl crate::transport::Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Records every exchange of this client into `recorder` (secrets
    /// scrubbed; see [`crate::record`]).
    pub fn recorder(mut self, recorder: &crate::record::Recorder) -> Self {
        self.recorder = Some(recorder.clone());
        self
    }

    /// Builds the client; fails on a base URL, user agent, API version or
    /// token that cannot be sent.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = normalize_base_url(&self.base_url, self.allow_insecure_http)?;
        let deployment = self.deployment.or_else(|| default_deployment(&base_url));
        // `Custom("2026-03-10")` is the known version, checked as such.
        let requested = self.api_version.map(|v| crate::ApiVersion::from(v.as_str()));
        let api_version = match (requested, &deployment) {
            (Some(version), d) => {
                version.well_formed()?;
                if let (Some(d), true) = (d, self.check_availability) {
                    version.check(d)?;
                }
                version
            }
            (None, Some(d)) => d.newest_api_version(),
            (None, None) => crate::ApiVersion::from(crate::transport::DEFAULT_API_VERSION),
        };
        let mut inner = Inner::new(api_version.as_str(), &self.user_agent, self.token.as_ref())
            .map_err(|field| Error::invalid(field, "contains characters that cannot be sent in an HTTP header"))?;
        inner.deployment = if self.check_availability { deployment } else { None };
        inner.recorder = self.recorder;
        inner.retry = self.retry;
        inner.rate_policy = self.rate_policy;
        if let Some(clock) = self.clock {
            inner.clock = clock;
        }
        inner.cache = (self.cache_capacity > 0).then(|| {
            Arc::new(std::sync::Mutex::new(crate::transport::new_cache(self.cache_capacity, self.cache_max_bytes)))
        });
        inner.max_body = self.max_response_bytes;
        inner.pacer = self.pace_mutations.then(|| Arc::new(crate::transport::Pacer::new(self.mutation_interval)));
        if let Some(app) = &self.app {
            inner.app = Some(Arc::new(crate::transport::AppAuth::new(app)?));
        }
        inner.link = crate::transport::link(&self.fleet, &inner, &base_url);
        let http = match self.http {
            Some(http) => http,
            None => {
                install_crypto_provider();
                reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout)
                    .build()
                    .map_err(|e| Error::invalid("http_client", format!("cannot build the HTTP client: {e}")))?
            }
        };
        Ok(Client { raw: Arc::new(generated::Client::new_with_client(&base_url, http, inner)) })
    }
}

/// Installs rustls' ring crypto provider as the process default, unless one
/// is installed already.
///
/// This crate builds reqwest with rustls and ring but without a default
/// provider (so that it does not compile aws-lc, a large C library).
/// [`ClientBuilder::build`] calls this itself; call it before building a
/// `reqwest::Client` of your own, e.g. for [`ClientBuilder::http_client`],
/// unless something else in your program installs a provider.
///
/// ```
/// gha_runners::install_crypto_provider();
/// let http = reqwest::Client::builder().build().unwrap();
/// let github = gha_runners::Client::builder().http_client(http).build().unwrap();
/// ```
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// The deployment a base URL implies, where it implies one.
fn default_deployment(base_url: &str) -> Option<Deployment> {
    let host = reqwest::Url::parse(base_url).ok()?.host_str()?.to_string();
    if host == "api.github.com" {
        Some(Deployment::GitHubCom)
    } else if host.starts_with("api.") && host.ends_with(".ghe.com") {
        Some(Deployment::EnterpriseCloud)
    } else {
        None
    }
}

/// Checks and completes the API root (see [`ClientBuilder::base_url`]).
/// `url` fit to show in an error, a log or `Debug`: its userinfo (a
/// `user:token@` some put there) and its query and fragment are replaced
/// by `***`, parseable or not.
pub(crate) fn redact_url(url: &str) -> String {
    // The scheme and the slashes after it (a URL parser takes `https:/`
    // and `https:\\` for `https://`).
    let scheme_len = url
        .find(':')
        .filter(|&i| i > 0 && url[..i].bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)))
        .map_or(0, |i| i + 1 + url[i + 1..].bytes().take_while(|b| *b == b'/' || *b == b'\\').count());
    let (scheme, rest) = url.split_at(scheme_len);
    let (before, after) = match rest.find(['?', '#']) {
        Some(q) => (&rest[..q], format!("{}***", &rest[q..q + 1])),
        None => (rest, String::new()),
    };
    // Everything up to the last `@` before the query may be userinfo.
    let before = match before.rfind('@') {
        Some(at) => format!("***{}", &before[at..]),
        None => before.to_string(),
    };
    format!("{scheme}{before}{after}")
}

fn normalize_base_url(input: &str, allow_insecure_http: bool) -> Result<String, Error> {
    let shown = redact_url(input.trim());
    let bad = |why: &str| {
        Error::invalid(
            "base_url",
            format!("`{shown}` {why}; expected e.g. https://api.github.com or https://ghe.example.com"),
        )
    };
    let url = reqwest::Url::parse(input.trim()).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(bad("is not http(s)"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("has a query or fragment"));
    }
    let host = url.host_str().ok_or_else(|| bad("has no host"))?;
    let loopback = host == "localhost"
        || url.host().is_some_and(|h| match h {
            url::Host::Ipv4(ip) => ip.is_loopback(),
            url::Host::Ipv6(ip) => ip.is_loopback(),
            url::Host::Domain(_) => false,
        });
    if url.scheme() == "http" && !loopback && !allow_insecure_http {
        return Err(bad(
            "is plain http to a host that is not loopback: the token would cross the network in clear text; \
             use https://, or ClientBuilder::allow_insecure_http(true) if every hop to it is trusted",
        ));
    }
    let mut out = format!("{}://{}", url.scheme(), host_and_port(&url));
    let path = url.path().trim_end_matches('/');
    if path.is_empty() {
        if !(host.starts_with("api.") || loopback) {
            out.push_str("/api/v3");
        }
    } else {
        out.push_str(path);
    }
    Ok(out)
}

fn host_and_port(url: &reqwest::Url) -> String {
    let host = match url.host() {
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        _ => url.host_str().unwrap_or_default().to_string(),
    };
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let n = |s: &str| normalize_base_url(s, false).unwrap();
        assert_eq!(n("https://api.github.com"), "https://api.github.com");
        assert_eq!(n("https://api.github.com/"), "https://api.github.com");
        assert_eq!(n("https://ghe.example.com"), "https://ghe.example.com/api/v3");
        assert_eq!(n("https://ghe.example.com/"), "https://ghe.example.com/api/v3");
        assert_eq!(n("https://ghe.example.com/api/v3"), "https://ghe.example.com/api/v3");
        assert_eq!(n("https://ghe.example.com/api/v3/"), "https://ghe.example.com/api/v3");
        assert_eq!(n("https://api.octocorp.ghe.com"), "https://api.octocorp.ghe.com");
        assert_eq!(n("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(n("http://[::1]:8080/"), "http://[::1]:8080");
        for bad in ["ghe.example.com", "ftp://x", "https://x/?a=1", ""] {
            assert!(
                matches!(normalize_base_url(bad, false), Err(Error::InvalidInput { field: "base_url", .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn plain_http_needs_loopback_or_an_opt_in() {
        for host in ["http://ghe.example.com", "http://10.0.0.1:8080", "http://api.github.com", "HTTP://x.dev/api/v3"] {
            let err = normalize_base_url(host, false).unwrap_err().to_string();
            assert!(err.contains("clear text") && err.contains("allow_insecure_http"), "{err}");
            assert!(normalize_base_url(host, true).is_ok(), "{host}");
        }
        for host in ["http://localhost:1", "http://127.0.0.1", "http://127.8.9.10:80", "http://[::1]"] {
            assert!(normalize_base_url(host, false).is_ok(), "{host}");
        }
    }

    #[test]
    fn urls_are_shown_without_userinfo_or_query() {
        for (url, shown) in [
            ("https://u:ghp_x@host/?x", "https://***@host/?***"),
            ("https://ghp_x@host:1/p#f", "https://***@host:1/p#***"),
            ("u:ghp_x@host", "u:***@host"),
            ("https:/u:ghp_x@host", "https:/***@host"),
            ("https://host/p@x", "https://***@x"),
            ("https://host/api/v3", "https://host/api/v3"),
        ] {
            assert_eq!(redact_url(url), shown);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(10_000))]
        /// Hostile base URLs: whatever the parser makes of them, no error
        /// and no `Debug` shows a token put in the userinfo or the query,
        /// and plain http is accepted only to loopback.
        #[test]
        fn hostile_base_urls_never_show_a_token_nor_send_it_in_clear(
            scheme in "(https|http|HTTP|ftp|)",
            slashes in "(://|:/|//|)",
            user in "[a-z]{0,4}",
            token in "ghp_[A-Za-z0-9]{12}",
            host in "(api\\.github\\.com|ghe\\.example\\.com|127\\.0\\.0\\.1|localhost|\\[::1\\]|10\\.1\\.2\\.3|[a-z@:%./]{0,8})",
            port in "(:[0-9]{1,5}|)",
            path in "(/[a-zA-Z0-9%.@\\\\]{0,6}){0,3}",
            where_ in 0..3u8,
        ) {
            let url = match where_ {
                0 => format!("{scheme}{slashes}{user}:{token}@{host}{port}{path}"),
                1 => format!("{scheme}{slashes}{host}{port}{path}?access_token={token}"),
                _ => format!("{scheme}{slashes}{token}@{host}{port}{path}#{token}"),
            };
            let builder = Client::builder().base_url(&url);
            let shown = format!("{builder:?}");
            proptest::prop_assert!(!shown.contains(&token), "{}", shown);
            match normalize_base_url(&url, false) {
                Err(e) => proptest::prop_assert!(!e.to_string().contains(&token), "{}", e),
                Ok(out) => {
                    proptest::prop_assert!(!out.contains(&token), "{}", out);
                    let parsed = reqwest::Url::parse(&out).unwrap();
                    if parsed.scheme() == "http" {
                        let h = parsed.host_str().unwrap_or_default();
                        proptest::prop_assert!(h == "localhost" || h == "[::1]" || h.starts_with("127."), "{}", out);
                    }
                }
            }
        }
    }

    #[test]
    fn debug_of_builder_and_client_hides_the_token() {
        let b = Client::builder().token("ghp_topsecret");
        assert!(!format!("{b:?}").contains("topsecret"));
        let c = b.build().unwrap();
        let text = format!("{c:?}");
        assert!(!text.contains("topsecret"), "{text}");
        assert!(text.contains("api.github.com"), "{text}");
    }
}
