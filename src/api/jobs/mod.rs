//! Workflow jobs of a repository (`client.repo(o, r).jobs()`): what an
//! autoscaler looks up to check that a queued job is still queued before
//! it creates a runner for it. Repository scope only, so the methods are
//! an ordinary `impl`.

use crate::Error;
use crate::api::{page, page_query, send, send_body};
use crate::deployment::operations_doc;
use crate::generated::types as wire;
use crate::pagination::{ItemStream, Page, PageRequest, stream_pages};
use crate::scope::{Repo, Scope};
use crate::types::{Job, JobId, RunId};

/// Which jobs of a workflow run to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobFilter {
    /// The jobs of the run's latest attempt (GitHub's default).
    #[default]
    Latest,
    /// The jobs of every attempt.
    All,
}

/// Workflow jobs (`client.repo("o", "r").jobs()`).
///
/// ```no_run
/// # async fn demo(github: gha_runners::Client) -> Result<(), gha_runners::Error> {
/// use gha_runners::types::JobStatus;
/// let job = github.repo("octo-org", "app").jobs().get(399444496).await?;
/// if job.status == JobStatus::Queued {
///     println!("still queued, wants {:?}", job.labels);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Jobs {
    scope: Repo,
}

impl Repo {
    /// The repository's workflow jobs.
    pub fn jobs(&self) -> Jobs {
        Jobs { scope: self.clone() }
    }
}

impl Jobs {
    /// One job.
    ///
    #[doc = operations_doc!(repo = "actions/get-job-for-workflow-run")]
    pub async fn get(&self, job_id: impl Into<JobId>) -> Result<Job, Error> {
        const OP: &str = "actions/get-job-for-workflow-run";
        self.scope.check()?;
        let s = &self.scope;
        let id = job_id.into().get();
        send_body(&s.client, OP, s.client.raw().actions_get_job_for_workflow_run(&s.owner, &s.repo, id)).await
    }

    /// Streams the jobs of a workflow run.
    ///
    #[doc = operations_doc!(repo = "actions/list-jobs-for-workflow-run")]
    pub fn list(&self, run_id: impl Into<RunId>, filter: JobFilter) -> ItemStream<Job> {
        let (this, run_id) = (self.clone(), run_id.into());
        stream_pages(move |req| {
            let this = this.clone();
            async move { this.list_page(run_id, filter, req).await }
        })
    }

    /// One page of the jobs of a workflow run.
    ///
    #[doc = operations_doc!(repo = "actions/list-jobs-for-workflow-run")]
    pub async fn list_page(
        &self,
        run_id: impl Into<RunId>,
        filter: JobFilter,
        req: PageRequest,
    ) -> Result<Page<Job>, Error> {
        const OP: &str = "actions/list-jobs-for-workflow-run";
        self.scope.check()?;
        req.validate()?;
        let (p, n) = page_query(req);
        let filter = match filter {
            JobFilter::Latest => wire::ActionsListJobsForWorkflowRunFilter::Latest,
            JobFilter::All => wire::ActionsListJobsForWorkflowRunFilter::All,
        };
        let s = &self.scope;
        let run = run_id.into().get();
        let f = s.client.raw().actions_list_jobs_for_workflow_run(&s.owner, &s.repo, run, Some(filter), p, n);
        page(send(&s.client, OP, f).await?, req, |l| (l.jobs, Some(l.total_count)))
    }

    /// Streams the jobs of one attempt of a workflow run (1 for the first).
    ///
    #[doc = operations_doc!(repo = "actions/list-jobs-for-workflow-run-attempt")]
    pub fn list_for_attempt(&self, run_id: impl Into<RunId>, attempt: i64) -> ItemStream<Job> {
        let (this, run_id) = (self.clone(), run_id.into());
        stream_pages(move |req| {
            let this = this.clone();
            async move { this.list_for_attempt_page(run_id, attempt, req).await }
        })
    }

    /// One page of the jobs of one attempt of a workflow run.
    ///
    #[doc = operations_doc!(repo = "actions/list-jobs-for-workflow-run-attempt")]
    pub async fn list_for_attempt_page(
        &self,
        run_id: impl Into<RunId>,
        attempt: i64,
        req: PageRequest,
    ) -> Result<Page<Job>, Error> {
        const OP: &str = "actions/list-jobs-for-workflow-run-attempt";
        self.scope.check()?;
        req.validate()?;
        if attempt < 1 {
            return Err(Error::invalid("attempt", format!("{attempt}: attempts are numbered from 1")));
        }
        let (p, n) = page_query(req);
        let s = &self.scope;
        let run = run_id.into().get();
        let f = s.client.raw().actions_list_jobs_for_workflow_run_attempt(&s.owner, &s.repo, run, attempt, p, n);
        page(send(&s.client, OP, f).await?, req, |l| (l.jobs, Some(l.total_count)))
    }
}
