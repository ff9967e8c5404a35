//! Every public type that mirrors a GitHub schema, and every public request
//! or configuration struct, is `#[non_exhaustive]`, so that GitHub adding a
//! field is a minor release of this crate (see CONTRIBUTING.md, "Semver
//! policy").
//!
//! The mirrors are derived, not listed: each component schema of the
//! vendored `spec/openapi.json` that `build.rs` replaces with a crate type,
//! then every crate type their fields hold, transitively; the test checks
//! that they are found. Every other public struct and enum of `src/` must have it too, unless it
//! cannot be built outside the crate anyway (a struct with a field that is
//! not public) or `EXEMPT` says why it can never grow.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A public struct or enum as its source defines it.
#[derive(Debug)]
struct Definition {
    file: PathBuf,
    non_exhaustive: bool,
    /// A struct with a field that is not public (or none): not buildable
    /// outside the crate anyway.
    sealed: bool,
    /// The type names its body mentions.
    mentions: BTreeSet<String>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The body of the item that starts at `from` (its braces or parentheses).
fn body(text: &str, from: usize) -> &str {
    let Some(open) = text[from..].find(['{', '(', ';']).map(|i| from + i) else { return "" };
    let (o, c) = match text.as_bytes()[open] {
        b'{' => (b'{', b'}'),
        b'(' => (b'(', b')'),
        _ => return "",
    };
    let mut depth = 0;
    for (i, b) in text.bytes().enumerate().skip(open) {
        if b == o {
            depth += 1;
        } else if b == c {
            depth -= 1;
            if depth == 0 {
                return &text[open + 1..i];
            }
        }
    }
    &text[open + 1..]
}

/// Every `pub struct` and `pub enum` of `src/`, with its attributes. An
/// `open_enum!` enum gets `#[non_exhaustive]` from the macro.
fn definitions(root: &Path) -> BTreeMap<String, Vec<Definition>> {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut out: BTreeMap<String, Vec<Definition>> = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut offset = 0;
        let mut attributes: Vec<&str> = Vec::new();
        let mut in_open_enum = false;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim();
            if trimmed.ends_with("open_enum! {") {
                in_open_enum = true;
            }
            let item = trimmed.strip_prefix("pub struct ").or_else(|| trimmed.strip_prefix("pub enum "));
            match item {
                Some(rest) if !rest.starts_with('$') => {
                    let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    let b = body(&text, offset);
                    let is_struct = trimmed.starts_with("pub struct");
                    let code: String =
                        b.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
                    // A field that is not `pub` (a private or `pub(crate)` one,
                    // after its attributes) keeps a struct from being built
                    // outside the crate; so does having no field at all.
                    let fields: Vec<&str> = if code.contains(':') {
                        code.lines()
                            .map(|l| l.trim())
                            .map(|l| if l.starts_with("#[") { l.rsplit(']').next().unwrap_or("").trim() } else { l })
                            .filter(|l| l.contains(':') && !l.starts_with("//"))
                            .collect()
                    } else {
                        code.split(',').map(str::trim).filter(|f| !f.is_empty()).collect()
                    };
                    let sealed = is_struct && (fields.is_empty() || fields.iter().any(|f| !f.starts_with("pub ")));
                    let mentions = code
                        .split(|c: char| !c.is_alphanumeric() && c != '_')
                        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
                        .map(String::from)
                        .collect();
                    let non_exhaustive = in_open_enum || attributes.contains(&"#[non_exhaustive]");
                    out.entry(name).or_default().push(Definition {
                        file: file.clone(),
                        non_exhaustive,
                        sealed,
                        mentions,
                    });
                    attributes.clear();
                    in_open_enum = false;
                }
                _ if trimmed.starts_with("#[") || trimmed.starts_with("///") => attributes.push(trimmed),
                _ if trimmed.is_empty() || trimmed.starts_with("//") => {}
                _ => attributes.clear(),
            }
            offset += line.len();
        }
    }
    out
}

/// The crate types `build.rs` puts in place of generated ones, by the
/// generated (PascalCase schema) name.
fn replacements(root: &Path) -> BTreeMap<String, String> {
    let build = std::fs::read_to_string(root.join("build.rs")).unwrap();
    let start = build.find("const REPLACEMENTS").expect("build.rs has REPLACEMENTS");
    build[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.trim_start().starts_with("(\""))
        .filter_map(|l| {
            let parts: Vec<&str> = l.split('"').collect();
            Some((parts.get(1)?.to_string(), parts.get(3)?.rsplit("::").next()?.to_string()))
        })
        .collect()
}

