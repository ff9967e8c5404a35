//! The HTTP side of the fake: routing from the vendored spec's paths,
//! authentication, rate limits, ETags, pagination, faults and logs.

use super::catalog;
use super::state::*;
use crate::{Client, Error};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, Uri};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// A fault to inject into the next requests (see [`FakeGitHub::inject`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answer with this status and a GitHub-shaped error body.
    Status(u16),
    /// Answer with this status and these headers (e.g. `retry-after`).
    StatusWithHeaders(u16, Vec<(String, String)>),
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Send the headers, then break the connection before the body ends.
    Reset,
}

/// A request as the fake received it (the credential is not kept).
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path and query as sent (still percent-encoded).
    pub path_and_query: String,
    /// Headers, lower-case, without `authorization`.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// A response the fake produced for an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedResponse {
    /// The operation (GitHub's operationId).
    pub operation: String,
    /// The status.
    pub status: u16,
    /// The JSON body, if any.
    pub body: Option<Value>,
}

struct Shared {
    data: Data,
    token: String,
    /// The GitHub App whose JWTs the token endpoint accepts: its id and
    /// public key.
    app: Option<(String, jsonwebtoken::DecodingKey)>,
    /// Installation tokens the fake issued, accepted like `token`.
    issued: std::collections::HashSet<String>,
    rate_limit: u64,
    rate_used: u64,
    rate_reset: i64,
    faults: VecDeque<Fault>,
    requests: Vec<LoggedRequest>,
    responses: Vec<LoggedResponse>,
    base_url: String,
}

/// Configures a [`FakeGitHub`] before it starts.
#[derive(Debug)]
pub struct FakeGitHubBuilder {
    scopes: Vec<FakeScope>,
    runners: Vec<(FakeScope, FakeRunner)>,
    groups: Vec<(FakeScope, i64, String)>,
    hosted: Vec<(FakeScope, i64, String)>,
    networks: Vec<(FakeScope, String, String)>,
    token: String,
    rate_limit: u64,
    app: Option<(String, String)>,
}

impl Default for FakeGitHubBuilder {
    fn default() -> Self {
        Self {
            scopes: Vec::new(),
            runners: Vec::new(),
            groups: Vec::new(),
            hosted: Vec::new(),
            networks: Vec::new(),
            token: "fake-token".into(),
            rate_limit: 5000,
            app: None,
        }
    }
}

impl FakeGitHubBuilder {
    /// Adds the enterprise `slug`.
    pub fn enterprise(mut self, slug: &str) -> Self {
        self.scopes.push(FakeScope::enterprise(slug));
        self
    }
    /// Adds the organization `name`.
    pub fn org(mut self, name: &str) -> Self {
        self.scopes.push(FakeScope::org(name));
        self
    }
    /// Adds the repository `owner/name`.
    pub fn repo(mut self, owner: &str, name: &str) -> Self {
        self.scopes.push(FakeScope::repo(owner, name));
        self
    }
    /// Adds a runner (and its scope, if new).
    pub fn runner(mut self, scope: FakeScope, runner: FakeRunner) -> Self {
        self.runners.push((scope, runner));
        self
    }
    /// Adds runner group `id` named `name` to an organization or enterprise.
    pub fn runner_group(mut self, scope: FakeScope, id: i64, name: &str) -> Self {
        self.groups.push((scope, id, name.to_string()));
        self
    }
    /// Adds GitHub-hosted runner `id` named `name` (Ubuntu, 4 cores, group 1).
    pub fn hosted_runner(mut self, scope: FakeScope, id: i64, name: &str) -> Self {
        self.hosted.push((scope, id, name.to_string()));
        self
    }
    /// Adds network configuration `id` named `name`.
    pub fn network_configuration(mut self, scope: FakeScope, id: &str, name: &str) -> Self {
        self.networks.push((scope, id.to_string(), name.to_string()));
        self
    }
    /// The token requests must carry (default `fake-token`).
    pub fn token(mut self, token: &str) -> Self {
        self.token = token.to_string();
        self
    }
    /// Accept GitHub App authentication for App `app_id`: the token
    /// endpoint (`apps/create-installation-access-token`) then issues
    /// installation tokens for RS256 JWTs that verify with
    /// `public_key_pem`, name `app_id` as issuer and have not expired, and
    /// every other endpoint accepts the tokens it issued. Without it the
    /// token endpoint refuses every JWT, as GitHub does for an unknown App.
    pub fn github_app(mut self, app_id: &str, public_key_pem: &str) -> Self {
        self.app = Some((app_id.to_string(), public_key_pem.to_string()));
        self
    }
    /// The primary rate-limit budget (default 5000 requests).
    pub fn rate_limit(mut self, limit: u64) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Starts the fake on 127.0.0.1 with an ephemeral port.
    ///
    /// # Panics
    /// If no loopback port can be bound (tests cannot run without one).
    pub async fn start(self) -> FakeGitHub {
        let mut data = Data::new();
        for s in &self.scopes {
            data.ensure_scope(s);
        }
        for (scope, id, name) in self.groups {
            data.ensure_scope(&scope);
            if let Some(s) = data.scopes.get_mut(&scope) {
                let mut fields = Map::new();
                fields.insert("name".into(), json!(name));
                fields.insert("visibility".into(), json!("all"));
                s.groups.insert(id, Group { id, fields, members: Default::default() });
            }
        }
        for (scope, runner) in self.runners {
            data.add_runner(&scope, runner);
        }
        for (scope, id, name) in self.hosted {
            data.ensure_scope(&scope);
            if let Some(s) = data.scopes.get_mut(&scope) {
                s.hosted.insert(
                    id,
                    hosted_json(id, &json!({"name": name, "image": {"id": "ubuntu-latest"}, "size": "4-core"})),
                );
            }
        }
        for (scope, id, name) in self.networks {
            data.ensure_scope(&scope);
            if let Some(s) = data.scopes.get_mut(&scope) {
                let n = json!({"id": id, "name": name, "compute_service": "actions", "network_settings_ids": ["ns-1"],
                    "created_on": "2026-11-21T00:00:00Z"});
                s.networks.insert(id, n);
            }
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port for FakeGitHub");
        let addr = listener.local_addr().expect("local address");
        let base_url = format!("http://{addr}");
        let app =
            self.app.and_then(|(id, pem)| Some((id, jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes()).ok()?)));
        let shared = Arc::new(Mutex::new(Shared {
            data,
            token: self.token,
            app,
            issued: Default::default(),
            rate_limit: self.rate_limit,
            rate_used: 0,
            rate_reset: chrono::Utc::now().timestamp() + 3600,
            faults: VecDeque::new(),
            requests: Vec::new(),
            responses: Vec::new(),
            base_url: base_url.clone(),
        }));
        let app = axum::Router::new().fallback({
            let shared = shared.clone();
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let shared = shared.clone();
                async move { handle(shared, method, uri, headers, body).await }
            }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeGitHub { base_url, shared, task: Arc::new(task) }
    }
}

/// A running fake GitHub. Dropping the last clone stops it.
#[derive(Clone)]
pub struct FakeGitHub {
    base_url: String,
    shared: Arc<Mutex<Shared>>,
    task: Arc<tokio::task::JoinHandle<()>>,
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        if Arc::strong_count(&self.task) == 1 {
            self.task.abort();
        }
    }
}

