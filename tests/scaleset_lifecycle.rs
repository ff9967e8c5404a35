//! The scale-set client against the fake Actions service: connection,
//! scale sets, the whole session lifecycle, the acknowledgement rule, and
//! the faults a listener must ride out (expired tokens, 5xx, a connection
//! dropped mid-poll, a session deleted under it, jobs requeued).

use gha_runners::scaleset::{Batch, Error, JobMessage, ListenError, Listener, NewScaleSet, ScaleSets, Session};
use gha_runners::testkit::{FakeGitHub, FakeScope, Fault};
use gha_runners::types::{JobConclusion, JobStatus};
use std::time::Duration;

const ORG: &str = "octo-org";

async fn fake() -> FakeGitHub {
    FakeGitHub::builder()
        .org(ORG)
        .scale_set_poll_wait(Duration::from_millis(200))
        .scale_set_requeue_after(None)
        .start()
        .await
}

fn repo() -> FakeScope {
    FakeScope::repo(ORG, "app")
}

async fn scale_set(fake: &FakeGitHub, name: &str) -> (ScaleSets, i64) {
    let sets = fake.client().expect("client").org(ORG).scale_sets();
    let set = sets.get_or_create(&NewScaleSet::new(name)).await.expect("scale set");
    (sets, set.id.expect("an id"))
}

/// Polls until a message comes (at most `rounds` long polls), handing it
/// to `handler`; panics if none came.
async fn next_batch(listener: &mut Listener, rounds: usize) -> Batch {
    for _ in 0..rounds {
        let mut got = None;
        let polled = listener
            .poll(|b| {
                got = Some(b);
                async { Ok::<(), std::io::Error>(()) }
            })
            .await
            .expect("poll");
        if polled.is_some() {
            return got.expect("the handler saw the message");
        }
    }
    panic!("no message in {rounds} polls");
}

fn kinds(batch: &Batch) -> Vec<&'static str> {
    batch
        .jobs
        .iter()
        .map(|j| match j {
            JobMessage::Available { .. } => "available",
            JobMessage::Assigned { .. } => "assigned",
            JobMessage::Started { .. } => "started",
            JobMessage::Completed { .. } => "completed",
            _ => "other",
        })
        .collect()
}

#[tokio::test]
async fn a_job_goes_from_available_to_completed_through_one_session() {
    let fake = fake().await;
    let (sets, id) = scale_set(&fake, "linux-x64").await;
    let session = sets.sessions(id).open("replica-1").await.expect("session");
    assert_eq!(fake.scale_set_session_owner(id).as_deref(), Some("replica-1"));
    assert_eq!(session.statistics().total_assigned_jobs, 0);
    let mut listener = Listener::new(session, 5);

    let (job, _) = fake.queue_job(repo(), ["linux-x64"]);
    let available = next_batch(&mut listener, 5).await;
    assert_eq!(kinds(&available), ["available"]);
    assert_eq!(available.acquired, [job], "the listener acquired the job it was offered");
    let assigned = next_batch(&mut listener, 5).await;
    assert_eq!(kinds(&assigned), ["assigned"]);
    assert_eq!(assigned.statistics.total_assigned_jobs, 1, "demand is the job assigned to the scale set");

    // A runner of the scale set boots and takes the job.
    let jit = sets.jit_config(id, "linux-x64-runner-1").await.expect("JIT config");
    assert_eq!(jit.runner.runner_scale_set_id, Some(id));
    assert!(!format!("{jit:?}").contains(jit.encoded_jit_config.expose_secret()), "the config is a Secret");
    fake.start_runner(jit.encoded_jit_config.expose_secret()).expect("a config the fake issued");
    let started = next_batch(&mut listener, 5).await;
    assert_eq!(kinds(&started), ["started"]);
    assert_eq!(started.statistics.total_running_jobs, 1);
    let github = fake.client().expect("client");
    assert_eq!(github.repo(ORG, "app").jobs().get(job).await.expect("job").status, JobStatus::InProgress);

    fake.complete_job(job, JobConclusion::Success);
    let completed = next_batch(&mut listener, 5).await;
    match &completed.jobs[..] {
        [JobMessage::Completed { result, runner_name, .. }] => {
            assert_eq!(result, "succeeded");
            assert_eq!(runner_name, "linux-x64-runner-1");
        }
        other => panic!("expected JobCompleted, got {other:?}"),
    }
    assert_eq!(completed.statistics.total_assigned_jobs, 0);
    assert!(sets.runner_by_name("linux-x64-runner-1").await.expect("lookup").is_none(), "the ephemeral runner is gone");

    listener.close().await.expect("close");
    assert_eq!(fake.scale_set_session_owner(id), None, "closing ends the session");
    assert_eq!(fake.scale_sets()[0].3, 0, "every message was acknowledged");
    assert!(fake.credential_violations().is_empty(), "{:?}", fake.credential_violations());
}

