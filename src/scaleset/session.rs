//! Sessions on a scale set and their message queue.

use super::error::{Subject, from_generated};
use super::raw::{self, types};
use super::service::{Connection, ScaleSets, check_service_url, unwrap};
use super::transport::Credential;
use super::{Error, Message, Statistics};
use std::sync::Arc;

/// The sessions of one scale set (`scale_sets.sessions(id)`).
#[derive(Debug, Clone)]
pub struct Sessions {
    sets: ScaleSets,
    scale_set_id: i64,
}

impl Sessions {
    pub(crate) fn new(sets: ScaleSets, scale_set_id: i64) -> Self {
        Self { sets, scale_set_id }
    }

    /// Opens a session named for `owner` (a host name, a replica name):
    /// the holder of a scale set's session receives its messages. A second
    /// session is refused with [`Error::SessionConflict`] while one is
    /// open.
    pub async fn open(&self, owner: &str) -> Result<Session, Error> {
        crate::validate::text("owner", owner)?;
        let c = self.sets.connection().await?;
        let body = types::RunnerScaleSetSession { owner_name: Some(owner.to_string()), ..Default::default() };
        const OP: &str = "sessions/create";
        let opened = c.service.sessions_create(self.scale_set_id, v60(), &body).await;
        let opened = unwrap(OP, Some(self.scale_set_id), opened).await?;
        let id = opened.session_id.clone().filter(|s| !s.trim().is_empty()).ok_or_else(|| Error::Decode {
            operation: OP,
            reason: "the session has no sessionId".into(),
            body: String::new(),
        })?;
        let queue = match Queue::of(&c, OP, &opened) {
            Ok(queue) => queue,
            Err(e) => {
                // Not left open: the next listener would wait for it to end.
                let v = types::SessionsDeleteApiVersion::X60Preview;
                let _ = c.service.sessions_delete(self.scale_set_id, &id, v).await;
                return Err(e);
            }
        };
        Ok(Session {
            conn: c,
            sets: self.sets.clone(),
            scale_set_id: self.scale_set_id,
            id,
            owner: owner.to_string(),
            statistics: opened.statistics.unwrap_or_default(),
            queue: tokio::sync::Mutex::new(queue),
        })
    }
}

fn v60() -> types::SessionsCreateApiVersion {
    types::SessionsCreateApiVersion::X60Preview
}

/// An open session on a scale set: its message queue and what it may do
/// there. Close it when done ([`Session::close`]); a [`super::Listener`]
/// does that on shutdown.
pub struct Session {
    conn: Arc<Connection>,
    sets: ScaleSets,
    scale_set_id: i64,
    id: String,
    owner: String,
    statistics: Statistics,
    queue: tokio::sync::Mutex<Queue>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("scale_set_id", &self.scale_set_id)
            .field("id", &self.id)
            .field("owner", &self.owner)
            .field("statistics", &self.statistics)
            .finish_non_exhaustive()
    }
}

/// The clients that carry the session's queue token: one for the queue
/// URL, one for the service (job acquisition).
struct Queue {
    poll: raw::Client,
    service: raw::Client,
}

impl Queue {
    fn of(c: &Connection, operation: &'static str, session: &types::RunnerScaleSetSession) -> Result<Self, Error> {
        let missing =
            |what: &str| Error::Decode { operation, reason: format!("the session has no {what}"), body: String::new() };
        let url = session.message_queue_url.as_deref().ok_or_else(|| missing("messageQueueUrl"))?;
        let token = session.message_queue_access_token.as_ref().ok_or_else(|| missing("messageQueueAccessToken"))?;
        let mut parsed = check_service_url("the message queue URL", url, &c.github_base)
            .map_err(|e| Error::Decode { operation, reason: e.to_string(), body: String::new() })?;
        let credential = Credential::queue(token).ok_or_else(|| missing("usable messageQueueAccessToken"))?;
        let mut inner = c.settings.inner(credential.clone());
        inner.base_query = parsed.query().map(str::to_string);
        parsed.set_query(None);
        let base = parsed.as_str().trim_end_matches('/').to_string();
        let poll = raw::Client::new_with_client(&base, c.http.clone(), inner);
        let service = raw::Client::new_with_client(&c.admin.url, c.http.clone(), c.settings.inner(credential));
        Ok(Self { poll, service })
    }
}

impl Session {
    /// The scale set.
    pub fn scale_set_id(&self) -> i64 {
        self.scale_set_id
    }

    /// The session's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The owner it was opened for.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The scale set's counters when the session opened: the demand to
    /// start from before the first message.
    pub fn statistics(&self) -> &Statistics {
        &self.statistics
    }

    /// The scale sets this session is on (to reopen it).
    pub(crate) fn scale_sets(&self) -> &ScaleSets {
        &self.sets
    }

