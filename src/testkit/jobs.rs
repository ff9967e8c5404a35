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
        "list-workflow-runs" => {
            let status = c.query.get("status").cloned();
            let runs = runs_of(c)
                .into_iter()
                .filter(|r| status.as_deref().is_none_or(|s| r["status"] == s || r["conclusion"] == s));
            Ok(Outcome::List("workflow_runs", runs.collect()))
        }
        _ => return None,
    })
}

/// The repository's workflow runs, newest first, each as its jobs make
/// it: `queued` while every job waits, `completed` when every job ended
/// (failed if one failed), `in_progress` between.
fn runs_of(c: &Call<'_>) -> Vec<Value> {
    let mut runs: std::collections::BTreeMap<i64, Vec<&Value>> = std::collections::BTreeMap::new();
    for job in c.sd.jobs.values() {
        if let Some(run) = job["run_id"].as_i64() {
            runs.entry(run).or_default().push(job);
        }
    }
    let (owner, repo) = match c.scope {
        FakeScope::Repo(o, r) => (o.as_str(), r.as_str()),
        _ => ("", ""),
    };
    runs.into_iter()
        .rev()
        .map(|(id, jobs)| {
            let all = |s: &str| jobs.iter().all(|j| j["status"] == s);
            let (status, conclusion) = if all("completed") {
                let failed = jobs.iter().any(|j| j["conclusion"] != "success" && j["conclusion"] != "skipped");
                ("completed", Value::from(if failed { "failure" } else { "success" }))
            } else if all("queued") {
                ("queued", Value::Null)
            } else {
                ("in_progress", Value::Null)
            };
            let mut run = super::catalog::workflow_run(id, owner, repo);
            run["status"] = Value::from(status);
            run["conclusion"] = conclusion;
            run["run_attempt"] = jobs.iter().filter_map(|j| j["run_attempt"].as_i64()).max().unwrap_or(1).into();
            if let Some(created) = jobs.iter().filter_map(|j| j["created_at"].as_str()).min() {
                run["created_at"] = Value::from(created);
                run["run_started_at"] = Value::from(created);
            }
            run
        })
        .collect()
}

/// The jobs of a run (of one attempt).
fn jobs_of(c: &Call<'_>, run: i64, attempt: Option<i64>) -> Vec<Value> {
    c.sd.jobs
        .values()
        .filter(|j| j["run_id"] == run && attempt.is_none_or(|a| j["run_attempt"] == a))
        .cloned()
        .collect()
}
