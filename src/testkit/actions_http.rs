//! The HTTP side of the fake Actions service (its own loopback port) and
//! runner registration on the fake GitHub.

use super::actions::{JobState, Session, create_scale_set, scale_set_json, service_error};
use super::server::{Fault, LoggedRequest, Shared, announce, complete, reset};
use super::state::FakeScope;
use crate::types::JobConclusion;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Response, Uri};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How often a long poll looks at its queue.
const POLL_STEP: Duration = Duration::from_millis(10);

fn lock(shared: &Arc<Mutex<Shared>>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|p| p.into_inner())
}

fn respond(status: u16, body: Option<Value>) -> Response<Body> {
    let builder = Response::builder().status(status);
    match body {
        Some(v) => builder
            .header("content-type", "application/json; charset=utf-8")
            .body(Body::from(v.to_string()))
            .unwrap_or_default(),
        None => builder.body(Body::empty()).unwrap_or_default(),
    }
}

fn error(status: u16, type_name: &str, message: &str) -> Response<Body> {
    respond(status, Some(service_error(type_name, message)))
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string()
}

/// `POST /actions/runner-registration` on the fake GitHub: a registration
/// token of the scope named by `url` (`RemoteAuth`) for the Actions
/// service's URL and an admin token.
pub(crate) fn register(shared: &Arc<Mutex<Shared>>, headers: &HeaderMap, body: &Bytes) -> Response<Body> {
    let mut s = lock(shared);
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("RemoteAuth "))
        .unwrap_or_default()
        .to_string();
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if body["runner_event"] != "register" {
        return respond(400, Some(json!({"message": "runner_event must be register"})));
    }
    let base = s.base_url.clone();
    let Some(path) = body["url"].as_str().and_then(|u| u.strip_prefix(&base)).map(|p| p.trim_matches('/').to_string())
    else {
        return respond(404, Some(json!({"message": "Not Found: the url is not of this GitHub"})));
    };
    let parts: Vec<&str> = path.split('/').collect();
    let scope = match parts.as_slice() {
        ["enterprises", e] => FakeScope::enterprise(*e),
        [o] => FakeScope::org(*o),
        [o, r] => FakeScope::repo(*o, *r),
        _ => return respond(404, Some(json!({"message": "Not Found"}))),
    };
    if token.is_empty() || !s.data.scopes.get(&scope).is_some_and(|d| d.registration_tokens.contains(&token)) {
        return respond(401, Some(json!({"message": "Bad credentials"})));
    }
    let tenant = match s.data.service.tenants.iter().find(|(_, sc)| **sc == scope) {
        Some((t, _)) => t.clone(),
        None => {
            let t = format!("tenant-{}", s.data.service.tenants.len() + 1);
            s.data.service.tenants.insert(t.clone(), scope);
            t
        }
    };
    let ttl = s.admin_token_ttl;
    let admin = s.data.service.issue_admin(&tenant, ttl);
    let url = format!("{}/{tenant}", s.actions_base);
    respond(201, Some(json!({"url": url, "token": admin})))
}

/// Answers one request to the fake Actions service.
pub(crate) async fn handle(
    shared: Arc<Mutex<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let (index, fault) = {
        let mut s = lock(&shared);
        s.actions_requests.push(LoggedRequest::of(&method, &uri, &headers, &body));
        (s.actions_requests.len() - 1, s.actions_faults.pop_front())
    };
    let response = match fault {
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            answer(&shared, &method, &uri, &headers, &body).await
        }
        Some(Fault::Status(code)) => error(code, "InjectedFault", "injected fault"),
        Some(Fault::StatusWithHeaders(code, extra)) => {
            let mut r = error(code, "InjectedFault", "injected fault");
            for (k, v) in extra {
                if let (Ok(k), Ok(v)) =
                    (axum::http::HeaderName::from_bytes(k.as_bytes()), axum::http::HeaderValue::from_str(&v))
                {
                    r.headers_mut().insert(k, v);
                }
            }
            r
        }
        Some(Fault::Reset) => reset(),
        Some(Fault::LoseAnswer) => {
            drop(answer(&shared, &method, &uri, &headers, &body).await);
            reset()
        }
        None => answer(&shared, &method, &uri, &headers, &body).await,
    };
    if let Some(r) = lock(&shared).actions_requests.get_mut(index) {
        r.answered = Some(Instant::now());
    }
    response
}

