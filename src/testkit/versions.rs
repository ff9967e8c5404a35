//! REST API versions in the fake: the version a request names (GitHub's
//! default when it names none, 400 for one GitHub does not serve), and each
//! answer shaped as that version documents it.
//!
//! The shapes come from the vendored spec's `x-github-breaking-changes`
//! annotations: walking an answer along its documented schema, every object
//! whose schema a version's merge patch removes properties from loses them
//! (2026-03-10: `rate` from the rate-limit overview, `has_downloads` and
//! more from repositories).

use super::catalog::spec;
use axum::http::HeaderMap;
use serde_json::Value;

/// The versions the fake serves: github.com's, from the vendored data.
fn served() -> &'static [&'static str] {
    crate::Deployment::GitHubCom.api_versions()
}

/// What a request without `X-GitHub-Api-Version` gets, as on GitHub.
const DEFAULT: &str = crate::transport::DEFAULT_API_VERSION;

/// The version a request asks for, or the message of GitHub's 400.
pub(crate) fn requested(headers: &HeaderMap) -> Result<&'static str, String> {
    let Some(value) = headers.get("x-github-api-version") else { return Ok(DEFAULT) };
    let asked = value.to_str().unwrap_or_default().trim();
    served().iter().find(|v| **v == asked).copied().ok_or_else(|| {
        format!(
            "Unsupported 'X-GitHub-Api-Version' header value: {asked:?}. Supported versions are: {}",
            served().join(", ")
        )
    })
}

/// Removes from `answer` what `version` removed from the schema of
/// `operation`'s `status` answer.
pub(crate) fn shape(operation: &str, status: u16, version: &str, answer: &mut Value) {
    if version == DEFAULT {
        return;
    }
    if let Some(schema) = answer_schema(operation, status) {
        prune(schema, version, answer, 0);
    }
}

/// The JSON schema of an operation's answer for a status.
fn answer_schema(operation: &str, status: u16) -> Option<&'static Value> {
    let doc = spec();
    for item in doc["paths"].as_object()?.values() {
        for op in item.as_object()?.values() {
            if op["operationId"] == operation {
                let response = resolve(&op["responses"][status.to_string()]);
                return Some(resolve(&response["content"]["application/json"]["schema"]));
            }
        }
    }
    None
}

/// Follows `$ref`s in the vendored spec.
fn resolve(value: &'static Value) -> &'static Value {
    super::sample::resolve(spec(), value)
}

/// Removes `property` from `object` and from every object inside it.
fn remove_deep(object: &mut serde_json::Map<String, Value>, property: &str) {
    object.remove(property);
    for child in object.values_mut() {
        remove_deep_value(child, property);
    }
}

fn remove_deep_value(value: &mut Value, property: &str) {
    match value {
        Value::Object(map) => remove_deep(map, property),
        Value::Array(items) => items.iter_mut().for_each(|v| remove_deep_value(v, property)),
        _ => {}
    }
}

/// Walks `value` along `schema`, dropping the properties a patch of a
/// version up to `version` removes (`{"properties": {"x": null}}`).
fn prune(schema: &'static Value, version: &str, value: &mut Value, depth: usize) {
    if depth > 32 {
        return;
    }
    let schema = resolve(schema);
    for key in ["allOf", "anyOf", "oneOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            prune(part, version, value, depth + 1);
        }
    }
    match value {
        Value::Object(object) => {
            for change in schema["x-github-breaking-changes"].as_array().into_iter().flatten() {
                if change["version"].as_str().is_some_and(|v| v <= version) {
                    for (property, patch) in change["patch"]["properties"].as_object().into_iter().flatten() {
                        if patch.is_null() {
                            // At any depth: an undeclared nested copy (a repository's
                            // `template_repository`) loses it too.
                            remove_deep(object, property);
                        }
                    }
                }
            }
            for (property, child) in object.iter_mut() {
                if let Some(child_schema) = schema["properties"].get(property) {
                    prune(child_schema, version, child, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                prune(&schema["items"], version, item, depth + 1);
            }
        }
        _ => {}
    }
}