#[tokio::test]
async fn scale_sets_are_found_by_name_updated_and_deleted() {
    let fake = fake().await;
    let (sets, id) = scale_set(&fake, "gpu").await;
    assert_eq!(sets.get_or_create(&NewScaleSet::new("gpu")).await.expect("again").id, Some(id));
    assert_eq!(fake.scale_sets().len(), 1, "not created twice");
    let mut set = sets.get(id).await.expect("get");
    assert_eq!(set.runner_group_name.as_deref(), Some("Default"));
    assert_eq!(set.labels[0].name, "gpu");
    set.name = Some("gpu-large".into());
    assert_eq!(sets.update(id, &set).await.expect("update").name.as_deref(), Some("gpu-large"));
    sets.delete(id).await.expect("delete");
    match sets.get(id).await {
        Err(Error::ScaleSetNotFound { scale_set, .. }) => assert_eq!(scale_set, id.to_string()),
        other => panic!("expected ScaleSetNotFound, got {other:?}"),
    }
    match sets.get_or_create(&NewScaleSet::new("x").runner_group("no-such-group")).await {
        Err(Error::Api { status: 404, message, .. }) => assert!(message.contains("no-such-group"), "{message}"),
        other => panic!("expected a missing group, got {other:?}"),
    }
    match sets.get_or_create(&NewScaleSet::new("bad\nname")).await {
        Err(Error::InvalidInput { field: "name", .. }) => {}
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn a_second_session_is_a_conflict_until_the_first_closes() {
    let fake = fake().await;
    let (sets, id) = scale_set(&fake, "linux").await;
    let first = sets.sessions(id).open("a").await.expect("first");
    match sets.sessions(id).open("b").await {
        Err(e @ Error::SessionConflict { .. }) => {
            assert!(e.is_transient());
            assert!(e.to_string().contains("another listener holds its session"), "{e}");
        }
        other => panic!("expected SessionConflict, got {other:?}"),
    }
    first.close().await.expect("close");
    let second = sets.sessions(id).open("b").await.expect("open after close");
    assert_eq!(fake.scale_set_session_owner(id).as_deref(), Some("b"));
    second.close().await.expect("close");
}

#[tokio::test]
async fn an_empty_long_poll_is_no_error() {
    let fake = fake().await;
    let (sets, id) = scale_set(&fake, "idle").await;
    let session = sets.sessions(id).open("a").await.expect("session");
    let started = std::time::Instant::now();
    assert_eq!(session.next_message(0, 3).await.expect("202 is no error"), None);
    assert!(started.elapsed() >= Duration::from_millis(200), "the service held the poll");
    let poll = fake.actions_requests().into_iter().rev().find(|r| r.method == "GET").expect("the poll");
    assert!(poll.path_and_query.starts_with("/queue/"), "{}", poll.path_and_query);
    assert!(!poll.path_and_query.contains("lastMessageId"), "no last id before the first message");
    assert!(poll.headers.iter().any(|(k, v)| k == "x-scalesetmaxcapacity" && v == "3"), "{:?}", poll.headers);
    assert!(matches!(session.next_message(0, u32::MAX).await, Err(Error::InvalidInput { field: "max_capacity", .. })));
    session.close().await.expect("close");
}

/// The acknowledgement rule: a message the handler did not finish comes
/// again. (Acknowledging before the handler returns loses the job here.)
#[tokio::test]
async fn a_message_not_acknowledged_comes_again_to_the_next_session() {
    let fake = fake().await;
    let (sets, id) = scale_set(&fake, "linux").await;
    let mut listener = Listener::new(sets.sessions(id).open("crashing").await.expect("session"), 5);
    let (job, _) = fake.queue_job(repo(), ["linux"]);

    // A handler error: not acknowledged, the same message comes again.
    let failed = listener.poll(|_| async { Err::<(), _>("launch failed") }).await;
    assert!(matches!(failed, Err(ListenError::Handler("launch failed"))), "{failed:?}");
    let again = next_batch(&mut listener, 5).await;
    assert_eq!(kinds(&again), ["available"]);

    // A crash mid-handler: the process dies before the handler returns.
    fake.queue_job(repo(), ["linux"]);
    let crashed = tokio::time::timeout(
        Duration::from_millis(300),
        listener.poll(|_| async {
            std::future::pending::<()>().await;
            Ok::<(), std::io::Error>(())
        }),
    )
    .await;
    assert!(crashed.is_err(), "the handler never returned");
    drop(listener);
    // The service ends the dead holder's session; the next replica opens one.
    assert!(fake.end_scale_set_session(id));
    let mut next = Listener::new(sets.sessions(id).open("next").await.expect("session"), 5);
    let mut seen = Vec::new();
    for _ in 0..5 {
        let batch = next_batch(&mut next, 5).await;
        seen.extend(batch.jobs.iter().filter_map(|j| match j {
            JobMessage::Available { job, .. } => Some(job.runner_request_id),
            _ => None,
        }));
        if seen.len() == 1 {
            break;
        }
    }
    assert_eq!(seen.len(), 1, "the second job's offer came again: {seen:?}");
    assert_ne!(seen[0], job, "the first job's offer was acknowledged, the second's was not");
    next.close().await.expect("close");
}

#[tokio::test]
async fn expired_tokens_are_renewed_by_registration_and_session_refresh() {
    let fake = fake().await;
    let (sets, id) = scale_set(&fake, "linux").await;
    let session = sets.sessions(id).open("a").await.expect("session");
    assert_eq!(fake.registrations(), 1);
    fake.queue_job(repo(), ["linux"]);
    fake.expire_actions_tokens();
    // The queue token is refused: the session is refreshed (with the
    // admin token, itself refused and renewed), and the poll goes on.
    let message = session.next_message(0, 5).await.expect("poll after renewal").expect("a message");
    assert_eq!(message.jobs().expect("jobs").len(), 1);
    assert_eq!(fake.registrations(), 2, "the admin token was renewed once");
    assert_eq!(sets.admin_token_renewals(), 1);
    session.acknowledge(message.message_id).await.expect("ack");
    session.close().await.expect("close");
    assert!(fake.credential_violations().is_empty(), "{:?}", fake.credential_violations());
}

#[tokio::test]
async fn an_admin_token_near_its_expiry_is_renewed_before_it_is_refused() {
    // 62 s to live: renewed once it is within the 60 s margin.
    let fake = FakeGitHub::builder()
        .org(ORG)
        .admin_token_ttl(Duration::from_secs(62))
        .scale_set_poll_wait(Duration::from_millis(100))
        .start()
        .await;
    let (sets, _) = scale_set(&fake, "linux").await;
    let registrations = fake.registrations();
    sets.find("linux", 1).await.expect("find");
    assert_eq!(fake.registrations(), registrations, "2 s before the margin: the token is kept");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let before = fake.actions_requests().len();
    sets.find("linux", 1).await.expect("find");
    assert_eq!(fake.registrations(), registrations + 1, "within the margin: renewed first");
    assert_eq!(fake.actions_requests().len(), before + 1, "one request: nothing was refused");
}

/// A token that comes already within the margin (short-lived, or clocks
/// apart) is used until refused, not renewed before every request.
#[tokio::test]
async fn a_token_issued_within_the_margin_is_used_until_refused() {
    let fake = FakeGitHub::builder().org(ORG).admin_token_ttl(Duration::from_secs(30)).start().await;
    let (sets, _) = scale_set(&fake, "linux").await;
    let registrations = fake.registrations();
    for _ in 0..3 {
        sets.find("linux", 1).await.expect("find");
    }
    assert_eq!(fake.registrations(), registrations, "no registration per request");
}

#[tokio::test]
async fn server_errors_and_a_dropped_poll_are_retried_where_safe() {
    let fake = fake().await;
    let (sets, id) = scale_set(&fake, "linux").await;
    let before = fake.actions_requests().len();
    fake.inject_actions([Fault::Status(503)]);
    sets.get(id).await.expect("a GET is retried");
    assert_eq!(fake.actions_requests().len(), before + 2);

    // A creation is not repeated blindly: its answer lost, it is looked up.
    // (The group and scale-set lookups go first, untouched.)
    let pass = || Fault::Delay(Duration::ZERO);
    fake.inject_actions([pass(), pass(), Fault::LoseAnswer]);
    let created = sets.get_or_create(&NewScaleSet::new("lost-answer")).await.expect("found after the lost answer");
    assert_eq!(fake.scale_sets().iter().filter(|s| s.1 == "lost-answer").count(), 1);
    assert_eq!(created.name.as_deref(), Some("lost-answer"));
    fake.inject_actions([pass(), pass(), Fault::Status(503)]);
    match sets.get_or_create(&NewScaleSet::new("refused")).await {
        Err(e @ Error::Unavailable { status: Some(503), .. }) => assert!(e.is_transient()),
        other => panic!("expected Unavailable, got {other:?}"),
    }

    // The connection breaks mid-poll: the poll is sent again.
    let session = sets.sessions(id).open("a").await.expect("session");
    fake.queue_job(repo(), ["linux"]);
    fake.inject_actions([Fault::Reset]);
    let message = session.next_message(0, 5).await.expect("poll").expect("message after the reset");
    assert_eq!(message.jobs().expect("jobs").len(), 1);
    session.close().await.expect("close");
}

#[tokio::test]
async fn the_listener_reopens_a_session_deleted_under_it_and_closes_on_shutdown() {
    let fake = fake().await;
    let (sets, id) = scale_set(&fake, "linux").await;
    let listener = Listener::new(sets.sessions(id).open("replica-1").await.expect("session"), 5);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn(listener.run(
        async move {
            let _ = stopped.await;
        },
        move |b: Batch| {
            let _ = tx.send(b.message_id);
            async { Ok::<(), std::io::Error>(()) }
        },
    ));
    async fn recv(rx: &mut tokio::sync::mpsc::UnboundedReceiver<i64>) -> i64 {
        tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.expect("a batch").expect("open channel")
    }
    assert_eq!(recv(&mut rx).await, 0, "the opening statistics come first");
    fake.queue_job(repo(), ["linux"]);
    assert!(recv(&mut rx).await > 0, "a message");
    assert!(fake.end_scale_set_session(id), "the service ends the session");
    assert_eq!(recv(&mut rx).await, 0, "the new session's opening statistics");
    fake.queue_job(repo(), ["linux"]);
    assert!(recv(&mut rx).await > 0, "a message on the new session");
    assert_eq!(fake.scale_set_session_owner(id).as_deref(), Some("replica-1"), "reopened for the same owner");
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), run).await.expect("stops").expect("joins").expect("closes cleanly");
    assert_eq!(fake.scale_set_session_owner(id), None, "the session was closed on shutdown");
}

