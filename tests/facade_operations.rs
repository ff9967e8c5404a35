//! Every runner operation of the vendored spec, driven through the facade
//! against a loopback server: the exact method, path, query and JSON body
//! sent, the required headers, and the decoding of the documented example
//! response. A coverage test fails naming any operation of `spec/` that no
//! case exercises, so a spec refresh that adds one fails until the facade
//! covers it.

mod support;

use std::collections::BTreeSet;
use support::cases::{all_cases, run, run_as};

#[tokio::test]
async fn every_runner_operation_sends_the_documented_request_and_decodes_the_example() {
    let spec = support::spec::spec();
    let mut failures = Vec::new();
    for case in all_cases() {
        if let Err(why) = run(&case, &spec, None).await {
            failures.push(format!("{}: {why}", case.op));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} operations failed:\n{}",
        failures.len(),
        all_cases().len(),
        failures.join("\n")
    );
}

/// Every operation under every REST API version: the client sends the
/// version, and the facade decodes that version's documented example,
/// which validates against that version's schema.
#[tokio::test]
async fn every_runner_operation_works_under_every_api_version() {
    let versions = support::spec::api_versions();
    assert_eq!(versions, ["2022-11-28", "2026-03-10"]);
    let mut failures = Vec::new();
    for version in &versions {
        let derived = support::spec::spec_as_of(version);
        let examples = support::spec::examples_as_of(&derived);
        for case in all_cases() {
            let payload = support::spec::response_payload_as_of(&examples, case.op, case.status);
            let schema = support::spec::body_schema(&derived, case.op, &case.status.to_string());
            if let (Some(body), Some(schema)) = (&payload, schema)
                && let Err(errors) = support::openapi_schema::validate(&derived, &schema, body)
            {
                failures.push(format!("{version} {}: the example does not validate: {errors:?}", case.op));
            }
            if let Err(why) = run_as(&case, &derived, payload, Some(version)).await {
                failures.push(format!("{version} {}: {why}", case.op));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_runner_operation_of_the_spec_has_a_case() {
    let spec = support::spec::spec();
    let covered: BTreeSet<&str> = all_cases().iter().map(|c| c.op).collect();
    assert_eq!(covered.len(), all_cases().len(), "an operation has two cases");
    let runner_ops: BTreeSet<String> = support::spec::operations(&spec)
        .into_iter()
        .map(|o| o.id)
        .filter(|id| id != "apps/create-installation-access-token" && id != "rate-limit/get")
        .collect();
    let missing: Vec<&String> = runner_ops.iter().filter(|id| !covered.contains(id.as_str())).collect();
    assert!(missing.is_empty(), "operations of spec/ the facade tests do not exercise: {missing:?}");
    let unknown: Vec<&&str> = covered.iter().filter(|id| !runner_ops.contains(**id)).collect();
    assert!(unknown.is_empty(), "cases for operations not in spec/: {unknown:?}");
    assert_eq!(
        runner_ops.len(),
        127,
        "116 runner operations, 3 job lookups, 6 webhook-delivery operations, workflow runs, installation repositories"
    );
}
