//! The generated operation each webhook-delivery call uses at each scope.

use crate::Error;
use crate::api::{send, send_body, send_unit};
use crate::generated::types as wire;
use crate::pagination::{CursorPage, CursorRequest};
use crate::scope::{App, OrgHook};
use crate::types::{DeliveryId, HookDelivery, HookDeliveryDetail};
use std::future::Future;

/// One method per webhook-delivery call, answered by the scope's generated
/// operation. Private to the crate: see [`DeliveryScope`](super::DeliveryScope).
pub trait Ops {
    fn list(
        &self,
        req: &CursorRequest,
        outcome: Option<super::DeliveryOutcome>,
        page: u32,
    ) -> impl Future<Output = Result<CursorPage<HookDelivery>, Error>> + Send;
    fn get(&self, id: DeliveryId) -> impl Future<Output = Result<HookDeliveryDetail, Error>> + Send;
    fn redeliver(&self, id: DeliveryId) -> impl Future<Output = Result<(), Error>> + Send;
}

impl super::DeliveryScope for App {}
impl super::DeliveryScope for OrgHook {}

/// The generated `status` query value of an outcome filter.
fn status_filter<T: std::str::FromStr>(outcome: Option<super::DeliveryOutcome>) -> Result<Option<T>, Error> {
    outcome
        .map(|o| o.as_str().parse().map_err(|_| Error::invalid("outcome", format!("{o:?} is not in spec/"))))
        .transpose()
}

/// A cursor page from a list answer (only its `Link` header matters).
fn cursor_page(
    rv: progenitor_client::ResponseValue<Vec<HookDelivery>>,
    page: u32,
) -> Result<CursorPage<HookDelivery>, Error> {
    let link = rv.headers().get(reqwest::header::LINK).cloned();
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(link) = link {
        headers.insert(reqwest::header::LINK, link);
    }
    CursorPage::from_response(rv.into_inner(), page, &headers)
}

impl Ops for App {
    async fn list(
        &self,
        req: &CursorRequest,
        outcome: Option<super::DeliveryOutcome>,
        page: u32,
    ) -> Result<CursorPage<HookDelivery>, Error> {
        const OP: &str = "apps/list-webhook-deliveries";
        let status: Option<wire::AppsListWebhookDeliveriesStatus> = status_filter(outcome)?;
        let f = self.raw().apps_list_webhook_deliveries(req.cursor.as_deref(), Some(i64::from(req.per_page)), status);
        cursor_page(send(&self.client, OP, f).await?, page)
    }
    async fn get(&self, id: DeliveryId) -> Result<HookDeliveryDetail, Error> {
        const OP: &str = "apps/get-webhook-delivery";
        send_body(&self.client, OP, self.raw().apps_get_webhook_delivery(id.get())).await
    }
    async fn redeliver(&self, id: DeliveryId) -> Result<(), Error> {
        const OP: &str = "apps/redeliver-webhook-delivery";
        send_unit(&self.client, OP, self.raw().apps_redeliver_webhook_delivery(id.get())).await
    }
}

impl Ops for OrgHook {
    async fn list(
        &self,
        req: &CursorRequest,
        outcome: Option<super::DeliveryOutcome>,
        page: u32,
    ) -> Result<CursorPage<HookDelivery>, Error> {
        const OP: &str = "orgs/list-webhook-deliveries";
        let status: Option<wire::OrgsListWebhookDeliveriesStatus> = status_filter(outcome)?;
        let (org, hook) = (&self.org, self.hook_id.get());
        let f = self.raw().orgs_list_webhook_deliveries(
            org,
            hook,
            req.cursor.as_deref(),
            Some(i64::from(req.per_page)),
            status,
        );
        cursor_page(send(&self.client, OP, f).await?, page)
    }
    async fn get(&self, id: DeliveryId) -> Result<HookDeliveryDetail, Error> {
        const OP: &str = "orgs/get-webhook-delivery";
        let f = self.raw().orgs_get_webhook_delivery(&self.org, self.hook_id.get(), id.get());
        send_body(&self.client, OP, f).await
    }
    async fn redeliver(&self, id: DeliveryId) -> Result<(), Error> {
        const OP: &str = "orgs/redeliver-webhook-delivery";
        let f = self.raw().orgs_redeliver_webhook_delivery(&self.org, self.hook_id.get(), id.get());
        send_unit(&self.client, OP, f).await
    }
}
