//! `gha-scaler serve` against what the real world does to it: slow and
//! half-open connections, oversized bodies, a runner missing from one
//! listing, a launch that hangs, a pool whose group is missing, launches
//! that always fail; and `/metrics` against the fake's own log.

mod support;

use gha_runners::Secret;
use gha_runners::testkit::{FakeGitHub, FakeScope};
use gha_runners::types::NewRunnerGroup;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use support::{Serve, queued_delivery, until};

fn fake_with_gpu() -> impl std::future::Future<Output = FakeGitHub> {
    FakeGitHub::builder()
        .org("octo-org")
        .runner_group(FakeScope::org("octo-org"), 2, "gpu")
        .job_duration(Duration::from_millis(30))
        .start()
}

/// The value of the metric line whose name is `name` and which has every
/// label of `labels` (`key="value"`).
fn metric(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| {
            let (series, _) = l.rsplit_once(' ').unwrap_or((l, ""));
            let bare = series.split('{').next().unwrap_or(series);
            bare == name && labels.iter().all(|label| series.contains(label))
        })
        .and_then(|l| l.rsplit_once(' ')?.1.parse().ok())
}

fn host_port(url: &str) -> String {
    url.trim_start_matches("http://").split('/').next().unwrap().to_string()
}

/// Whether the server closed `stream` (a read returns 0 or fails) within
/// `within`.
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 512];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue, // an answer (408), then the close
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {
                return false;
            }
            Err(_) => return true,
        }
    }
}

/// Idle and half-open connections are dropped after the read timeout; at
/// the connection limit more are closed at once; a delivery gets through
/// once the squatters are gone. Bodies without a length or over 25 MB are
/// refused before a byte of them is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_connections_are_cut_and_oversized_bodies_refused_unread() {
    let fake = fake_with_gpu().await;
    let serve = Serve::start(&fake, "", &["--read-timeout", "0.5", "--max-connections", "8"]);
    let addr = host_port(&serve.url);
    let started = Instant::now();
    // Eight squatters: one sends nothing, the others half a request head.
    let mut squatters: Vec<TcpStream> = (0..8)
        .map(|i| {
            let mut s = TcpStream::connect(&addr).unwrap();
            if i > 0 {
                s.write_all(b"POST /webhook HTTP/1.1\r\nHost: x\r\n").unwrap();
            }
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    // A ninth connection is over the limit: closed at once.
    let mut ninth = TcpStream::connect(&addr).unwrap();
    assert!(closed_within(&mut ninth, Duration::from_millis(300)), "over the limit yet kept");
    // The squatters are cut by the header timeout (0.5 s), well before the
    // connection's own limit (1.5 s).
    for s in &mut squatters {
        let left = Duration::from_millis(1200).saturating_sub(started.elapsed());
        assert!(closed_within(s, left), "a silent connection outlived the read timeout");
    }
    // Now a delivery gets through.
    let body = queued_delivery(7, &["self-hosted", "windows"]);
    let signature = gha_runners::webhook::sign(&Secret::new(&serve.secret), &body);
    let http = reqwest::Client::new();
    let post = || {
        http.post(&serve.url)
            .header("x-github-event", "workflow_job")
            .header("x-github-delivery", "d1")
            .header("x-hub-signature-256", &signature)
    };
    assert_eq!(post().body(body.clone()).send().await.unwrap().status(), 202);

    // Answered from the head alone, the body never sent: over 25 MB by
    // its length (413), no signature (401), an event the scaler does not
    // act on (202).
    let head = "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n";
    let signed = "X-Hub-Signature-256: sha256=00\r\n";
    for (extra, expected) in [
        (format!("{signed}X-GitHub-Event: workflow_job\r\nContent-Length: 26214401\r\n"), "413"),
        (format!("{signed}X-GitHub-Event: workflow_job\r\nContent-Length: 1048577\r\n"), "413"),
        ("X-GitHub-Event: workflow_job\r\n".to_string(), "401"),
        (format!("{signed}X-GitHub-Event: push\r\n"), "202"),
    ] {
        let head = if expected == "413" { head.replace("Content-Length: 1000\r\n", "") } else { head.to_string() };
        let mut unsent = TcpStream::connect(&addr).unwrap();
        unsent.write_all(format!("{head}{extra}\r\n").as_bytes()).unwrap();
        unsent.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut answer = [0u8; 64];
        let n = unsent.read(&mut answer).unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.starts_with(&format!("HTTP/1.1 {expected}")), "{extra:?}: {answer:?}");
    }
    // No length (chunked): 411.
    let stream = futures::stream::iter([Ok::<_, std::io::Error>(body.clone())]);
    let chunked = post().body(reqwest::Body::wrap_stream(stream)).send().await.unwrap();
    assert_eq!(chunked.status(), 411);
    let metrics = serve.metrics().await;
    for (reason, count) in [("too-large", 2.0), ("no-length", 1.0), ("signature", 1.0)] {
        assert_eq!(
            metric(&metrics, "gha_scaler_refused_requests_total", &[&format!("reason=\"{reason}\"")]),
            Some(count),
            "{metrics}"
        );
    }
}

