//! The refresh pipeline end to end on the synthetic description in
//! `xtask/tests/synthetic/` (never on ../shared), through the library and
//! through the `xtask` binary.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use xtask::{closure, normalize, refresh, selection::Selection, source, versions};

fn synthetic() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/synthetic")
}

fn refreshed() -> refresh::Refreshed {
    let upstream = source::load(synthetic().join("upstream.json").to_str().unwrap()).unwrap();
    let text = std::fs::read_to_string(synthetic().join("spec/selection.toml")).unwrap();
    refresh::build(&upstream, &Selection::parse(&text).unwrap()).unwrap()
}

fn ids(spec: &Value) -> Vec<String> {
    let mut out: Vec<String> = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values().filter_map(|op| op.get("operationId")))
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

fn names(spec: &Value, kind: &str) -> Vec<String> {
    spec["components"][kind].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default()
}

#[test]
fn selects_exactly_the_patterns_operations() {
    let r = refreshed();
    assert_eq!(
        ids(&r.spec),
        [
            "actions/create-group",
            "actions/delete-runner",
            "actions/get-runner",
            "actions/list-runners",
            "actions/set-labels",
            "rate-limit/get"
        ]
    );
    assert!(r.spec.get("x-webhooks").is_none(), "webhooks are not operations of the subset");
    let tags: Vec<&str> = r.spec["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(tags, ["actions", "rate-limit"]);
    assert_eq!(r.scopes.get("organization"), Some(&5));
    assert_eq!(r.scopes.get("other"), Some(&1));
    // Path-level parameters travel with their path item.
    assert_eq!(r.spec["paths"]["/orgs/{org}/actions/runners"]["parameters"][0]["$ref"], "#/components/parameters/org");
}

#[test]
fn keeps_exactly_the_transitive_closure_of_references() {
    let r = refreshed();
    assert_eq!(
        names(&r.spec, "schemas"),
        ["github-error", "runner", "runner-group", "runner-label", "runner-labels", "secret-string"]
    );
    assert_eq!(names(&r.spec, "parameters"), ["org", "per-page", "runner-id"]);
    assert_eq!(names(&r.spec, "responses"), ["not_found", "runner_labels", "validation_failed_simple"]);
    assert_eq!(names(&r.spec, "headers"), ["link"]);
    assert_eq!(names(&r.spec, "examples"), ["runner-list"]);
    // basic-error and validation-error-simple became unreferenced once merged.
    assert_eq!(r.pruned_after_normalization, 2);
    let mut again = r.spec.clone();
    assert_eq!(closure::prune_components(&mut again).unwrap(), 0, "nothing unreferenced is left");
}

#[test]
fn every_normalization_pass_ran_and_is_recorded() {
    let r = refreshed();
    let counts: Vec<(&str, usize)> = r.passes.clone();
    assert_eq!(
        counts,
        [
            ("set-api-version", 1),
            ("version-union", 2),
            ("merge-error-responses", 3),
            ("integer-ids-and-counts", 2),
            ("label-code-fences", 1),
            ("request-defaults-to-docs", 1),
            ("hoist-response-schemas", 1),
            ("secret-strings", 1)
        ]
    );
    assert_eq!(counts.len(), normalize::PASSES.len(), "a new pass needs a synthetic case here");
    assert_eq!(r.spec["info"]["version"], versions::BASE_VERSION);
    let err = &r.spec["components"]["schemas"]["github-error"];
    assert_eq!(err["properties"]["errors"], json!({"type": "array", "items": {"type": "string"}}));
    assert_eq!(err["properties"]["status"], json!({"type": "string"}));
    assert_eq!(r.spec["components"]["schemas"]["runner-group"]["properties"]["id"]["type"], "integer");
    assert_eq!(r.spec["components"]["schemas"]["runner-group"]["properties"]["ratio"]["type"], "number");
    let recorded: Vec<&str> =
        r.provenance["normalization_passes"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(
        recorded,
        [
            "set-api-version",
            "version-union",
            "merge-error-responses",
            "integer-ids-and-counts",
            "label-code-fences",
            "request-defaults-to-docs",
            "hoist-response-schemas",
            "secret-strings"
        ]
    );
    // What 2026-03-10 removes is optional, what it adds is declared, and the
    // annotation stays for deriving each version.
    let runner = &r.spec["components"]["schemas"]["runner"];
    assert_eq!(runner["required"], json!(["id", "name"]));
    assert_eq!(runner["properties"]["ephemeral"], json!({"type": "boolean"}));
    assert!(runner.get("x-github-breaking-changes").is_some());
    assert_eq!(r.provenance["api_versions"], json!(["2022-11-28", "2026-03-10"]));
    assert_eq!(r.versions["operations"]["actions/get-runner"]["2026-03-10"]["responses_changed"], true);
    assert_eq!(r.versions["operations"]["actions/create-group"]["2026-03-10"]["responses_changed"], false);
    assert_eq!(
        r.spec["components"]["schemas"]["runner-group"]["properties"]["token"],
        json!({"$ref": "#/components/schemas/secret-string"})
    );
    let description =
        r.spec["paths"]["/orgs/{org}/actions/runners/{runner_id}"]["delete"]["description"].as_str().unwrap();
    assert!(description.contains("```text\n./config.sh"), "{description}");
}

#[test]
fn provenance_names_the_file_not_its_local_path() {
    let r = refreshed();
    let p = &r.provenance;
    assert_eq!(p["source"], "upstream.json");
    assert_eq!(p["upstream_info_version"], "99.1.0");
    assert_eq!(p["operations"], 6);
    assert_eq!(p["schemas"], 6, "with secret-string");
    let bytes = std::fs::read(synthetic().join("upstream.json")).unwrap();
    assert_eq!(p["sha256"], source::parse("x".into(), &bytes).unwrap().sha256);
    assert!(!xtask::canonical::to_string(p).contains(env!("CARGO_MANIFEST_DIR")));
}

fn xtask_bin(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("run xtask")
}

fn refresh_into(from: &Path, out: &Path) -> std::process::Output {
    let spec_dir = synthetic().join("spec");
    xtask_bin(&[
        "refresh-spec",
        "--from",
        from.to_str().unwrap(),
        "--spec-dir",
        spec_dir.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ])
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gha-runners-xtask-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn refresh_is_deterministic_and_writes_a_complete_spec_dir() {
    let (a, b) = (temp_dir("a"), temp_dir("b"));
    for d in [&a, &b] {
        let out = refresh_into(&synthetic().join("upstream.json"), d);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("operations selected: 6"), "{stdout}");
        assert!(stdout.contains("merge-error-responses    3 changed"), "{stdout}");
    }
    for file in ["openapi.json", "provenance.json", "selection.toml", "example-defects.toml"] {
        let x = std::fs::read(a.join(file)).unwrap();
        assert_eq!(x, std::fs::read(b.join(file)).unwrap(), "{file} differs between two runs");
        assert_eq!(x.last(), Some(&b'\n'), "{file} ends with a newline");
    }
    assert_eq!(
        std::fs::read(a.join("selection.toml")).unwrap(),
        std::fs::read(synthetic().join("spec/selection.toml")).unwrap(),
        "reviewed inputs are copied verbatim"
    );
    let text = std::fs::read_to_string(a.join("openapi.json")).unwrap();
    assert!(text.starts_with("{\n  \"components\": {"), "sorted keys, two-space indent");
    let _: openapiv3::OpenAPI = serde_json::from_str(&text).expect("output is OpenAPI 3.0");
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

fn assert_clean_failure(out: &std::process::Output, expect: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(expect), "stderr should say {expect:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bad_inputs_fail_with_a_clear_message() {
    let dir = temp_dir("bad");
    let not_json = dir.join("not.json");
    std::fs::write(&not_json, "openapi: 3.0.3\n").unwrap();
    assert_clean_failure(&refresh_into(&not_json, &dir.join("o1")), "not.json is not JSON");

    let swagger = dir.join("swagger.json");
    std::fs::write(&swagger, r#"{"swagger": "2.0", "paths": {}}"#).unwrap();
    assert_clean_failure(&refresh_into(&swagger, &dir.join("o2")), "not an OpenAPI 3.0 description");

    let v31 = dir.join("v31.json");
    std::fs::write(&v31, r#"{"openapi": "3.1.0", "paths": {}}"#).unwrap();
    assert_clean_failure(&refresh_into(&v31, &dir.join("o3")), "only OpenAPI 3.0.x");

    let mut doc: Value = serde_json::from_slice(&std::fs::read(synthetic().join("upstream.json")).unwrap()).unwrap();
    doc["paths"].as_object_mut().unwrap().remove("/rate_limit");
    let lacking = dir.join("lacking.json");
    std::fs::write(&lacking, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = refresh_into(&lacking, &dir.join("o4"));
    assert_clean_failure(&out, "`op:rate-limit/get` (group \"support\")");
    assert!(!dir.join("o4").exists(), "nothing is written on failure");

    assert_clean_failure(&refresh_into(&dir.join("missing.json"), &dir.join("o5")), "cannot read");
    let _ = std::fs::remove_dir_all(&dir);
}
