//! `cargo xtask refresh-webhooks`: the `workflow_job` webhook events of
//! GitHub's webhook description (OpenAPI 3.1, `webhooks` section; the npm
//! package `@octokit/openapi-webhooks`) vendored as `spec/webhooks.json`,
//! with exactly the schemas they reference, normalized into OpenAPI 3.0
//! that progenitor and typify digest, and a provenance record.

use crate::{canonical, source::Upstream};
use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::path::Path;

/// The events vendored: the `workflow_job` actions an autoscaler reacts to.
pub const EVENTS: &[&str] =
    &["workflow-job-queued", "workflow-job-in-progress", "workflow-job-completed", "workflow-job-waiting"];

/// File name of the vendored events inside the spec directory.
pub const WEBHOOKS_FILE: &str = "webhooks.json";
/// File name of their provenance record.
pub const WEBHOOKS_PROVENANCE_FILE: &str = "webhooks-provenance.json";

/// One normalization pass: a stable name and the function.
struct Pass {
    name: &'static str,
    run: fn(&mut Value) -> usize,
}

/// Every pass, in the order applied.
const PASSES: &[Pass] = &[
    Pass { name: "nullable-type-arrays", run: nullable_type_arrays },
    Pass { name: "null-alternatives", run: null_alternatives },
    Pass { name: "examples-to-example", run: examples_to_example },
    Pass { name: "integer-ids", run: integer_ids },
];

/// The vendored events and their provenance.
#[derive(Debug)]
pub struct Vendored {
    /// `spec/webhooks.json`.
    pub spec: Value,
    /// `spec/webhooks-provenance.json`.
    pub provenance: Value,
}

/// What changed between two vendored webhook descriptions: events added or
/// removed (a removed one breaks), and the schema changes [`diff::diff`]
/// finds, classified as for responses (the crate receives payloads: a
/// property removed, no longer required or newly nullable breaks).
///
/// [`diff::diff`]: crate::diff::diff
pub fn diff(old: &Value, new: &Value) -> crate::diff::Report {
    let mut report = crate::diff::diff(old, new);
    let events = |doc: &Value| -> BTreeSet<String> {
        doc.get("x-webhooks").and_then(Value::as_object).map(|m| m.keys().cloned().collect()).unwrap_or_default()
    };
    let (before, after) = (events(old), events(new));
    for (list, what, breaking) in
        [(after.difference(&before), "event added", false), (before.difference(&after), "event removed", true)]
    {
        for event in list {
            let semver = if breaking { crate::diff::Semver::Major } else { crate::diff::Semver::Minor };
            report.schemas.push(crate::diff::Change {
                subject: format!("event `{event}`"),
                what: what.into(),
                breaking,
                semver,
            });
        }
    }
    report.schemas.sort();
    report
}

/// Parses a webhook description: OpenAPI 3.1 with a `webhooks` object.
pub fn parse(label: String, bytes: &[u8]) -> Result<Upstream> {
    let sha256 = crate::source::sha256_hex(bytes);
    let doc: Value = serde_json::from_slice(bytes).with_context(|| format!("{label} is not JSON"))?;
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.1.") => {}
        other => bail!("{label} is not an OpenAPI 3.1 webhook description (openapi: {other:?})"),
    }
    if !doc.get("webhooks").is_some_and(Value::is_object) {
        bail!("{label} has no \"webhooks\" object");
    }
    Ok(Upstream { label, sha256, doc })
}

/// Loads a webhook description from a file or a URL.
pub fn load(from: &str) -> Result<Upstream> {
    let (label, bytes) = crate::source::read(from)?;
    parse(label, &bytes)
}

