//! Webhook deliveries as GitHub logs them: what a receiver that was down
//! reads to find what it missed, and redelivers.

use super::ids::*;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One delivery attempt of a webhook (schema `hook-delivery-item`).
///
/// GitHub logs each attempt: a redelivery is a new entry with a new
/// [`id`](Self::id), `redelivery: true` and the same [`guid`](Self::guid)
/// (the `X-GitHub-Delivery` header the receiver saw).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct HookDelivery {
    /// This attempt's id.
    pub id: DeliveryId,
    /// The event's GUID, shared by every attempt of it.
    pub guid: String,
    /// When the attempt was made.
    pub delivered_at: DateTime<Utc>,
    /// Whether this attempt is a redelivery.
    pub redelivery: bool,
    /// Seconds the attempt took.
    pub duration: f64,
    /// GitHub's description of the outcome: `OK` when the receiver
    /// answered 2xx.
    pub status: String,
    /// The receiver's HTTP status; 0 when none came (refused, timed out).
    pub status_code: i64,
    /// The event (`workflow_job`).
    pub event: String,
    /// The payload's `action` (`queued`...), if it has one.
    #[serde(default)]
    pub action: Option<String>,
    /// The App installation the event is for, if any.
    #[serde(default)]
    pub installation_id: Option<i64>,
    /// The repository the event is about, if any.
    #[serde(default)]
    pub repository_id: Option<i64>,
    /// When GitHub throttled the delivery, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttled_at: Option<DateTime<Utc>>,
}

impl HookDelivery {
    /// Whether the receiver accepted this attempt (`status` is `OK`, as in
    /// GitHub's guide to redelivering failed deliveries).
    pub fn succeeded(&self) -> bool {
        self.status == "OK"
    }
}

/// One delivery attempt with what was sent and answered (schema
/// `hook-delivery`): the attempt as listed, and more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct HookDeliveryDetail {
    /// The attempt, as [`list`](crate::api::HookDeliveries::list) gives it.
    #[serde(flatten)]
    pub delivery: HookDelivery,
    /// The URL it was sent to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What GitHub sent.
    pub request: DeliveryRequest,
    /// What the receiver answered.
    pub response: DeliveryResponse,
}

/// The request of a delivery attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct DeliveryRequest {
    /// The headers sent (`X-GitHub-Event`, `X-Hub-Signature-256`...).
    pub headers: Option<Map<String, Value>>,
    /// The payload.
    pub payload: Option<Map<String, Value>>,
}

/// The receiver's answer to a delivery attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct DeliveryResponse {
    /// The headers it answered with.
    pub headers: Option<Map<String, Value>>,
    /// The body it answered with.
    pub payload: Option<String>,
}
