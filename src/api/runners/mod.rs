//! Self-hosted runners: list, get, delete, labels, registration and remove
//! tokens, JIT configs, downloads, version deprecations.

pub(crate) mod requests;
mod scopes;

use crate::deployment::operations_doc;
use crate::pagination::{ItemStream, Page, PageRequest, stream_pages};
use crate::scope::{Enterprise, Org, Repo, Scope};
use crate::types::{
    JitConfig, JitConfigRequest, JitIssued, ListRunners, Runner, RunnerApplication, RunnerId, RunnerLabel,
    RunnerStatus, RunnerToken, RunnerVersionDeprecation,
};
use crate::{Error, validate};

/// Self-hosted runners of a scope (`client.org("o").runners()`).
///
/// ```no_run
/// # async fn demo(github: gha_runners::Client) -> Result<(), gha_runners::Error> {
/// use futures::TryStreamExt;
/// use gha_runners::types::JitConfigRequest;
/// let runners = github.org("octo-org").runners();
/// let offline: Vec<_> = runners
///     .list(Default::default())
///     .try_filter(|r| futures::future::ready(r.status == gha_runners::types::RunnerStatus::Offline))
///     .try_collect()
///     .await?;
/// let jit = runners.jit_config(&JitConfigRequest::new("build-1", ["self-hosted", "linux"])).await?;
/// println!("start with: ./run.sh --jitconfig {}", jit.encoded_jit_config.expose_secret());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Runners<S> {
    scope: S,
}

impl Enterprise {
    /// Self-hosted runners registered at the enterprise.
    pub fn runners(&self) -> Runners<Enterprise> {
        Runners::new(self.clone())
    }
}

impl Org {
    /// Self-hosted runners registered at the organization.
    pub fn runners(&self) -> Runners<Org> {
        Runners::new(self.clone())
    }
}

impl Repo {
    /// Self-hosted runners registered at the repository.
    pub fn runners(&self) -> Runners<Repo> {
        Runners::new(self.clone())
    }
}

/// The scopes with self-hosted runners: [`Enterprise`](crate::scope::Enterprise),
/// [`Org`](crate::scope::Org) and [`Repo`](crate::scope::Repo). Sealed.
pub trait RunnerScope: Scope + scopes::Ops {}

impl<S: RunnerScope> Runners<S> {
    pub(crate) fn new(scope: S) -> Self {
        Self { scope }
    }

