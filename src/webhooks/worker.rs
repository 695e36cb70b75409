//! The webhook worker: claims one due delivery at a time under a fresh random token (so
//! each event is posted once however many instances run), signs it (Standard Webhooks),
//! posts it within the request deadline, and records the outcome only while the claim is
//! still its own. 2xx is delivered; anything else is retried (5 s, 30 s, 2 min, 15 min,
//! 1 h, then hourly). An endpoint whose deliveries have failed without a success for three
//! days is disabled, its pending deliveries given up, and its workspace's admins emailed —
//! all in one transaction, by the one worker whose UPDATE disabled it.

use std::time::Duration;

use tokio::sync::watch;

use super::client::{self, Signed};
use crate::domain::webhook::{DISABLE_AFTER_SECONDS, retry_delay};
use crate::mail::ActionEmail;
use crate::services::{Services, Tx};
use crate::store::audit::{self, NewEvent};
use crate::store::webhook_deliveries::{self as deliveries, Claim, ClaimedDelivery, Outcome};
use crate::store::webhooks::{self, EndpointRow};
use crate::store::{members, workspace_settings};

/// A claim outlives the request deadline by this much, for recording the outcome.
const CLAIM_MARGIN_SECONDS: i64 = 60;
/// On shutdown, a request in progress may finish within this long; then it is cut short
/// and its delivery handed back to the queue.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What one turn did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Idle,
    Handled,
    Stopped,
}

/// Runs until `shutdown` flips to true.
pub async fn run(svc: Services, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        match deliver_next(&svc, &mut shutdown).await {
            Ok(Step::Handled) => continue,
            Ok(Step::Stopped) => return,
            Ok(Step::Idle) => {}
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "webhook worker could not use the outbox")
            }
        }
        tokio::select! {
            _ = svc.hooks.wakeup.notified() => {}
            _ = tokio::time::sleep(svc.hooks.limits.poll_interval) => {}
            _ = stopping(&mut shutdown) => return,
        }
    }
}

/// Claims the next due delivery, if any, and posts it.
pub async fn deliver_next(
    svc: &Services,
    shutdown: &mut watch::Receiver<bool>,
) -> anyhow::Result<Step> {
    let token = uuid::Uuid::new_v4().simple().to_string();
    let now = svc.clock.now();
    let deadline = i64::try_from(svc.hooks.limits.timeout.as_secs()).unwrap_or(3600);
    let claim = Claim {
        token: &token,
        now,
        until: now + deadline + 1 + CLAIM_MARGIN_SECONDS,
    };
    let Some(delivery) = deliveries::claim_next(&svc.store, claim).await? else {
        return Ok(Step::Idle);
    };
    let Some(endpoint) = webhooks::by_id(svc.store.pool(), &delivery.endpoint_id).await? else {
        return Ok(Step::Handled);
    };
    let send = attempt(svc, &endpoint, &delivery);
    tokio::pin!(send);
    let result = tokio::select! {
        result = &mut send => result,
        _ = stopping(shutdown) => match tokio::time::timeout(SHUTDOWN_GRACE, &mut send).await {
            Ok(result) => result,
            Err(_) => {
                deliveries::release(svc.store.pool(), &delivery.id, &token).await?;
                return Ok(Step::Stopped);
            }
        },
    };
    record(svc, &endpoint, &delivery, &token, result).await?;
    Ok(Step::Handled)
}

/// Signs and posts one delivery; the status code or why there was none.
async fn attempt(
    svc: &Services,
    endpoint: &EndpointRow,
    delivery: &ClaimedDelivery,
) -> Result<u16, String> {
    let key = svc
        .hooks
        .seal
        .open(&endpoint.id, &endpoint.secret)
        .ok_or("the signing secret cannot be read (was the server secret changed?)")?;
    let timestamp = svc.clock.now();
    let signature = key.sign(&delivery.id, timestamp, &delivery.payload);
    let signed = Signed {
        id: &delivery.id,
        timestamp,
        signature: &signature,
        body: &delivery.payload,
    };
    client::post(&endpoint.url, &signed, svc.hooks.limits).await
}

