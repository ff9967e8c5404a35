//! The fake's hosted-compute network configuration operations (the
//! facade's `api/network`).

use super::call::{Call, Handled, Outcome};
use super::state::*;
use serde_json::json;

/// Answers a network-configuration operation; `None` for other areas'
/// operations.
pub(crate) fn handle(c: &mut Call<'_>) -> Handled {
    Some(match c.action {
        "list-network-configurations" => {
            Ok(Outcome::List("network_configurations", c.sd.networks.values().cloned().collect()))
        }
        "create-network-configuration" => create(c),
        "get-network-configuration" => {
            c.sd.networks
                .get(&c.param("network_configuration_id"))
                .map(|n| Outcome::Json(200, n.clone()))
                .ok_or_else(not_found)
        }
        "update-network-configuration" => {
            let id = c.param("network_configuration_id");
            c.sd.networks.get_mut(&id).ok_or_else(not_found).map(|n| {
                for (k, v) in c.body.as_object().into_iter().flatten() {
                    n[k] = v.clone();
                }
                Outcome::Json(200, n.clone())
            })
        }
        "delete-network-configuration" => {
            c.sd.networks
                .remove(&c.param("network_configuration_id"))
                .map(|_| Outcome::Empty(204))
                .ok_or_else(not_found)
        }
        _ => return None,
    })
}

fn create(c: &mut Call<'_>) -> Result<Outcome, Refusal> {
    let name = c.text("name");
    if name.trim().is_empty() || c.str_list("network_settings_ids").is_empty() {
        return Err(invalid("network_settings_ids", "missing_field", "NetworkConfiguration"));
    }
    let id = format!("{:X}F2A8B8C9D1E", c.next);
    let n = json!({"id": id, "name": name,
        "compute_service": c.body.get("compute_service").cloned().unwrap_or(json!("none")),
        "network_settings_ids": c.body.get("network_settings_ids").cloned().unwrap_or(json!([])),
        "created_on": "2026-11-21T00:00:00Z"});
    c.sd.networks.insert(id, n.clone());
    Ok(Outcome::Json(201, n))
}