#[tokio::test]
async fn a_job_no_runner_takes_is_requeued_three_times_then_canceled() {
    let fake = FakeGitHub::builder()
        .org(ORG)
        .scale_set_poll_wait(Duration::from_millis(100))
        .scale_set_requeue_after(Some(Duration::from_millis(150)))
        .start()
        .await;
    let (sets, id) = scale_set(&fake, "linux").await;
    let mut listener = Listener::new(sets.sessions(id).open("a").await.expect("session"), 5);
    let (job, _) = fake.queue_job(repo(), ["linux"]);
    let mut kinds_seen = Vec::new();
    let github = fake.client().expect("client");
    for _ in 0..60 {
        let batch = next_batch(&mut listener, 20).await;
        kinds_seen.extend(kinds(&batch));
        if github.repo(ORG, "app").jobs().get(job).await.expect("job").status == JobStatus::Completed
            && kinds_seen.iter().filter(|k| **k == "completed").count() == 4
        {
            break;
        }
    }
    let count = |k: &str| kinds_seen.iter().filter(|x| **x == k).count();
    assert_eq!(count("available"), 4, "offered, then 3 times again: {kinds_seen:?}");
    assert_eq!(count("completed"), 4, "canceled at each requeue, then for good: {kinds_seen:?}");
    let ended = github.repo(ORG, "app").jobs().get(job).await.expect("job");
    assert_eq!(ended.conclusion.map(|c| c.as_str().to_string()).as_deref(), Some("cancelled"));
    assert!(fake.scale_set_jobs(id).is_empty());
    listener.close().await.expect("close");
}

