//! `cargo xtask diff`: what changed between the runner subsets of two
//! descriptions, as a Markdown report fit for a pull-request body, with each
//! change classified as breaking for users of the crate or not.
//!
//! Both sides go through the same selection and normalization as
//! `refresh-spec`, so the report speaks of what the crate would vendor.
//!
//! Classification: a removed operation, schema, property or parameter, a
//! changed type or format, a field that became required in a request (or
//! optional in a response: its Rust type becomes an `Option`), a value that
//! became nullable, a removed enum value and a new required parameter are
//! breaking; additions are not.
//!
//! Semver: each change also says what it does to the crate's Rust API
//! ([`Semver`]), under the policy in CONTRIBUTING.md: the generated types
//! follow the description field for field, so a new optional response
//! field or a new operation is **minor** (the facade's types are
//! `#[non_exhaustive]`; generated types are built with their builders),
//! and a removed or retyped field, a field whose Rust type gains or loses
//! its `Option`, a newly required request field, a removed enum value, a
//! new or changed parameter of an existing operation (the raw client's
//! methods take their parameters by position) or a removed operation is
//! **major**. The report opens with the verdict for the whole refresh.

use crate::selection::scope_of;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Where a schema is used, which decides whether a change breaks users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Role {
    request: bool,
    response: bool,
}

/// What a change does to the crate's Rust API: the release it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Semver {
    /// Nothing a Rust caller can see changes (documentation, a `required`
    /// flip on a field that stays an `Option`).
    Patch,
    /// Additions only: a minor release.
    Minor,
    /// Something callers compile or decode against changes: a major
    /// release.
    Major,
}

impl Semver {
    /// `patch`, `minor` or `major`.
    pub fn as_str(self) -> &'static str {
        match self {
            Semver::Patch => "patch",
            Semver::Minor => "minor",
            Semver::Major => "major",
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// What changed (`schema runner`, `actions/x request body`, ...).
    pub subject: String,
    /// The change, in words.
    pub what: String,
    /// Breaking for callers of the REST API.
    pub breaking: bool,
    /// What it does to the crate's Rust API.
    pub semver: Semver,
}

impl Change {
    fn new(subject: impl Into<String>, what: impl Into<String>, breaking: bool, semver: Semver) -> Self {
        Change { subject: subject.into(), what: what.into(), breaking, semver }
    }
}

/// An operation of a subset.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OpRef {
    /// operationId.
    pub id: String,
    /// Upper-case method.
    pub method: String,
    /// Path template.
    pub path: String,
}

/// The differences between two subsets.
#[derive(Debug, Default)]
pub struct Report {
    /// Operations only in the new subset.
    pub added: Vec<OpRef>,
    /// Operations only in the old subset.
    pub removed: Vec<OpRef>,
    /// Schema changes (components and inline response schemas).
    pub schemas: Vec<Change>,
    /// Parameter and request-body changes.
    pub requests: Vec<Change>,
}

impl Report {
    /// Whether anything is breaking for REST API callers.
    pub fn breaking(&self) -> bool {
        self.breaking_count() > 0
    }

    /// How many changes are breaking.
    pub fn breaking_count(&self) -> usize {
        self.removed.len() + self.schemas.iter().chain(&self.requests).filter(|c| c.breaking).count()
    }

    /// The release the whole refresh needs: the highest of its changes
    /// (an added operation is minor, a removed one major; nothing changed
    /// is a patch).
    pub fn semver(&self) -> Semver {
        let ops =
            [(!self.added.is_empty()).then_some(Semver::Minor), (!self.removed.is_empty()).then_some(Semver::Major)];
        let changes = self.schemas.iter().chain(&self.requests).map(|c| c.semver);
        ops.into_iter().flatten().chain(changes).max().unwrap_or(Semver::Patch)
    }

    /// The one-line verdict that opens the report.
    pub fn verdict(&self) -> String {
        let majors = self.removed.len()
            + self.schemas.iter().chain(&self.requests).filter(|c| c.semver == Semver::Major).count();
        let minors =
            self.added.len() + self.schemas.iter().chain(&self.requests).filter(|c| c.semver == Semver::Minor).count();
        match self.semver() {
            Semver::Major => format!(
                "Semver: **major** release: {majors} change(s) break the crate's Rust API ({minors} addition(s) besides)"
            ),
            Semver::Minor => format!("Semver: **minor** release: {minors} addition(s), nothing removed or retyped"),
            Semver::Patch => "Semver: **patch** release: the crate's Rust API does not change".to_string(),
        }
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.schemas.is_empty() && self.requests.is_empty()
    }

