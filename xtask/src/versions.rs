//! REST API versions.
//!
//! GitHub's unversioned description (`ghec.json`, what octokit ships) is
//! version [`BASE_VERSION`] plus `x-github-breaking-changes` annotations:
//! on each schema, operation or example a later version changes, a list of
//! `{changeset, version, patch}` whose `patch` is a JSON merge patch
//! (RFC 7386, an object) or a JSON Patch (RFC 6902, an array), relative to
//! the annotated object. Applying every patch of the versions up to V
//! gives version V's description ([`derive`]); GitHub derives its
//! `ghec.<version>.json` files the same way.
//!
//! The vendored subset keeps the annotations, so the crate's tests derive
//! each version from `spec/openapi.json` with the same functions.

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The version the unversioned description describes, the version GitHub
/// serves when a request names none, and the version the vendored
/// description is sent as (`X-GitHub-Api-Version`).
pub const BASE_VERSION: &str = "2022-11-28";

/// The extension that carries a later version's changes.
pub const ANNOTATION: &str = "x-github-breaking-changes";

/// Where the `version-union` pass records what it changed in a schema (the
/// `required` list it had, the properties it added), so that [`derive`]
/// starts every version from GitHub's own base.
pub const UNION_RECORD: &str = "x-gha-runners-version-union";

