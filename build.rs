//! Generates the typed client from the vendored spec (`spec/openapi.json`)
//! with progenitor, into `$OUT_DIR/generated.rs`.
//!
//! Reruns only when the spec or this file changes. A spec that cannot be read
//! or parsed is reported as a build error naming the file and the reason.

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, TokenStream, TokenTree};
use std::path::{Path, PathBuf};

const SPEC: &str = "spec/openapi.json";
const AVAILABILITY: &str = "spec/availability.json";
const PROVENANCE: &str = "spec/provenance.json";
const VERSIONS: &str = "spec/versions.json";
const WEBHOOKS: &str = "spec/webhooks.json";
/// Our description of the Runner Scale Set APIs (`spec/scaleset/README.md`).
const SCALESET: &str = "spec/scaleset/openapi.json";

/// Generated types replaced by the crate's own (in `src/types/` and
/// `src/error.rs`): the generated client then decodes straight into them.
/// The left side is the spec's schema name in PascalCase. The drift guard
/// test (`tests/drift_guard.rs`) checks each replacement against its schema.
const REPLACEMENTS: &[(&str, &str)] = &[
    ("Runner", "crate::types::Runner"),
    ("RunnerLabel", "crate::types::RunnerLabel"),
    ("RunnerApplication", "crate::types::RunnerApplication"),
    ("AuthenticationToken", "crate::types::RunnerToken"),
    ("ActionsRunnerJitconfig", "crate::types::JitConfig"),
    ("InstallationToken", "crate::types::InstallationToken"),
    ("RunnerGroupsOrg", "crate::types::RunnerGroup"),
    ("RunnerGroupsEnterprise", "crate::types::EnterpriseRunnerGroup"),
    ("ActionsHostedRunner", "crate::types::HostedRunner"),
    ("ActionsHostedRunnerCuratedImage", "crate::types::CuratedImage"),
    ("ActionsHostedRunnerCustomImage", "crate::types::CustomImage"),
    ("ActionsHostedRunnerCustomImageVersion", "crate::types::CustomImageVersion"),
    ("ActionsHostedRunnerMachineSpec", "crate::types::MachineSpec"),
    ("ActionsHostedRunnerLimits", "crate::types::HostedRunnerLimits"),
    ("PublicIp", "crate::types::PublicIp"),
    ("NetworkConfiguration", "crate::types::NetworkConfiguration"),
    ("SelfHostedRunnersSettings", "crate::types::SelfHostedRunnersSettings"),
    ("Job", "crate::types::Job"),
    ("HookDeliveryItem", "crate::types::HookDelivery"),
    ("HookDelivery", "crate::types::HookDeliveryDetail"),
    ("GithubError", "crate::error::ApiErrorBody"),
    ("SecretString", "crate::Secret"),
];

/// Schemas replaced wherever they occur (compared without their
/// descriptions): the string pattern of a custom image version becomes
/// `crate::types::ImageVersion`, checked by hand, so the crate needs no
/// regex engine at run time. If GitHub changes the pattern, the generated
/// code asks for `regress`, which is not a dependency: the build fails and
/// this list (and `ImageVersion`) must follow.
const CONVERSIONS: &[(&str, &str)] = &[(r"^\d+\.\d+\.\d+$", "crate::types::ImageVersion")];

/// The schema the xtask's `secret-strings` pass points secret fields at.
const SECRET_SCHEMA_REF: &str = "#/components/schemas/secret-string";

fn main() {
    println!("cargo::rerun-if-changed={SPEC}");
    println!("cargo::rerun-if-changed={AVAILABILITY}");
    println!("cargo::rerun-if-changed={PROVENANCE}");
    println!("cargo::rerun-if-changed={VERSIONS}");
    println!("cargo::rerun-if-changed={WEBHOOKS}");
    println!("cargo::rerun-if-changed={SCALESET}");
    println!("cargo::rerun-if-changed=build.rs");
    let all = generate()
        .and_then(|()| generate_webhooks())
        .and_then(|()| generate_availability())
        .and_then(|()| generate_secret_fields())
        .and_then(|()| generate_scaleset());
    if let Err(message) = all {
        // One line per reason: cargo shows each `cargo::error` as an error.
        for line in message.lines() {
            println!("cargo::error={line}");
        }
    }
}