impl std::fmt::Debug for FakeGitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGitHub").field("base_url", &self.base_url).finish()
    }
}

impl FakeGitHub {
    /// A builder to seed the fake.
    pub fn builder() -> FakeGitHubBuilder {
        FakeGitHubBuilder::default()
    }

    /// An empty fake (no scopes: every request is 404 until seeded).
    pub async fn start() -> FakeGitHub {
        Self::builder().start().await
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The base URL (`http://127.0.0.1:<port>`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The token requests must carry.
    pub fn token(&self) -> String {
        self.lock().token.clone()
    }

    /// A [`Client`] for this fake, with its token.
    pub fn client(&self) -> Result<Client, Error> {
        Client::builder().base_url(&self.base_url).token(self.token()).build()
    }

    /// Adds a runner at run time; returns its id.
    pub fn add_runner(&self, scope: FakeScope, runner: FakeRunner) -> i64 {
        self.lock().data.add_runner(&scope, runner)
    }

    /// Sets a runner's status (`online`/`offline`) and whether it is busy;
    /// false if there is no such runner.
    pub fn set_runner_state(&self, scope: &FakeScope, runner_id: i64, status: &str, busy: bool) -> bool {
        let mut s = self.lock();
        match s.data.scopes.get_mut(scope).and_then(|d| d.runners.get_mut(&runner_id)) {
            Some(r) => {
                r.status = status.to_string();
                r.busy = busy;
                true
            }
            None => false,
        }
    }

    /// When a runner was last seen online, as seeded.
    pub fn last_seen(&self, runner_id: i64) -> Option<chrono::DateTime<chrono::Utc>> {
        self.lock().data.last_seen.get(&runner_id).copied()
    }

    /// The runners of a scope, as the fake holds them (id, name, status, busy).
    pub fn runners(&self, scope: &FakeScope) -> Vec<(i64, String, String, bool)> {
        self.lock()
            .data
            .scopes
            .get(scope)
            .map(|d| d.runners.values().map(|r| (r.id, r.name.clone(), r.status.clone(), r.busy)).collect())
            .unwrap_or_default()
    }

    /// Makes the next requests fail, one fault each, in order.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.lock().faults.extend(faults);
    }

    /// Sets the remaining primary rate-limit budget.
    pub fn set_rate_limit_remaining(&self, remaining: u64) {
        let mut s = self.lock();
        s.rate_used = s.rate_limit.saturating_sub(remaining);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.lock().requests.clone()
    }

    /// Every response produced for an operation so far.
    pub fn responses(&self) -> Vec<LoggedResponse> {
        self.lock().responses.clone()
    }
}

/// One route of the spec.
struct Route {
    method: String,
    segments: Vec<String>,
    operation: String,
}

fn routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let spec: Value = serde_json::from_str(include_str!("../../spec/openapi.json")).unwrap_or(Value::Null);
        let mut out = Vec::new();
        for (path, item) in spec["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    out.push(Route {
                        method: method.to_uppercase(),
                        segments: path.trim_start_matches('/').split('/').map(String::from).collect(),
                        operation: id.to_string(),
                    });
                }
            }
        }
        out
    })
}

