//! Normalization passes: each makes the subset digestible by progenitor
//! without changing what the API means. Every pass returns how many places it
//! changed, which `refresh-spec` prints and records in the provenance file.

use crate::versions::BASE_VERSION;
use anyhow::{Result, bail};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// Name of the merged error schema that [`merge_error_responses`] creates.
pub const MERGED_ERROR_SCHEMA: &str = "github-error";

/// One normalization pass.
pub struct Pass {
    /// Stable name, recorded in the provenance file.
    pub name: &'static str,
    /// The pass itself; returns how many places it changed.
    pub run: fn(&mut Value) -> Result<usize>,
}

/// Every pass, in the order applied.
pub const PASSES: &[Pass] = &[
    Pass { name: "set-api-version", run: set_api_version },
    // Early: what it declares goes through the passes below (ids, secrets).
    Pass { name: "version-union", run: crate::versions::union_of_versions },
    Pass { name: "merge-error-responses", run: merge_error_responses },
    Pass { name: "integer-ids-and-counts", run: integer_ids_and_counts },
    Pass { name: "label-code-fences", run: label_code_fences },
    Pass { name: "request-defaults-to-docs", run: request_defaults_to_docs },
    Pass { name: "hoist-response-schemas", run: hoist_response_schemas },
    Pass { name: "secret-strings", run: secret_strings },
];

/// Applies every pass in order; returns each pass's name and change count.
pub fn run_all(doc: &mut Value) -> Result<Vec<(&'static str, usize)>> {
    PASSES.iter().map(|p| Ok((p.name, (p.run)(doc)?))).collect()
}

/// Replaces `info.version` (octokit's package version) with the GitHub REST API version that progenitor will expose as `Client::api_version()`.
pub fn set_api_version(doc: &mut Value) -> Result<usize> {
    let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) else {
        bail!("the description has no \"info\" object");
    };
    if info.get("version").and_then(Value::as_str) == Some(BASE_VERSION) {
        return Ok(0);
    }
    info.insert("version".into(), json!(BASE_VERSION));
    Ok(1)
}

/// Is `status` (a response key) an error status: 4xx, 5xx, `4XX`, `5XX` or `default`?
fn is_error_status(status: &str) -> bool {
    status == "default" || status.starts_with('4') || status.starts_with('5')
}

/// Every operation object of the description, mutable.
pub fn operations_mut(doc: &mut Value) -> impl Iterator<Item = &mut Map<String, Value>> {
    doc.get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| {
            item.iter_mut().filter(|(k, _)| crate::METHODS.contains(&k.as_str())).filter_map(|(_, v)| v.as_object_mut())
        })
}

/// Where an error response's JSON schema lives.
enum ErrorSite {
    Component(String),
    Inline { path: String, method: String, status: String },
}

