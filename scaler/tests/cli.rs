//! `gha-scaler`: `demo` against the in-process fake prints the
//! counts line with equal counts (and the reaper replaces machines that never
//! boot); `serve` scales deliveries from a GitHub it knows only by URL and
//! token (the fake, in this process), refusing unsigned ones.

mod support;

use gha_runners::Secret;
use gha_runners::testkit::{FakeGitHub, FakeRunner, FakeScope};
use gha_runners::types::{JobConclusion, JobStatus};
use std::process::Command;
use std::time::Duration;
use support::{SECRETS_IN_FILES, Serve, demo, example, queued_delivery, text, until};

#[test]
fn demo_serves_a_burst_and_prints_equal_counts() {
    let out = demo(&[]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let first = stdout.lines().next().unwrap_or_default();
    assert_eq!(first, "demo: 12 jobs queued, 12 runners created, 12 jobs completed, 0 runners left", "{stderr}");
    assert!(stdout.lines().nth(1).is_some_and(|l| l.starts_with("demo: queued to runner created p50 ")), "{stdout}");
    // Mixed labels: each pool's group got runners.
    for group in ["Default", "gpu", "arm64"] {
        assert_eq!(stderr.matches(&format!("created in group {group}\n")).count(), 4, "{stderr}");
    }
}

#[test]
fn demo_replaces_machines_that_never_boot() {
    let out = demo(&["--jobs", "6", "--lost-machines", "2"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let first = stdout.lines().next().unwrap_or_default();
    assert_eq!(first, "demo: 6 jobs queued, 8 runners created, 6 jobs completed, 0 runners left", "{stderr}");
    assert_eq!(stderr.matches("deleted: never ran a job").count(), 2, "{stderr}");
}

/// Lost, repeated, reordered deliveries and an outage: catch-up makes up
/// for what was lost, the job's state for what was repeated; one runner a
/// job, every job done, on several seeds.
#[test]
fn demo_with_faulty_deliveries_still_gives_each_job_one_runner() {
    for seed in ["1", "2", "3"] {
        let args = ["--jobs", "30", "--drop", "0.2", "--duplicate", "0.2", "--reorder", "8", "--down", "0.5"];
        let out = demo(&[&args[..], &["--vanish", "0.05", "--seed", seed]].concat());
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "seed {seed}: {stdout}\n{stderr}");
        let first = stdout.lines().next().unwrap_or_default();
        assert_eq!(first, "demo: 30 jobs queued, 30 runners created, 30 jobs completed, 0 runners left", "seed {seed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_scales_deliveries_and_refuses_unsigned_ones() {
    let org = FakeScope::org("octo-org");
    let repo = FakeScope::repo("octo-org", "app");
    let ephemeral = |name: &str| FakeRunner::new(name).ephemeral();
    let fake = FakeGitHub::builder()
        .org("octo-org")
        .runner_group(org.clone(), 2, "gpu")
        // Left by an earlier run: deleted. Another scaler's, and one made by
        // hand (not ephemeral): kept.
        .runner(org.clone(), ephemeral("gha-scaler-99-1"))
        .runner(org.clone(), ephemeral("gha-scaler-gpu-1-1"))
        .runner(org.clone(), FakeRunner::new("gha-scaler-5-1"))
        .start()
        .await;
    let mut serve = Serve::start(&fake, "", &["--boot-timeout", "3", "--idle-timeout", "0.3"]);
    let (url, secret) = (serve.url.clone(), serve.secret.clone());
    let http = reqwest::Client::new();
    let post = |body: Vec<u8>, signature: Option<String>| {
        let mut r = http
            .post(&url)
            .header("x-github-event", "workflow_job")
            .header("x-github-delivery", format!("{:x}", fastrand::u128(..)))
            .body(body);
        if let Some(s) = signature {
            r = r.header("x-hub-signature-256", s);
        }
        r.send()
    };
    let signed = |body: &[u8]| Some(gha_runners::webhook::sign(&Secret::new(&secret), body));

    // Unsigned or wrongly signed deliveries are refused.
    let body = queued_delivery(1, &["self-hosted", "gpu"]);
    assert_eq!(post(body.clone(), None).await.unwrap().status(), 401);
    let forged = gha_runners::webhook::sign(&Secret::new("not the secret"), &body);
    assert_eq!(post(body, Some(forged)).await.unwrap().status(), 401);

    // A delivery that comes late, for a job cancelled meanwhile: the scaler
    // asks GitHub first, and makes no runner.
    let (cancelled, _) = fake.queue_job(repo.clone(), ["self-hosted", "gpu"]);
    assert!(fake.complete_job(cancelled, JobConclusion::Cancelled));
    let late = queued_delivery(cancelled, &["self-hosted", "gpu"]);
    assert_eq!(post(late.clone(), signed(&late)).await.unwrap().status(), 202);
    serve.log.wait_for(&format!("job {cancelled} is Completed already: no runner"));

    fake.set_webhook(&url, Secret::new(&secret));
    let (ignored, _) = fake.queue_job(repo.clone(), ["self-hosted", "windows"]);
    // Another owner's job: the organization's runners cannot serve it.
    let (foreign, _) = fake.queue_job(FakeScope::repo("someone-else", "app"), ["self-hosted", "gpu"]);
    let (job, _) = fake.queue_job(repo.clone(), ["self-hosted", "GPU"]);
    let config = serve.machine(&format!("gha-scaler-{job}-1")).await;
    let env = std::fs::read_to_string(serve.machines.join(format!(".env.gha-scaler-{job}-1"))).unwrap();
    assert!(env.contains(&format!("RUNNER_NAME=gha-scaler-{job}-1")), "{env}");
    for hidden in ["GITHUB_TOKEN", "GH_TOKEN", "HOOK_SECRET", &secret, &fake.token()] {
        assert!(!env.contains(hidden), "the launch command saw {hidden}: {env}");
    }
    let runner = fake.start_runner(&config).expect("the config the example was given");
    let jobs = fake.client().unwrap().repo("octo-org", "app").jobs();
    assert_eq!(jobs.get(job).await.unwrap().runner_id.map(|r| r.get()), Some(runner));

    // The same `queued` delivery again, under a new delivery id (a replay):
    // the job is running, nothing happens.
    fake.deliveries_settled().await;
    let first = fake.deliveries().into_iter().find(|d| d.job_id == job && d.action == "queued").unwrap();
    let replay = serde_json::to_vec(&first.payload).unwrap();
    assert_eq!(post(replay.clone(), signed(&replay)).await.unwrap().status(), 202);

    // A job cancelled before its machine boots: the runner comes up, finds
    // nothing, and is deleted after the idle timeout.
    let (idle, _) = fake.queue_job(repo.clone(), ["self-hosted", "gpu"]);
    let idle_config = serve.machine(&format!("gha-scaler-{idle}-1")).await;
    assert!(fake.complete_job(idle, JobConclusion::Cancelled));
    let idle_runner = fake.start_runner(&idle_config).unwrap();
    serve.log.wait_for(&format!("runner gha-scaler-{idle}-1 ({idle_runner}) deleted: never ran a job"));

    assert!(fake.complete_job(job, JobConclusion::Success));
    fake.deliveries_settled().await;
    assert!(fake.deliveries().iter().all(|d| d.status == Some(202)), "{:#?}", fake.deliveries());
    serve.log.wait_for("(1001) deleted: offline and unknown"); // gha-scaler-99-1, seeded first
    let names = || fake.runners(&org).into_iter().map(|r| r.1).collect::<Vec<_>>();
    until("the leftover runner to go", || names() == ["gha-scaler-gpu-1-1", "gha-scaler-5-1"]).await;
    // No pool has `windows`, and another owner's job is not ours: no runner.
    assert_eq!(jobs.get(ignored).await.unwrap().status, JobStatus::Queued);
    let elsewhere = fake.client().unwrap().repo("someone-else", "app").jobs();
    assert_eq!(elsewhere.get(foreign).await.unwrap().status, JobStatus::Queued);
    assert_eq!(serve.launched(), [format!("gha-scaler-{job}-1"), format!("gha-scaler-{idle}-1")]);
    let log = serve.log.all();
    assert!(log.contains(&format!("runner gha-scaler-{job}-1 ({runner}) created in group gpu")), "{log}");
    assert_eq!(log.matches(&format!("job {job} queued")).count(), 1, "a replay was served: {log}");
    // Refusals are counted; the log says so once in a while, not per request.
    assert_eq!(log.matches("refused a delivery").count(), 1, "{log}");
    let metrics = serve.metrics().await;
    assert!(metrics.contains("gha_scaler_refused_requests_total{reason=\"signature\"} 2"), "{metrics}");
    assert!(!log.contains(&config) && !log.contains(&secret), "a secret was printed: {log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_gets_over_failed_launches_and_lost_deliveries() {
    let repo = FakeScope::repo("octo-org", "app");
    let fake = FakeGitHub::builder().org("octo-org").runner_group(FakeScope::org("octo-org"), 2, "gpu").start().await;
    // The first two launches fail; the boot timeout is long, so only the
    // failure itself can get their runners replaced in time.
    let fails = std::env::temp_dir().join(format!("autoscaler-fails-{}-{}", std::process::id(), fastrand::u64(..)));
    let before = format!(
        "n=$(cat '{f}' 2>/dev/null || echo 0); if [ \"$n\" -lt 2 ]; then echo $((n + 1)) > '{f}'; exit 1; fi;",
        f = fails.display()
    );
    let mut serve = Serve::start(&fake, &before, &["--boot-timeout", "60", "--idle-timeout", "60"]);
    fake.set_webhook(&serve.url, Secret::new(&serve.secret));
    let (first, _) = fake.queue_job(repo.clone(), ["self-hosted", "gpu"]);
    let first_config = serve.machine(&format!("gha-scaler-{first}-3")).await;
    assert_eq!(serve.log.all().matches("the machine did not launch").count(), 2);

    // The deliveries of a job are lost (the receiver is unreachable while
    // it runs and ends): the reaper sees its runner busy or gone and asks
    // GitHub about the jobs it still counts as waiting.
    let (second, _) = fake.queue_job(repo.clone(), ["self-hosted", "gpu"]);
    let second_config = serve.machine(&format!("gha-scaler-{second}-1")).await;
    fake.deliveries_settled().await;
    fake.set_webhook("http://127.0.0.1:0/hook", Secret::new(&serve.secret));
    fake.start_runner(&first_config).unwrap();
    let jobs = fake.client().unwrap().repo("octo-org", "app").jobs();
    assert_eq!(jobs.get(first).await.unwrap().status, JobStatus::InProgress);
    assert!(fake.complete_job(first, JobConclusion::Success));
    fake.deliveries_settled().await;
    fake.set_webhook(&serve.url, Secret::new(&serve.secret));
    // Running or done, depending on when the reaper looked.
    let noticed = serve.log.wait_for(&format!("job {first} is "));
    assert!(noticed.ends_with("already: no runner"), "{noticed}");
    // The other job's runner is still covered: no extra machine.
    fake.start_runner(&second_config).unwrap();
    assert!(fake.complete_job(second, JobConclusion::Success));
    fake.deliveries_settled().await;
    let log = serve.log.all();
    assert_eq!(serve.launched(), [format!("gha-scaler-{first}-3"), format!("gha-scaler-{second}-1")], "{log}");
    assert!(fake.runners(&FakeScope::org("octo-org")).is_empty(), "{log}");
    let _ = std::fs::remove_file(&fails);
}

/// GitHub redelivers with the same `X-GitHub-Delivery` GUID. A scaler that
/// drops repeated GUIDs drops the redelivery that brings back a job it let
/// go (here: GitHub's lookup of the job failed once, so it was forgotten).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivery_with_its_guid_brings_back_a_job_the_scaler_let_go() {
    let repo = FakeScope::repo("octo-org", "app");
    let fake = FakeGitHub::builder().org("octo-org").runner_group(FakeScope::org("octo-org"), 2, "gpu").start().await;
    // No reaper pass, and catch-up's first pass over: the scaler's next
    // request is the job's lookup.
    let mut serve = Serve::start(&fake, "", &["--reap-every", "3600", "--reconcile-every", "3600"]);
    serve.log.wait_for("catch-up: first pass done");
    fake.set_webhook(&serve.url, Secret::new(&serve.secret));
    fake.inject([gha_runners::testkit::Fault::Status(404)]);
    let (job, _) = fake.queue_job(repo.clone(), ["self-hosted", "gpu"]);
    serve.log.wait_for(&format!("job {job}: GitHub shows no such job"));
    fake.deliveries_settled().await;
    let queued = fake.deliveries().into_iter().find(|d| d.job_id == job && d.action == "queued").unwrap();
    assert_eq!(queued.status, Some(202));
    let hook = fake.client().unwrap().org("octo-org").hook(fake.hook_id()).deliveries();
    hook.redeliver(queued.attempt_id).await.unwrap();
    fake.deliveries_settled().await;
    let again = fake.deliveries().into_iter().find(|d| d.redelivery).unwrap();
    assert_eq!(again.id, queued.id, "the same GUID");
    let config = serve.machine(&format!("gha-scaler-{job}-1")).await;
    fake.start_runner(&config).unwrap();
    let jobs = fake.client().unwrap().repo("octo-org", "app").jobs();
    assert_eq!(jobs.get(job).await.unwrap().status, JobStatus::InProgress);
}

/// Catch-up: a job queued while the receiver was down is redelivered
/// (the hook's failed deliveries), one whose delivery GitHub logged as
/// delivered but never came is found by reconciliation; both get runners.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_redelivers_what_failed_and_reconciles_what_vanished() {
    let repo = FakeScope::repo("octo-org", "app");
    let fake = FakeGitHub::builder().org("octo-org").runner_group(FakeScope::org("octo-org"), 2, "gpu").start().await;
    let args = ["--reconcile-every", "0.3", "--reconcile-grace", "0.5", "--hook-id", "1", "--repo", "octo-org/app"];
    let args = [&args[..], &["--reap-every", "3600"]].concat();
    let mut serve = Serve::start(&fake, "", &args);
    fake.set_webhook(&serve.url, Secret::new(&serve.secret));
    fake.webhook_down(Duration::from_secs(3600));
    let (down, _) = fake.queue_job(repo.clone(), ["self-hosted", "gpu"]);
    fake.deliveries_settled().await;
    fake.webhook_down(Duration::ZERO);
    serve.log.wait_for("catch-up: redelivered ");
    serve.machine(&format!("gha-scaler-{down}-1")).await;

    fake.set_delivery_faults(gha_runners::testkit::DeliveryFaults::seeded(1).vanish(1.0));
    let (vanished, _) = fake.queue_job(repo.clone(), ["self-hosted", "gpu"]);
    serve.log.wait_for(&format!("catch-up: job {vanished} was queued and unknown here"));
    serve.machine(&format!("gha-scaler-{vanished}-1")).await;
    assert_eq!(serve.launched().len(), 2, "one runner each");
}

/// Secrets from files: nothing secret in the scaler's environment, so none
/// for a launch running as the same user to read (`/proc/<ppid>/environ`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_from_files_stay_out_of_every_environment() {
    let repo = FakeScope::repo("octo-org", "app");
    let fake = FakeGitHub::builder().org("octo-org").runner_group(FakeScope::org("octo-org"), 2, "gpu").start().await;
    let serve = Serve::start(&fake, "", &[SECRETS_IN_FILES]);
    fake.set_webhook(&serve.url, Secret::new(&serve.secret));
    let (job, _) = fake.queue_job(repo, ["self-hosted", "gpu"]);
    let name = format!("gha-scaler-{job}-1");
    serve.machine(&name).await;
    let env = std::fs::read_to_string(serve.machines.join(format!(".env.{name}"))).unwrap();
    assert!(!env.contains(&fake.token()) && !env.contains(&serve.secret), "{env}");
    let pid = serve.pid();
    let parent = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
    let parent = String::from_utf8_lossy(&parent);
    assert!(!parent.contains(&fake.token()) && !parent.contains(&serve.secret), "the scaler's environment");
}

#[test]
fn a_secret_file_others_may_read_is_refused_without_showing_it() {
    let dir = std::env::temp_dir().join(format!("gha-scaler-secret-{}-{}", std::process::id(), fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token");
    std::fs::write(&file, "ghp_doNotShowThis\n").unwrap();
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let out = Command::new(example())
        .args(["serve", "--listen", "127.0.0.1:0", "--org", "o", "--pool", "g=x", "--launch", "true"])
        .arg("--token-file")
        .arg(&file)
        .arg("--webhook-secret-file")
        .arg(&file)
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("may be read by others") && stderr.contains("chmod 600"), "{stderr}");
    assert!(!stderr.contains("doNotShowThis"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
