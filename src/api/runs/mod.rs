//! Workflow runs of a repository (`client.repo(o, r).workflow_runs()`):
//! what an autoscaler lists, by status, to find jobs queued while it was
//! not listening. Repository scope only, so the methods are an ordinary
//! `impl`.

use crate::Error;
use crate::api::{page, page_query, send};
use crate::deployment::operations_doc;
use crate::pagination::{ItemStream, Page, PageRequest, stream_pages};
use crate::scope::{Repo, Scope};
use crate::types::{RunStatus, WorkflowRun};

/// Workflow runs (`client.repo("o", "r").workflow_runs()`).
///
/// A run that is `in_progress` may still have queued jobs (one job
/// started, the others wait for runners): list both, then the jobs of each
/// run ([`Jobs::list`](crate::api::Jobs::list)).
///
/// ```no_run
/// # async fn demo(github: gha_runners::Client) -> Result<(), gha_runners::Error> {
/// use futures::TryStreamExt;
/// use gha_runners::types::RunStatus;
/// let repo = github.repo("octo-org", "app");
/// let queued: Vec<_> = repo.workflow_runs().list(Some(RunStatus::Queued)).try_collect().await?;
/// for run in queued {
///     println!("run {} of {} is queued", run.id, run.name.unwrap_or_default());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WorkflowRuns {
    scope: Repo,
}

impl Repo {
    /// The repository's workflow runs.
    pub fn workflow_runs(&self) -> WorkflowRuns {
        WorkflowRuns { scope: self.clone() }
    }
}

impl WorkflowRuns {
    /// Streams the runs, newest first, with the status or conclusion
    /// `status` if given (GitHub returns at most 1,000 runs for a filtered
    /// list).
    ///
    #[doc = operations_doc!(repo = "actions/list-workflow-runs-for-repo")]
    pub fn list(&self, status: Option<RunStatus>) -> ItemStream<WorkflowRun> {
        let this = self.clone();
        stream_pages(move |req| {
            let this = this.clone();
            async move { this.list_page(status, req).await }
        })
    }

    /// One page of the runs, newest first.
    ///
    #[doc = operations_doc!(repo = "actions/list-workflow-runs-for-repo")]
    pub async fn list_page(&self, status: Option<RunStatus>, req: PageRequest) -> Result<Page<WorkflowRun>, Error> {
        const OP: &str = "actions/list-workflow-runs-for-repo";
        self.scope.check()?;
        req.validate()?;
        let (p, n) = page_query(req);
        let s = &self.scope;
        let f = s.client.raw().actions_list_workflow_runs_for_repo(
            &s.owner, &s.repo, None, None, None, None, None, None, None, p, n, status,
        );
        page(send(&s.client, OP, f).await?, req, |l| (l.workflow_runs, Some(l.total_count)))
    }
}
