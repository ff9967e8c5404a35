//! An in-process fake of GitHub's runner API for tests and demos (cargo
//! feature `testkit`).
//!
//! [`FakeGitHub`] serves, on 127.0.0.1 with an ephemeral port, a stateful
//! implementation of every runner operation of the vendored spec at
//! enterprise, organization and repository scope, and behaves like GitHub
//! where clients notice: `per_page`/`page` with `Link` headers and
//! `total_count`, `ETag` and `304 Not Modified`, rate-limit headers with a
//! settable budget, GitHub-shaped 401/403/404/409/422 bodies, and a required
//! token. Tests can inject faults, read the request log and change runner
//! state.
//!
//! It also drives a scaling loop, so an autoscaler can be tested end to
//! end: [`FakeGitHub::queue_job`] queues a workflow job and, with a webhook
//! set ([`FakeGitHubBuilder::webhook`]), sends a signed `workflow_job`
//! `queued` delivery built on the vendored webhook schema;
//! [`FakeGitHub::start_runner`] stands in for a machine booting with a JIT
//! config, and that runner takes a queued job whose labels it has
//! (`in_progress`); the job ends after [`FakeGitHubBuilder::job_duration`]
//! or at [`FakeGitHub::complete_job`] (`completed`), and the ephemeral
//! runner is removed. `jobs().get` answers each state.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), gha_runners::Error> {
//! use gha_runners::testkit::{FakeGitHub, FakeScope};
//! use gha_runners::types::{JitConfigRequest, JobConclusion, JobStatus};
//!
//! let fake = FakeGitHub::builder().org("octo-org").start().await;
//! let (job, _run) = fake.queue_job(FakeScope::repo("octo-org", "app"), ["self-hosted", "gpu"]);
//! let github = fake.client()?;
//! let jit = github.org("octo-org").runners().jit_config(&JitConfigRequest::new("gpu-1", ["self-hosted", "gpu"])).await?;
//! fake.start_runner(jit.encoded_jit_config.expose_secret()).expect("a config the fake issued");
//! let jobs = github.repo("octo-org", "app").jobs();
//! assert_eq!(jobs.get(job).await?.status, JobStatus::InProgress);
//! fake.complete_job(job, JobConclusion::Success);
//! assert_eq!(jobs.get(job).await?.status, JobStatus::Completed);
//! assert!(fake.runners(&FakeScope::org("octo-org")).is_empty(), "the ephemeral runner is gone");
//! # Ok(()) }
//! ```
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), gha_runners::Error> {
//! use futures::TryStreamExt;
//! use gha_runners::testkit::{FakeGitHub, FakeRunner, FakeScope};
//!
//! let fake = FakeGitHub::builder()
//!     .org("octo-org")
//!     .runner(FakeScope::org("octo-org"), FakeRunner::new("build-1").online().busy())
//!     .start()
//!     .await;
//! let github = fake.client()?;
//! let runners: Vec<_> = github.org("octo-org").runners().list(Default::default()).try_collect().await?;
//! assert_eq!(runners[0].name, "build-1");
//! assert_eq!(fake.requests().len(), 1);
//! # Ok(()) }
//! ```

mod actions;
mod actions_http;
mod call;
mod catalog;
mod deliveries;
mod fnv;
mod groups;
mod hosted;
mod jobs;
mod lifecycle;
mod network;
mod permissions;
mod redis_server;
mod replay;
mod runners;
mod sample;
pub mod scenario;
mod server;
mod state;
mod versions;

pub use deliveries::{DeliveryFaults, FAKE_HOOK_ID, FakeDelivery};
pub use lifecycle::StartError;
pub use redis_server::{REDIS_INSTALL, RedisServer};
pub use replay::Replayer;
pub use sample::{sample, webhook_sample};
pub use server::{FakeGitHub, FakeGitHubBuilder, Fault, LoggedRequest, LoggedResponse};
pub use state::{FakeRunner, FakeScope};