async fn answer(
    shared: &Arc<Mutex<Shared>>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response<Body> {
    let token = bearer(headers);
    {
        let mut s = lock(shared);
        // Whatever the scheme: the whole header is searched.
        let auth = headers.get("authorization").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let auth = auth.unwrap_or_default();
        let github =
            !s.token.is_empty() && auth.contains(&s.token) || s.issued.iter().any(|t| auth.contains(t.as_str()));
        if github {
            let what = format!("{method} {}: the GitHub token was sent to the Actions service", uri.path());
            s.data.service.violations.push(what);
            return error(401, "UnauthorizedException", "not a token of this service");
        }
        if uri.path().starts_with("/queue/") && s.data.service.admin_tokens.contains_key(&token) {
            let what = format!("{method} {}: the admin token was sent to the message queue", uri.path());
            s.data.service.violations.push(what);
        }
    }
    let query: BTreeMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    let segments: Vec<String> = uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    if let ["queue", session, rest @ ..] = segs.as_slice() {
        return queue(shared, method, headers, &token, session, rest, &query).await;
    }
    let Some((tenant, rest)) = segs.split_first() else { return error(404, "NotFound", "no route") };
    if query.get("api-version").map(String::as_str) != Some("6.0-preview") {
        return error(400, "VssInvalidPreviewVersionException", "api-version=6.0-preview is required");
    }
    if let ["_apis", "runtime", "runnerscalesets", id, "acquirejobs"] = rest {
        return acquire(shared, tenant, id, &token, body);
    }
    let body: Value = if body.is_empty() { Value::Null } else { serde_json::from_slice(body).unwrap_or(Value::Null) };
    let mut s = lock(shared);
    match s.data.service.admin_tokens.get(&token) {
        Some((t, exp)) if t == tenant && *exp > chrono::Utc::now() => {}
        Some(_) => return error(401, "UnauthorizedException", "the admin token expired or is of another tenant"),
        None => return error(401, "UnauthorizedException", "no admin token"),
    }
    let scope = s.data.service.tenants.get(*tenant).cloned();
    let Some(scope) = scope else { return error(404, "TenantNotFound", "no such tenant") };
    let m = method.as_str();
    match (m, rest) {
        ("GET", ["_apis", "runtime", "runnergroups", ""]) => {
            let name = query.get("groupName").cloned().unwrap_or_default();
            let groups: Vec<Value> = match s.data.scopes.get(&scope) {
                _ if matches!(scope, FakeScope::Repo(..)) && name.eq_ignore_ascii_case("Default") => {
                    vec![json!({"id": 1, "name": "Default", "isDefaultGroup": true})]
                }
                Some(d) => d
                    .groups
                    .values()
                    .filter(|g| {
                        g.fields.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(&name))
                    })
                    .map(|g| json!({"id": g.id, "name": g.fields["name"], "isDefaultGroup": g.id == 1}))
                    .collect(),
                None => Vec::new(),
            };
            respond(200, Some(json!({"count": groups.len(), "value": groups})))
        }
        ("GET", ["_apis", "runtime", "runnerscalesets"]) => {
            let name = query.get("name").cloned().unwrap_or_default();
            let group: Option<i64> = query.get("runnerGroupId").and_then(|g| g.parse().ok());
            let found: Vec<Value> = s
                .data
                .service
                .scale_sets
                .values()
                .filter(|x| x.tenant == *tenant && x.name.eq_ignore_ascii_case(&name) && Some(x.group_id) == group)
                .map(|x| scale_set_json(x, s.data.service.statistics(&s.data, x.id)))
                .collect();
            respond(200, Some(json!({"count": found.len(), "value": found})))
        }
        ("POST", ["_apis", "runtime", "runnerscalesets"]) => match create_scale_set(&mut s.data, tenant, &body) {
            Ok(v) => respond(200, Some(v)),
            Err((code, v)) => respond(code, Some(v)),
        },
        (_, ["_apis", "runtime", "runnerscalesets", id, more @ ..]) => {
            let Some(id) = id
                .parse::<i64>()
                .ok()
                .filter(|id| s.data.service.scale_sets.get(id).is_some_and(|x| x.tenant == *tenant))
            else {
                return error(404, "RunnerScaleSetNotFoundException", "no such scale set");
            };
            scale_set(shared, s, m, id, more, &body)
        }
        ("GET", ["_apis", "distributedtask", "pools", "0", "agents"]) => {
            let name = query.get("agentName").cloned().unwrap_or_default();
            let found: Vec<Value> = s
                .data
                .scopes
                .get(&scope)
                .into_iter()
                .flat_map(|d| d.runners.values())
                .filter(|r| r.name == name)
                .map(|r| json!({"id": r.id, "name": r.name, "runnerScaleSetId": s.data.service.runners.get(&r.id)}))
                .collect();
            respond(200, Some(json!({"count": found.len(), "value": found})))
        }
        (_, ["_apis", "distributedtask", "pools", "0", "agents", id]) => {
            let id: i64 = id.parse().unwrap_or(-1);
            let runner = s.data.scopes.get(&scope).and_then(|d| d.runners.get(&id)).cloned();
            let Some(runner) = runner else { return error(404, "AgentNotFoundException", "no such runner") };
            match m {
                "GET" => respond(
                    200,
                    Some(
                        json!({"id": runner.id, "name": runner.name, "runnerScaleSetId": s.data.service.runners.get(&id)}),
                    ),
                ),
                "DELETE" if runner.busy => error(400, "JobStillRunningException", "the runner is running a job"),
                "DELETE" => {
                    if let Some(d) = s.data.scopes.get_mut(&scope) {
                        d.runners.remove(&id);
                    }
                    s.data.service.runners.remove(&id);
                    respond(204, None)
                }
                _ => error(405, "MethodNotAllowed", "method not allowed"),
            }
        }
        _ => error(404, "NotFound", "no such route"),
    }
}

