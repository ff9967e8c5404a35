//! `spec/scaleset/openapi.json`, our description of the Runner Scale Set
//! APIs (GitHub publishes none): it is valid OpenAPI 3.0, it has every
//! operation the scale-set client needs, each names its source in GitHub's
//! Go client, and the response bodies written down from that client's tests
//! (`tests/fixtures/scaleset/`) validate against it, including the job
//! messages a message's `body` string holds.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use support::openapi_schema::validate;

fn description() -> Value {
    support::spec::read_json(&support::spec::root().join("spec/scaleset/openapi.json"))
}

/// `(operationId, method, path)` of every operation.
fn operations(doc: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                out.push((id.to_string(), method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

#[test]
fn the_description_is_openapi_3_and_has_every_operation_the_client_needs() {
    let doc = description();
    let parsed: Result<openapiv3::OpenAPI, _> = serde_json::from_value(doc.clone());
    assert!(parsed.is_ok(), "not OpenAPI 3.0: {:?}", parsed.err());
    let ids: BTreeSet<String> = operations(&doc).into_iter().map(|(id, ..)| id).collect();
    let needed = [
        "runner-registration/create",
        "scale-sets/find",
        "scale-sets/get",
        "scale-sets/create",
        "scale-sets/update",
        "scale-sets/delete",
        "runner-groups/find-by-name",
        "scale-sets/generate-jit-config",
        "runners/get",
        "runners/find-by-name",
        "runners/remove",
        "sessions/create",
        "sessions/refresh",
        "sessions/delete",
        "jobs/acquire",
        "messages/get",
        "messages/delete",
    ];
    let missing: Vec<&str> = needed.iter().filter(|id| !ids.contains(**id)).copied().collect();
    assert!(missing.is_empty(), "missing operations: {missing:?}");
    assert_eq!(ids.len(), needed.len(), "an operation this test does not know: {ids:?}");
    for (id, method, path) in operations(&doc) {
        let op = &doc["paths"][&path][method.to_lowercase()];
        assert!(op["x-source"].as_str().is_some_and(|s| !s.is_empty()), "{id} names no source");
        assert!(op["security"].is_array(), "{id} names no credential");
        let servers = doc["paths"][&path]["servers"].as_array().map_or(0, Vec::len);
        assert_eq!(servers, 1, "{id}: every path says which host serves it");
    }
    // Secrets are marked, so generated types can hold them as `Secret`.
    for (schema, field) in [
        ("actions-service-admin-connection", "token"),
        ("jit-runner-config", "encodedJITConfig"),
        ("runner-scale-set-session", "messageQueueAccessToken"),
    ] {
        assert_eq!(doc["components"]["schemas"][schema]["properties"][field]["x-secret"], true, "{schema}.{field}");
    }
}

/// The response schema of `operation` for `status`.
fn response_schema(doc: &Value, operation: &str, status: &str) -> Value {
    for (id, method, path) in operations(doc) {
        if id == operation {
            let responses = &doc["paths"][&path][method.to_lowercase()]["responses"];
            let response = &responses[status];
            let response = match response.get("$ref") {
                Some(_) => panic!("{operation} {status}: a response reference"),
                None => response,
            };
            return response["content"]["application/json"]["schema"].clone();
        }
    }
    panic!("no operation {operation}")
}

#[test]
fn the_bodies_of_github_s_client_tests_validate_against_it() {
    let doc = description();
    let dir = support::spec::root().join("tests/fixtures/scaleset");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures").flatten() {
        let fixture = support::spec::read_json(&entry.path());
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(fixture["source"].as_str().is_some_and(|s| !s.is_empty()), "{name} names no source");
        let (operation, status) = (fixture["operation"].as_str().unwrap(), fixture["status"].as_str().unwrap());
        let schema = response_schema(&doc, operation, status);
        assert!(schema.is_object(), "{name}: {operation} {status} has no JSON body");
        if let Err(errors) = validate(&doc, &schema, &fixture["body"]) {
            panic!("{name} does not validate against {operation} {status}: {errors:#?}");
        }
        // A message's body is a string holding the job messages.
        if let Some(body) = fixture["body"]["body"].as_str() {
            let jobs: Value = serde_json::from_str(body).expect("a message body is JSON");
            let job_schema = serde_json::json!({"$ref": "#/components/schemas/job-messages"});
            if let Err(errors) = validate(&doc, &job_schema, &jobs) {
                panic!("{name}: its job messages do not validate: {errors:#?}");
            }
            let kinds: Vec<&str> = jobs.as_array().unwrap().iter().filter_map(|j| j["messageType"].as_str()).collect();
            assert_eq!(kinds, ["JobAssigned", "JobStarted", "JobCompleted"]);
        }
        // A broken body fails: the check can fail.
        let mut broken = fixture["body"].clone();
        if let Some(first) = broken.as_object_mut().and_then(|m| m.keys().next().cloned()) {
            broken[&first] = serde_json::json!({"not": ["what", "the", "schema", "says"]});
            assert!(validate(&doc, &schema, &broken).is_err(), "{name}: a broken `{first}` still validates");
        }
        checked += 1;
    }
    assert_eq!(checked, 8, "every fixture was checked");
}

/// Every fixture decodes through the generated client's type for its
/// operation and status (what the client itself decodes it into), and
/// encodes back to the same fields (nothing dropped). A fixture of an
/// operation this test does not know fails it.
#[test]
fn every_fixture_decodes_through_the_generated_types() {
    use gha_runners::scaleset::raw::types;
    fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(body: &Value) -> Value {
        let typed: T = serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{e}: {body}"));
        serde_json::to_value(&typed).expect("encodes")
    }
    let dir = support::spec::root().join("tests/fixtures/scaleset");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures").flatten() {
        let fixture = support::spec::read_json(&entry.path());
        let body = &fixture["body"];
        let operation = fixture["operation"].as_str().expect("operation");
        let status = fixture["status"].as_str().map(String::from).unwrap_or_else(|| fixture["status"].to_string());
        let back = match (operation, status.as_str()) {
            (_, "default") => round_trip::<types::ActionsError>(body),
            ("runner-registration/create", _) => round_trip::<types::ActionsServiceAdminConnection>(body),
            ("scale-sets/find", _) => round_trip::<types::ScaleSetsFindResponse>(body),
            ("runner-groups/find-by-name", _) => round_trip::<types::RunnerGroupsFindByNameResponse>(body),
            ("runners/find-by-name", _) => round_trip::<types::RunnersFindByNameResponse>(body),
            ("sessions/create", _) => round_trip::<types::RunnerScaleSetSession>(body),
            ("messages/get", _) => {
                let m: gha_runners::scaleset::Message = serde_json::from_value(body.clone()).expect("a message");
                m.jobs().expect("its job messages");
                seen += 1;
                continue;
            }
            other => panic!("{}: no generated type is known for {other:?}", entry.path().display()),
        };
        // Secrets encode as themselves (the type only hides them from Debug).
        for (key, value) in body.as_object().into_iter().flatten() {
            assert!(back.get(key).is_some(), "{}: `{key}` was dropped ({value})", entry.path().display());
        }
        seen += 1;
    }
    assert_eq!(seen, 8, "every fixture was decoded");
}