/// Selects [`EVENTS`] and the schemas they reference, normalizes them, and
/// checks the result is an OpenAPI 3.0 document.
pub fn build(upstream: &Upstream) -> Result<Vendored> {
    let doc = &upstream.doc;
    let mut events = Map::new();
    for event in EVENTS {
        let Some(item) = doc["webhooks"].get(*event) else { bail!("{}: no webhook event {event}", upstream.label) };
        events.insert(event.to_string(), item.clone());
    }
    // Every upstream schema, then only those the events reach.
    let all_schemas = doc.pointer("/components/schemas").cloned().unwrap_or_else(|| json!({}));
    let mut spec = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "GitHub workflow_job webhook events (vendored subset)",
            "version": doc.pointer("/info/version").cloned().unwrap_or(Value::Null),
        },
        "paths": {},
        "x-webhooks": events,
        "components": { "schemas": all_schemas },
    });
    crate::closure::prune_components(&mut spec).with_context(|| format!("{}: the events' schemas", upstream.label))?;
    let passes: Vec<(&str, usize)> = PASSES.iter().map(|p| (p.name, (p.run)(&mut spec))).collect();
    serde_json::from_value::<openapiv3::OpenAPI>(spec.clone())
        .context("the normalized webhook subset is not a valid OpenAPI 3.0 document (a pass is broken)")?;
    let provenance = json!({
        "source": upstream.label,
        "sha256": upstream.sha256,
        "upstream_openapi": doc.get("openapi"),
        "upstream_info_version": doc.pointer("/info/version"),
        "events": EVENTS,
        "schemas": spec["components"]["schemas"].as_object().map_or(0, Map::len),
        "normalization_passes": passes.iter().map(|(name, changed)| json!({"name": name, "changed": changed})).collect::<Vec<_>>(),
        "regenerate": format!("cargo xtask refresh-webhooks --from <{}>", upstream.label),
    });
    Ok(Vendored { spec, provenance })
}

