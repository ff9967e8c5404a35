//! Fleet mode on Redis (feature `redis`): what the clients of one
//! credential share, kept in Redis for every replica of a fleet.
//!
//! Keys, per fleet id and credential fingerprint (`<p>` below is
//! `gha-runners:<fleet id, percent-encoded>:<fingerprint>`; the fingerprint
//! is a SHA-256 prefix of the API root and the credential, never the token):
//!
//! | key | holds | lifetime |
//! | --- | --- | --- |
//! | `<p>:gate` | hash: one field per limit in force (JSON, with how long it held when told) | two hours past the last write |
//! | `<p>:lock` | the mutation lock: `<fence>:<turn id>` (the fence counts turns; the id, 128 random bits drawn by the member, is what renewing and handing back compare) | the lease, renewed by the holder while it lives (5 minutes at most) |
//! | `<p>:pace` | present while the spacing after the last mutation runs | the mutation interval |
//! | `<p>:fence` | the fencing counter | none |
//! | `<p>:token` | the installation token, its SHA-256 prefix and its expiry (JSON) | until the token expires |
//! | `<p>:renewing` | the renewal turn: the renewing member's turn id (not granted while `<p>:token` is fresh past the asking member's renewal time, so a token stored after a member's read is read, not renewed again) | 40 s |
//!
//! One Redis (or a primary with replicas), not a Redis Cluster: the
//! scripts touch several keys, which a cluster would refuse.
//!
//! Limits travel on the channel `gha-runners:<fleet id>:limits`: each
//! member holds a local copy of the gate, fed by that channel and by the
//! hash when its subscription (re)starts, so a GET costs no round trip.
//! A mutation costs two round trips when no other member holds the lock
//! (take it with the spacing left; hand it back and start the spacing),
//! plus one per 10 ms poll while another member holds it, and one per
//! third of the lease for a mutation that lasts longer than that. A token
//! renewal costs two or three (read, take the turn, store); reading the
//! token again happens once per renewal, not per request.

use super::fleet::{Link, Renewal, SharedToken, Turn};
use super::gate::{Gate, Hold};
use crate::{Error, RateLimitKind, Secret};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::future::BoxFuture;
use redis::aio::ConnectionManager;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

/// The longest any Redis command may take before the member goes on in
/// process, unless configured otherwise.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_millis(250);

/// How long a mutation lock outlives a member that died holding it, unless
/// configured otherwise.
pub const DEFAULT_LOCK_LEASE: Duration = Duration::from_secs(15);

/// How long the renewal turn outlives a member that died renewing.
const RENEWAL_LEASE: Duration = Duration::from_secs(40);

/// How long a `{p}:gate` hash outlives its last write (GitHub's longest
/// window, and a margin).
const GATE_TTL: Duration = Duration::from_secs(2 * 3600);

/// Between two checks that the subscription's connection is alive.
const SUBSCRIPTION_CHECK: Duration = Duration::from_secs(15);

/// Between two polls of a lock another member holds.
const LOCK_POLL: Duration = Duration::from_millis(10);

/// Fleet mode on Redis: the rate-limit gate, write pacing and the GitHub
/// App installation token shared by every client of the same fleet id and
/// credential, in any process ([`crate::ClientBuilder::fleet`]).
///
/// Cheap to clone; clones share one connection and one subscription, and
/// one `RedisFleet` serves clients of many credentials (each has its own
/// keys). Nothing connects before a client is built with it (inside a
/// Tokio runtime, else at its first request), and Redis
/// being unreachable never fails a call: the client goes on with its
/// in-process state (one warning per outage) and back to the fleet when
/// Redis answers again. While Redis is down, each replica paces and gates
/// on its own, and may mint its own token.
///
/// Redis then holds installation tokens (with a TTL to their expiry): use
/// a password (`redis://:password@host`, or ACL users) and TLS
/// (`rediss://`), and keep the server to the scaler's own network.
///
/// ```no_run
/// # fn demo(key_pem: String) -> Result<(), gha_runners::Error> {
/// use gha_runners::transport::{GitHubApp, RedisFleet};
/// let fleet = RedisFleet::new("rediss://:password@redis.internal:6380", "scaler-prod")?;
/// let app = GitHubApp::new("12345", key_pem, 42);
/// // Every replica builds its client the same way: one token, one pace, one gate.
/// let github = gha_runners::Client::builder().github_app(app).fleet(fleet).build()?;
/// # drop(github); Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisFleet {
    shared: Arc<FleetShared>,
}

struct FleetShared {
    client: redis::Client,
    /// `gha-runners:<fleet id, encoded>`.
    prefix: String,
    fleet_id: String,
    /// Host and port only, for Debug and logs.
    endpoint: String,
    timeout: Duration,
    lease: Duration,
    manager: OnceLock<ConnectionManager>,
    health: Health,
    members: Mutex<HashMap<String, Vec<Weak<Gate>>>>,
    listener: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Whether the subscription to the limits channel is up.
    subscribed: AtomicBool,
    /// Whether the subscription task was started.
    started: AtomicBool,
}

impl Drop for FleetShared {
    fn drop(&mut self) {
        if let Some(task) = self.listener.lock().unwrap_or_else(|p| p.into_inner()).take() {
            task.abort();
        }
    }
}

impl fmt::Debug for RedisFleet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisFleet")
            .field("fleet_id", &self.shared.fleet_id)
            .field("endpoint", &self.shared.endpoint)
            .field("timeout", &self.shared.timeout)
            .field("lease", &self.shared.lease)
            .field("connected", &self.connected())
            .finish()
    }
}

