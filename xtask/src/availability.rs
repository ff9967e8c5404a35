//! Which deployments (github.com, GitHub Enterprise Cloud, GitHub Enterprise
//! Server releases) publish each vendored operation, from their own
//! descriptions; and the documented examples where a deployment's differ
//! from the vendored ones.

use crate::source::Upstream;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// GitHub Enterprise Server releases whose descriptions `refresh-spec`
/// fetches by default when reading GitHub's published descriptions online.
pub const GHES_RELEASES: &[&str] = &["3.17", "3.18", "3.19"];

/// The published description of deployment `name` in github/rest-api-description.
pub fn default_url(name: &str) -> String {
    let dir = if name == "github.com" { "api.github.com".to_string() } else { name.to_string() };
    format!("https://raw.githubusercontent.com/github/rest-api-description/main/descriptions/{dir}/{dir}.json")
}

/// The deployments `refresh-spec` reads besides the main one by default.
pub fn default_deployments() -> Vec<String> {
    let mut out = vec!["github.com".to_string()];
    out.extend(GHES_RELEASES.iter().map(|r| format!("ghes-{r}")));
    out
}

/// The deployment a description file is for, from its name as GitHub
/// publishes it (`api.github.com.json`, `ghec.json`, `ghes-3.17.json`).
pub fn deployment_of_file(file_name: &str) -> Option<String> {
    let stem = file_name.strip_suffix(".json")?;
    match stem {
        "api.github.com" => Some("github.com".into()),
        "ghec" => Some("ghec".into()),
        s if s.starts_with("ghes-") && s[5..].split('.').all(|p| p.parse::<u32>().is_ok()) => Some(s.into()),
        _ => None,
    }
}

/// The other deployments' descriptions beside a local main description,
/// named as GitHub publishes them.
pub fn siblings(main: &Path) -> Vec<(String, PathBuf)> {
    let Some(dir) = main.parent() else {
        return Vec::new();
    };
    let main_name = main.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    let mut out: Vec<(String, PathBuf)> =
        std::fs::read_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let file = e.file_name().to_string_lossy().into_owned();
                if file == main_name {
                    return None;
                }
                deployment_of_file(&file).map(|d| (d, e.path()))
            })
            .collect();
    out.sort_by_key(|a| order_key(&a.0));
    out
}

/// Sort key: github.com, ghec, then GHES releases by version.
pub fn order_key(name: &str) -> (u8, Vec<u32>) {
    match name {
        "github.com" => (0, vec![]),
        "ghec" => (1, vec![]),
        other => (2, other.trim_start_matches("ghes-").split('.').filter_map(|p| p.parse().ok()).collect()),
    }
}

fn operation_ids(doc: &Value) -> BTreeSet<String> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(_, item)| item.as_object().into_iter().flatten())
        .filter(|(m, _)| crate::METHODS.contains(&m.as_str()))
        .filter_map(|(_, op)| op.get("operationId").and_then(Value::as_str).map(String::from))
        .collect()
}

/// `spec/availability.json`: the deployments read and, per vendored
/// operation, the deployments that publish it.
pub fn availability(spec: &Value, main: (&str, &Upstream), others: &[(String, Upstream)]) -> Value {
    let mut deployments: Vec<(&str, &Upstream)> = vec![main];
    deployments.extend(others.iter().map(|(n, u)| (n.as_str(), u)));
    deployments.sort_by_key(|a| order_key(a.0));
    let published: Vec<(&str, BTreeSet<String>)> =
        deployments.iter().map(|(n, u)| (*n, operation_ids(&u.doc))).collect();
    let mut ops = Map::new();
    for id in operation_ids(spec) {
        let on: Vec<Value> = published.iter().filter(|(_, ids)| ids.contains(&id)).map(|(n, _)| json!(n)).collect();
        ops.insert(id, Value::Array(on));
    }
    json!({
        "deployments": deployments.iter().map(|(n, u)| json!({
            "name": n, "source": u.label, "sha256": u.sha256,
            "upstream_info_version": u.doc.pointer("/info/version"),
            "api_versions": crate::versions::served_by(&u.label, &u.doc),
        })).collect::<Vec<_>>(),
        "operations": ops,
    })
}

