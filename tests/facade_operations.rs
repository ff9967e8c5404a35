//! Every runner operation of the vendored spec, driven through the facade
//! against a loopback server: the exact method, path, query and JSON body
//! sent, the required headers, and the decoding of the documented example
//! response. A coverage test fails naming any operation of `spec/` that no
//! case exercises, so a spec refresh that adds one fails until the facade
//! covers it.

mod support;

use std::collections::BTreeSet;
use support::cases::{all_cases, run};

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
    assert_eq!(runner_ops.len(), 116);
}
