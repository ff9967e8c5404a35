//! A real `redis-server` (Debian's package) on a free loopback port, for
//! the fleet tests: started by the test that needs it, stopped when dropped.
//! Without `redis-server` the test fails with the command that installs it:
//! it never skips.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What to run to get `redis-server`.
pub const INSTALL: &str = "apt-get install -y redis-server";

/// A running `redis-server` with no persistence, in a directory of its own.
pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
    password: Option<String>,
}

fn binary() -> PathBuf {
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
            return c;
        }
    }
    panic!(
        "redis-server is not installed: the fleet tests need a real Redis. Install it with `{INSTALL}` \
         (.ci/run does), or set REDIS_SERVER to its path"
    );
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local address").port()
}

impl RedisServer {
    /// Starts a server on a free loopback port and waits until it answers.
    pub fn start() -> Self {
        Self::start_with_password(None)
    }

    /// The same, requiring `password` (AUTH) when one is given.
    pub fn start_with_password(password: Option<&str>) -> Self {
        let dir = std::env::temp_dir().join(format!("gha-runners-redis-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).expect("redis directory");
        let mut server = Self { child: None, port: free_port(), dir, password: password.map(str::to_string) };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let child = Command::new(binary())
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--loglevel", "warning", "--protected-mode", "yes"])
            .arg("--dir")
            .arg(&self.dir)
            .args(self.password.iter().flat_map(|p| ["--requirepass".to_string(), p.clone()]))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start redis-server ({e}); install it with `{INSTALL}`"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        let dir = self.dir.to_string_lossy().into_owned();
        while Instant::now() < deadline {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("redis-server exited ({status}): is port {} taken?", self.port);
            }
            // Ours answers with our directory, not another test's server.
            if self.command(&["CONFIG", "GET", "dir"]).is_some_and(|r| r.contains(&dir)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server did not answer on 127.0.0.1:{} within 10 s", self.port);
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
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
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
