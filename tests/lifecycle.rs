//! Runner lifecycle helpers against the fake: a busy runner's deletion is a
//! typed error, a stale runner holding a JIT name can be replaced (opt-in),
//! and a runner group is found by name.

use gha_runners::testkit::{FakeGitHub, FakeRunner, FakeScope, Fault};
use gha_runners::types::JitConfigRequest;
use gha_runners::{Client, Error};
use std::time::Duration;

async fn fake() -> (FakeGitHub, Client) {
    let org = FakeScope::org("octo-org");
    let fake = FakeGitHub::builder()
        .org("octo-org")
        .runner_group(org.clone(), 7, "GPU")
        .runner_group(org.clone(), 8, "gpu-large")
        .runner_group(org.clone(), 9, "gpu")
        .runner(org.clone(), FakeRunner::new("busy-1").id(10).online())
        .runner(org.clone(), FakeRunner::new("stale-1").id(11))
        .runner(org.clone(), FakeRunner::new("online-1").id(12).online())
        .runner(org.clone(), FakeRunner::new("finishing-1").id(13))
        .start()
        .await;
    assert!(fake.set_runner_state(&org, 10, "online", true));
    // Offline but still marked busy (its machine went away mid-job).
    assert!(fake.set_runner_state(&org, 13, "offline", true));
    let client = fake.client().unwrap();
    (fake, client)
}

#[tokio::test]
async fn deleting_a_runner_that_runs_a_job_is_runner_busy() {
    let (fake, c) = fake().await;
    let runners = c.org("octo-org").runners();
    let err = runners.delete(10).await.unwrap_err();
    assert!(matches!(err, Error::RunnerBusy(_)), "{err:?}");
    assert!(err.to_string().contains("running a job"), "{err}");
    assert!(runners.get(10).await.is_ok(), "nothing was deleted");
    assert!(fake.set_runner_state(&FakeScope::org("octo-org"), 10, "online", false));
    runners.delete(10).await.unwrap();
    assert!(matches!(runners.get(10).await, Err(Error::NotFound(_))));
}

#[tokio::test]
async fn a_group_is_found_by_name_exactly_then_ignoring_case() {
    let (_fake, c) = fake().await;
    let groups = c.org("octo-org").runner_groups();
    assert_eq!(groups.find("GPU").await.unwrap().map(|g| g.id.get()), Some(7));
    // An exact match wins over an earlier case-insensitive one.
    assert_eq!(groups.find("gpu").await.unwrap().map(|g| g.id.get()), Some(9));
    // Without an exact match, the first case-insensitive one.
    assert_eq!(groups.find("Gpu").await.unwrap().map(|g| g.id.get()), Some(7), "case folded");
    assert_eq!(groups.find("GPU-Large").await.unwrap().map(|g| g.id.get()), Some(8));
    assert_eq!(groups.find("gpu-large").await.unwrap().map(|g| g.id.get()), Some(8));
    assert_eq!(groups.find("Default").await.unwrap().map(|g| g.id.get()), Some(1));
    assert!(groups.find("nope").await.unwrap().is_none());
    assert!(matches!(groups.find("").await, Err(Error::InvalidInput { .. })));
}

#[tokio::test]
async fn a_taken_jit_name_is_replaced_only_when_its_runner_is_offline_and_idle() {
    let (fake, c) = fake().await;
    let runners = c.org("octo-org").runners();
    let org = FakeScope::org("octo-org");

    let fresh = runners.jit_config_replacing_offline(&JitConfigRequest::new("new-1", ["self-hosted"])).await.unwrap();
    assert!(fresh.replaced.is_none());

    let issued = runners.jit_config_replacing_offline(&JitConfigRequest::new("stale-1", ["gpu"])).await.unwrap();
    let old = issued.replaced.expect("the stale runner was replaced");
    assert_eq!(old.id.get(), 11);
    let names: Vec<(i64, String)> = fake.runners(&org).into_iter().map(|(id, name, ..)| (id, name)).collect();
    assert!(!names.iter().any(|(id, _)| *id == 11), "the old runner is gone: {names:?}");
    assert_eq!(names.iter().filter(|(_, n)| n == "stale-1").count(), 1, "one runner holds the name: {names:?}");

    for held in ["online-1", "busy-1", "finishing-1"] {
        let err = runners.jit_config_replacing_offline(&JitConfigRequest::new(held, ["x"])).await.unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{held}: {err:?}");
        assert!(fake.runners(&org).iter().any(|(_, n, ..)| n == held), "{held} was left alone");
    }
    // The plain call never replaces.
    assert!(matches!(runners.jit_config(&JitConfigRequest::new("new-1", ["x"])).await, Err(Error::Conflict(_))));
}

