//! Named scenarios: sequences of facade calls that `cargo xtask record` runs
//! against a real GitHub (or the fake) to record exchanges, and that the
//! contract tests replay against those recordings.
//!
//! A scenario is deterministic given the responses it gets: it derives every
//! request from the scope it is given and from earlier responses, never from
//! the clock or randomness, so its replay sends exactly what was recorded.

use crate::types::{JitConfigRequest, ListRunnerGroups, ListRunners};
use crate::{Client, Error, PageRequest};
use futures::TryStreamExt;

/// The scenarios there are.
pub const SCENARIOS: &[&str] = &["runner-lifecycle", "fleet-listing"];

/// The runner name `runner-lifecycle` creates (and deletes again).
pub const SCENARIO_RUNNER: &str = "gha-runners-scenario-jit";

/// Runs scenario `name` against organization `org`.
///
/// - `runner-lifecycle`: registration token, JIT config for a new runner,
///   list (by name), labels add/set/remove/list, remove token, delete.
/// - `fleet-listing`: runners one page of 2 then streamed, runner groups,
///   runner downloads.
pub async fn run(name: &str, client: &Client, org: &str) -> Result<(), Error> {
    let runners = client.org(org).runners();
    match name {
        "runner-lifecycle" => {
            runners.registration_token().await?;
            let jit = runners
                .jit_config(&JitConfigRequest::new(SCENARIO_RUNNER, ["self-hosted", "gha-runners-scenario"]))
                .await?;
            let id = jit.runner.id;
            let page = runners.list_page(&ListRunners::named(SCENARIO_RUNNER), PageRequest::default()).await?;
            if !page.items.iter().any(|r| r.id == id) {
                return Err(Error::InvalidInput { field: "scenario", reason: format!("runner {id} is not listed") });
            }
            runners.add_labels(id, &["scenario-a"]).await?;
            runners.set_labels(id, &["scenario-b", "scenario-c"]).await?;
            runners.remove_label(id, "scenario-b").await?;
            runners.labels(id).await?;
            runners.remove_token().await?;
            runners.delete(id).await?;
            Ok(())
        }
        "fleet-listing" => {
            runners.list_page(&ListRunners::default(), PageRequest { page: 1, per_page: 2 }).await?;
            let _: Vec<_> = runners.list(ListRunners::default()).try_collect().await?;
            let _: Vec<_> = client.org(org).runner_groups().list(ListRunnerGroups::default()).try_collect().await?;
            runners.downloads().await?;
            Ok(())
        }
        other => Err(Error::InvalidInput {
            field: "scenario",
            reason: format!("no scenario `{other}`; there are: {}", SCENARIOS.join(", ")),
        }),
    }
}