    /// The one-line-per-kind summary that opens the report.
    pub fn summary_lines(&self) -> Vec<String> {
        let by_scope = |ops: &[OpRef]| {
            let mut m: BTreeMap<&str, usize> = BTreeMap::new();
            for op in ops {
                *m.entry(scope_of(&op.path)).or_default() += 1;
            }
            if m.is_empty() {
                "none".to_string()
            } else {
                m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
            }
        };
        let count = |changes: &[Change]| {
            let b = changes.iter().filter(|c| c.breaking).count();
            format!("{} ({b} breaking)", changes.len())
        };
        vec![
            format!("- Operations added: {} ({})", self.added.len(), by_scope(&self.added)),
            format!("- Operations removed: {} ({})", self.removed.len(), by_scope(&self.removed)),
            format!("- Schema changes: {}", count(&self.schemas)),
            format!("- Parameter and request-body changes: {}", count(&self.requests)),
            format!(
                "- Breaking for REST API callers: {}",
                if self.breaking() { format!("yes, {}", self.breaking_count()) } else { "no".into() }
            ),
        ]
    }

    /// The Markdown report.
    pub fn markdown(&self, old_label: &str, new_label: &str) -> String {
        self.markdown_titled("Runner API changes", old_label, new_label)
    }

    /// The Markdown report under heading `title`.
    pub fn markdown_titled(&self, title: &str, old_label: &str, new_label: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "## {title}: {old_label} → {new_label}\n");
        let _ = writeln!(s, "{}\n", self.verdict());
        for line in self.summary_lines() {
            let _ = writeln!(s, "{line}");
        }
        if self.is_empty() {
            let _ = writeln!(s, "\nNo changes to the vendored operations.");
            return s;
        }
        let ops = |s: &mut String, title: &str, list: &[OpRef], breaking: bool| {
            if list.is_empty() {
                return;
            }
            let _ = writeln!(s, "\n### {title} ({})", list.len());
            let mut by_scope: BTreeMap<&str, Vec<&OpRef>> = BTreeMap::new();
            for op in list {
                by_scope.entry(scope_of(&op.path)).or_default().push(op);
            }
            for (scope, ops) in by_scope {
                let _ = writeln!(s, "\n{scope}:\n");
                for op in ops {
                    let (mark, semver) = if breaking { ("**breaking** ", Semver::Major) } else { ("", Semver::Minor) };
                    let _ = writeln!(s, "- {mark}`{}` `{} {}` [{}]", op.id, op.method, op.path, semver.as_str());
                }
            }
        };
        ops(&mut s, "Operations added", &self.added, false);
        ops(&mut s, "Operations removed", &self.removed, true);
        let changes = |s: &mut String, title: &str, list: &[Change]| {
            if list.is_empty() {
                return;
            }
            let _ = writeln!(s, "\n### {title} ({})", list.len());
            let mut by_subject: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
            for c in list {
                by_subject.entry(&c.subject).or_default().push(c);
            }
            for (subject, cs) in by_subject {
                let _ = writeln!(s, "\n{subject}:\n");
                for c in cs {
                    let mark = if c.breaking { "**breaking** " } else { "" };
                    let _ = writeln!(s, "- {mark}{} [{}]", c.what, c.semver.as_str());
                }
            }
        };
        changes(&mut s, "Schemas", &self.schemas);
        changes(&mut s, "Parameters and request bodies", &self.requests);
        s
    }
}

/// Every operation of a description by operationId, with its path's shared
/// parameters merged into its own.
pub(crate) fn operations(doc: &Value) -> BTreeMap<String, (OpRef, Value)> {
    let mut out = BTreeMap::new();
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !crate::METHODS.contains(&method.as_str()) {
                continue;
            }
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                let r = OpRef { id: id.into(), method: method.to_uppercase(), path: path.clone() };
                let mut op = op.clone();
                if let Some(shared) = item.get("parameters").and_then(Value::as_array) {
                    let mut params = shared.clone();
                    params.extend(op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default());
                    op["parameters"] = Value::Array(params);
                }
                out.insert(id.to_string(), (r, op));
            }
        }
    }
    out
}

/// Follows a local `$ref` (any kind) once.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => doc.pointer(pointer).unwrap_or(v),
        None => v,
    }
}

fn json_schema<'a>(doc: &'a Value, container: &'a Value) -> Option<&'a Value> {
    resolve(doc, container).pointer("/content/application~1json/schema")
}

