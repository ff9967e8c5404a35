//! Drift guard: the crate's own types that replace generated ones (see
//! `REPLACEMENTS` in build.rs) against the vendored spec's schema of the same
//! object. For each: every documented example of that schema (found by
//! walking the documented responses alongside their schemas) decodes and
//! validates against the type's JSON Schema; the type requires no field the
//! spec does not require; and it has every property the spec describes. A
//! spec refresh that changes these objects fails here, naming the type and
//! the field.
//!
//! Every REST API version counts: the examples of each version (derived
//! from the annotations) decode, the type requires nothing some version
//! does not require, and it has every property some version describes.

mod support;

use gha_runners::error::ApiErrorBody;
use gha_runners::types::*;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use support::spec;

/// Collects, per component schema name, every sub-value of `value` that the
/// spec says is an instance of it.
fn instances<'a>(doc: &Value, schema: &Value, value: &'a Value, out: &mut BTreeMap<String, Vec<&'a Value>>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        out.entry(name.to_string()).or_default().push(value);
        if let Some(target) = doc.pointer(&format!("/components/schemas/{name}")) {
            instances(doc, target, value, out);
        }
        return;
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for alt in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
            instances(doc, alt, value, out);
        }
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if let Some(s) = schema.get("properties").and_then(|p| p.get(k)) {
                    instances(doc, s, v, out);
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                items.iter().for_each(|v| instances(doc, s, v, out));
            }
        }
        _ => {}
    }
}

struct Guard {
    /// `spec/` as of each REST API version.
    docs: Vec<(String, Value)>,
    examples: BTreeMap<String, Vec<Value>>,
    problems: Vec<String>,
    checked: BTreeSet<String>,
}

/// A type's serialized form shows no secret field's value, and only secret
/// fields are redacted: every field holding a `Secret` is in
/// `SECRET_FIELDS`, and every `SECRET_FIELDS` field is a `Secret`.
fn secret_problems(type_name: &str, v: &Value, problems: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let listed = gha_runners::SECRET_FIELDS.contains(&k.as_str());
                let redacted = v == "[redacted]";
                if listed && !v.is_null() && !redacted {
                    problems.push(format!("{type_name}: `{k}` is a secret field but shows its value"));
                }
                if redacted && !listed {
                    problems.push(format!("{type_name}: `{k}` holds a Secret but is not in SECRET_FIELDS"));
                }
                secret_problems(type_name, v, problems);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| secret_problems(type_name, i, problems)),
        _ => {}
    }
}

impl Guard {
    fn new() -> Self {
        let mut found: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let defects = spec::example_defects();
        let mut docs = Vec::new();
        for version in spec::api_versions() {
            let doc = spec::spec_as_of(&version);
            let examples = spec::examples_as_of(&doc);
            for f in spec::doc_fixtures() {
                let Some(schema) = spec::body_schema(&doc, &f.operation_id, &f.status) else {
                    continue;
                };
                let value = match defects.get(&f.key) {
                    Some(d) => spec::corrected_fixture(&d.corrected),
                    None => examples.get(&f.key).cloned().unwrap_or_else(|| f.value.clone()),
                };
                let mut out = BTreeMap::new();
                instances(&doc, &schema, &value, &mut out);
                for (name, vals) in out {
                    found.entry(name).or_default().extend(vals.into_iter().cloned());
                }
            }
            docs.push((version, doc));
        }
        Guard { docs, examples: found, problems: Vec::new(), checked: BTreeSet::new() }
    }

