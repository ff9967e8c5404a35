//! `cargo xtask diff` and the per-deployment availability written by
//! `refresh-spec`, on the synthetic descriptions in `xtask/tests/synthetic/`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn synthetic() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/synthetic")
}

fn xtask(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("run xtask")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn diff_reports_additions_and_breaking_changes_with_exit_code_2() {
    let (old, new) = (synthetic().join("upstream-previous.json"), synthetic().join("upstream.json"));
    let out = xtask(&["diff", "--from", s(&old), "--to", s(&new)]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "breaking changes exit 2: {md}\n{}", String::from_utf8_lossy(&out.stderr));
    for line in [
        "## Runner API changes: upstream-previous.json (98.0.0) → upstream.json (99.1.0)",
        "\nSemver: **major** release: 3 change(s) break the crate's Rust API (5 addition(s) besides)\n",
        "- **breaking** property `labels` is no longer required [patch]",
        "- `actions/create-group` `POST /orgs/{org}/actions/runner-groups` [minor]",
        "- property `ephemeral` added (boolean) [minor]",
        "- query parameter `per_page` added [major]",
        "- Operations added: 1 (organization 1)",
        "- Operations removed: 0 (none)",
        "- `actions/create-group` `POST /orgs/{org}/actions/runner-groups`",
        "- **breaking** property `legacy` removed",
        "- **breaking** property `name` type changed from integer to string",
        "- property `type` added (string)",
        "- query parameter `per_page` added",
    ] {
        assert!(md.contains(line), "missing {line:?} in:\n{md}");
    }
}

#[test]
fn a_refresh_that_only_adds_is_a_minor_release_and_exits_0() {
    let (old, new) = (synthetic().join("upstream.json"), synthetic().join("upstream-minor.json"));
    let out = xtask(&["diff", "--from", s(&old), "--to", s(&new)]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{md}\n{}", String::from_utf8_lossy(&out.stderr));
    for line in [
        "\nSemver: **minor** release: 2 addition(s), nothing removed or retyped\n",
        "- `actions/list-runner-applications-for-org` `GET /orgs/{org}/actions/runners/downloads` [minor]",
        "- property `os` added (string) [minor]",
    ] {
        assert!(md.contains(line), "missing {line:?} in:\n{md}");
    }
    assert!(!md.contains("[major]"), "{md}");
    // Backwards, the same changes are removals.
    let back = xtask(&["diff", "--from", s(&new), "--to", s(&old)]);
    assert_eq!(back.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&back.stdout).contains("Semver: **major** release: 2 change(s)"));
}

#[test]
fn diff_compares_two_rest_api_versions_of_one_description() {
    let upstream = synthetic().join("upstream.json");
    let out = xtask(&["diff", "--from", s(&upstream), "--from-version", "2022-11-28", "--to-version", "2026-03-10"]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{md}\n{}", String::from_utf8_lossy(&out.stderr));
    for line in [
        "## Runner API changes: upstream.json (99.1.0) as of 2022-11-28 → upstream.json (99.1.0) as of 2026-03-10",
        "- Operations removed: 0 (none)",
        "- **breaking** property `labels` removed",
        "- property `ephemeral` added (boolean)",
    ] {
        assert!(md.contains(line), "missing {line:?} in:\n{md}");
    }
    let same = xtask(&["diff", "--from", s(&upstream), "--from-version", "2026-03-10", "--to-version", "2026-03-10"]);
    assert_eq!(same.status.code(), Some(0), "{}", String::from_utf8_lossy(&same.stdout));
    assert!(String::from_utf8_lossy(&same.stdout).contains("Semver: **patch** release"));
    let neither = xtask(&["diff", "--from", s(&upstream)]);
    assert_eq!(neither.status.code(), Some(1), "nothing to compare is an error");
}

#[test]
fn diff_of_a_description_with_itself_is_empty_and_exits_0() {
    let new = synthetic().join("upstream.json");
    let out = xtask(&["diff", "--from", s(&new), "--to", s(&new)]);
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("No changes to the vendored operations."), "{md}");
    assert!(md.contains("- Breaking for REST API callers: no"), "{md}");
    assert!(md.contains("Semver: **patch** release"), "{md}");
}

#[test]
fn refresh_records_which_deployments_publish_each_operation() {
    let out_dir = std::env::temp_dir().join(format!("gha-runners-avail-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out_dir);
    let from = synthetic().join("deployments/ghec.json");
    let spec_dir = synthetic().join("spec");
    let out = xtask(&["refresh-spec", "--from", s(&from), "--spec-dir", s(&spec_dir), "--out-dir", s(&out_dir)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("availability recorded for: github.com, ghec, ghes-3.19"), "{stdout}");
    let avail: Value = serde_json::from_slice(&std::fs::read(out_dir.join("availability.json")).unwrap()).unwrap();
    let on = |id: &str| -> Vec<String> {
        avail["operations"][id].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
    };
    assert_eq!(on("actions/list-runners"), ["github.com", "ghec", "ghes-3.19"]);
    assert_eq!(on("actions/delete-runner"), ["ghec", "ghes-3.19"]);
    assert_eq!(on("actions/create-group"), ["github.com", "ghec"]);
    let sources: Vec<&str> =
        avail["deployments"].as_array().unwrap().iter().map(|d| d["source"].as_str().unwrap()).collect();
    assert_eq!(sources, ["api.github.com.json", "ghec.json", "ghes-3.19.json"], "file names, never local paths");
    let table = std::fs::read_to_string(out_dir.join("availability.md")).unwrap();
    assert!(table.contains("| operation | github.com | GHEC | GHES 3.19 |"), "{table}");
    assert!(table.contains("| `actions/delete-runner` |  | yes | yes |"), "{table}");
    let examples: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("deployment-examples.json")).unwrap()).unwrap();
    assert_eq!(examples["ghes-3.19"]["actions/get-runner.200.default"]["name"], "ghes-runner");
    assert_eq!(examples["github.com"], serde_json::json!({}), "identical examples are not repeated");
    let provenance: Value = serde_json::from_slice(&std::fs::read(out_dir.join("provenance.json")).unwrap()).unwrap();
    assert_eq!(provenance["deployments"], serde_json::json!(["github.com", "ghec", "ghes-3.19"]));

    // A second refresh into the same directory shows the (empty) diff first.
    let again = xtask(&["refresh-spec", "--from", s(&from), "--spec-dir", s(&spec_dir), "--out-dir", s(&out_dir)]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("No changes to the vendored operations."));
    let _ = std::fs::remove_dir_all(&out_dir);
}

#[test]
fn a_malformed_deployment_argument_is_a_clear_error() {
    let out = xtask(&[
        "refresh-spec",
        "--from",
        s(&synthetic().join("upstream.json")),
        "--spec-dir",
        s(&synthetic().join("spec")),
        "--out-dir",
        s(&std::env::temp_dir().join("gha-runners-never")),
        "--deployment",
        "ghes-3.19",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected NAME=FILE_OR_URL"));
}
