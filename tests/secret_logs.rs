//! No secret reaches an error's `Display`, `Debug` or the TRACE-level logs
//! when a secret-bearing response fails to decode. Alone in its binary: a
//! thread's tracing subscriber must not race other tests' callsites.

mod support;

use gha_runners::transport::VirtualClock;
use gha_runners::types::JitConfigRequest;
use gha_runners::{Client, Error};
use serde_json::{Value, json};
use support::logs::Buffer;
use support::loopback::{Loopback, Reply, Step};

const TOKEN: &str = "ghp_hostileSecret";

fn doc(id: &str) -> Value {
    support::spec::doc_fixture(id)
}

/// Each secret-bearing response shape, broken in each way that makes it
/// fail to decode, with a distinctive secret seeded in every secret field.
fn broken_secret_bodies(secret: &str) -> Vec<(&'static str, Value)> {
    let token = doc("actions/create-registration-token-for-org.201.default");
    let jit = doc("actions/generate-runner-jitconfig-for-org.201.default");
    let downloads = doc("actions/list-runner-applications-for-org.200.default");
    let mut out = Vec::new();
    for (field, base) in [("token", token.clone()), ("encoded_jit_config", jit.clone())] {
        let mut v = base.clone();
        v[field] = json!(secret);
        if field == "token" {
            let mut bad_date = v.clone();
            bad_date["expires_at"] = json!("not a date");
            out.push(("bad expires_at", bad_date));
        }
        if field == "encoded_jit_config" {
            let mut bad_runner = v.clone();
            bad_runner["runner"] = json!("not an object");
            out.push(("bad runner", bad_runner));
        }
        let mut secret_wrong_type = base.clone();
        secret_wrong_type[field] = json!([secret]);
        out.push(("secret of the wrong type", secret_wrong_type));
    }
    let mut d = downloads.clone();
    d[0]["temp_download_token"] = json!(secret);
    d[0]["os"] = json!(7);
    out.push(("download with a bad os", d));
    // The repository objects of an installation token carry a clone token.
    let mut t = token.clone();
    t["token"] = json!(secret);
    t["repositories"] = json!([{"id": "x", "temp_clone_token": secret}]);
    out.push(("repository with a clone token", t));
    out
}

#[tokio::test]
async fn no_secret_reaches_display_debug_or_trace_logs_of_a_decode_error() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Dependencies (reqwest, hyper-util, rustls) log through `log`: forward it.
    tracing_log::LogTracer::init().expect("the only logger of this test binary");
    let secret = "SEKRET-ZX9Q-distinctive";
    let cases = broken_secret_bodies(secret);
    let mut steps = Vec::new();
    for (_, body) in &cases {
        steps.push(Step::Reply(Reply::json(if body.is_array() { 200 } else { 201 }, body)));
    }
    let server = Loopback::script(steps).await;
    let c = Client::builder().base_url(&server.base_url).token(TOKEN).clock(VirtualClock::new()).build().unwrap();
    for (what, body) in &cases {
        let runners = c.org("o").runners();
        let err = if body.get("encoded_jit_config").is_some() {
            runners.jit_config(&JitConfigRequest::new("r", ["self-hosted"])).await.map(drop)
        } else if body.is_array() {
            runners.downloads().await.map(drop)
        } else {
            runners.registration_token().await.map(drop)
        }
        .expect_err(what);
        assert!(matches!(err, Error::Decode { .. }), "{what}: {err:?}");
        for shown in [err.to_string(), format!("{err:?}"), format!("{:#}", err)] {
            assert!(!shown.contains(secret), "{what}: {shown}");
            assert!(!shown.contains("SEKRET"), "{what}: {shown}");
        }
        if let Error::Decode { body: shown, .. } = &err {
            assert!(shown.contains("[redacted]") || shown.contains("withheld"), "{what}: {shown}");
        }
    }
    assert_eq!(server.requests().len(), cases.len());
    let logs = buffer.text();
    assert!(logs.contains("gha_runners"), "the crate's own TRACE logs were captured: {logs}");
    assert!(logs.contains("reqwest") || logs.contains("hyper"), "the dependencies' logs were captured: {logs}");
    assert!(!logs.contains("SEKRET") && !logs.contains(TOKEN), "{logs}");
}