/// The operations the fake answered, in order.
fn operations(fake: &FakeGitHub) -> Vec<String> {
    fake.responses().into_iter().map(|r| format!("{} {}", r.status, r.operation)).collect()
}

#[tokio::test]
async fn a_jit_config_whose_answer_was_lost_replaces_the_runner_it_registered() {
    let (fake, c) = fake().await;
    let org = FakeScope::org("octo-org");
    let runners = c.org("octo-org").runners();
    // The fake registers the runner, then the connection breaks: the
    // transport finds the runner by name (JitOutcomeUnknown), and the
    // helper replaces it, since nobody can ever start it.
    fake.inject([Fault::LoseAnswer]);
    let issued = runners.jit_config_replacing_offline(&JitConfigRequest::new("vm-lost", ["gpu"])).await.unwrap();
    let orphan = issued.replaced.expect("the runner of the lost answer was replaced");
    assert_eq!(orphan.name, "vm-lost");
    let new_id = issued.config.runner.id.get();
    assert_ne!(orphan.id.get(), new_id);
    let holders: Vec<i64> =
        fake.runners(&org).into_iter().filter(|(_, n, ..)| n == "vm-lost").map(|(id, ..)| id).collect();
    assert_eq!(holders, [new_id], "only the new runner holds the name");
    assert_eq!(fake.start_runner(issued.config.encoded_jit_config.expose_secret()), Ok(new_id), "its config boots");
    assert_eq!(
        operations(&fake),
        [
            "201 actions/generate-runner-jitconfig-for-org",
            "200 actions/list-self-hosted-runners-for-org",
            "200 actions/get-self-hosted-runner-for-org",
            "204 actions/delete-self-hosted-runner-from-org",
            "201 actions/generate-runner-jitconfig-for-org",
        ]
    );
}

#[tokio::test]
async fn a_holder_that_takes_a_job_before_the_delete_is_left_alone() {
    let (fake, c) = fake().await;
    let org = FakeScope::org("octo-org");
    let runners = c.org("octo-org").runners();
    // stale-1 is offline and idle when listed; while its DELETE is on the
    // way (held back by the fake) it picks up a job.
    fake.inject([Fault::Delay(Duration::ZERO), Fault::Delay(Duration::ZERO), Fault::Delay(Duration::from_millis(300))]);
    let busy = {
        let fake = fake.clone();
        tokio::spawn(async move {
            while !fake.requests().iter().any(|r| r.method == "DELETE") {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            assert!(fake.set_runner_state(&FakeScope::org("octo-org"), 11, "online", true));
        })
    };
    let err = runners.jit_config_replacing_offline(&JitConfigRequest::new("stale-1", ["gpu"])).await.unwrap_err();
    busy.await.unwrap();
    assert!(matches!(err, Error::Conflict(_)), "the name's original error: {err:?}");
    assert!(fake.runners(&org).iter().any(|(id, n, ..)| *id == 11 && n == "stale-1"), "the busy runner stays");
    assert_eq!(
        operations(&fake),
        [
            "409 actions/generate-runner-jitconfig-for-org",
            "200 actions/list-self-hosted-runners-for-org",
            "422 actions/delete-self-hosted-runner-from-org",
        ],
        "no second config is requested"
    );
}