impl RedisFleet {
    /// A fleet named `fleet_id` on the Redis at `url` (`redis://`,
    /// `rediss://` for TLS, with `:password@` or `user:password@`, and
    /// `/db`). Nothing is sent yet. Fails on a URL that is not a Redis URL
    /// (the error never shows its password) and on an empty fleet id; the
    /// id may hold any other text (it is percent-encoded into the keys).
    pub fn new(url: &str, fleet_id: &str) -> Result<Self, Error> {
        if fleet_id.is_empty() {
            return Err(Error::invalid("fleet_id", "must not be empty: name the fleet, e.g. the scaler's deployment"));
        }
        let client = redis::Client::open(url).map_err(|e| {
            Error::invalid(
                "redis_url",
                format!(
                    "not a Redis URL ({}); expected redis://[:password@]host[:port][/db] or rediss://... for TLS",
                    e.category()
                ),
            )
        })?;
        let endpoint = match client.get_connection_info().addr() {
            redis::ConnectionAddr::Tcp(host, port) => format!("redis://{host}:{port}"),
            redis::ConnectionAddr::TcpTls { host, port, .. } => format!("rediss://{host}:{port}"),
            other => format!("{other:?}").chars().filter(|c| !c.is_control()).take(80).collect(),
        };
        let prefix = format!("gha-runners:{}", encode(fleet_id));
        let shared = FleetShared::new(client, prefix, fleet_id.to_string(), endpoint);
        Ok(Self { shared: Arc::new(shared) })
    }

    fn configure(self, f: impl FnOnce(&mut FleetShared)) -> Self {
        // Settings are taken before the fleet is shared; a fleet already
        // shared is copied (its connection is made anew).
        let mut shared = match Arc::try_unwrap(self.shared) {
            Ok(shared) => shared,
            Err(shared) => {
                let mut copy = FleetShared::new(
                    shared.client.clone(),
                    shared.prefix.clone(),
                    shared.fleet_id.clone(),
                    shared.endpoint.clone(),
                );
                (copy.timeout, copy.lease) = (shared.timeout, shared.lease);
                copy
            }
        };
        f(&mut shared);
        Self { shared: Arc::new(shared) }
    }

    /// The longest a Redis command may take (default 250 ms): past it, the
    /// call goes on in process. It bounds what a slow or unreachable Redis
    /// adds to any call.
    ///
    /// Between 1 ms and 30 s. A Redis across a network with TLS
    /// (`rediss://`) may need more than the default for its first
    /// connection (the handshake counts).
    pub fn timeout(self, timeout: Duration) -> Self {
        self.configure(|s| s.timeout = timeout.clamp(Duration::from_millis(1), Duration::from_secs(30)))
    }

    /// How long the mutation lock outlives a member that died holding it
    /// (default 15 s). A live holder renews it every third of the lease,
    /// so a mutation may last longer than the lease.
    /// Between 30 ms and 10 minutes.
    pub fn lock_lease(self, lease: Duration) -> Self {
        self.configure(|s| s.lease = lease.clamp(Duration::from_millis(30), MAX_LEASE))
    }

    /// The fleet id.
    pub fn fleet_id(&self) -> &str {
        &self.shared.fleet_id
    }

    /// Whether the fleet is in use: no outage under way (the last command
    /// that could tell, or the subscription, reached Redis) and the
    /// subscription to the fleet's limits is up.
    pub fn connected(&self) -> bool {
        !self.shared.health.down.load(Ordering::Acquire) && self.shared.subscribed.load(Ordering::Acquire)
    }

    /// How many outages (Redis unreachable, slow or refusing) began so far.
    pub fn outages(&self) -> u64 {
        self.shared.health.outages.load(Ordering::Relaxed)
    }

    /// The link of a client of credential `fingerprint` whose gate is `gate`.
    pub(crate) fn member(&self, fingerprint: &str, gate: Arc<Gate>) -> Arc<dyn Link> {
        {
            let mut members = self.shared.members.lock().unwrap_or_else(|p| p.into_inner());
            let list = members.entry(fingerprint.to_string()).or_default();
            list.retain(|g| g.strong_count() > 0);
            list.push(Arc::downgrade(&gate));
        }
        let member = Member {
            fleet: self.shared.clone(),
            keys: Keys::new(&self.shared.prefix, fingerprint),
            fingerprint: fingerprint.to_string(),
            gate,
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            self.shared.start(&self.shared);
            // A member that joins a running subscription reads what is held.
            let (fleet, keys, gate) = (self.shared.clone(), member.keys.clone(), member.gate.clone());
            tokio::spawn(async move { fleet.load_gate(&keys, &gate).await });
        }
        Arc::new(member)
    }
}

/// Percent-encodes everything but ASCII letters, digits, `-`, `_` and `.`:
/// a caller's text never adds a `:` level, a glob character or a space.
fn encode(text: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');
    percent_encoding::utf8_percent_encode(text, KEEP).to_string()
}

#[derive(Clone, Debug)]
struct Keys {
    gate: String,
    lock: String,
    pace: String,
    fence: String,
    token: String,
    renewing: String,
}

impl Keys {
    fn new(prefix: &str, fingerprint: &str) -> Self {
        let key = |name: &str| format!("{prefix}:{fingerprint}:{name}");
        Self {
            gate: key("gate"),
            lock: key("lock"),
            pace: key("pace"),
            fence: key("fence"),
            token: key("token"),
            renewing: key("renewing"),
        }
    }
}

/// Whether Redis answers: one warning when an outage begins, one info line
/// when it ends, and at most one probe a second while it lasts.
#[derive(Default)]
struct Health {
    down: AtomicBool,
    outages: AtomicU64,
    /// Milliseconds since the epoch before which no command is tried.
    quiet_until: std::sync::atomic::AtomicI64,
}