/// The operation and path parameters of a request, preferring the route
/// with the most literal segments.
fn route(method: &str, path: &str) -> Option<(&'static str, BTreeMap<String, String>)> {
    let segs: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    routes()
        .iter()
        .filter(|r| r.method == method && r.segments.len() == segs.len())
        .filter_map(|r| {
            let mut params = BTreeMap::new();
            let mut literals = 0;
            for (t, s) in r.segments.iter().zip(&segs) {
                if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    params.insert(name.to_string(), s.clone());
                } else if t == s {
                    literals += 1;
                } else {
                    return None;
                }
            }
            Some((literals, r.operation.as_str(), params))
        })
        .max_by_key(|(l, _, _)| *l)
        .map(|(_, op, p)| (op, p))
}

/// What a handler answers.
enum Outcome {
    Json(u16, Value),
    /// A paginated list: the wrapper key and the items.
    List(&'static str, Vec<Value>),
    Empty(u16),
}

async fn handle(
    shared: Arc<Mutex<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let fault = {
        let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
        s.requests.push(LoggedRequest {
            method: method.to_string(),
            path_and_query: uri.path_and_query().map(|p| p.to_string()).unwrap_or_default(),
            headers: headers
                .iter()
                .filter(|(k, _)| *k != "authorization")
                .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect(),
            body: body.to_vec(),
        });
        s.faults.pop_front()
    };
    match fault {
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::Status(code)) => return error_response(&shared, code, &[], "injected fault"),
        Some(Fault::StatusWithHeaders(code, extra)) => return error_response(&shared, code, &extra, "injected fault"),
        Some(Fault::Reset) => {
            let stream = futures::stream::iter(vec![
                Ok::<_, std::io::Error>(Bytes::from_static(b"{\"total_count\": ")),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected reset")),
            ]);
            return Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(Body::from_stream(stream))
                .unwrap_or_default();
        }
        None => {}
    }
    let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("token ")))
        .unwrap_or_default();
    let routed = route(method.as_str(), uri.path());
    let token_request = routed.as_ref().is_some_and(|(op, _)| *op == "apps/create-installation-access-token");
    let token_ok = if token_request {
        s.app.as_ref().is_some_and(|(id, key)| valid_jwt(bearer, id, key))
    } else {
        !bearer.is_empty() && (bearer == s.token || s.issued.contains(bearer))
    };
    if !token_ok {
        drop(s);
        let message = if token_request { "A JSON web token could not be decoded" } else { "Bad credentials" };
        return error_response(&shared, 401, &[], message);
    }
    if s.rate_used >= s.rate_limit {
        let msg = "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.";
        drop(s);
        return error_response(&shared, 403, &[], msg);
    }
    let Some((operation, params)) = routed else {
        drop(s);
        return error_response(&shared, 404, &[], "Not Found");
    };
    let query: BTreeMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    let json_body: Value =
        if body.is_empty() { Value::Null } else { serde_json::from_slice(&body).unwrap_or(Value::Null) };
    let base = s.base_url.clone();
    let outcome = dispatch(&mut s.data, &base, operation, &params, &query, &json_body);
    let (status, value, link) = match outcome {
        Ok(Outcome::Json(code, v)) => (code, Some(v), None),
        Ok(Outcome::Empty(code)) => (code, None, None),
        Ok(Outcome::List(key, items)) => {
            let per_page = query.get("per_page").and_then(|v| v.parse::<usize>().ok()).unwrap_or(30).clamp(1, 100);
            let page = query.get("page").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).max(1);
            let total = items.len();
            let last = total.div_ceil(per_page).max(1);
            let chunk: Vec<Value> = items.into_iter().skip((page - 1) * per_page).take(per_page).collect();
            let mut v = json!({"total_count": total});
            v[key] = Value::Array(chunk);
            (200, Some(v), link_header(&base, uri.path(), &query, page, last))
        }
        Err(Refusal(code, v)) => (code, Some(v), None),
    };
    if token_request && let Some(token) = value.as_ref().and_then(|v| v["token"].as_str()) {
        s.issued.insert(token.to_string());
    }
    s.responses.push(LoggedResponse { operation: operation.to_string(), status, body: value.clone() });
    let bytes = value.as_ref().map(|v| serde_json::to_vec(v).unwrap_or_default()).unwrap_or_default();
    let etag = format!("W/\"{:016x}\"", fnv(&bytes));
    let not_modified = method == Method::GET
        && status == 200
        && headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str());
    if !not_modified && operation != "rate-limit/get" {
        s.rate_used += 1;
    }
    let mut resp = Response::builder().status(if not_modified { 304 } else { status });
    for (k, v) in rate_headers(&s) {
        resp = resp.header(k, v);
    }
    resp = resp.header("x-github-request-id", format!("FAKE:{:08X}", s.requests.len()));
    if method == Method::GET && status == 200 {
        resp = resp.header("etag", etag);
    }
    if let Some(link) = link {
        resp = resp.header("link", link);
    }
    if not_modified || value.is_none() {
        return resp.body(Body::empty()).unwrap_or_default();
    }
    resp.header("content-type", "application/json; charset=utf-8").body(Body::from(bytes)).unwrap_or_default()
}

