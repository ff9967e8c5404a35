//! The fake's self-hosted runner permission operations (the facade's
//! `api/permissions`).

use super::call::{Call, Handled, Outcome};
use super::catalog;
use super::state::*;
use serde_json::{Value, json};

/// Answers a permission operation; `None` for other areas' operations.
pub(crate) fn handle(c: &mut Call<'_>) -> Handled {
    let enterprise = matches!(c.scope, FakeScope::Enterprise(_));
    Some(match c.action {
        "get-self-hosted-runners-permissions" if enterprise => {
            Ok(Outcome::Json(200, json!({"disable_self_hosted_runners_for_all_orgs": c.sd.disable_for_all_orgs})))
        }
        "set-self-hosted-runners-permissions" if enterprise => {
            let v = c.body.get("disable_self_hosted_runners_for_all_orgs").and_then(Value::as_bool);
            v.ok_or_else(|| invalid("disable_self_hosted_runners_for_all_orgs", "missing_field", "Enterprise")).map(
                |v| {
                    c.sd.disable_for_all_orgs = v;
                    Outcome::Empty(204)
                },
            )
        }
        "get-self-hosted-runners-permissions" => {
            let mut v = json!({"enabled_repositories": c.sd.enabled_repositories});
            if c.sd.enabled_repositories == "selected" {
                let path = c.scope.api_path();
                v["selected_repositories_url"] =
                    json!(format!("{}{path}/actions/permissions/self-hosted-runners/repositories", c.base));
            }
            Ok(Outcome::Json(200, v))
        }
        "set-self-hosted-runners-permissions" => {
            let v = c.text("enabled_repositories");
            if ["all", "selected", "none"].contains(&v) {
                c.sd.enabled_repositories = v.to_string();
                Ok(Outcome::Empty(204))
            } else {
                Err(invalid("enabled_repositories", "invalid", "ActionsPermissions"))
            }
        }
        "list-selected-repositories-self-hosted-runners" => {
            let owner = c.owner();
            let repos = c.sd.selected_repositories.iter().map(|id| catalog::repository(*id, &owner));
            Ok(Outcome::List("repositories", repos.collect()))
        }
        "set-selected-repositories-self-hosted-runners" => {
            c.sd.selected_repositories = c.int_list("selected_repository_ids").into_iter().collect();
            Ok(Outcome::Empty(204))
        }
        "enable-selected-repository-self-hosted-runners" => c.id("repository_id").map(|id| {
            c.sd.selected_repositories.insert(id);
            Outcome::Empty(204)
        }),
        "disable-selected-repository-self-hosted-runners" => c.id("repository_id").map(|id| {
            c.sd.selected_repositories.remove(&id);
            Outcome::Empty(204)
        }),
        _ => return None,
    })
}