/// Why a command gave nothing.
enum Failure {
    /// It was not sent (an outage is under way, or no connection could be
    /// set up).
    Skipped,
    /// Redis did not answer (unreachable, timed out, connection lost).
    Unreachable,
    /// Redis answered with an error (a garbage value, a version skew).
    Refused,
}

impl FleetShared {
    /// A fleet's shared state, not connected, with the default settings.
    fn new(client: redis::Client, prefix: String, fleet_id: String, endpoint: String) -> Self {
        Self {
            client,
            prefix,
            fleet_id,
            endpoint,
            timeout: DEFAULT_REDIS_TIMEOUT,
            lease: DEFAULT_LOCK_LEASE,
            manager: OnceLock::new(),
            health: Health::default(),
            members: Mutex::default(),
            listener: Mutex::default(),
            subscribed: AtomicBool::new(false),
            started: AtomicBool::new(false),
        }
    }

    fn manager(&self) -> Option<ConnectionManager> {
        if let Some(m) = self.manager.get() {
            return Some(m.clone());
        }
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        match ConnectionManager::new_lazy_with_config(self.client.clone(), config) {
            Ok(m) => Some(self.manager.get_or_init(|| m).clone()),
            Err(e) => {
                tracing::warn!(endpoint = %self.endpoint, kind = e.category(), "cannot set up the Redis connection: in process");
                None
            }
        }
    }

    /// Runs one command (or script) within the timeout, keeping the health.
    /// A connection found broken is made anew and the command sent once
    /// more (it was not sent on the broken one), within the same timeout.
    /// While Redis is down, one command a second probes it and the others
    /// go on in process at once; a command that hands something back (a
    /// lock, a renewal turn, a lease) is `always` tried.
    async fn run<T: redis::FromRedisValue>(&self, what: &'static str, op: Op, always: bool) -> Result<T, Failure> {
        let now = Utc::now().timestamp_millis();
        let quiet = &self.health.quiet_until;
        if self.health.down.load(Ordering::Acquire) && !always {
            let until = quiet.load(Ordering::Acquire);
            if now < until || quiet.compare_exchange(until, now + 1000, Ordering::AcqRel, Ordering::Acquire).is_err() {
                return Err(Failure::Skipped);
            }
        }
        let Some(mut manager) = self.manager() else { return Err(Failure::Skipped) };
        let attempts = async {
            match op.send(&mut manager).await {
                Err(e) if e.is_connection_dropped() || e.is_io_error() => op.send(&mut manager).await,
                other => other,
            }
        };
        match tokio::time::timeout(self.timeout, attempts).await {
            Ok(Ok(value)) => {
                self.recovered();
                Ok(value)
            }
            // A key of another type than this version writes, or an answer
            // of another shape: garbage.
            Ok(Err(e)) if e.code() == Some("WRONGTYPE") || e.kind() == redis::ErrorKind::UnexpectedReturnType => {
                tracing::error!(
                    endpoint = %self.endpoint,
                    fleet = ?self.fleet_id,
                    command = what,
                    "Redis refused a fleet command on a key of another type (written by another version?): ignored, this call goes on in process"
                );
                Err(Failure::Refused)
            }
            // Anything else (no answer, LOADING, READONLY, NOAUTH, OOM...):
            // Redis cannot serve the fleet now.
            failed => {
                let kind = match &failed {
                    Ok(Err(e)) => e.code().unwrap_or(e.category()).to_string(),
                    _ => "timed out".to_string(),
                };
                self.outage(what, &kind, true);
                Err(Failure::Unreachable)
            }
        }
    }

    /// Redis answered: an outage, if one was under way, is over.
    fn recovered(&self) {
        if self.health.down.swap(false, Ordering::AcqRel) {
            tracing::info!(endpoint = %self.endpoint, fleet = ?self.fleet_id, "Redis answers again: back to the fleet");
        }
    }

    /// Redis did not serve `what`: one warning when an outage begins; a
    /// failed `command` also quiets the others for a second.
    fn outage(&self, what: &'static str, kind: &str, command: bool) {
        if command {
            self.health.quiet_until.store(Utc::now().timestamp_millis() + 1000, Ordering::Release);
        }
        if !self.health.down.swap(true, Ordering::AcqRel) {
            self.health.outages.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                endpoint = %self.endpoint,
                fleet = ?self.fleet_id,
                command = what,
                kind,
                "Redis does not answer: going on in process (gate, pacing and token of this replica only) until it does"
            );
        }
    }

    /// Starts the subscription to the fleet's limits, once (on the
    /// runtime of the first call that can).
    fn start(&self, this: &Arc<FleetShared>) {
        if self.started.load(Ordering::Acquire) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        if self.started.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            let weak = Arc::downgrade(this);
            *self.listener.lock().unwrap_or_else(|p| p.into_inner()) = Some(runtime.spawn(listen(weak)));
        }
    }

    fn channel(&self) -> String {
        format!("{}:limits", self.prefix)
    }

    /// Reads the limits in force for one member into its gate.
    async fn load_gate(&self, keys: &Keys, gate: &Gate) {
        let key = keys.gate.clone();
        let fields: Result<HashMap<String, Vec<u8>>, _> = self.run("HGETALL", command("HGETALL", &key), false).await;
        let now = Utc::now();
        for value in fields.into_iter().flat_map(HashMap::into_values) {
            match decode_limit(&value, now) {
                Some((_, hold)) => {
                    gate.hold(capped(hold, now));
                }
                None => {
                    tracing::error!(fleet = ?self.fleet_id, "a limit under the fleet's gate key does not decode: ignored")
                }
            }
        }
    }

    fn gates(&self, fingerprint: &str) -> Vec<Arc<Gate>> {
        let members = self.members.lock().unwrap_or_else(|p| p.into_inner());
        members.get(fingerprint).map(|l| l.iter().filter_map(Weak::upgrade).collect()).unwrap_or_default()
    }
}

