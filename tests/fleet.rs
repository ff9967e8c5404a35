//! Fleet mode (feature `redis`) against the fake GitHub and a real
//! `redis-server` started per test on a free loopback port (see
//! `support/redis.rs`: without `redis-server` these tests fail with the
//! command that installs it). Each replica is a client with a `RedisFleet`
//! of its own, as in separate processes (one test kills a real child
//! process). Where a test can only pass because of the fleet, it runs the
//! same scenario in process too and shows the difference.
#![cfg(feature = "redis")]

mod support;

use gha_runners::testkit::RedisServer;
use gha_runners::testkit::{FakeGitHub, FakeRunner, FakeScope, Fault, LoggedRequest};
use gha_runners::transport::{GitHubApp, RedisFleet, RetryPolicy};
use gha_runners::{Client, ClientBuilder, Error, RateLimitKind};
use std::time::{Duration, Instant};

fn fleet_id(name: &str) -> String {
    format!("{name}-{}", std::process::id())
}

/// Waits until every fleet is subscribed to its limits.
async fn connected(fleets: &[RedisFleet]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !fleets.iter().all(RedisFleet::connected) {
        assert!(Instant::now() < deadline, "the fleets did not connect to Redis: {fleets:?}\n{}", logs().text());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// `n` replicas: clients built by `builder`, each with a `RedisFleet` of
/// its own on `redis` (or none, in process, when `redis` is `None`).
async fn replicas(
    n: usize,
    redis: Option<&RedisServer>,
    id: &str,
    builder: impl Fn() -> ClientBuilder,
) -> (Vec<Client>, Vec<RedisFleet>) {
    let mut clients = Vec::new();
    let mut fleets = Vec::new();
    for _ in 0..n {
        let mut b = builder();
        if let Some(redis) = redis {
            // 2 s per command: a loaded CI machine is not an outage.
            let fleet = RedisFleet::new(&redis.url(), id)
                .unwrap()
                .lock_lease(Duration::from_secs(2))
                .timeout(Duration::from_secs(2));
            b = b.fleet(fleet.clone());
            fleets.push(fleet);
        }
        clients.push(b.build().unwrap());
    }
    connected(&fleets).await;
    (clients, fleets)
}

fn org_fake() -> gha_runners::testkit::FakeGitHubBuilder {
    FakeGitHub::builder().org("o").runner(FakeScope::org("o"), FakeRunner::new("r").id(1)).rate_limit(1_000_000)
}

fn token_client(fake: &FakeGitHub) -> impl Fn() -> ClientBuilder + '_ {
    move || Client::builder().base_url(fake.base_url()).token(fake.token()).cache_capacity(0)
}

fn keys_dir() -> std::path::PathBuf {
    support::spec::root().join("tests/fixtures/keys")
}

// ------------------------------------------------------------------ token

async fn tokens_minted(redis: Option<&RedisServer>, id: &str) -> usize {
    let public = std::fs::read_to_string(keys_dir().join("test-app-rsa.pub.pem")).unwrap();
    let private = std::fs::read_to_string(keys_dir().join("test-app-rsa.pem")).unwrap();
    let fake = org_fake().github_app("12345", &public).start().await;
    let app = GitHubApp::new("12345", private, 42);
    let (clients, _fleets) = replicas(3, redis, id, || {
        Client::builder().base_url(fake.base_url()).github_app(app.clone()).cache_capacity(0)
    })
    .await;
    let calls = (0..60).map(|i| {
        let c = clients[i % 3].clone();
        tokio::spawn(async move { c.org("o").runners().get(1).await })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    fake.requests().iter().filter(|r| r.path_and_query.ends_with("/access_tokens")).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_with_app_auth_mint_one_installation_token() {
    let redis = RedisServer::start();
    // A fleet id with every character that could add a key level or a glob.
    let id = fleet_id("scaler:prod*{x} ?");
    assert_eq!(tokens_minted(Some(&redis), &id).await, 1, "one token for the whole fleet");
    assert_eq!(tokens_minted(None, &id).await, 3, "in process, each replica mints its own");
    let keys = redis.keys();
    let prefix = format!("gha-runners:scaler%3Aprod%2A%7Bx%7D%20%3F-{}:", std::process::id());
    assert!(!keys.is_empty() && keys.iter().all(|k| k.starts_with(&prefix)), "{keys:?}");
    let token_key = keys.iter().find(|k| k.ends_with(":token")).expect("the fleet's token key");
    assert!(keys.iter().all(|k| !k.contains("ghs_")), "a key names a token: {keys:?}");
    let stored = redis.command(&["GET", token_key]).unwrap();
    assert!(stored.contains("ghs_fake"), "the token is stored for the fleet: {stored}");
    let ttl: i64 = redis.command(&["PTTL", token_key]).unwrap().trim_start_matches(':').trim().parse().unwrap();
    assert!(ttl > 0 && ttl <= 3_600_000, "with a TTL to its expiry: {ttl} ms");
}

// ------------------------------------------------------------------ gate

/// Requests received less than `window` after the first one (the limited one).
fn sent_inside(log: &[LoggedRequest], window: Duration) -> Vec<String> {
    let end = log[0].received + window;
    log[1..].iter().filter(|r| r.received < end).map(|r| r.path_and_query.clone()).collect()
}

async fn after_a_secondary_limit(redis: Option<&RedisServer>, id: &str) -> Vec<String> {
    let fake = org_fake().start().await;
    let (clients, _fleets) =
        replicas(3, redis, id, || token_client(&fake)().retry_policy(RetryPolicy::default().secondary_retries(0)))
            .await;
    fake.inject([Fault::StatusWithHeaders(403, vec![("retry-after".into(), "2".into())])]);
    let err = clients[0].org("o").runners().get(1).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { kind: RateLimitKind::Secondary, .. }), "{err:?}");
    // The other replicas start calling 200 ms later (the limit reaches them
    // within milliseconds): reads, and a write each.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let calls = (0..9).map(|i| {
        let c = clients[i % 3].clone();
        tokio::spawn(async move {
            if i < 3 {
                c.org("o").runners().registration_token().await.map(|_| ())
            } else {
                c.org("o").runners().get(1).await.map(|_| ())
            }
        })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    let log = fake.requests();
    assert_eq!(log.len(), 10, "each call sent once");
    sent_inside(&log, Duration::from_secs(2))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secondary_limit_met_by_one_replica_holds_every_replica() {
    let redis = RedisServer::start();
    let id = fleet_id("secondary");
    let inside = after_a_secondary_limit(Some(&redis), &id).await;
    assert!(inside.is_empty(), "sent inside the window by some replica: {inside:?}");
    let alone = after_a_secondary_limit(None, &id).await;
    assert!(alone.len() >= 6, "in process, the other replicas do not know: {alone:?}");
}

// ------------------------------------------------------------------ pacing

/// Whether the fake's mutations never overlapped and were each received at
/// least `interval` after the previous one was answered.
fn paced(log: &[LoggedRequest], interval: Duration) -> Result<(), String> {
    let mut mutations: Vec<_> = log.iter().filter(|r| r.is_mutation()).collect();
    mutations.sort_by_key(|r| r.received);
    for (i, pair) in mutations.windows(2).enumerate() {
        let answered = pair[0].answered.ok_or("a mutation was never answered")?;
        if pair[1].received < answered {
            return Err(format!("mutations {i} and {} were in flight at once", i + 1));
        }
        let gap = pair[1].received - answered;
        if gap < interval {
            return Err(format!("mutations {i} and {} were {gap:?} apart", i + 1));
        }
    }
    Ok(())
}

async fn mutations(redis: Option<&RedisServer>, id: &str, n: usize, interval: Duration) -> Vec<LoggedRequest> {
    let fake = org_fake().start().await;
    let (clients, _fleets) = replicas(3, redis, id, || token_client(&fake)().mutation_interval(interval)).await;
    let calls = (0..n).map(|i| {
        let c = clients[i % 3].clone();
        tokio::spawn(async move { c.org("o").runners().registration_token().await })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    fake.requests()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_mutations_from_three_replicas_go_one_at_a_time_and_spaced() {
    let redis = RedisServer::start();
    let id = fleet_id("pacing");
    let interval = Duration::from_millis(15);
    let log = mutations(Some(&redis), &id, 200, interval).await;
    assert_eq!(log.iter().filter(|r| r.is_mutation()).count(), 200, "each mutation sent once");
    paced(&log, interval).unwrap();
    let alone = mutations(None, &id, 30, interval).await;
    assert!(paced(&alone, interval).is_err(), "in process, replicas overlap");
}

/// Not a test on its own: the replica `a_replica_killed_holding_the_lock...`
/// starts as a child process (this test binary, this test only) and kills
/// while its mutation hangs. Without the parent's variables it does nothing.
#[tokio::test]
#[ignore = "run by a_replica_killed_while_it_holds_the_lock_frees_it_within_the_lease"]
async fn replica_child_holding_the_lock() {
    let (Ok(base), Ok(token), Ok(url), Ok(id)) = (
        std::env::var("FLEET_CHILD_BASE_URL"),
        std::env::var("FLEET_CHILD_TOKEN"),
        std::env::var("FLEET_CHILD_REDIS"),
        std::env::var("FLEET_CHILD_ID"),
    ) else {
        return;
    };
    let fleet = RedisFleet::new(&url, &id).unwrap().lock_lease(Duration::from_secs(1));
    let c = Client::builder().base_url(base).token(token).fleet(fleet.clone()).build().unwrap();
    connected(std::slice::from_ref(&fleet)).await;
    // The fake delays this answer for a minute: the parent kills us meanwhile.
    let _ = c.org("o").runners().registration_token().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_while_it_holds_the_lock_frees_it_within_the_lease() {
    let redis = RedisServer::start();
    let id = fleet_id("killed");
    let fake = org_fake().start().await;
    fake.inject([Fault::Delay(Duration::from_secs(60))]);
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["replica_child_holding_the_lock", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("FLEET_CHILD_BASE_URL", fake.base_url())
        .env("FLEET_CHILD_TOKEN", fake.token())
        .env("FLEET_CHILD_REDIS", redis.url())
        .env("FLEET_CHILD_ID", &id)
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while fake.requests().is_empty() {
        assert!(Instant::now() < deadline, "the child replica never sent its mutation");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (clients, _fleets) =
        replicas(1, Some(&redis), &id, || token_client(&fake)().mutation_interval(Duration::ZERO)).await;
    let parent = &clients[0];
    // While the child lives it keeps its lease (1 s) renewed: we wait.
    let blocked =
        tokio::time::timeout(Duration::from_millis(1500), parent.org("o").runners().registration_token()).await;
    assert!(blocked.is_err(), "a mutation went while the child held the lock");
    assert_eq!(fake.requests().len(), 1);
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let killed = Instant::now();
    tokio::time::timeout(Duration::from_secs(10), parent.org("o").runners().registration_token())
        .await
        .expect("the lock outlived the child for good")
        .unwrap();
    let log = fake.requests();
    assert_eq!(log.len(), 2);
    let after = log[1].received - killed;
    assert!(after >= Duration::from_millis(300), "the lock was free before its lease ran out: {after:?}");
    assert!(after <= Duration::from_millis(2500), "the lock outlived its lease: {after:?}");
}

// ------------------------------------------------------------------ faults

/// `limited` meets a 429 with `Retry-After: 1`; 50 ms later `other` calls:
/// how long after the limited request its own reached the fake.
async fn limit_reaches(fake: &FakeGitHub, limited: &Client, other: &Client) -> Duration {
    fake.inject([Fault::StatusWithHeaders(429, vec![("retry-after".into(), "1".into())])]);
    let before = fake.requests().len();
    limited.org("o").runners().get(1).await.unwrap_err();
    tokio::time::sleep(Duration::from_millis(50)).await;
    other.org("o").runners().get(1).await.unwrap();
    let log = fake.requests();
    assert_eq!(log.len(), before + 2, "each call sent once");
    log[before + 1].received - log[before].received
}

/// Everything logged at INFO and above by any test of this binary (one
/// global subscriber: per-thread ones would race other tests' callsites);
/// each test reads the lines that name its fleet.
fn logs() -> support::logs::Buffer {
    static LOGS: std::sync::OnceLock<support::logs::Buffer> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = support::logs::Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        buffer
    })
    .clone()
}

/// The lines of `text` about fleet `id`.
fn about(text: &str, id: &str) -> String {
    let tag = format!("fleet=\"{id}\"");
    text.lines().filter(|l| l.contains(&tag)).collect::<Vec<_>>().join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_go_on_while_redis_is_down_and_the_fleet_resumes_after_it_restarts() {
    let logs = logs();
    let password = "fleet-redis-password-7f3e";
    let mut redis = RedisServer::start_with_password(Some(password));
    let id = fleet_id("outage");
    let fake = org_fake().start().await;
    let (clients, fleets) = replicas(2, Some(&redis), &id, || {
        token_client(&fake)()
            .mutation_interval(Duration::from_millis(10))
            .retry_policy(RetryPolicy::default().secondary_retries(0))
    })
    .await;
    let work = |c: Client| async move {
        for _ in 0..3 {
            c.org("o").runners().get(1).await.unwrap();
        }
        for _ in 0..2 {
            c.org("o").runners().registration_token().await.unwrap();
        }
    };
    for c in &clients {
        work(c.clone()).await;
    }
    redis.kill();
    let started = Instant::now();
    for c in &clients {
        work(c.clone()).await;
    }
    assert!(started.elapsed() < Duration::from_secs(3), "calls hung on Redis: {:?}", started.elapsed());
    let log = fake.requests();
    assert_eq!(log.len(), 20, "every call sent once, Redis or not");
    assert_eq!(log.iter().filter(|r| r.is_mutation()).count(), 8);
    assert!(fleets.iter().all(|f| f.outages() == 1), "one outage each: {fleets:?}");
    let text = logs.text();
    assert!(!text.contains(password), "the Redis password was logged:\n{text}");
    let ours = about(&text, &id);
    assert_eq!(ours.matches("Redis does not answer").count(), 2, "one warning per replica and outage:\n{ours}");

    redis.restart();
    connected(&fleets).await;
    // The fleet shares limits again: one replica's limit holds the other.
    let held = limit_reaches(&fake, &clients[0], &clients[1]).await;
    assert!(held >= Duration::from_secs(1), "the other replica went after {held:?}");
    let text = logs.text();
    assert!(about(&text, &id).contains("Redis answers again"), "{text}");
    assert!(!text.contains(password));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_under_the_fleets_keys_is_logged_and_ignored() {
    let logs = logs();
    let redis = RedisServer::start();
    let id = fleet_id("garbage");
    let public = std::fs::read_to_string(keys_dir().join("test-app-rsa.pub.pem")).unwrap();
    let private = std::fs::read_to_string(keys_dir().join("test-app-rsa.pem")).unwrap();
    let fake = org_fake().github_app("12345", &public).start().await;
    let app = GitHubApp::new("12345", private, 42);
    let builder = || {
        Client::builder()
            .base_url(fake.base_url())
            .github_app(app.clone())
            .cache_capacity(0)
            .mutation_interval(Duration::ZERO)
            .retry_policy(RetryPolicy::default().secondary_retries(0))
    };
    let (first, _f) = replicas(1, Some(&redis), &id, builder).await;
    first[0].org("o").runners().registration_token().await.unwrap();
    let keys = redis.keys();
    let fence = keys.iter().find(|k| k.ends_with(":fence")).expect("fence key").clone();
    let base = fence.trim_end_matches(":fence").to_string();
    // What another version, or anything else, might leave there.
    redis.command(&["SET", &format!("{base}:token"), "{not json"]).unwrap();
    redis.command(&["SET", &format!("{base}:lock"), "garbage-without-a-lease"]).unwrap();
    redis.command(&["SET", &format!("{base}:fence"), "not-a-number"]).unwrap();
    redis.command(&["SET", &format!("{base}:gate"), "a string, not a hash"]).unwrap();
    let channel = base.rsplit_once(':').map(|(p, _)| format!("{p}:limits")).unwrap();
    // A fresh replica reads all of it.
    let (second, fleets) = replicas(1, Some(&redis), &id, builder).await;
    redis.command(&["PUBLISH", &channel, "{\"garbage\": true}"]).unwrap();
    let bound = Duration::from_secs(10);
    for _ in 0..2 {
        tokio::time::timeout(bound, second[0].org("o").runners().get(1)).await.expect("a read hung").unwrap();
        let runners = second[0].org("o").runners();
        tokio::time::timeout(bound, runners.registration_token()).await.expect("a write hung on the garbage").unwrap();
    }
    let text = about(&logs.text(), &id);
    assert!(text.contains("token key holds a value no member wrote"), "{text}");
    assert!(text.contains("mutation lock, spacing or fence held a value no member wrote"), "{text}");
    assert!(text.contains("limits channel does not decode"), "{text}");
    assert!(text.contains("on a key of another type"), "{text}");
    assert!(fleets[0].connected(), "garbage is not an outage");
    // The fleet still shares limits after the garbage was replaced.
    assert!(limit_reaches(&fake, &second[0], &first[0]).await >= Duration::from_secs(1));
}

/// A "Redis" that accepts connections and never answers: what a slow or
/// blackholed server looks like to a client.
async fn silent_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("redis://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (url, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_or_missing_redis_costs_each_call_a_short_bound_at_most() {
    let (silent, _server) = silent_server().await;
    // A port bound but not listening: connections are refused, and no
    // other test can take it meanwhile.
    let closed = tokio::net::TcpSocket::new_v4().unwrap();
    closed.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let nothing = format!("redis://{}", closed.local_addr().unwrap());
    for url in [silent, nothing] {
        let public = std::fs::read_to_string(keys_dir().join("test-app-rsa.pub.pem")).unwrap();
        let private = std::fs::read_to_string(keys_dir().join("test-app-rsa.pem")).unwrap();
        let fake = org_fake().github_app("12345", &public).start().await;
        let app = GitHubApp::new("12345", private, 42);
        let fleet = RedisFleet::new(&url, &fleet_id("unreachable")).unwrap();
        let c = Client::builder()
            .base_url(fake.base_url())
            .github_app(app)
            .fleet(fleet.clone())
            .mutation_interval(Duration::ZERO)
            .build()
            .unwrap();
        let started = Instant::now();
        for _ in 0..5 {
            tokio::time::timeout(Duration::from_secs(5), c.org("o").runners().get(1)).await.unwrap().unwrap();
            tokio::time::timeout(Duration::from_secs(5), c.org("o").runners().registration_token())
                .await
                .unwrap()
                .unwrap();
        }
        let took = started.elapsed();
        assert!(took < Duration::from_secs(3), "{url}: 10 calls took {took:?}");
        let log = fake.requests();
        assert_eq!(log.len(), 11, "{url}: the token and each call, once");
        assert_eq!(fleet.outages(), 1, "{url}: one outage");
        assert!(!fleet.connected());
    }
}

/// Commands the server processed, but for the subscription's PINGs (one
/// every 15 s) and INFO.
fn commands(redis: &RedisServer) -> u64 {
    let info = redis.command(&["INFO", "commandstats"]).unwrap();
    info.lines()
        .filter(|l| l.starts_with("cmdstat_") && !l.starts_with("cmdstat_ping:") && !l.starts_with("cmdstat_info:"))
        .filter_map(|l| l.split_once("calls=").and_then(|(_, rest)| rest.split(',').next()?.parse::<u64>().ok()))
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_costs_no_redis_round_trip_and_a_mutation_two() {
    let redis = RedisServer::start();
    let fake = org_fake().start().await;
    let (clients, _fleets) =
        replicas(1, Some(&redis), &fleet_id("round-trips"), || token_client(&fake)().mutation_interval(Duration::ZERO))
            .await;
    let c = &clients[0];
    // Warm: the scripts loaded, the connection made.
    c.org("o").runners().registration_token().await.unwrap();
    c.org("o").runners().get(1).await.unwrap();
    let before = commands(&redis);
    for _ in 0..20 {
        c.org("o").runners().get(1).await.unwrap();
    }
    assert_eq!(commands(&redis) - before, 0, "GETs sent Redis commands");
    // Commands a script runs count in the totals too: count the scripts.
    let before = scripts(&redis);
    for _ in 0..10 {
        c.org("o").runners().registration_token().await.unwrap();
    }
    assert_eq!(scripts(&redis) - before, 20, "two round trips per uncontended mutation");
}

/// EVAL and EVALSHA calls so far: the round trips of the fleet's scripts.
fn scripts(redis: &RedisServer) -> u64 {
    let info = redis.command(&["INFO", "commandstats"]).unwrap();
    info.lines()
        .filter(|l| l.starts_with("cmdstat_evalsha:") || l.starts_with("cmdstat_eval:"))
        .filter_map(|l| l.split_once("calls=").and_then(|(_, rest)| rest.split(',').next()?.parse::<u64>().ok()))
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mutation_whose_caller_gives_up_hands_the_lock_back_at_once() {
    let redis = RedisServer::start();
    let id = fleet_id("given-up");
    let fake = org_fake().start().await;
    // A long lease: only the hand-back lets the other replica go soon.
    let fleet = |_: ()| {
        RedisFleet::new(&redis.url(), &id).unwrap().lock_lease(Duration::from_secs(20)).timeout(Duration::from_secs(2))
    };
    let (a, b) = (fleet(()), fleet(()));
    let client =
        |f: &RedisFleet| token_client(&fake)().fleet(f.clone()).mutation_interval(Duration::ZERO).build().unwrap();
    let (ca, cb) = (client(&a), client(&b));
    connected(&[a.clone(), b.clone()]).await;
    fake.inject([Fault::Delay(Duration::from_secs(30))]);
    let gave_up = tokio::time::timeout(Duration::from_millis(500), ca.org("o").runners().registration_token()).await;
    assert!(gave_up.is_err());
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), cb.org("o").runners().registration_token())
        .await
        .expect("the lock stayed with a caller that gave up")
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_ids_on_two_hosts_share_nothing() {
    let redis = RedisServer::start();
    let id = fleet_id("two-hosts");
    let (one, two) = (org_fake().start().await, org_fake().start().await);
    let fleet = RedisFleet::new(&redis.url(), &id).unwrap();
    for fake in [&one, &two] {
        let c = token_client(fake)().fleet(fleet.clone()).mutation_interval(Duration::ZERO).build().unwrap();
        c.org("o").runners().registration_token().await.unwrap();
    }
    // The same token on two API roots: two credentials, two sets of keys.
    let fences = redis.keys().into_iter().filter(|k| k.ends_with(":fence")).count();
    assert_eq!(fences, 2, "{:?}", redis.keys());
}
