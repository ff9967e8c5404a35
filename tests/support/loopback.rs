//! A scripted HTTP/1.1 server on 127.0.0.1 that records every request as it
//! arrived on the wire (raw request line, headers, body).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The raw request line, e.g. `GET /orgs/o/actions/runners?per_page=100 HTTP/1.1`.
    pub request_line: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }
}

/// A scripted response.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// A JSON response.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json; charset=utf-8".into())],
            body: serde_json::to_vec(body).expect("json"),
        }
    }
}

/// One step of a script: how the server answers the next request.
#[derive(Debug, Clone)]
pub enum Step {
    /// Answer normally.
    Reply(Reply),
    /// Read the request, then close the connection without answering.
    Close,
    /// Send the head with a longer content-length than the body, then close.
    Truncate(Reply),
    /// Wait, then answer.
    Delay(std::time::Duration, Reply),
    /// Answer `status` with a body of `total` bytes of `[`, written in 64 KiB
    /// chunks for as long as the client reads (counted in
    /// [`Loopback::body_bytes_written`]); with `declare`, a content-length.
    Huge { status: u16, total: u64, declare: bool },
    /// Answer with the body in chunked transfer encoding, `size` bytes a
    /// chunk, each written (and flushed) on its own after a 1 ms pause.
    Chunked(Reply, usize),
}

/// The server: replies in order, then 500 with a note when the script runs out.
pub struct Loopback {
    pub base_url: String,
    log: Arc<Mutex<Vec<Recorded>>>,
    /// The most requests that were in flight at once.
    pub max_in_flight: Arc<std::sync::atomic::AtomicUsize>,
    /// Body bytes the server managed to write for `Step::Huge` steps.
    pub body_bytes_written: Arc<std::sync::atomic::AtomicU64>,
}

impl Loopback {
    /// Starts a server on an ephemeral port that answers with `replies` in order.
    pub async fn start(replies: Vec<Reply>) -> Self {
        Self::script(replies.into_iter().map(Step::Reply).collect()).await
    }

    /// Starts a server that answers every request with `reply`.
    pub async fn always(reply: Reply) -> Self {
        Self::with_fallback(Vec::new(), reply).await
    }

    /// Starts a server that follows `steps` in order.
    pub async fn script(steps: Vec<Step>) -> Self {
        let exhausted = Reply { status: 500, headers: vec![], body: b"loopback script exhausted".to_vec() };
        Self::with_fallback(steps, exhausted).await
    }

    /// Follows `steps`, then answers `fallback` to everything.
    pub async fn with_fallback(steps: Vec<Step>, fallback: Reply) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::from(steps)));
        let task_log = log.clone();
        let max_in_flight = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let in_flight = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let max = max_in_flight.clone();
        let body_bytes_written = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let written = body_bytes_written.clone();
        tokio::spawn(async move {
            use std::sync::atomic::Ordering::SeqCst;
            while let Ok((mut sock, _)) = listener.accept().await {
                let _ = sock.set_nodelay(true);
                let log = task_log.clone();
                let script = script.clone();
                let (in_flight, max, written) = (in_flight.clone(), max.clone(), written.clone());
                let fallback = fallback.clone();
                tokio::spawn(async move {
                    while let Some(rec) = read_request(&mut sock).await {
                        let now = in_flight.fetch_add(1, SeqCst) + 1;
                        max.fetch_max(now, SeqCst);
                        log.lock().expect("log").push(rec);
                        let step = script.lock().expect("script").pop_front().unwrap_or(Step::Reply(fallback.clone()));
                        let (reply, truncate) = match step {
                            Step::Close => {
                                in_flight.fetch_sub(1, SeqCst);
                                return;
                            }
                            Step::Reply(r) => (r, false),
                            Step::Truncate(r) => (r, true),
                            Step::Chunked(reply, size) => {
                                in_flight.fetch_sub(1, SeqCst);
                                let mut head = format!("HTTP/1.1 {} X\r\ntransfer-encoding: chunked\r\n", reply.status);
                                for (k, v) in &reply.headers {
                                    head.push_str(&format!("{k}: {v}\r\n"));
                                }
                                head.push_str("\r\n");
                                if sock.write_all(head.as_bytes()).await.is_err() {
                                    return;
                                }
                                for piece in reply.body.chunks(size.max(1)) {
                                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                                    let framed = [format!("{:x}\r\n", piece.len()).as_bytes(), piece, b"\r\n"].concat();
                                    if sock.write_all(&framed).await.is_err() || sock.flush().await.is_err() {
                                        return;
                                    }
                                }
                                if sock.write_all(b"0\r\n\r\n").await.is_err() {
                                    return;
                                }
                                continue;
                            }
                            Step::Delay(d, r) => {
                                tokio::time::sleep(d).await;
                                (r, false)
                            }
                            Step::Huge { status, total, declare } => {
                                in_flight.fetch_sub(1, SeqCst);
                                let length =
                                    if declare { format!("content-length: {total}\r\n") } else { String::new() };
                                let chunked = if declare { "" } else { "transfer-encoding: chunked\r\n" };
                                let head = format!(
                                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{length}{chunked}\r\n"
                                );
                                if sock.write_all(head.as_bytes()).await.is_err() {
                                    return;
                                }
                                let chunk = vec![b'['; 64 << 10];
                                let mut sent = 0u64;
                                while sent < total {
                                    let n = (total - sent).min(chunk.len() as u64) as usize;
                                    let framed = if declare {
                                        chunk[..n].to_vec()
                                    } else {
                                        [format!("{n:x}\r\n").as_bytes(), &chunk[..n], b"\r\n"].concat()
                                    };
                                    if sock.write_all(&framed).await.is_err() {
                                        return;
                                    }
                                    sent += n as u64;
                                    written.fetch_add(n as u64, SeqCst);
                                }
                                if !declare {
                                    let _ = sock.write_all(b"0\r\n\r\n").await;
                                }
                                return;
                            }
                        };
                        let len = reply.body.len() + if truncate { 100 } else { 0 };
                        let mut head = format!("HTTP/1.1 {} X\r\ncontent-length: {len}\r\n", reply.status);
                        for (k, v) in &reply.headers {
                            head.push_str(&format!("{k}: {v}\r\n"));
                        }
                        head.push_str("\r\n");
                        in_flight.fetch_sub(1, SeqCst);
                        let mut bytes = head.into_bytes();
                        bytes.extend_from_slice(&reply.body);
                        if sock.write_all(&bytes).await.is_err() {
                            return;
                        }
                        if truncate {
                            return;
                        }
                    }
                });
            }
        });
        Self { base_url, log, max_in_flight, body_bytes_written }
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().expect("log").clone()
    }

    /// How many requests were received so far.
    pub fn request_count(&self) -> usize {
        self.log.lock().expect("log").len()
    }

    /// The request line of request `i` (from 0), if it arrived.
    pub fn request_line(&self, i: usize) -> Option<String> {
        self.log.lock().expect("log").get(i).map(|r| r.request_line.clone())
    }
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> Option<Recorded> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Recorded { request_line, headers, body })
}