/// Reads `file` of the crate as OpenAPI 3.0; `refresh` is the command that
/// writes it.
fn read_openapi(file: &str, refresh: &str) -> Result<openapiv3::OpenAPI, String> {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").map_err(|e| format!("CARGO_MANIFEST_DIR: {e}"))?;
    let text =
        std::fs::read_to_string(Path::new(&manifest_dir).join(file)).map_err(|e| format!("cannot read {file}: {e}"))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{file} is not a valid OpenAPI 3.0 document: {e}\nregenerate it with `{refresh}`"))
}

/// Writes `code` to `$OUT_DIR/{name}`.
fn write_out(name: &str, code: String) -> Result<(), String> {
    let out_dir = std::env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?;
    let out: PathBuf = Path::new(&out_dir).join(name);
    std::fs::write(&out, code).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

fn generate() -> Result<(), String> {
    let spec = read_openapi(SPEC, "cargo xtask refresh-spec")?;

    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(tokens("crate::transport::Inner")?)
        .with_derive("PartialEq");
    for (generated, ours) in REPLACEMENTS {
        settings.with_replacement(generated, ours, std::iter::empty());
    }
    for (pattern, ours) in CONVERSIONS {
        let schema = serde_json::from_value(serde_json::json!({ "type": "string", "pattern": pattern }))
            .map_err(|e| format!("the conversion schema for {ours}: {e}"))?;
        let impls = [progenitor::TypeImpl::Display, progenitor::TypeImpl::FromStr];
        settings.with_conversion(schema, ours, impls.into_iter());
    }
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor cannot generate a client from {SPEC}: {e}"))?;
    // Written unformatted: formatting 0.5 MB with prettyplease (and syn's
    // full parser) cost every user's build more than it helped anyone read it;
    // `rustfmt --edition 2024 $OUT_DIR/generated.rs` formats a copy.
    write_out("generated.rs", use_crate_path_encoding(tokens)?.to_string())
}

/// Points the generated client's path encoding at `crate::path::encode_segment`
/// (progenitor's `encode_path` leaves `\\` as is, which URL parsers read as
/// `/`; see `src/path.rs`): every call `encode_path(..)` becomes
/// `crate::path::encode_segment(..)` and the import `encode_path,` goes.
/// Fails the build if progenitor's output no longer has that shape, rather
/// than leaving any call behind.
fn use_crate_path_encoding(tokens: TokenStream) -> Result<TokenStream, String> {
    fn walk(tokens: TokenStream, calls: &mut usize) -> Result<TokenStream, String> {
        let mut out = Vec::new();
        let mut iter = tokens.into_iter().peekable();
        while let Some(tree) = iter.next() {
            match tree {
                TokenTree::Ident(ident) if ident == "encode_path" => match iter.peek() {
                    Some(TokenTree::Punct(p)) if p.as_char() == ',' => {
                        iter.next();
                    }
                    Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                        *calls += 1;
                        let span = ident.span();
                        for (i, name) in ["crate", "path", "encode_segment"].into_iter().enumerate() {
                            if i > 0 {
                                out.push(TokenTree::Punct(Punct::new(':', Spacing::Joint)));
                                out.push(TokenTree::Punct(Punct::new(':', Spacing::Alone)));
                            }
                            out.push(TokenTree::Ident(Ident::new(name, span)));
                        }
                    }
                    _ => {
                        return Err("the generated client uses `encode_path` in a way build.rs does not rewrite: \
                                    update `use_crate_path_encoding`"
                            .into());
                    }
                },
                TokenTree::Group(g) => {
                    let mut group = Group::new(g.delimiter(), walk(g.stream(), calls)?);
                    group.set_span(g.span());
                    out.push(TokenTree::Group(group));
                }
                other => out.push(other),
            }
        }
        Ok(out.into_iter().collect())
    }
    let mut calls = 0;
    let out = walk(tokens, &mut calls)?;
    if calls == 0 {
        return Err(
            "the generated client has no `encode_path(..)` call: update `use_crate_path_encoding` in build.rs".into()
        );
    }
    Ok(out)
}

