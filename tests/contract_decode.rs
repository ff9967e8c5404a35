//! Representative documented examples decode into the generated types, and
//! encoding the decoded value gives the example back: no field is lost or
//! mistyped by the generated client.
//!
//! Where GitHub's example contradicts its own schema (listed in
//! `spec/example-defects.toml`), the corrected copy is used.

mod support;

use gha_runners::generated::types;
use gha_runners::types as friendly;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// Fields that hold secrets: they re-encode as `[redacted]`.
const SECRET_FIELDS: &[&str] = &["token", "encoded_jit_config", "temp_download_token"];

/// The JSON as the decoded types re-encode it: `null` and `[]` members
/// dropped (an absent optional field re-encodes as neither), secrets
/// redacted, and timestamps in UTC (`-08:00` offsets decode to the same
/// instant).
fn normalized(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .map(|(k, v)| {
                    if SECRET_FIELDS.contains(&k.as_str()) {
                        (k.clone(), Value::String(gha_runners::Secret::new("x").to_string()))
                    } else {
                        (k.clone(), normalized(v))
                    }
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalized).collect()),
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => Value::String(t.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            Err(_) => v.clone(),
        },
        other => other.clone(),
    }
}

/// Decodes the payload of `key` as `T` and checks that it encodes back to
/// the same JSON. Returns the decoded value for further assertions.
fn round_trip<T: DeserializeOwned + Serialize>(key: &str) -> T {
    let payload = support::spec::example_payload(key);
    let decoded: T = serde_json::from_value(payload.clone())
        .unwrap_or_else(|e| panic!("{key} does not decode as {}: {e}", std::any::type_name::<T>()));
    let encoded = serde_json::to_value(&decoded).expect("encode");
    assert_eq!(normalized(&encoded), normalized(&payload), "{key}: decoding lost or changed a field");
    decoded
}

#[test]
fn runner_list_and_runner() {
    let list: types::ActionsListSelfHostedRunnersForOrgResponse =
        round_trip("actions/list-self-hosted-runners-for-org.200.default");
    assert_eq!(list.total_count, 2);
    assert_eq!(list.runners.len(), 2);
    assert!(!list.runners[0].labels.is_empty());
    let runner: friendly::Runner = round_trip("actions/get-self-hosted-runner-for-org.200.default");
    assert!(runner.id.get() > 0);
    let _: types::EnterpriseAdminListSelfHostedRunnersForEnterpriseResponse =
        round_trip("enterprise-admin/list-self-hosted-runners-for-enterprise.200.default");
}

#[test]
fn labels() {
    let labels: types::ActionsRunnerLabels =
        round_trip("actions/list-labels-for-self-hosted-runner-for-org.200.default");
    assert_eq!(labels.total_count as usize, labels.labels.len());
    assert!(labels.labels.iter().any(|l| l.label_type == Some(friendly::LabelType::ReadOnly)));
}

#[test]
fn jit_config_and_tokens() {
    let jit: friendly::JitConfig = round_trip("actions/generate-runner-jitconfig-for-org.201.default");
    assert!(!jit.encoded_jit_config.expose_secret().is_empty());
    assert!(jit.runner.id.get() > 0);
    let token: friendly::RunnerToken = round_trip("actions/create-registration-token-for-org.201.default");
    assert!(!token.token.expose_secret().is_empty());
    let _: friendly::RunnerToken = round_trip("actions/create-remove-token-for-org.201.default");
}

#[test]
fn runner_groups() {
    let org: types::ActionsListSelfHostedRunnerGroupsForOrgResponse =
        round_trip("actions/list-self-hosted-runner-groups-for-org.200.default");
    assert!(!org.runner_groups.is_empty());
    let _: types::EnterpriseAdminListSelfHostedRunnerGroupsForEnterpriseResponse =
        round_trip("enterprise-admin/list-self-hosted-runner-groups-for-enterprise.200.default");
    let one: friendly::RunnerGroup = round_trip("actions/get-self-hosted-runner-group-for-org.200.default");
    assert!(one.id.get() > 0, "runner group ids decode as integers");
}

#[test]
fn hosted_runners_and_catalogues() {
    let runner: friendly::HostedRunner = round_trip("actions/get-hosted-runner-for-org.200.default");
    assert!(runner.image_details.is_some());
    let _: types::ActionsListHostedRunnersForOrgResponse =
        round_trip("actions/list-hosted-runners-for-org.200.default");
    let images: types::ActionsGetHostedRunnersGithubOwnedImagesForOrgResponse =
        round_trip("actions/get-hosted-runners-github-owned-images-for-org.200.default");
    assert_eq!(images.images.len(), 1);
    let _: types::ActionsGetHostedRunnersPartnerImagesForOrgResponse =
        round_trip("actions/get-hosted-runners-partner-images-for-org.200.default");
    let _: types::ActionsGetHostedRunnersMachineSpecsForOrgResponse =
        round_trip("actions/get-hosted-runners-machine-specs-for-org.200.default");
    let platforms: types::ActionsGetHostedRunnersPlatformsForOrgResponse =
        round_trip("actions/get-hosted-runners-platforms-for-org.200.default");
    assert_eq!(platforms.total_count as usize, platforms.platforms.len());
    let _: friendly::HostedRunnerLimits = round_trip("actions/get-hosted-runners-limits-for-org.200.default");
    let _: types::ActionsListCustomImagesForOrgResponse = round_trip("actions/list-custom-images-for-org.200.default");
    let _: types::ActionsListCustomImageVersionsForOrgResponse =
        round_trip("actions/list-custom-image-versions-for-org.200.default");
}

#[test]
fn network_configurations() {
    let one: friendly::NetworkConfiguration =
        round_trip("hosted-compute/get-network-configuration-for-org.200.default");
    assert!(!one.id.is_empty());
    let _: types::HostedComputeListNetworkConfigurationsForOrgResponse =
        round_trip("hosted-compute/list-network-configurations-for-org.200.default");
}

#[test]
fn runner_application_downloads() {
    let apps: Vec<friendly::RunnerApplication> = round_trip("actions/list-runner-applications-for-org.200.default");
    assert!(apps.iter().any(|a| a.os == "linux"));
}
