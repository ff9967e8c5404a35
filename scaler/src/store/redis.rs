//! The store in Redis (`--redis URL`): replicas behind one URL share it and
//! act as one. Every change that reads before it writes is one Lua script,
//! so two replicas never both win a claim. Keys live under
//! `gha-scaler:{<fleet>}:`; known jobs expire after [`REMEMBER`], leases
//! and flags after their time.

use super::{Claim, Counter, Pending, REMEMBER, Result, StoreError, Waiting, ms};
use gha_runners::types::{JobId, RunnerId};
use redis::aio::ConnectionManager;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

/// How long one Redis command may take before the store reports an error.
const TIMEOUT: Duration = Duration::from_secs(3);

const ENQUEUE: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1";

const MARK: &str = r"
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if redis.call('GET', KEYS[1]) ~= 'ended' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1";

const END: &str = r"
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if redis.call('GET', KEYS[1]) == 'ended' then return 0 end
redis.call('SET', KEYS[1], 'ended', 'PX', ARGV[2])
redis.call('HINCRBY', KEYS[4], ARGV[3], 1)
return 1";

const REPLACE: &str = r"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1";

const TAKE: &str = r"
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then redis.call('HDEL', KEYS[1], ARGV[1]) end
return v";

const LEASE: &str = r"
local h = redis.call('GET', KEYS[1])
if (not h) or h == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0";

const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0";

const PUT_FENCED: &str = r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1";

const PROMOTE: &str = r"
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
local ok, record = pcall(cjson.decode, v)
local pool = ok and type(record) == 'table' and record['pool']
if type(pool) == 'string' then redis.call('HSET', KEYS[2], ARGV[1], pool) end
return v";

const CLAIM_CONFIG: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 'fresh' end
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 'same' end
return v";

const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1";

