//! The fake lies like GitHub (lost, repeated, reordered, late deliveries,
//! a receiver that is down), keeps GitHub's delivery log and serves the
//! hook-delivery operations; the client reads that log (cursor pages),
//! finds the failed deliveries and redelivers them (same GUID), with the
//! App's JWT for App-level operations and an installation token for the
//! rest. Workflow runs by status and the installation's repositories come
//! from the same fake state.

mod support;

use axum::body::Bytes;
use axum::http::HeaderMap;
use futures::TryStreamExt;
use gha_runners::api::HookDeliveries;
use gha_runners::testkit::{DeliveryFaults, FakeDelivery, FakeGitHub, FakeScope};
use gha_runners::transport::GitHubApp;
use gha_runners::types::{JobConclusion, RunStatus};
use gha_runners::{Client, CursorRequest, Error, Secret};

type Since = chrono::DateTime<chrono::Utc>;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SECRET: &str = "It's a Secret to Everybody";

/// A receiver that keeps the GUID and job of every delivery it gets.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(String, i64, String)>>>,
}

impl Receiver {
    async fn start(fake: &FakeGitHub) -> Receiver {
        let me = Receiver::default();
        let got = me.got.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let got = got.clone();
                async move {
                    let guid = headers["x-github-delivery"].to_str().unwrap().to_string();
                    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    let job = v["workflow_job"]["id"].as_i64().unwrap();
                    got.lock().unwrap().push((guid, job, v["action"].as_str().unwrap().to_string()));
                    axum::http::StatusCode::ACCEPTED
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake.set_webhook(&url, Secret::new(SECRET));
        me
    }

    fn got(&self) -> Vec<(String, i64, String)> {
        self.got.lock().unwrap().clone()
    }
}

fn keys() -> (String, String) {
    let dir = support::spec::root().join("tests/fixtures/keys");
    (
        std::fs::read_to_string(dir.join("test-app-rsa.pub.pem")).unwrap(),
        std::fs::read_to_string(dir.join("test-app-rsa.pem")).unwrap(),
    )
}

async fn fake() -> FakeGitHub {
    let (public, _) = keys();
    FakeGitHub::builder().org("octo-org").github_app("12345", &public).start().await
}

fn app_client(fake: &FakeGitHub) -> Client {
    let (_, private) = keys();
    let app = GitHubApp::new("12345", private, 42);
    Client::builder().base_url(fake.base_url()).github_app(app).mutation_interval(Duration::ZERO).build().unwrap()
}

/// Queues `n` jobs in `octo-org/api` and waits until their deliveries are
/// logged.
async fn queue(fake: &FakeGitHub, n: usize) -> Vec<i64> {
    let ids = (0..n).map(|_| fake.queue_job(FakeScope::repo("octo-org", "api"), ["self-hosted"]).0).collect();
    fake.deliveries_settled().await;
    ids
}

fn faults_of(log: &[FakeDelivery]) -> Vec<Option<&'static str>> {
    log.iter().map(|d| d.fault).collect()
}

#[tokio::test]
async fn faults_are_drawn_from_the_seed_and_do_what_they_say() {
    let run = |seed| async move {
        let fake = fake().await;
        let receiver = Receiver::start(&fake).await;
        fake.set_delivery_faults(DeliveryFaults::seeded(seed).drop(0.2).vanish(0.1).duplicate(0.2));
        let jobs = queue(&fake, 60).await;
        (fake.deliveries(), receiver.got(), jobs)
    };
    let (log, got, jobs) = run(7).await;
    let (again, _, _) = run(7).await;
    let (other, _, _) = run(8).await;
    assert_eq!(faults_of(&log), faults_of(&again), "the same seed draws the same faults");
    assert_ne!(faults_of(&log), faults_of(&other), "another seed draws others");
    assert_eq!(log.len(), jobs.len(), "one logged attempt per delivery");
    let count = |f: &str| log.iter().filter(|d| d.fault == Some(f)).count();
    for fault in ["dropped", "vanished", "duplicated"] {
        assert!(count(fault) > 0, "{fault} never drawn in 60: {:?}", faults_of(&log));
    }
    let mut received: BTreeMap<&str, usize> = BTreeMap::new();
    for (guid, _, _) in &got {
        *received.entry(guid.as_str()).or_default() += 1;
    }
    for d in &log {
        let (expect, status) = match d.fault {
            Some("dropped") => (0, None),
            Some("vanished") => (0, Some(200)),
            Some("duplicated") => (2, Some(202)),
            _ => (1, Some(202)),
        };
        assert_eq!(received.get(d.id.as_str()).copied().unwrap_or(0), expect, "{d:?}");
        assert_eq!(d.status, status, "{d:?}");
    }
}

