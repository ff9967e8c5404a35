//! Transport benchmark (run: `cargo bench --bench transport`).
//!
//! 1. Polls an unchanged 1,000-runner list 100 times against the fake
//!    GitHub and reports the primary-quota units spent with and without
//!    conditional requests (target: 10 on the first poll, 0 afterwards).
//! 2. Measures the per-request time of the facade and of the generated
//!    client (both through the transport: headers, retry loop, rate-limit
//!    snapshot, cache, tracing) against a bare `reqwest` call decoding the
//!    same 100-runner page into a plain struct, on a static loopback server,
//!    requests interleaved one by one (target: facade within 3%).
//!
//! `OVERHEAD_ONLY=1` skips part 1; `PROFILE=0|1|2` runs only the facade,
//! `raw()` or bare reqwest, many times and reports nothing, for a profiler
//! (`perf record`, `valgrind --tool=callgrind`) to compare them.

use futures::TryStreamExt;
use gha_runners::testkit::{FakeGitHub, FakeRunner, FakeScope};
use gha_runners::types::Runner;
use gha_runners::{Client, PageRequest};
use std::time::{Duration, Instant};

/// The same shape the facade decodes into.
#[derive(serde::Deserialize)]
struct RunnerPage {
    #[allow(dead_code)]
    total_count: i64,
    runners: Vec<Runner>,
}

async fn fleet(n: usize) -> FakeGitHub {
    let mut b = FakeGitHub::builder().org("octo-org").rate_limit(1_000_000);
    for i in 0..n {
        b = b.runner(FakeScope::org("octo-org"), FakeRunner::new(format!("runner-{i:04}")).id(i as i64 + 1).online());
    }
    b.start().await
}

async fn quota_for_polls(cache: bool) -> (u64, u64) {
    let fake = fleet(1000).await;
    let c = Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .cache_capacity(if cache { 512 } else { 0 })
        .build()
        .expect("client");
    let mut first = 0;
    for poll in 0..100 {
        let runners: Vec<Runner> =
            c.org("octo-org").runners().list(Default::default()).try_collect().await.expect("poll");
        assert_eq!(runners.len(), 1000);
        if poll == 0 {
            first = c.rate_limit().map(|r| r.used).unwrap_or_default();
        }
    }
    (first, c.rate_limit().map(|r| r.used).unwrap_or_default())
}