fn capped(mut hold: Hold, now: DateTime<Utc>) -> Hold {
    hold.until = super::gate::capped(hold.until, now);
    hold
}

/// The subscription: (re)connects, subscribes, reloads every member's gate,
/// then feeds each limit announced to the gates of its credential. Ends
/// when the fleet is dropped.
async fn listen(fleet: Weak<FleetShared>) {
    // However the task ends (the fleet dropped, its runtime shut down), the
    // next request starts another.
    let _stopped = Stopped(fleet.clone());
    let mut backoff = Duration::from_millis(100);
    loop {
        let Some(shared) = fleet.upgrade() else { return };
        let (client, timeout, channel) = (shared.client.clone(), shared.timeout, shared.channel());
        let subscribed = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        };
        let pubsub = match tokio::time::timeout(timeout.max(Duration::from_millis(500)), subscribed).await {
            Ok(Ok(p)) => p,
            Ok(Err(e)) if !(e.is_io_error() || e.is_connection_dropped() || e.is_timeout()) => {
                // Redis answers but refuses (an ACL without pub/sub, a
                // proxy): commands may still work; try again in a minute.
                tracing::error!(
                    endpoint = %shared.endpoint,
                    fleet = ?shared.fleet_id,
                    kind = e.code().unwrap_or(e.category()),
                    "Redis refused the fleet's subscription: limits other replicas meet do not reach this one (allow SUBSCRIBE on the fleet's channel)"
                );
                drop(shared);
                tokio::time::sleep(Duration::from_secs(60)).await;
                continue;
            }
            failed => {
                let kind = match &failed {
                    Ok(Err(e)) => e.category().to_string(),
                    _ => "timed out".to_string(),
                };
                shared.outage("SUBSCRIBE", &kind, false);
                drop(shared);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        let since = tokio::time::Instant::now();
        shared.recovered();
        shared.subscribed.store(true, Ordering::Release);
        let members: Vec<(String, Vec<Arc<Gate>>)> = {
            let fps: Vec<String> = shared.members.lock().unwrap_or_else(|p| p.into_inner()).keys().cloned().collect();
            fps.into_iter().map(|fp| (fp.clone(), shared.gates(&fp))).collect()
        };
        for (fp, gates) in members {
            let keys = Keys::new(&shared.prefix, &fp);
            for gate in gates {
                shared.load_gate(&keys, &gate).await;
            }
        }
        drop(shared);
        // A connection can die without a word (a partition, a server
        // restarted behind a proxy): a PING now and then tells.
        let (mut sink, mut messages) = pubsub.split();
        let mut check = tokio::time::interval_at(tokio::time::Instant::now() + SUBSCRIPTION_CHECK, SUBSCRIPTION_CHECK);
        loop {
            let message = tokio::select! {
                m = messages.next() => match m {
                    Some(m) => m,
                    None => break,
                },
                _ = check.tick() => {
                    let pinged = tokio::time::timeout(timeout.max(Duration::from_millis(500)), sink.ping::<redis::Value>());
                    if matches!(pinged.await, Ok(Ok(_))) {
                        continue;
                    }
                    break;
                }
            };
            let Some(shared) = fleet.upgrade() else { return };
            match decode_limit(message.get_payload_bytes(), Utc::now()) {
                Some((fp, hold)) => {
                    let hold = capped(hold, Utc::now());
                    for gate in shared.gates(&fp) {
                        gate.hold(hold.clone());
                    }
                }
                None => {
                    tracing::error!(fleet = ?shared.fleet_id, "a message on the fleet's limits channel does not decode: ignored")
                }
            }
        }
        let Some(shared) = fleet.upgrade() else { return };
        shared.subscribed.store(false, Ordering::Release);
        shared.outage("SUBSCRIBE", "connection lost", false);
        drop(shared);
        // A subscription that ends at once does not start a tight loop.
        if since.elapsed() < SUBSCRIPTION_CHECK {
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(1));
        } else {
            backoff = Duration::from_millis(100);
        }
    }
}

/// Marks the subscription stopped when its task ends, however it ends.
struct Stopped(Weak<FleetShared>);

impl Drop for Stopped {
    fn drop(&mut self) {
        if let Some(shared) = self.0.upgrade() {
            shared.subscribed.store(false, Ordering::Release);
            shared.started.store(false, Ordering::Release);
        }
    }
}

/// A limit as the fleet stores and announces it.
#[derive(serde::Serialize, serde::Deserialize)]
struct WireLimit {
    fingerprint: String,
    kind: String,
    resource: Option<String>,
    until_ms: i64,
    /// How long it held when it was told: a receiver holds at most that
    /// long from when it hears of it, whatever the clocks say.
    for_ms: i64,
    reset: Option<i64>,
}

fn encode_limit(fingerprint: &str, hold: &Hold, now: DateTime<Utc>) -> String {
    let wire = WireLimit {
        fingerprint: fingerprint.to_string(),
        kind: hold.kind.to_string(),
        resource: hold.resource.clone(),
        until_ms: hold.until.timestamp_millis(),
        for_ms: (hold.until - now).num_milliseconds().max(0),
        reset: hold.reset_at.map(|t| t.timestamp()),
    };
    serde_json::to_string(&wire).unwrap_or_default()
}

