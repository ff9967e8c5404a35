//! `webhook::parse`: every `workflow_job` action of the vendored webhook
//! description, as a payload built from the schema's own examples (and
//! validated against it), decodes into its typed event with the fields an
//! autoscaler needs; unknown actions and other events are kept, never an
//! error; signatures and headers are checked first.

mod support;

use gha_runners::Secret;
use gha_runners::testkit::webhook_sample;
use gha_runners::webhook::{self, DeliveryError, Event, SignatureError, WorkflowJobAction, WorkflowJobPayload};
use serde_json::{Value, json};

fn webhooks() -> Value {
    support::spec::read_json(&support::spec::root().join("spec/webhooks.json"))
}

fn delivery(event: &str, body: &[u8], secret: &Secret) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    h.insert("x-github-event", event.parse().unwrap());
    h.insert("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958".parse().unwrap());
    h.insert("x-hub-signature-256", webhook::sign(secret, body).parse().unwrap());
    h
}

#[test]
fn every_workflow_job_action_decodes_into_its_typed_event() {
    let doc = webhooks();
    let secret = Secret::new("It's a Secret to Everybody");
    for (event, action) in [
        ("webhook-workflow-job-queued", WorkflowJobAction::Queued),
        ("webhook-workflow-job-in-progress", WorkflowJobAction::InProgress),
        ("webhook-workflow-job-completed", WorkflowJobAction::Completed),
        ("webhook-workflow-job-waiting", WorkflowJobAction::Waiting),
    ] {
        let schema = json!({"$ref": format!("#/components/schemas/{event}")});
        let mut payload = webhook_sample(event).unwrap();
        payload["workflow_job"]["labels"] = json!(["self-hosted", "gpu"]);
        payload["workflow_job"]["id"] = json!(399444496);
        payload["workflow_job"]["run_id"] = json!(29679449);
        if action == WorkflowJobAction::Queued {
            // As GitHub sends it: no runner yet.
            for field in ["runner_id", "runner_name", "runner_group_id", "runner_group_name"] {
                payload["workflow_job"][field] = Value::Null;
            }
        }
        if let Err(errors) = support::openapi_schema::validate(&doc, &schema, &payload) {
            panic!("{event}: the sample does not validate: {errors:?}");
        }
        let body = serde_json::to_vec(&payload).unwrap();
        let read = webhook::parse(&delivery("workflow_job", &body, &secret), &body, &secret)
            .unwrap_or_else(|e| panic!("{event}: {e}"));
        assert_eq!(read.id.as_deref(), Some("72d3162e-cc78-11e3-81ab-4c9367dc0958"));
        let Event::WorkflowJob(job) = read.event else { panic!("{event}: not a workflow_job") };
        assert_eq!(job.action, action, "{event}");
        assert_eq!((job.job_id.get(), job.run_id.get()), (399444496, 29679449));
        assert_eq!(job.labels, ["self-hosted", "gpu"]);
        assert_eq!(job.repository, payload["repository"]["full_name"].as_str().unwrap());
        assert_eq!(job.organization.as_deref(), payload["organization"]["login"].as_str());
        assert_eq!(job.owner, payload["repository"]["owner"]["login"].as_str().unwrap());
        assert_eq!(job.enterprise.as_deref(), payload["enterprise"]["slug"].as_str());
        assert_eq!(job.run_attempt, payload["workflow_job"]["run_attempt"].as_i64().unwrap());
        assert_eq!(job.installation_id, payload["installation"]["id"].as_i64());
        let typed = matches!(
            (&job.action, &job.payload),
            (WorkflowJobAction::Queued, WorkflowJobPayload::Queued(_))
                | (WorkflowJobAction::InProgress, WorkflowJobPayload::InProgress(_))
                | (WorkflowJobAction::Completed, WorkflowJobPayload::Completed(_))
                | (WorkflowJobAction::Waiting, WorkflowJobPayload::Waiting(_))
        );
        assert!(typed, "{event}: {:?}", job.payload);
        match payload["workflow_job"]["runner_id"].as_i64() {
            Some(id) => {
                let runner = job.runner.as_ref().expect("assigned");
                assert_eq!(runner.id.get(), id, "{event}");
                assert_eq!(runner.name.as_deref(), payload["workflow_job"]["runner_name"].as_str());
                assert_eq!(runner.group_id.map(|g| g.get()), payload["workflow_job"]["runner_group_id"].as_i64());
            }
            None => {
                assert_eq!(action, WorkflowJobAction::Queued);
                assert!(job.runner.is_none(), "{event}");
            }
        }
    }
}