/// Writes how the attempt ended, fenced by the claim's token; on failure, keeps the
/// endpoint's failure run and applies the 3-day rule.
async fn record(
    svc: &Services,
    endpoint: &EndpointRow,
    delivery: &ClaimedDelivery,
    token: &str,
    result: Result<u16, String>,
) -> anyhow::Result<()> {
    let now = svc.clock.now();
    let delivered = matches!(result, Ok(status) if (200..300).contains(&status));
    let (status, error) = match &result {
        Ok(status) if delivered => (Some(i64::from(*status)), None),
        Ok(status) => (Some(i64::from(*status)), Some(format!("HTTP {status}"))),
        Err(e) => (None, Some(e.clone())),
    };
    let retry_at = (!delivered).then(|| now + retry_delay(delivery.attempts + 1));
    let outcome = Outcome {
        status,
        error: error.as_deref(),
        now,
        retry_at,
    };
    let mut tx = svc.store.begin_write().await?;
    if !deliveries::record(&mut *tx, &delivery.id, token, outcome).await? {
        tracing::warn!(id = %delivery.id, "the claim on this webhook delivery ran out; another worker has it");
        return Ok(());
    }
    if delivered {
        webhooks::record_success(&mut *tx, &endpoint.id).await?;
    } else {
        tracing::warn!(id = %delivery.id, endpoint = %endpoint.id, attempt = delivery.attempts + 1,
            error = error.as_deref().unwrap_or_default(), "webhook not delivered; will retry");
        let since = webhooks::record_failure(&mut *tx, &endpoint.id, now).await?;
        if since.is_some_and(|s| now - s >= DISABLE_AFTER_SECONDS)
            && disable(svc, &mut tx, endpoint, now).await?
        {
            tx.commit().await?;
            svc.mail_wakeup.notify_one();
            return Ok(());
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The 3-day rule: disables the endpoint (once), gives up its pending deliveries, records
/// the audit event and emails the workspace's admins. `true` when this call disabled it.
async fn disable(
    svc: &Services,
    tx: &mut Tx,
    endpoint: &EndpointRow,
    now: i64,
) -> anyhow::Result<bool> {
    let cutoff = now - DISABLE_AFTER_SECONDS;
    if !webhooks::disable_if_failing_since(&mut **tx, &endpoint.id, cutoff, now).await? {
        return Ok(false);
    }
    deliveries::give_up_pending(&mut **tx, &endpoint.id, now).await?;
    let event = NewEvent {
        workspace_id: Some(&endpoint.workspace_id),
        action: "webhook.disabled",
        target: Some(&endpoint.url),
        details: Some(
            serde_json::json!({ "endpoint": endpoint.id, "reason": "failing for 3 days" })
                .to_string(),
        ),
        now,
        ..Default::default()
    };
    audit::record(&mut **tx, event).await?;
    let Some(ws) = workspace_settings::get(&mut **tx, &endpoint.workspace_id).await? else {
        return Ok(true);
    };
    tracing::warn!(endpoint = %endpoint.id, url = %endpoint.url, "webhook endpoint failing for 3 days: disabled");
    for (email, name) in members::admin_contacts(&mut **tx, &ws.id).await? {
        ActionEmail {
            kind: "webhook_disabled",
            to: email,
            subject: format!("A webhook of {} was disabled", ws.name),
            greeting: format!("Hi {name},"),
            paragraphs: vec![format!(
                "Deliveries to {} have failed for three days, so Gatehouse disabled this webhook endpoint of {}. Check the receiver, then enable it again on the Webhooks page; the delivery log shows each attempt, and Redeliver sends an event again.",
                endpoint.url, ws.name
            )],
            button: "Open the Webhooks page".into(),
            link: svc.link(&format!("/w/{}/settings/webhooks", ws.slug)),
            footer: format!("You get this email because you manage {}.", ws.name),
        }
        .enqueue(&mut **tx, None, now)
        .await?;
    }
    Ok(true)
}

/// Completes once shutdown is asked for (or nobody can ask any more).
async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}
