//! Static catalogues the fake serves (images, machine sizes, platforms,
//! limits, runner downloads) and object templates taken from the vendored
//! spec's own examples (repositories, organizations), so what the fake
//! sends has the shape GitHub documents.

use serde_json::{Value, json};
use std::sync::OnceLock;

/// The vendored spec, for its examples.
pub(crate) fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| serde_json::from_str(include_str!("../../spec/openapi.json")).unwrap_or(Value::Null))
}

/// The first item of the list in a component example `{total_count, <key>: [...]}`.
fn template(example: &str, key: &str) -> Value {
    spec().pointer(&format!("/components/examples/{example}/value/{key}/0")).cloned().unwrap_or_else(|| json!({}))
}

fn rename(mut v: Value, id: i64, name: &str, owner: &str) -> Value {
    v["id"] = json!(id);
    if v.get("name").is_some() {
        v["name"] = json!(name);
    }
    if v.get("full_name").is_some() {
        v["full_name"] = json!(format!("{owner}/{name}"));
    }
    if v.get("login").is_some() {
        v["login"] = json!(name);
    }
    v
}

/// A `minimal-repository` with this id.
pub(crate) fn minimal_repository(id: i64, owner: &str) -> Value {
    rename(template("minimal-repository-paginated", "repositories"), id, &format!("repo-{id}"), owner)
}

/// A `repository` with this id.
pub(crate) fn repository(id: i64, owner: &str) -> Value {
    rename(template("repository-paginated", "repositories"), id, &format!("repo-{id}"), owner)
}

/// A repository of `apps/list-repos-accessible-to-installation` with this id.
pub(crate) fn installation_repository(id: i64, owner: &str) -> Value {
    let mut v = rename(template("repository-paginated-2", "repositories"), id, &format!("repo-{id}"), owner);
    v["owner"]["login"] = json!(owner);
    v
}

/// A workflow run with this id, shaped like the spec's example.
pub(crate) fn workflow_run(id: i64, owner: &str, repo: &str) -> Value {
    let mut v = template("workflow-run-paginated", "workflow_runs");
    let api = format!("https://api.github.com/repos/{owner}/{repo}");
    v["id"] = json!(id);
    v["node_id"] = json!(format!("WFR_kwFAKE{id:X}"));
    v["url"] = json!(format!("{api}/actions/runs/{id}"));
    v["jobs_url"] = json!(format!("{api}/actions/runs/{id}/jobs"));
    v["html_url"] = json!(format!("https://github.com/{owner}/{repo}/actions/runs/{id}"));
    v
}

/// An `organization-simple` with this id.
pub(crate) fn organization(id: i64) -> Value {
    rename(template("organization-targets", "organizations"), id, &format!("org-{id}"), "")
}

/// A queued workflow job, shaped like the spec's `job` example.
pub(crate) fn job(id: i64, run_id: i64, owner: &str, repo: &str, labels: &[String]) -> Value {
    let mut v = spec().pointer("/components/examples/job/value").cloned().unwrap_or_else(|| json!({}));
    let api = format!("https://api.github.com/repos/{owner}/{repo}/actions");
    v["id"] = json!(id);
    v["run_id"] = json!(run_id);
    v["run_attempt"] = json!(1);
    v["node_id"] = json!(format!("CR_kwDOFAKE{id:X}"));
    v["name"] = json!(format!("build ({})", labels.join(", ")));
    v["labels"] = json!(labels);
    v["status"] = json!("queued");
    v["conclusion"] = Value::Null;
    v["completed_at"] = Value::Null;
    // GitHub's example lacks `created_at`, which the schema requires.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    v["created_at"] = json!(now);
    v["started_at"] = json!(now);
    v["steps"] = json!([]);
    for field in ["runner_id", "runner_name", "runner_group_id", "runner_group_name"] {
        v[field] = Value::Null;
    }
    v["url"] = json!(format!("{api}/jobs/{id}"));
    v["check_run_url"] = json!(format!("https://api.github.com/repos/{owner}/{repo}/check-runs/{id}"));
    v["run_url"] = json!(format!("{api}/runs/{run_id}"));
    v["html_url"] = json!(format!("https://github.com/{owner}/{repo}/actions/runs/{run_id}/job/{id}"));
    v
}

/// Runner application downloads.
pub(crate) fn downloads() -> Value {
    spec().pointer("/components/examples/runner-application-items/value").cloned().unwrap_or_else(|| json!([]))
}

/// GitHub-owned images.
pub(crate) fn github_owned_images() -> Vec<Value> {
    vec![
        json!({"id": "ubuntu-latest", "platform": "linux-x64", "size_gb": 86, "display_name": "Ubuntu Latest (24.04)", "source": "github"}),
        json!({"id": "ubuntu-22.04", "platform": "linux-x64", "size_gb": 86, "display_name": "Ubuntu 22.04", "source": "github"}),
        json!({"id": "windows-latest", "platform": "win-x64", "size_gb": 256, "display_name": "Windows Latest", "source": "github"}),
    ]
}

/// Partner images.
pub(crate) fn partner_images() -> Vec<Value> {
    vec![
        json!({"id": "nvidia-gpu", "platform": "linux-x64", "size_gb": 120, "display_name": "NVIDIA GPU-Optimized Image", "source": "partner"}),
    ]
}

/// Machine sizes.
pub(crate) fn machine_specs() -> Vec<Value> {
    vec![
        json!({"id": "2-core", "cpu_cores": 2, "memory_gb": 8, "storage_gb": 75}),
        json!({"id": "4-core", "cpu_cores": 4, "memory_gb": 16, "storage_gb": 150}),
        json!({"id": "8-core", "cpu_cores": 8, "memory_gb": 32, "storage_gb": 300}),
    ]
}

/// Platforms.
pub(crate) fn platforms() -> Vec<Value> {
    vec![json!("linux-x64"), json!("win-x64"), json!("linux-arm64")]
}

/// Hosted runner limits.
pub(crate) fn limits(used: usize) -> Value {
    json!({"public_ips": {"maximum": 50, "current_usage": used}})
}

/// A custom image and its versions.
pub(crate) fn custom_image(id: i64) -> (Value, Vec<Value>) {
    let versions = vec![
        json!({"version": "1.0.0", "state": "Ready", "size_gb": 75, "created_on": "2024-11-08T20:39:01Z", "state_details": "None"}),
        json!({"version": "1.1.0", "state": "Ready", "size_gb": 75, "created_on": "2024-11-09T23:39:01Z", "state_details": "None"}),
    ];
    let image = json!({"id": id, "platform": "linux-x64", "name": format!("custom-{id}"), "source": "custom",
        "versions_count": versions.len(), "total_versions_size": 150, "latest_version": "1.1.0", "state": "Ready"});
    (image, versions)
}