#[test]
fn unknown_actions_and_other_events_are_kept_and_shapes_are_checked() {
    let secret = Secret::new("s");
    let mut payload = webhook_sample("webhook-workflow-job-queued").unwrap();
    payload["action"] = json!("teleported");
    let body = serde_json::to_vec(&payload).unwrap();
    let read = webhook::parse(&delivery("workflow_job", &body, &secret), &body, &secret).unwrap();
    let Event::WorkflowJob(job) = read.event else { panic!("not a workflow_job") };
    assert_eq!(job.action, WorkflowJobAction::Unknown("teleported".into()));
    assert!(matches!(job.payload, WorkflowJobPayload::Unknown(_)));

    let body = br#"{"zen": "Design for failure.", "hook_id": 1}"#;
    let read = webhook::parse(&delivery("ping", body, &secret), body, &secret).unwrap();
    assert!(matches!(read.event, Event::Other { ref name, ref payload } if name == "ping" && payload["hook_id"] == 1));

    // A queued payload the generated types do not decode (a status newer
    // than the schema) still gives the job: the scaler does not miss it.
    let mut newer = webhook_sample("webhook-workflow-job-queued").unwrap();
    newer["workflow_job"]["status"] = json!("deferred");
    newer["workflow_job"]["id"] = json!(5);
    let body = serde_json::to_vec(&newer).unwrap();
    let read = webhook::parse(&delivery("workflow_job", &body, &secret), &body, &secret).unwrap();
    let Event::WorkflowJob(job) = read.event else { panic!("not a workflow_job") };
    assert_eq!((job.action.clone(), job.job_id.get()), (WorkflowJobAction::Queued, 5));
    assert!(
        matches!(job.payload, WorkflowJobPayload::Undecoded { ref reason, .. } if reason.contains("deferred")),
        "{:?}",
        job.payload
    );
    // No job id at all is a payload error.
    newer["workflow_job"].as_object_mut().unwrap().remove("id");
    let body = serde_json::to_vec(&newer).unwrap();
    let err = webhook::parse(&delivery("workflow_job", &body, &secret), &body, &secret).unwrap_err();
    assert!(matches!(err, DeliveryError::Payload { ref action, .. } if action == "queued"), "{err}");
}

#[test]
fn the_signature_and_headers_are_checked_before_the_body_is_read() {
    let secret = Secret::new("s");
    let body = b"not json";
    let mut headers = delivery("workflow_job", body, &secret);
    // Signed correctly: the body is read, and it is not JSON.
    assert!(matches!(webhook::parse(&headers, body, &secret), Err(DeliveryError::NotJson(_))));
    // Wrong secret, tampered body, no signature: refused before reading.
    let wrong = webhook::parse(&headers, body, &Secret::new("t")).unwrap_err();
    assert!(matches!(wrong, DeliveryError::Signature(SignatureError::Mismatch)), "{wrong}");
    let tampered = webhook::parse(&headers, b"not jsoN", &secret).unwrap_err();
    assert!(matches!(tampered, DeliveryError::Signature(SignatureError::Mismatch)));
    headers.remove("x-hub-signature-256");
    let missing = webhook::parse(&headers, body, &secret).unwrap_err();
    assert!(matches!(missing, DeliveryError::Signature(SignatureError::Missing)));
    // Without the check (already verified deliveries, local tests).
    assert!(matches!(webhook::parse_unverified(&headers, body), Err(DeliveryError::NotJson(_))));
    headers.remove("x-github-event");
    assert!(matches!(webhook::parse_unverified(&headers, b"{}"), Err(DeliveryError::MissingEvent)));
    // An empty secret is refused, not used: anyone could sign with it.
    let empty = Secret::new("");
    let signed = delivery("workflow_job", b"{}", &empty);
    let err = webhook::parse(&signed, b"{}", &empty).unwrap_err();
    assert!(matches!(err, DeliveryError::Signature(SignatureError::EmptySecret)), "{err}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Two deliveries are the same event exactly when job, attempt and
    /// action agree, whatever their GUIDs (a redelivery keeps its GUID, a
    /// replay can carry any).
    #[test]
    fn the_event_key_is_job_attempt_and_action_never_the_guid(
        a in (1i64..4, 1i64..3, 0usize..3, "[0-9a-f]{8}"),
        b in (1i64..4, 1i64..3, 0usize..3, "[0-9a-f]{8}"),
    ) {
        let secret = Secret::new("It's a Secret to Everybody");
        let actions = ["queued", "in_progress", "completed"];
        let read = |(job, attempt, action, guid): &(i64, i64, usize, String)| {
            let name = format!("webhook-workflow-job-{}", actions[*action].replace('_', "-"));
            let mut payload = webhook_sample(&name).unwrap();
            payload["workflow_job"]["id"] = json!(job);
            payload["workflow_job"]["run_attempt"] = json!(attempt);
            let body = serde_json::to_vec(&payload).unwrap();
            let mut headers = delivery("workflow_job", &body, &secret);
            headers.insert("x-github-delivery", guid.parse().unwrap());
            match webhook::parse(&headers, &body, &secret).unwrap().event {
                Event::WorkflowJob(job) => job.key(),
                other => panic!("{other:?}"),
            }
        };
        let same = (a.0, a.1, a.2) == (b.0, b.1, b.2);
        proptest::prop_assert_eq!(read(&a) == read(&b), same);
    }
}