/// Writes `$OUT_DIR/secret_fields.rs`: `SECRET_FIELDS`, the secret field
/// names the xtask declares (`secret_fields` in the provenance), sorted,
/// after checking that every property the spec points at the
/// `secret-string` schema is among them.
fn generate_secret_fields() -> Result<(), String> {
    fn walk(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(props) = map.get("properties").and_then(|p| p.as_object()) {
                    for (name, schema) in props {
                        let is_secret =
                            |s: &serde_json::Value| s.get("$ref").and_then(|r| r.as_str()) == Some(SECRET_SCHEMA_REF);
                        if is_secret(schema) || schema.get("allOf").and_then(|a| a.get(0)).is_some_and(is_secret) {
                            out.insert(name.clone());
                        }
                    }
                }
                map.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").map_err(|e| format!("CARGO_MANIFEST_DIR: {e}"))?;
    let text =
        std::fs::read_to_string(Path::new(&manifest_dir).join(SPEC)).map_err(|e| format!("cannot read {SPEC}: {e}"))?;
    let spec: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{SPEC} is not JSON: {e}"))?;
    let mut marked = std::collections::BTreeSet::new();
    walk(&spec, &mut marked);
    // The list the xtask declares (recorded in the provenance), which stays
    // whole even if GitHub drops a field from the description: a server
    // may still send it.
    let provenance_text = std::fs::read_to_string(Path::new(&manifest_dir).join(PROVENANCE))
        .map_err(|e| format!("cannot read {PROVENANCE}: {e}"))?;
    let provenance: serde_json::Value =
        serde_json::from_str(&provenance_text).map_err(|e| format!("{PROVENANCE} is not JSON: {e}"))?;
    let declared: std::collections::BTreeSet<String> = provenance["secret_fields"]
        .as_array()
        .ok_or_else(|| format!("{PROVENANCE} lists no secret_fields: regenerate it with `cargo xtask refresh-spec`"))?
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    if let Some(unlisted) = marked.difference(&declared).next() {
        return Err(format!(
            "{SPEC} marks `{unlisted}` secret but {PROVENANCE} does not list it: regenerate both with `cargo xtask refresh-spec`"
        ));
    }
    if declared.is_empty() {
        return Err(format!("{PROVENANCE} lists no secret field: regenerate it with `cargo xtask refresh-spec`"));
    }
    // And the fields our scale-set description marks `x-secret`.
    let mut declared = declared;
    let scaleset_text = std::fs::read_to_string(Path::new(&manifest_dir).join(SCALESET))
        .map_err(|e| format!("cannot read {SCALESET}: {e}"))?;
    let scaleset: serde_json::Value =
        serde_json::from_str(&scaleset_text).map_err(|e| format!("{SCALESET} is not JSON: {e}"))?;
    for schema in scaleset["components"]["schemas"].as_object().into_iter().flatten().map(|(_, s)| s) {
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            if property["x-secret"] == serde_json::Value::Bool(true) {
                declared.insert(name.clone());
            }
        }
    }
    let list: Vec<&String> = declared.iter().collect();
    let code = format!(
        "/// The JSON fields whose values are secrets, wherever they nest: the one\n\
         /// list the recorder ([`crate::record`]), error messages ([`crate::Error`])\n\
         /// and the generated types (as [`Secret`]) go by. Read at build time\n\
         /// from `spec/provenance.json`, where `cargo xtask refresh-spec` records\n\
         /// the list its `secret-strings` pass marks in `spec/openapi.json`, and\n\
         /// from the fields `spec/scaleset/openapi.json` marks `x-secret`.\n\
         pub const SECRET_FIELDS: &[&str] = &{list:?};\n"
    );
    write_out("secret_fields.rs", code)
}