/// An RS256 JWT signed by the App's key, issued by `app_id`, not expired.
fn valid_jwt(jwt: &str, app_id: &str, key: &jsonwebtoken::DecodingKey) -> bool {
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.set_issuer(&[app_id]);
    v.set_required_spec_claims(&["exp", "iat", "iss"]);
    jsonwebtoken::decode::<Value>(jwt, key, &v).is_ok()
}

fn rate_headers(s: &Shared) -> Vec<(&'static str, String)> {
    vec![
        ("x-ratelimit-limit", s.rate_limit.to_string()),
        ("x-ratelimit-remaining", s.rate_limit.saturating_sub(s.rate_used).to_string()),
        ("x-ratelimit-used", s.rate_used.to_string()),
        ("x-ratelimit-reset", s.rate_reset.to_string()),
        ("x-ratelimit-resource", "core".to_string()),
    ]
}

fn error_response(shared: &Arc<Mutex<Shared>>, code: u16, extra: &[(String, String)], message: &str) -> Response<Body> {
    let s = shared.lock().unwrap_or_else(|p| p.into_inner());
    let body = github_error(code, message).1;
    let mut resp = Response::builder().status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (k, v) in rate_headers(&s) {
        resp = resp.header(k, v);
    }
    for (k, v) in extra {
        if let Ok(v) = HeaderValue::from_str(v) {
            resp = resp.header(k.as_str(), v);
        }
    }
    resp.header("content-type", "application/json; charset=utf-8")
        .body(Body::from(body.to_string()))
        .unwrap_or_default()
}

fn link_header(base: &str, path: &str, query: &BTreeMap<String, String>, page: usize, last: usize) -> Option<String> {
    if last <= 1 {
        return None;
    }
    let url = |p: usize| {
        let mut q: BTreeMap<String, String> = query.clone();
        q.insert("page".into(), p.to_string());
        let qs: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("<{base}{path}?{}>", qs.join("&"))
    };
    let mut parts = Vec::new();
    if page > 1 {
        parts.push(format!("{}; rel=\"prev\"", url(page - 1)));
    }
    if page < last {
        parts.push(format!("{}; rel=\"next\"", url(page + 1)));
        parts.push(format!("{}; rel=\"last\"", url(last)));
    }
    if page > 1 {
        parts.push(format!("{}; rel=\"first\"", url(1)));
    }
    Some(parts.join(", "))
}

/// FNV-1a, for ETags.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

fn scope_of(params: &BTreeMap<String, String>) -> Option<FakeScope> {
    if let Some(e) = params.get("enterprise") {
        Some(FakeScope::enterprise(e))
    } else if let Some(o) = params.get("org") {
        Some(FakeScope::org(o))
    } else {
        Some(FakeScope::repo(params.get("owner")?, params.get("repo")?))
    }
}

fn id(params: &BTreeMap<String, String>, name: &str) -> Result<i64, Refusal> {
    params.get(name).and_then(|v| v.parse().ok()).ok_or_else(not_found)
}

fn str_list(body: &Value, key: &str) -> Vec<String> {
    body.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect()
}

fn int_list(body: &Value, key: &str) -> Vec<i64> {
    body.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_i64).collect()
}

fn labels_response(r: &Runner) -> Outcome {
    Outcome::Json(200, json!({"total_count": r.labels.len(), "labels": labels_json(&r.labels)}))
}

fn check_labels(labels: &[String], min: usize) -> Result<(), Refusal> {
    if labels.len() < min || labels.len() > 100 || labels.iter().any(|l| l.trim().is_empty()) {
        return Err(invalid("labels", "invalid", "Runner"));
    }
    Ok(())
}