/// Decodes a stored or announced limit, held at most as long from `now`
/// as it held when told; `None` for anything else.
fn decode_limit(bytes: &[u8], now: DateTime<Utc>) -> Option<(String, Hold)> {
    let wire: WireLimit = serde_json::from_slice(bytes).ok()?;
    let kind = match wire.kind.as_str() {
        "primary" => RateLimitKind::Primary,
        "secondary" => RateLimitKind::Secondary,
        _ => return None,
    };
    if (kind == RateLimitKind::Primary) != wire.resource.is_some() {
        return None;
    }
    let told = now.checked_add_signed(chrono::Duration::milliseconds(wire.for_ms.max(0)))?;
    let until = DateTime::from_timestamp_millis(wire.until_ms)?.min(told);
    let reset_at = match wire.reset {
        Some(t) => Some(DateTime::from_timestamp(t, 0)?),
        None => None,
    };
    Some((wire.fingerprint, Hold { kind, resource: wire.resource, until, reset_at }))
}

/// A token as the fleet stores it.
#[derive(serde::Serialize, serde::Deserialize)]
struct WireToken {
    token: String,
    /// What FORGET compares (see [`token_hash`]).
    hash: String,
    expires_at_ms: i64,
}

/// One client's link: its credential's keys in the fleet.
struct Member {
    fleet: Arc<FleetShared>,
    keys: Keys,
    fingerprint: String,
    gate: Arc<Gate>,
}

impl fmt::Debug for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisMember")
            .field("fleet_id", &self.fleet.fleet_id)
            .field("endpoint", &self.fleet.endpoint)
            .field("credential", &self.fingerprint)
            .finish()
    }
}

/// Keeps the later limit of a field, stores it for an hour past the last
/// write, and announces it. A field that does not decode is replaced.
const TELL: &str = r"
local old = redis.pcall('HGET', KEYS[1], ARGV[1])
if type(old) == 'table' and old.err then
  redis.call('DEL', KEYS[1])
elseif type(old) == 'string' then
  local ok, v = pcall(cjson.decode, old)
  if ok and type(v) == 'table' and tonumber(v.until_ms) and tonumber(v.until_ms) >= tonumber(ARGV[3]) then
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', ARGV[5], ARGV[2])
return 1
";

/// Takes the lock if it is free, as `<fence>:<id>` (the fence counts
/// turns; the id, drawn by the member, makes the turn unique even after a
/// restart): `{fence, spacing left, repaired}`; `{0, lease left, repaired}`
/// if another member holds it. A lock or a spacing without a lease or with
/// one no member gives (over ARGV[3]), or a fence that is not a number, was
/// not written by a member: it is replaced (`repaired` 1).
const TAKE: &str = r"
local repaired = 0
local held = redis.pcall('GET', KEYS[1])
if type(held) == 'string' and string.sub(held, -string.len(ARGV[2])) == ARGV[2] then
  -- Sent again after a lost answer: the turn is already this member's.
  local fence = tonumber(string.match(held, '^(%d+):')) or 1
  local pace = redis.call('PTTL', KEYS[3])
  if pace < 0 or pace > tonumber(ARGV[3]) then pace = 0 end
  return {fence, pace, 0}
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -1 or ttl > tonumber(ARGV[3]) then redis.call('DEL', KEYS[1]); ttl = -2; repaired = 1 end
if ttl >= 0 then return {0, ttl, repaired} end
local fence = redis.pcall('INCR', KEYS[2])
if type(fence) == 'table' or fence < 1 then
  redis.call('DEL', KEYS[2]); fence = redis.call('INCR', KEYS[2]); repaired = 1
end
redis.call('SET', KEYS[1], fence .. ':' .. ARGV[2], 'PX', ARGV[1])
local pace = redis.call('PTTL', KEYS[3])
if pace > tonumber(ARGV[3]) then redis.call('DEL', KEYS[3]); pace = 0; repaired = 1 end
if pace < 0 then pace = 0 end
return {fence, pace, repaired}
";

/// Whether KEYS[1] holds this member's turn ARGV[1] (a value ending in it).
const MINE: &str = r"
local function mine()
  local v = redis.pcall('GET', KEYS[1])
  return type(v) == 'string' and string.sub(v, -string.len(ARGV[1])) == ARGV[1]
end
";

/// Renews the lease if the lock is still this turn's.
const EXTEND: &str = r"
if mine() then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
";

/// Frees the lock if it is still this turn's, then starts the spacing.
const GIVE: &str = r"
if mine() then redis.call('DEL', KEYS[1]) end
if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[2], '1', 'PX', ARGV[2]) end
return 1
";

/// The renewal turn: 1 to renew (the turn is this member's id), 0 if
/// another member renews. A turn without a lease is replaced.
const RENEWAL: &str = r"
local v = redis.pcall('GET', KEYS[2])
if type(v) == 'string' then
  local ok, t = pcall(cjson.decode, v)
  if ok and type(t) == 'table' and tonumber(t.expires_at_ms) and tonumber(t.expires_at_ms) > tonumber(ARGV[3]) then return 2 end
end
if redis.call('PTTL', KEYS[1]) == -1 then redis.call('DEL', KEYS[1]) end
if redis.pcall('GET', KEYS[1]) == ARGV[2] then return 1 end
if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[1]) then return 1 end
return 0
";

/// Stores the new token (when given) and ends the renewal turn if it is
/// still this member's.
const RENEWED: &str = r"
if ARGV[2] ~= '' then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
if mine() then redis.call('DEL', KEYS[1]) end
return 1
";

