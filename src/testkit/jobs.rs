//! The fake's workflow job operations (the facade's `api/jobs`).

use super::call::{Call, Handled, Outcome};
use super::state::*;
use serde_json::Value;

/// Answers a workflow job operation; `None` for other areas' operations.
pub(crate) fn handle(c: &mut Call<'_>) -> Handled {
    Some(match c.action {
        "get-job-for-workflow-run" => c
            .id("job_id")
            .and_then(|id| c.sd.jobs.get(&id).cloned().map(|job| Outcome::Json(200, job)).ok_or_else(not_found)),
        "list-jobs-for-workflow-run" => c.id("run_id").map(|run| {
            // `filter=all` would add earlier attempts; the fake runs each job once.
            Outcome::List("jobs", jobs_of(c, run, None))
        }),
        "list-jobs-for-workflow-run-attempt" => c.id("run_id").and_then(|run| {
            let attempt = c.id("attempt_number")?;
            Ok(Outcome::List("jobs", jobs_of(c, run, Some(attempt))))
        }),
        _ => return None,
    })
}

/// The jobs of a run (of one attempt).
fn jobs_of(c: &Call<'_>, run: i64, attempt: Option<i64>) -> Vec<Value> {
    c.sd.jobs
        .values()
        .filter(|j| j["run_id"] == run && attempt.is_none_or(|a| j["run_attempt"] == a))
        .cloned()
        .collect()
}