/// Merges every error response body schema (GitHub mixes `basic-error`, `validation-error`, `validation-error-simple`) into one schema keeping every field of each.
pub fn merge_error_responses(doc: &mut Value) -> Result<usize> {
    let mut sites = Vec::new();
    let mut schemas: Vec<Value> = Vec::new();
    let empty = Map::new();
    let paths = doc.get("paths").and_then(Value::as_object).unwrap_or(&empty);
    for (path, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !crate::METHODS.contains(&method.as_str()) {
                continue;
            }
            for (status, resp) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
                if !is_error_status(status) {
                    continue;
                }
                let (site, body) = match resp.get("$ref").and_then(Value::as_str) {
                    Some(r) => {
                        let name = r.strip_prefix("#/components/responses/").unwrap_or(r).to_string();
                        let body = doc["components"]["responses"].get(&name).cloned().unwrap_or(Value::Null);
                        (ErrorSite::Component(name), body)
                    }
                    None => (
                        ErrorSite::Inline { path: path.clone(), method: method.clone(), status: status.clone() },
                        resp.clone(),
                    ),
                };
                let Some(schema) = body.pointer("/content/application~1json/schema") else {
                    continue;
                };
                if !schemas.contains(schema) {
                    schemas.push(schema.clone());
                }
                sites.push(site);
            }
        }
    }
    let merged_ref = json!({"$ref": format!("#/components/schemas/{MERGED_ERROR_SCHEMA}")});
    schemas.retain(|s| s != &merged_ref);
    if schemas.len() < 2 {
        return Ok(0);
    }
    let resolved: Vec<Value> = schemas.iter().map(|s| resolve_schema(doc, s)).collect::<Result<_>>()?;
    let names: Vec<String> = schemas
        .iter()
        .map(|s| match s.get("$ref").and_then(Value::as_str) {
            Some(r) => format!("`{}`", r.rsplit('/').next().unwrap_or(r)),
            None => "an inline schema".to_string(),
        })
        .collect();
    let mut merged = merge_objects(&resolved);
    merged.insert("title".into(), json!("GitHub error"));
    merged.insert(
        "description".into(),
        json!(format!(
            "An error body as GitHub sends it: the union of {} (merged by gha-runners' spec normalization).",
            names.join(", ")
        )),
    );
    let components = doc
        .get_mut("components")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| anyhow::anyhow!("error responses reference schemas but there are no components"))?;
    let schemas_obj = components.entry("schemas").or_insert_with(|| json!({}));
    if schemas_obj.get(MERGED_ERROR_SCHEMA).is_some() {
        bail!("the upstream description already has a schema named {MERGED_ERROR_SCHEMA}");
    }
    schemas_obj[MERGED_ERROR_SCHEMA] = Value::Object(merged);
    let mut changed = 0;
    let mut done = BTreeSet::new();
    for site in sites {
        let target = match &site {
            ErrorSite::Component(name) => {
                if !done.insert(name.clone()) {
                    continue;
                }
                doc["components"]["responses"].get_mut(name)
            }
            ErrorSite::Inline { path, method, status } => doc["paths"][path][method]["responses"].get_mut(status),
        };
        if let Some(schema) = target.and_then(|r| r.pointer_mut("/content/application~1json/schema")) {
            *schema = merged_ref.clone();
            changed += 1;
        }
    }
    Ok(changed)
}

/// Follows a `#/components/schemas/...` reference (once) to its schema.
fn resolve_schema(doc: &Value, schema: &Value) -> Result<Value> {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let Some(name) = r.strip_prefix("#/components/schemas/") else {
                bail!("error schema $ref `{r}` is not a component schema");
            };
            match doc.pointer(&format!("/components/schemas/{}", name.replace('~', "~0").replace('/', "~1"))) {
                Some(s) => Ok(s.clone()),
                None => bail!("error schema $ref `{r}` points at nothing"),
            }
        }
        None => Ok(schema.clone()),
    }
}

/// Union of object schemas: every property of each (alternatives joined with
/// `oneOf`, arrays merged item-wise), required only where all require it.
fn merge_objects(schemas: &[Value]) -> Map<String, Value> {
    let mut names = BTreeSet::new();
    for s in schemas {
        names.extend(s.get("properties").and_then(Value::as_object).into_iter().flatten().map(|(k, _)| k.clone()));
    }
    let mut properties = Map::new();
    for name in &names {
        let alternatives: Vec<&Value> =
            schemas.iter().filter_map(|s| s.get("properties").and_then(|p| p.get(name))).collect();
        properties.insert(name.clone(), merge_alternatives(&alternatives));
    }
    let required: Vec<Value> = names
        .iter()
        .filter(|n| {
            schemas
                .iter()
                .all(|s| s.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|x| x == n.as_str())))
        })
        .map(|n| json!(n))
        .collect();
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    out.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required));
    }
    out
}

fn merge_alternatives(alternatives: &[&Value]) -> Value {
    let mut distinct: Vec<&Value> = Vec::new();
    for a in alternatives {
        if !distinct.contains(a) {
            distinct.push(a);
        }
    }
    match distinct.as_slice() {
        [one] => (*one).clone(),
        many if many.iter().all(|s| s.get("type") == Some(&json!("array"))) => {
            let items: Vec<&Value> = many.iter().filter_map(|s| s.get("items")).collect();
            json!({"type": "array", "items": merge_alternatives(&items)})
        }
        many => json!({"oneOf": many}),
    }
}

