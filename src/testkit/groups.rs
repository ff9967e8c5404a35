//! The fake's runner-group operations (the facade's `api/groups`).

use super::call::{Call, Handled, Outcome};
use super::catalog;
use super::state::*;
use serde_json::{Map, json};

/// Answers a runner-group operation; `None` for other areas' operations.
pub(crate) fn handle(c: &mut Call<'_>) -> Handled {
    Some(match c.action {
        "list-self-hosted-runner-groups" => {
            let items = c.sd.groups.values().map(|g| group_json(c.base, c.scope, g)).collect();
            Ok(Outcome::List("runner_groups", items))
        }
        "create-self-hosted-runner-group" => create(c),
        "get-self-hosted-runner-group" => {
            c.group().map(|id| Outcome::Json(200, group_json(c.base, c.scope, &c.sd.groups[&id])))
        }
        "update-self-hosted-runner-group" => update(c),
        "delete-self-hosted-runner-group" => delete(c),
        "list-self-hosted-runners-in-group" => c.group().map(|id| {
            Outcome::List("runners", c.sd.runners.values().filter(|r| r.group_id == id).map(runner_json).collect())
        }),
        "list-github-hosted-runners-in-group" => c.group().map(|id| {
            Outcome::List("runners", c.sd.hosted.values().filter(|h| h["runner_group_id"] == id).cloned().collect())
        }),
        "list-repo-access-to-self-hosted-runner-group" => c.group().map(|id| {
            let owner = c.owner();
            let repos = c.sd.groups[&id].members.iter().map(|r| catalog::minimal_repository(*r, &owner));
            Outcome::List("repositories", repos.collect())
        }),
        "list-org-access-to-self-hosted-runner-group" => c.group().map(|id| {
            Outcome::List("organizations", c.sd.groups[&id].members.iter().map(|o| catalog::organization(*o)).collect())
        }),
        "set-repo-access-to-self-hosted-runner-group" | "set-org-access-to-self-hosted-runner-group" => set_members(c),
        "add-repo-access-to-self-hosted-runner-group" | "add-org-access-to-self-hosted-runner-group" => {
            change_member(c, true)
        }
        "remove-repo-access-to-self-hosted-runner-group" | "remove-org-access-to-self-hosted-runner-group" => {
            change_member(c, false)
        }
        "set-self-hosted-runners-in-group" => set_runners(c),
        "add-self-hosted-runner-to-group" => move_runner(c, true),
        "remove-self-hosted-runner-from-group" => move_runner(c, false),
        _ => return None,
    })
}

fn create(c: &mut Call<'_>) -> Result<Outcome, Refusal> {
    let name = c.text("name");
    if name.trim().is_empty() {
        return Err(invalid("name", "missing_field", "RunnerGroup"));
    }
    if c.sd.groups.values().any(|g| g.fields.get("name") == Some(&json!(name))) {
        return Err(invalid("name", "already_exists", "RunnerGroup"));
    }
    let mut fields = Map::new();
    for k in [
        "name",
        "visibility",
        "allows_public_repositories",
        "restricted_to_workflows",
        "selected_workflows",
        "network_configuration_id",
    ] {
        if let Some(v) = c.body.get(k) {
            fields.insert(k.into(), v.clone());
        }
    }
    let mut members = c.int_list("selected_repository_ids");
    members.extend(c.int_list("selected_organization_ids"));
    for id in c.int_list("runners") {
        if let Some(r) = c.sd.runners.get_mut(&id) {
            r.group_id = c.next;
        }
    }
    let g = Group { id: c.next, fields, members: members.into_iter().collect() };
    let out = group_json(c.base, c.scope, &g);
    c.sd.groups.insert(c.next, g);
    Ok(Outcome::Json(201, out))
}

fn update(c: &mut Call<'_>) -> Result<Outcome, Refusal> {
    let id = c.group()?;
    let g = c.sd.groups.get_mut(&id).ok_or_else(not_found)?;
    for (k, v) in c.body.as_object().into_iter().flatten() {
        g.fields.insert(k.clone(), v.clone());
    }
    Ok(Outcome::Json(200, group_json(c.base, c.scope, g)))
}

fn delete(c: &mut Call<'_>) -> Result<Outcome, Refusal> {
    let id = c.group()?;
    if id == 1 {
        return Err(invalid("runner_group_id", "invalid", "RunnerGroup"));
    }
    c.sd.groups.remove(&id);
    for r in c.sd.runners.values_mut().filter(|r| r.group_id == id) {
        r.group_id = 1;
    }
    Ok(Outcome::Empty(204))
}

fn set_members(c: &mut Call<'_>) -> Result<Outcome, Refusal> {
    let id = c.group()?;
    let mut ids = c.int_list("selected_repository_ids");
    ids.extend(c.int_list("selected_organization_ids"));
    c.sd.groups.get_mut(&id).ok_or_else(not_found)?.members = ids.into_iter().collect();
    Ok(Outcome::Empty(204))
}

fn change_member(c: &mut Call<'_>, add: bool) -> Result<Outcome, Refusal> {
    let id = c.group()?;
    let member = c.id("repository_id").or_else(|_| c.id("org_id"))?;
    let members = &mut c.sd.groups.get_mut(&id).ok_or_else(not_found)?.members;
    if add {
        members.insert(member);
    } else {
        members.remove(&member);
    }
    Ok(Outcome::Empty(204))
}

fn set_runners(c: &mut Call<'_>) -> Result<Outcome, Refusal> {
    let id = c.group()?;
    let ids = c.int_list("runners");
    if ids.iter().any(|r| !c.sd.runners.contains_key(r)) {
        return Err(not_found());
    }
    for r in c.sd.runners.values_mut() {
        if ids.contains(&r.id) {
            r.group_id = id;
        } else if r.group_id == id {
            r.group_id = 1;
        }
    }
    Ok(Outcome::Empty(204))
}

/// Moves a runner into the group (`add`) or back to the default group.
fn move_runner(c: &mut Call<'_>, add: bool) -> Result<Outcome, Refusal> {
    let group = c.group()?;
    let id = c.runner()?;
    if let Some(r) = c.sd.runners.get_mut(&id) {
        r.group_id = if add { group } else { 1 };
    }
    Ok(Outcome::Empty(204))
}