/// The operations on one scale set (admin token).
fn scale_set(
    shared: &Arc<Mutex<Shared>>,
    mut s: MutexGuard<'_, Shared>,
    m: &str,
    id: i64,
    more: &[&str],
    body: &Value,
) -> Response<Body> {
    match (m, more) {
        ("GET", []) => {
            let stats = s.data.service.statistics(&s.data, id);
            respond(200, Some(scale_set_json(&s.data.service.scale_sets[&id], stats)))
        }
        ("PATCH", []) => {
            let stats = s.data.service.statistics(&s.data, id);
            let Some(set) = s.data.service.scale_sets.get_mut(&id) else {
                return error(404, "RunnerScaleSetNotFoundException", "gone");
            };
            if let Some(name) = body["name"].as_str().filter(|n| !n.trim().is_empty()) {
                set.name = name.to_string();
            }
            if let Some(g) = body["runnerGroupId"].as_i64() {
                set.group_id = g;
            }
            if let Some(l) = body.get("labels").filter(|l| l.is_array()) {
                set.labels = l.clone();
            }
            if let Some(r) = body.get("RunnerSetting").filter(|r| r.is_object()) {
                set.runner_setting = r.clone();
            }
            respond(200, Some(scale_set_json(set, stats)))
        }
        ("DELETE", []) => {
            if let Some(set) = s.data.service.scale_sets.remove(&id) {
                s.data.service.sessions.retain(|_, x| x.scale_set_id != id);
                for job in set.jobs.keys() {
                    s.data.service.held.remove(job);
                }
            }
            respond(204, None)
        }
        ("POST", ["generatejitconfig"]) => {
            let name = body["name"].as_str().unwrap_or_default().to_string();
            if name.trim().is_empty() {
                return error(400, "ArgumentException", "name is required");
            }
            match s.data.scale_set_jit(id, &name) {
                Ok(v) => respond(200, Some(v)),
                Err((code, t, msg)) => error(code, t, &msg),
            }
        }
        ("POST", ["sessions"]) => {
            // A session its holder stopped using (a crashed listener) ends
            // after the session timeout, as the service ends it.
            let timeout = s.session_timeout;
            if let Some(held) = s.data.service.scale_sets[&id].session.clone()
                && s.data.service.sessions.get(&held).is_some_and(|x| x.last_seen.elapsed() >= timeout)
            {
                end_session(&mut s, &held);
            }
            if let Some(held) = s.data.service.scale_sets[&id].session.clone() {
                let owner = s.data.service.sessions.get(&held).map(|x| x.owner.clone()).unwrap_or_default();
                let msg = format!("The scale set already has an active session for owner {owner}.");
                return error(409, "RunnerScaleSetSessionConflictException", &msg);
            }
            let owner = body["ownerName"].as_str().unwrap_or_default().to_string();
            let session_id = format!(
                "{:08x}-{:04x}-4000-8000-{:012x}",
                fastrand::u32(..),
                fastrand::u16(..),
                fastrand::u64(..) & 0xffff_ffff_ffff
            );
            let token = new_queue_token(&mut s, &session_id);
            if let Some(set) = s.data.service.scale_sets.get_mut(&id) {
                set.session = Some(session_id.clone());
            }
            s.data.service.sessions.insert(
                session_id.clone(),
                Session { scale_set_id: id, owner: owner.clone(), queue_token: token, last_seen: Instant::now() },
            );
            let v = session_json(&s, &session_id);
            drop(s);
            let _ = shared;
            respond(200, Some(v))
        }
        ("PATCH", ["sessions", sid]) | ("DELETE", ["sessions", sid]) => {
            if s.data.service.sessions.get(*sid).is_none_or(|x| x.scale_set_id != id) {
                return error(404, "RunnerScaleSetSessionNotFoundException", "no such session");
            }
            if m == "DELETE" {
                end_session(&mut s, sid);
                return respond(204, None);
            }
            let old = s.data.service.sessions[*sid].queue_token.clone();
            s.data.service.queue_tokens.remove(&old);
            let token = new_queue_token(&mut s, sid);
            if let Some(x) = s.data.service.sessions.get_mut(*sid) {
                x.queue_token = token;
                x.last_seen = Instant::now();
            }
            respond(200, Some(session_json(&s, sid)))
        }
        _ => error(404, "NotFound", "no such route"),
    }
}