#[tokio::test]
async fn a_reorder_window_shuffles_but_loses_nothing() {
    let fake = fake().await;
    let receiver = Receiver::start(&fake).await;
    fake.set_delivery_faults(DeliveryFaults::seeded(3).reorder(8));
    let jobs = queue(&fake, 40).await;
    let got: Vec<i64> = receiver.got().iter().map(|(_, job, _)| *job).collect();
    assert_ne!(got, jobs, "in order: the window did nothing");
    assert_eq!(got.iter().copied().collect::<BTreeSet<_>>(), jobs.iter().copied().collect::<BTreeSet<_>>());
    // Within a window: no delivery moves further than the window allows
    // by much (the queue drains one pick at a time).
    for (i, job) in jobs.iter().enumerate() {
        let at = got.iter().position(|j| j == job).unwrap();
        assert!(at + 8 >= i, "job {i} arrived at {at}");
    }
}

#[tokio::test]
async fn deliveries_while_the_receiver_is_down_are_found_and_redelivered_with_their_guid() {
    let fake = fake().await;
    let receiver = Receiver::start(&fake).await;
    let github = app_client(&fake);
    // The last check in the same second as the failures: GitHub's times are
    // whole seconds, and none of them may be missed.
    let since = chrono::Utc::now();
    queue(&fake, 3).await;
    fake.webhook_down(Duration::from_secs(3600));
    let missed = queue(&fake, 5).await;
    fake.webhook_down(Duration::ZERO);
    assert_eq!(receiver.got().len(), 3);

    async fn check<S: gha_runners::api::DeliveryScope>(deliveries: HookDeliveries<S>, since: Since, missed: &[i64]) {
        let failed = deliveries.failed_since(since).await.unwrap();
        assert_eq!(failed.len(), 5, "{failed:?}");
        assert!(failed.iter().all(|d| !d.succeeded() && d.status_code == 0 && !d.redelivery));
        let detail = deliveries.get(failed[0].id).await.unwrap();
        assert_eq!(detail.delivery.guid, failed[0].guid);
        assert_eq!(detail.request.payload.as_ref().unwrap()["workflow_job"]["id"], missed[0]);
    }
    check(github.app().deliveries(), since, &missed).await;
    check(github.org("octo-org").hook(fake.hook_id()).deliveries(), since, &missed).await;
    let deliveries = github.app().deliveries();
    let failed = deliveries.failed_since(since).await.unwrap();
    for d in &failed {
        deliveries.redeliver(d.id).await.unwrap();
    }
    fake.deliveries_settled().await;
    let got = receiver.got();
    assert_eq!(got.len(), 8);
    let redelivered: Vec<&(String, i64, String)> = got[3..].iter().collect();
    for (d, (guid, job, _)) in failed.iter().zip(&redelivered) {
        assert_eq!(&d.guid, guid, "a redelivery keeps its GUID");
        assert!(missed.contains(job));
    }
    assert!(deliveries.failed_since(since).await.unwrap().is_empty(), "every event has a successful attempt now");
    let log = fake.deliveries();
    assert_eq!(log.iter().filter(|d| d.redelivery).count(), 5);
    // A redelivery asked of an organization that does not exist does nothing.
    assert!(matches!(
        github.org("no-such-org").hook(fake.hook_id()).deliveries().redeliver(failed[0].id).await,
        Err(Error::NotFound(_))
    ));
    fake.deliveries_settled().await;
    assert_eq!(fake.deliveries().len(), log.len());

    // The App-level operations went with a JWT, the others with a token.
    let requests = fake.requests();
    assert!(requests.iter().any(|r| r.path_and_query.starts_with("/app/hook/deliveries")));
    let token_client = Client::builder().base_url(fake.base_url()).token(fake.token()).build().unwrap();
    match token_client.app().deliveries().list_page(&CursorRequest::default(), None).await {
        Err(Error::Unauthorized(e)) => assert!(e.message.contains("JSON web token"), "{e:?}"),
        other => panic!("a token is no JWT: {other:?}"),
    }
}