/// The store in Redis.
pub(crate) struct RedisStore {
    manager: ConnectionManager,
    prefix: String,
    /// This replica's pools' keys ([`crate::pools::Pool::key`]), by index:
    /// records name their pool by key, so that replicas whose pools differ
    /// in order (or in number) never take one pool for another.
    pools: Vec<String>,
    /// Records this replica skipped (unreadable, or of a pool it does not
    /// have), each logged once.
    skipped: Mutex<HashSet<String>>,
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// A record with a `pool` index, stored with the pool's key instead.
trait InPool: Serialize + DeserializeOwned {
    fn pool(&mut self) -> &mut usize;
}

impl InPool for Waiting {
    fn pool(&mut self) -> &mut usize {
        &mut self.pool
    }
}

impl InPool for Pending {
    fn pool(&mut self) -> &mut usize {
        &mut self.pool
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://[:password@]host:port[/db]`, or
    /// `rediss://` for TLS) for fleet `fleet`, whose pools in this replica
    /// have keys `pools`. The error never shows the URL's password.
    pub(crate) async fn connect(url: &str, fleet: &str, pools: Vec<String>) -> Result<Self> {
        let client = redis::Client::open(url).map_err(|e| {
            StoreError(format!("--redis is not a Redis URL ({}): expected redis://host:port", e.category()))
        })?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let manager = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| StoreError(format!("cannot connect to Redis ({}): is it running?", e.category())))?;
        let fleet: String = fleet.chars().filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c)).collect();
        Ok(Self { manager, prefix: format!("gha-scaler:{{{fleet}}}:"), pools, skipped: Mutex::default() })
    }

    /// `record` as stored: its pool named by key.
    fn encode<T: InPool + Clone>(&self, record: &T) -> Result<String> {
        let mut record = record.clone();
        let key = self.pools.get(*record.pool()).ok_or_else(|| StoreError("a record of no pool".into()))?;
        let mut json = serde_json::to_value(&record).map_err(err)?;
        json["pool"] = Value::String(key.clone());
        Ok(json.to_string())
    }

    /// Record `id` of kind `what` as stored, or `None` (logged once) when
    /// it cannot be read or names a pool this replica does not have: one
    /// bad record stops nothing else.
    fn decode<T: InPool>(&self, what: &str, id: i64, json: &str) -> Option<T> {
        let read = serde_json::from_str::<Value>(json).map_err(|e| e.to_string()).and_then(|mut v| {
            let key = v.get("pool").and_then(Value::as_str).map(String::from).unwrap_or_default();
            let index =
                self.pool_index(&key).ok_or_else(|| format!("its pool {key:?} is not one of this replica's"))?;
            v["pool"] = Value::from(0);
            let mut record: T = serde_json::from_value(v).map_err(|e| e.to_string())?;
            *record.pool() = index;
            Ok(record)
        });
        read.map_err(|e| self.skip(&format!("{what} {id}"), &e)).ok()
    }

    fn pool_index(&self, key: &str) -> Option<usize> {
        self.pools.iter().position(|k| k == key)
    }

    /// Logs, once per record, that this replica leaves record `what` alone.
    fn skip(&self, what: &str, why: &str) {
        let mut skipped = self.skipped.lock().unwrap_or_else(|p| p.into_inner());
        if skipped.len() >= 10_000 {
            skipped.clear(); // bounded: a record may be logged again
        }
        if skipped.insert(what.to_string()) {
            eprintln!("the scaler's store: {what} is left alone by this replica: {why}");
        }
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn known(&self, job: JobId) -> String {
        self.key(&format!("job:{job}"))
    }

    async fn run<T: redis::FromRedisValue>(&self, script: &str, keys: &[String], args: &[String]) -> Result<T> {
        let script = redis::Script::new(script);
        let mut invocation = script.prepare_invoke();
        for k in keys {
            invocation.key(k);
        }
        for a in args {
            invocation.arg(a);
        }
        let mut m = self.manager.clone();
        invocation.invoke_async(&mut m).await.map_err(err)
    }

    async fn cmd<T: redis::FromRedisValue>(&self, c: &redis::Cmd) -> Result<T> {
        let mut m = self.manager.clone();
        c.query_async(&mut m).await.map_err(err)
    }

    pub(crate) async fn enqueue(&self, job: JobId, waiting: &Waiting) -> Result<bool> {
        let json = self.encode(waiting)?;
        let keys = [self.known(job), self.key("waiting")];
        Ok(self.run::<i64>(ENQUEUE, &keys, &[job.to_string(), json]).await? == 1)
    }

    pub(crate) async fn mark(&self, job: JobId, state: &'static str) -> Result<()> {
        let keys = [self.known(job), self.key("waiting"), self.key("names")];
        self.run::<i64>(MARK, &keys, &[job.to_string(), state.to_string(), ms(REMEMBER).to_string()]).await?;
        Ok(())
    }

    pub(crate) async fn end(&self, job: JobId) -> Result<bool> {
        let keys = [self.known(job), self.key("waiting"), self.key("names"), self.key("counters")];
        let args = [job.to_string(), ms(REMEMBER).to_string(), Counter::Completed.key().to_string()];
        Ok(self.run::<i64>(END, &keys, &args).await? == 1)
    }

    pub(crate) async fn forget(&self, job: JobId) -> Result<()> {
        let mut pipe = redis::pipe();
        pipe.atomic().del(self.known(job)).hdel(self.key("waiting"), job.get());
        let mut m = self.manager.clone();
        pipe.query_async::<()>(&mut m).await.map_err(err)
    }

    async fn all(&self, hash: &str) -> Result<Vec<(i64, String)>> {
        let mut c = redis::cmd("HGETALL");
        c.arg(self.key(hash));
        let all: Vec<(i64, String)> = self.cmd(&c).await?;
        Ok(all)
    }

    pub(crate) async fn waiting(&self) -> Result<Vec<(JobId, Waiting)>> {
        let mut out: Vec<(JobId, Waiting)> = Vec::new();
        for (id, json) in self.all("waiting").await? {
            if let Some(waiting) = self.decode("waiting job", id, &json) {
                out.push((JobId::from(id), waiting));
            }
        }
        out.sort_by_key(|(id, _)| *id);
        Ok(out)
    }

    pub(crate) async fn update_waiting(&self, job: JobId, waiting: &Waiting) -> Result<()> {
        let json = self.encode(waiting)?;
        self.run::<i64>(REPLACE, &[self.key("waiting")], &[job.to_string(), json]).await?;
        Ok(())
    }

    pub(crate) async fn put_pending(&self, runner: RunnerId, pending: &Pending, only_if_present: bool) -> Result<()> {
        let json = self.encode(pending)?;
        if only_if_present {
            self.run::<i64>(REPLACE, &[self.key("pending")], &[runner.to_string(), json]).await?;
        } else {
            let mut c = redis::cmd("HSET");
            c.arg(self.key("pending")).arg(runner.get()).arg(json);
            self.cmd::<i64>(&c).await?;
        }
        Ok(())
    }

    pub(crate) async fn put_new_pending(
        &self,
        runner: RunnerId,
        pending: &Pending,
        lease: &str,
        holder: &str,
    ) -> Result<bool> {
        let json = self.encode(pending)?;
        let keys = [self.key(&format!("lease:{lease}")), self.key("pending")];
        Ok(self.run::<i64>(PUT_FENCED, &keys, &[holder.to_string(), runner.to_string(), json]).await? == 1)
    }

    pub(crate) async fn promote(&self, runner: RunnerId) -> Result<Option<Pending>> {
        let keys = [self.key("pending"), self.key("running")];
        let json: Option<String> = self.run(PROMOTE, &keys, &[runner.to_string()]).await?;
        Ok(json.and_then(|j| self.decode("pending runner", runner.get(), &j)))
    }

    pub(crate) async fn claim_config(&self, config: &str, ttl: Duration) -> Result<Claim> {
        let ttl = ms(ttl).max(1).to_string();
        let reply: String = self.run(CLAIM_CONFIG, &[self.key("config")], &[config.to_string(), ttl]).await?;
        Ok(match reply.as_str() {
            "fresh" => Claim::Fresh,
            "same" => Claim::Same,
            _ => Claim::Other(reply),
        })
    }

    /// Removes the records of pools this replica lacks: what a fleet that
    /// ran with another configuration left. Their jobs come back through
    /// catch-up; their runners, unknown, are reaped.
    pub(crate) async fn purge_foreign(&self) -> Result<usize> {
        let mut removed = 0;
        for hash in ["waiting", "pending", "running"] {
            for (id, value) in self.all(hash).await? {
                let key = if hash == "running" {
                    value
                } else {
                    serde_json::from_str::<Value>(&value)
                        .ok()
                        .and_then(|v| v.get("pool").and_then(Value::as_str).map(String::from))
                        .unwrap_or_default()
                };
                if self.pool_index(&key).is_none() {
                    let mut c = redis::cmd("HDEL");
                    c.arg(self.key(hash)).arg(id);
                    removed += self.cmd::<usize>(&c).await?;
                }
            }
        }
        Ok(removed)
    }

    pub(crate) async fn take_pending(&self, runner: RunnerId) -> Result<Option<Pending>> {
        let json: Option<String> = self.run(TAKE, &[self.key("pending")], &[runner.to_string()]).await?;
        Ok(json.and_then(|j| self.decode("pending runner", runner.get(), &j)))
    }

    pub(crate) async fn pending(&self) -> Result<Vec<(RunnerId, Pending)>> {
        let mut out = Vec::new();
        for (id, json) in self.all("pending").await? {
            if let Some(pending) = self.decode("pending runner", id, &json) {
                out.push((RunnerId::from(id), pending));
            }
        }
        Ok(out)
    }

    pub(crate) async fn remove_running(&self, runner: RunnerId) -> Result<()> {
        let mut c = redis::cmd("HDEL");
        c.arg(self.key("running")).arg(runner.get());
        self.cmd::<i64>(&c).await.map(drop)
    }

    pub(crate) async fn running(&self) -> Result<Vec<(RunnerId, usize)>> {
        let mut out = Vec::new();
        for (id, pool) in self.all("running").await? {
            match self.pool_index(&pool) {
                Some(index) => out.push((RunnerId::from(id), index)),
                None => self
                    .skip(&format!("running runner {id}"), &format!("its pool {pool:?} is not one of this replica's")),
            }
        }
        Ok(out)
    }

    pub(crate) async fn lease(&self, name: &str, holder: &str, ttl: Duration) -> Result<bool> {
        let ttl = ms(ttl).max(1).to_string();
        Ok(self.run::<i64>(LEASE, &[self.key(&format!("lease:{name}"))], &[holder.to_string(), ttl]).await? == 1)
    }

    pub(crate) async fn renew(&self, name: &str, holder: &str, ttl: Duration) -> Result<bool> {
        let ttl = ms(ttl).max(1).to_string();
        Ok(self.run::<i64>(RENEW, &[self.key(&format!("lease:{name}"))], &[holder.to_string(), ttl]).await? == 1)
    }

    pub(crate) async fn release(&self, name: &str, holder: &str) -> Result<()> {
        self.run::<i64>(RELEASE, &[self.key(&format!("lease:{name}"))], &[holder.to_string()]).await.map(drop)
    }

    pub(crate) async fn flag(&self, name: &str) -> Result<()> {
        let mut c = redis::cmd("SET");
        c.arg(self.key(&format!("flag:{name}"))).arg(1).arg("PX").arg(60_000);
        self.cmd::<()>(&c).await
    }

    pub(crate) async fn take_flag(&self, name: &str) -> Result<bool> {
        let mut c = redis::cmd("DEL");
        c.arg(self.key(&format!("flag:{name}")));
        Ok(self.cmd::<i64>(&c).await? == 1)
    }

    pub(crate) async fn incr(&self, counter: &'static str, by: u64) -> Result<()> {
        let mut c = redis::cmd("HINCRBY");
        c.arg(self.key("counters")).arg(counter).arg(by);
        self.cmd::<i64>(&c).await.map(drop)
    }

    pub(crate) async fn count(&self, counter: &'static str) -> Result<u64> {
        let mut c = redis::cmd("HGET");
        c.arg(self.key("counters")).arg(counter);
        Ok(self.cmd::<Option<u64>>(&c).await?.unwrap_or(0))
    }

    pub(crate) async fn next_name(&self, job: JobId) -> Result<u64> {
        let mut c = redis::cmd("HINCRBY");
        c.arg(self.key("names")).arg(job.get()).arg(1);
        self.cmd(&c).await
    }
}

