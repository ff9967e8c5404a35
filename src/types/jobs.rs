//! Workflow jobs: what an autoscaler checks before it creates a runner for
//! a queued job.

use super::ids::*;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

open_enum! {
    /// The phase of a workflow job.
    pub enum JobStatus {
        /// Waiting for a runner.
        Queued = "queued",
        /// Running on a runner.
        InProgress = "in_progress",
        /// Finished (see the conclusion).
        Completed = "completed",
        /// Waiting for an environment's protection rules.
        Waiting = "waiting",
        /// Requested, not queued yet.
        Requested = "requested",
        /// Pending a concurrency group.
        Pending = "pending",
    }
}

open_enum! {
    /// How a workflow job (or step) ended.
    pub enum JobConclusion {
        /// Succeeded.
        Success = "success",
        /// Failed.
        Failure = "failure",
        /// Neither succeeded nor failed.
        Neutral = "neutral",
        /// Cancelled.
        Cancelled = "cancelled",
        /// Skipped.
        Skipped = "skipped",
        /// Ran out of time.
        TimedOut = "timed_out",
        /// Needs someone to act.
        ActionRequired = "action_required",
    }
}

/// A workflow job (schema `job`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Job {
    /// The job's id.
    pub id: JobId,
    /// The workflow run it belongs to.
    pub run_id: RunId,
    /// The run attempt (1 for the first, more after re-runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_attempt: Option<i64>,
    /// The job's name.
    pub name: String,
    /// The workflow's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_name: Option<String>,
    /// Where it is.
    pub status: JobStatus,
    /// How it ended, once completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<JobConclusion>,
    /// The labels of `runs-on`: what a runner must have to take it.
    pub labels: Vec<String>,
    /// The runner it was assigned to, once assigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_id: Option<RunnerId>,
    /// That runner's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_name: Option<String>,
    /// That runner's group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_group_id: Option<RunnerGroupId>,
    /// That group's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_group_name: Option<String>,
    /// The branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_branch: Option<String>,
    /// The commit.
    pub head_sha: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    /// Its steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<JobStep>,
    /// The API URL of the job.
    pub url: String,
    /// Its page on GitHub.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_url: Option<String>,
    /// The API URL of the run.
    pub run_url: String,
    /// The API URL of its check run.
    pub check_run_url: String,
    /// The GraphQL node id.
    pub node_id: String,
}

/// A step of a workflow job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct JobStep {
    /// Its name.
    pub name: String,
    /// Its position, from 1.
    pub number: i64,
    /// Where it is.
    pub status: JobStatus,
    /// How it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<JobConclusion>,
    /// When it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
}
