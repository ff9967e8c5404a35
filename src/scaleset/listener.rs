//! [`Listener`]: a session's message loop, with the acknowledgement rule.

use super::{Error, JobMessage, Session, Statistics};
use std::future::Future;
use std::time::Duration;

/// What the handler of a [`Listener`] gets: one message of the queue.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Batch {
    /// The message's id; 0 for the statistics a session opens with, which
    /// [`Listener::run`] hands over first (nothing to acknowledge).
    pub message_id: i64,
    /// The scale set's counters when it was sent: demand is
    /// [`Statistics::total_assigned_jobs`].
    pub statistics: Statistics,
    /// The job messages it holds, in order (unknown types kept as sent).
    pub jobs: Vec<JobMessage>,
    /// The `runner_request_id`s of its [`JobMessage::Available`] jobs
    /// that the listener acquired for the scale set before handing it over,
    /// in this delivery: a message that comes again may list none (the
    /// jobs are the scale set's already). Scale on
    /// [`statistics`](Batch::statistics), not on this.
    pub acquired: Vec<i64>,
    /// Why its job messages could not be read, if they could not (its
    /// statistics still hold; the message is acknowledged like any other,
    /// since it would never read better).
    pub unreadable: Option<String>,
}

/// Why [`Listener::poll`] did not complete a message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListenError<E> {
    /// The service (or the session) failed.
    #[error(transparent)]
    Service(#[from] Error),
    /// The handler failed: the message was not acknowledged and comes again.
    #[error("the handler failed; the message was not acknowledged and will come again")]
    Handler(#[source] E),
}

/// Listens on a session: polls the message queue with the last message id
/// and the max capacity, acquires the jobs offered, hands each message to
/// a handler and acknowledges it only after the handler returned `Ok`
/// (a message not acknowledged comes again, to this listener or, after a
/// crash, to the next session's).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use gha_runners::scaleset::{Batch, JobMessage, Listener, NewScaleSet};
/// use gha_runners::testkit::{FakeGitHub, FakeScope};
///
/// let fake = FakeGitHub::builder().org("octo-org").start().await;
/// let github = fake.client()?;
/// let sets = github.org("octo-org").scale_sets();
/// let set = sets.get_or_create(&NewScaleSet::new("linux-x64")).await?;
/// let session = sets.sessions(set.id.unwrap_or_default()).open("replica-1").await?;
/// let mut listener = Listener::new(session, 10);
///
/// fake.queue_job(FakeScope::repo("octo-org", "app"), ["linux-x64"]);
/// let mut seen = Vec::new();
/// while seen.iter().all(|j| !matches!(j, JobMessage::Available { .. })) {
///     listener
///         .poll(|batch: Batch| {
///             seen.extend(batch.jobs);
///             async { Ok::<(), std::io::Error>(()) }
///         })
///         .await?;
/// }
/// listener.close().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Listener {
    session: Session,
    last_message_id: i64,
    max_capacity: u32,
}

/// The longest pause between failed rounds of [`Listener::run`].
const MAX_PAUSE: Duration = Duration::from_secs(30);

/// The shortest round of [`Listener::run`] that ends without a message: a
/// server (or proxy) that answers "no message" at once is not polled in a
/// tight loop.
const MIN_EMPTY_ROUND: Duration = Duration::from_millis(500);

impl Listener {
    /// A listener on `session` that runs at most `max_capacity` runners.
    pub fn new(session: Session, max_capacity: u32) -> Self {
        Self { session, last_message_id: 0, max_capacity }
    }

    /// The session listened on.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The id of the last message acknowledged (0 before the first).
    pub fn last_message_id(&self) -> i64 {
        self.last_message_id
    }

    /// Changes the max capacity sent with the next polls.
    pub fn set_max_capacity(&mut self, max_capacity: u32) {
        self.max_capacity = max_capacity;
    }

    /// One round: waits for the next message (up to the long poll), and
    /// if one came acquires the jobs it offers, hands it to `handler`, and
    /// acknowledges it once `handler` returned `Ok`. Returns the message's
    /// id, or `None` if none came.
    pub async fn poll<F, Fut, E>(&mut self, handler: F) -> Result<Option<i64>, ListenError<E>>
    where
        F: FnOnce(Batch) -> Fut,
        Fut: Future<Output = Result<(), E>>,
    {
        let Some(message) = self.receive().await? else {
            return Ok(None);
        };
        self.handle(message, handler).await.map(Some)
    }

    /// The first half of [`Listener::poll`]: waits for the next message
    /// after the last one acknowledged (up to the long poll); `None` if
    /// none came. Safe to cancel (nothing is acknowledged here): race it
    /// against whatever should stop the listener, then
    /// [`handle`](Listener::handle) what it gave.
    pub async fn receive(&mut self) -> Result<Option<super::Message>, Error> {
        self.session.next_message(self.last_message_id, self.max_capacity).await
    }

