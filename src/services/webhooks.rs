//! Managing a workspace's webhook endpoints (Owners and Admins): add one (URL checked by
//! the SSRF guard, events chosen, signing secret generated and shown once), delete it,
//! enable it again after the 3-day rule disabled it, send a test event, redeliver a past
//! delivery. Each change is audited in its own transaction.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::config::WebhookLimits;
use crate::domain::webhook::{self, SecretSeal, SigningKey, TEST_EVENT};
use crate::store::{webhook_deliveries, webhooks};
use crate::webhooks::guard;

use super::members::Manager;
use super::{FieldErrors, ServiceError, ServiceResult, Services, record_event};

/// What the webhook parts of the application share.
#[derive(Debug, Clone)]
pub struct Hooks {
    /// Seals signing secrets at rest (from the server secret).
    pub seal: SecretSeal,
    pub limits: WebhookLimits,
    /// Wakes the webhook worker after committing a delivery the admin is waiting for.
    pub wakeup: Arc<Notify>,
}

/// A new endpoint: its id and the signing secret, shown this once.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: String,
    pub secret: String,
}

/// Adds an endpoint. Bad input (a URL that is not http(s), resolves to a private address,
/// or no event chosen) is refused beside its field; nothing is stored then.
pub async fn add(
    svc: &Services,
    by: &Manager,
    url: &str,
    events: &[&str],
) -> ServiceResult<Created> {
    by.require_admin()?;
    let url = url.trim();
    let mut errors = FieldErrors::default();
    match guard::parse(url) {
        Err(message) => errors.add("url", message),
        Ok(target) => {
            let limits = svc.hooks.limits;
            if let Err(refused) =
                guard::resolve(&target, limits.allow_private, limits.connect_timeout).await
            {
                errors.add("url", format!("{refused}."));
            }
        }
    }
    let column = webhook::events_column(events);
    if column == ",," {
        errors.add("events", "Choose at least one event.");
    }
    errors.into_result().map_err(ServiceError::Invalid)?;
    let id = uuid::Uuid::new_v4().to_string();
    let key = SigningKey::generate().map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let sealed = svc.hooks.seal.seal(&id, &key);
    let mut tx = svc.store.begin_write().await?;
    let endpoint = webhooks::NewEndpoint {
        id: &id,
        workspace_id: &by.workspace_id,
        url,
        events: &column,
        secret: &sealed,
        created_by: by.actor.account_id.as_deref(),
        now: svc.clock.now(),
    };
    webhooks::insert(&mut *tx, endpoint).await?;
    let details = serde_json::json!({ "endpoint": id, "events": webhook::events_of(&column) });
    record_event(svc, &mut tx, by, "webhook.added", Some(url), details).await?;
    tx.commit().await?;
    Ok(Created {
        id,
        secret: key.shown(),
    })
}

/// The endpoint `id` of the manager's workspace, or 404.
async fn endpoint(svc: &Services, by: &Manager, id: &str) -> ServiceResult<webhooks::EndpointRow> {
    by.require_admin()?;
    webhooks::find(svc.store.pool(), &by.workspace_id, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The endpoint, when it is enabled: a disabled one's deliveries would wait unsent (the
/// page greys its buttons out; this refuses a request made without them).
async fn enabled_endpoint(
    svc: &Services,
    by: &Manager,
    id: &str,
) -> ServiceResult<webhooks::EndpointRow> {
    let found = endpoint(svc, by, id).await?;
    if found.enabled == 0 {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "endpoint",
            "This endpoint is disabled: choose Enable again first.",
        )));
    }
    Ok(found)
}

/// Deletes an endpoint and its delivery log.
pub async fn remove(svc: &Services, by: &Manager, id: &str) -> ServiceResult<String> {
    let found = endpoint(svc, by, id).await?;
    let mut tx = svc.store.begin_write().await?;
    if !webhooks::delete(&mut *tx, &by.workspace_id, id).await? {
        return Err(ServiceError::NotFound);
    }
    let details = serde_json::json!({ "endpoint": id });
    record_event(
        svc,
        &mut tx,
        by,
        "webhook.removed",
        Some(&found.url),
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(found.url)
}

/// Enables a disabled endpoint again (nothing happens to an enabled one).
pub async fn enable(svc: &Services, by: &Manager, id: &str) -> ServiceResult<String> {
    let found = endpoint(svc, by, id).await?;
    let mut tx = svc.store.begin_write().await?;
    if webhooks::enable(&mut *tx, &by.workspace_id, id).await? {
        let details = serde_json::json!({ "endpoint": id });
        record_event(
            svc,
            &mut tx,
            by,
            "webhook.enabled",
            Some(&found.url),
            details,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(found.url)
}

/// Queues a `webhook.test` event for the endpoint (whatever it subscribes to).
pub async fn send_test(svc: &Services, by: &Manager, id: &str) -> ServiceResult<String> {
    let found = enabled_endpoint(svc, by, id).await?;
    let now = svc.clock.now();
    let mut tx = svc.store.begin_write().await?;
    let data = serde_json::json!({
        "workspace": { "id": by.workspace_id },
        "message": "A test event from Gatehouse's Webhooks page.",
    });
    let body = super::webhook_events::payload(TEST_EVENT, data, now);
    let delivery =
        super::webhook_events::enqueue(&mut tx, &found.id, TEST_EVENT, &body, now).await?;
    let details = serde_json::json!({ "endpoint": id, "delivery": delivery });
    record_event(
        svc,
        &mut tx,
        by,
        "webhook.test_sent",
        Some(&found.url),
        details,
    )
    .await?;
    tx.commit().await?;
    svc.hooks.wakeup.notify_one();
    Ok(found.url)
}

/// Makes a past delivery due again now, with the same `webhook-id`.
pub async fn redeliver(
    svc: &Services,
    by: &Manager,
    id: &str,
    delivery: &str,
) -> ServiceResult<String> {
    let found = enabled_endpoint(svc, by, id).await?;
    let mut tx = svc.store.begin_write().await?;
    let now = svc.clock.now();
    if !webhook_deliveries::redeliver(&mut *tx, &found.id, delivery, now).await? {
        return Err(ServiceError::NotFound);
    }
    let details = serde_json::json!({ "endpoint": id, "delivery": delivery });
    record_event(
        svc,
        &mut tx,
        by,
        "webhook.redelivered",
        Some(&found.url),
        details,
    )
    .await?;
    tx.commit().await?;
    svc.hooks.wakeup.notify_one();
    Ok(found.url)
}