/// Applies a JSON merge patch (RFC 7386): objects merge key by key, `null`
/// removes a key, anything else (arrays included) replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(key);
            } else {
                merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

/// Applies a JSON Patch (RFC 6902: `add`, `remove`, `replace`, `move`,
/// `copy`, `test`), all or nothing: on an error `target` is unchanged and
/// the error names the operation that failed.
pub fn json_patch(target: &mut Value, operations: &[Value]) -> Result<()> {
    let mut patched = target.clone();
    for (i, op) in operations.iter().enumerate() {
        apply_operation(&mut patched, op).with_context(|| format!("JSON Patch operation {i} ({op})"))?;
    }
    *target = patched;
    Ok(())
}

fn apply_operation(doc: &mut Value, op: &Value) -> Result<()> {
    let text = |key: &str| op.get(key).and_then(Value::as_str).ok_or_else(|| anyhow!("no \"{key}\" string"));
    let value = || op.get("value").cloned().ok_or_else(|| anyhow!("no \"value\""));
    match text("op")? {
        "add" => add(doc, text("path")?, value()?),
        "remove" => remove(doc, text("path")?).map(drop),
        "replace" if text("path")?.is_empty() => {
            *doc = value()?;
            Ok(())
        }
        "replace" => {
            remove(doc, text("path")?)?;
            add(doc, text("path")?, value()?)
        }
        "move" => {
            let (from, path) = (text("from")?, text("path")?);
            if path.starts_with(&format!("{from}/")) {
                bail!("cannot move {from} into itself");
            }
            let moved = remove(doc, from)?;
            add(doc, path, moved)
        }
        "copy" => {
            let copied = doc.pointer(text("from")?).cloned().ok_or_else(|| anyhow!("nothing at \"from\""))?;
            add(doc, text("path")?, copied)
        }
        "test" => {
            let expected = value()?;
            match doc.pointer(text("path")?) {
                Some(found) if same(found, &expected) => Ok(()),
                _ => bail!("the value at the path is not the one tested"),
            }
        }
        other => bail!("unknown operation {other:?}"),
    }
}

/// JSON equality as RFC 6902's `test` defines it: numbers equal in value
/// are equal (`1` and `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// A JSON Pointer (RFC 6901) split into its parent and its unescaped last
/// token; `None` for the whole document.
fn split_pointer(path: &str) -> Result<Option<(&str, String)>> {
    if path.is_empty() {
        return Ok(None);
    }
    if !path.starts_with('/') {
        bail!("{path:?} is not a JSON Pointer");
    }
    let bad_escape = path.match_indices('~').any(|(i, _)| !matches!(path.as_bytes().get(i + 1), Some(b'0' | b'1')));
    if bad_escape {
        bail!("{path:?} has a `~` that is not `~0` or `~1`");
    }
    let cut = path.rfind('/').unwrap_or(0);
    Ok(Some((&path[..cut], path[cut + 1..].replace("~1", "/").replace("~0", "~"))))
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<()> {
    let Some((parent, token)) = split_pointer(path)? else {
        *doc = value;
        return Ok(());
    };
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(token, value);
            Ok(())
        }
        Some(Value::Array(items)) => {
            let index = if token == "-" { items.len() } else { array_index(&token)? };
            if index > items.len() {
                bail!("index {index} is past the end of the array");
            }
            items.insert(index, value);
            Ok(())
        }
        _ => bail!("no object or array at {parent:?}"),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value> {
    let Some((parent, token)) = split_pointer(path)? else { bail!("cannot remove the whole document") };
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => map.remove(&token).ok_or_else(|| anyhow!("nothing at {path:?}")),
        Some(Value::Array(items)) => {
            let index = array_index(&token)?;
            if index >= items.len() {
                bail!("nothing at {path:?}");
            }
            Ok(items.remove(index))
        }
        _ => bail!("nothing at {path:?}"),
    }
}

fn array_index(token: &str) -> Result<usize> {
    if token.is_empty() || (token.len() > 1 && token.starts_with('0')) || !token.bytes().all(|b| b.is_ascii_digit()) {
        bail!("{token:?} is not an array index");
    }
    token.parse().map_err(|_| anyhow!("{token:?} is not an array index"))
}

/// One later version's change to an annotated object.
fn patches(annotated: &Map<String, Value>) -> Result<Vec<(String, Value)>> {
    let Some(list) = annotated.get(ANNOTATION) else { return Ok(Vec::new()) };
    let list = list.as_array().ok_or_else(|| anyhow!("{ANNOTATION} is not an array"))?;
    let mut changes = list
        .iter()
        .map(|change| {
            let version = change["version"].as_str().ok_or_else(|| anyhow!("a change without a version: {change}"))?;
            check_calendar(version)?;
            Ok((version.to_string(), change["patch"].clone()))
        })
        .collect::<Result<Vec<_>>>()?;
    // Oldest first, whatever the order GitHub lists them in (stable within a version).
    changes.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(changes)
}

/// `Ok` for a calendar version `YYYY-MM-DD`.
fn check_calendar(version: &str) -> Result<()> {
    let b = version.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' && digits(0..4) && digits(5..7) && digits(8..10) {
        Ok(())
    } else {
        bail!("{version:?} is not a calendar version (YYYY-MM-DD)")
    }
}

/// Applies one patch of either form to `target`.
pub fn apply(target: &mut Value, patch: &Value) -> Result<()> {
    match patch {
        Value::Array(operations) => json_patch(target, operations),
        Value::Object(_) => {
            merge_patch(target, patch);
            Ok(())
        }
        other => bail!("a patch is an object (merge patch) or an array (JSON Patch), not {other}"),
    }
}

/// The versions `doc` describes: [`BASE_VERSION`] and every version its
/// annotations name, ascending (calendar versions sort as text).
pub fn versions(doc: &Value) -> Result<Vec<String>> {
    let mut found = BTreeSet::from([BASE_VERSION.to_string()]);
    let mut result = Ok(());
    visit(doc, &mut |object| match patches(object) {
        Ok(list) => found.extend(list.into_iter().map(|(v, _)| v)),
        Err(e) => result = Err(e),
    });
    result.map(|()| found.into_iter().collect())
}

/// Calls `f` on every object inside `value`, depth first.
fn visit(value: &Value, f: &mut impl FnMut(&Map<String, Value>)) {
    match value {
        Value::Object(map) => {
            f(map);
            map.values().for_each(|v| visit(v, f));
        }
        Value::Array(items) => items.iter().for_each(|v| visit(v, f)),
        _ => {}
    }
}