#[tokio::test]
async fn the_service_assigns_no_more_than_the_max_capacity() {
    let fake = fake().await;
    let (sets, id) = scale_set(&fake, "linux").await;
    let mut listener = Listener::new(sets.sessions(id).open("a").await.expect("session"), 1);
    for _ in 0..3 {
        fake.queue_job(repo(), ["linux"]);
    }
    // The three offers come in one message: one is acquired.
    let batch = next_batch(&mut listener, 5).await;
    assert_eq!(kinds(&batch), ["available"; 3]);
    assert_eq!(batch.acquired.len(), 1, "max capacity 1: one job acquired, {:?}", batch.acquired);
    let poll = fake
        .actions_requests()
        .into_iter()
        .rev()
        .find(|r| r.path_and_query.starts_with("/queue/") && r.method == "GET");
    assert!(poll.expect("a poll").headers.iter().any(|(k, v)| k == "x-scalesetmaxcapacity" && v == "1"));
    let states: Vec<&str> = fake.scale_set_jobs(id).into_iter().map(|j| j.1).collect();
    assert_eq!(states.iter().filter(|s| **s == "acquired").count(), 1, "{states:?}");
    listener.close().await.expect("close");
}

#[tokio::test]
async fn credentials_stay_with_their_origin() {
    let fake = fake().await;
    let (sets, id) = scale_set(&fake, "linux").await;
    let raw = sets.raw().await.expect("the admin client");
    // The admin client cannot send a queue operation: nothing is sent.
    let before = fake.actions_requests().len();
    let refused = raw.messages_get(None, 1).await;
    let err = Error::from_raw("messages/get", refused.expect_err("refused")).await;
    assert!(err.to_string().contains("takes the message queue token"), "{err}");
    assert_eq!(fake.actions_requests().len(), before, "nothing was sent");
    let session: Session = sets.sessions(id).open("a").await.expect("session");
    session.close().await.expect("close");
    assert!(fake.credential_violations().is_empty(), "{:?}", fake.credential_violations());
    // The GitHub fake never saw a service token, nor the service GitHub's.
    let github_token = fake.token();
    assert!(fake.actions_requests().iter().all(|r| !String::from_utf8_lossy(&r.body).contains(&github_token)));
}