fn tokens(s: &str) -> Result<proc_macro2::TokenStream, String> {
    s.parse().map_err(|e| format!("bad token stream {s}: {e}"))
}

/// The webhook payload types, from `spec/webhooks.json` (the workflow_job
/// events' schemas; `cargo xtask refresh-webhooks`), generated by progenitor
/// like the REST types into `$OUT_DIR/webhooks.rs`.
fn generate_webhooks() -> Result<(), String> {
    let spec = read_openapi(WEBHOOKS, "cargo xtask refresh-webhooks")?;
    let mut settings = progenitor::GenerationSettings::new();
    settings.with_interface(progenitor::InterfaceStyle::Positional).with_derive("PartialEq");
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor cannot generate the webhook types from {WEBHOOKS}: {e}"))?;
    write_out("webhooks.rs", tokens.to_string())
}

/// Writes `$OUT_DIR/availability.rs` from `spec/availability.json`: the
/// deployments, a table of operation -> deployments that publish it, and a
/// `operations_doc!(scope = "operationId", ...)` macro writing the doc table of
/// the operation a facade method calls at each scope and where it is available.
fn generate_availability() -> Result<(), String> {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").map_err(|e| format!("CARGO_MANIFEST_DIR: {e}"))?;
    let text = std::fs::read_to_string(Path::new(&manifest_dir).join(AVAILABILITY))
        .map_err(|e| format!("cannot read {AVAILABILITY}: {e}"))?;
    let data: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{AVAILABILITY} is not JSON: {e}"))?;
    let bad = |what: &str| format!("{AVAILABILITY}: {what}; regenerate it with `cargo xtask refresh-spec`");
    let deployments: Vec<String> = data["deployments"]
        .as_array()
        .ok_or_else(|| bad("no deployments"))?
        .iter()
        .map(|d| d["name"].as_str().map(String::from).ok_or_else(|| bad("a deployment without a name")))
        .collect::<Result<_, _>>()?;
    let mut deployment_versions = String::new();
    for d in data["deployments"].as_array().into_iter().flatten() {
        let versions: Vec<&str> = d["api_versions"]
            .as_array()
            .ok_or_else(|| bad("a deployment without api_versions"))?
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        deployment_versions.push_str(&format!("    ({:?}, &{versions:?}),\n", d["name"].as_str().unwrap_or_default()));
    }
    let versions_text = std::fs::read_to_string(Path::new(&manifest_dir).join(VERSIONS))
        .map_err(|e| format!("cannot read {VERSIONS}: {e}"))?;
    let versions: serde_json::Value =
        serde_json::from_str(&versions_text).map_err(|e| format!("{VERSIONS} is not JSON: {e}"))?;
    let ops = data["operations"].as_object().ok_or_else(|| bad("no operations"))?;
    let spec_text =
        std::fs::read_to_string(Path::new(&manifest_dir).join(SPEC)).map_err(|e| format!("cannot read {SPEC}: {e}"))?;
    let spec: serde_json::Value = serde_json::from_str(&spec_text).map_err(|e| format!("{SPEC} is not JSON: {e}"))?;
    let mut templates = std::collections::BTreeMap::new();
    let mut no_content_deletes = Vec::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if let Some(id) = op.get("operationId").and_then(|v| v.as_str()) {
                templates.insert(id.to_string(), path.clone());
                let successes: Vec<&String> = op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k)
                    .filter(|k| k.starts_with('2'))
                    .collect();
                if method == "delete" && successes == ["204"] {
                    no_content_deletes.push(id.to_string());
                }
            }
        }
    }
    no_content_deletes.sort();
    let label = |n: &str| match n {
        "github.com" => "github.com".to_string(),
        "ghec" => "GitHub Enterprise Cloud".to_string(),
        other => format!("GitHub Enterprise Server {}", other.trim_start_matches("ghes-")),
    };
    let mut table = String::new();
    let mut short_arms = String::new();
    let mut version_arms = String::new();
    for (id, on) in ops {
        let per_version = versions["operations"][id]
            .as_object()
            .ok_or_else(|| format!("{VERSIONS} does not list {id}; regenerate it with `cargo xtask refresh-spec`"))?;
        let cell: Vec<String> = per_version
            .iter()
            .filter(|(_, v)| v["exists"] == true)
            .map(|(version, v)| match (v["request_changed"] == true, v["responses_changed"] == true) {
                (true, true) => format!("{version} (request and answer changed)"),
                (true, false) => format!("{version} (request changed)"),
                (false, true) => format!("{version} (answer changed)"),
                (false, false) => version.clone(),
            })
            .collect();
        version_arms.push_str(&format!("    ({id:?}) => {{ {:?} }};\n", cell.join(", ")));
        let on: Vec<&str> = on
            .as_array()
            .ok_or_else(|| bad("an operation without a list"))?
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let snake = id.replace(['/', '-'], "_");
        let template = templates.get(id).cloned().unwrap_or_default();
        table.push_str(&format!("    ({id:?}, {snake:?}, &{on:?}, {template:?}),\n"));
        let short =
            if on.is_empty() { "none".to_string() } else { on.iter().map(|n| label(n)).collect::<Vec<_>>().join(", ") };
        short_arms.push_str(&format!("    ({id:?}) => {{ {short:?} }};\n"));
    }
    let code = format!(
        "/// Deployments of the vendored data, oldest kind first.\npub(crate) const DEPLOYMENTS: &[&str] = &{deployments:?};\n\
         /// (operationId, progenitor's operation id, deployments that publish it, path template).\npub(crate) const OPERATIONS: &[(&str, &str, &[&str], &str)] = &[\n{table}];\n\
         /// DELETE operations whose only success is 204 No Content.\npub(crate) const NO_CONTENT_DELETES: &[&str] = &{no_content_deletes:?};\n\
         /// (deployment, the REST API versions it serves).\npub(crate) const DEPLOYMENT_VERSIONS: &[(&str, &[&str])] = &[\n{deployment_versions}];\n\
         /// The deployments that have an operation, for a table cell.\nmacro_rules! availability_of {{\n{short_arms}}}\npub(crate) use availability_of;\n\
         /// The REST API versions that have an operation and what each changed, for a table cell.\nmacro_rules! versions_of {{\n{version_arms}}}\npub(crate) use versions_of;\n\
         /// A doc table of the operation a method calls at each scope and where it is available:\n\
         /// `operations_doc!(enterprise = \"...\", org = \"...\")`.\nmacro_rules! operations_doc {{\n    ($($scope:ident = $op:tt),+ $(,)?) => {{\n        \
         concat!(\"| scope | GitHub operation | available on | REST API versions |\\n| --- | --- | --- | --- |\\n\", $(\"| \", stringify!($scope), \" | `\", $op, \"` | \", $crate::deployment::availability_of!($op), \" | \", $crate::deployment::versions_of!($op), \" |\\n\"),+)\n    }};\n}}\npub(crate) use operations_doc;\n"
    );
    write_out("availability.rs", code)
}