/// A loopback HTTP/1.1 server that answers every request on a kept-alive
/// connection with the same prepared bytes: as little server time as
/// possible, so the client side dominates what is measured.
async fn static_server(response: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let response = std::sync::Arc::new(response);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let _ = socket.set_nodelay(true);
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let mut seen = Vec::new();
                loop {
                    let Ok(n) = socket.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    // Requests are GETs without a body: one answer per blank line.
                    while let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        seen.drain(..end + 4);
                        if socket.write_all(&response).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

/// Times of one request by each contender, interleaved request by request
/// (the order rotating), summed per round; returns each round's totals.
async fn overhead(rounds: usize, per_round: usize) -> Vec<[Duration; 3]> {
    // The body GitHub's shape gives a 100-runner page (taken from the fake),
    // served with the headers GitHub sends.
    let fake = fleet(100).await;
    gha_runners::install_crypto_provider();
    let url = format!("{}/orgs/octo-org/actions/runners?page=1&per_page=100", fake.base_url());
    let body = reqwest::Client::new()
        .get(&url)
        .header("authorization", format!("Bearer {}", fake.token()))
        .send()
        .await
        .expect("page")
        .bytes()
        .await
        .expect("body");
    let mut response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\n\
         x-ratelimit-limit: 5000\r\nx-ratelimit-remaining: 4999\r\nx-ratelimit-used: 1\r\n\
         x-ratelimit-reset: 4102444800\r\nx-ratelimit-resource: core\r\n\
         etag: W/\"8f3c\"\r\nx-github-request-id: 0000:1111:2222:3333\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(&body);
    println!("  page body: {} bytes", body.len());
    let base = static_server(response).await;
    // Tracing, the cache (an ETag is sent) and rate-limit tracking stay on.
    let facade = Client::builder().base_url(&base).token("ghp_bench").build().expect("client");
    let bare = if std::env::var_os("BARE_TIMEOUT").is_some() {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap()
    } else {
        reqwest::Client::new()
    };
    let facade = if std::env::var_os("NOCACHE").is_some() {
        Client::builder().base_url(&base).token("ghp_bench").cache_capacity(0).build().expect("client")
    } else {
        facade
    };
    let url = format!("{base}/orgs/octo-org/actions/runners?page=1&per_page=100");
    let runners = facade.org("octo-org").runners();
    let one = |which: usize| {
        let (runners, facade, bare, url) = (runners.clone(), facade.clone(), bare.clone(), url.clone());
        async move {
            let start = Instant::now();
            match which {
                0 => {
                    let page = runners.list_page(&Default::default(), PageRequest::default()).await.expect("facade");
                    assert_eq!(page.items.len(), 100);
                }
                1 => {
                    let page = facade
                        .raw()
                        .actions_list_self_hosted_runners_for_org("octo-org", None, Some(1), Some(100))
                        .await
                        .expect("generated");
                    assert_eq!(page.runners.len(), 100);
                }
                _ => {
                    let page: RunnerPage = bare
                        .get(&url)
                        .header("authorization", "Bearer ghp_bench")
                        .header("accept", "application/vnd.github+json")
                        .header("x-github-api-version", "2022-11-28")
                        .header("user-agent", "bench")
                        .send()
                        .await
                        .expect("bare")
                        .json()
                        .await
                        .expect("decode");
                    assert_eq!(page.runners.len(), 100);
                }
            }
            start.elapsed()
        }
    };
    for i in 0..300 {
        one(i % 3).await;
    }
    // PROFILE=0|1|2 runs only the facade, raw() or bare reqwest, for a
    // profiler to compare them; no report.
    if let Some(which) = std::env::var("PROFILE").ok().and_then(|v| v.parse::<usize>().ok()) {
        for _ in 0..rounds * per_round {
            one(which.min(2)).await;
        }
        std::process::exit(0);
    }
    let mut out = Vec::new();
    for _ in 0..rounds {
        let mut t = [Duration::ZERO; 3];
        for i in 0..per_round {
            for k in 0..3 {
                let which = (i + k) % 3;
                t[which] += one(which).await;
            }
        }
        out.push(t);
    }
    out
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // OVERHEAD_ONLY=1 skips the polling part (for profiling the overhead).
    if std::env::var_os("OVERHEAD_ONLY").is_none() {
        polls().await;
    }
    overhead_report().await;
}

async fn polls() {
    let (first, total) = quota_for_polls(true).await;
    let (first_nc, total_nc) = quota_for_polls(false).await;
    println!("polling an unchanged 1,000-runner list 100 times (primary-quota units):");
    println!(
        "  with conditional requests:    first poll {first:>4}, all 100 polls {total:>5} (after the first: {})",
        total - first
    );
    println!("  without conditional requests: first poll {first_nc:>4}, all 100 polls {total_nc:>5}");
}

async fn overhead_report() {
    let (rounds, per_round) = (15, 400);
    println!(
        "per-request time of a 100-runner page, decoded, {rounds} rounds of {per_round} requests each, interleaved:"
    );
    let times = overhead(rounds, per_round).await;
    let mut ratios: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut totals = [Duration::ZERO; 3];
    for t in &times {
        ratios[0].push(t[0].as_secs_f64() / t[2].as_secs_f64());
        ratios[1].push(t[1].as_secs_f64() / t[2].as_secs_f64());
        for k in 0..3 {
            totals[k] += t[k];
        }
    }
    let n = (rounds * per_round) as f64;
    let us = |d: Duration| d.as_secs_f64() * 1e6 / n;
    println!("  bare reqwest (plain struct):    {:6.1} us", us(totals[2]));
    for (k, name) in ["facade (list_page):           ", "generated client (raw()):     "].iter().enumerate() {
        let r = &mut ratios[k];
        r.sort_by(f64::total_cmp);
        println!(
            "  {name}  {:6.1} us  ratio to bare: median {:.3}, rounds {:.3}-{:.3}",
            us(totals[k]),
            r[r.len() / 2],
            r[0],
            r[r.len() - 1]
        );
    }
}
