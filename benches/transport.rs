//! Transport benchmark (run: `cargo bench --bench transport`).
//!
//! 1. Polls an unchanged 1,000-runner list 100 times against the fake
//!    GitHub and reports the primary-quota units spent with and without
//!    conditional requests (target: 10 on the first poll, 0 afterwards).
//! 2. Measures the per-request overhead of the transport layer (headers,
//!    retry loop, rate-limit snapshot, buffering) against a bare `reqwest`
//!    call that decodes the same response (target: within 10%).

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

async fn overhead(requests: usize) -> (Duration, Duration) {
    let fake = fleet(100).await;
    let facade =
        Client::builder().base_url(fake.base_url()).token(fake.token()).cache_capacity(0).build().expect("client");
    gha_runners::install_crypto_provider();
    let bare = reqwest::Client::new();
    let url = format!("{}/orgs/octo-org/actions/runners?page=1&per_page=100", fake.base_url());
    let auth = format!("Bearer {}", fake.token());
    let runners = facade.org("octo-org").runners();
    // Warm up both paths (connections, caches).
    for _ in 0..50 {
        runners.list_page(&Default::default(), PageRequest::default()).await.expect("facade");
        bare.get(&url).header("authorization", &auth).send().await.expect("bare");
    }
    let (mut t_facade, mut t_bare) = (Duration::ZERO, Duration::ZERO);
    // Interleave in rounds so both see the same machine conditions.
    for _ in 0..10 {
        let start = Instant::now();
        for _ in 0..requests / 10 {
            let page = runners.list_page(&Default::default(), PageRequest::default()).await.expect("facade");
            assert_eq!(page.items.len(), 100);
        }
        t_facade += start.elapsed();
        let start = Instant::now();
        for _ in 0..requests / 10 {
            let resp = bare
                .get(&url)
                .header("authorization", &auth)
                .header("accept", "application/vnd.github+json")
                .header("x-github-api-version", "2022-11-28")
                .header("user-agent", "bench")
                .send()
                .await
                .expect("bare");
            let page: RunnerPage = resp.json().await.expect("decode");
            assert_eq!(page.runners.len(), 100);
        }
        t_bare += start.elapsed();
    }
    (t_facade, t_bare)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (first, total) = quota_for_polls(true).await;
    let (first_nc, total_nc) = quota_for_polls(false).await;
    println!("polling an unchanged 1,000-runner list 100 times (primary-quota units):");
    println!(
        "  with conditional requests:    first poll {first:>4}, all 100 polls {total:>5} (after the first: {})",
        total - first
    );
    println!("  without conditional requests: first poll {first_nc:>4}, all 100 polls {total_nc:>5}");
    let n = 2000;
    let (facade, bare) = overhead(n).await;
    let ratio = facade.as_secs_f64() / bare.as_secs_f64();
    println!("per-request time over {n} requests of a 100-runner page (each decoded):");
    println!(
        "  facade {:.1} us, bare reqwest {:.1} us, ratio {ratio:.3} ({:+.1}% overhead)",
        facade.as_secs_f64() * 1e6 / n as f64,
        bare.as_secs_f64() * 1e6 / n as f64,
        (ratio - 1.0) * 100.0
    );
}
