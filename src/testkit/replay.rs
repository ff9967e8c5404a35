//! [`Replayer`]: a loopback server that answers with recorded exchanges,
//! each only if the request matches the recorded one.

use crate::record::Exchange;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Response, Uri};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

struct State {
    expected: VecDeque<Exchange>,
    served: usize,
    mismatches: Vec<String>,
}

/// Serves recorded exchanges in order. A request that differs from the next
/// recorded one (method, path, query or JSON body) gets a 418 and is
/// reported by [`Replayer::finish`] with a readable diff.
pub struct Replayer {
    base_url: String,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Replayer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Replayer {
    /// Starts serving `exchanges` on 127.0.0.1.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start(exchanges: Vec<Exchange>) -> Replayer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port for Replayer");
        let base_url = format!("http://{}", listener.local_addr().expect("local address"));
        let state = Arc::new(Mutex::new(State { expected: exchanges.into(), served: 0, mismatches: Vec::new() }));
        let shared = state.clone();
        let app = axum::Router::new().fallback(move |method: Method, uri: Uri, _h: HeaderMap, body: Bytes| {
            let shared = shared.clone();
            async move { answer(&shared, &method, &uri, &body) }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Replayer { base_url, state, task }
    }

    /// The base URL to point a client at.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `Ok` if every recorded exchange was requested, in order, exactly as
    /// recorded; otherwise every difference.
    pub fn finish(&self) -> Result<usize, String> {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut problems = s.mismatches.clone();
        if !s.expected.is_empty() {
            problems.push(format!(
                "{} recorded exchange(s) were never requested, starting with {} {} ({})",
                s.expected.len(),
                s.expected[0].request.method,
                s.expected[0].request.path,
                s.expected[0].operation
            ));
        }
        if problems.is_empty() { Ok(s.served) } else { Err(problems.join("\n")) }
    }
}

fn answer(state: &Mutex<State>, method: &Method, uri: &Uri, body: &[u8]) -> Response<Body> {
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    let got_body: Option<Value> = if body.is_empty() { None } else { serde_json::from_slice(body).ok() };
    let got_query = uri.query().unwrap_or_default();
    let Some(next) = s.expected.front().cloned() else {
        s.mismatches.push(format!("unexpected extra request {method} {uri}"));
        return Response::builder()
            .status(418)
            .body(Body::from("{\"message\":\"replay: no more exchanges\"}"))
            .unwrap_or_default();
    };
    let n = s.served + 1;
    let mut diff = Vec::new();
    let want = &next.request;
    if want.method != method.as_str() {
        diff.push(format!("  method: recorded {}, sent {method}", want.method));
    }
    if want.path != uri.path() {
        diff.push(format!("  path:   recorded {}\n          sent     {}", want.path, uri.path()));
    }
    if want.query != got_query {
        diff.push(format!("  query:  recorded `{}`, sent `{got_query}`", want.query));
    }
    if want.body != got_body {
        let show = |b: &Option<Value>| b.as_ref().map_or("(none)".to_string(), Value::to_string);
        diff.push(format!("  body:   recorded {}\n          sent     {}", show(&want.body), show(&got_body)));
    }
    if !diff.is_empty() {
        s.mismatches.push(format!("exchange {n} ({}) does not match:\n{}", next.operation, diff.join("\n")));
        s.expected.pop_front();
        return Response::builder()
            .status(418)
            .body(Body::from("{\"message\":\"replay mismatch\"}"))
            .unwrap_or_default();
    }
    s.expected.pop_front();
    s.served += 1;
    let mut resp = Response::builder().status(next.response.status);
    for (k, v) in &next.response.headers {
        resp = resp.header(k.as_str(), v.as_str());
    }
    let body = next.response.body.map(|b| b.to_string()).unwrap_or_default();
    resp.body(Body::from(body)).unwrap_or_default()
}
