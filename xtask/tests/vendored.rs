//! Checks on the project's committed spec/ and fixtures (not on ../shared).

use std::path::{Path, PathBuf};
use xtask::{closure, fixtures, refresh, selection};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn vendored() -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(root().join("spec/openapi.json")).unwrap()).unwrap()
}

#[test]
fn vendored_spec_has_the_129_operations_and_nothing_unreferenced() {
    let mut spec = vendored();
    let text = std::fs::read_to_string(root().join("spec/selection.toml")).unwrap();
    let ops = selection::Selection::parse(&text).unwrap().select(&spec).unwrap();
    assert_eq!(ops.len(), 129);
    let runner_ops = ops.iter().filter(|o| o.scope() != "other").count();
    assert_eq!(
        runner_ops, 123,
        "116 runner operations, 3 workflow job lookups, 3 organization-hook deliveries and workflow runs"
    );
    assert_eq!(closure::prune_components(&mut spec).unwrap(), 0);
    let provenance: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join("spec/provenance.json")).unwrap()).unwrap();
    assert_eq!(provenance["operations"], 129);
}

#[test]
fn vendored_spec_is_in_canonical_form() {
    let bytes = std::fs::read_to_string(root().join(format!("spec/{}", refresh::SPEC_FILE))).unwrap();
    assert_eq!(xtask::canonical::to_string(&vendored()), bytes, "spec/openapi.json was edited by hand");
}

#[test]
fn committed_fixtures_are_what_cargo_xtask_fixtures_extracts() {
    let examples = fixtures::extract(&vendored()).unwrap();
    let dir = root().join("tests/fixtures/docs");
    let mut on_disk = Vec::new();
    for tag in std::fs::read_dir(&dir).unwrap() {
        for f in std::fs::read_dir(tag.unwrap().path()).unwrap() {
            on_disk.push(f.unwrap().path().strip_prefix(&dir).unwrap().to_path_buf());
        }
    }
    on_disk.sort();
    let expected: Vec<PathBuf> = examples.iter().map(|e| e.file.clone()).collect();
    assert_eq!(on_disk, expected, "run `cargo xtask fixtures`");
    for e in &examples {
        let text = std::fs::read_to_string(dir.join(&e.file)).unwrap();
        assert_eq!(
            text,
            xtask::canonical::to_string(&e.value),
            "{} differs: run `cargo xtask fixtures`",
            e.file.display()
        );
    }
}

#[test]
fn versions_record_is_what_the_vendored_annotations_give() {
    let spec = vendored();
    let text = std::fs::read_to_string(root().join("spec/versions.json")).expect("spec/versions.json");
    let recorded: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(recorded, xtask::versions::record(&spec).unwrap(), "rerun cargo xtask refresh-spec");
    let provenance: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("spec/provenance.json")).unwrap()).unwrap();
    assert_eq!(provenance["api_versions"], recorded["versions"]);
    // 2026-03-10 adds and removes no runner operation; it changes the answers
    // that carry repositories (workflow runs and the installation's
    // repositories among them) and the rate-limit overview.
    let changed: Vec<&str> = recorded["operations"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v["2026-03-10"]["exists"] != true || v["2026-03-10"]["responses_changed"] == true)
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(changed.len(), 12, "{changed:?}");
    assert!(changed.contains(&"rate-limit/get") && changed.contains(&"apps/create-installation-access-token"));
}

#[test]
fn vendored_webhooks_are_the_workflow_job_events_in_openapi_3_0() {
    let text = std::fs::read_to_string(root().join("spec/webhooks.json")).expect("spec/webhooks.json");
    let spec: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(text, xtask::canonical::to_string(&spec), "canonical form: rerun cargo xtask refresh-webhooks");
    let events: Vec<&String> = spec["x-webhooks"].as_object().unwrap().keys().collect();
    assert_eq!(events.len(), 4);
    for event in xtask::webhooks::EVENTS {
        assert!(spec["x-webhooks"].get(*event).is_some(), "{event}");
    }
    assert_eq!(spec["components"]["schemas"].as_object().unwrap().len(), 13);
    serde_json::from_value::<openapiv3::OpenAPI>(spec.clone()).expect("an OpenAPI 3.0 document");
    // Nothing of 3.1 is left: no type arrays, no `null` types, no `examples` arrays on schemas.
    let mut left = Vec::new();
    fn walk(v: &serde_json::Value, path: String, left: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if m.get("type").is_some_and(|t| t.is_array() || t == "null") {
                    left.push(format!("{path}: type {}", m["type"]));
                }
                if m.contains_key("type") && m.get("examples").is_some_and(serde_json::Value::is_array) {
                    left.push(format!("{path}: examples"));
                }
                for (k, c) in m {
                    walk(c, format!("{path}/{k}"), left);
                }
            }
            serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, c)| walk(c, format!("{path}/{i}"), left)),
            _ => {}
        }
    }
    walk(&spec, String::new(), &mut left);
    assert!(left.is_empty(), "{left:?}");
    let run_id = &spec["components"]["schemas"]["webhook-workflow-job-queued"]["properties"]["workflow_job"];
    assert!(run_id.to_string().contains(r#""run_id":{"format":"int64","type":"integer"}"#), "{run_id}");
    let provenance: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("spec/webhooks-provenance.json")).unwrap()).unwrap();
    assert_eq!(provenance["schemas"], 13);
    assert_eq!(provenance["upstream_openapi"], "3.1.0");
}