/// Turns identifiers and counts declared `type: number` (runner group `id`, list `total_count`) into integers.
pub fn integer_ids_and_counts(doc: &mut Value) -> Result<usize> {
    fn is_id(name: &str) -> bool {
        name == "id" || name.ends_with("_id") || name == "total_count" || name.ends_with("_count")
    }
    fn fix(schema: &mut Value) -> usize {
        let is_number = schema.get("type") == Some(&json!("number"))
            && !matches!(schema.get("format").and_then(Value::as_str), Some("float" | "double"));
        if is_number {
            schema["type"] = json!("integer");
            1
        } else {
            0
        }
    }
    fn walk(value: &mut Value) -> usize {
        let mut n = 0;
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get_mut("properties") {
                    n += props.iter_mut().filter(|(k, _)| is_id(k)).map(|(_, s)| fix(s)).sum::<usize>();
                }
                // A parameter: `{name, in, schema}`.
                if map.get("in").is_some()
                    && map.get("name").and_then(Value::as_str).is_some_and(is_id)
                    && let Some(s) = map.get_mut("schema")
                {
                    n += fix(s);
                }
                n += map.values_mut().map(walk).sum::<usize>();
            }
            Value::Array(items) => n += items.iter_mut().map(walk).sum::<usize>(),
            _ => {}
        }
        n
    }
    Ok(walk(doc))
}

/// Labels unlabeled Markdown code fences in descriptions as `text`, so rustdoc does not compile shell snippets as Rust doctests.
pub fn label_code_fences(doc: &mut Value) -> Result<usize> {
    fn relabel(text: &str) -> Option<String> {
        let mut open = false;
        let mut changed = false;
        let lines: Vec<String> = text
            .split('\n')
            .map(|line| {
                let trimmed = line.trim_start();
                if let Some(info) = trimmed.strip_prefix("```") {
                    if !open && info.trim().is_empty() {
                        changed = true;
                        open = true;
                        return format!("{}```text", &line[..line.len() - trimmed.len()]);
                    }
                    open = !open;
                }
                line.to_string()
            })
            .collect();
        changed.then(|| lines.join("\n"))
    }
    fn walk(value: &mut Value) -> usize {
        match value {
            Value::Object(map) => map
                .iter_mut()
                .map(|(k, v)| match v {
                    Value::String(text) if k == "description" || k == "summary" => match relabel(text) {
                        Some(new) => {
                            *text = new;
                            1
                        }
                        None => 0,
                    },
                    other => walk(other),
                })
                .sum(),
            Value::Array(items) => items.iter_mut().map(walk).sum(),
            _ => 0,
        }
    }
    Ok(walk(doc))
}

/// Moves `default`s of request-body properties into their descriptions, so generated request types do not send GitHub's defaults (a PATCH would reset what it leaves out).
pub fn request_defaults_to_docs(doc: &mut Value) -> Result<usize> {
    fn strip(schema: &mut Value) -> usize {
        let mut n = 0;
        let Some(obj) = schema.as_object_mut() else {
            return 0;
        };
        if let Some(Value::Object(props)) = obj.get_mut("properties") {
            for prop in props.values_mut() {
                if let Some(map) = prop.as_object_mut()
                    && let Some(default) = map.remove("default")
                {
                    let note = format!("GitHub's default: `{default}`.");
                    let text = match map.get("description").and_then(Value::as_str) {
                        Some(d) if !d.is_empty() => format!("{d} {note}"),
                        _ => note,
                    };
                    map.insert("description".into(), Value::String(text));
                    n += 1;
                }
                n += strip(prop);
            }
        }
        if let Some(items) = obj.get_mut("items") {
            n += strip(items);
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(alts)) = obj.get_mut(key) {
                n += alts.iter_mut().map(strip).sum::<usize>();
            }
        }
        n
    }
    let mut changed = 0;
    for op in operations_mut(doc) {
        if let Some(Value::Object(content)) = op.get_mut("requestBody").and_then(|b| b.get_mut("content")) {
            for media in content.values_mut() {
                if let Some(schema) = media.get_mut("schema") {
                    changed += strip(schema);
                }
            }
        }
    }
    Ok(changed)
}