/// Writes `spec/webhooks.json` and its provenance into `out_dir`.
pub fn write(vendored: &Vendored, out_dir: &Path) -> Result<()> {
    std::fs::create_dir_all(out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;
    for (name, value) in [(WEBHOOKS_FILE, &vendored.spec), (WEBHOOKS_PROVENANCE_FILE, &vendored.provenance)] {
        let path = out_dir.join(name);
        std::fs::write(&path, canonical::to_string(value))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Every object inside `value`, mutable, parents before children (passes
/// that must touch only schemas check the object themselves).
fn schemas_mut(value: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>) -> usize) -> usize {
    let mut changed = 0;
    match value {
        Value::Object(map) => {
            changed += f(map);
            for child in map.values_mut() {
                changed += schemas_mut(child, f);
            }
        }
        Value::Array(items) => {
            for child in items {
                changed += schemas_mut(child, f);
            }
        }
        _ => {}
    }
    changed
}

/// 3.1's `"type": ["string", "null"]` becomes 3.0's `"type": "string",
/// "nullable": true`.
pub fn nullable_type_arrays(doc: &mut Value) -> usize {
    schemas_mut(doc, &mut |map| {
        let Some(Value::Array(types)) = map.get("type") else { return 0 };
        let kinds: Vec<Value> = types.iter().filter(|t| t.as_str() != Some("null")).cloned().collect();
        let nullable = kinds.len() < types.len();
        match kinds.as_slice() {
            // Only `null`: 3.0 cannot say it; a nullable schema of any type.
            [] => {
                map.remove("type");
            }
            [one] => {
                map.insert("type".into(), one.clone());
            }
            // Several non-null types: 3.0 says it with `anyOf`.
            _ => {
                map.remove("type");
                let alternatives = kinds.into_iter().map(|k| json!({"type": k})).collect();
                map.insert("anyOf".into(), Value::Array(alternatives));
            }
        }
        if nullable {
            map.insert("nullable".into(), Value::Bool(true));
        }
        1
    })
}

/// `anyOf`/`oneOf` with a `{"type": "null"}` alternative becomes the other
/// alternatives, `nullable` (one `$ref` alone as `allOf: [$ref]`, the 3.0
/// way to make a reference nullable).
pub fn null_alternatives(doc: &mut Value) -> usize {
    schemas_mut(doc, &mut |map| {
        let mut changed = 0;
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(alternatives)) = map.get(key) else { continue };
            let is_null = |a: &Value| a.get("type").and_then(Value::as_str) == Some("null");
            if !alternatives.iter().any(is_null) {
                continue;
            }
            let rest: Vec<Value> = alternatives.iter().filter(|a| !is_null(a)).cloned().collect();
            map.remove(key);
            let combinator = if rest.len() == 1 { "allOf" } else { key };
            map.insert(combinator.into(), Value::Array(rest));
            map.insert("nullable".into(), Value::Bool(true));
            changed += 1;
        }
        changed
    })
}

/// 3.1's `examples` array on a schema becomes 3.0's single `example` (the
/// first). Property maps are left alone: a property may be named
/// `examples`.
pub fn examples_to_example(doc: &mut Value) -> usize {
    schemas_mut(doc, &mut |map| {
        let schema_like = map.contains_key("type") || map.contains_key("allOf") || map.contains_key("anyOf");
        match map.get("examples") {
            Some(Value::Array(examples)) if schema_like => {
                let first = examples.first().cloned();
                map.remove("examples");
                if let Some(first) = first {
                    map.entry("example").or_insert(first);
                }
                1
            }
            _ => 0,
        }
    })
}

/// Ids GitHub declares `number` (`run_id`) are integers: `id` and `*_id`
/// properties become `integer` (with `format: int64`), so they decode into
/// `i64` rather than a float that loses precision past 2^53.
pub fn integer_ids(doc: &mut Value) -> usize {
    schemas_mut(doc, &mut |map| {
        let Some(Value::Object(props)) = map.get_mut("properties") else { return 0 };
        let mut changed = 0;
        for (name, prop) in props.iter_mut() {
            let is_id = name == "id" || name.ends_with("_id");
            if is_id && prop.get("type").and_then(Value::as_str) == Some("number") {
                prop["type"] = json!("integer");
                prop.as_object_mut().map(|p| p.entry("format").or_insert(json!("int64")));
                changed += 1;
            }
        }
        changed
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_arrays_become_nullable_types() {
        let mut v = json!({"properties": {"a": {"type": ["string", "null"]}, "b": {"type": ["integer", "string"]}, "c": {"type": "string"}, "d": {"type": ["null"]}}});
        assert_eq!(nullable_type_arrays(&mut v), 3);
        assert_eq!(v["properties"]["d"], json!({"nullable": true}));
        assert_eq!(v["properties"]["a"], json!({"type": "string", "nullable": true}));
        assert_eq!(v["properties"]["b"], json!({"anyOf": [{"type": "integer"}, {"type": "string"}]}));
        assert_eq!(v["properties"]["c"], json!({"type": "string"}));
    }

    #[test]
    fn null_alternatives_become_nullable() {
        let mut v = json!({"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/x"}]});
        assert_eq!(null_alternatives(&mut v), 1);
        assert_eq!(v, json!({"allOf": [{"$ref": "#/components/schemas/x"}], "nullable": true}));
        let mut two = json!({"oneOf": [{"type": "null"}, {"type": "string"}, {"type": "integer"}]});
        null_alternatives(&mut two);
        assert_eq!(two, json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true}));
    }

    #[test]
    fn examples_become_one_example_but_a_property_named_examples_stays() {
        let mut v = json!({"type": "object", "properties": {"examples": {"type": "array", "items": {"type": "string"}}},
                           "examples": [{"a": 1}, {"a": 2}]});
        assert_eq!(examples_to_example(&mut v), 1);
        assert_eq!(v["example"], json!({"a": 1}));
        assert!(v.get("examples").is_none());
        assert!(v["properties"].get("examples").is_some());
    }

    #[test]
    fn the_diff_reports_events_and_payload_properties() {
        let old = json!({"x-webhooks": {"a": {}, "b": {}}, "components": {"schemas": {"s": {"type": "object",
            "required": ["x", "y"], "properties": {"x": {"type": "string"}, "y": {"type": "integer"}}}}}});
        let new = json!({"x-webhooks": {"a": {}, "c": {}}, "components": {"schemas": {"s": {"type": "object",
            "required": ["x"], "properties": {"x": {"type": "string", "nullable": true}, "z": {"type": "string"}}}}}});
        let report = diff(&old, &new);
        let changes: Vec<(String, bool)> =
            report.schemas.iter().map(|c| (format!("{}: {}", c.subject, c.what), c.breaking)).collect();
        for expected in [
            ("event `b`: event removed", true),
            ("event `c`: event added", false),
            ("schema `s`: property `y` removed", true),
            ("schema `s`: property `z` added (string)", false),
            ("schema `s`: property `x` became nullable", true),
        ] {
            assert!(changes.contains(&(expected.0.to_string(), expected.1)), "{expected:?} not in {changes:?}");
        }
        assert!(diff(&new, &new).is_empty());
        let md = report.markdown_titled("Webhook changes", "old", "new");
        assert!(md.starts_with("## Webhook changes: old → new"), "{md}");
    }

    #[test]
    fn the_diff_sees_into_the_all_of_of_the_vendored_payloads() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/webhooks.json");
        let old: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(diff(&old, &old).is_empty());
        // `workflow_job` of in_progress is an allOf of two inline parts.
        let mut new = old.clone();
        let job = &mut new["components"]["schemas"]["webhook-workflow-job-in-progress"]["properties"]["workflow_job"];
        assert!(job.get("allOf").is_some());
        for part in job["allOf"].as_array_mut().unwrap() {
            part["properties"].as_object_mut().unwrap().remove("runner_id");
        }
        job["allOf"][1]["properties"]["status"]["enum"] = json!(["in_progress", "completed"]);
        let changes: Vec<String> =
            diff(&old, &new).schemas.iter().map(|c| format!("{} {}", c.what, c.breaking)).collect();
        for expected in [
            "property `workflow_job.runner_id` removed true",
            "property `workflow_job.status`: enum value \"queued\" removed true",
        ] {
            assert!(changes.iter().any(|c| c == expected), "{expected} not in {changes:?}");
        }
    }

    #[test]
    fn number_ids_become_integers() {
        let mut v = json!({"properties": {"run_id": {"type": "number"}, "ratio": {"type": "number"}, "id": {"type": "integer"}}});
        assert_eq!(integer_ids(&mut v), 1);
        assert_eq!(v["properties"]["run_id"], json!({"type": "integer", "format": "int64"}));
        assert_eq!(v["properties"]["ratio"], json!({"type": "number"}));
    }

    #[test]
    fn events_and_their_schemas_are_selected_and_normalized() {
        let upstream = Upstream {
            label: "webhooks.json".into(),
            sha256: "0".into(),
            doc: json!({
                "openapi": "3.1.0", "info": {"version": "1.0"},
                "webhooks": Map::from_iter(EVENTS.iter().map(|e| (e.to_string(), json!({"post": {
                    "operationId": format!("workflow-job/{e}"),
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/job-event"}}}},
                    "responses": {"200": {"description": "ok"}}
                }})))),
                "components": {"schemas": {
                    "job-event": {"type": "object", "properties": {"run_id": {"type": "number"}, "sender": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/user"}]}}},
                    "user": {"type": ["object", "null"], "properties": {"login": {"type": "string", "examples": ["octocat"]}}},
                    "unrelated": {"type": "object"}
                }}
            }),
        };
        let v = build(&upstream).unwrap();
        let names: Vec<&String> = v.spec["components"]["schemas"].as_object().unwrap().keys().collect();
        assert_eq!(names, ["job-event", "user"], "exactly the referenced schemas");
        assert_eq!(v.spec["openapi"], "3.0.3");
        assert_eq!(v.provenance["schemas"], 2);
        let passes: Vec<(&str, u64)> = v.provenance["normalization_passes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap(), p["changed"].as_u64().unwrap()))
            .collect();
        assert_eq!(
            passes,
            [("nullable-type-arrays", 1), ("null-alternatives", 1), ("examples-to-example", 1), ("integer-ids", 1)]
        );
        let mut missing = upstream;
        missing.doc["webhooks"].as_object_mut().unwrap().remove("workflow-job-waiting");
        assert!(build(&missing).unwrap_err().to_string().contains("workflow-job-waiting"));
    }
}