fn new_queue_token(s: &mut Shared, session_id: &str) -> String {
    let token = format!("queue-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    s.data.service.ever_issued.insert(token.clone());
    s.data.service.queue_tokens.insert(token.clone(), session_id.to_string());
    token
}

/// Ends session `sid`: its tokens stop working and its scale set is free.
pub(crate) fn end_session(s: &mut Shared, sid: &str) {
    if let Some(x) = s.data.service.sessions.remove(sid) {
        s.data.service.queue_tokens.retain(|_, v| v != sid);
        if let Some(set) = s.data.service.scale_sets.get_mut(&x.scale_set_id) {
            set.session = None;
        }
    }
}

fn session_json(s: &Shared, sid: &str) -> Value {
    let x = &s.data.service.sessions[sid];
    let set = &s.data.service.scale_sets[&x.scale_set_id];
    let stats = s.data.service.statistics(&s.data, x.scale_set_id);
    json!({
        "sessionId": sid, "ownerName": x.owner,
        "runnerScaleSet": scale_set_json(set, stats.clone()),
        "messageQueueUrl": format!("{}/queue/{sid}", s.actions_base),
        "messageQueueAccessToken": x.queue_token,
        "statistics": stats,
    })
}

/// The session a queue token is of, if it is valid for `session`.
fn queue_session(s: &mut Shared, token: &str, session: &str) -> Result<i64, Box<Response<Body>>> {
    if s.data.service.queue_tokens.get(token).map(String::as_str) != Some(session)
        && s.data.service.sessions.contains_key(session)
    {
        return Err(Box::new(error(401, "UnauthorizedException", "the message queue token expired")));
    }
    let Some(x) = s.data.service.sessions.get_mut(session) else {
        return Err(Box::new(error(404, "RunnerScaleSetSessionNotFoundException", "no such session")));
    };
    x.last_seen = Instant::now();
    Ok(x.scale_set_id)
}

/// `acquirejobs` (queue token).
fn acquire(shared: &Arc<Mutex<Shared>>, tenant: &str, id: &str, token: &str, body: &Bytes) -> Response<Body> {
    let mut s = lock(shared);
    let Some(session) = s.data.service.queue_tokens.get(token).cloned() else {
        return error(401, "UnauthorizedException", "the message queue token expired");
    };
    if let Some(x) = s.data.service.sessions.get_mut(&session) {
        x.last_seen = Instant::now();
    }
    let set_id: i64 = id.parse().unwrap_or(-1);
    if s.data.service.sessions.get(&session).is_none_or(|x| x.scale_set_id != set_id)
        || s.data.service.scale_sets.get(&set_id).is_none_or(|x| x.tenant != tenant)
    {
        return error(404, "RunnerScaleSetNotFoundException", "no such scale set for this session");
    }
    let ids: Vec<i64> = serde_json::from_slice(body).unwrap_or_default();
    let acquired = s.data.acquire(set_id, &ids);
    let changes = s.data.assign();
    announce(shared, &mut s, changes);
    if let Some(after) = s.requeue_after {
        for job in &acquired {
            let round = s.data.service.scale_sets[&set_id].jobs.get(job).map_or(0, |j| j.round);
            let (shared, job) = (shared.clone(), *job);
            s.runtime.spawn(async move {
                tokio::time::sleep(after).await;
                let end = lock(&shared).data.requeue(set_id, job, round);
                if end {
                    complete(&shared, job, &JobConclusion::Cancelled);
                }
            });
        }
    }
    respond(200, Some(json!({"count": acquired.len(), "value": acquired})))
}

/// The message queue: the long poll and the acknowledgement.
async fn queue(
    shared: &Arc<Mutex<Shared>>,
    method: &Method,
    headers: &HeaderMap,
    token: &str,
    session: &str,
    rest: &[&str],
    query: &BTreeMap<String, String>,
) -> Response<Body> {
    match (method.as_str(), rest) {
        ("DELETE", [message]) => {
            let mut s = lock(shared);
            let set_id = match queue_session(&mut s, token, session) {
                Ok(id) => id,
                Err(r) => return *r,
            };
            let id: i64 = message.parse().unwrap_or(-1);
            let removed = s.data.service.scale_sets.get_mut(&set_id).and_then(|set| {
                set.delivered.remove(&id);
                set.queue.remove(&id)
            });
            match removed {
                Some(_) => respond(204, None),
                None => error(404, "MessageNotFoundException", "no such message"),
            }
        }
        ("GET", []) => {
            let accept = headers.get("accept").and_then(|v| v.to_str().ok()).unwrap_or_default();
            if !accept.contains("api-version=6.0-preview") {
                return error(400, "VssInvalidPreviewVersionException", "Accept must name api-version=6.0-preview");
            }
            let Some(capacity) = headers
                .get("x-scalesetmaxcapacity")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|c| *c >= 0)
            else {
                return error(400, "ArgumentException", "X-ScaleSetMaxCapacity is required");
            };
            let last: i64 = query.get("lastMessageId").and_then(|v| v.parse().ok()).unwrap_or(0);
            let started = Instant::now();
            loop {
                {
                    let mut s = lock(shared);
                    let set_id = match queue_session(&mut s, token, session) {
                        Ok(id) => id,
                        Err(r) => return *r,
                    };
                    let wait = s.poll_wait;
                    if let Some(set) = s.data.service.scale_sets.get_mut(&set_id) {
                        set.max_capacity = capacity;
                    }
                    let next = s.data.service.scale_sets[&set_id]
                        .queue
                        .range(last + 1..)
                        .next()
                        .map(|(id, jobs)| (*id, jobs.clone()));
                    if let Some((id, jobs)) = next {
                        if let Some(set) = s.data.service.scale_sets.get_mut(&set_id) {
                            set.delivered.insert(id);
                        }
                        let stats = s.data.service.statistics(&s.data, set_id);
                        let body = Value::Array(jobs).to_string();
                        return respond(
                            200,
                            Some(
                                json!({"messageId": id, "messageType": "RunnerScaleSetJobMessages", "body": body, "statistics": stats}),
                            ),
                        );
                    }
                    if started.elapsed() >= wait {
                        return respond(202, None);
                    }
                }
                tokio::time::sleep(POLL_STEP).await;
            }
        }
        _ => error(404, "NotFound", "no such route"),
    }
}

/// The states of a scale set's jobs (for tests): (job id, state, requeues).
pub(crate) fn jobs_of(s: &Shared, set_id: i64) -> Vec<(i64, &'static str, u32)> {
    s.data
        .service
        .scale_sets
        .get(&set_id)
        .map(|set| {
            set.jobs
                .iter()
                .map(|(id, j)| {
                    let state = match j.state {
                        JobState::Available => "available",
                        JobState::Acquired => "acquired",
                        JobState::Running => "running",
                    };
                    (*id, state, j.requeues)
                })
                .collect()
        })
        .unwrap_or_default()
}
