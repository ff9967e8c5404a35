//! A real `redis-server` (Debian's package) on a free loopback port, for
//! tests and demos of replicas that share state: started by whoever needs
//! it, stopped when dropped. Without `redis-server`, [`RedisServer::start`]
//! panics with the command that installs it (a test fails, it never
//! skips) and [`RedisServer::try_start`] says so in its error.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What to run to get `redis-server`.
pub const REDIS_INSTALL: &str = "apt-get install -y redis-server";

/// A running `redis-server` with no persistence, in a directory of its own.
pub struct RedisServer {
    child: Option<Child>,
    /// Its loopback port.
    pub port: u16,
    dir: PathBuf,
    password: Option<String>,
}

fn binary() -> Result<PathBuf, String> {
    let candidates = std::env::var_os("REDIS_SERVER")
        .map(PathBuf::from)
        .into_iter()
        .chain(
            std::env::var_os("PATH")
                .into_iter()
                .flat_map(|p| std::env::split_paths(&p).map(|d| d.join("redis-server")).collect::<Vec<_>>()),
        )
        .chain(["/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server"].map(PathBuf::from));
    for c in candidates {
        if c.is_file() {
            return Ok(c);
        }
    }
    Err(format!(
        "redis-server is not installed: replicas share their state through a real Redis. Install it with \
         `{REDIS_INSTALL}` (.ci/run does), or set REDIS_SERVER to its path"
    ))
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no loopback port: {e}"))?;
    Ok(listener.local_addr().map_err(|e| format!("no loopback port: {e}"))?.port())
}

impl RedisServer {
    /// Starts a server on a free loopback port and waits until it answers.
    ///
    /// # Panics
    /// Without `redis-server`, or if it does not start: the message says
    /// how to install it.
    pub fn start() -> Self {
        Self::start_with_password(None)
    }

    /// The same, requiring `password` (AUTH) when one is given.
    ///
    /// # Panics
    /// As [`RedisServer::start`].
    pub fn start_with_password(password: Option<&str>) -> Self {
        Self::try_start_with_password(password).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`RedisServer::start`], with an error instead of a panic.
    ///
    /// # Errors
    /// No `redis-server` (the message says how to install it), or it did
    /// not start and answer within 10 s.
    pub fn try_start() -> Result<Self, String> {
        Self::try_start_with_password(None)
    }

    fn try_start_with_password(password: Option<&str>) -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("gha-runners-redis-{}-{}", std::process::id(), free_port()?));
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        let mut server = Self { child: None, port: free_port()?, dir, password: password.map(str::to_string) };
        server.spawn()?;
        Ok(server)
    }

    fn spawn(&mut self) -> Result<(), String> {
        let child = Command::new(binary()?)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--loglevel", "warning", "--protected-mode", "yes"])
            .arg("--dir")
            .arg(&self.dir)
            .args(self.password.iter().flat_map(|p| ["--requirepass".to_string(), p.clone()]))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start redis-server ({e}); install it with `{REDIS_INSTALL}`"))?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        let dir = self.dir.to_string_lossy().into_owned();
        while Instant::now() < deadline {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                return Err(format!("redis-server exited ({status}): is port {} taken?", self.port));
            }
            // Ours answers with our directory, not another test's server.
            if self.command(&["CONFIG", "GET", "dir"]).is_some_and(|r| r.contains(&dir)) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!("redis-server did not answer on 127.0.0.1:{} within 10 s", self.port))
    }

    /// `redis://[:password@]127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        match &self.password {
            Some(p) => format!("redis://:{p}@127.0.0.1:{}", self.port),
            None => format!("redis://127.0.0.1:{}", self.port),
        }
    }

    /// Kills the server at once (SIGKILL: no goodbye to its clients).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    ///
    /// # Panics
    /// If it does not start again.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn().unwrap_or_else(|e| panic!("{e}"));
    }

    /// Sends one command (RESP) and returns the raw reply, or `None` if the
    /// server does not answer.
    pub fn command(&self, args: &[&str]) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        let mut out = String::new();
        if let Some(p) = &self.password {
            out.push_str(&format!("*2\r\n$4\r\nAUTH\r\n${}\r\n{p}\r\n", p.len()));
        }
        out.push_str(&format!("*{}\r\n", args.len()));
        for a in args {
            out.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        stream.write_all(out.as_bytes()).ok()?;
        // Everything the server sends until it pauses for 100 ms: the
        // tests' replies are small and come at once.
        stream.set_read_timeout(Some(Duration::from_millis(100))).ok()?;
        let mut reply = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            reply.extend_from_slice(&buf[..n]);
        }
        let text = String::from_utf8_lossy(&reply).into_owned();
        // Without the AUTH answer, when one was sent.
        match &self.password {
            Some(_) => text.split_once("\r\n").map(|(_, rest)| rest.to_string()),
            None => (!text.is_empty()).then_some(text),
        }
    }

    /// Every key (KEYS *: the tests' servers hold a few).
    pub fn keys(&self) -> Vec<String> {
        let reply = self.command(&["KEYS", "*"]).unwrap_or_default();
        reply.lines().filter(|l| !l.starts_with('*') && !l.starts_with('$')).map(str::to_string).collect()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
