//! The subset: selected operations plus exactly the transitive closure of the
//! components they reference.

use crate::selection::SelectedOp;
use anyhow::{Result, bail};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Top-level keys copied from the upstream description as they are.
const KEPT_TOP_LEVEL: &[&str] = &["openapi", "info", "servers", "externalDocs"];

/// Path-item keys that are not operations and belong to every operation.
const PATH_ITEM_SHARED: &[&str] = &["summary", "description", "servers", "parameters"];

/// Builds the subset of `doc` holding only `ops` and the components they
/// reference (transitively). Tags are kept only where a selected operation
/// uses them; webhooks are dropped.
pub fn subset(doc: &Value, ops: &[SelectedOp]) -> Result<Value> {
    let mut out = Map::new();
    for key in KEPT_TOP_LEVEL {
        if let Some(v) = doc.get(*key) {
            out.insert(key.to_string(), v.clone());
        }
    }
    let mut paths: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    let mut used_tags = BTreeSet::new();
    for op in ops {
        let item = &doc["paths"][&op.path];
        let entry = paths.entry(&op.path).or_insert_with(|| {
            PATH_ITEM_SHARED.iter().filter_map(|k| item.get(*k).map(|v| (k.to_string(), v.clone()))).collect()
        });
        let operation = &item[&op.method];
        for tag in operation.get("tags").and_then(Value::as_array).into_iter().flatten() {
            if let Some(t) = tag.as_str() {
                used_tags.insert(t.to_string());
            }
        }
        entry.insert(op.method.clone(), operation.clone());
    }
    out.insert(
        "paths".into(),
        Value::Object(paths.into_iter().map(|(k, v)| (k.to_string(), Value::Object(v))).collect()),
    );
    if let Some(tags) = doc.get("tags").and_then(Value::as_array) {
        let kept: Vec<Value> = tags
            .iter()
            .filter(|t| t.get("name").and_then(Value::as_str).is_some_and(|n| used_tags.contains(n)))
            .cloned()
            .collect();
        out.insert("tags".into(), Value::Array(kept));
    }
    if let Some(components) = doc.get("components") {
        out.insert("components".into(), components.clone());
    }
    let mut out = Value::Object(out);
    prune_components(&mut out)?;
    Ok(out)
}

/// A `#/components/<kind>/<name>` reference, split.
fn split_ref(reference: &str) -> Result<(String, String)> {
    let Some(rest) = reference.strip_prefix("#/components/") else {
        bail!("unsupported $ref `{reference}`: only local #/components/... references are supported");
    };
    let mut parts = rest.split('/');
    let (Some(kind), Some(name)) = (parts.next(), parts.next()) else {
        bail!("malformed $ref `{reference}`");
    };
    let unescape = |s: &str| s.replace("~1", "/").replace("~0", "~");
    Ok((unescape(kind), unescape(name)))
}

/// Collects every `$ref` string inside `value`.
pub fn collect_refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(s)) => out.push(s),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Removes every component that nothing outside `components` references,
/// directly or through other components. Returns how many were removed.
pub fn prune_components(doc: &mut Value) -> Result<usize> {
    let Some(obj) = doc.as_object() else { bail!("not a JSON object") };
    let mut roots = Vec::new();
    for (k, v) in obj {
        if k != "components" {
            collect_refs(v, &mut roots);
        }
    }
    let empty = Map::new();
    let components = obj.get("components").and_then(Value::as_object).unwrap_or(&empty);
    let mut keep: BTreeSet<(String, String)> = BTreeSet::new();
    let mut work: Vec<String> = roots.into_iter().map(str::to_string).collect();
    while let Some(reference) = work.pop() {
        let key = split_ref(&reference)?;
        if keep.contains(&key) {
            continue;
        }
        let Some(target) = components.get(&key.0).and_then(|k| k.get(&key.1)) else {
            bail!("$ref `{reference}` points at nothing");
        };
        let mut found = Vec::new();
        collect_refs(target, &mut found);
        work.extend(found.into_iter().map(str::to_string));
        keep.insert(key);
    }
    // Security schemes are referenced by name from `security` requirements.
    let mut schemes = BTreeSet::new();
    collect_security_names(doc, &mut schemes);
    let mut removed = 0;
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        for (kind, items) in components.iter_mut() {
            let Some(items) = items.as_object_mut() else {
                continue;
            };
            let before = items.len();
            items.retain(|name, _| {
                keep.contains(&(kind.clone(), name.clone())) || (kind == "securitySchemes" && schemes.contains(name))
            });
            removed += before - items.len();
        }
        components.retain(|_, items| items.as_object().is_none_or(|m| !m.is_empty()));
    }
    Ok(removed)
}

fn collect_security_names(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "security" {
                    for req in v.as_array().into_iter().flatten() {
                        for name in req.as_object().into_iter().flat_map(|m| m.keys()) {
                            out.insert(name.clone());
                        }
                    }
                } else if k != "components" {
                    collect_security_names(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_security_names(v, out)),
        _ => {}
    }
}

/// Counts the components of each kind (`schemas`, `parameters`, ...).
pub fn component_counts(doc: &Value) -> BTreeMap<String, usize> {
    doc.get("components")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_object().map_or(0, Map::len)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_transitive_refs_of_every_kind_and_drops_the_rest() {
        let mut doc = json!({
            "paths": {"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/p"}],
                "responses": {"200": {"$ref": "#/components/responses/r"}}}}},
            "components": {
                "parameters": {"p": {"name": "p", "in": "query", "schema": {"$ref": "#/components/schemas/s1"}}, "unused": {}},
                "responses": {"r": {"description": "", "headers": {"link": {"$ref": "#/components/headers/link"}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/s2"},
                        "examples": {"default": {"$ref": "#/components/examples/e"}}}}}},
                "headers": {"link": {"schema": {"type": "string"}}, "other": {}},
                "examples": {"e": {"value": 1}, "f": {"value": 2}},
                "schemas": {"s1": {"type": "string"}, "s2": {"properties": {"x": {"$ref": "#/components/schemas/s3"}}},
                    "s3": {"type": "integer"}, "orphan": {"properties": {"y": {"$ref": "#/components/schemas/s1"}}}},
                "securitySchemes": {"unused": {}}
            }
        });
        let removed = prune_components(&mut doc).unwrap();
        assert_eq!(removed, 5);
        let counts = component_counts(&doc);
        assert_eq!(counts["schemas"], 3);
        assert_eq!(counts["parameters"], 1);
        assert_eq!(counts["headers"], 1);
        assert_eq!(counts["examples"], 1);
        assert!(!counts.contains_key("securitySchemes"));
    }

    #[test]
    fn dangling_and_foreign_refs_are_errors() {
        let mut doc = json!({"paths": {"/a": {"get": {"x": {"$ref": "#/components/schemas/missing"}}}}});
        assert!(prune_components(&mut doc).unwrap_err().to_string().contains("points at nothing"));
        let mut doc = json!({"paths": {"/a": {"get": {"x": {"$ref": "other.json#/x"}}}}});
        assert!(prune_components(&mut doc).unwrap_err().to_string().contains("unsupported $ref"));
    }

    #[test]
    fn escaped_pointer_segments_are_unescaped() {
        assert_eq!(split_ref("#/components/schemas/a~1b~0c").unwrap(), ("schemas".into(), "a/b~c".into()));
    }
}
