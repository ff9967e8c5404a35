//! `cargo xtask refresh-spec`: upstream description in, vendored subset,
//! provenance record and summary out.

use crate::{availability, canonical, closure, normalize, selection::Selection, source::Upstream, versions};
use anyhow::{Context, Result};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// File name of the vendored subset inside the spec directory.
pub const SPEC_FILE: &str = "openapi.json";
/// File name of the provenance record inside the spec directory.
pub const PROVENANCE_FILE: &str = "provenance.json";
/// Reviewed input: which operations are vendored.
pub const SELECTION_FILE: &str = "selection.toml";
/// Which deployments publish each vendored operation.
pub const AVAILABILITY_FILE: &str = "availability.json";
/// The same as a Markdown table.
pub const AVAILABILITY_DOC: &str = "availability.md";
/// Documented examples of other deployments that differ from the vendored ones.
pub const DEPLOYMENT_EXAMPLES_FILE: &str = "deployment-examples.json";
/// Which REST API versions each vendored operation exists in, and whether
/// its request or responses differ from the previous version.
pub const VERSIONS_FILE: &str = "versions.json";
/// Reviewed input: upstream examples known to contradict their schema.
pub const EXAMPLE_DEFECTS_FILE: &str = "example-defects.toml";
/// The reviewed inputs that live in the spec directory and are copied
/// verbatim to any other output directory, so that it is a complete `spec/`.
pub const REVIEWED_INPUTS: &[&str] = &[SELECTION_FILE, EXAMPLE_DEFECTS_FILE];