    /// The next message after `last_message_id` (0: from the oldest not
    /// acknowledged), waiting for one as long as the service holds the
    /// long poll; `None` if none came in that time (202, or the poll
    /// timeout), which is no error. `max_capacity` is the most runners the
    /// listener will run: the service assigns no more.
    ///
    /// A 401 (the queue token expired) refreshes the session and asks
    /// once more.
    pub async fn next_message(&self, last_message_id: i64, max_capacity: u32) -> Result<Option<Message>, Error> {
        let capacity = i32::try_from(max_capacity)
            .map_err(|_| Error::invalid("max_capacity", format!("{max_capacity} is above {}", i32::MAX)))?;
        let last = (last_message_id > 0).then_some(last_message_id);
        let mut refreshed = false;
        loop {
            let poll = self.queue.lock().await.poll.clone();
            match poll.messages_get(last, capacity).await {
                Ok(m) => return Ok(Some(m.into_inner())),
                Err(progenitor_client::Error::UnexpectedResponse(r)) if r.status() == reqwest::StatusCode::ACCEPTED => {
                    return Ok(None);
                }
                // The poll's own timeout (not a connection that never came).
                Err(progenitor_client::Error::CommunicationError(e)) if e.is_timeout() && !e.is_connect() => {
                    tracing::debug!(scale_set_id = self.scale_set_id, "long poll ended without an answer");
                    return Ok(None);
                }
                Err(e) => {
                    match from_generated("messages/get", Subject { scale_set_id: Some(self.scale_set_id) }, e).await {
                        Error::TokenExpired { .. } if !refreshed => {
                            refreshed = true;
                            self.refresh().await?;
                        }
                        other => return Err(other),
                    }
                }
            }
        }
    }

    /// Acknowledges message `message_id`: it does not come again. A 401
    /// refreshes the session and tries once more. A 404 counts as
    /// acknowledged: the message is gone (an earlier attempt whose answer
    /// was lost deleted it, or the session ended, which the next poll
    /// says).
    pub async fn acknowledge(&self, message_id: i64) -> Result<(), Error> {
        let mut refreshed = false;
        loop {
            let poll = self.queue.lock().await.poll.clone();
            match unwrap("messages/delete", Some(self.scale_set_id), poll.messages_delete(message_id).await).await {
                Err(Error::TokenExpired { .. }) if !refreshed => {
                    refreshed = true;
                    self.refresh().await?;
                }
                Err(Error::SessionGone { .. }) => return Ok(()),
                other => return other,
            }
        }
    }

    /// Acquires the jobs whose `runner_request_id`s are given (from
    /// [`super::JobMessage::Available`]); returns those acquired.
    pub async fn acquire_jobs(&self, runner_request_ids: &[i64]) -> Result<Vec<i64>, Error> {
        if runner_request_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = runner_request_ids.to_vec();
        let mut refreshed = false;
        loop {
            let service = self.queue.lock().await.service.clone();
            let v = types::JobsAcquireApiVersion::X60Preview;
            let acquired = service.jobs_acquire(self.scale_set_id, v, &ids).await;
            match unwrap("jobs/acquire", Some(self.scale_set_id), acquired).await {
                Err(Error::TokenExpired { .. }) if !refreshed => {
                    refreshed = true;
                    self.refresh().await?;
                }
                other => return other.map(|a| a.value),
            }
        }
    }

    /// Refreshes the session (admin token): a new queue token, and the
    /// scale set's current counters.
    pub async fn refresh(&self) -> Result<Statistics, Error> {
        const OP: &str = "sessions/refresh";
        let v = types::SessionsRefreshApiVersion::X60Preview;
        let refreshed = self.conn.service.sessions_refresh(self.scale_set_id, &self.id, v).await;
        let refreshed = unwrap(OP, Some(self.scale_set_id), refreshed).await?;
        let queue = Queue::of(&self.conn, OP, &refreshed)?;
        *self.queue.lock().await = queue;
        tracing::debug!(scale_set_id = self.scale_set_id, "session refreshed: new message queue token");
        Ok(refreshed.statistics.unwrap_or_default())
    }

    /// Closes the session (the next listener may open one at once).
    pub async fn close(self) -> Result<(), Error> {
        self.end().await
    }

    /// Deletes the session on the service (a session already gone is no
    /// error), keeping this value: [`super::Listener`] replaces it next.
    pub(crate) async fn end(&self) -> Result<(), Error> {
        let v = types::SessionsDeleteApiVersion::X60Preview;
        let deleted = self.conn.service.sessions_delete(self.scale_set_id, &self.id, v).await;
        match unwrap("sessions/delete", Some(self.scale_set_id), deleted).await {
            Err(Error::SessionGone { .. }) => Ok(()),
            other => other,
        }
    }
}