/// Moves the inline schemas of named component responses into component schemas of the same name, so the operations sharing a response share one generated type (which the crate can then replace, e.g. the JIT config whose secret must never print).
pub fn hoist_response_schemas(doc: &mut Value) -> Result<usize> {
    let Some(responses) = doc.pointer("/components/responses").and_then(Value::as_object).cloned() else {
        return Ok(0);
    };
    let mut hoisted = 0;
    for (name, response) in responses {
        let Some(content) = response.get("content").and_then(Value::as_object) else { continue };
        for media in content.keys() {
            let pointer =
                format!("/components/responses/{name}/content/{}/schema", media.replace('~', "~0").replace('/', "~1"));
            let Some(schema) = doc.pointer(&pointer).cloned() else { continue };
            if schema.get("$ref").is_some() {
                continue;
            }
            let schema_name = name.replace('_', "-");
            let schemas = schemas_mut(doc)?;
            match schemas.get(&schema_name) {
                Some(existing) if existing != &schema => {
                    bail!("cannot hoist response `{name}`: a different schema `{schema_name}` exists already")
                }
                _ => {
                    schemas.insert(schema_name.clone(), schema);
                }
            }
            if let Some(slot) = doc.pointer_mut(&pointer) {
                *slot = json!({"$ref": format!("#/components/schemas/{schema_name}")});
                hoisted += 1;
            }
        }
    }
    Ok(hoisted)
}