/// `doc` as of `version`: every annotated object gets the patches of the
/// versions up to `version`, in their order, children before their parent;
/// no annotation is left. Any calendar version works: one after the newest
/// annotated version is the newest description.
pub fn derive(doc: &Value, version: &str) -> Result<Value> {
    check_calendar(version)?;
    let mut derived = doc.clone();
    derive_in(&mut derived, version, "")?;
    Ok(derived)
}

fn derive_in(value: &mut Value, version: &str, at: &str) -> Result<()> {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key != ANNOTATION {
                    derive_in(child, version, &format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")))?;
                }
            }
            if let Some(record) = map.remove(UNION_RECORD) {
                undo_union(map, &record);
            }
            let list = patches(map).with_context(|| format!("at {at}"))?;
            map.remove(ANNOTATION);
            for (v, patch) in list.into_iter().filter(|(v, _)| v.as_str() <= version) {
                apply(value, &patch).with_context(|| format!("the {v} patch at {at}"))?;
            }
            Ok(())
        }
        Value::Array(items) => {
            items.iter_mut().enumerate().try_for_each(|(i, v)| derive_in(v, version, &format!("{at}/{i}")))
        }
        _ => Ok(()),
    }
}

/// Puts a schema back as GitHub's base version has it (see [`UNION_RECORD`]).
fn undo_union(schema: &mut Map<String, Value>, record: &Value) {
    if let Some(required) = record.get("required") {
        schema.insert("required".into(), required.clone());
    }
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for added in record["added"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            props.remove(added);
        }
    }
}

/// What a later version changed of one vendored operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationVersion {
    /// The version.
    pub version: String,
    /// Whether the operation exists in it.
    pub exists: bool,
    /// Whether its parameters, body or anything they reference differ from
    /// the previous version.
    pub request_changed: bool,
    /// Whether its responses or anything they reference differ.
    pub responses_changed: bool,
}

/// For every operation of `doc` (by operationId) and every version: does it
/// exist, and do its request and responses differ from the previous version.
pub fn operation_changes(doc: &Value) -> Result<BTreeMap<String, Vec<OperationVersion>>> {
    let versions = versions(doc)?;
    let derived: Vec<Value> = versions.iter().map(|v| derive(doc, v)).collect::<Result<_>>()?;
    let mut table: BTreeMap<String, Vec<OperationVersion>> = BTreeMap::new();
    for (i, version) in versions.iter().enumerate() {
        let now = operations(&derived[i]);
        let before = i.checked_sub(1).map(|p| operations(&derived[p]));
        let ids: BTreeSet<&String> = now.keys().chain(before.iter().flat_map(|b| b.keys())).collect();
        for id in ids {
            let (old, new) = (before.as_ref().and_then(|b| b.get(id)), now.get(id));
            let differs = |part: fn(&Value) -> Value| match (old, new, i) {
                (Some(o), Some(n), _) => {
                    let (po, pn) = (part(o), part(n));
                    po != pn || closure_differs(&derived[i - 1], &derived[i], &[&po, &pn])
                }
                _ => false,
            };
            table.entry(id.clone()).or_default().push(OperationVersion {
                version: version.clone(),
                exists: new.is_some(),
                request_changed: differs(request_part),
                responses_changed: differs(|op| op.get("responses").cloned().unwrap_or(Value::Null)),
            });
        }
    }
    Ok(table)
}

/// An operation's parameters and request body.
fn request_part(op: &Value) -> Value {
    json!({ "parameters": op.get("parameters"), "requestBody": op.get("requestBody") })
}

/// Every operation of a description by operationId (path-level parameters
/// merged in).
fn operations(doc: &Value) -> BTreeMap<String, Value> {
    crate::diff::operations(doc).into_iter().map(|(id, (_, op))| (id, op)).collect()
}