    fn check<T: JsonSchema + DeserializeOwned + Serialize>(&mut self, schema_name: &str) {
        let type_name = std::any::type_name::<T>();
        self.checked.insert(schema_name.to_string());
        let pointer = format!("/components/schemas/{schema_name}");
        let versions: Vec<(&String, Value)> =
            self.docs.iter().filter_map(|(v, doc)| doc.pointer(&pointer).cloned().map(|s| (v, s))).collect();
        if versions.len() != self.docs.len() {
            self.problems.push(format!("{type_name}: spec/ has no schema `{schema_name}` in every version"));
            return;
        }
        let ours = serde_json::to_value(schemars::schema_for!(T)).expect("schema");
        let validator = jsonschema::draft7::new(&ours).expect("our schema compiles");
        let examples = self.examples.get(schema_name).cloned().unwrap_or_default();
        if examples.is_empty() && schema_name != "installation-token" && schema_name != "github-error" {
            self.problems.push(format!("{type_name}: no documented example of `{schema_name}` to check against"));
        }
        for ex in &examples {
            match serde_json::from_value::<T>(ex.clone()) {
                Err(e) => self.problems.push(format!("{type_name}: a documented `{schema_name}` does not decode: {e}")),
                Ok(decoded) => {
                    let shown = serde_json::to_value(&decoded).expect("serializes");
                    secret_problems(type_name, &shown, &mut self.problems);
                }
            }
            for e in validator.iter_errors(ex) {
                self.problems.push(format!("{type_name}: its schema rejects a documented `{schema_name}`: {e}"));
            }
        }
        let set = |v: Option<&Value>| -> BTreeSet<String> {
            v.and_then(Value::as_array).into_iter().flatten().filter_map(|s| s.as_str().map(String::from)).collect()
        };
        let our_required = set(ours.get("required"));
        for (version, spec_schema) in &versions {
            let spec_required = set(spec_schema.get("required"));
            for extra in our_required.difference(&spec_required) {
                self.problems.push(format!(
                    "{type_name}: requires `{extra}`, which `{schema_name}` of {version} does not require"
                ));
            }
        }
        let keys = |v: Option<&Value>| -> BTreeSet<String> {
            v.and_then(Value::as_object).into_iter().flat_map(|m| m.keys().cloned()).collect()
        };
        let spec_props: BTreeSet<String> = versions.iter().flat_map(|(_, s)| keys(s.get("properties"))).collect();
        let our_props = keys(ours.get("properties"));
        for missing in spec_props.difference(&our_props) {
            self.problems.push(format!("{type_name}: lacks `{missing}`, which `{schema_name}` describes"));
        }
        for unknown in our_props.difference(&spec_props) {
            self.problems.push(format!("{type_name}: has `{unknown}`, which `{schema_name}` does not describe"));
        }
    }
}

#[test]
fn friendly_types_match_the_spec_schemas_they_replace() {
    let mut g = Guard::new();
    g.check::<Runner>("runner");
    g.check::<RunnerLabel>("runner-label");
    g.check::<RunnerApplication>("runner-application");
    g.check::<RunnerToken>("authentication-token");
    g.check::<JitConfig>("actions-runner-jitconfig");
    g.check::<InstallationToken>("installation-token");
    g.check::<RunnerGroup>("runner-groups-org");
    g.check::<EnterpriseRunnerGroup>("runner-groups-enterprise");
    g.check::<HostedRunner>("actions-hosted-runner");
    g.check::<CuratedImage>("actions-hosted-runner-curated-image");
    g.check::<CustomImage>("actions-hosted-runner-custom-image");
    g.check::<CustomImageVersion>("actions-hosted-runner-custom-image-version");
    g.check::<MachineSpec>("actions-hosted-runner-machine-spec");
    g.check::<HostedRunnerLimits>("actions-hosted-runner-limits");
    g.check::<PublicIp>("public-ip");
    g.check::<NetworkConfiguration>("network-configuration");
    g.check::<SelfHostedRunnersSettings>("self-hosted-runners-settings");
    g.check::<Job>("job");
    g.check::<HookDelivery>("hook-delivery-item");
    g.check::<HookDeliveryDetail>("hook-delivery");
    g.check::<ApiErrorBody>("github-error");
    g.check::<HostedImage>("nullable-actions-hosted-runner-pool-image");
    g.check::<gha_runners::Secret>("secret-string");

    // Every replacement build.rs makes is guarded here.
    let build = std::fs::read_to_string(spec::root().join("build.rs")).expect("build.rs");
    let pascal = |s: &str| s.split('-').map(|w| w[..1].to_uppercase() + &w[1..]).collect::<String>();
    let guarded: BTreeSet<String> = g.checked.iter().map(|s| pascal(s)).collect();
    for line in build.lines().filter(|l| l.trim_start().starts_with("(\"")) {
        let name = line.trim().trim_start_matches("(\"").split('"').next().unwrap_or_default();
        if !guarded.contains(name) {
            g.problems.push(format!("build.rs replaces {name}, which this drift guard does not check"));
        }
    }
    assert!(g.problems.is_empty(), "{} problem(s):\n{}", g.problems.len(), g.problems.join("\n"));
}