/// `components.schemas`, created if missing.
fn schemas_mut(doc: &mut Value) -> Result<&mut Map<String, Value>> {
    doc.get_mut("components")
        .and_then(Value::as_object_mut)
        .map(|c| c.entry("schemas").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
        .ok_or_else(|| anyhow::anyhow!("components is not an object"))
}

/// Fields whose values are secrets (tokens, JIT configs). [`secret_strings`]
/// marks them in the vendored description; the crate's `build.rs` derives
/// `gha_runners::SECRET_FIELDS` from what was marked, so this is the one list.
pub const SECRET_FIELDS: &[&str] = &["token", "encoded_jit_config", "temp_download_token", "temp_clone_token"];

/// Name of the schema [`secret_strings`] points secret fields at; the crate
/// replaces its generated type with `gha_runners::Secret`.
pub const SECRET_SCHEMA: &str = "secret-string";

/// Points every string property named in [`SECRET_FIELDS`] at one `secret-string` schema, so the generated types hold them as the crate's `Secret`, which never prints its value.
pub fn secret_strings(doc: &mut Value) -> Result<usize> {
    /// `properties`: whether `value` is a `properties` map, whose keys are
    /// field names (so a field named `example` is still walked).
    fn walk(value: &mut Value, reference: &Value, properties: bool) -> Result<usize> {
        let mut n = 0;
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get_mut("properties") {
                    for (name, schema) in props.iter_mut().filter(|(k, _)| SECRET_FIELDS.contains(&k.as_str())) {
                        if schema == reference || schema.pointer("/allOf/0") == Some(reference) {
                            continue;
                        }
                        if schema.get("type") != Some(&json!("string")) {
                            bail!("secret field `{name}` is not a string ({schema}): extend the secret-strings pass");
                        }
                        *schema = if schema.get("nullable") == Some(&json!(true)) {
                            json!({"allOf": [reference], "nullable": true})
                        } else {
                            reference.clone()
                        };
                        n += 1;
                    }
                }
                for (key, v) in map.iter_mut() {
                    if properties || (key != "example" && key != "examples") {
                        n += walk(v, reference, !properties && key == "properties")?;
                    }
                }
            }
            Value::Array(items) => {
                for v in items {
                    n += walk(v, reference, false)?;
                }
            }
            _ => {}
        }
        Ok(n)
    }
    let reference = json!({"$ref": format!("#/components/schemas/{SECRET_SCHEMA}")});
    let n = walk(doc, &reference, false)?;
    if n > 0 {
        schemas_mut(doc)?.insert(
            SECRET_SCHEMA.into(),
            json!({"type": "string", "description": "A secret (a token or a JIT config): gha-runners holds it as `Secret`, which never prints its value."}),
        );
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_version_replaces_the_package_version_once() {
        let mut doc = json!({"info": {"version": "23.0.2"}});
        assert_eq!(set_api_version(&mut doc).unwrap(), 1);
        assert_eq!(doc["info"]["version"], BASE_VERSION);
        assert_eq!(set_api_version(&mut doc).unwrap(), 0);
        assert!(set_api_version(&mut json!({})).is_err());
    }

    fn error_doc() -> Value {
        json!({
            "paths": {"/a": {"post": {"responses": {
                "201": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}},
                "404": {"$ref": "#/components/responses/not_found"},
                "422": {"$ref": "#/components/responses/validation_failed"},
                "409": {"description": "c", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/simple"}}}}
            }}}},
            "components": {
                "responses": {
                    "not_found": {"description": "nf", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/basic"}}}},
                    "validation_failed": {"description": "v", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/validation"}}}}
                },
                "schemas": {
                    "basic": {"type": "object", "properties": {"message": {"type": "string"}, "status": {"type": "string"}}},
                    "validation": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"},
                        "errors": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "string"}}}}}},
                    "simple": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"},
                        "errors": {"type": "array", "items": {"type": "string"}}}}
                }
            }
        })
    }

    #[test]
    fn error_responses_share_one_schema_keeping_every_field() {
        let mut doc = error_doc();
        assert_eq!(merge_error_responses(&mut doc).unwrap(), 3);
        let merged = &doc["components"]["schemas"][MERGED_ERROR_SCHEMA];
        assert_eq!(merged["properties"]["message"], json!({"type": "string"}));
        assert_eq!(merged["properties"]["status"], json!({"type": "string"}));
        assert_eq!(
            merged["properties"]["errors"]["items"]["oneOf"],
            json!([{"type": "string"}, {"type": "object", "properties": {"code": {"type": "string"}}}])
        );
        assert!(merged.get("required").is_none(), "basic requires nothing, so nothing is required");
        let r = json!({"$ref": "#/components/schemas/github-error"});
        assert_eq!(doc["components"]["responses"]["not_found"]["content"]["application/json"]["schema"], r);
        assert_eq!(doc["paths"]["/a"]["post"]["responses"]["409"]["content"]["application/json"]["schema"], r);
        assert_eq!(
            doc["paths"]["/a"]["post"]["responses"]["201"]["content"]["application/json"]["schema"],
            json!({"type": "object"})
        );
        assert_eq!(merge_error_responses(&mut doc).unwrap(), 0, "second run changes nothing");
    }

    #[test]
    fn a_single_error_schema_is_left_alone() {
        let mut doc = json!({"paths": {"/a": {"get": {"responses": {
            "404": {"description": "x", "content": {"application/json": {"schema": {"type": "object"}}}}}}}}});
        assert_eq!(merge_error_responses(&mut doc).unwrap(), 0);
    }

    #[test]
    fn numeric_ids_and_counts_become_integers_but_other_numbers_stay() {
        let mut doc = json!({
            "components": {"schemas": {"g": {"properties": {
                "id": {"type": "number"}, "runner_group_id": {"type": "number"}, "total_count": {"type": "number"},
                "ratio": {"type": "number"}, "other_id": {"type": "number", "format": "double"},
                "nested": {"properties": {"id": {"type": "number"}}}}}},
              "parameters": {"p": {"name": "org_id", "in": "path", "schema": {"type": "number"}}}}
        });
        assert_eq!(integer_ids_and_counts(&mut doc).unwrap(), 5);
        assert_eq!(doc["components"]["schemas"]["g"]["properties"]["total_count"]["type"], "integer");
        let g = &doc["components"]["schemas"]["g"]["properties"];
        assert_eq!(g["id"]["type"], "integer");
        assert_eq!(g["runner_group_id"]["type"], "integer");
        assert_eq!(g["ratio"]["type"], "number");
        assert_eq!(g["other_id"]["type"], "number");
        assert_eq!(g["nested"]["properties"]["id"]["type"], "integer");
        assert_eq!(doc["components"]["parameters"]["p"]["schema"]["type"], "integer");
    }

    #[test]
    fn unlabeled_fences_get_a_text_label_and_closing_fences_stay() {
        let mut doc = json!({"paths": {"/a": {"post": {
            "description": "Run:\n\n```\n./config.sh --token TOKEN\n```\n\nthen\n```rust\nlet x = 1;\n```",
            "summary": "no fences",
            "x-other": "```\nnot a description\n```"}}}});
        assert_eq!(label_code_fences(&mut doc).unwrap(), 1);
        assert_eq!(
            doc["paths"]["/a"]["post"]["description"],
            "Run:\n\n```text\n./config.sh --token TOKEN\n```\n\nthen\n```rust\nlet x = 1;\n```"
        );
        assert_eq!(doc["paths"]["/a"]["post"]["x-other"], "```\nnot a description\n```");
        assert_eq!(label_code_fences(&mut doc).unwrap(), 0, "idempotent");
    }

    #[test]
    fn request_defaults_move_into_descriptions_and_responses_keep_theirs() {
        let mut doc = json!({"paths": {"/a": {"patch": {
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                "visibility": {"type": "string", "default": "all", "description": "Who may use it."},
                "image": {"type": "object", "properties": {"gen": {"type": "boolean", "default": false}}}}}}}},
            "responses": {"200": {"content": {"application/json": {"schema": {"properties": {
                "restricted": {"type": "boolean", "default": false}}}}}}}}}}});
        assert_eq!(request_defaults_to_docs(&mut doc).unwrap(), 2);
        let props = &doc["paths"]["/a"]["patch"]["requestBody"]["content"]["application/json"]["schema"]["properties"];
        assert_eq!(
            props["visibility"],
            json!({"type": "string", "description": "Who may use it. GitHub's default: `\"all\"`."})
        );
        assert_eq!(
            props["image"]["properties"]["gen"],
            json!({"type": "boolean", "description": "GitHub's default: `false`."})
        );
        let resp = &doc["paths"]["/a"]["patch"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(resp["properties"]["restricted"]["default"], false);
        assert_eq!(request_defaults_to_docs(&mut doc).unwrap(), 0);
    }

    #[test]
    fn inline_schemas_of_component_responses_become_named_schemas() {
        let mut doc = json!({"components": {
            "responses": {
                "runner_jitconfig": {"content": {"application/json": {"schema": {"type": "object", "properties": {"encoded_jit_config": {"type": "string"}}}}}},
                "not_found": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/github-error"}}}},
                "not_modified": {"description": "none"}
            },
            "schemas": {"github-error": {"type": "object"}}
        }});
        assert_eq!(hoist_response_schemas(&mut doc).unwrap(), 1);
        assert_eq!(
            doc["components"]["responses"]["runner_jitconfig"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/runner-jitconfig"})
        );
        assert_eq!(
            doc["components"]["schemas"]["runner-jitconfig"]["properties"]["encoded_jit_config"]["type"],
            "string"
        );
        assert_eq!(hoist_response_schemas(&mut doc).unwrap(), 0, "idempotent");
        let mut clash = json!({"components": {
            "responses": {"x": {"content": {"application/json": {"schema": {"type": "string"}}}}},
            "schemas": {"x": {"type": "integer"}}}});
        assert!(hoist_response_schemas(&mut clash).is_err());
    }

    #[test]
    fn secret_strings_point_every_secret_field_at_one_schema() {
        let mut doc = json!({
            "paths": {"/a": {"post": {"responses": {"201": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"token": {"type": "string", "description": "t"}, "name": {"type": "string"}},
                "example": {"token": "not a schema"}}}}}}}}},
            "components": {"schemas": {
                "repo": {"type": "object", "properties": {"temp_clone_token": {"type": "string", "nullable": true},
                    "example": {"type": "object", "properties": {"token": {"type": "string"}}}}},
                "app": {"type": "object", "properties": {"nested": {"type": "object", "properties": {"encoded_jit_config": {"type": "string"}}}}}
            }}
        });
        assert_eq!(secret_strings(&mut doc).unwrap(), 4);
        let r = json!({"$ref": "#/components/schemas/secret-string"});
        let schema = &doc["paths"]["/a"]["post"]["responses"]["201"]["content"]["application/json"]["schema"];
        assert_eq!(schema["properties"]["token"], r);
        assert_eq!(schema["properties"]["name"], json!({"type": "string"}));
        assert_eq!(schema["example"], json!({"token": "not a schema"}), "examples are values, not schemas");
        assert_eq!(
            doc["components"]["schemas"]["repo"]["properties"]["temp_clone_token"],
            json!({"allOf": [r], "nullable": true})
        );
        assert_eq!(doc["components"]["schemas"]["app"]["properties"]["nested"]["properties"]["encoded_jit_config"], r);
        let field_named_example = &doc["components"]["schemas"]["repo"]["properties"]["example"];
        assert_eq!(field_named_example["properties"]["token"], r, "a field named `example` is a schema");
        assert_eq!(doc["components"]["schemas"]["secret-string"]["type"], "string");
        assert_eq!(secret_strings(&mut doc).unwrap(), 0, "idempotent");
        let mut bad = json!({"components": {"schemas": {"x": {"properties": {"token": {"type": "integer"}}}}}});
        assert!(secret_strings(&mut bad).unwrap_err().to_string().contains("`token` is not a string"));
    }
}