/// Deletes the token if it is the one GitHub refused (by its hash: the
/// token itself is never an argument here), or if it does not decode.
const FORGET: &str = r"
local v = redis.pcall('GET', KEYS[1])
if type(v) ~= 'string' then return 0 end
local ok, t = pcall(cjson.decode, v)
if (not ok) or type(t) ~= 'table' or t.hash == ARGV[1] then redis.call('DEL', KEYS[1]); return 1 end
return 0
";

/// The longest lease or spacing a member sets: a longer one under the
/// fleet's keys was not set by a member.
const MAX_LEASE: Duration = Duration::from_secs(600);

/// How long a member keeps renewing the lease of one mutation: a request
/// hanging longer (a custom HTTP client without a timeout) frees the lock.
const MAX_TURN: Duration = Duration::from_secs(300);

/// A new turn id: 128 random bits, hex.
fn turn_id() -> String {
    format!("{:032x}", fastrand::u128(..))
}

/// The hash the fleet's token is known by in FORGET (SHA-256, hex).
fn token_hash(token: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    digest.as_ref()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// A lock or renewal turn this member took, or may have taken: dropped
/// while armed (its future cancelled, its command timed out), it hands the
/// turn back in the background, so no turn outlives its member's interest
/// by more than a round trip.
struct HandBack {
    fleet: Arc<FleetShared>,
    keys: Keys,
    id: String,
    /// For the lock: the spacing to start; `None`: a renewal turn.
    lock: Option<Duration>,
    armed: bool,
}

impl HandBack {
    fn op(&self) -> (&'static str, Op) {
        match self.lock {
            Some(interval) => (
                "GIVE",
                invoke(GIVE, |i| {
                    let interval = u64::try_from(interval.min(MAX_LEASE).as_millis()).unwrap_or(0);
                    i.key(&self.keys.lock).key(&self.keys.pace).arg(&self.id).arg(interval);
                }),
            ),
            None => (
                "RENEWED",
                invoke(RENEWED, |i| {
                    i.key(&self.keys.renewing).key(&self.keys.token).arg(&self.id).arg("").arg(1);
                }),
            ),
        }
    }

    /// Hands the turn back now.
    async fn send(mut self) {
        let (what, op) = self.op();
        let _: Result<i64, _> = self.fleet.run(what, op, true).await;
        self.armed = false;
    }
}

impl Drop for HandBack {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let (what, op) = self.op();
        let fleet = self.fleet.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _: Result<i64, _> = fleet.run(what, op, true).await;
            });
        }
    }
}

/// A command or a script invocation, ready to send (twice if need be).
enum Op {
    Command(redis::Cmd),
    Script(redis::ScriptInvocation<'static>),
}

impl Op {
    async fn send<T: redis::FromRedisValue>(&self, m: &mut ConnectionManager) -> redis::RedisResult<T> {
        match self {
            Op::Command(c) => c.query_async(m).await,
            Op::Script(s) => s.invoke_async(m).await,
        }
    }
}

fn command(name: &str, key: &str) -> Op {
    let mut c = redis::cmd(name);
    c.arg(key);
    Op::Command(c)
}

fn invoke(source: &'static str, build: impl FnOnce(&mut redis::ScriptInvocation<'static>)) -> Op {
    let mut invocation = script(source).prepare_invoke();
    build(&mut invocation);
    Op::Script(invocation)
}

