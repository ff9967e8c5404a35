//! The store in Redis (`--redis URL`): replicas behind one URL share it and
//! act as one. Every change that reads before it writes is one Lua script,
//! so two replicas never both win a claim. Keys live under
//! `gha-scaler:{<fleet>}:`; known jobs expire after [`REMEMBER`], leases
//! and flags after their time.

use super::{Pending, REMEMBER, Result, StoreError, Waiting, ms};
use gha_runners::types::{JobId, RunnerId};
use redis::aio::ConnectionManager;
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

const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1";

/// The store in Redis.
pub(crate) struct RedisStore {
    manager: ConnectionManager,
    prefix: String,
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

fn decode<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| StoreError(format!("a {what} record Redis holds cannot be read: {e}")))
}

impl RedisStore {
    /// Connects to `url` (`redis://[:password@]host:port[/db]`, or
    /// `rediss://` for TLS) for fleet `fleet`. The error never shows the
    /// URL's password.
    pub(crate) async fn connect(url: &str, fleet: &str) -> Result<Self> {
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
        Ok(Self { manager, prefix: format!("gha-scaler:{{{fleet}}}:") })
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
        let json = serde_json::to_string(waiting).map_err(err)?;
        let keys = [self.known(job), self.key("waiting")];
        Ok(self.run::<i64>(ENQUEUE, &keys, &[job.to_string(), json]).await? == 1)
    }

    pub(crate) async fn mark(&self, job: JobId, state: &'static str) -> Result<()> {
        let keys = [self.known(job), self.key("waiting"), self.key("names")];
        self.run::<i64>(MARK, &keys, &[job.to_string(), state.to_string(), ms(REMEMBER).to_string()]).await?;
        Ok(())
    }

    pub(crate) async fn end(&self, job: JobId) -> Result<bool> {
        let keys = [self.known(job), self.key("waiting"), self.key("names")];
        Ok(self.run::<i64>(END, &keys, &[job.to_string(), ms(REMEMBER).to_string()]).await? == 1)
    }

    pub(crate) async fn forget(&self, job: JobId) -> Result<()> {
        let mut pipe = redis::pipe();
        pipe.atomic().del(self.known(job)).hdel(self.key("waiting"), job.get()).hdel(self.key("names"), job.get());
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
            out.push((JobId::from(id), decode("waiting job", &json)?));
        }
        out.sort_by_key(|(id, _)| *id);
        Ok(out)
    }

    pub(crate) async fn update_waiting(&self, job: JobId, waiting: &Waiting) -> Result<()> {
        let json = serde_json::to_string(waiting).map_err(err)?;
        self.run::<i64>(REPLACE, &[self.key("waiting")], &[job.to_string(), json]).await?;
        Ok(())
    }

    pub(crate) async fn put_pending(&self, runner: RunnerId, pending: &Pending, only_if_present: bool) -> Result<()> {
        let json = serde_json::to_string(pending).map_err(err)?;
        if only_if_present {
            self.run::<i64>(REPLACE, &[self.key("pending")], &[runner.to_string(), json]).await?;
        } else {
            let mut c = redis::cmd("HSET");
            c.arg(self.key("pending")).arg(runner.get()).arg(json);
            self.cmd::<i64>(&c).await?;
        }
        Ok(())
    }

    pub(crate) async fn take_pending(&self, runner: RunnerId) -> Result<Option<Pending>> {
        let json: Option<String> = self.run(TAKE, &[self.key("pending")], &[runner.to_string()]).await?;
        json.map(|j| decode("pending runner", &j)).transpose()
    }

    pub(crate) async fn pending(&self) -> Result<Vec<(RunnerId, Pending)>> {
        let mut out = Vec::new();
        for (id, json) in self.all("pending").await? {
            out.push((RunnerId::from(id), decode("pending runner", &json)?));
        }
        Ok(out)
    }

    pub(crate) async fn add_running(&self, runner: RunnerId, pool: usize) -> Result<()> {
        let mut c = redis::cmd("HSET");
        c.arg(self.key("running")).arg(runner.get()).arg(pool);
        self.cmd::<i64>(&c).await.map(drop)
    }

    pub(crate) async fn remove_running(&self, runner: RunnerId) -> Result<()> {
        let mut c = redis::cmd("HDEL");
        c.arg(self.key("running")).arg(runner.get());
        self.cmd::<i64>(&c).await.map(drop)
    }

    pub(crate) async fn running(&self) -> Result<Vec<(RunnerId, usize)>> {
        let mut out = Vec::new();
        for (id, pool) in self.all("running").await? {
            let pool = pool.parse().map_err(|_| StoreError(format!("runner {id}'s pool in Redis is {pool:?}")))?;
            out.push((RunnerId::from(id), pool));
        }
        Ok(out)
    }

    pub(crate) async fn lease(&self, name: &str, holder: &str, ttl: Duration) -> Result<bool> {
        let ttl = ms(ttl).max(1).to_string();
        Ok(self.run::<i64>(LEASE, &[self.key(&format!("lease:{name}"))], &[holder.to_string(), ttl]).await? == 1)
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
