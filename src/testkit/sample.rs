//! Instances of the vendored webhook schemas, built from the schemas' own
//! examples: the skeleton of every delivery the fake sends; and, from the
//! same builder, sample values of the crate's response types for tests.

use serde_json::{Map, Value, json};
use std::sync::OnceLock;

/// The vendored webhook description (`spec/webhooks.json`).
pub(crate) fn webhooks() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::from_str(include_str!("../../spec/webhooks.json")).unwrap_or(Value::Null))
}

/// A payload of the webhook schema `name` (`webhook-workflow-job-queued`)
/// of the vendored description, with every property the schema declares,
/// taken from the schema's own examples where it has them and made up (of
/// the declared type and format) where it has none; `None` when the
/// description has no such schema.
///
/// The fake's deliveries start from these; tests can use them to build a
/// delivery GitHub would send. Fields an autoscaler reads (the job, the
/// runner, the repository) are examples, not consistent with each other:
/// overwrite them.
///
/// ```
/// let queued = gha_runners::testkit::webhook_sample("webhook-workflow-job-queued").unwrap();
/// assert_eq!(queued["action"], "queued");
/// assert!(queued["workflow_job"]["labels"].is_array());
/// assert!(gha_runners::testkit::webhook_sample("webhook-push").is_none());
/// ```
pub fn webhook_sample(name: &str) -> Option<Value> {
    let doc = webhooks();
    doc.pointer(&format!("/components/schemas/{}", name.replace('~', "~0").replace('/', "~1")))?;
    Some(instance(doc, &json!({"$ref": format!("#/components/schemas/{name}")}), 0))
}

/// A value of one of the crate's response types for a test: every field
/// the type declares, with placeholder values of its type and format
/// (integers 7, strings `text`, timestamps `2026-11-30T04:00:00Z`, one item
/// per list, the first known value of an enum such as
/// [`RunnerStatus`](crate::types::RunnerStatus)), built from the type's
/// JSON Schema.
///
/// The response types are `#[non_exhaustive]` (GitHub adds fields in minor
/// releases), so code outside the crate cannot build one with a struct
/// literal: start from a sample and set what the test is about.
///
/// # Panics
///
/// If the type's schema yields a value its `Deserialize` refuses; the
/// crate's own tests try every response type.
///
/// ```
/// use gha_runners::types::{Runner, RunnerStatus};
/// let mut runner: Runner = gha_runners::testkit::sample();
/// runner.name = "build-1".into();
/// assert_eq!(runner.status, RunnerStatus::Online, "the first known value");
/// runner.status = RunnerStatus::Offline;
/// assert_eq!(runner.id.get(), 7);
/// assert!(!runner.labels.is_empty());
/// ```
pub fn sample<T: schemars::JsonSchema + serde::de::DeserializeOwned>() -> T {
    let root = serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null);
    let value = instance(&root, &root, 0);
    match serde_json::from_value(value.clone()) {
        Ok(t) => t,
        Err(e) => panic!("testkit::sample::<{}>: {value} does not decode: {e}", std::any::type_name::<T>()),
    }
}

/// `v` itself, or what its local `$ref`s lead to in `doc` (`Null` if
/// nothing; at most 16 steps, so a reference cycle ends).
pub(crate) fn resolve<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => v = r.strip_prefix('#').and_then(|p| doc.pointer(p)).unwrap_or(&Value::Null),
            None => return v,
        }
    }
    &Value::Null
}

/// An instance of `schema`: its example when it has one of its own type,
/// otherwise every property, recursively.
fn instance(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    // A JSON Schema type list (`["string", "null"]`, as schemars writes an
    // `Option`): the first type that is not null.
    if let Some(types) = schema.get("type").and_then(Value::as_array) {
        let mut one = schema.clone();
        one["type"] = types.iter().find(|t| *t != "null").cloned().unwrap_or(Value::Null);
        return instance(doc, &one, depth);
    }
    // GitHub's 3.1 `examples` on some arrays list items, not arrays: only
    // an example of the schema's own type is used.
    let fits = |e: &Value| match schema.get("type").and_then(Value::as_str) {
        Some("array") => e.is_array(),
        Some("object") => e.is_object(),
        Some("string") => e.is_string(),
        Some("integer") => e.is_i64() || e.is_u64(),
        Some("number") => e.is_number(),
        Some("boolean") => e.is_boolean(),
        _ => false,
    };
    if let Some(example) = schema.get("example").filter(|e| fits(e)) {
        return example.clone();
    }
    // JSON Schema's `examples` (an open enum's known values): the first.
    if let Some(example) = schema.get("examples").and_then(|e| e.get(0)).filter(|e| fits(e)) {
        return example.clone();
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        // One schema of all the parts, merged keyword by keyword, deeply.
        let mut merged = Value::Object(Map::new());
        for part in parts {
            deep_merge(doc, &mut merged, resolve(doc, part));
        }
        return instance(doc, &merged, depth + 1);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema.get(key).and_then(|a| a.get(0)) {
            return instance(doc, first, depth + 1);
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") | None if depth < 12 => Value::Object(
            schema["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, s)| (k.clone(), instance(doc, s, depth + 1)))
                .collect(),
        ),
        // Items of any shape (`{}`, `true`): none, since no value fits all.
        Some("array") => match resolve(doc, &schema["items"]) {
            Value::Bool(true) | Value::Null => json!([]),
            Value::Object(any) if any.keys().all(|k| k == "description" || k == "title") => json!([]),
            items => json!([instance(doc, items, depth + 1)]),
        },
        Some("integer") => json!(7),
        Some("number") => json!(7.5),
        Some("boolean") => json!(true),
        Some("string") => match schema["format"].as_str() {
            Some("date-time") => json!("2026-11-30T04:00:00Z"),
            Some("uri") => json!("https://example.com/x"),
            Some("email") => json!("octocat@example.com"),
            _ => json!("text"),
        },
        _ => Value::Null,
    }
}

/// Merges schema `more` into `into`: objects key by key (references
/// resolved), anything else replaced.
fn deep_merge(doc: &Value, into: &mut Value, more: &Value) {
    match (into, resolve(doc, more)) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in b {
                match a.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => deep_merge(doc, existing, value),
                    _ => {
                        a.insert(key.clone(), resolve(doc, value).clone());
                    }
                }
            }
        }
        (into, more) => *into = more.clone(),
    }
}