/// Whether any component reachable from `roots` differs between `old` and `new`.
fn closure_differs(old: &Value, new: &Value, roots: &[&Value]) -> bool {
    let mut seen = BTreeSet::new();
    let mut queue: Vec<String> = roots.iter().flat_map(|r| refs(r)).collect();
    while let Some(pointer) = queue.pop() {
        if !seen.insert(pointer.clone()) {
            continue;
        }
        let (a, b) = (old.pointer(&pointer), new.pointer(&pointer));
        if a != b {
            return true;
        }
        queue.extend(a.into_iter().chain(b).flat_map(refs));
    }
    false
}

/// The JSON Pointers of the local `$ref`s inside `value`.
fn refs(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    crate::closure::collect_refs(value, &mut out);
    out.into_iter().filter_map(|r| r.strip_prefix('#')).map(String::from).collect()
}

/// The REST API version a file name names, as in GitHub's versioned
/// descriptions (`ghec.2026-03-10.json`).
pub fn named_in(file_name: &str) -> Option<String> {
    let stem = file_name.rsplit('/').next()?.strip_suffix(".json")?;
    let version = stem.rsplit('.').next()?;
    check_calendar(version).ok().map(|()| version.to_string())
}

/// The operation-by-version record of a description one of GitHub's
/// versioned files gave (`named`, from its file name): that version only,
/// when the file carries no annotations; otherwise as [`record`].
pub fn record_as(doc: &Value, named: Option<&str>) -> Result<Value> {
    match named {
        Some(version) if versions(doc)? == [BASE_VERSION] => {
            let operations: Map<String, Value> = operations(doc)
                .into_keys()
                .map(|id| {
                    let entry = json!({"exists": true, "request_changed": false, "responses_changed": false});
                    (id, json!({ version: entry }))
                })
                .collect();
            Ok(json!({ "base": version, "versions": [version], "operations": operations }))
        }
        _ => record(doc),
    }
}

/// The versions a deployment's description serves: those of its
/// annotations, or the one its versioned file name names.
pub fn served_by(label: &str, doc: &Value) -> Vec<String> {
    match (named_in(label), versions(doc)) {
        (Some(named), Ok(found)) if found == [BASE_VERSION] => vec![named],
        (_, Ok(found)) => found,
        (_, Err(_)) => vec![BASE_VERSION.to_string()],
    }
}

/// The operation-by-version record written to `spec/versions.json`.
pub fn record(doc: &Value) -> Result<Value> {
    let changes = operation_changes(doc)?;
    let operations: Map<String, Value> = changes
        .into_iter()
        .map(|(id, per_version)| {
            let entries: Map<String, Value> = per_version
                .into_iter()
                .map(|v| {
                    let entry = json!({
                        "exists": v.exists,
                        "request_changed": v.request_changed,
                        "responses_changed": v.responses_changed,
                    });
                    (v.version, entry)
                })
                .collect();
            (id, Value::Object(entries))
        })
        .collect();
    Ok(json!({ "base": BASE_VERSION, "versions": versions(doc)?, "operations": operations }))
}

