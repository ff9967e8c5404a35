//! The message queue's messages and the job messages their body holds.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The only message type the queue sends today; a listener refuses others.
pub const JOB_MESSAGES: &str = "RunnerScaleSetJobMessages";

/// A scale set's counters, as the service keeps them current. Demand is
/// [`total_assigned_jobs`](Statistics::total_assigned_jobs): the jobs
/// assigned to the scale set, waiting or running; do not count job
/// messages instead (a message carries at most 50).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct Statistics {
    /// Jobs that may be acquired.
    pub total_available_jobs: i64,
    /// Jobs acquired.
    pub total_acquired_jobs: i64,
    /// Jobs assigned to the scale set, waiting for a runner or running.
    pub total_assigned_jobs: i64,
    /// Jobs running.
    pub total_running_jobs: i64,
    /// Runners registered in the scale set.
    pub total_registered_runners: i64,
    /// Runners running a job.
    pub total_busy_runners: i64,
    /// Runners waiting for a job.
    pub total_idle_runners: i64,
}

/// One message of the queue (`GET <messageQueueUrl>` answered 200).
/// Acknowledge it (`DELETE <messageQueueUrl>/<message_id>`) once handled:
/// a message not acknowledged comes again.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Message {
    /// Its id: acknowledge it, and poll with it as `lastMessageId`.
    pub message_id: i64,
    /// [`JOB_MESSAGES`] today.
    pub message_type: String,
    /// A JSON array of job messages, as a string (may be empty).
    #[serde(default)]
    pub body: String,
    /// The scale set's counters when the message was sent.
    #[serde(default)]
    pub statistics: Option<Statistics>,
}

/// Why a message could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The message is of a type this crate does not know how to read.
    #[error("message {message_id} is of type `{message_type}`, not `{JOB_MESSAGES}`: acknowledge or skip it")]
    UnsupportedType {
        /// The message.
        message_id: i64,
        /// Its type.
        message_type: String,
    },
    /// The body is not a JSON array of job messages.
    #[error("message {message_id}: its body is not a list of job messages: {reason}")]
    Body {
        /// The message.
        message_id: i64,
        /// serde's reason (no value from the body).
        reason: String,
    },
}

impl Message {
    /// The job messages the body holds, in order; an empty body holds
    /// none. A job message of a type this crate does not know is kept as
    /// [`JobMessage::Unknown`].
    ///
    /// ```
    /// use gha_runners::scaleset::{JobMessage, Message};
    /// let message: Message = serde_json::from_str(r#"{"messageId": 3, "messageType": "RunnerScaleSetJobMessages",
    ///     "statistics": {"totalAssignedJobs": 1},
    ///     "body": "[{\"messageType\": \"JobAssigned\", \"runnerRequestId\": 9, \"jobId\": \"j1\"}]"}"#).unwrap();
    /// assert_eq!(message.statistics.as_ref().unwrap().total_assigned_jobs, 1);
    /// match &message.jobs().unwrap()[..] {
    ///     [JobMessage::Assigned { job }] => assert_eq!(job.runner_request_id, 9),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    pub fn jobs(&self) -> Result<Vec<JobMessage>, MessageError> {
        if self.message_type != JOB_MESSAGES {
            return Err(MessageError::UnsupportedType {
                message_id: self.message_id,
                message_type: self.message_type.chars().filter(|c| !c.is_control()).take(100).collect(),
            });
        }
        if self.body.trim().is_empty() {
            return Ok(Vec::new());
        }
        let body_error = |e: serde_json::Error| MessageError::Body {
            message_id: self.message_id,
            reason: format!("{:?} error at line {} column {}", e.classify(), e.line(), e.column()),
        };
        let items: Vec<Value> = serde_json::from_str(&self.body).map_err(body_error)?;
        items.into_iter().map(|item| JobMessage::from_value(item).map_err(body_error)).collect()
    }
}

