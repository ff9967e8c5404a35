//! The fake drives a scaling loop: a queued job is announced by a signed
//! `workflow_job` delivery, a started runner whose labels match takes it
//! (`in_progress`), the job ends (`completed`) and the ephemeral runner is
//! removed; job lookups follow the same state, and every delivery validates
//! against the vendored webhook schema of its action.

mod support;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use futures::TryStreamExt;
use gha_runners::testkit::{FakeDelivery, FakeGitHub, FakeRunner, FakeScope, StartError};
use gha_runners::types::JitConfigRequest;
use gha_runners::types::{JobConclusion, JobStatus};
use gha_runners::webhook::{self, Event, WorkflowJobAction, WorkflowJobEvent};
use gha_runners::{Error, Secret};
use serde_json::json;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SECRET: &str = "It's a Secret to Everybody";

/// A webhook receiver on loopback: keeps every delivery, answers `status`.
#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    status: Arc<AtomicU16>,
}

impl Receiver {
    async fn start() -> Receiver {
        let got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
        let status = Arc::new(AtomicU16::new(204));
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post({
                let (got, status) = (got.clone(), status.clone());
                move |headers: HeaderMap, body: Bytes| async move {
                    got.lock().unwrap().push((headers, body));
                    StatusCode::from_u16(status.load(Ordering::SeqCst)).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, got, status }
    }

    /// The deliveries received so far, parsed with their signature checked.
    fn events(&self) -> Vec<WorkflowJobEvent> {
        let secret = Secret::new(SECRET);
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|(headers, body)| match webhook::parse(headers, body, &secret).unwrap().event {
                Event::WorkflowJob(job) => *job,
                other => panic!("not a workflow_job: {other:?}"),
            })
            .collect()
    }
}

/// Each delivery's payload validates against its action's schema.
fn check_schemas(deliveries: &[FakeDelivery]) {
    let doc = support::spec::read_json(&support::spec::root().join("spec/webhooks.json"));
    for d in deliveries {
        let schema =
            json!({"$ref": format!("#/components/schemas/webhook-workflow-job-{}", d.action.replace('_', "-"))});
        if let Err(errors) = support::openapi_schema::validate(&doc, &schema, &d.payload) {
            panic!("{} delivery of job {} does not validate: {errors:?}", d.action, d.job_id);
        }
    }
}

fn actions(events: &[WorkflowJobEvent]) -> Vec<(i64, WorkflowJobAction)> {
    events.iter().map(|e| (e.job_id.get(), e.action.clone())).collect()
}

#[tokio::test]
async fn a_queued_job_is_announced_taken_by_its_runner_completed_and_the_runner_removed() {
    let hook = Receiver::start().await;
    let org = FakeScope::org("octo-org");
    let repo = FakeScope::repo("octo-org", "app");
    let fake = FakeGitHub::builder()
        .org("octo-org")
        .repo("octo-org", "app")
        .runner_group(org.clone(), 2, "gpu")
        .webhook(&hook.url, Secret::new(SECRET))
        .start()
        .await;
    let github = fake.client().unwrap();
    let (job, run) = fake.queue_job(repo.clone(), ["self-hosted", "GPU"]);
    fake.deliveries_settled().await;
    let events = hook.events();
    assert_eq!(actions(&events), [(job, WorkflowJobAction::Queued)]);
    let queued = &events[0];
    assert_eq!((queued.run_id.get(), queued.labels.clone()), (run, vec!["self-hosted".to_string(), "GPU".into()]));
    assert_eq!((queued.repository.as_str(), queued.organization.as_deref()), ("octo-org/app", Some("octo-org")));
    assert!(queued.runner.is_none() && queued.installation_id.is_none() && queued.enterprise.is_none());
    let jobs = github.repo("octo-org", "app").jobs();
    assert_eq!(jobs.get(job).await.unwrap().status, JobStatus::Queued);

    // A runner without the label, and one of another organization's scope,
    // do not take it; labels compare without regard to ASCII case.
    fake.add_runner(org.clone(), FakeRunner::new("plain").online().labels(["linux"]));
    fake.add_runner(FakeScope::org("other-org"), FakeRunner::new("elsewhere").online().labels(["gpu"]));
    fake.add_runner(FakeScope::repo("octo-org", "other-repo"), FakeRunner::new("repo").online().labels(["gpu"]));
    let jit = github
        .org("octo-org")
        .runners()
        .jit_config(&JitConfigRequest::new("gpu-1", ["self-hosted", "gpu"]).runner_group_id(2))
        .await
        .unwrap();
    let config = jit.encoded_jit_config.expose_secret().to_string();
    fake.deliveries_settled().await;
    assert_eq!(hook.events().len(), 1, "nothing happens before the machine boots");
    assert_eq!(jobs.get(job).await.unwrap().status, JobStatus::Queued);

    let started = fake.start_runner(&config).unwrap();
    assert_eq!(started, jit.runner.id.get());
    assert_eq!(fake.start_runner(&config), Err(StartError::AlreadyStarted));
    fake.deliveries_settled().await;
    let events = hook.events();
    assert_eq!(actions(&events), [(job, WorkflowJobAction::Queued), (job, WorkflowJobAction::InProgress)]);
    let runner = events[1].runner.clone().expect("the runner that took it");
    assert_eq!(
        (runner.id, runner.name.as_deref(), runner.group_id.map(|g| g.get())),
        (jit.runner.id, Some("gpu-1"), Some(2))
    );
    assert_eq!(runner.group_name.as_deref(), Some("gpu"));
    let running = jobs.get(job).await.unwrap();
    assert_eq!((running.status, running.runner_id), (JobStatus::InProgress, Some(jit.runner.id)));
    assert_eq!(running.runner_group_name.as_deref(), Some("gpu"));
    // Busy: GitHub refuses to delete it.
    let busy = github.org("octo-org").runners().delete(jit.runner.id).await.unwrap_err();
    assert!(matches!(busy, Error::RunnerBusy { .. }), "{busy}");

    assert!(fake.complete_job(job, JobConclusion::Success));
    assert!(!fake.complete_job(job, JobConclusion::Failure), "a job ends once");
    fake.deliveries_settled().await;
    let events = hook.events();
    assert_eq!(events.last().map(|e| (e.job_id.get(), e.action.clone())), Some((job, WorkflowJobAction::Completed)));
    assert_eq!(events.last().and_then(|e| e.runner.clone()).map(|r| r.id), Some(jit.runner.id));
    let done = jobs.get(job).await.unwrap();
    assert_eq!((done.status, done.conclusion), (JobStatus::Completed, Some(JobConclusion::Success)));
    assert!(done.completed_at.is_some());
    // The ephemeral runner is gone, and its config cannot start it again.
    assert!(!fake.runners(&org).iter().any(|(id, ..)| *id == jit.runner.id.get()));
    assert_eq!(fake.start_runner(&config), Err(StartError::RunnerDeleted));
    assert_eq!(fake.start_runner("ZmFrZQ=="), Err(StartError::UnknownConfig));

    let deliveries = fake.deliveries();
    assert_eq!(deliveries.len(), 3);
    assert!(deliveries.iter().all(|d| d.status == Some(204) && d.error.is_none() && d.event == "workflow_job"));
    let ids: std::collections::BTreeSet<_> = deliveries.iter().map(|d| d.id.clone()).collect();
    assert_eq!(ids.len(), 3, "each delivery has its own id");
    check_schemas(&deliveries);
    for (headers, _) in hook.got.lock().unwrap().iter() {
        assert_eq!(headers["user-agent"].to_str().unwrap(), "GitHub-Hookshot/fake");
        assert_eq!(headers["content-type"], "application/json");
    }
}

#[tokio::test]
async fn a_burst_of_jobs_is_served_by_matching_runners_only_each_job_once() {
    let hook = Receiver::start().await;
    let fake = FakeGitHub::builder()
        .org("octo-org")
        .job_duration(Duration::from_millis(5))
        .webhook(&hook.url, Secret::new(SECRET))
        .start()
        .await;
    let github = fake.client().unwrap();
    // No set holds another: a runner made for a wider set would take a
    // narrower job (as on GitHub), leaving the wider job no runner.
    let label_sets: [&[&str]; 3] =
        [&["self-hosted", "linux", "x64"], &["self-hosted", "linux", "gpu"], &["self-hosted", "arm64"]];
    let mut queued = Vec::new();
    for i in 0..12 {
        let repo = FakeScope::repo("octo-org", format!("app-{}", i % 4));
        let labels = label_sets[i % 3];
        queued.push((fake.queue_job(repo, labels.iter().copied()).0, labels));
    }
    // One runner per job, started in an order unrelated to the queue: a
    // runner may take another job with the same labels than the one it was
    // made for.
    let mut configs = Vec::new();
    for (i, (_, labels)) in queued.iter().enumerate() {
        let request = JitConfigRequest::new(format!("r-{i}"), labels.iter().copied());
        configs.push(github.org("octo-org").runners().jit_config(&request).await.unwrap());
    }
    fastrand::seed(7);
    fastrand::shuffle(&mut configs);
    for jit in &configs {
        fake.start_runner(jit.encoded_jit_config.expose_secret()).unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while fake.deliveries().iter().filter(|d| d.action == "completed").count() < queued.len() {
        assert!(tokio::time::Instant::now() < deadline, "not every job completed: {:#?}", fake.deliveries());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    fake.deliveries_settled().await;
    let events = hook.events();
    for (job, labels) in &queued {
        let of_job: Vec<_> = events.iter().filter(|e| e.job_id.get() == *job).collect();
        let order: Vec<_> = of_job.iter().map(|e| e.action.clone()).collect();
        assert_eq!(
            order,
            [WorkflowJobAction::Queued, WorkflowJobAction::InProgress, WorkflowJobAction::Completed],
            "job {job}"
        );
        let runner = of_job[1].runner.clone().unwrap();
        let jit = configs.iter().find(|c| c.runner.id == runner.id).expect("one of the JIT runners");
        let has: Vec<String> = jit.runner.labels.iter().map(|l| l.name.to_lowercase()).collect();
        assert!(labels.iter().all(|l| has.contains(&l.to_string())), "job {job} {labels:?} ran on {has:?}");
        assert_eq!(of_job[2].runner.as_ref().map(|r| r.id), Some(runner.id));
    }
    // Each runner ran one job, and every one of them is gone.
    let mut used: Vec<_> = events
        .iter()
        .filter_map(|e| e.runner.as_ref().filter(|_| e.action == WorkflowJobAction::InProgress).map(|r| r.id))
        .collect();
    used.sort();
    used.dedup();
    assert_eq!(used.len(), queued.len());
    assert!(fake.runners(&FakeScope::org("octo-org")).is_empty());
    let all: Vec<_> = github.org("octo-org").runners().list(Default::default()).try_collect().await.unwrap();
    assert!(all.is_empty());
    check_schemas(&fake.deliveries());
}

#[tokio::test]
async fn queued_jobs_can_be_cancelled_and_failed_deliveries_are_logged_not_retried() {
    let hook = Receiver::start().await;
    hook.status.store(500, Ordering::SeqCst);
    let repo = FakeScope::repo("octocat", "hello");
    let fake = FakeGitHub::builder().repo("octocat", "hello").start().await;
    // No webhook yet: the job changes, nothing is sent.
    let (first, _) = fake.queue_job(repo.clone(), ["self-hosted"]);
    fake.deliveries_settled().await;
    assert!(fake.deliveries().is_empty());
    fake.set_webhook(&hook.url, Secret::new(SECRET));
    let (job, _) = fake.queue_job(repo.clone(), ["self-hosted"]);
    assert!(fake.complete_job(job, JobConclusion::Cancelled));
    fake.deliveries_settled().await;
    let events = hook.events();
    assert_eq!(actions(&events), [(job, WorkflowJobAction::Queued), (job, WorkflowJobAction::Completed)]);
    assert!(events[1].runner.is_none(), "cancelled before a runner took it");
    // A user's repository: no organization in the payload.
    assert_eq!(events[0].organization, None);
    let d = fake.deliveries();
    assert_eq!(d.iter().map(|d| d.status).collect::<Vec<_>>(), [Some(500), Some(500)]);
    check_schemas(&d);
    let cancelled = fake.client().unwrap().repo("octocat", "hello").jobs().get(job).await.unwrap();
    assert_eq!(cancelled.conclusion, Some(JobConclusion::Cancelled));

    // A runner that comes online takes the older queued job at once.
    let id = fake.add_runner(repo.clone(), FakeRunner::new("always-on"));
    assert_eq!(
        fake.client().unwrap().repo("octocat", "hello").jobs().get(first).await.unwrap().status,
        JobStatus::Queued,
        "an offline runner takes nothing"
    );
    assert!(fake.set_runner_state(&repo, id, "online", false));
    let taken = fake.client().unwrap().repo("octocat", "hello").jobs().get(first).await.unwrap();
    assert_eq!((taken.status, taken.runner_name.as_deref()), (JobStatus::InProgress, Some("always-on")));
    // A receiver that cannot be reached (nothing listens on port 0): the
    // failure is logged.
    fake.set_webhook("http://127.0.0.1:0/hook", Secret::new(SECRET));
    assert!(fake.complete_job(first, JobConclusion::Failure));
    fake.deliveries_settled().await;
    let last = fake.deliveries().pop().unwrap();
    assert_eq!((last.action.as_str(), last.status), ("completed", None));
    assert!(last.error.is_some());
    // A runner that is not ephemeral stays, idle.
    assert_eq!(fake.runners(&repo), [(id, "always-on".to_string(), "online".to_string(), false)]);
    assert_eq!(hook.got.lock().unwrap().len(), 3, "no retries: {:?}", fake.deliveries());
}

#[tokio::test]
async fn jobs_go_oldest_first_to_the_nearest_scope_and_logins_ignore_case() {
    let repo = FakeScope::repo("octo-org", "app");
    let fake = FakeGitHub::builder().enterprise("octo-ent").org("octo-org").start().await;
    let (older, _) = fake.queue_job(repo.clone(), ["self-hosted"]);
    let (newer, _) = fake.queue_job(repo.clone(), ["self-hosted"]);
    let jobs = fake.client().unwrap().repo("octo-org", "app").jobs();
    // One runner, two jobs: the older one.
    fake.add_runner(FakeScope::org("OCTO-ORG"), FakeRunner::new("org-runner").online());
    let taken = jobs.get(older).await.unwrap();
    assert_eq!((taken.status, taken.runner_name.as_deref()), (JobStatus::InProgress, Some("org-runner")));
    assert_eq!(jobs.get(newer).await.unwrap().status, JobStatus::Queued);
    assert!(fake.complete_job(newer, JobConclusion::Cancelled));
    // Enterprise, organization and repository runners idle at once (added
    // in the opposite order): the repository's takes the next job, then the
    // organization's, then the enterprise's.
    fake.add_runner(FakeScope::enterprise("octo-ent"), FakeRunner::new("ent-runner").online());
    fake.add_runner(FakeScope::org("octo-org"), FakeRunner::new("org-runner-2").online());
    fake.add_runner(repo.clone(), FakeRunner::new("repo-runner").online());
    for expected in ["repo-runner", "org-runner-2", "ent-runner"] {
        let (job, _) = fake.queue_job(repo.clone(), ["self-hosted"]);
        assert_eq!(jobs.get(job).await.unwrap().runner_name.as_deref(), Some(expected));
    }
}

#[tokio::test]
async fn seeded_runners_take_seeded_jobs_oldest_first_across_repositories() {
    let org = FakeScope::org("octo-org");
    let fake = FakeGitHub::builder()
        .job(FakeScope::repo("octo-org", "zz"), 10, 100, ["self-hosted"])
        .job(FakeScope::repo("octo-org", "aa"), 11, 101, ["self-hosted"])
        .runner(org.clone(), FakeRunner::new("only").online())
        .start()
        .await;
    let github = fake.client().unwrap();
    let older = github.repo("octo-org", "zz").jobs().get(10).await.unwrap();
    assert_eq!((older.status, older.runner_name.as_deref()), (JobStatus::InProgress, Some("only")));
    assert_eq!(github.repo("octo-org", "aa").jobs().get(11).await.unwrap().status, JobStatus::Queued);
}
