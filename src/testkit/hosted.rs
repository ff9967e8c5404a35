//! The fake's GitHub-hosted runner operations (the facade's `api/hosted`).

use super::call::{Call, Handled, Outcome};
use super::catalog;
use super::state::*;
use serde_json::{Value, json};

/// Answers a hosted-runner operation; `None` for other areas' operations.
pub(crate) fn handle(c: &mut Call<'_>) -> Handled {
    Some(match c.action {
        "list-hosted-runners" => Ok(Outcome::List("runners", c.sd.hosted.values().cloned().collect())),
        "create-hosted-runner" => create(c),
        "get-hosted-runners-github-owned-images" => Ok(listed("images", catalog::github_owned_images())),
        "get-hosted-runners-partner-images" => Ok(listed("images", catalog::partner_images())),
        "get-hosted-runners-limits" => {
            let used = c.sd.hosted.values().filter(|h| h["public_ip_enabled"] == true).count();
            Ok(Outcome::Json(200, catalog::limits(used)))
        }
        "get-hosted-runners-machine-specs" => Ok(listed("machine_specs", catalog::machine_specs())),
        "get-hosted-runners-platforms" => Ok(listed("platforms", catalog::platforms())),
        "get-hosted-runner" => c
            .id("hosted_runner_id")
            .and_then(|id| c.sd.hosted.get(&id).map(|h| Outcome::Json(200, h.clone())).ok_or_else(not_found)),
        "update-hosted-runner" => update(c),
        "delete-hosted-runner" => c.id("hosted_runner_id").and_then(|id| {
            let mut gone = c.sd.hosted.remove(&id).ok_or_else(not_found)?;
            gone["status"] = json!("Deleting");
            Ok(Outcome::Json(202, gone))
        }),
        "list-custom-images" => {
            Ok(listed("images", c.sd.custom_images.values().map(|(image, _)| image.clone()).collect()))
        }
        "list-custom-image-versions" => c.id("image_definition_id").and_then(|id| {
            let (_, versions) = c.sd.custom_images.get(&id).ok_or_else(not_found)?;
            Ok(listed("image_versions", versions.values().cloned().collect()))
        }),
        "get-custom-image-version" => c.id("image_definition_id").and_then(|id| {
            let (_, versions) = c.sd.custom_images.get(&id).ok_or_else(not_found)?;
            Ok(Outcome::Json(200, versions.get(&c.param("version")).cloned().ok_or_else(not_found)?))
        }),
        "delete-custom-image-version" => c.id("image_definition_id").and_then(|id| {
            let version = c.param("version");
            let (_, versions) = c.sd.custom_images.get_mut(&id).ok_or_else(not_found)?;
            versions.remove(&version).ok_or_else(not_found)?;
            Ok(Outcome::Empty(204))
        }),
        "get-custom-image" => c
            .id("image_definition_id")
            .and_then(|id| Ok(Outcome::Json(200, c.sd.custom_images.get(&id).ok_or_else(not_found)?.0.clone()))),
        "delete-custom-image" => c.id("image_definition_id").and_then(|id| {
            c.sd.custom_images.remove(&id).ok_or_else(not_found)?;
            Ok(Outcome::Empty(204))
        }),
        _ => return None,
    })
}

/// A whole (unpaginated) list with its `total_count`.
fn listed(key: &str, items: Vec<Value>) -> Outcome {
    Outcome::Json(200, json!({"total_count": items.len(), key: items}))
}

fn create(c: &mut Call<'_>) -> Result<Outcome, Refusal> {
    let name = c.text("name");
    let ok = (1..=64).contains(&name.len())
        && name.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_'));
    if !ok {
        return Err(invalid("name", "invalid", "HostedRunner"));
    }
    let h = hosted_json(c.next, c.body);
    c.sd.hosted.insert(c.next, h.clone());
    Ok(Outcome::Json(201, h))
}

fn update(c: &mut Call<'_>) -> Result<Outcome, Refusal> {
    let id = c.id("hosted_runner_id")?;
    let h = c.sd.hosted.get_mut(&id).ok_or_else(not_found)?;
    for k in ["name", "runner_group_id", "maximum_runners"] {
        if let Some(v) = c.body.get(k) {
            h[k] = v.clone();
        }
    }
    if let Some(v) = c.body.get("enable_static_ip") {
        h["public_ip_enabled"] = v.clone();
    }
    if let Some(size) = c.body.get("size").and_then(Value::as_str)
        && let Some(m) = catalog::machine_specs().into_iter().find(|m| m["id"] == size)
    {
        h["machine_size_details"] = m;
    }
    if let Some(image) = c.body.get("image_id") {
        h["image_details"]["id"] = image.clone();
    }
    Ok(Outcome::Json(200, h.clone()))
}
