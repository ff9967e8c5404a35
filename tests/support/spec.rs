//! The vendored spec (`spec/openapi.json`) and the documented-example
//! fixtures extracted from it (`tests/fixtures/docs/`).

use serde_json::Value;
use std::path::{Path, PathBuf};

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Reads and parses a JSON file, naming it on failure.
pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The vendored spec.
pub fn spec() -> Value {
    read_json(&root().join("spec/openapi.json"))
}

/// One operation of the spec.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub op: Value,
}

/// Every operation of the spec, sorted by operationId.
pub fn operations(spec: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                out.push(Operation { id: id.into(), method: method.clone(), path: path.clone(), op: op.clone() });
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Follows a local `$ref` once.
pub fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => spec.pointer(&r[1..]).unwrap_or_else(|| panic!("$ref {r} points at nothing")),
        None => v,
    }
}

/// The JSON schema (OpenAPI form) of an operation's response for `status`,
/// or of its request body for `status == "request"`.
pub fn body_schema(spec: &Value, operation_id: &str, status: &str) -> Option<Value> {
    let op = operations(spec).into_iter().find(|o| o.id == operation_id)?.op;
    let container = if status == "request" { op.get("requestBody")? } else { op["responses"].get(status)? };
    let container = resolve(spec, container);
    container.pointer("/content/application~1json/schema").cloned()
}

/// A documented-example fixture file.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// `<operationId>.<status|request>.<example>`, the key used in
    /// `spec/example-defects.toml`.
    pub key: String,
    pub operation_id: String,
    /// An HTTP status, or `request`.
    pub status: String,
    pub path: PathBuf,
    pub value: Value,
}

/// Every fixture under `tests/fixtures/docs/`, sorted by key.
pub fn doc_fixtures() -> Vec<Fixture> {
    let dir = root().join("tests/fixtures/docs");
    let mut out = Vec::new();
    for tag in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display())) {
        let tag = tag.expect("dir entry").path();
        for file in std::fs::read_dir(&tag).expect("list tag dir") {
            let path = file.expect("dir entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).expect("utf-8 file name");
            let stem = name.strip_suffix(".json").unwrap_or_else(|| panic!("unexpected file {}", path.display()));
            let parts: Vec<&str> = stem.split('.').collect();
            assert_eq!(parts.len(), 3, "fixture name {name} is not <operation>.<status>.<example>.json");
            let tag_name = tag.file_name().and_then(|n| n.to_str()).expect("utf-8 dir name");
            let operation_id = format!("{tag_name}/{}", parts[0]);
            out.push(Fixture {
                key: format!("{operation_id}.{}.{}", parts[1], parts[2]),
                operation_id,
                status: parts[1].to_string(),
                value: read_json(&path),
                path,
            });
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// Reads one fixture by key (`<operationId>.<status>.<example>`).
pub fn doc_fixture(key: &str) -> Value {
    let (op, rest) = key.split_once('.').expect("key has a status");
    read_json(&root().join("tests/fixtures/docs").join(format!("{op}.{rest}.json")))
}

/// One entry of `spec/example-defects.toml`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defect {
    pub example: String,
    pub reason: String,
    /// File name under `tests/fixtures/corrected/`.
    pub corrected: String,
}

/// `spec/example-defects.toml`, keyed by fixture key.
pub fn example_defects() -> std::collections::BTreeMap<String, Defect> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        defect: Vec<Defect>,
    }
    let path = root().join("spec/example-defects.toml");
    let text = std::fs::read_to_string(&path).expect("spec/example-defects.toml");
    let file: File = toml::from_str(&text).unwrap_or_else(|e| panic!("spec/example-defects.toml: {e}"));
    let mut out = std::collections::BTreeMap::new();
    for d in file.defect {
        assert!(!d.reason.trim().is_empty(), "{}: a listed defect needs a reason", d.example);
        let key = d.example.clone();
        assert!(out.insert(key.clone(), d).is_none(), "{key} listed twice");
    }
    out
}