/// Component schemas reachable from `v`, marked with `role`.
fn mark_roles(doc: &Value, v: &Value, role: Role, roles: &mut BTreeMap<String, Role>) {
    let mut refs = Vec::new();
    crate::closure::collect_refs(v, &mut refs);
    for r in refs {
        let Some(name) = r.strip_prefix("#/components/schemas/") else {
            continue;
        };
        let entry = roles.entry(name.to_string()).or_default();
        let before = *entry;
        entry.request |= role.request;
        entry.response |= role.response;
        if *entry != before
            && let Some(target) = doc.pointer(&format!("/components/schemas/{name}"))
        {
            mark_roles(doc, target, role, roles);
        }
    }
}

fn roles(doc: &Value) -> BTreeMap<String, Role> {
    let mut roles = BTreeMap::new();
    for (_, (_, op)) in operations(doc) {
        if let Some(body) = op.get("requestBody").and_then(|b| json_schema(doc, b)) {
            mark_roles(doc, body, Role { request: true, response: false }, &mut roles);
        }
        for (_, resp) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            if let Some(schema) = json_schema(doc, resp) {
                mark_roles(doc, schema, Role { request: false, response: true }, &mut roles);
            }
        }
    }
    roles
}

/// A short description of a schema's type.
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return format!("`{}`", r.rsplit('/').next().unwrap_or(r));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(alts) = schema.get(key).and_then(Value::as_array) {
            return format!("{key}({})", alts.iter().map(type_of).collect::<Vec<_>>().join(", "));
        }
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!("array of {}", schema.get("items").map(type_of).unwrap_or_else(|| "any".into())),
        Some(t) => match schema.get("format").and_then(Value::as_str) {
            Some(f) => format!("{t} ({f})"),
            None => t.to_string(),
        },
        None => "any".to_string(),
    }
}

/// Whether two [`type_of`] descriptions generate the same Rust type:
/// progenitor makes an `integer` without a format an `i64` and a `number`
/// without one an `f64`, so adding `int64` or `double` changes nothing.
fn same_rust_type(a: &str, b: &str) -> bool {
    let plain = |t: &str| t.replace("integer (int64)", "integer").replace("number (double)", "number");
    plain(a) == plain(b)
}

/// A type change: breaking and major, unless the Rust type stays the same.
fn retype(what: String, old: &str, new: &str) -> (String, bool, Semver) {
    if same_rust_type(old, new) {
        (format!("{what} type changed from {old} to {new} (the same Rust type)"), false, Semver::Patch)
    } else {
        (format!("{what} type changed from {old} to {new}"), true, Semver::Major)
    }
}

fn required(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect()
}

fn enum_values(schema: &Value) -> BTreeSet<String> {
    schema.get("enum").and_then(Value::as_array).into_iter().flatten().map(|v| v.to_string()).collect()
}

/// The enum changes of a property or parameter (`what`): one that becomes
/// an enum, or stops being one, is a generated enum type in place of a
/// `String` or the reverse (major; breaking for REST callers as `breaks`
/// says, for becoming and for stopping); otherwise each value added is
/// minor and each value removed major.
fn enum_changes(what: &str, old: &Value, new: &Value, breaks: (bool, bool)) -> Vec<(String, bool, Semver)> {
    let (oe, ne) = (enum_values(old), enum_values(new));
    match (oe.is_empty(), ne.is_empty()) {
        (true, true) => Vec::new(),
        (true, false) => vec![(format!("{what} became an enum"), breaks.0, Semver::Major)],
        (false, true) => vec![(format!("{what} is no longer an enum"), breaks.1, Semver::Major)],
        (false, false) => ne
            .difference(&oe)
            .map(|v| (format!("{what}: enum value {v} added"), false, Semver::Minor))
            .chain(oe.difference(&ne).map(|v| (format!("{what}: enum value {v} removed"), true, Semver::Major)))
            .collect(),
    }
}

fn has_default(schema: &Value) -> bool {
    schema.get("default").is_some()
}

/// Whether progenitor (typify) makes the field an `Option`: a nullable
/// one always; a required one never otherwise; an optional one unless it
/// is an array (a `Vec`, empty when absent) or has a default (the
/// default when absent).
fn rust_option(required: bool, schema: &Value) -> bool {
    if is_nullable(schema) {
        return true;
    }
    !required && schema.get("type").and_then(Value::as_str) != Some("array") && !has_default(schema)
}