/// The `version-union` normalization: in every annotated schema, a
/// property a later version removes or stops requiring is no longer
/// required, and a property a later version adds is declared (optional),
/// so one generated type decodes every version's answers. The annotations
/// stay: [`derive`] still gives each version's own schema.
pub fn union_of_versions(doc: &mut Value) -> Result<usize> {
    let mut changed = 0;
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) else { return Ok(0) };
    for (name, schema) in schemas.iter_mut() {
        let Some(object) = schema.as_object() else { continue };
        let list = patches(object).with_context(|| format!("schema {name}"))?;
        if list.is_empty() {
            continue;
        }
        let mut base = Value::Object(object.clone());
        base.as_object_mut().map(|o| o.remove(ANNOTATION));
        let mut later = base.clone();
        let mut union_required: BTreeSet<String> = string_set(&base["required"]);
        let mut extra_properties = Map::new();
        for (version, patch) in &list {
            apply(&mut later, patch).with_context(|| format!("schema {name}, the {version} patch"))?;
            let required_later = string_set(&later["required"]);
            union_required.retain(|p| required_later.contains(p) && later["properties"].get(p).is_some());
            for (p, s) in later["properties"].as_object().into_iter().flatten() {
                if base["properties"].get(p).is_none() {
                    extra_properties.insert(p.clone(), s.clone());
                }
            }
        }
        for (p, s) in later["properties"].as_object().into_iter().flatten() {
            if let Some(old) = base["properties"].get(p)
                && old.get("type") != s.get("type")
                && s.get("type").is_some()
            {
                bail!(
                    "schema {name}: a later version changes the type of `{p}`; one generated type cannot decode both"
                );
            }
        }
        let Some(target) = schema.as_object_mut() else { continue };
        if target.contains_key(UNION_RECORD) {
            continue; // already merged
        }
        let original_required = target.get("required").cloned();
        let mut record = Map::new();
        let before = string_set(target.get("required").unwrap_or(&Value::Null));
        if before != union_required {
            if let Some(required) = &original_required {
                record.insert("required".into(), required.clone());
            }
            let kept: Vec<Value> = target["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p.as_str().is_some_and(|p| union_required.contains(p)))
                .cloned()
                .collect();
            target.insert("required".into(), Value::Array(kept));
            changed += 1;
        }
        if !extra_properties.is_empty() {
            let Some(props) = target.get_mut("properties").and_then(Value::as_object_mut) else {
                bail!("schema {name}: a later version adds properties, but it declares none to add them to");
            };
            record.insert("added".into(), extra_properties.keys().cloned().map(Value::from).collect());
            props.extend(extra_properties);
            changed += 1;
        }
        if !record.is_empty() {
            target.insert(UNION_RECORD.into(), Value::Object(record));
        }
    }
    Ok(changed)
}