/// A runner missing from one listing (a page shift) is looked up by id
/// before it is taken for gone: no second runner for its job.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runner_missing_from_a_listing_is_looked_up_before_it_is_given_up() {
    let org = FakeScope::org("octo-org");
    let fake = fake_with_gpu().await;
    let mut serve = Serve::start(&fake, "", &["--boot-timeout", "60"]);
    fake.set_webhook(&serve.url, Secret::new(&serve.secret));
    let (job, _) = fake.queue_job(FakeScope::repo("octo-org", "app"), ["self-hosted", "gpu"]);
    let name = format!("gha-scaler-{job}-1");
    let config = serve.machine(&name).await;
    let runner = fake.runners(&org).into_iter().find(|r| r.1 == name).unwrap().0;
    assert!(fake.hide_from_listings(&org, runner, 5));
    until("five listings without the runner", || !fake.hidden_from_listings(&org, runner)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(serve.launched(), std::slice::from_ref(&name), "{}", serve.log.all());
    fake.start_runner(&config).unwrap();
    until("the job to end", || fake.job_ended(job)).await;
    let log = serve.log.all();
    assert!(!log.contains(&format!("gha-scaler-{job}-2")), "{log}");
}

/// A launch command that hangs is killed at `--launch-timeout` with every
/// process it started, and its machine torn down (`--teardown`); the job
/// backs off and gets another runner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_launch_is_killed_with_its_process_group_and_torn_down() {
    let fake = fake_with_gpu().await;
    let dir = std::env::temp_dir().join(format!("gha-scaler-hang-{}-{}", std::process::id(), fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.display();
    // The launch starts a "machine" (a child that outlives the shell unless
    // its group is killed), then hangs.
    let before = format!("sleep 300 & echo $! > '{d}'/pid.\"$RUNNER_NAME\"; sleep 300;");
    let teardown = format!("echo \"$RUNNER_NAME\" >> '{d}'/torn");
    let args = ["--launch-timeout", "0.5", "--teardown", &teardown, "--boot-timeout", "60"];
    let mut serve = Serve::start(&fake, &before, &args);
    fake.set_webhook(&serve.url, Secret::new(&serve.secret));
    let (job, _) = fake.queue_job(FakeScope::repo("octo-org", "app"), ["self-hosted", "gpu"]);
    let name = format!("gha-scaler-{job}-1");
    serve.log.wait_for("killed with its process group");
    let pid_file = dir.join(format!("pid.{name}"));
    let pid = std::fs::read_to_string(&pid_file).unwrap().trim().to_string();
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')))
    };
    until("the launch's child to die", || !alive()).await;
    until("the teardown", || std::fs::read_to_string(dir.join("torn")).is_ok_and(|t| t.contains(&name))).await;
    // Backed off (2 s), then a second runner for the job.
    serve.log.wait_for(&format!("runner gha-scaler-{job}-2 "));
    drop(serve);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A pool whose group is missing holds no other pool; once the group
/// exists, it is looked up again and its job served. Launches that always
/// fail stop at the job's launch budget (3 runners).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pools_are_independent_and_failing_launches_are_budgeted() {
    let fake = FakeGitHub::builder()
        .org("octo-org")
        .runner_group(FakeScope::org("octo-org"), 2, "gpu")
        .runner_group(FakeScope::org("octo-org"), 3, "arm64")
        .start()
        .await;
    let dir = std::env::temp_dir().join(format!("gha-scaler-pools-{}-{}", std::process::id(), fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.display();
    // A machine whose name has a `fail.` file never launches.
    let before = format!("if [ -e '{d}'/fail.\"$RUNNER_NAME\" ]; then exit 3; fi;");
    let args = ["--pool", "missing=self-hosted,linux,x64", "--pool", "arm64=self-hosted,linux,arm64"];
    let mut serve = Serve::start(&fake, &before, &[&args[..], &["--boot-timeout", "60"]].concat());
    fake.set_webhook(&serve.url, Secret::new(&serve.secret));
    let repo = FakeScope::repo("octo-org", "app");
    let (x64, _) = fake.queue_job(repo.clone(), ["self-hosted", "linux", "x64"]);
    serve.log.wait_for("no runner group named \"missing\"");
    let (gpu, _) = fake.queue_job(repo.clone(), ["self-hosted", "gpu"]);
    serve.machine(&format!("gha-scaler-{gpu}-1")).await;
    // The group appears: looked up again, the x64 job served.
    let groups = fake.client().unwrap().org("octo-org").runner_groups();
    groups.create(&NewRunnerGroup::new("missing")).await.unwrap();
    serve.machine(&format!("gha-scaler-{x64}-1")).await;

    // Every launch for this arm64 job fails: 3 runners (2 s, then 4 s
    // apart), each torn down, then the scaler gives up on the job.
    let (arm, _) = fake.queue_job(repo.clone(), ["self-hosted", "linux", "arm64"]);
    for n in 1..=4 {
        std::fs::write(dir.join(format!("fail.gha-scaler-{arm}-{n}")), "").unwrap();
    }
    serve.log.wait_for(&format!("job {arm}: 3 runners failed or came up and did not take it: giving up"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let log = serve.log.all();
    assert_eq!(log.matches("created in group arm64").count(), 3, "{log}");
    assert_eq!(log.matches("the machine did not launch").count(), 3, "{log}");
    assert!(!log.contains(&format!("gha-scaler-{arm}-4")), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `/metrics` after a burst: runners created as the fake issued JIT
/// configs, deliveries acted on as the fake delivered them, one latency
/// sample per job, and the API quota.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_match_the_fakes_log() {
    let fake = fake_with_gpu().await;
    let serve = Serve::start(&fake, "", &[]);
    fake.set_webhook(&serve.url, Secret::new(&serve.secret));
    let repo = FakeScope::repo("octo-org", "app");
    let jobs: Vec<i64> = (0..6).map(|_| fake.queue_job(repo.clone(), ["self-hosted", "gpu"]).0).collect();
    let mut booted = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !jobs.iter().all(|j| fake.job_ended(*j)) {
        assert!(Instant::now() < deadline, "jobs did not end");
        for name in serve.launched() {
            if booted.insert(name.clone()) {
                let config = std::fs::read_to_string(serve.machines.join(&name)).unwrap();
                fake.start_runner(&config).unwrap();
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    fake.deliveries_settled().await;
    let delivered =
        |action: &str| fake.deliveries().iter().filter(|d| d.action == action && d.status == Some(202)).count() as f64;
    let deadline = Instant::now() + Duration::from_secs(20);
    let text = loop {
        let text = serve.metrics().await;
        let counted = metric(&text, "gha_scaler_deliveries_total", &["action=\"completed\"", "outcome=\"acted-on\""]);
        if counted == Some(delivered("completed")) {
            break text;
        }
        assert!(Instant::now() < deadline, "the completed deliveries were never all counted: {text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let jit = fake
        .responses()
        .iter()
        .filter(|r| r.operation == "actions/generate-runner-jitconfig-for-org" && r.status == 201)
        .count() as f64;
    assert_eq!(jit, 6.0);
    assert_eq!(metric(&text, "gha_scaler_runners_created_total", &["pool=\"gpu\""]), Some(jit), "{text}");
    for action in ["queued", "in_progress", "completed"] {
        let acted =
            metric(&text, "gha_scaler_deliveries_total", &[&format!("action=\"{action}\""), "outcome=\"acted-on\""]);
        assert_eq!(acted, Some(delivered(action)), "{action}: {text}");
    }
    assert_eq!(metric(&text, "gha_scaler_queued_to_runner_seconds_count", &["pool=\"gpu\""]), Some(6.0), "{text}");
    assert!(metric(&text, "gha_scaler_api_quota_remaining", &[]).is_some_and(|q| q > 0.0), "{text}");
    assert_eq!(metric(&text, "gha_scaler_runners_deleted_total", &[]), None, "{text}");
}

/// Jobs the pool's runner group may not serve get no machine: a
/// repository the group does not select, a public repository the group
/// does not allow. They are counted; a selected private repository's job
/// is served, and the fake's runner takes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_the_runner_group_refuses_get_no_machine() {
    use gha_runners::types::{RunnerGroupUpdate, Visibility};
    let fake = fake_with_gpu().await;
    let mut serve = Serve::start(&fake, "", &[]);
    fake.set_webhook(&serve.url, Secret::new(&serve.secret));
    let groups = fake.client().unwrap().org("octo-org").runner_groups();
    let selected = RunnerGroupUpdate::default().name("gpu").visibility(Visibility::Selected);
    groups.update(2, &selected).await.unwrap();
    // The group selects `app`, by the id GitHub's deliveries give it.
    let (probe, _) = fake.queue_job(FakeScope::repo("octo-org", "app"), ["self-hosted", "windows"]);
    fake.deliveries_settled().await;
    let delivery = fake.deliveries().into_iter().find(|d| d.job_id == probe).unwrap();
    let app_id = delivery.payload["repository"]["id"].as_i64().unwrap();
    groups.set_repositories(2, [app_id]).await.unwrap();

    let (other, _) = fake.queue_job(FakeScope::repo("octo-org", "other"), ["self-hosted", "gpu"]);
    serve
        .log
        .wait_for(&format!("job {other}: runner group gpu does not serve octo-org/other (repository not selected)"));
    let public = FakeScope::repo("octo-org", "app");
    fake.set_repo_public(&public, true);
    let (open, _) = fake.queue_job(public.clone(), ["self-hosted", "gpu"]);
    serve.log.wait_for(&format!(
        "job {open}: runner group gpu does not serve octo-org/app (public repositories not allowed)"
    ));
    fake.set_repo_public(&public, false);
    let (served, _) = fake.queue_job(public.clone(), ["self-hosted", "gpu"]);
    let config = serve.machine(&format!("gha-scaler-{served}-1")).await;
    // While `app` is public, the group's runner takes none of its jobs.
    fake.set_repo_public(&public, true);
    fake.start_runner(&config).unwrap();
    let jobs = fake.client().unwrap().repo("octo-org", "app").jobs();
    assert_eq!(jobs.get(served).await.unwrap().status, gha_runners::types::JobStatus::Queued);
    assert!(fake.complete_job(open, gha_runners::types::JobConclusion::Cancelled));
    assert!(fake.complete_job(probe, gha_runners::types::JobConclusion::Cancelled));
    fake.set_repo_public(&public, false);
    fake.add_runner(FakeScope::repo("octo-org", "nothing"), gha_runners::testkit::FakeRunner::new("nudge"));
    until("the served job to run", || fake.job_ended(served)).await;
    assert_eq!(serve.launched(), [format!("gha-scaler-{served}-1")]);
    let metrics = serve.metrics().await;
    assert_eq!(metric(&metrics, "gha_scaler_jobs_refused_by_group_total", &["pool=\"gpu\""]), Some(2.0), "{metrics}");
}

/// Replicas of one fleet (organization and prefix) on one Redis must
/// share their pools: a replica started with others waits, saying why,
/// rather than read the fleet's records by other rules. One with the same
/// pools (labels in another order and case) joins, and each job gets one
/// runner.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_of_a_fleet_share_their_pools() {
    let redis = gha_runners::testkit::RedisServer::start();
    let url = redis.url();
    let fake = fake_with_gpu().await;
    let cpu = ["--pool", "gpu=self-hosted,linux,cpu"];
    let arm = ["--pool", "gpu=self-hosted,linux,arm"];
    let a = Serve::start(&fake, "", &[&cpu[..], &arm, &["--redis", &url]].concat());
    let other = std::process::Command::new("timeout")
        .arg("3")
        .arg(support::example())
        .args(["serve", "--listen", "127.0.0.1:0", "--org", "octo-org", "--launch", "true"])
        .args(["--pool", "gpu=self-hosted,linux,gpu", "--pool", "gpu=self-hosted,linux,x", "--redis", &url])
        .args(["--webhook-secret-env", "HOOK_SECRET"])
        .env("GITHUB_API_URL", fake.base_url())
        .env("GITHUB_TOKEN", fake.token())
        .env("HOOK_SECRET", "s")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&other.stderr);
    assert!(said.contains("waiting: other replicas of this fleet") && !said.contains("listening on"), "{said}");
    // The same pools, labels in another order and case: one fleet.
    let b = Serve::start(&fake, "", &[&["--pool", "GPU=Self-Hosted,cpu,linux"][..], &arm, &["--redis", &url]].concat());
    fake.set_webhook(&a.url, Secret::new(&a.secret));
    let repo = FakeScope::repo("octo-org", "app");
    let jobs: Vec<i64> = (0..8).map(|_| fake.queue_job(repo.clone(), ["self-hosted", "linux", "cpu"]).0).collect();
    let mut booted = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !jobs.iter().all(|j| fake.job_ended(*j)) {
        assert!(Instant::now() < deadline, "jobs did not end; runners made: {booted:?}");
        for serve in [&a, &b] {
            for name in serve.launched() {
                if booted.insert(name.clone()) {
                    let config = std::fs::read_to_string(serve.machines.join(&name)).unwrap();
                    fake.start_runner(&config).unwrap();
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(booted.len(), jobs.len(), "one runner per job: {booted:?}");
}

/// Redis going away under `serve --redis`: a delivery meanwhile is answered
/// 503 (GitHub logs it failed), the scaler stays up, and once Redis is back
/// catch-up has it redelivered and served. Neither Redis's password nor
/// the token nor the webhook secret shows in the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_outage_fails_deliveries_and_catch_up_recovers_them() {
    let password = format!("redis-pw-{:016x}", fastrand::u64(..));
    let mut redis = gha_runners::testkit::RedisServer::start_with_password(Some(&password));
    let dir = std::env::temp_dir().join(format!("gha-scaler-outage-{}-{}", std::process::id(), fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    let url_file = dir.join("redis-url");
    std::fs::write(&url_file, redis.url()).unwrap();
    std::fs::set_permissions(&url_file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let fake = fake_with_gpu().await;
    let url_file = url_file.to_string_lossy().into_owned();
    let args = ["--redis-file", &url_file, "--hook-id", "1", "--reconcile-every", "0.3"];
    let mut serve = Serve::start(&fake, "", &args);
    fake.set_webhook(&serve.url, Secret::new(&serve.secret));
    let repo = FakeScope::repo("octo-org", "app");
    let (before, _) = fake.queue_job(repo.clone(), ["self-hosted", "gpu"]);
    serve.machine(&format!("gha-scaler-{before}-1")).await;

    redis.kill();
    let (during, _) = fake.queue_job(repo.clone(), ["self-hosted", "gpu"]);
    fake.deliveries_settled().await;
    let status =
        fake.deliveries().into_iter().find(|d| d.job_id == during && d.action == "queued").and_then(|d| d.status);
    assert_eq!(status, Some(503), "a delivery the store could not take must fail");
    redis.restart();
    // Catch-up brings it back, by redelivery or by reconciliation,
    // whichever of its passes comes first.
    serve.machine(&format!("gha-scaler-{during}-1")).await;
    let log = serve.log.all();
    for secret in [password.as_str(), &fake.token(), &serve.secret] {
        assert!(!log.contains(secret), "the log shows a secret: {log}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A runner named as the scaler names them, online and idle, with no
/// record (its record was lost: an in-memory store restarted, a replica
/// died before writing it): deleted after the idle timeout, as a runner
/// the scaler knows would be, not kept for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_idle_runner_of_ours_is_deleted_after_the_idle_timeout() {
    let fake = fake_with_gpu().await;
    let runners = fake.client().unwrap().org("octo-org").runners();
    let request = gha_runners::types::JitConfigRequest::new("gha-scaler-77-1", ["self-hosted", "gpu"]);
    let issued =
        runners.jit_config(&request.runner_group_id(gha_runners::types::RunnerGroupId::from(2))).await.unwrap();
    let id = fake.start_runner(issued.encoded_jit_config.expose_secret()).unwrap();
    let mut serve = Serve::start(&fake, "", &["--idle-timeout", "0.5"]);
    serve.log.wait_for(&format!("runner gha-scaler-77-1 ({id}) deleted: online, idle and unknown"));
    until("the runner to go", || fake.runners(&FakeScope::org("octo-org")).is_empty()).await;
}

/// A runner of the pool's group that the scaler did not make (another
/// scaler's, a hand-made one) takes a job: it is not the scaler's to count,
/// so it holds no place under `--max-runners`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runners_the_scaler_did_not_make_hold_no_place_under_its_cap() {
    let fake = FakeGitHub::builder()
        .org("octo-org")
        .runner_group(FakeScope::org("octo-org"), 2, "gpu")
        .job_duration(Duration::from_secs(120))
        .start()
        .await;
    let serve = Serve::start(&fake, "", &["--max-runners", "1"]);
    fake.set_webhook(&serve.url, Secret::new(&serve.secret));
    let runners = fake.client().unwrap().org("octo-org").runners();
    let request = gha_runners::types::JitConfigRequest::new("hand-made-1", ["self-hosted", "gpu"])
        .runner_group_id(gha_runners::types::RunnerGroupId::from(2));
    let issued = runners.jit_config(&request).await.unwrap();
    fake.start_runner(issued.encoded_jit_config.expose_secret()).unwrap();
    let repo = FakeScope::repo("octo-org", "app");
    let (theirs, _) = fake.queue_job(repo.clone(), ["self-hosted", "gpu"]);
    fake.deliveries_settled().await;
    let taken = fake.deliveries().into_iter().any(|d| d.job_id == theirs && d.action == "in_progress");
    assert!(taken, "the hand-made runner did not take the job: the test shows nothing");
    let (ours, _) = fake.queue_job(repo, ["self-hosted", "gpu"]);
    serve.machine(&format!("gha-scaler-{ours}-1")).await;
}