/// What every job message says of its job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct JobInfo {
    /// The runner request: the job's id in the queue.
    pub runner_request_id: i64,
    /// The repository's name (without its owner).
    pub repository_name: String,
    /// The repository's owner.
    pub owner_name: String,
    /// The job's id (a string).
    pub job_id: String,
    /// The workflow file and ref (`owner/repo/.github/workflows/ci.yml@refs/heads/main`).
    pub job_workflow_ref: String,
    /// The job's name as shown.
    pub job_display_name: String,
    /// The workflow run.
    pub workflow_run_id: i64,
    /// The event that started the run (`push`, ...).
    pub event_name: String,
    /// The labels the job asked for.
    pub request_labels: Vec<String>,
    /// When it was queued.
    #[serde(deserialize_with = "time")]
    pub queue_time: Option<DateTime<Utc>>,
    /// When it was assigned to the scale set.
    #[serde(deserialize_with = "time")]
    pub scale_set_assign_time: Option<DateTime<Utc>>,
    /// When a runner took it.
    #[serde(deserialize_with = "time")]
    pub runner_assign_time: Option<DateTime<Utc>>,
    /// When it finished.
    #[serde(deserialize_with = "time")]
    pub finish_time: Option<DateTime<Utc>>,
}

/// A time, or `None` for none, null or Go's zero time (`0001-01-01...`),
/// which the service sends for what has not happened yet.
fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let t: Option<DateTime<Utc>> = Option::deserialize(d)?;
    Ok(t.filter(|t| t.year() > 1))
}

/// One job message of a [`Message`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum JobMessage {
    /// A job may be acquired.
    Available {
        /// The job.
        job: JobInfo,
        /// Where to acquire it, if given.
        acquire_job_url: Option<String>,
    },
    /// A job was assigned to the scale set: it needs a runner.
    Assigned {
        /// The job.
        job: JobInfo,
    },
    /// A runner of the scale set started the job.
    Started {
        /// The job.
        job: JobInfo,
        /// The runner.
        runner_id: i64,
        /// Its name.
        runner_name: String,
    },
    /// The job ended. `canceled` also when no runner took it in time; the
    /// service then requeues it (up to 3 times) as new messages.
    Completed {
        /// The job.
        job: JobInfo,
        /// `succeeded`, `failed`, `canceled`, ...
        result: String,
        /// The runner, if one ran it.
        runner_id: i64,
        /// Its name.
        runner_name: String,
    },
    /// A job message of a type this crate does not know, kept as sent.
    Unknown {
        /// Its `messageType`.
        message_type: String,
        /// The whole job message.
        raw: Value,
    },
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Extra {
    acquire_job_url: Option<String>,
    runner_id: i64,
    runner_name: String,
    result: String,
}

impl JobMessage {
    fn from_value(item: Value) -> Result<JobMessage, serde_json::Error> {
        let message_type = item.get("messageType").and_then(Value::as_str).unwrap_or_default().to_string();
        let known = ["JobAvailable", "JobAssigned", "JobStarted", "JobCompleted"];
        if !known.contains(&message_type.as_str()) {
            return Ok(JobMessage::Unknown { message_type, raw: item });
        }
        // As Go's decoder (the service's language) reads it: `null` leaves
        // a field at its zero value (a job no runner ran has no runner id).
        let mut fields = item;
        if let Some(map) = fields.as_object_mut() {
            map.retain(|_, v| !v.is_null());
        }
        let job = JobInfo::deserialize(&fields)?;
        let extra = Extra::deserialize(&fields)?;
        Ok(match message_type.as_str() {
            "JobAvailable" => JobMessage::Available { job, acquire_job_url: extra.acquire_job_url },
            "JobAssigned" => JobMessage::Assigned { job },
            "JobStarted" => JobMessage::Started { job, runner_id: extra.runner_id, runner_name: extra.runner_name },
            _ => JobMessage::Completed {
                job,
                result: extra.result,
                runner_id: extra.runner_id,
                runner_name: extra.runner_name,
            },
        })
    }

    /// The job, unless the message is of an unknown type.
    pub fn job(&self) -> Option<&JobInfo> {
        match self {
            JobMessage::Available { job, .. }
            | JobMessage::Assigned { job }
            | JobMessage::Started { job, .. }
            | JobMessage::Completed { job, .. } => Some(job),
            JobMessage::Unknown { .. } => None,
        }
    }
}