/// Answers one operation.
fn dispatch(
    data: &mut Data,
    base: &str,
    operation: &str,
    params: &BTreeMap<String, String>,
    query: &BTreeMap<String, String>,
    body: &Value,
) -> Result<Outcome, Refusal> {
    let op = operation.split_once('/').map_or(operation, |(_, o)| o);
    match operation {
        "rate-limit/get" => {
            let core = json!({"limit": 5000, "remaining": 5000, "reset": 0, "used": 0});
            let search = json!({"limit": 30, "remaining": 30, "reset": 0, "used": 0});
            return Ok(Outcome::Json(200, json!({"resources": {"core": core, "search": search}, "rate": core})));
        }
        "apps/create-installation-access-token" => {
            let n = data.next_id();
            return Ok(Outcome::Json(
                201,
                json!({"token": format!("ghs_fake{n:032}"), "expires_at": token_json(String::new())["expires_at"],
                       "permissions": {"organization_self_hosted_runners": "write"}, "repository_selection": "all"}),
            ));
        }
        _ => {}
    }
    let scope = scope_of(params).ok_or_else(not_found)?;
    if !data.scopes.contains_key(&scope) {
        return Err(not_found());
    }
    let next = data.next_id();
    let sd = data.scopes.get_mut(&scope).ok_or_else(not_found)?;
    let owner = match &scope {
        FakeScope::Repo(o, _) | FakeScope::Org(o) => o.clone(),
        FakeScope::Enterprise(e) => e.clone(),
    };
    let runner = |sd: &mut ScopeData| -> Result<i64, Refusal> {
        let rid = id(params, "runner_id")?;
        if sd.runners.contains_key(&rid) { Ok(rid) } else { Err(not_found()) }
    };
    let group = |sd: &ScopeData| -> Result<i64, Refusal> {
        let gid = id(params, "runner_group_id")?;
        if sd.groups.contains_key(&gid) { Ok(gid) } else { Err(not_found()) }
    };
    let out = if op.starts_with("list-self-hosted-runners-in-group") {
        let gid = group(sd)?;
        Outcome::List("runners", sd.runners.values().filter(|r| r.group_id == gid).map(runner_json).collect())
    } else if op.starts_with("list-self-hosted-runners-for") {
        let name = query.get("name");
        Outcome::List(
            "runners",
            sd.runners.values().filter(|r| name.is_none_or(|n| &r.name == n)).map(runner_json).collect(),
        )
    } else if op.starts_with("get-runner-version-deprecation") {
        let v = params.get("version").cloned().unwrap_or_default();
        let old = v.split('.').nth(1).and_then(|m| m.parse::<u32>().ok()).is_some_and(|m| m < 320);
        let date = |d: &str| if old { json!(d) } else { Value::Null };
        Outcome::Json(
            200,
            json!({"runner_version": v, "registration_deprecates_at": date("2026-08-01T00:00:00Z"),
                   "runtime_deprecates_at": date("2026-09-01T00:00:00Z")}),
        )
    } else if op.starts_with("list-runner-applications") {
        Outcome::Json(200, catalog::downloads())
    } else if op.starts_with("generate-runner-jitconfig") {
        let name = body.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        let labels = str_list(body, "labels");
        let gid = body.get("runner_group_id").and_then(Value::as_i64).unwrap_or(1);
        if name.trim().is_empty() {
            return Err(invalid("name", "missing_field", "Runner"));
        }
        check_labels(&labels, 1)?;
        if sd.runners.values().any(|r| r.name == name) {
            return Err(github_error(409, &format!("Already exists - A runner with the name {name} already exists.")));
        }
        if !matches!(scope, FakeScope::Repo(..)) && !sd.groups.contains_key(&gid) {
            return Err(invalid("runner_group_id", "invalid", "Runner"));
        }
        let mut labels_out = Vec::new();
        for (i, l) in labels.iter().enumerate() {
            labels_out.push(Label { id: next * 1000 + i as i64, name: l.clone(), custom: l != "self-hosted" });
        }
        let r = Runner {
            id: next,
            name,
            os: "linux".into(),
            status: "offline".into(),
            busy: false,
            labels: labels_out,
            group_id: gid,
            ephemeral: true,
        };
        let json_runner = runner_json(&r);
        sd.runners.insert(next, r);
        Outcome::Json(
            201,
            json!({"runner": json_runner, "encoded_jit_config": format!("ZmFrZS1qaXQtY29uZmlnLX{next:x}==")}),
        )
    } else if op.starts_with("create-registration-token") {
        Outcome::Json(201, token_json(format!("AABF3JGZDX3P5PMEXLND6TS6FCW{next:08}")))
    } else if op.starts_with("create-remove-token") {
        Outcome::Json(201, token_json(format!("AFFNEVY3EEWQ5WP2QCKQJ7LPC{next:08}")))
    } else if op.starts_with("get-self-hosted-runner-for") {
        let rid = runner(sd)?;
        Outcome::Json(200, runner_json(&sd.runners[&rid]))
    } else if op.starts_with("delete-self-hosted-runner-from") {
        let rid = runner(sd)?;
        if sd.runners[&rid].busy {
            return Err(invalid("runner", "busy", "Runner"));
        }
        sd.runners.remove(&rid);
        Outcome::Empty(204)
    } else if op.starts_with("list-labels-for-self-hosted-runner") {
        let rid = runner(sd)?;
        labels_response(&sd.runners[&rid])
    } else if op.starts_with("add-custom-labels-to-self-hosted-runner") || op.starts_with("set-custom-labels-for") {
        let rid = runner(sd)?;
        let labels = str_list(body, "labels");
        let set = op.starts_with("set-");
        check_labels(&labels, if set { 0 } else { 1 })?;
        let r = sd.runners.get_mut(&rid).ok_or_else(not_found)?;
        if set {
            r.labels.retain(|l| !l.custom);
        }
        for (i, l) in labels.iter().enumerate() {
            if !r.labels.iter().any(|x| &x.name == l) {
                r.labels.push(Label { id: next * 1000 + i as i64, name: l.clone(), custom: true });
            }
        }
        labels_response(r)
    } else if op.starts_with("remove-all-custom-labels-from-self-hosted-runner") {
        let rid = runner(sd)?;
        let r = sd.runners.get_mut(&rid).ok_or_else(not_found)?;
        r.labels.retain(|l| !l.custom);
        labels_response(r)
    } else if op.starts_with("remove-custom-label-from-self-hosted-runner") {
        let rid = runner(sd)?;
        let name = params.get("name").cloned().unwrap_or_default();
        let r = sd.runners.get_mut(&rid).ok_or_else(not_found)?;
        if !r.labels.iter().any(|l| l.custom && l.name == name) {
            return Err(not_found());
        }
        r.labels.retain(|l| l.name != name);
        labels_response(r)
    } else if op.starts_with("list-self-hosted-runner-groups") {
        let items = sd.groups.values().map(|g| group_json(base, &scope, g)).collect();
        Outcome::List("runner_groups", items)
    } else if op.starts_with("create-self-hosted-runner-group") {
        let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
        if name.trim().is_empty() {
            return Err(invalid("name", "missing_field", "RunnerGroup"));
        }
        if sd.groups.values().any(|g| g.fields.get("name") == Some(&json!(name))) {
            return Err(invalid("name", "already_exists", "RunnerGroup"));
        }
        let mut fields = Map::new();
        for k in [
            "name",
            "visibility",
            "allows_public_repositories",
            "restricted_to_workflows",
            "selected_workflows",
            "network_configuration_id",
        ] {
            if let Some(v) = body.get(k) {
                fields.insert(k.into(), v.clone());
            }
        }
        let mut members = int_list(body, "selected_repository_ids");
        members.extend(int_list(body, "selected_organization_ids"));
        for rid in int_list(body, "runners") {
            if let Some(r) = sd.runners.get_mut(&rid) {
                r.group_id = next;
            }
        }
        let g = Group { id: next, fields, members: members.into_iter().collect() };
        let out = group_json(base, &scope, &g);
        sd.groups.insert(next, g);
        Outcome::Json(201, out)
    } else if op.starts_with("get-self-hosted-runner-group") {
        let gid = group(sd)?;
        Outcome::Json(200, group_json(base, &scope, &sd.groups[&gid]))
    } else if op.starts_with("update-self-hosted-runner-group") {
        let gid = group(sd)?;
        let g = sd.groups.get_mut(&gid).ok_or_else(not_found)?;
        for (k, v) in body.as_object().into_iter().flatten() {
            g.fields.insert(k.clone(), v.clone());
        }
        Outcome::Json(200, group_json(base, &scope, g))
    } else if op.starts_with("delete-self-hosted-runner-group") {
        let gid = group(sd)?;
        if gid == 1 {
            return Err(invalid("runner_group_id", "invalid", "RunnerGroup"));
        }
        sd.groups.remove(&gid);
        for r in sd.runners.values_mut().filter(|r| r.group_id == gid) {
            r.group_id = 1;
        }
        Outcome::Empty(204)
    } else if op.starts_with("list-github-hosted-runners-in-group") {
        let gid = group(sd)?;
        Outcome::List("runners", sd.hosted.values().filter(|h| h["runner_group_id"] == gid).cloned().collect())
    } else if op.starts_with("list-repo-access-to-self-hosted-runner-group") {
        let gid = group(sd)?;
        Outcome::List(
            "repositories",
            sd.groups[&gid].members.iter().map(|id| catalog::minimal_repository(*id, &owner)).collect(),
        )
    } else if op.starts_with("list-org-access-to-self-hosted-runner-group") {
        let gid = group(sd)?;
        Outcome::List("organizations", sd.groups[&gid].members.iter().map(|id| catalog::organization(*id)).collect())
    } else if op.starts_with("set-repo-access") || op.starts_with("set-org-access") {
        let gid = group(sd)?;
        let mut ids = int_list(body, "selected_repository_ids");
        ids.extend(int_list(body, "selected_organization_ids"));
        sd.groups.get_mut(&gid).ok_or_else(not_found)?.members = ids.into_iter().collect();
        Outcome::Empty(204)
    } else if op.starts_with("add-repo-access") || op.starts_with("add-org-access") {
        let gid = group(sd)?;
        let member = id(params, "repository_id").or_else(|_| id(params, "org_id"))?;
        sd.groups.get_mut(&gid).ok_or_else(not_found)?.members.insert(member);
        Outcome::Empty(204)
    } else if op.starts_with("remove-repo-access") || op.starts_with("remove-org-access") {
        let gid = group(sd)?;
        let member = id(params, "repository_id").or_else(|_| id(params, "org_id"))?;
        sd.groups.get_mut(&gid).ok_or_else(not_found)?.members.remove(&member);
        Outcome::Empty(204)
    } else if op.starts_with("set-self-hosted-runners-in-group") {
        let gid = group(sd)?;
        let ids = int_list(body, "runners");
        if ids.iter().any(|r| !sd.runners.contains_key(r)) {
            return Err(not_found());
        }
        for r in sd.runners.values_mut() {
            if ids.contains(&r.id) {
                r.group_id = gid;
            } else if r.group_id == gid {
                r.group_id = 1;
            }
        }
        Outcome::Empty(204)
    } else if op.starts_with("add-self-hosted-runner-to-group")
        || op.starts_with("remove-self-hosted-runner-from-group")
    {
        let gid = group(sd)?;
        let rid = runner(sd)?;
        let to = if op.starts_with("add-") { gid } else { 1 };
        if let Some(r) = sd.runners.get_mut(&rid) {
            r.group_id = to;
        }
        Outcome::Empty(204)
    } else if op.starts_with("list-hosted-runners") {
        Outcome::List("runners", sd.hosted.values().cloned().collect())
    } else if op.starts_with("create-hosted-runner") {
        let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
        let ok = (1..=64).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !ok {
            return Err(invalid("name", "invalid", "HostedRunner"));
        }
        let h = hosted_json(next, body);
        sd.hosted.insert(next, h.clone());
        Outcome::Json(201, h)
    } else if op.starts_with("get-hosted-runners-github-owned-images") {
        let images = catalog::github_owned_images();
        Outcome::Json(200, json!({"total_count": images.len(), "images": images}))
    } else if op.starts_with("get-hosted-runners-partner-images") {
        let images = catalog::partner_images();
        Outcome::Json(200, json!({"total_count": images.len(), "images": images}))
    } else if op.starts_with("get-hosted-runners-limits") {
        let used = sd.hosted.values().filter(|h| h["public_ip_enabled"] == true).count();
        Outcome::Json(200, catalog::limits(used))
    } else if op.starts_with("get-hosted-runners-machine-specs") {
        let specs = catalog::machine_specs();
        Outcome::Json(200, json!({"total_count": specs.len(), "machine_specs": specs}))
    } else if op.starts_with("get-hosted-runners-platforms") {
        let p = catalog::platforms();
        Outcome::Json(200, json!({"total_count": p.len(), "platforms": p}))
    } else if op.starts_with("get-hosted-runner-for")
        || op.starts_with("update-hosted-runner")
        || op.starts_with("delete-hosted-runner")
    {
        let hid = id(params, "hosted_runner_id")?;
        let h = sd.hosted.get_mut(&hid).ok_or_else(not_found)?;
        if op.starts_with("update-") {
            for k in ["name", "runner_group_id", "maximum_runners"] {
                if let Some(v) = body.get(k) {
                    h[k] = v.clone();
                }
            }
            if let Some(v) = body.get("enable_static_ip") {
                h["public_ip_enabled"] = v.clone();
            }
            if let Some(size) = body.get("size").and_then(Value::as_str)
                && let Some(m) = catalog::machine_specs().into_iter().find(|m| m["id"] == size)
            {
                h["machine_size_details"] = m;
            }
            if let Some(image) = body.get("image_id") {
                h["image_details"]["id"] = image.clone();
            }
            Outcome::Json(200, h.clone())
        } else if op.starts_with("delete-") {
            let mut gone = sd.hosted.remove(&hid).unwrap_or(Value::Null);
            gone["status"] = json!("Deleting");
            Outcome::Json(202, gone)
        } else {
            Outcome::Json(200, h.clone())
        }
    } else if op.starts_with("list-custom-images") {
        let images: Vec<Value> = sd.custom_images.values().map(|(i, _)| i.clone()).collect();
        Outcome::Json(200, json!({"total_count": images.len(), "images": images}))
    } else if op.starts_with("list-custom-image-versions") {
        let iid = id(params, "image_definition_id")?;
        let (_, versions) = sd.custom_images.get(&iid).ok_or_else(not_found)?;
        let v: Vec<Value> = versions.values().cloned().collect();
        Outcome::Json(200, json!({"total_count": v.len(), "image_versions": v}))
    } else if op.starts_with("get-custom-image-version") || op.starts_with("delete-custom-image-version") {
        let iid = id(params, "image_definition_id")?;
        let version = params.get("version").cloned().unwrap_or_default();
        let (_, versions) = sd.custom_images.get_mut(&iid).ok_or_else(not_found)?;
        if op.starts_with("delete-") {
            versions.remove(&version).ok_or_else(not_found)?;
            Outcome::Empty(204)
        } else {
            Outcome::Json(200, versions.get(&version).cloned().ok_or_else(not_found)?)
        }
    } else if op.starts_with("get-custom-image") || op.starts_with("delete-custom-image") {
        let iid = id(params, "image_definition_id")?;
        if op.starts_with("delete-") {
            sd.custom_images.remove(&iid).ok_or_else(not_found)?;
            Outcome::Empty(204)
        } else {
            Outcome::Json(200, sd.custom_images.get(&iid).ok_or_else(not_found)?.0.clone())
        }
    } else if op.starts_with("list-network-configurations") {
        Outcome::List("network_configurations", sd.networks.values().cloned().collect())
    } else if op.starts_with("create-network-configuration") {
        let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
        if name.trim().is_empty() || str_list(body, "network_settings_ids").is_empty() {
            return Err(invalid("network_settings_ids", "missing_field", "NetworkConfiguration"));
        }
        let nid = format!("{next:X}F2A8B8C9D1E");
        let n = json!({"id": nid, "name": name, "compute_service": body.get("compute_service").cloned().unwrap_or(json!("none")),
            "network_settings_ids": body.get("network_settings_ids").cloned().unwrap_or(json!([])),
            "created_on": "2026-11-21T00:00:00Z"});
        sd.networks.insert(nid, n.clone());
        Outcome::Json(201, n)
    } else if op.starts_with("get-network-configuration")
        || op.starts_with("update-network-configuration")
        || op.starts_with("delete-network-configuration")
    {
        let nid = params.get("network_configuration_id").cloned().unwrap_or_default();
        if op.starts_with("delete-") {
            sd.networks.remove(&nid).ok_or_else(not_found)?;
            return Ok(Outcome::Empty(204));
        }
        let n = sd.networks.get_mut(&nid).ok_or_else(not_found)?;
        if op.starts_with("update-") {
            for (k, v) in body.as_object().into_iter().flatten() {
                n[k] = v.clone();
            }
        }
        Outcome::Json(200, n.clone())
    } else if op == "get-self-hosted-runners-permissions-organization" {
        let mut v = json!({"enabled_repositories": sd.enabled_repositories});
        if sd.enabled_repositories == "selected" {
            v["selected_repositories_url"] =
                json!(format!("{base}{}/actions/permissions/self-hosted-runners/repositories", scope.api_path()));
        }
        Outcome::Json(200, v)
    } else if op == "set-self-hosted-runners-permissions-organization" {
        let v = body.get("enabled_repositories").and_then(Value::as_str).unwrap_or_default();
        if !["all", "selected", "none"].contains(&v) {
            return Err(invalid("enabled_repositories", "invalid", "ActionsPermissions"));
        }
        sd.enabled_repositories = v.to_string();
        Outcome::Empty(204)
    } else if op.starts_with("list-selected-repositories-self-hosted-runners") {
        Outcome::List(
            "repositories",
            sd.selected_repositories.iter().map(|id| catalog::repository(*id, &owner)).collect(),
        )
    } else if op.starts_with("set-selected-repositories-self-hosted-runners") {
        sd.selected_repositories = int_list(body, "selected_repository_ids").into_iter().collect();
        Outcome::Empty(204)
    } else if op.starts_with("enable-selected-repository-self-hosted-runners") {
        sd.selected_repositories.insert(id(params, "repository_id")?);
        Outcome::Empty(204)
    } else if op.starts_with("disable-selected-repository-self-hosted-runners") {
        sd.selected_repositories.remove(&id(params, "repository_id")?);
        Outcome::Empty(204)
    } else if op == "get-self-hosted-runners-permissions" {
        Outcome::Json(200, json!({"disable_self_hosted_runners_for_all_orgs": sd.disable_for_all_orgs}))
    } else if op == "set-self-hosted-runners-permissions" {
        let v = body.get("disable_self_hosted_runners_for_all_orgs").and_then(Value::as_bool);
        sd.disable_for_all_orgs =
            v.ok_or_else(|| invalid("disable_self_hosted_runners_for_all_orgs", "missing_field", "Enterprise"))?;
        Outcome::Empty(204)
    } else {
        return Err(github_error(501, &format!("the fake does not implement {operation}")));
    };
    Ok(out)
}

