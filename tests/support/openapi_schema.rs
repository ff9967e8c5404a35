//! Conversion of OpenAPI 3.0 schema objects into JSON Schema (draft 7), so
//! that a standard validator can check instances against the vendored spec.
//!
//! The differences handled: `nullable: true` (OpenAPI 3.0 only) becomes a
//! `"null"` type, enum member or `anyOf` branch; `$ref`s to
//! `#/components/schemas/*` become `#/definitions/*` (siblings of `$ref` are
//! ignored, as OpenAPI 3.0 says); boolean `exclusiveMinimum`/`exclusiveMaximum`
//! become draft-7 numbers; OpenAPI-only keywords (`example`, `discriminator`,
//! `xml`, `externalDocs`, `deprecated`, `x-*`) are dropped.

use serde_json::{Map, Value, json};

const DROPPED: &[&str] = &["nullable", "example", "discriminator", "xml", "externalDocs", "deprecated"];

/// Converts one OpenAPI 3.0 schema object into a JSON Schema draft-7 object.
pub fn convert(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    if let Some(Value::String(r)) = map.get("$ref") {
        return json!({"$ref": r.replace("#/components/schemas/", "#/definitions/")});
    }
    let mut out = Map::new();
    for (k, v) in map {
        if DROPPED.contains(&k.as_str()) || k.starts_with("x-") {
            continue;
        }
        let converted = match k.as_str() {
            "properties" | "patternProperties" => {
                Value::Object(v.as_object().into_iter().flatten().map(|(n, s)| (n.clone(), convert(s))).collect())
            }
            "items" | "additionalProperties" | "not" => convert(v),
            "allOf" | "anyOf" | "oneOf" => Value::Array(v.as_array().into_iter().flatten().map(convert).collect()),
            _ => v.clone(),
        };
        out.insert(k.clone(), converted);
    }
    for (flag, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        if let Some(Value::Bool(exclusive)) = out.get(flag).cloned() {
            out.remove(flag);
            if exclusive && let Some(b) = out.remove(bound) {
                out.insert(flag.to_string(), b);
            }
        }
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(Value::Array(members)) = out.get_mut("enum")
            && !members.contains(&Value::Null)
        {
            members.push(Value::Null);
        }
        match out.get("type").cloned() {
            Some(Value::String(t)) => {
                out.insert("type".into(), json!([t, "null"]));
            }
            Some(_) => {}
            None if out.contains_key("enum") => {}
            None => return json!({"anyOf": [Value::Object(out), {"type": "null"}]}),
        }
    }
    Value::Object(out)
}

/// Builds a self-contained draft-7 schema for `schema` (an OpenAPI schema
/// object that may `$ref` components of `spec`).
pub fn document(spec: &Value, schema: &Value) -> Value {
    let definitions: Map<String, Value> = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(n, s)| (n.clone(), convert(s)))
        .collect();
    let mut root = match convert(schema) {
        Value::Object(m) => m,
        other => {
            let mut m = Map::new();
            m.insert("allOf".into(), json!([other]));
            m
        }
    };
    root.insert("$schema".into(), json!("http://json-schema.org/draft-07/schema#"));
    root.insert("definitions".into(), Value::Object(definitions));
    Value::Object(root)
}

/// Validates `instance` against `schema` (an OpenAPI schema object of
/// `spec`); returns every violation, each with its location.
pub fn validate(spec: &Value, schema: &Value, instance: &Value) -> Result<(), Vec<String>> {
    let doc = document(spec, schema);
    let validator = jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&doc)
        .map_err(|e| vec![format!("the converted schema is invalid: {e}")])?;
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("at {}: {}", e.instance_path(), e)).collect();
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}
