//! The reviewed selection file (`spec/selection.toml`): which upstream
//! operations are vendored.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// A parsed selection file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// Named groups of patterns.
    #[serde(rename = "group")]
    pub groups: Vec<Group>,
}

/// One commented group of the selection file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// What the group is, for humans and error messages.
    pub name: String,
    /// Patterns in the `path:` / `op:` syntax.
    pub patterns: Vec<String>,
}

/// A pattern of the selection file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// `path:<template>` (exact) or `path:<template>/**` (that path and below).
    Path { template: String, subtree: bool },
    /// `op:<operationId>`.
    Operation(String),
}

impl Pattern {
    /// Parses one pattern string.
    pub fn parse(s: &str) -> Result<Self> {
        if let Some(p) = s.strip_prefix("path:") {
            let (template, subtree) = match p.strip_suffix("/**") {
                Some(t) => (t, true),
                None => (p, false),
            };
            if !template.starts_with('/') || template.contains('*') {
                bail!("selection pattern `{s}`: a path must start with `/`, and `/**` may only end it");
            }
            Ok(Pattern::Path { template: template.to_string(), subtree })
        } else if let Some(op) = s.strip_prefix("op:") {
            if op.is_empty() {
                bail!("selection pattern `{s}`: empty operationId");
            }
            Ok(Pattern::Operation(op.to_string()))
        } else {
            bail!("selection pattern `{s}` must start with `path:` or `op:`")
        }
    }

    fn matches(&self, path: &str, operation_id: &str) -> bool {
        match self {
            Pattern::Path { template, subtree } => {
                path == template
                    || (*subtree && path.strip_prefix(template.as_str()).is_some_and(|rest| rest.starts_with('/')))
            }
            Pattern::Operation(id) => id == operation_id,
        }
    }
}

/// One selected operation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SelectedOp {
    /// Path template, e.g. `/orgs/{org}/actions/runners`.
    pub path: String,
    /// Lower-case HTTP method.
    pub method: String,
    /// The operation's `operationId`.
    pub operation_id: String,
}

impl SelectedOp {
    /// The scope of the operation, from its path: `enterprise`,
    /// `organization`, `repository`, or `other`.
    pub fn scope(&self) -> &'static str {
        scope_of(&self.path)
    }
}

/// The scope of a path template: `enterprise`, `organization`, `repository`
/// or `other`.
pub fn scope_of(path: &str) -> &'static str {
    if path.starts_with("/enterprises/") {
        "enterprise"
    } else if path.starts_with("/orgs/") {
        "organization"
    } else if path.starts_with("/repos/") {
        "repository"
    } else {
        "other"
    }
}

impl Selection {
    /// Parses the TOML text of a selection file.
    pub fn parse(text: &str) -> Result<Self> {
        let sel: Selection = toml::from_str(text).context("the selection file is not valid")?;
        if sel.groups.is_empty() {
            bail!("the selection file has no [[group]]");
        }
        for g in &sel.groups {
            for p in &g.patterns {
                Pattern::parse(p)?;
            }
        }
        Ok(sel)
    }

    /// Selects the operations of `doc`; fails naming any pattern that matches
    /// nothing.
    pub fn select(&self, doc: &Value) -> Result<Vec<SelectedOp>> {
        let (ops, unmatched) = self.select_lenient(doc)?;
        if !unmatched.is_empty() {
            bail!(
                "the upstream description lacks selected operations: these selection patterns match nothing: {}",
                unmatched.join(", ")
            );
        }
        Ok(ops)
    }

    /// Selects the operations of `doc` that exist; also returns the patterns
    /// that match nothing (an older or smaller description lacks them).
    pub fn select_lenient(&self, doc: &Value) -> Result<(Vec<SelectedOp>, Vec<String>)> {
        let paths = doc.get("paths").and_then(Value::as_object).context("the description has no \"paths\" object")?;
        let mut selected = BTreeSet::new();
        let mut unmatched = Vec::new();
        for group in &self.groups {
            for raw in &group.patterns {
                let pattern = Pattern::parse(raw)?;
                let mut hits = 0;
                for (path, item) in paths {
                    let Some(item) = item.as_object() else {
                        continue;
                    };
                    for method in crate::METHODS {
                        let Some(op) = item.get(*method) else {
                            continue;
                        };
                        let id = op.get("operationId").and_then(Value::as_str).unwrap_or("");
                        if pattern.matches(path, id) {
                            if id.is_empty() {
                                bail!("{} {path} is selected by `{raw}` but has no operationId", method.to_uppercase());
                            }
                            hits += 1;
                            selected.insert(SelectedOp {
                                path: path.clone(),
                                method: method.to_string(),
                                operation_id: id.to_string(),
                            });
                        }
                    }
                }
                if hits == 0 {
                    unmatched.push(format!("`{raw}` (group \"{}\")", group.name));
                }
            }
        }
        let mut ids = BTreeSet::new();
        for op in &selected {
            if !ids.insert(op.operation_id.as_str()) {
                bail!("operationId {} is used by more than one selected operation", op.operation_id);
            }
        }
        Ok((selected.into_iter().collect(), unmatched))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"paths": {
            "/orgs/{org}/actions/runners": {"get": {"operationId": "a/list"}},
            "/orgs/{org}/actions/runners/{id}": {"get": {"operationId": "a/get"}, "delete": {"operationId": "a/del"}},
            "/orgs/{org}/actions/runners-extra": {"get": {"operationId": "a/extra"}},
            "/rate_limit": {"get": {"operationId": "rate-limit/get"}},
        }})
    }

    #[test]
    fn subtree_pattern_matches_path_and_below_but_not_siblings_with_same_prefix() {
        let sel = Selection::parse(
            "[[group]]\nname='r'\npatterns=['path:/orgs/{org}/actions/runners/**','op:rate-limit/get']",
        )
        .unwrap();
        let ids: Vec<_> = sel.select(&doc()).unwrap().into_iter().map(|o| o.operation_id).collect();
        assert_eq!(ids, ["a/list", "a/del", "a/get", "rate-limit/get"]);
    }

    #[test]
    fn exact_path_pattern_matches_only_that_path() {
        let sel = Selection::parse("[[group]]\nname='r'\npatterns=['path:/orgs/{org}/actions/runners']").unwrap();
        assert_eq!(sel.select(&doc()).unwrap().len(), 1);
    }

    #[test]
    fn a_pattern_matching_nothing_is_an_error_naming_it() {
        let sel = Selection::parse("[[group]]\nname='gone'\npatterns=['op:nope/nothing','op:a/get']").unwrap();
        let err = sel.select(&doc()).unwrap_err().to_string();
        assert!(err.contains("`op:nope/nothing` (group \"gone\")"), "{err}");
        assert!(!err.contains("a/get"), "{err}");
    }

    #[test]
    fn malformed_patterns_are_rejected() {
        assert!(Pattern::parse("runners").is_err());
        assert!(Pattern::parse("path:orgs").is_err());
        assert!(Pattern::parse("path:/a/**/b").is_err());
        assert!(Pattern::parse("op:").is_err());
        assert!(Selection::parse("[[group]]\nname='x'\npatterns=['bad']").is_err());
    }

    #[test]
    fn scopes_follow_the_path() {
        assert_eq!(scope_of("/enterprises/{enterprise}/x"), "enterprise");
        assert_eq!(scope_of("/orgs/{org}"), "organization");
        assert_eq!(scope_of("/repos/{owner}/{repo}"), "repository");
        assert_eq!(scope_of("/rate_limit"), "other");
    }
}