/// The result of running the pipeline on one upstream description.
#[derive(Debug)]
pub struct Refreshed {
    /// The vendored subset.
    pub spec: Value,
    /// The provenance record.
    pub provenance: Value,
    /// Operation count per scope.
    pub scopes: BTreeMap<&'static str, usize>,
    /// What each normalization pass changed.
    pub passes: Vec<(&'static str, usize)>,
    /// Components removed after normalization made them unreferenced.
    pub pruned_after_normalization: usize,
    /// Selection patterns that matched nothing (only when built leniently).
    pub unmatched: Vec<String>,
    /// `availability.json`.
    pub availability: Value,
    /// `deployment-examples.json`.
    pub deployment_examples: Value,
    /// `versions.json`.
    pub versions: Value,
}

/// Runs selection, closure and normalization over `upstream`; every
/// selection pattern must match.
pub fn build(upstream: &Upstream, selection: &Selection) -> Result<Refreshed> {
    build_with(upstream, selection, true)
}

/// Like [`build`], but with `strict == false` a pattern that matches nothing
/// is recorded in [`Refreshed::unmatched`] instead of failing (for diffs
/// against older descriptions).
pub fn build_with(upstream: &Upstream, selection: &Selection, strict: bool) -> Result<Refreshed> {
    let (ops, unmatched) = if strict {
        (selection.select(&upstream.doc)?, Vec::new())
    } else {
        selection.select_lenient(&upstream.doc)?
    };
    let mut spec = closure::subset(&upstream.doc, &ops)?;
    let passes = normalize::run_all(&mut spec)?;
    let pruned_after_normalization = closure::prune_components(&mut spec)?;
    // The result must still be a valid OpenAPI 3.0 document for progenitor.
    serde_json::from_value::<openapiv3::OpenAPI>(spec.clone())
        .context("the normalized subset is not a valid OpenAPI 3.0 document (a pass is broken)")?;
    let mut scopes = BTreeMap::new();
    for op in &ops {
        *scopes.entry(op.scope()).or_insert(0) += 1;
    }
    let upstream_version = upstream.doc.pointer("/info/version").cloned().unwrap_or(Value::Null);
    let named = versions::named_in(&upstream.label);
    let versions = versions::record_as(&spec, named.as_deref()).context("deriving the REST API versions")?;
    let provenance = json!({
        "source": upstream.label,
        "sha256": upstream.sha256,
        "upstream_info_version": upstream_version,
        "upstream_openapi": upstream.doc.get("openapi"),
        "github_rest_api_version": versions::BASE_VERSION,
        "operations": ops.len(),
        "operations_by_scope": scopes,
        "schemas": closure::component_counts(&spec).get("schemas").copied().unwrap_or(0),
        "components": closure::component_counts(&spec),
        "secret_fields": normalize::SECRET_FIELDS,
        "api_versions": versions["versions"].clone(),
        "normalization_passes": passes.iter().map(|(name, changed)| json!({"name": name, "changed": changed})).collect::<Vec<_>>(),
        "regenerate": format!("cargo xtask refresh-spec --from <{}>", upstream.label),
    });
    let availability = availability::availability(&spec, ("ghec", upstream), &[]);
    Ok(Refreshed {
        spec,
        provenance,
        scopes,
        passes,
        pruned_after_normalization,
        unmatched,
        availability,
        deployment_examples: json!({}),
        versions,
    })
}

/// Records which of `others` (deployment name, description) publish each
/// vendored operation, with `main_name` the deployment of the main
/// description, and their differing examples.
pub fn add_deployments(
    r: &mut Refreshed,
    main_name: &str,
    main: &Upstream,
    others: &[(String, Upstream)],
) -> Result<()> {
    r.availability = availability::availability(&r.spec, (main_name, main), others);
    r.deployment_examples = availability::differing_examples(&r.spec, others)?;
    let names: Vec<Value> =
        r.availability["deployments"].as_array().into_iter().flatten().map(|d| d["name"].clone()).collect();
    r.provenance["deployments"] = Value::Array(names);
    Ok(())
}

/// Writes the subset and provenance into `out_dir`, and copies the reviewed
/// inputs from `spec_dir` when the two differ.
pub fn write(refreshed: &Refreshed, spec_dir: &Path, out_dir: &Path) -> Result<()> {
    std::fs::create_dir_all(out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;
    let write = |name: &str, text: &str| {
        let p = out_dir.join(name);
        std::fs::write(&p, text).with_context(|| format!("cannot write {}", p.display()))
    };
    write(SPEC_FILE, &canonical::to_string(&refreshed.spec))?;
    write(PROVENANCE_FILE, &canonical::to_string(&refreshed.provenance))?;
    write(AVAILABILITY_FILE, &canonical::to_string(&refreshed.availability))?;
    write(AVAILABILITY_DOC, &availability::markdown(&refreshed.availability))?;
    write(DEPLOYMENT_EXAMPLES_FILE, &canonical::to_string(&refreshed.deployment_examples))?;
    write(VERSIONS_FILE, &canonical::to_string(&refreshed.versions))?;
    let same = match (spec_dir.canonicalize(), out_dir.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same {
        for name in REVIEWED_INPUTS {
            let src = spec_dir.join(name);
            if src.exists() {
                let text = std::fs::read_to_string(&src).with_context(|| format!("cannot read {}", src.display()))?;
                write(name, &text)?;
            }
        }
    }
    Ok(())
}

/// A short human summary of a refresh.
pub fn summary(r: &Refreshed) -> String {
    let mut s = String::new();
    let total: usize = r.scopes.values().sum();
    let _ = writeln!(s, "operations selected: {total}");
    for (scope, n) in &r.scopes {
        let _ = writeln!(s, "  {scope:<13} {n}");
    }
    let counts = closure::component_counts(&r.spec);
    let _ = writeln!(
        s,
        "components kept: {}",
        counts.iter().map(|(k, v)| format!("{v} {k}")).collect::<Vec<_>>().join(", ")
    );
    let _ = writeln!(s, "normalization passes:");
    for (name, n) in &r.passes {
        let _ = writeln!(s, "  {name:<24} {n} changed");
    }
    let _ = writeln!(s, "components unreferenced after normalization, removed: {}", r.pruned_after_normalization);
    let deployments: Vec<&str> =
        r.availability["deployments"].as_array().into_iter().flatten().filter_map(|d| d["name"].as_str()).collect();
    let _ = writeln!(s, "availability recorded for: {}", deployments.join(", "));
    s
}