/// A human name for a deployment.
pub fn label(name: &str) -> String {
    match name {
        "github.com" => "github.com".into(),
        "ghec" => "GHEC".into(),
        other => format!("GHES {}", other.trim_start_matches("ghes-")),
    }
}

/// `spec/availability.md`: the same data as a Markdown table.
pub fn markdown(availability: &Value) -> String {
    let names: Vec<String> = availability["deployments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["name"].as_str().map(String::from))
        .collect();
    let mut s = String::from(
        "# Where each vendored operation is available\n\nGenerated by `cargo xtask refresh-spec` from each deployment's published description; do not edit.\n\n",
    );
    s.push_str("REST API versions each deployment serves:\n\n");
    for d in availability["deployments"].as_array().into_iter().flatten() {
        let versions: Vec<&str> =
            d["api_versions"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        s.push_str(&format!("- {}: {}\n", label(d["name"].as_str().unwrap_or_default()), versions.join(", ")));
    }
    s.push_str("\nWhich operations a version changes: `versions.json`.\n\n");
    s.push_str(&format!("| operation | {} |\n", names.iter().map(|n| label(n)).collect::<Vec<_>>().join(" | ")));
    s.push_str(&format!("| --- |{}\n", " :---: |".repeat(names.len())));
    for (id, on) in availability["operations"].as_object().into_iter().flatten() {
        let on: BTreeSet<&str> = on.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let cells: Vec<&str> = names.iter().map(|n| if on.contains(n.as_str()) { "yes" } else { "" }).collect();
        s.push_str(&format!("| `{id}` | {} |\n", cells.join(" | ")));
    }
    s
}

/// `spec/deployment-examples.json`: per deployment, the documented 2xx
/// response examples of vendored operations that differ from the vendored
/// description's, keyed like the fixtures (`<operationId>.<status>.<name>`).
pub fn differing_examples(spec: &Value, others: &[(String, Upstream)]) -> anyhow::Result<Value> {
    let ours: BTreeMap<String, Value> =
        crate::fixtures::extract(spec)?.into_iter().map(|e| (key(&e.file), e.value)).collect();
    let ids = operation_ids(spec);
    let mut out = Map::new();
    for (name, upstream) in others {
        let mut subset = upstream.doc.clone();
        // Keep only the vendored operations of that description.
        if let Some(paths) = subset.get_mut("paths").and_then(Value::as_object_mut) {
            for item in paths.values_mut() {
                if let Some(item) = item.as_object_mut() {
                    item.retain(|m, op| {
                        !crate::METHODS.contains(&m.as_str())
                            || op.get("operationId").and_then(Value::as_str).is_some_and(|id| ids.contains(id))
                    });
                }
            }
        }
        let mut differing = Map::new();
        for e in crate::fixtures::extract(&subset)? {
            let k = key(&e.file);
            let status = k.split('.').nth(1).unwrap_or_default();
            if status.starts_with('2') && ours.get(&k) != Some(&e.value) {
                differing.insert(k, e.value);
            }
        }
        out.insert(name.clone(), Value::Object(differing));
    }
    Ok(Value::Object(out))
}

fn key(file: &Path) -> String {
    file.to_string_lossy().trim_end_matches(".json").replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_map_to_deployments() {
        assert_eq!(deployment_of_file("api.github.com.json").as_deref(), Some("github.com"));
        assert_eq!(deployment_of_file("ghes-3.19.json").as_deref(), Some("ghes-3.19"));
        assert_eq!(deployment_of_file("ghec.json").as_deref(), Some("ghec"));
        assert_eq!(deployment_of_file("ghes-x.json"), None);
        assert_eq!(deployment_of_file("notes.md"), None);
        let mut names = vec!["ghes-3.9", "ghes-3.17", "ghec", "github.com"];
        names.sort_by_key(|n| order_key(n));
        assert_eq!(names, ["github.com", "ghec", "ghes-3.9", "ghes-3.17"]);
        assert!(default_url("github.com").ends_with("/descriptions/api.github.com/api.github.com.json"));
    }
}