fn is_nullable(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
}

/// `schema` with the inline parts of its `allOf` merged into it
/// (properties key by key, later parts refining earlier ones; `required`
/// united), so that a payload written as `allOf` compares property by
/// property. Parts that are references stay as they are.
fn flatten(schema: &Value) -> std::borrow::Cow<'_, Value> {
    let Some(parts) = schema.get("allOf").and_then(Value::as_array) else {
        return std::borrow::Cow::Borrowed(schema);
    };
    let mut merged = schema.clone();
    let mut properties = merged.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut required: BTreeSet<String> = self::required(schema);
    let mut kept = Vec::new();
    for part in parts {
        if part.get("$ref").is_some() {
            kept.push(part.clone());
            continue;
        }
        let part = flatten(part);
        for (name, p) in part.get("properties").and_then(Value::as_object).into_iter().flatten() {
            match (properties.get_mut(name), p) {
                (Some(Value::Object(have)), Value::Object(more)) => {
                    have.extend(more.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
                _ => {
                    properties.insert(name.clone(), p.clone());
                }
            }
        }
        required.extend(self::required(&part));
        if let (Some(t), None) = (part.get("type"), merged.get("type")) {
            merged["type"] = t.clone();
        }
    }
    if let Some(m) = merged.as_object_mut() {
        m.insert("properties".into(), Value::Object(properties));
        m.insert("required".into(), required.into_iter().map(Value::String).collect());
        if kept.is_empty() {
            m.remove("allOf");
        } else {
            m.insert("allOf".into(), Value::Array(kept));
        }
    }
    std::borrow::Cow::Owned(merged)
}

/// Compares two object schemas property by property (recursing into inline
/// objects, arrays of inline objects, and inline `allOf` parts).
fn compare_object(subject: &str, prefix: &str, old: &Value, new: &Value, role: Role, out: &mut Vec<Change>) {
    let (old, new) = (flatten(old), flatten(new));
    let (old, new) = (old.as_ref(), new.as_ref());
    let empty = Map::new();
    let old_props = old.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let new_props = new.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let (old_req, new_req) = (required(old), required(new));
    let mut nested: Vec<(String, &Value, &Value)> = Vec::new();
    let mut push =
        |what: String, breaking: bool, semver: Semver| out.push(Change::new(subject, what, breaking, semver));
    for (name, schema) in new_props {
        if !old_props.contains_key(name) {
            let req = new_req.contains(name);
            push(
                format!("property `{prefix}{name}` added ({}{})", type_of(schema), if req { ", required" } else { "" }),
                req && role.request,
                // A field the caller must now send is major; any other new
                // field is an addition (a response's, required or not).
                if req && role.request { Semver::Major } else { Semver::Minor },
            );
        }
    }
    for name in old_props.keys() {
        if !new_props.contains_key(name) {
            push(format!("property `{prefix}{name}` removed"), true, Semver::Major);
        }
    }
    for (name, old_p) in old_props {
        let Some(new_p) = new_props.get(name) else {
            continue;
        };
        let field = format!("{prefix}{name}");
        let (ot, nt) = (type_of(old_p), type_of(new_p));
        if ot != nt {
            let (what, breaking, semver) = retype(format!("property `{field}`"), &ot, &nt);
            push(what, breaking, semver);
        }
        // The generated field is an `Option` unless required and not
        // nullable: a flip of that is a retyped field.
        let retyped = rust_option(old_req.contains(name), old_p) != rust_option(new_req.contains(name), new_p);
        let option_flip = if retyped { Semver::Major } else { Semver::Patch };
        if has_default(old_p) != has_default(new_p) {
            let what = if has_default(new_p) { "gained" } else { "lost" };
            push(format!("property `{field}` {what} a default"), false, option_flip);
        }
        match (is_nullable(old_p), is_nullable(new_p)) {
            (false, true) => push(format!("property `{field}` became nullable"), role.response, option_flip),
            (true, false) => push(format!("property `{field}` is no longer nullable"), role.request, option_flip),
            _ => {}
        }
        match (old_req.contains(name), new_req.contains(name)) {
            (false, true) => push(
                format!("property `{field}` became required"),
                role.request,
                if role.request { Semver::Major } else { option_flip },
            ),
            (true, false) => push(format!("property `{field}` is no longer required"), role.response, option_flip),
            _ => {}
        }
        for (what, breaking, semver) in
            enum_changes(&format!("property `{field}`"), old_p, new_p, (role.request, role.response))
        {
            push(what, breaking, semver);
        }
        let objectish = |p: &Value| flatten(p).get("properties").is_some();
        if objectish(old_p) && objectish(new_p) {
            nested.push((format!("{field}."), old_p, new_p));
        }
        if let (Some(oi), Some(ni)) = (old_p.get("items"), new_p.get("items"))
            && oi.get("properties").is_some()
            && ni.get("properties").is_some()
        {
            nested.push((format!("{field}[]."), oi, ni));
        }
    }
    for (prefix, o, n) in nested {
        compare_object(subject, &prefix, o, n, role, out);
    }
}

/// Compares two normalized subsets.
pub fn diff(old: &Value, new: &Value) -> Report {
    let (old_ops, new_ops) = (operations(old), operations(new));
    let mut report = Report {
        added: new_ops.iter().filter(|(k, _)| !old_ops.contains_key(*k)).map(|(_, (r, _))| r.clone()).collect(),
        removed: old_ops.iter().filter(|(k, _)| !new_ops.contains_key(*k)).map(|(_, (r, _))| r.clone()).collect(),
        ..Report::default()
    };
    let new_roles = roles(new);
    let old_roles = roles(old);
    let empty = Map::new();
    let old_schemas = old.pointer("/components/schemas").and_then(Value::as_object).unwrap_or(&empty);
    let new_schemas = new.pointer("/components/schemas").and_then(Value::as_object).unwrap_or(&empty);
    for name in new_schemas.keys().filter(|k| !old_schemas.contains_key(*k)) {
        report.schemas.push(Change::new(format!("schema `{name}`"), "schema added", false, Semver::Minor));
    }
    for name in old_schemas.keys().filter(|k| !new_schemas.contains_key(*k)) {
        report.schemas.push(Change::new(format!("schema `{name}`"), "schema removed", true, Semver::Major));
    }
    for (name, old_s) in old_schemas {
        let Some(new_s) = new_schemas.get(name) else {
            continue;
        };
        let role = match (old_roles.get(name), new_roles.get(name)) {
            (_, Some(r)) | (Some(r), None) => *r,
            (None, None) => Role { request: false, response: true },
        };
        compare_object(&format!("schema `{name}`"), "", old_s, new_s, role, &mut report.schemas);
    }
    for (id, (_, new_op)) in &new_ops {
        let Some((_, old_op)) = old_ops.get(id) else {
            continue;
        };
        compare_parameters(old, new, id, old_op, new_op, &mut report.requests);
        let body = |doc: &'_ Value, op: &Value| op.get("requestBody").and_then(|b| json_schema(doc, b)).cloned();
        match (body(old, old_op), body(new, new_op)) {
            (Some(o), Some(n)) => compare_object(
                &format!("`{id}` request body"),
                "",
                resolve(old, &o),
                resolve(new, &n),
                Role { request: true, response: false },
                &mut report.requests,
            ),
            (None, Some(_)) => report.requests.push(Change::new(
                format!("`{id}` request body"),
                "request body added",
                true,
                Semver::Major,
            )),
            (Some(_), None) => report.requests.push(Change::new(
                format!("`{id}` request body"),
                "request body removed",
                true,
                Semver::Major,
            )),
            (None, None) => {}
        }
        // The raw method returns the 2xx body's type: a success status that
        // comes or goes, or a body that changes schema, retypes it.
        let successes = |doc: &Value, op: &Value| -> BTreeMap<String, Option<String>> {
            op.get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(status, _)| status.starts_with('2'))
                .map(|(status, r)| (status.clone(), json_schema(doc, r).map(type_of)))
                .collect()
        };
        let (old_ok, new_ok) = (successes(old, old_op), successes(new, new_op));
        let subject = format!("`{id}` responses");
        for (status, body) in &new_ok {
            match old_ok.get(status) {
                None => report.schemas.push(Change::new(
                    &subject,
                    format!("success status {status} added"),
                    false,
                    Semver::Major,
                )),
                Some(was) if was != body => report.schemas.push(Change::new(
                    &subject,
                    format!(
                        "status {status} body changed from {} to {}",
                        was.as_deref().unwrap_or("none"),
                        body.as_deref().unwrap_or("none")
                    ),
                    true,
                    Semver::Major,
                )),
                Some(_) => {}
            }
        }
        for status in old_ok.keys().filter(|s| !new_ok.contains_key(*s)) {
            report.schemas.push(Change::new(&subject, format!("success status {status} removed"), true, Semver::Major));
        }
        for (status, new_resp) in new_op.get("responses").and_then(Value::as_object).into_iter().flatten() {
            let Some(old_resp) = old_op.get("responses").and_then(|r| r.get(status)) else {
                continue;
            };
            if !status.starts_with('2') {
                continue;
            }
            if let (Some(o), Some(n)) = (json_schema(old, old_resp), json_schema(new, new_resp))
                && o.get("$ref").is_none()
                && n.get("$ref").is_none()
            {
                compare_object(
                    &format!("`{id}` {status} response"),
                    "",
                    o,
                    n,
                    Role { request: false, response: true },
                    &mut report.schemas,
                );
            }
        }
    }
    report.schemas.sort();
    report.requests.sort();
    report
}

