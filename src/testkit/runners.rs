//! The fake's self-hosted runner operations (the facade's `api/runners`).

use super::call::{Call, Handled, Outcome};
use super::catalog;
use super::state::*;
use serde_json::{Value, json};

/// Answers a runner operation; `None` for other areas' operations.
pub(crate) fn handle(c: &mut Call<'_>) -> Handled {
    Some(match c.action {
        "list-self-hosted-runners" => {
            let name = c.query.get("name");
            let hidden: Vec<i64> = c.sd.hidden.keys().copied().collect();
            let items: Vec<Value> =
                c.sd.runners
                    .values()
                    .filter(|r| name.is_none_or(|n| &r.name == n) && !hidden.contains(&r.id))
                    .map(runner_json)
                    .collect();
            c.sd.hidden.retain(|_, left| {
                *left -= 1;
                *left > 0
            });
            Ok(Outcome::List("runners", items))
        }
        "get-runner-version-deprecation" => {
            let v = c.param("version");
            let old = v.split('.').nth(1).and_then(|m| m.parse::<u32>().ok()).is_some_and(|m| m < 320);
            let date = |d: &str| if old { json!(d) } else { Value::Null };
            Ok(Outcome::Json(
                200,
                json!({"runner_version": v, "registration_deprecates_at": date("2026-08-01T00:00:00Z"),
                       "runtime_deprecates_at": date("2026-09-01T00:00:00Z")}),
            ))
        }
        "list-runner-applications" => Ok(Outcome::Json(200, catalog::downloads())),
        "generate-runner-jitconfig" => jit_config(c),
        "create-registration-token" => {
            let token = format!("AABF3JGZDX3P5PMEXLND6TS6FCW{:08}", c.next);
            c.sd.registration_tokens.insert(token.clone());
            Ok(Outcome::Json(201, token_json(token)))
        }
        "create-remove-token" => Ok(Outcome::Json(201, token_json(format!("AFFNEVY3EEWQ5WP2QCKQJ7LPC{:08}", c.next)))),
        "get-self-hosted-runner" => c.runner().map(|id| Outcome::Json(200, runner_json(&c.sd.runners[&id]))),
        "delete-self-hosted-runner" => delete(c),
        "list-labels-for-self-hosted-runner" => c.runner().map(|id| labels_response(&c.sd.runners[&id])),
        "add-custom-labels-to-self-hosted-runner" => add_labels(c, false),
        "set-custom-labels-for-self-hosted-runner" => add_labels(c, true),
        "remove-all-custom-labels-from-self-hosted-runner" => clear_labels(c),
        "remove-custom-label-from-self-hosted-runner" => remove_label(c),
        _ => return None,
    })
}

fn jit_config(c: &mut Call<'_>) -> Result<Outcome, Refusal> {
    let name = c.text("name").to_string();
    let labels = c.str_list("labels");
    let gid = c.body.get("runner_group_id").and_then(Value::as_i64).unwrap_or(1);
    if name.trim().is_empty() {
        return Err(invalid("name", "missing_field", "Runner"));
    }
    check_labels(&labels, 1)?;
    if c.sd.runners.values().any(|r| r.name == name) {
        return Err(github_error(409, &format!("Already exists - A runner with the name {name} already exists.")));
    }
    if !matches!(c.scope, FakeScope::Repo(..)) && !c.sd.groups.contains_key(&gid) {
        return Err(invalid("runner_group_id", "invalid", "Runner"));
    }
    let next = c.next;
    let labels = labels
        .iter()
        .enumerate()
        .map(|(i, l)| Label { id: next * 1000 + i as i64, name: l.clone(), custom: l != "self-hosted" })
        .collect();
    let r = Runner {
        id: next,
        name,
        os: "linux".into(),
        status: "offline".into(),
        busy: false,
        labels,
        group_id: gid,
        ephemeral: true,
        started: false,
    };
    let runner = runner_json(&r);
    c.sd.insert_runner(r);
    let config = c.sd.issue_jit_config(next);
    Ok(Outcome::Json(201, json!({"runner": runner, "encoded_jit_config": config})))
}

fn delete(c: &mut Call<'_>) -> Result<Outcome, Refusal> {
    let id = c.runner()?;
    let runner = &c.sd.runners[&id];
    if runner.busy {
        let message = format!("Bad request - Runner \"{}\" is still running a job", runner.name);
        return Err(github_error(422, &message));
    }
    c.sd.runners.remove(&id);
    Ok(Outcome::Empty(204))
}

fn add_labels(c: &mut Call<'_>, replace: bool) -> Result<Outcome, Refusal> {
    let id = c.runner()?;
    let labels = c.str_list("labels");
    check_labels(&labels, if replace { 0 } else { 1 })?;
    let next = c.next;
    let r = c.sd.runners.get_mut(&id).ok_or_else(not_found)?;
    if replace {
        r.labels.retain(|l| !l.custom);
    }
    for (i, l) in labels.iter().enumerate() {
        if !r.labels.iter().any(|x| &x.name == l) {
            r.labels.push(Label { id: next * 1000 + i as i64, name: l.clone(), custom: true });
        }
    }
    Ok(labels_response(r))
}

fn clear_labels(c: &mut Call<'_>) -> Result<Outcome, Refusal> {
    let id = c.runner()?;
    let r = c.sd.runners.get_mut(&id).ok_or_else(not_found)?;
    r.labels.retain(|l| !l.custom);
    Ok(labels_response(r))
}

fn remove_label(c: &mut Call<'_>) -> Result<Outcome, Refusal> {
    let id = c.runner()?;
    let name = c.param("name");
    let r = c.sd.runners.get_mut(&id).ok_or_else(not_found)?;
    if !r.labels.iter().any(|l| l.custom && l.name == name) {
        return Err(not_found());
    }
    r.labels.retain(|l| l.name != name);
    Ok(labels_response(r))
}

fn labels_response(r: &Runner) -> Outcome {
    Outcome::Json(200, json!({"total_count": r.labels.len(), "labels": labels_json(&r.labels)}))
}

fn check_labels(labels: &[String], min: usize) -> Result<(), Refusal> {
    if labels.len() < min || labels.len() > 100 || labels.iter().any(|l| l.trim().is_empty()) {
        return Err(invalid("labels", "invalid", "Runner"));
    }
    Ok(())
}
