//! The message queue's messages, decoded: the statistics, the job messages
//! a message's body string holds (typed, unknown ones kept), Go's zero
//! times as `None`, and typed errors for a body or message type this crate
//! cannot read.

mod support;

use gha_runners::scaleset::{JobMessage, Message, MessageError};
use serde_json::json;

fn message(body: serde_json::Value) -> Message {
    serde_json::from_value(body).expect("a message decodes")
}

#[test]
fn a_message_with_job_messages_decodes_to_typed_jobs_and_statistics() {
    let fixture =
        support::spec::read_json(&support::spec::root().join("tests/fixtures/scaleset/messages-get-with-jobs.json"));
    let m = message(fixture["body"].clone());
    assert_eq!(m.message_id, 12);
    let stats = m.statistics.clone().expect("statistics");
    assert_eq!((stats.total_assigned_jobs, stats.total_running_jobs, stats.total_busy_runners), (2, 1, 1));
    let jobs = m.jobs().unwrap();
    assert_eq!(jobs.len(), 3);
    match &jobs[0] {
        JobMessage::Assigned { job } => {
            assert_eq!(
                (job.runner_request_id, job.job_id.as_str(), job.owner_name.as_str()),
                (101, "8f0e7d9a", "octo-org")
            );
            assert_eq!(job.request_labels, ["linux-x64"]);
            assert!(job.queue_time.is_some());
            assert_eq!(job.runner_assign_time, None, "Go's zero time is no time");
            assert_eq!(job.finish_time, None);
        }
        other => panic!("{other:?}"),
    }
    match &jobs[1] {
        JobMessage::Started { job, runner_id, runner_name } => {
            assert_eq!((job.runner_request_id, *runner_id, runner_name.as_str()), (100, 7, "linux-x64-abc12"));
        }
        other => panic!("{other:?}"),
    }
    match &jobs[2] {
        JobMessage::Completed { job, result, runner_id, .. } => {
            assert_eq!((job.workflow_run_id, result.as_str(), *runner_id), (4999, "succeeded", 6));
            assert!(job.finish_time.is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_job_messages_are_kept_and_an_empty_body_holds_none() {
    let body = json!([
        {"messageType": "JobAvailable", "runnerRequestId": 1, "acquireJobUrl": "https://x/acquire"},
        {"messageType": "JobRerouted", "runnerRequestId": 2, "why": "new"},
    ]);
    let m = message(json!({"messageId": 5, "messageType": "RunnerScaleSetJobMessages", "body": body.to_string()}));
    let jobs = m.jobs().unwrap();
    assert!(
        matches!(&jobs[0], JobMessage::Available { job, acquire_job_url: Some(u) } if job.runner_request_id == 1 && u == "https://x/acquire")
    );
    match &jobs[1] {
        JobMessage::Unknown { message_type, raw } => {
            assert_eq!(message_type, "JobRerouted");
            assert_eq!(raw["why"], "new", "kept as sent");
        }
        other => panic!("{other:?}"),
    }
    assert!(jobs[1].job().is_none() && jobs[0].job().is_some());
    for empty in [
        json!({"messageId": 6, "messageType": "RunnerScaleSetJobMessages"}),
        json!({"messageId": 6, "messageType": "RunnerScaleSetJobMessages", "body": ""}),
    ] {
        assert!(message(empty).jobs().unwrap().is_empty());
    }
}

#[test]
fn what_cannot_be_read_is_a_typed_error_that_quotes_no_body() {
    let secretish = "ghs_tokenInTheBody";
    for body in [
        format!("[{{\"messageType\": \"JobAssigned\", \"runnerRequestId\": \"{secretish}\"}}]"),
        format!("not json {secretish}"),
        "{\"a\": 1}".into(),
    ] {
        let m = message(json!({"messageId": 8, "messageType": "RunnerScaleSetJobMessages", "body": body}));
        match m.jobs() {
            Err(e @ MessageError::Body { message_id: 8, .. }) => {
                assert!(!e.to_string().contains(secretish), "{e}");
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    let m = message(json!({"messageId": 9, "messageType": "SomethingElse", "body": "[]"}));
    match m.jobs() {
        Err(MessageError::UnsupportedType { message_id: 9, message_type }) => assert_eq!(message_type, "SomethingElse"),
        other => panic!("{other:?}"),
    }
}

/// The service is written in Go, whose decoder leaves a field at its zero
/// value for `null`: a job no runner ran may say `"runnerId": null`.
#[test]
fn null_fields_read_as_their_zero_value_as_go_reads_them() {
    let jobs = json!([
        {"messageType": "JobCompleted", "runnerRequestId": 5, "result": "canceled", "runnerId": null,
         "runnerName": null, "jobId": null, "requestLabels": null, "workflowRunId": null, "finishTime": null},
        {"messageType": "JobStarted", "runnerRequestId": null, "runnerId": 3, "runnerName": "r"},
    ]);
    let m = message(json!({"messageId": 1, "messageType": "RunnerScaleSetJobMessages", "body": jobs.to_string()}));
    match &m.jobs().expect("nulls are no error")[..] {
        [
            JobMessage::Completed { job, result, runner_id, runner_name },
            JobMessage::Started { job: started, runner_id: 3, .. },
        ] => {
            assert_eq!(
                (job.runner_request_id, result.as_str(), *runner_id, runner_name.as_str()),
                (5, "canceled", 0, "")
            );
            assert!(job.request_labels.is_empty() && job.job_id.is_empty() && job.finish_time.is_none());
            assert_eq!(started.runner_request_id, 0);
        }
        other => panic!("{other:?}"),
    }
}
