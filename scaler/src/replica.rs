//! What one replica holds for itself beside the store: catch-up's
//! settings, what the reaper and catch-up remember between passes, and the
//! log of refused requests. The scaler holds them; its serve, reaper and
//! catch-up halves use them.

use gha_runners::types::RunnerId;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What catch-up is told to do.
#[derive(Debug, Clone, Default)]
pub(crate) struct CatchUp {
    /// The organization webhook whose failed deliveries are redelivered.
    pub(crate) hook_id: Option<i64>,
    /// The repositories reconciled (`owner/name`); empty: every repository
    /// of the installation.
    pub(crate) repos: Vec<String>,
    /// How far back the first redelivery looks.
    pub(crate) lookback: Duration,
    /// How long a delivery is given to arrive: a job queued more recently
    /// is not reconciled, an event redelivered more recently is not
    /// redelivered again.
    pub(crate) grace: Duration,
}

/// What the reaper and catch-up keep between passes, in this replica.
#[derive(Default)]
pub(crate) struct Local {
    /// Offline idle runners with our names that the store does not know,
    /// and when a reaper pass first saw them.
    pub(crate) unknown: HashMap<RunnerId, Instant>,
    /// Events (GUIDs) catch-up asked GitHub to redeliver, and when.
    pub(crate) redelivering: HashMap<String, Instant>,
}

/// Refused requests: counted, and logged at most once every
/// [`RefusalLog::EVERY`] with how many were not logged.
#[derive(Default)]
pub(crate) struct RefusalLog(Mutex<(Option<Instant>, u64)>);

impl RefusalLog {
    pub(crate) const EVERY: Duration = Duration::from_secs(10);

    pub(crate) fn refused(&self, reason: &'static str, detail: &str) {
        crate::metrics::refused(reason);
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if s.0.is_some_and(|at| at.elapsed() < Self::EVERY) {
            s.1 += 1;
            return;
        }
        let more = std::mem::take(&mut s.1);
        s.0 = Some(Instant::now());
        drop(s);
        let detail: String = detail.chars().filter(|c| !c.is_control()).take(200).collect();
        if more > 0 {
            eprintln!("refused a delivery ({reason}): {detail} ({more} more refused since the last such line)");
        } else {
            eprintln!("refused a delivery ({reason}): {detail}");
        }
    }
}