#[cfg(test)]
mod tests {
    use super::{Claim, RedisStore};
    use crate::store::{Pending, Waiting};
    use gha_runners::testkit::RedisServer;
    use gha_runners::types::{JobId, RunnerId};
    use std::time::Duration;

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| format!("g={n}")).collect()
    }

    /// Replicas whose pools differ in order and number share records by
    /// pool key: each reads a record as its own pool of that key, or
    /// leaves it alone. Promotion keeps the key; a fenced write needs the
    /// lease; renewal extends only a lease still held; a fleet's
    /// configuration is claimed, and its first replica purges the rest.
    #[tokio::test]
    async fn records_name_their_pool_by_key_and_writes_are_fenced() {
        let redis = RedisServer::start();
        let (url, hour) = (redis.url(), Duration::from_secs(3600));
        let a = RedisStore::connect(&url, "t", keys(&["gpu", "cpu"])).await.unwrap();
        let b = RedisStore::connect(&url, "t", keys(&["gpu", "x", "cpu"])).await.unwrap();
        let c = RedisStore::connect(&url, "t", keys(&["gpu"])).await.unwrap();
        let waiting = Waiting { repo: "o/r".into(), pool: 1, ..Waiting::default() };
        assert!(a.enqueue(JobId::from(7), &waiting).await.unwrap());
        assert_eq!(b.waiting().await.unwrap()[0].1.pool, 2, "B's cpu is its third pool");
        assert!(c.waiting().await.unwrap().is_empty(), "C has no cpu pool");

        let pending = Pending { name: "r".into(), pool: 1, ..Pending::default() };
        let runner = RunnerId::from(11);
        assert!(!a.put_new_pending(runner, &pending, "fill:cpu", "a").await.unwrap(), "no lease, no write");
        assert!(a.pending().await.unwrap().is_empty());
        assert!(a.lease("fill:cpu", "a", hour).await.unwrap());
        assert!(!b.put_new_pending(runner, &pending, "fill:cpu", "b").await.unwrap(), "another's lease");
        assert!(a.put_new_pending(runner, &pending, "fill:cpu", "a").await.unwrap());
        assert_eq!(b.pending().await.unwrap()[0].1.pool, 2);
        assert_eq!(b.promote(runner).await.unwrap().map(|p| p.pool), Some(2));
        assert!(b.pending().await.unwrap().is_empty());
        assert_eq!(a.running().await.unwrap(), vec![(runner, 1)], "promoted under its key, read by A as its cpu");
        assert_eq!(b.promote(runner).await.unwrap(), None, "promoted once");
        // A record of an older version (its pool an index) is not moved
        // into `running` under a key no replica has.
        let legacy = r#"{"name":"old","pool":1}"#;
        redis.command(&["HSET", "gha-scaler:{t}:pending", "12", legacy]).unwrap();
        assert_eq!(a.promote(RunnerId::from(12)).await.unwrap(), None);
        let running = redis.command(&["HKEYS", "gha-scaler:{t}:running"]).unwrap();
        assert!(!running.contains("12"), "{running}");

        assert!(!b.renew("fill:cpu", "b", hour).await.unwrap(), "renewed another's lease");
        assert!(a.lease("short", "a", Duration::from_millis(1)).await.unwrap());
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!a.renew("short", "a", hour).await.unwrap(), "renewed an expired lease");
        assert!(a.renew("fill:cpu", "a", hour).await.unwrap());

        assert_eq!(a.claim_config("gpu; cpu", hour).await.unwrap(), Claim::Fresh);
        assert_eq!(a.claim_config("gpu; cpu", hour).await.unwrap(), Claim::Same);
        assert_eq!(c.claim_config("gpu", hour).await.unwrap(), Claim::Other("gpu; cpu".into()));
        // C's configuration after the fleet's: A's cpu records go.
        assert_eq!(c.purge_foreign().await.unwrap(), 2, "the waiting job and the running runner");
        assert!(a.waiting().await.unwrap().is_empty() && a.running().await.unwrap().is_empty());
    }
}