fn script(source: &'static str) -> &'static redis::Script {
    static SCRIPTS: OnceLock<Mutex<HashMap<usize, &'static redis::Script>>> = OnceLock::new();
    let mut scripts = SCRIPTS.get_or_init(Mutex::default).lock().unwrap_or_else(|p| p.into_inner());
    scripts.entry(source.as_ptr() as usize).or_insert_with(|| {
        let code = if source.contains("mine()") { format!("{MINE}{source}") } else { source.to_string() };
        Box::leak(Box::new(redis::Script::new(&code)))
    })
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl Member {
    /// Renews the lease of turn `id` every third of it, for [`MAX_TURN`]
    /// at most; ends when the turn is handed back (the task is aborted).
    async fn extend_loop(fleet: Arc<FleetShared>, keys: Keys, id: String) {
        let every = fleet.lease / 3;
        let started = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(every).await;
            if started.elapsed() > MAX_TURN {
                tracing::warn!(fleet = ?fleet.fleet_id, "a mutation held the fleet's lock for 5 minutes: its lease is no longer renewed");
                return;
            }
            let lease = millis(fleet.lease);
            let extended: Result<i64, _> = fleet
                .run(
                    "EXTEND",
                    invoke(EXTEND, |i| {
                        i.key(&keys.lock).arg(&id).arg(lease);
                    }),
                    true,
                )
                .await;
            if let Ok(0) = extended {
                tracing::warn!(fleet = ?fleet.fleet_id, "this replica's turn on the fleet's mutation lock was lost (Redis restarted, or a pause longer than the lease)");
                return;
            }
        }
    }
}

impl Link for Member {
    fn ensure_started(&self) {
        self.fleet.start(&self.fleet);
    }

    fn tell(&self, hold: &Hold) -> BoxFuture<'_, ()> {
        let field = match &hold.resource {
            None => "secondary".to_string(),
            Some(r) => format!("primary:{}", encode(r)),
        };
        let value = encode_limit(&self.fingerprint, hold, Utc::now());
        let until = hold.until.timestamp_millis();
        Box::pin(async move {
            self.ensure_started();
            let channel = self.fleet.channel();
            let op = invoke(TELL, |i| {
                i.key(&self.keys.gate).arg(&field).arg(&value).arg(until).arg(millis(GATE_TTL)).arg(&channel);
            });
            let _: Result<i64, _> = self.fleet.run("TELL", op, false).await;
        })
    }

    fn take_turn(&self, interval: Duration) -> BoxFuture<'_, Option<Turn>> {
        let _ = interval;
        Box::pin(async move {
            self.ensure_started();
            let give_up = tokio::time::Instant::now() + (self.fleet.lease * 4).max(Duration::from_secs(60));
            loop {
                let id = turn_id();
                let taking = HandBack {
                    fleet: self.fleet.clone(),
                    keys: self.keys.clone(),
                    id: id.clone(),
                    lock: Some(Duration::ZERO),
                    armed: true,
                };
                let op = invoke(TAKE, |i| {
                    i.key(&self.keys.lock)
                        .key(&self.keys.fence)
                        .key(&self.keys.pace)
                        .arg(millis(self.fleet.lease))
                        .arg(&id)
                        .arg(millis(MAX_LEASE));
                });
                // Timed out, the TAKE may still run: `taking` hands it back.
                let taken: Result<(u64, u64, u8), _> = self.fleet.run("TAKE", op, false).await;
                let mut taking = taking;
                let (fence, left, repaired) = match taken {
                    Ok(t) => t,
                    Err(failure) => {
                        // Not sent: nothing to hand back.
                        taking.armed = !matches!(failure, Failure::Skipped);
                        return None;
                    }
                };
                taking.armed = false;
                if repaired == 1 {
                    tracing::error!(fleet = ?self.fleet.fleet_id, "the fleet's mutation lock, spacing or fence held a value no member wrote: replaced");
                }
                if fence > 0 {
                    tracing::trace!(fleet = ?self.fleet.fleet_id, fence, "took the fleet's mutation lock");
                    let keepalive = tokio::spawn(Self::extend_loop(self.fleet.clone(), self.keys.clone(), id.clone()));
                    return Some(Turn { id, left: Duration::from_millis(left), keepalive: Some(keepalive) });
                }
                if tokio::time::Instant::now() > give_up {
                    tracing::warn!(fleet = ?self.fleet.fleet_id, "another replica held the fleet's mutation lock too long: this mutation goes on in process");
                    return None;
                }
                // Another member holds it: poll, with a little jitter.
                let poll = LOCK_POLL.min(Duration::from_millis(left.max(1)));
                tokio::time::sleep(poll + Duration::from_micros(fastrand::u64(0..2000))).await;
            }
        })
    }

    fn end_turn(&self, mut turn: Turn, interval: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if let Some(k) = turn.keepalive.take() {
                k.abort();
            }
            let id = std::mem::take(&mut turn.id);
            // Cancelled halfway, the hand-back still happens.
            HandBack { fleet: self.fleet.clone(), keys: self.keys.clone(), id, lock: Some(interval), armed: true }
                .send()
                .await;
        })
    }

    fn token(&self) -> BoxFuture<'_, Result<Option<SharedToken>, ()>> {
        Box::pin(async move {
            self.ensure_started();
            let value: Result<Option<Vec<u8>>, _> =
                self.fleet.run("GET token", command("GET", &self.keys.token), false).await;
            match value {
                Ok(None) => Ok(None),
                Ok(Some(bytes)) => match serde_json::from_slice::<WireToken>(&bytes) {
                    Ok(w) => Ok(DateTime::from_timestamp_millis(w.expires_at_ms)
                        .map(|expires_at| SharedToken { token: Secret::new(w.token), expires_at })),
                    Err(_) => {
                        tracing::error!(fleet = ?self.fleet.fleet_id, "the fleet's token key holds a value no member wrote: ignored (a renewal replaces it)");
                        Ok(None)
                    }
                },
                Err(Failure::Refused) => Ok(None),
                Err(Failure::Unreachable | Failure::Skipped) => Err(()),
            }
        })
    }

    fn renewal(&self, fresh_until: DateTime<Utc>) -> BoxFuture<'_, Result<Renewal, ()>> {
        Box::pin(async move {
            let id = turn_id();
            let mut taking = HandBack {
                fleet: self.fleet.clone(),
                keys: self.keys.clone(),
                id: id.clone(),
                lock: None,
                armed: true,
            };
            let op = invoke(RENEWAL, |i| {
                i.key(&self.keys.renewing)
                    .key(&self.keys.token)
                    .arg(millis(RENEWAL_LEASE))
                    .arg(&id)
                    .arg(fresh_until.timestamp_millis());
            });
            let taken: Result<i64, _> = self.fleet.run("RENEWAL", op, false).await;
            let taken = match taken {
                Ok(t) => t,
                Err(failure) => {
                    taking.armed = !matches!(failure, Failure::Skipped);
                    return Err(());
                }
            };
            taking.armed = false;
            Ok(match taken {
                1 => Renewal::Lead(id),
                2 => Renewal::Fresh,
                _ => Renewal::Follow,
            })
        })
    }

    fn renewed(&self, id: String, token: Option<SharedToken>) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let ttl = token.as_ref().map(|t| (t.expires_at - Utc::now()).num_milliseconds()).unwrap_or(0);
            let value = match &token {
                Some(t) if ttl > 0 => serde_json::to_string(&WireToken {
                    token: t.token.expose_secret().to_string(),
                    hash: token_hash(t.token.expose_secret()),
                    expires_at_ms: t.expires_at.timestamp_millis(),
                })
                .unwrap_or_default(),
                _ => String::new(),
            };
            let value = Secret::new(value);
            // Cancelled halfway, the turn is still handed back.
            let mut turn = HandBack {
                fleet: self.fleet.clone(),
                keys: self.keys.clone(),
                id: id.clone(),
                lock: None,
                armed: true,
            };
            let op = invoke(RENEWED, |i| {
                i.key(&self.keys.renewing).key(&self.keys.token).arg(&id).arg(value.expose_secret()).arg(ttl.max(1));
            });
            let _: Result<i64, _> = self.fleet.run("RENEWED", op, true).await;
            turn.armed = false;
        })
    }

    fn forget(&self, token: &str) -> BoxFuture<'_, ()> {
        let hash = token_hash(token);
        Box::pin(async move {
            let op = invoke(FORGET, |i| {
                i.key(&self.keys.token).arg(&hash);
            });
            let _: Result<i64, _> = self.fleet.run("FORGET", op, false).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A member that read no token, then asks for the renewal turn after
    /// another member stored one, reads that token instead of renewing
    /// again (two installation tokens for one fleet otherwise); a token
    /// that will not stay fresh long enough does not count.
    #[cfg(feature = "testkit")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_token_stored_after_a_read_is_not_renewed_again() {
        use crate::transport::fleet::{Renewal, SharedToken};
        let redis = crate::testkit::RedisServer::start();
        let fleet = RedisFleet::new(&redis.url(), "renewal-race").expect("fleet").timeout(Duration::from_secs(2));
        let (a, b) = (fleet.member("fp", Arc::default()), fleet.member("fp", Arc::default()));
        assert!(matches!(a.token().await, Ok(None)), "no token yet");
        let Ok(Renewal::Lead(id)) = b.renewal(Utc::now()).await else { panic!("b takes the turn") };
        let token =
            SharedToken { token: Secret::new("ghs_fleet"), expires_at: Utc::now() + chrono::Duration::hours(1) };
        b.renewed(id, Some(token)).await;
        let asked = a.renewal(Utc::now() + chrono::Duration::minutes(5)).await;
        assert!(matches!(asked, Ok(Renewal::Fresh)), "a reads b's token");
        let later = a.renewal(Utc::now() + chrono::Duration::hours(2)).await;
        assert!(matches!(later, Ok(Renewal::Lead(_))), "a token that expires before then is renewed");
    }

    #[test]
    fn caller_text_is_encoded_into_one_key_level() {
        assert_eq!(encode("scaler-prod_1.eu"), "scaler-prod_1.eu");
        assert_eq!(encode("a:b*c?[d] e\n{f}"), "a%3Ab%2Ac%3F%5Bd%5D%20e%0A%7Bf%7D");
        let keys = Keys::new("gha-runners:x", "00ff");
        assert_eq!(keys.lock, "gha-runners:x:00ff:lock");
    }

    #[test]
    fn any_fleet_id_stays_one_key_level_and_decodes_back() {
        use proptest::prelude::*;
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(2000));
        runner
            .run(&any::<String>(), |id| {
                let encoded = encode(&id);
                prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.%".contains(&b)), "{encoded}");
                let back = percent_encoding::percent_decode_str(&encoded).decode_utf8();
                prop_assert_eq!(back.map(|b| b.into_owned()).ok(), Some(id));
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn limits_round_trip_and_garbage_is_refused() {
        let hold = Hold {
            kind: RateLimitKind::Primary,
            resource: Some("core".into()),
            until: DateTime::from_timestamp_millis(1_700_000_000_123).unwrap(),
            reset_at: DateTime::from_timestamp(1_700_000_000, 0),
        };
        let now = hold.until - chrono::Duration::seconds(10);
        let (fp, back) = decode_limit(encode_limit("abc", &hold, now).as_bytes(), now).unwrap();
        assert_eq!((fp.as_str(), back), ("abc", hold.clone()));
        // A receiver whose clock is an hour behind holds 10 s, not an hour and 10 s.
        let behind = now - chrono::Duration::hours(1);
        let (_, skewed) = decode_limit(encode_limit("abc", &hold, now).as_bytes(), behind).unwrap();
        assert_eq!(skewed.until, behind + chrono::Duration::seconds(10));
        for garbage in [
            &b"not json"[..],
            br#"{"fingerprint":"a","kind":"tertiary","resource":null,"until_ms":1,"for_ms":1,"reset":null}"#,
            br#"{"fingerprint":"a","kind":"primary","resource":null,"until_ms":1,"for_ms":1,"reset":null}"#,
            br#"{"fingerprint":"a","kind":"secondary","resource":null,"until_ms":99999999999999999,"for_ms":1,"reset":null}"#,
            br#"{"fingerprint":"a","kind":"secondary","resource":null,"until_ms":1,"for_ms":1,"reset":9223372036854775807}"#,
            br#"{"fingerprint":"a","kind":"secondary","resource":null,"until_ms":1,"for_ms":9223372036854775807,"reset":null}"#,
            br#"{"fingerprint":"a","kind":"secondary","resource":null,"until_ms":1,"reset":null}"#,
        ] {
            assert!(decode_limit(garbage, Utc::now()).is_none(), "{}", String::from_utf8_lossy(garbage));
        }
    }

    #[test]
    fn bad_urls_and_ids_are_refused_without_the_password() {
        let err = RedisFleet::new("http://:hunter2@host", "f").unwrap_err().to_string();
        assert!(!err.contains("hunter2"), "{err}");
        assert!(RedisFleet::new("redis://127.0.0.1:6379", "").is_err());
        let fleet = RedisFleet::new("redis://:hunter2@127.0.0.1:6379/0", "f").unwrap();
        let shown = format!("{fleet:?}");
        assert!(!shown.contains("hunter2") && shown.contains("127.0.0.1:6379"), "{shown}");
    }
}