/// A corrected fixture by file name.
pub fn corrected_fixture(name: &str) -> Value {
    read_json(&root().join("tests/fixtures/corrected").join(name))
}

/// The payload tests should use for an example key: the documented example,
/// or its corrected copy when the example is a listed defect.
pub fn example_payload(key: &str) -> Value {
    match example_defects().get(key) {
        Some(d) => corrected_fixture(&d.corrected),
        None => doc_fixture(key),
    }
}

/// The payload a test server answers `operation_id` with for `status`: the
/// first documented example for that status (its corrected copy where it is a
/// listed defect), or `None` when the spec documents none.
pub fn response_payload(operation_id: &str, status: u16) -> Option<Value> {
    let prefix = format!("{operation_id}.{status}.");
    let key = doc_fixtures().into_iter().map(|f| f.key).find(|k| k.starts_with(&prefix))?;
    Some(example_payload(&key))
}

/// The operationId of the spec operation that `method` and `path` (no
/// query) address, matching path templates segment by segment.
pub fn operation_for(spec: &Value, method: &str, path: &str) -> Option<String> {
    let method = method.to_ascii_lowercase();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // Of the templates that match, the one with the most literal segments
    // (`/runners/downloads` before `/runners/{runner_id}`).
    operations(spec)
        .into_iter()
        .filter_map(|op| {
            let template: Vec<&str> = op.path.trim_start_matches('/').split('/').collect();
            let is_param = |t: &str| t.starts_with('{') && t.ends_with('}');
            let matches = op.method == method
                && template.len() == segments.len()
                && template.iter().zip(&segments).all(|(t, s)| is_param(t) || t == s);
            matches.then(|| (template.iter().filter(|t| !is_param(t)).count(), op.id))
        })
        .max_by_key(|(literals, _)| *literals)
        .map(|(_, id)| id)
}

/// The REST API versions of `spec/versions.json`, oldest first.
pub fn api_versions() -> Vec<String> {
    let record = read_json(&root().join("spec/versions.json"));
    record["versions"].as_array().expect("versions").iter().map(|v| v.as_str().expect("text").to_string()).collect()
}

/// `spec/openapi.json` as of a REST API version (its annotations applied).
pub fn spec_as_of(version: &str) -> Value {
    xtask::versions::derive(&spec(), version).unwrap_or_else(|e| panic!("deriving {version}: {e:#}"))
}

/// Every documented example of a REST API version, by fixture key
/// (`<operationId>.<status|request>.<example>`), from the version's
/// `derived` spec ([`spec_as_of`]) the way `cargo xtask fixtures` extracts
/// the committed ones.
pub fn examples_as_of(derived: &Value) -> std::collections::BTreeMap<String, Value> {
    let examples = xtask::fixtures::extract(derived).unwrap_or_else(|e| panic!("examples: {e:#}"));
    examples
        .into_iter()
        .map(|e| {
            // `<tag>/<operation>.<status>.<example>.json` is the key plus `.json`.
            let file = e.file.to_string_lossy().replace('\\', "/");
            (file.strip_suffix(".json").unwrap_or(&file).to_string(), e.value)
        })
        .collect()
}

/// The payload a test server answers `operation_id` with for `status` under
/// `version`: [`response_payload`] where the version does not change the
/// example, else the version's own example. A listed defect whose example a
/// version changes has no derived correction: that is a failure to resolve
/// by hand.
pub fn response_payload_as_of(
    examples: &std::collections::BTreeMap<String, Value>,
    operation_id: &str,
    status: u16,
) -> Option<Value> {
    let prefix = format!("{operation_id}.{status}.");
    let key = doc_fixtures().into_iter().map(|f| f.key).find(|k| k.starts_with(&prefix))?;
    let base = doc_fixture(&key);
    let derived = examples.get(&key).cloned().unwrap_or_else(|| panic!("{key}: no such example in the version"));
    if derived == base {
        return response_payload(operation_id, status);
    }
    assert!(!example_defects().contains_key(&key), "{key}: a listed defect that this version changes");
    Some(derived)
}
