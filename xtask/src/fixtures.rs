//! `cargo xtask fixtures`: every documented example of the vendored
//! operations, one file each, under `tests/fixtures/docs/`.
//!
//! Layout: `<tag>/<operation>.<status>.<example>.json` for response examples
//! and `<tag>/<operation>.request.<example>.json` for request-body examples,
//! where `<tag>/<operation>` is the operationId. An inline `example` is named
//! `default`.

use crate::canonical;
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One extracted example: relative file path and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Path relative to the fixtures directory.
    pub file: PathBuf,
    /// The example value.
    pub value: Value,
}

/// Extracts every response and request-body example of `spec`.
pub fn extract(spec: &Value) -> Result<Vec<Example>> {
    let mut out = Vec::new();
    let paths = spec.get("paths").and_then(Value::as_object).context("spec has no paths")?;
    for item in paths.values() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !crate::METHODS.contains(&method.as_str()) {
                continue;
            }
            let id = op.get("operationId").and_then(Value::as_str).context("operation without operationId")?;
            if let Some(body) = op.get("requestBody") {
                let body = resolve(spec, body)?;
                collect(spec, id, "request", body, &mut out)?;
            }
            for (status, resp) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
                let resp = resolve(spec, resp)?;
                collect(spec, id, status, resp, &mut out)?;
            }
        }
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(out)
}

fn resolve<'a>(spec: &'a Value, v: &'a Value) -> Result<&'a Value> {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r.strip_prefix('#').with_context(|| format!("non-local $ref {r}"))?;
            spec.pointer(pointer).with_context(|| format!("$ref {r} points at nothing"))
        }
        None => Ok(v),
    }
}

fn collect(spec: &Value, id: &str, what: &str, container: &Value, out: &mut Vec<Example>) -> Result<()> {
    let Some(content) = container.get("content").and_then(Value::as_object) else {
        return Ok(());
    };
    let Some(media) = content.get("application/json").or_else(|| content.values().next()) else {
        return Ok(());
    };
    let mut found: BTreeMap<String, Value> = BTreeMap::new();
    if let Some(v) = media.get("example") {
        found.insert("default".into(), v.clone());
    }
    for (name, ex) in media.get("examples").and_then(Value::as_object).into_iter().flatten() {
        let ex = resolve(spec, ex)?;
        let Some(value) = ex.get("value") else {
            bail!("{id} {what}: example {name} has no inline value");
        };
        found.insert(name.clone(), value.clone());
    }
    for (name, value) in found {
        let safe: String =
            name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
        out.push(Example { file: PathBuf::from(format!("{id}.{what}.{safe}.json")), value });
    }
    Ok(())
}

/// Replaces `dir` with one file per example. Returns the number written.
pub fn write(examples: &[Example], dir: &Path) -> Result<usize> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    for ex in examples {
        let p = dir.join(&ex.file);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&p, canonical::to_string(&ex.value)).with_context(|| format!("cannot write {}", p.display()))?;
    }
    Ok(examples.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extracts_inline_named_and_referenced_examples_of_requests_and_responses() {
        let spec = json!({
            "paths": {"/a": {"post": {"operationId": "t/create",
                "requestBody": {"content": {"application/json": {"examples": {"default": {"value": {"name": "x"}}}}}},
                "responses": {
                    "201": {"content": {"application/json": {"examples": {"default": {"$ref": "#/components/examples/made"}}}}},
                    "404": {"$ref": "#/components/responses/nf"},
                    "204": {"description": "none"}
                }}}},
            "components": {"examples": {"made": {"value": {"id": 1}}},
                "responses": {"nf": {"content": {"application/json": {"example": {"message": "Not Found"}}}}}}
        });
        let ex = extract(&spec).unwrap();
        let files: Vec<_> = ex.iter().map(|e| e.file.to_string_lossy().into_owned()).collect();
        assert_eq!(files, ["t/create.201.default.json", "t/create.404.default.json", "t/create.request.default.json"]);
        assert_eq!(ex[0].value, json!({"id": 1}));
        assert_eq!(ex[1].value, json!({"message": "Not Found"}));
    }
}