fn string_set(value: &Value) -> BTreeSet<String> {
    value.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_follows_rfc_7386() {
        // The examples of RFC 7386, appendix A.
        let cases = [
            (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
            (json!({"a":"b"}), json!({"a":null}), json!({})),
            (json!({"a":"b","b":"c"}), json!({"a":null}), json!({"b":"c"})),
            (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
            (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
            (json!({"a":{"b":"c"}}), json!({"a":{"b":"d","c":null}}), json!({"a":{"b":"d"}})),
            (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a":"b"}), json!(["c"]), json!(["c"])),
            (json!({"a":"foo"}), json!(null), json!(null)),
            (json!({"a":"foo"}), json!("bar"), json!("bar")),
            (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
            (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
            (json!({}), json!({"a":{"bb":{"ccc":null}}}), json!({"a":{"bb":{}}})),
        ];
        for (target, patch, expected) in cases {
            let mut t = target.clone();
            merge_patch(&mut t, &patch);
            assert_eq!(t, expected, "{target} + {patch}");
        }
    }

    #[test]
    fn json_patch_follows_rfc_6902() {
        let mut doc = json!({"foo": ["bar", "baz"], "a/b": 1, "m~n": 2, "q": {"r": 3}});
        let ops = [
            json!({"op": "add", "path": "/foo/1", "value": "qux"}),
            json!({"op": "add", "path": "/foo/-", "value": "end"}),
            json!({"op": "remove", "path": "/a~1b"}),
            json!({"op": "replace", "path": "/m~0n", "value": 20}),
            json!({"op": "move", "from": "/q/r", "path": "/r"}),
            json!({"op": "copy", "from": "/foo/0", "path": "/first"}),
            json!({"op": "test", "path": "/first", "value": "bar"}),
        ];
        json_patch(&mut doc, &ops).unwrap();
        assert_eq!(doc, json!({"foo": ["bar", "qux", "baz", "end"], "m~n": 20, "q": {}, "r": 3, "first": "bar"}));
        // Numbers equal in value are equal; the root can be replaced; `~01` is `~1`.
        json_patch(&mut doc, &[json!({"op": "test", "path": "/r", "value": 3.0})]).unwrap();
        let mut escaped = json!({"~1": 1});
        json_patch(&mut escaped, &[json!({"op": "test", "path": "/~01", "value": 1})]).unwrap();
        json_patch(&mut doc, &[json!({"op": "replace", "path": "", "value": {"new": true}})]).unwrap();
        assert_eq!(doc, json!({"new": true}));
        let mut list = json!([1, 2, 3]);
        json_patch(&mut list, &[json!({"op": "move", "from": "/0", "path": "/2"})]).unwrap();
        assert_eq!(list, json!([2, 3, 1]));
    }

    #[test]
    fn a_failing_json_patch_changes_nothing_and_names_the_operation() {
        let original = json!({"a": 1, "list": [1]});
        for (bad, why) in [
            (json!({"op": "remove", "path": "/missing"}), "nothing at"),
            (json!({"op": "replace", "path": "/missing", "value": 1}), "nothing at"),
            (json!({"op": "add", "path": "/list/5", "value": 1}), "past the end"),
            (json!({"op": "add", "path": "/list/01", "value": 1}), "not an array index"),
            (json!({"op": "test", "path": "/a", "value": 2}), "not the one tested"),
            (json!({"op": "move", "from": "/list", "path": "/list/0"}), "into itself"),
            (json!({"op": "frobnicate", "path": "/a"}), "unknown operation"),
            (json!({"op": "add", "path": "a", "value": 1}), "not a JSON Pointer"),
            (json!({"op": "add", "path": "/a~2", "value": 1}), "not `~0` or `~1`"),
        ] {
            let mut doc = original.clone();
            let ops = [json!({"op": "add", "path": "/b", "value": 2}), bad];
            let err = format!("{:#}", json_patch(&mut doc, &ops).unwrap_err());
            assert_eq!(doc, original, "all or nothing");
            assert!(err.contains("operation 1") && err.contains(why), "{err}");
        }
    }

    fn annotated() -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": {
                "/rate_limit": {"get": {"operationId": "rate-limit/get", "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/overview"}}}}}}},
                "/runners": {"get": {"operationId": "runners/list", "responses": {"200": {"description": "ok"}}}}
            },
            "components": {
                "schemas": {
                    "overview": {
                        "type": "object",
                        "properties": {"resources": {"type": "object"}, "rate": {"$ref": "#/components/schemas/rate"}},
                        "required": ["rate", "resources"],
                        ANNOTATION: [{"changeset": "remove_rate", "version": "2026-03-10", "patch": {"properties": {"rate": null}, "required": ["resources"]}}]
                    },
                    "rate": {"type": "object"}
                },
                "examples": {
                    "overview": {
                        "value": {"resources": {}, "rate": {}},
                        ANNOTATION: [{"changeset": "remove_rate", "version": "2026-03-10", "patch": [{"op": "remove", "path": "/value/rate"}]}]
                    }
                }
            }
        })
    }

    #[test]
    fn each_version_is_derived_from_the_annotations() {
        let doc = annotated();
        assert_eq!(versions(&doc).unwrap(), ["2022-11-28", "2026-03-10"]);
        let old = derive(&doc, "2022-11-28").unwrap();
        let new = derive(&doc, "2026-03-10").unwrap();
        assert!(!old.to_string().contains(ANNOTATION) && !new.to_string().contains(ANNOTATION));
        assert_eq!(old["components"]["schemas"]["overview"]["required"], json!(["rate", "resources"]));
        assert_eq!(new["components"]["schemas"]["overview"]["required"], json!(["resources"]));
        assert!(new["components"]["schemas"]["overview"]["properties"].get("rate").is_none());
        assert_eq!(new["components"]["examples"]["overview"]["value"], json!({"resources": {}}));
        assert_eq!(derive(&doc, "2030-01-01").unwrap(), new, "a later version is the newest description");
        assert!(derive(&doc, "latest").is_err());
    }

    #[test]
    fn versioned_file_names_name_their_version() {
        assert_eq!(named_in("descriptions/ghec/ghec.2026-03-10.json").as_deref(), Some("2026-03-10"));
        assert_eq!(named_in("ghec.json"), None);
        assert_eq!(named_in("ghes-3.19.json"), None);
        assert_eq!(named_in("ghec.2026-3-10.json"), None);
        let plain = json!({"paths": {"/x": {"get": {"operationId": "a/b"}}}});
        let r = record_as(&plain, Some("2026-03-10")).unwrap();
        assert_eq!(r["versions"], json!(["2026-03-10"]));
        assert_eq!(r["operations"]["a/b"]["2026-03-10"]["exists"], true);
        assert_eq!(served_by("ghec.2026-03-10.json", &plain), ["2026-03-10"]);
        assert_eq!(served_by("ghes-3.19.json", &plain), [BASE_VERSION]);
        assert_eq!(served_by("ghec.json", &annotated()), ["2022-11-28", "2026-03-10"]);
    }

    #[test]
    fn operation_changes_follow_references() {
        let record = record(&annotated()).unwrap();
        let rate = &record["operations"]["rate-limit/get"];
        assert_eq!(rate["2022-11-28"], json!({"exists": true, "request_changed": false, "responses_changed": false}));
        assert_eq!(rate["2026-03-10"], json!({"exists": true, "request_changed": false, "responses_changed": true}));
        assert_eq!(record["operations"]["runners/list"]["2026-03-10"]["responses_changed"], false);
    }

    #[test]
    fn the_union_makes_what_a_later_version_removes_optional() {
        let mut doc = annotated();
        assert_eq!(union_of_versions(&mut doc).unwrap(), 1);
        let overview = &doc["components"]["schemas"]["overview"];
        assert_eq!(overview["required"], json!(["resources"]));
        assert!(overview["properties"].get("rate").is_some(), "still declared");
        assert!(overview.get(ANNOTATION).is_some(), "the annotation stays");
        assert_eq!(union_of_versions(&mut doc).unwrap(), 0, "idempotent");
        // Every version is still derived from GitHub's own base.
        let base = derive(&doc, "2022-11-28").unwrap();
        assert_eq!(base["components"]["schemas"]["overview"]["required"], json!(["rate", "resources"]));
        assert_eq!(base, derive(&annotated(), "2022-11-28").unwrap());
        assert_eq!(derive(&doc, "2026-03-10").unwrap(), derive(&annotated(), "2026-03-10").unwrap());
    }

    #[test]
    fn the_union_refuses_what_one_type_cannot_decode() {
        let mut doc = annotated();
        doc["components"]["schemas"]["overview"][ANNOTATION][0]["patch"] =
            json!({"properties": {"resources": {"type": "string"}}});
        let err = union_of_versions(&mut doc).unwrap_err().to_string();
        assert!(err.contains("changes the type of `resources`"), "{err}");
    }

    #[test]
    fn patches_apply_oldest_first_and_versions_must_be_dates() {
        let mut doc = json!({"components": {"schemas": {"s": {"properties": {"a": {"type": "string"}},
        ANNOTATION: [
            {"version": "2027-01-01", "patch": {"properties": {"a": {"description": "second"}}}},
            {"version": "2026-03-10", "patch": {"properties": {"a": {"description": "first"}}}}
        ]}}}});
        let derived = derive(&doc, "2027-01-01").unwrap();
        assert_eq!(derived["components"]["schemas"]["s"]["properties"]["a"]["description"], "second");
        doc["components"]["schemas"]["s"][ANNOTATION][0]["version"] = json!("");
        assert!(derive(&doc, "2027-01-01").is_err(), "an empty version is refused, not applied everywhere");
        assert!(derive(&doc, "2026-03_10").is_err());
    }
}
