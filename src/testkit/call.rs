//! One operation call as the fake's area handlers see it: the scope's data,
//! the path parameters, query and body, and the answer they give.

use super::state::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// What a handler answers.
pub(crate) enum Outcome {
    Json(u16, Value),
    /// A paginated list: the wrapper key and the items.
    List(&'static str, Vec<Value>),
    /// A cursor-paginated list (webhook deliveries): a JSON array and the
    /// `Link` header naming the next page, if any.
    Cursor(Vec<Value>, Option<String>),
    Empty(u16),
}

/// A handler's answer: `None` when the operation is not its area's.
pub(crate) type Handled = Option<Result<Outcome, Refusal>>;

/// One call of an operation at a scope that exists.
pub(crate) struct Call<'a> {
    /// The operation without its scope suffix (`list-self-hosted-runners`
    /// for `actions/list-self-hosted-runners-for-org`).
    pub action: &'a str,
    pub scope: &'a FakeScope,
    /// The scope's data.
    pub sd: &'a mut ScopeData,
    /// A fresh id, for whatever the call creates.
    pub next: i64,
    /// The fake's base URL, for URLs in answers.
    pub base: &'a str,
    pub params: &'a BTreeMap<String, String>,
    pub query: &'a BTreeMap<String, String>,
    pub body: &'a Value,
}

impl Call<'_> {
    /// The login of the scope's owner (organization, repository owner or
    /// enterprise slug).
    pub fn owner(&self) -> String {
        match self.scope {
            FakeScope::Repo(o, _) | FakeScope::Org(o) => o.clone(),
            FakeScope::Enterprise(e) => e.clone(),
        }
    }

    /// An integer path parameter; 404 when missing or not a number.
    pub fn id(&self, name: &str) -> Result<i64, Refusal> {
        self.params.get(name).and_then(|v| v.parse().ok()).ok_or_else(not_found)
    }

    /// A string path parameter (empty when missing).
    pub fn param(&self, name: &str) -> String {
        self.params.get(name).cloned().unwrap_or_default()
    }

    /// The `runner_id` parameter of a runner that exists.
    pub fn runner(&self) -> Result<i64, Refusal> {
        let id = self.id("runner_id")?;
        if self.sd.runners.contains_key(&id) { Ok(id) } else { Err(not_found()) }
    }

    /// The `runner_group_id` parameter of a group that exists.
    pub fn group(&self) -> Result<i64, Refusal> {
        let id = self.id("runner_group_id")?;
        if self.sd.groups.contains_key(&id) { Ok(id) } else { Err(not_found()) }
    }

    /// A string field of the body (empty when missing).
    pub fn text(&self, key: &str) -> &str {
        self.body.get(key).and_then(Value::as_str).unwrap_or_default()
    }

    /// A list of strings in the body.
    pub fn str_list(&self, key: &str) -> Vec<String> {
        let items = self.body.get(key).and_then(Value::as_array).into_iter().flatten();
        items.filter_map(|v| v.as_str().map(String::from)).collect()
    }

    /// A list of integers in the body.
    pub fn int_list(&self, key: &str) -> Vec<i64> {
        self.body.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_i64).collect()
    }
}

/// The operation's name without its group prefix and scope suffix: what is
/// done, the same at every scope.
pub(crate) fn action(operation: &str) -> &str {
    let op = operation.split_once('/').map_or(operation, |(_, o)| o);
    for suffix in ["-organization", "-enterprise", "-org", "-repo"] {
        if let Some(rest) = op.strip_suffix(suffix) {
            for joint in ["-for", "-from", "-in"] {
                if let Some(action) = rest.strip_suffix(joint) {
                    return action;
                }
            }
            if suffix == "-organization" {
                return rest;
            }
        }
    }
    op
}

#[cfg(test)]
mod tests {
    use super::action;

    #[test]
    fn actions_drop_the_scope() {
        assert_eq!(action("actions/list-self-hosted-runners-for-org"), "list-self-hosted-runners");
        assert_eq!(action("enterprise-admin/list-self-hosted-runners-for-enterprise"), "list-self-hosted-runners");
        assert_eq!(
            action("actions/remove-custom-label-from-self-hosted-runner-for-repo"),
            "remove-custom-label-from-self-hosted-runner"
        );
        assert_eq!(action("actions/delete-self-hosted-runner-group-from-org"), "delete-self-hosted-runner-group");
        assert_eq!(
            action("actions/list-repo-access-to-self-hosted-runner-group-in-org"),
            "list-repo-access-to-self-hosted-runner-group"
        );
        assert_eq!(
            action("actions/get-self-hosted-runners-permissions-organization"),
            "get-self-hosted-runners-permissions"
        );
        assert_eq!(
            action("enterprise-admin/get-self-hosted-runners-permissions"),
            "get-self-hosted-runners-permissions"
        );
        assert_eq!(action("rate-limit/get"), "get");
    }
}