/// The scale-set client, from `spec/scaleset/openapi.json`, into
/// `$OUT_DIR/scaleset.rs`, behind `crate::scaleset::transport::Inner`; and
/// `$OUT_DIR/scaleset_operations.rs`, each operation's path template and
/// the credential its `security` names, which the transport sends.
///
/// Before generation, a property marked `x-secret` becomes `crate::Secret`
/// (through a `secret-string` schema, as in the main spec), and the
/// `uuid` format is dropped (a session id stays a string: no `uuid` crate).
fn generate_scaleset() -> Result<(), String> {
    fn prepare(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                if map.get("format").and_then(|f| f.as_str()) == Some("uuid") {
                    map.remove("format");
                }
                if let Some(props) = map.get_mut("properties").and_then(|p| p.as_object_mut()) {
                    for schema in props.values_mut() {
                        if schema.get("x-secret") == Some(&serde_json::Value::Bool(true)) {
                            *schema = serde_json::json!({ "$ref": "#/components/schemas/secret-string" });
                        }
                    }
                }
                map.values_mut().for_each(prepare);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(prepare),
            _ => {}
        }
    }
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").map_err(|e| format!("CARGO_MANIFEST_DIR: {e}"))?;
    let text = std::fs::read_to_string(Path::new(&manifest_dir).join(SCALESET))
        .map_err(|e| format!("cannot read {SCALESET}: {e}"))?;
    let mut json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{SCALESET} is not JSON: {e}"))?;
    prepare(&mut json);
    // progenitor takes one success type per operation: a success without
    // a body beside one with a body (the queue's 202, "no message") is
    // left out of what it generates; the generated call hands it back as
    // an unexpected response, which `Session::next_message` reads as none.
    for item in json["paths"].as_object_mut().into_iter().flatten().map(|(_, item)| item) {
        for op in item.as_object_mut().into_iter().flatten().map(|(_, op)| op) {
            let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
            let with_body = |r: &serde_json::Value| r.get("content").is_some();
            let success = |k: &String| k.starts_with('2');
            if responses.iter().any(|(k, r)| success(k) && with_body(r)) {
                responses.retain(|k, r| !success(k) || with_body(r));
            }
            // progenitor counts `default` as a success type too; here it
            // is the service's error body, so it becomes `4XX` and `5XX`.
            // A specific error status with the same body (409 to opening
            // a session) is then covered by its range.
            if let Some(default) = responses.remove("default") {
                responses.retain(|k, r| {
                    !(k.starts_with('4') || k.starts_with('5')) || r.get("content") != default.get("content")
                });
                responses.insert("4XX".into(), default.clone());
                responses.insert("5XX".into(), default);
            }
        }
    }
    json["components"]["schemas"]["secret-string"] = serde_json::json!({ "type": "string" });
    let mut table = String::new();
    for (path, item) in json["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Some(id) = op.get("operationId").and_then(|v| v.as_str()) else { continue };
            let credential = op["security"][0]
                .as_object()
                .and_then(|s| s.keys().next().cloned())
                .ok_or_else(|| format!("{SCALESET}: {id} names no credential in `security`"))?;
            let credential = match credential.as_str() {
                "remoteAuth" => "Registration",
                "adminToken" => "Admin",
                "messageQueueToken" => "Queue",
                other => return Err(format!("{SCALESET}: {id} names an unknown credential `{other}`")),
            };
            let snake = id.replace(['/', '-'], "_");
            let method = method.to_ascii_uppercase();
            table.push_str(&format!("    ({snake:?}, {id:?}, {method:?}, {path:?}, CredentialKind::{credential}),\n"));
        }
    }
    let spec: openapiv3::OpenAPI = serde_json::from_value(json)
        .map_err(|e| format!("{SCALESET} is not a valid OpenAPI 3.0 document: {e}; it is written by hand: fix it"))?;
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(tokens("crate::scaleset::transport::Inner")?)
        .with_derive("PartialEq");
    settings.with_replacement("SecretString", "crate::Secret", std::iter::empty());
    settings.with_replacement("RunnerScaleSetMessage", "crate::scaleset::Message", std::iter::empty());
    settings.with_replacement("RunnerScaleSetStatistic", "crate::scaleset::Statistics", std::iter::empty());
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor cannot generate a client from {SCALESET}: {e}"))?;
    write_out("scaleset.rs", use_crate_path_encoding(tokens)?.to_string())?;
    let code = format!(
        "/// (progenitor's operation id, the description's operationId, method, path template, credential).\n\
         pub(crate) const OPERATIONS: &[(&str, &str, &str, &str, CredentialKind)] = &[\n{table}];\n"
    );
    write_out("scaleset_operations.rs", code)
}