    /// The second half of [`Listener::poll`]: acquires the jobs `message`
    /// offers, hands it to `handler`, and acknowledges it once `handler`
    /// returned `Ok`; returns its id. Do not cancel it half-way if the
    /// handler's work must not be repeated: the message comes again.
    pub async fn handle<F, Fut, E>(&mut self, message: super::Message, handler: F) -> Result<i64, ListenError<E>>
    where
        F: FnOnce(Batch) -> Fut,
        Fut: Future<Output = Result<(), E>>,
    {
        let (jobs, unreadable) = match message.jobs() {
            Ok(jobs) => (jobs, None),
            Err(e) => {
                tracing::warn!(message_id = message.message_id, error = %e, "a message's job messages cannot be read; its statistics still count");
                (Vec::new(), Some(e.to_string()))
            }
        };
        let available: Vec<i64> = jobs
            .iter()
            .filter_map(|j| match j {
                JobMessage::Available { job, .. } => Some(job.runner_request_id),
                _ => None,
            })
            .collect();
        let acquired = match self.session.acquire_jobs(&available).await {
            Ok(acquired) => acquired,
            // Tried again with the message.
            Err(e) if e.is_transient() => return Err(e.into()),
            // The service refused them (jobs gone, ids it no longer
            // knows): the message's statistics still count.
            Err(e) => {
                tracing::warn!(message_id = message.message_id, error = %e, "the jobs offered could not be acquired");
                Vec::new()
            }
        };
        let batch = Batch {
            message_id: message.message_id,
            statistics: message.statistics.clone().unwrap_or_default(),
            jobs,
            acquired,
            unreadable,
        };
        handler(batch).await.map_err(ListenError::Handler)?;
        self.session.acknowledge(message.message_id).await?;
        self.last_message_id = message.message_id;
        Ok(message.message_id)
    }

    /// Polls until `shutdown` completes, then closes the session.
    ///
    /// First, and after each new session, the handler gets the statistics
    /// the session opened with (a [`Batch`] with `message_id` 0): the
    /// demand to start from before any message. Shutdown ends a poll, never
    /// a handler or an acknowledgement under way.
    ///
    /// What it rides out, pausing (up to 30 s, doubling) between rounds:
    /// the service unavailable, a handler error (the message comes again),
    /// and a session deleted under it (it closes what is left of it and
    /// opens a new one for the same owner, waiting while another listener
    /// holds the scale set). Any other error closes the session and is
    /// returned.
    pub async fn run<F, Fut, E, S>(mut self, shutdown: S, mut handler: F) -> Result<(), Error>
    where
        F: FnMut(Batch) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: std::fmt::Display,
        S: Future<Output = ()>,
    {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut pause = Duration::from_millis(250);
        let mut opened = true;
        loop {
            if std::mem::take(&mut opened) {
                let batch = Batch {
                    message_id: 0,
                    statistics: self.session.statistics().clone(),
                    jobs: Vec::new(),
                    acquired: Vec::new(),
                    unreadable: None,
                };
                if let Err(e) = handler(batch).await {
                    tracing::warn!(error = %e, "handler failed on the session's opening statistics");
                }
            }
            let started = std::time::Instant::now();
            let next = tokio::select! {
                () = &mut shutdown => break,
                next = self.session.next_message(self.last_message_id, self.max_capacity) => next,
            };
            let round = match next {
                Ok(Some(message)) => self.handle(message, &mut handler).await.map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(ListenError::Service(e)),
            };
            let failed = match round {
                Ok(Some(_)) => {
                    pause = Duration::from_millis(250);
                    continue;
                }
                Ok(None) => {
                    let rest = MIN_EMPTY_ROUND.saturating_sub(started.elapsed());
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(rest) => {}
                    }
                    continue;
                }
                Err(ListenError::Handler(e)) => {
                    tracing::warn!(error = %e, "handler failed; the message will come again");
                    true
                }
                Err(ListenError::Service(e)) if e.is_transient() => {
                    tracing::warn!(error = %e, "service unavailable; polling again");
                    true
                }
                Err(ListenError::Service(Error::SessionGone { .. } | Error::TokenExpired { .. })) => {
                    tracing::warn!(
                        scale_set_id = self.session.scale_set_id(),
                        "the session is gone; opening a new one"
                    );
                    match self.reopen().await {
                        Ok(()) => {
                            opened = true;
                            false
                        }
                        Err(e) if e.is_transient() => true,
                        Err(e) => return Err(e),
                    }
                }
                Err(ListenError::Service(e)) => {
                    let _ = self.session.close().await;
                    return Err(e);
                }
            };
            if failed {
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(pause) => {}
                }
                pause = (pause * 2).min(MAX_PAUSE);
            }
        }
        self.close().await
    }

    /// Opens a new session for the same owner, from the oldest message not
    /// acknowledged, after closing what is left of the old one (else the
    /// service refuses the new one while the old lives).
    async fn reopen(&mut self) -> Result<(), Error> {
        let sessions = self.session.scale_sets().sessions(self.session.scale_set_id());
        let owner = self.session.owner().to_string();
        if let Err(e) = self.session.end().await {
            tracing::debug!(error = %e, "the old session could not be closed");
        }
        self.session = sessions.open(&owner).await?;
        self.last_message_id = 0;
        Ok(())
    }

    /// Closes the session.
    pub async fn close(self) -> Result<(), Error> {
        self.session.close().await
    }
}