/// GitHub down while the admin token must be renewed: a transient error
/// (the listener waits it out), not a refused registration.
#[tokio::test]
async fn a_github_outage_while_renewing_is_transient() {
    let fake = fake().await;
    let (sets, id) = scale_set(&fake, "linux").await;
    let session = sets.sessions(id).open("a").await.expect("session");
    fake.expire_actions_tokens();
    // The registration token's POST is tried 3 times (the default policy).
    fake.inject([Fault::Status(503), Fault::Status(503), Fault::Status(503)]);
    match session.next_message(0, 1).await {
        Err(e @ Error::Unavailable { .. }) => {
            assert!(e.is_transient(), "{e}");
            assert!(e.to_string().contains("runner-registration"), "{e}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
    // GitHub back: the next poll renews and goes on.
    assert_eq!(session.next_message(0, 1).await.expect("renewed"), None);
    session.close().await.expect("close");
}

/// An acknowledgement the service no longer knows (an earlier attempt
/// whose answer was lost deleted it) counts as done.
#[tokio::test]
async fn acknowledging_a_message_already_gone_is_no_error() {
    let fake = fake().await;
    let (sets, id) = scale_set(&fake, "linux").await;
    let session = sets.sessions(id).open("a").await.expect("session");
    session.acknowledge(987_654).await.expect("a 404 is an acknowledgement");
    session.close().await.expect("close");
}

/// An answer over the body limit is refused unread, and no retry cures it.
#[tokio::test]
async fn an_oversized_answer_is_refused_and_not_transient() {
    let fake = fake().await;
    let github = gha_runners::Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .max_response_bytes(2048)
        .build()
        .expect("client");
    let sets = github.org(ORG).scale_sets();
    let long = "x".repeat(3000);
    let set = fake.client().expect("client").org(ORG).scale_sets().get_or_create(&NewScaleSet::new(&long)).await;
    let id = set.expect("made with the default limit").id.expect("id");
    match sets.get(id).await {
        Err(e @ Error::ResponseTooLarge { limit: 2048, .. }) => assert!(!e.is_transient()),
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
}

/// A JIT config whose answer was lost registered its runner: it is found
/// by name and removed, and a config for a fresh runner of that name comes
/// back, one runner in all, which boots.
#[tokio::test]
async fn a_jit_config_whose_answer_was_lost_is_asked_for_again_once() {
    let fake = fake().await;
    let (sets, id) = scale_set(&fake, "linux").await;
    fake.inject_actions([Fault::LoseAnswer]);
    let jit = sets.jit_config(id, "linux-1").await.expect("a config after the lost answer");
    let runners = fake.runners(&FakeScope::org(ORG));
    assert_eq!(runners.len(), 1, "the first runner was removed: {runners:?}");
    assert_eq!(runners[0].0, jit.runner.id);
    fake.start_runner(jit.encoded_jit_config.expose_secret()).expect("the config boots");
}