#[tokio::test]
async fn the_delivery_log_pages_by_cursor_newest_first() {
    let fake = fake().await;
    let _receiver = Receiver::start(&fake).await;
    let github = app_client(&fake);
    queue(&fake, 250).await;
    let all: Vec<_> = github.app().deliveries().list(None).try_collect().await.unwrap();
    assert_eq!(all.len(), 250);
    assert!(all.windows(2).all(|w| w[0].id.get() > w[1].id.get()), "newest first");
    let first = github.app().deliveries().list_page(&CursorRequest::default(), None).await.unwrap();
    let cursor = first.next_cursor.clone().expect("more pages");
    let second = github.app().deliveries().list_page(&CursorRequest::after(cursor), None).await.unwrap();
    assert_eq!(first.items.len() + second.items.len(), 200);
    assert_eq!(second.items[0].id.get(), first.items[99].id.get() - 1);
    let pages = fake.requests().iter().filter(|r| r.path_and_query.starts_with("/app/hook/deliveries")).count();
    assert_eq!(pages, 3 + 2, "3 pages streamed, 2 read one by one");
    match github.app().deliveries().list_page(&CursorRequest::after("a\nb"), None).await {
        Err(Error::InvalidInput { field: "cursor", .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn workflow_runs_by_status_and_installation_repositories_follow_the_fake() {
    let fake = fake().await;
    let github = app_client(&fake);
    let (job_a, run_a) = fake.queue_job(FakeScope::repo("octo-org", "api"), ["self-hosted"]);
    let (_job_b, run_b) = fake.queue_job(FakeScope::repo("octo-org", "api"), ["self-hosted"]);
    fake.queue_job(FakeScope::repo("octo-org", "web"), ["self-hosted"]);
    assert!(fake.complete_job(job_a, JobConclusion::Success));
    let runs = github.repo("octo-org", "api").workflow_runs();
    let queued: Vec<_> = runs.list(Some(RunStatus::Queued)).try_collect().await.unwrap();
    assert_eq!(queued.iter().map(|r| r.id).collect::<Vec<_>>(), [run_b]);
    let done: Vec<_> = runs.list(Some(RunStatus::Completed)).try_collect().await.unwrap();
    assert_eq!(done.iter().map(|r| r.id).collect::<Vec<_>>(), [run_a]);
    let success: Vec<_> = runs.list(Some(RunStatus::Success)).try_collect().await.unwrap();
    assert_eq!(success.len(), 1, "a conclusion filters too");
    assert_eq!(runs.list(None).try_collect::<Vec<_>>().await.unwrap().len(), 2);

    let repos: Vec<_> = github.installation().repositories().try_collect().await.unwrap();
    let names: BTreeSet<String> = repos.into_iter().map(|r| r.full_name).collect();
    assert_eq!(names, BTreeSet::from(["octo-org/api".to_string(), "octo-org/web".to_string()]));
    let token_requests = fake.requests().iter().filter(|r| r.path_and_query.ends_with("/access_tokens")).count();
    assert_eq!(token_requests, 1, "installation operations use one installation token");
}

#[tokio::test]
async fn late_deliveries_overlap_and_a_scheduled_outage_fails_what_falls_in_it() {
    let fake = fake().await;
    let receiver = Receiver::start(&fake).await;
    // The outage counts from when a delivery is queued.
    let faults =
        DeliveryFaults::seeded(5).delay(Duration::from_millis(80)).down(Duration::from_secs(3), Duration::from_secs(2));
    let set = tokio::time::Instant::now();
    fake.set_delivery_faults(faults);
    let before: Vec<i64> =
        (0..20).map(|_| fake.queue_job(FakeScope::repo("octo-org", "api"), ["self-hosted"]).0).collect();
    assert!(set.elapsed() < Duration::from_secs(3), "queueing 20 jobs took 3 s");
    fake.deliveries_settled().await;
    assert_eq!(receiver.got().len(), 20, "settled waits for late deliveries");
    let got: Vec<i64> = receiver.got().iter().map(|(_, j, _)| *j).collect();
    assert_ne!(got, before, "late deliveries overtake one another");
    tokio::time::sleep_until(set + Duration::from_millis(3500)).await;
    queue(&fake, 4).await;
    let down = fake.deliveries().iter().filter(|d| d.fault == Some("down")).count();
    assert_eq!(down, 4, "queued inside the outage");
    tokio::time::sleep_until(set + Duration::from_millis(5500)).await;
    queue(&fake, 2).await;
    assert_eq!(receiver.got().len(), 22, "after the outage, deliveries go through again");
    // An outage longer than time can hold does not break the fake.
    fake.webhook_down(Duration::MAX);
    queue(&fake, 1).await;
    assert_eq!(fake.deliveries().last().unwrap().fault, Some("down"));
}

#[tokio::test]
async fn app_level_calls_keep_to_the_app_s_quota_and_a_refused_jwt_renews_no_token() {
    let fake = fake().await;
    let _receiver = Receiver::start(&fake).await;
    let github = app_client(&fake);
    queue(&fake, 1).await;
    // The installation's quota is spent: its calls are held, not the App's.
    fake.set_rate_limit_remaining(0);
    let runs = github.repo("octo-org", "api").workflow_runs();
    assert!(matches!(runs.list_page(None, Default::default()).await, Err(Error::RateLimited { .. })));
    let sent = fake.requests().len();
    assert!(matches!(runs.list_page(None, Default::default()).await, Err(Error::RateLimited { .. })));
    assert_eq!(fake.requests().len(), sent, "held: nothing sent");
    let page = github.app().deliveries().list_page(&CursorRequest::default(), None).await.unwrap();
    assert_eq!(page.items.len(), 1, "the App's call went, with the App's quota");
    assert!(
        matches!(runs.list_page(None, Default::default()).await, Err(Error::RateLimited { .. })),
        "and taught the installation's gate nothing"
    );

    // A 401 to a JWT call is the App's key: no installation token is
    // renewed, nothing is retried.
    let tokens = |f: &FakeGitHub| f.requests().iter().filter(|r| r.path_and_query.ends_with("/access_tokens")).count();
    let before = (tokens(&fake), fake.requests().len());
    fake.inject([gha_runners::testkit::Fault::Status(401)]);
    assert!(matches!(github.app().deliveries().get(1).await, Err(Error::Unauthorized(_))));
    assert_eq!((tokens(&fake), fake.requests().len()), (before.0, before.1 + 1));
}
