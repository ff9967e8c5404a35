//! What the App installation the client acts as may reach
//! (`client.installation()`): the repositories an autoscaler serves.

use crate::Error;
use crate::api::{page, page_query, send};
use crate::deployment::operations_doc;
use crate::pagination::{ItemStream, Page, PageRequest, stream_pages};
use crate::scope::{Installation, Scope};
use crate::types::InstallationRepository;

impl Installation {
    /// Streams the repositories the installation may act on (all of the
    /// account's, or the ones selected when it was installed). Needs an
    /// installation token: a client built with
    /// [`ClientBuilder::github_app`](crate::ClientBuilder::github_app), or
    /// a static `ghs_` token.
    ///
    /// ```no_run
    /// # async fn demo(github: gha_runners::Client) -> Result<(), gha_runners::Error> {
    /// use futures::TryStreamExt;
    /// let repos: Vec<_> = github.installation().repositories().try_collect().await?;
    /// for repo in repos {
    ///     println!("{}", repo.full_name);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    #[doc = operations_doc!(installation = "apps/list-repos-accessible-to-installation")]
    pub fn repositories(&self) -> ItemStream<InstallationRepository> {
        let this = self.clone();
        stream_pages(move |req| {
            let this = this.clone();
            async move { this.repositories_page(req).await }
        })
    }

    /// One page of the repositories the installation may act on.
    ///
    #[doc = operations_doc!(installation = "apps/list-repos-accessible-to-installation")]
    pub async fn repositories_page(&self, req: PageRequest) -> Result<Page<InstallationRepository>, Error> {
        const OP: &str = "apps/list-repos-accessible-to-installation";
        self.check()?;
        req.validate()?;
        let (p, n) = page_query(req);
        let f = self.client.raw().apps_list_repos_accessible_to_installation(p, n);
        page(send(&self.client, OP, f).await?, req, |l| (l.repositories, Some(l.total_count)))
    }
}