fn compare_parameters(
    old_doc: &Value,
    new_doc: &Value,
    id: &str,
    old_op: &Value,
    new_op: &Value,
    out: &mut Vec<Change>,
) {
    let params = |doc: &Value, op: &Value| -> BTreeMap<(String, String), Value> {
        op.get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| resolve(doc, p).clone())
            .filter_map(|p| {
                let name = p.get("name")?.as_str()?.to_string();
                let place = p.get("in")?.as_str()?.to_string();
                Some(((place, name), p))
            })
            .collect()
    };
    let (old_p, new_p) = (params(old_doc, old_op), params(new_doc, new_op));
    let subject = format!("`{id}` parameters");
    let req = |p: &Value| p.get("required") == Some(&Value::Bool(true));
    // The raw client's methods take every parameter by position (an
    // optional one as an `Option`): any new, removed or retyped parameter,
    // or one whose `Option` comes or goes, changes a method's signature.
    for ((place, name), p) in &new_p {
        match old_p.get(&(place.clone(), name.clone())) {
            None => out.push(Change::new(
                &subject,
                format!("{place} parameter `{name}` added{}", if req(p) { " (required)" } else { "" }),
                req(p),
                Semver::Major,
            )),
            Some(o) => {
                if !req(o) && req(p) {
                    out.push(Change::new(
                        &subject,
                        format!("{place} parameter `{name}` became required"),
                        true,
                        Semver::Major,
                    ));
                }
                if req(o) && !req(p) {
                    out.push(Change::new(
                        &subject,
                        format!("{place} parameter `{name}` is no longer required"),
                        false,
                        Semver::Major,
                    ));
                }
                let (os, ns) = (o.get("schema").unwrap_or(&Value::Null), p.get("schema").unwrap_or(&Value::Null));
                for (what, breaking, semver) in
                    enum_changes(&format!("{place} parameter `{name}`"), os, ns, (true, true))
                {
                    out.push(Change::new(&subject, what, breaking, semver));
                }
                let (ot, nt) = (
                    o.get("schema").map(type_of).unwrap_or_default(),
                    p.get("schema").map(type_of).unwrap_or_default(),
                );
                if ot != nt {
                    let (what, breaking, semver) = retype(format!("{place} parameter `{name}`"), &ot, &nt);
                    out.push(Change::new(&subject, what, breaking, semver));
                }
            }
        }
    }
    for (place, name) in old_p.keys() {
        if !new_p.contains_key(&(place.clone(), name.clone())) {
            out.push(Change::new(&subject, format!("{place} parameter `{name}` removed"), true, Semver::Major));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(runner_props: Value, required: Value, body_required: Value, extra_op: bool) -> Value {
        let mut paths = json!({
            "/orgs/{org}/actions/runners": {"get": {"operationId": "a/list",
                "parameters": [{"name": "per_page", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/runner"}}}}}},
              "post": {"operationId": "a/create",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": body_required,
                    "properties": {"name": {"type": "string"}, "labels": {"type": "array", "items": {"type": "string"}}}}}}},
                "responses": {"201": {"description": "ok"}}}}
        });
        if extra_op {
            paths["/enterprises/{enterprise}/actions/runners"] =
                json!({"get": {"operationId": "e/list", "responses": {}}});
        }
        json!({"paths": paths, "components": {"schemas": {"runner": {"type": "object", "required": required, "properties": runner_props}}}})
    }

    #[test]
    fn classifies_additions_removals_and_changes() {
        let old = spec(
            json!({"id": {"type": "integer"}, "status": {"type": "string", "enum": ["online", "offline"]}, "os": {"type": "string"}, "busy": {"type": "boolean"}}),
            json!(["id", "busy"]),
            json!(["name"]),
            false,
        );
        let new = spec(
            json!({"id": {"type": "string"}, "status": {"type": "string", "enum": ["online", "draining"]}, "busy": {"type": "boolean"},
                   "version": {"type": "string", "nullable": true}}),
            json!(["id"]),
            json!(["name", "labels"]),
            true,
        );
        let r = diff(&old, &new);
        assert_eq!(r.added.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), ["e/list"]);
        assert!(r.removed.is_empty());
        let find = |list: &[Change], what: &str| {
            list.iter().find(|c| c.what == what).unwrap_or_else(|| panic!("{what}: {list:#?}")).breaking
        };
        assert!(!find(&r.schemas, "property `version` added (string)"));
        assert!(find(&r.schemas, "property `os` removed"));
        assert!(find(&r.schemas, "property `id` type changed from integer to string"));
        assert!(
            find(&r.schemas, "property `busy` is no longer required"),
            "optional in a response changes the Rust type"
        );
        assert!(!find(&r.schemas, "property `status`: enum value \"draining\" added"));
        assert!(find(&r.schemas, "property `status`: enum value \"offline\" removed"));
        assert!(find(&r.requests, "property `labels` became required"), "required in a request");
        assert!(r.breaking());
        let md = r.markdown("old.json (1.0)", "new.json (2.0)");
        assert!(md.contains("- Operations added: 1 (enterprise 1)"), "{md}");
        assert!(md.contains("- **breaking** property `os` removed"), "{md}");
        let back = diff(&new, &old);
        assert_eq!(back.removed.len(), 1);
        assert_eq!(back.semver(), Semver::Major, "a removed operation");
    }

    #[test]
    fn each_change_says_what_release_it_needs() {
        let semver = |r: &Report, what: &str| {
            let all: Vec<&Change> = r.schemas.iter().chain(&r.requests).collect();
            all.iter().find(|c| c.what == what).unwrap_or_else(|| panic!("{what}: {all:#?}")).semver
        };
        let base = spec(
            json!({"id": {"type": "integer"}, "status": {"type": "string", "enum": ["online"]}, "os": {"type": "string"},
                   "busy": {"type": "boolean"}, "name": {"type": "string", "nullable": true}}),
            json!(["id", "busy", "name"]),
            json!(["name"]),
            false,
        );
        // Additions only: minor.
        let more = spec(
            json!({"id": {"type": "integer"}, "status": {"type": "string", "enum": ["online", "draining"]}, "os": {"type": "string"},
                   "busy": {"type": "boolean"}, "name": {"type": "string", "nullable": true},
                   "version": {"type": "string"}, "group": {"type": "integer"}}),
            json!(["id", "busy", "name", "group"]),
            json!(["name"]),
            true,
        );
        let r = diff(&base, &more);
        assert_eq!(semver(&r, "property `version` added (string)"), Semver::Minor, "a new optional response field");
        assert_eq!(semver(&r, "property `group` added (integer, required)"), Semver::Minor, "required, in a response");
        assert_eq!(semver(&r, "property `status`: enum value \"draining\" added"), Semver::Minor);
        assert_eq!(r.semver(), Semver::Minor, "{r:#?}");
        assert!(r.verdict().starts_with("Semver: **minor** release: 4 addition(s)"), "{}", r.verdict());
        assert!(r.markdown("a", "b").contains("\nSemver: **minor** release"), "the verdict opens the report");
        // Removals and retypes: major.
        let less = spec(
            json!({"id": {"type": "string"}, "status": {"type": "string", "enum": ["offline"]}, "busy": {"type": "boolean", "nullable": true},
                   "name": {"type": "string"}}),
            json!(["id", "busy"]),
            json!(["name", "labels"]),
            false,
        );
        let r = diff(&base, &less);
        assert_eq!(semver(&r, "property `os` removed"), Semver::Major);
        assert_eq!(semver(&r, "property `id` type changed from integer to string"), Semver::Major);
        assert_eq!(semver(&r, "property `status`: enum value \"online\" removed"), Semver::Major);
        assert_eq!(semver(&r, "property `busy` became nullable"), Semver::Major, "bool becomes Option<bool>");
        // `name` was required but nullable (an Option) and is now neither: still an Option.
        assert_eq!(semver(&r, "property `name` is no longer required"), Semver::Patch);
        assert_eq!(semver(&r, "property `labels` became required"), Semver::Major, "a newly required request field");
        assert_eq!(r.semver(), Semver::Major);
        assert!(r.verdict().starts_with("Semver: **major** release: 5 change(s)"), "{}", r.verdict());
        // Nothing: patch.
        assert_eq!(diff(&base, &base).semver(), Semver::Patch);
        assert!(diff(&base, &base).markdown("a", "a").contains("Semver: **patch** release"));
        // A format that keeps the Rust type: patch.
        let mut wide = base.clone();
        wide["components"]["schemas"]["runner"]["properties"]["id"] = json!({"type": "integer", "format": "int64"});
        let r = diff(&base, &wide);
        assert_eq!(
            semver(&r, "property `id` type changed from integer to integer (int64) (the same Rust type)"),
            Semver::Patch
        );
        assert!(!r.breaking());
        // What typify makes of it: an optional array is a `Vec`, an
        // optional field with a default a plain value.
        let mut shapes = base.clone();
        shapes["components"]["schemas"]["runner"]["properties"]["tags"] =
            json!({"type": "array", "items": {"type": "string"}});
        let mut shapes2 = shapes.clone();
        shapes2["components"]["schemas"]["runner"]["required"] = json!(["id", "busy", "name", "tags"]);
        shapes2["components"]["schemas"]["runner"]["properties"]["os"]["default"] = json!("linux");
        shapes2["components"]["schemas"]["runner"]["properties"]["status"] = json!({"type": "string"});
        let r = diff(&shapes, &shapes2);
        assert_eq!(semver(&r, "property `tags` became required"), Semver::Patch, "a Vec either way");
        assert_eq!(semver(&r, "property `os` gained a default"), Semver::Major, "Option<String> becomes String");
        assert_eq!(semver(&r, "property `status` is no longer an enum"), Semver::Major);
        // A success status or body that changes retypes the raw method.
        let mut answers = base.clone();
        answers["paths"]["/orgs/{org}/actions/runners"]["post"]["responses"] =
            json!({"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/runner"}}}}});
        let r = diff(&base, &answers);
        assert_eq!(semver(&r, "success status 200 added"), Semver::Major);
        assert_eq!(semver(&r, "success status 201 removed"), Semver::Major);
        let mut other = answers.clone();
        other["paths"]["/orgs/{org}/actions/runners"]["post"]["responses"]["200"]["content"]["application/json"]["schema"] =
            json!({"type": "array", "items": {"$ref": "#/components/schemas/runner"}});
        let r = diff(&answers, &other);
        assert_eq!(semver(&r, "status 200 body changed from `runner` to array of `runner`"), Semver::Major);
        // Parameters: the raw client takes them by position.
        let mut param = base.clone();
        param["paths"]["/orgs/{org}/actions/runners"]["get"]["parameters"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "page", "in": "query", "schema": {"type": "integer"}}));
        let r = diff(&base, &param);
        assert_eq!(semver(&r, "query parameter `page` added"), Semver::Major, "a new positional argument");
        assert!(!r.breaking(), "but nothing breaks for REST callers");
        // A parameter's enum is a generated enum: a removed value is major.
        let mut filter = base.clone();
        filter["paths"]["/orgs/{org}/actions/runners"]["get"]["parameters"] =
            json!([{"name": "per_page", "in": "query", "schema": {"type": "string", "enum": ["a", "b"]}}]);
        let mut fewer = filter.clone();
        fewer["paths"]["/orgs/{org}/actions/runners"]["get"]["parameters"][0]["schema"]["enum"] = json!(["a", "c"]);
        let r = diff(&filter, &fewer);
        assert_eq!(semver(&r, "query parameter `per_page`: enum value \"b\" removed"), Semver::Major);
        assert_eq!(semver(&r, "query parameter `per_page`: enum value \"c\" added"), Semver::Minor);
    }

    #[test]
    fn parameters_and_identical_specs() {
        let a = spec(json!({}), json!([]), json!(["name"]), false);
        assert!(diff(&a, &a).is_empty());
        assert!(!diff(&a, &a).breaking());
        let mut b = a.clone();
        b["paths"]["/orgs/{org}/actions/runners"]["get"]["parameters"] = json!([{"name": "per_page", "in": "query", "required": true, "schema": {"type": "integer"}}, {"name": "page", "in": "query", "schema": {"type": "integer"}}]);
        let r = diff(&a, &b);
        let whats: Vec<(&str, bool)> = r.requests.iter().map(|c| (c.what.as_str(), c.breaking)).collect();
        assert!(whats.contains(&("query parameter `per_page` became required", true)), "{whats:?}");
        assert!(whats.contains(&("query parameter `page` added", false)), "{whats:?}");
    }
}