impl FakeGitHub {
    /// A fake seeded with a demo fleet: organization `octo-org` with 36
    /// self-hosted runners across three groups (some offline, some busy), two
    /// GitHub-hosted runners and a network configuration; repository
    /// `octo-org/octo-repo` with 3 runners; enterprise `octo-ent` with 4.
    pub async fn demo() -> FakeGitHub {
        let org = FakeScope::org("octo-org");
        let mut b = FakeGitHub::builder()
            .org("octo-org")
            .runner_group(org.clone(), 2, "gpu")
            .runner_group(org.clone(), 3, "arm64")
            .hosted_runner(org.clone(), 9001, "ubuntu-4core")
            .hosted_runner(org.clone(), 9002, "ubuntu-8core")
            .network_configuration(org.clone(), "B7E6C3D2A1F0", "private-vnet");
        let mut id = 100;
        let mut add = |b: FakeGitHubBuilder, scope: &FakeScope, runner: FakeRunner| {
            id += 1;
            b.runner(scope.clone(), runner.id(id))
        };
        for i in 1..=20 {
            let mut r = FakeRunner::new(format!("ci-linux-{i:02}")).labels(["docker"]);
            r = match i % 5 {
                0 => r,            // offline
                1 | 2 => r.busy(), // running a job
                _ => r.online(),   // idle
            };
            b = add(b, &org, r);
        }
        for i in 1..=8 {
            let r = FakeRunner::new(format!("gpu-a100-{i:02}")).labels(["gpu", "a100"]).group(2);
            b = add(b, &org, if i <= 5 { r.busy() } else { r });
        }
        for i in 1..=8 {
            let r = FakeRunner::new(format!("mac-m2-{i:02}")).os("macos").labels(["arm64"]).group(3);
            b = add(b, &org, if i % 3 == 0 { r } else { r.online() });
        }
        let repo = FakeScope::repo("octo-org", "octo-repo");
        for i in 1..=3 {
            b = add(b, &repo, FakeRunner::new(format!("repo-runner-{i}")).online());
        }
        let ent = FakeScope::enterprise("octo-ent");
        for i in 1..=4 {
            let r = FakeRunner::new(format!("ent-runner-{i}")).os("windows");
            b = add(b, &ent, if i == 4 { r } else { r.online() });
        }
        b.start().await
    }
}
