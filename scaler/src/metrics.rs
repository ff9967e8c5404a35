//! Metrics: what `/metrics` serves in Prometheus's text format, through
//! the `metrics` crate and `metrics-exporter-prometheus`. Each replica
//! counts what it did; Prometheus sums the replicas.
//!
//! | name | labels | what |
//! |---|---|---|
//! | `gha_scaler_deliveries_total` | action, outcome | deliveries: `acted-on`, `duplicate`, `no-pool`, `other-owner`, `store-error`, `other-event` |
//! | `gha_scaler_refused_requests_total` | reason | requests refused before a delivery was read: `signature`, `malformed`, `too-large`, `no-length`, `busy`, `slow` |
//! | `gha_scaler_runners_created_total` | pool | JIT runners created |
//! | `gha_scaler_runners_deleted_total` | pool | runners the reaper deleted |
//! | `gha_scaler_launch_failures_total` | pool | launches that failed |
//! | `gha_scaler_jobs_given_up_total` | pool | jobs whose launch budget ran out |
//! | `gha_scaler_jobs_refused_by_group_total` | pool | jobs the pool's runner group may not serve |
//! | `gha_scaler_pending_runners` | pool | runners created and not running a job |
//! | `gha_scaler_idle_runners` | pool | pending runners no waiting job needs |
//! | `gha_scaler_jobs_over_cap` | pool | jobs waiting for `--max-runners` |
//! | `gha_scaler_queued_to_runner_seconds` | pool | histogram: job queued to its runner created |
//! | `gha_scaler_redeliveries_total` | | deliveries catch-up had redelivered |
//! | `gha_scaler_reconciled_jobs_total` | | queued jobs reconciliation found |
//! | `gha_scaler_api_quota_remaining` | | requests left in the rate-limit window, as last seen |

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// The process's recorder, installed once; its handle renders `/metrics`.
pub(crate) fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let buckets = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full("gha_scaler_queued_to_runner_seconds".into()), &buckets)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            match builder.install_recorder() {
                Ok(handle) => handle,
                // Another recorder is installed (never in this binary): this
                // handle renders nothing, and the metrics go there.
                Err(_) => PrometheusBuilder::new().build_recorder().handle(),
            }
        })
        .clone()
}

pub(crate) fn delivery(action: &str, outcome: &'static str) {
    counter!("gha_scaler_deliveries_total", "action" => action.to_string(), "outcome" => outcome).increment(1);
}

pub(crate) fn refused(reason: &'static str) {
    counter!("gha_scaler_refused_requests_total", "reason" => reason).increment(1);
}

pub(crate) fn runner_created(pool: &str, waited_ms: Option<u64>) {
    counter!("gha_scaler_runners_created_total", "pool" => pool.to_string()).increment(1);
    if let Some(waited) = waited_ms {
        histogram!("gha_scaler_queued_to_runner_seconds", "pool" => pool.to_string()).record(waited as f64 / 1000.0);
    }
}

pub(crate) fn runner_deleted(pool: &str) {
    counter!("gha_scaler_runners_deleted_total", "pool" => pool.to_string()).increment(1);
}

pub(crate) fn launch_failed(pool: &str) {
    counter!("gha_scaler_launch_failures_total", "pool" => pool.to_string()).increment(1);
}

pub(crate) fn gave_up(pool: &str) {
    counter!("gha_scaler_jobs_given_up_total", "pool" => pool.to_string()).increment(1);
}

pub(crate) fn refused_by_group(pool: &str) {
    counter!("gha_scaler_jobs_refused_by_group_total", "pool" => pool.to_string()).increment(1);
}

pub(crate) fn pool_gauges(pool: &str, pending: usize, idle: usize, over_cap: usize) {
    gauge!("gha_scaler_pending_runners", "pool" => pool.to_string()).set(pending as f64);
    gauge!("gha_scaler_idle_runners", "pool" => pool.to_string()).set(idle as f64);
    gauge!("gha_scaler_jobs_over_cap", "pool" => pool.to_string()).set(over_cap as f64);
}

pub(crate) fn redelivered() {
    counter!("gha_scaler_redeliveries_total").increment(1);
}

pub(crate) fn reconciled() {
    counter!("gha_scaler_reconciled_jobs_total").increment(1);
}

pub(crate) fn quota(remaining: u64) {
    gauge!("gha_scaler_api_quota_remaining").set(remaining as f64);
}