fn pascal(schema: &str) -> String {
    schema.split(['-', '_']).filter(|w| !w.is_empty()).map(|w| w[..1].to_uppercase() + &w[1..]).collect()
}

/// The types that mirror a schema of the vendored spec, and what they hold.
fn mirrors(root: &Path, defs: &BTreeMap<String, Vec<Definition>>) -> BTreeSet<String> {
    let spec: Value = support::spec::read_json(&root.join("spec/openapi.json"));
    let replaced = replacements(root);
    let mut todo: Vec<String> = spec["components"]["schemas"]
        .as_object()
        .expect("spec/openapi.json has component schemas")
        .keys()
        .filter_map(|schema| replaced.get(&pascal(schema)).cloned())
        .collect();
    assert!(todo.len() >= 20, "the spec's schemas map to {} crate types: {todo:?}", todo.len());
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        let Some(found) = defs.get(&name) else { continue };
        if seen.insert(name) {
            for def in found {
                todo.extend(def.mentions.iter().filter(|m| defs.contains_key(*m)).cloned());
            }
        }
    }
    seen
}

/// Public types that may stay exhaustive, and why.
const EXEMPT: &[(&str, &str)] = &[
    ("FakeScope", "the testkit's three scopes (enterprise, organization, repository) are all GitHub has"),
    ("ReadmeDoctests", "not an API: the README's doctests"),
];

#[test]
fn public_types_are_non_exhaustive_and_the_spec_s_mirrors_among_them() {
    let root = support::spec::root();
    let defs = definitions(&root);
    // The mirrors, derived from the spec, are found and are public types of the crate.
    let mirrored = mirrors(&root, &defs);
    for expected in ["Runner", "RunnerGroup", "Job", "JobStep", "HostedRunner", "HostedImage", "ApiErrorBody"] {
        assert!(mirrored.contains(expected), "{expected} is derived from the spec: {mirrored:?}");
    }
    for config in ["RetryPolicy", "PageRequest", "CursorRequest", "JitConfigRequest", "NewRunnerGroup", "GitHubApp"] {
        assert!(defs.contains_key(config), "{config} is found");
    }
    let exempt: BTreeMap<&str, &str> = EXEMPT.iter().copied().collect();
    let mut missing = Vec::new();
    for (name, found) in &defs {
        for d in found {
            let mirror = mirrored.contains(name);
            if d.non_exhaustive || d.sealed || (exempt.contains_key(name.as_str()) && !mirror) {
                continue;
            }
            let file = d.file.strip_prefix(&root).unwrap_or(&d.file).display().to_string();
            missing.push(format!("{name} ({file}){}", if mirror { ", mirrors a spec schema" } else { "" }));
        }
    }
    assert!(
        missing.is_empty(),
        "these public types lack #[non_exhaustive] (a field or variant added later would break downstream struct \
         literals or matches; exempt one in EXEMPT with a reason if it can never grow): {missing:#?}"
    );
}

#[test]
fn every_response_type_has_a_testkit_sample() {
    use gha_runners::types::*;
    // What downstream tests build instead of a struct literal.
    fn check<T: schemars::JsonSchema + serde::de::DeserializeOwned>() {
        let _: T = gha_runners::testkit::sample();
    }
    check::<Runner>();
    check::<RunnerLabel>();
    check::<RunnerApplication>();
    check::<RunnerVersionDeprecation>();
    check::<RunnerToken>();
    check::<JitConfig>();
    check::<InstallationToken>();
    check::<RunnerGroup>();
    check::<EnterpriseRunnerGroup>();
    check::<HostedRunner>();
    check::<HostedImage>();
    check::<CuratedImage>();
    check::<CustomImage>();
    check::<CustomImageVersion>();
    check::<MachineSpec>();
    check::<PublicIp>();
    check::<HostedRunnerLimits>();
    check::<NetworkConfiguration>();
    check::<SelfHostedRunnersSettings>();
    check::<EnterpriseSelfHostedRunnersSettings>();
    check::<Job>();
    check::<JobStep>();
    check::<HookDelivery>();
    check::<HookDeliveryDetail>();
    check::<gha_runners::error::ApiErrorBody>();
    let runner: Runner = gha_runners::testkit::sample();
    assert_eq!((runner.id.get(), runner.labels.len()), (7, 1), "every field is filled: {runner:?}");
}