    /// Streams every runner, 100 per request.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/list-self-hosted-runners-for-enterprise",
        org = "actions/list-self-hosted-runners-for-org",
        repo = "actions/list-self-hosted-runners-for-repo",
    )]
    pub fn list(&self, filter: ListRunners) -> ItemStream<Runner> {
        let this = self.clone();
        stream_pages(move |req| {
            let (this, filter) = (this.clone(), filter.clone());
            async move { this.list_page(&filter, req).await }
        })
    }

    /// One page of runners.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/list-self-hosted-runners-for-enterprise",
        org = "actions/list-self-hosted-runners-for-org",
        repo = "actions/list-self-hosted-runners-for-repo",
    )]
    pub async fn list_page(&self, filter: &ListRunners, req: PageRequest) -> Result<Page<Runner>, Error> {
        self.scope.check()?;
        req.validate()?;
        if let Some(name) = &filter.name {
            validate::text("name", name)?;
        }
        self.scope.list(filter.name.as_deref(), req).await
    }

    /// One runner.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/get-self-hosted-runner-for-enterprise",
        org = "actions/get-self-hosted-runner-for-org",
        repo = "actions/get-self-hosted-runner-for-repo",
    )]
    pub async fn get(&self, runner_id: impl Into<RunnerId>) -> Result<Runner, Error> {
        self.scope.check()?;
        self.scope.get(runner_id.into()).await
    }

    /// Removes a runner.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/delete-self-hosted-runner-from-enterprise",
        org = "actions/delete-self-hosted-runner-from-org",
        repo = "actions/delete-self-hosted-runner-from-repo",
    )]
    pub async fn delete(&self, runner_id: impl Into<RunnerId>) -> Result<(), Error> {
        self.scope.check()?;
        self.scope.delete(runner_id.into()).await
    }

    /// A runner's labels.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/list-labels-for-self-hosted-runner-for-enterprise",
        org = "actions/list-labels-for-self-hosted-runner-for-org",
        repo = "actions/list-labels-for-self-hosted-runner-for-repo",
    )]
    pub async fn labels(&self, runner_id: impl Into<RunnerId>) -> Result<Vec<RunnerLabel>, Error> {
        self.scope.check()?;
        self.scope.labels(runner_id.into()).await
    }

    /// Adds 1 to 100 custom labels; returns all labels.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/add-custom-labels-to-self-hosted-runner-for-enterprise",
        org = "actions/add-custom-labels-to-self-hosted-runner-for-org",
        repo = "actions/add-custom-labels-to-self-hosted-runner-for-repo",
    )]
    pub async fn add_labels<L: AsRef<str>>(
        &self,
        runner_id: impl Into<RunnerId>,
        labels: &[L],
    ) -> Result<Vec<RunnerLabel>, Error> {
        self.scope.check()?;
        validate::labels(labels, 1)?;
        self.scope.add_labels(runner_id.into(), &label_body(labels)).await
    }

    /// Replaces the custom labels (0 to 100); returns all labels.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/set-custom-labels-for-self-hosted-runner-for-enterprise",
        org = "actions/set-custom-labels-for-self-hosted-runner-for-org",
        repo = "actions/set-custom-labels-for-self-hosted-runner-for-repo",
    )]
    pub async fn set_labels<L: AsRef<str>>(
        &self,
        runner_id: impl Into<RunnerId>,
        labels: &[L],
    ) -> Result<Vec<RunnerLabel>, Error> {
        self.scope.check()?;
        validate::labels(labels, 0)?;
        self.scope.set_labels(runner_id.into(), &label_body(labels)).await
    }

    /// Removes every custom label; returns the read-only labels left.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/remove-all-custom-labels-from-self-hosted-runner-for-enterprise",
        org = "actions/remove-all-custom-labels-from-self-hosted-runner-for-org",
        repo = "actions/remove-all-custom-labels-from-self-hosted-runner-for-repo",
    )]
    pub async fn clear_labels(&self, runner_id: impl Into<RunnerId>) -> Result<Vec<RunnerLabel>, Error> {
        self.scope.check()?;
        self.scope.clear_labels(runner_id.into()).await
    }

    /// Removes one custom label; returns the labels left.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/remove-custom-label-from-self-hosted-runner-for-enterprise",
        org = "actions/remove-custom-label-from-self-hosted-runner-for-org",
        repo = "actions/remove-custom-label-from-self-hosted-runner-for-repo",
    )]
    pub async fn remove_label(&self, runner_id: impl Into<RunnerId>, name: &str) -> Result<Vec<RunnerLabel>, Error> {
        self.scope.check()?;
        validate::segment("label", name)?;
        self.scope.remove_label(runner_id.into(), name).await
    }

    /// A token for `config.sh` to register a runner, valid one hour.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/create-registration-token-for-enterprise",
        org = "actions/create-registration-token-for-org",
        repo = "actions/create-registration-token-for-repo",
    )]
    pub async fn registration_token(&self) -> Result<RunnerToken, Error> {
        self.scope.check()?;
        self.scope.registration_token().await
    }

    /// A token for `config.sh remove`, valid one hour.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/create-remove-token-for-enterprise",
        org = "actions/create-remove-token-for-org",
        repo = "actions/create-remove-token-for-repo",
    )]
    pub async fn remove_token(&self) -> Result<RunnerToken, Error> {
        self.scope.check()?;
        self.scope.remove_token().await
    }

    /// Creates a just-in-time runner and returns its config. A name already
    /// taken is [`Error::Conflict`].
    ///
    #[doc = operations_doc!(
        enterprise = "actions/generate-runner-jitconfig-for-enterprise",
        org = "actions/generate-runner-jitconfig-for-org",
        repo = "actions/generate-runner-jitconfig-for-repo",
    )]
    pub async fn jit_config(&self, request: &JitConfigRequest) -> Result<JitConfig, Error> {
        self.scope.check()?;
        validate::runner_name(&request.name)?;
        validate::labels(&request.labels, 1)?;
        self.scope.jit_config(request).await
    }

    /// [`Runners::jit_config`], replacing a stale runner that holds the name:
    /// when the name is taken ([`Error::Conflict`], or
    /// [`Error::JitOutcomeUnknown`] after a lost answer) by a runner that is
    /// offline and not running a job (one that never started, or whose
    /// machine is gone), deletes it and requests the config once more. The
    /// answer says which runner was replaced. A name held by a runner that
    /// is online or busy is left alone: the original error is returned.
    ///
    /// Opt-in: an autoscaler that names runners after its machines wants
    /// this; one that must never delete a runner it did not create does not.
    /// A runner whose machine has not connected *yet* is offline and idle
    /// too: use this only where one writer owns each name (two callers
    /// requesting the same name at once would delete each other's fresh
    /// runner). If the holder takes a job just before the deletion, the
    /// original error is returned.
    ///
    /// ```no_run
    /// # async fn demo(github: gha_runners::Client) -> Result<(), gha_runners::Error> {
    /// use gha_runners::types::JitConfigRequest;
    /// let runners = github.org("octo-org").runners();
    /// let issued = runners.jit_config_replacing_offline(&JitConfigRequest::new("vm-17", ["self-hosted"])).await?;
    /// if let Some(old) = &issued.replaced {
    ///     eprintln!("replaced stale runner {} ({})", old.id, old.name);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    #[doc = operations_doc!(
        enterprise = "actions/generate-runner-jitconfig-for-enterprise",
        org = "actions/generate-runner-jitconfig-for-org",
        repo = "actions/generate-runner-jitconfig-for-repo",
    )]
    pub async fn jit_config_replacing_offline(&self, request: &JitConfigRequest) -> Result<JitIssued, Error> {
        let taken = match self.jit_config(request).await {
            Ok(config) => return Ok(JitIssued { config, replaced: None }),
            Err(e @ (Error::Conflict(_) | Error::JitOutcomeUnknown { .. })) => e,
            Err(e) => return Err(e),
        };
        let holder = match &taken {
            Error::JitOutcomeUnknown { runner_id, .. } => match self.get(*runner_id).await {
                Ok(runner) => Some(runner),
                // Gone meanwhile: the name is free again.
                Err(Error::NotFound(_)) => {
                    let config = self.jit_config(request).await?;
                    return Ok(JitIssued { config, replaced: None });
                }
                Err(e) => return Err(e),
            },
            _ => {
                let page = self.list_page(&ListRunners::named(&request.name), PageRequest::default()).await?;
                page.items.into_iter().find(|r| r.name == request.name)
            }
        };
        let Some(stale) = holder.filter(|r| r.status == RunnerStatus::Offline && !r.busy) else {
            return Err(taken);
        };
        tracing::info!(runner_id = stale.id.get(), "the runner name is held by an offline, idle runner: replacing it");
        match self.delete(stale.id).await {
            Ok(()) | Err(Error::NotFound(_)) => {}
            // It took a job after the check: it is not stale after all.
            Err(Error::RunnerBusy(_)) => return Err(taken),
            Err(e) => return Err(e),
        }
        match self.jit_config(request).await {
            Ok(config) => Ok(JitIssued { config, replaced: Some(stale) }),
            Err(e) => {
                tracing::warn!(runner_id = stale.id.get(), error = %e, "the stale runner was deleted, but the new JIT config request failed");
                Err(e)
            }
        }
    }

    /// The runner application packages to download.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/list-runner-applications-for-enterprise",
        org = "actions/list-runner-applications-for-org",
        repo = "actions/list-runner-applications-for-repo",
    )]
    pub async fn downloads(&self) -> Result<Vec<RunnerApplication>, Error> {
        self.scope.check()?;
        self.scope.downloads().await
    }

    /// The deprecation schedule of runner version `version`, e.g. `2.300.0`.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/get-runner-version-deprecation-for-enterprise",
        org = "actions/get-runner-version-deprecation-for-org",
        repo = "actions/get-runner-version-deprecation-for-repo",
    )]
    pub async fn deprecation(&self, version: &str) -> Result<RunnerVersionDeprecation, Error> {
        self.scope.check()?;
        validate::segment("version", version)?;
        self.scope.deprecation(version).await
    }
}

/// The `{"labels": [...]}` body of the label calls.
fn label_body<L: AsRef<str>>(labels: &[L]) -> serde_json::Value {
    serde_json::json!({ "labels": labels.iter().map(AsRef::as_ref).collect::<Vec<&str>>() })
}
