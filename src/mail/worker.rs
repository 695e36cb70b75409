//! The outbox worker: claims one due email at a time under a fresh random token, hands it
//! to the transport within a deadline, and records the outcome only while the claim is
//! still its own — so however many instances run and however slow the SMTP server is,
//! each email is handed over once. A transient failure is retried with exponential
//! backoff; a permanent refusal (5xx), or two days of transient failures, marks the email
//! failed for good. Several instances may run one worker each.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

use super::transport::{SendError, Transport};
use crate::clock::Clock;
use crate::store::Store;
use crate::store::outbox::{self, Claim, QueuedMail};

const MAX_BACKOFF_SECONDS: i64 = 3600;
/// A claim outlives the send deadline by this much, for recording the outcome: a live
/// worker never loses its claim to another one.
const CLAIM_MARGIN_SECONDS: i64 = 60;
/// On shutdown, a send in progress may finish within this long; then it is cut short and
/// its email handed back to the queue (it may have reached the server if the cut came
/// after the data was sent: the one case where an email can go out twice).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// An email still undelivered this long after it was queued is given up on (failed),
/// even if every failure looked temporary.
pub const GIVE_UP_AFTER_SECONDS: i64 = 2 * 86_400;

/// How the worker behaves.
#[derive(Clone)]
pub struct Worker {
    pub store: Store,
    pub clock: Clock,
    pub transport: Transport,
    pub wakeup: Arc<Notify>,
    pub retry_base: Duration,
    pub poll_interval: Duration,
    /// The most one delivery (a whole SMTP conversation) may take.
    pub send_timeout: Duration,
}

/// What one turn of the worker did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing was due.
    Idle,
    /// One email was tried and its outcome recorded (if the claim was still ours).
    Handled,
    /// Shutdown cut a send short; the email stays queued.
    Stopped,
}

impl Worker {
    /// Runs until `shutdown` flips to true, stopping between two emails: a send in progress
    /// gets `SHUTDOWN_GRACE` to finish, then is cut short (that email stays queued).
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            match self.deliver_next(&mut shutdown).await {
                Ok(Step::Handled) => continue,
                Ok(Step::Stopped) => return,
                Ok(Step::Idle) => {}
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "mail worker could not use the outbox")
                }
            }
            tokio::select! {
                _ = self.wakeup.notified() => {}
                _ = tokio::time::sleep(self.poll_interval) => {}
                _ = stopping(&mut shutdown) => return,
            }
        }
    }

    /// Claims the next due email, if any, and tries to deliver it.
    pub async fn deliver_next(&self, shutdown: &mut watch::Receiver<bool>) -> anyhow::Result<Step> {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let now = self.clock.now();
        let claim = Claim {
            token: &token,
            now,
            until: now + self.claim_seconds(),
        };
        let Some(mail) = outbox::claim_next(&self.store, claim).await? else {
            return Ok(Step::Idle);
        };
        let send = tokio::time::timeout(self.send_timeout, self.transport.send(&mail));
        tokio::pin!(send);
        let attempt = tokio::select! {
            sent = &mut send => sent,
            _ = stopping(shutdown) => match tokio::time::timeout(SHUTDOWN_GRACE, &mut send).await {
                Ok(sent) => sent,
                Err(_) => {
                    outbox::release(self.store.pool(), mail.id, &token).await?;
                    tracing::info!(to = %mail.recipient, "shutting down: send cut short, email left queued");
                    return Ok(Step::Stopped);
                }
            },
        };
        let result = attempt.unwrap_or_else(|_| {
            Err(SendError::Transient(format!(
                "the mail server did not finish within {} s",
                self.send_timeout.as_secs()
            )))
        });
        self.record(&mail, &token, result).await?;
        Ok(Step::Handled)
    }

    /// Writes how the attempt ended, fenced by the claim's token.
    async fn record(
        &self,
        mail: &QueuedMail,
        token: &str,
        result: Result<(), SendError>,
    ) -> anyhow::Result<()> {
        let now = self.clock.now();
        let pool = self.store.pool();
        let attempt = mail.attempts + 1;
        let ours = match result {
            Ok(()) => outbox::mark_sent(pool, mail.id, token, now).await?,
            Err(SendError::Transient(reason)) if now - mail.created_at < GIVE_UP_AFTER_SECONDS => {
                let delay = backoff_seconds(self.retry_base, mail.attempts);
                tracing::warn!(to = %mail.recipient, attempt, retry_in_s = delay, error = %reason,
                    "email not delivered; will retry");
                outbox::retry_later(pool, mail.id, token, &reason, now + delay).await?
            }
            Err(SendError::Transient(reason)) => {
                let reason = format!("undelivered for two days; last error: {reason}");
                tracing::warn!(to = %mail.recipient, attempt, error = %reason, "email given up");
                outbox::mark_failed(pool, mail.id, token, &reason, now).await?
            }
            Err(SendError::Permanent(reason)) => {
                tracing::warn!(to = %mail.recipient, attempt, error = %reason,
                    "email refused for good; not retrying");
                outbox::mark_failed(pool, mail.id, token, &reason, now).await?
            }
        };
        if !ours {
            tracing::warn!(id = mail.id, to = %mail.recipient,
                "the claim on this email ran out before its outcome was recorded; another worker has it");
        }
        Ok(())
    }

    /// How long a claim lasts: longer than any send may take.
    fn claim_seconds(&self) -> i64 {
        let deadline = i64::try_from(self.send_timeout.as_secs()).unwrap_or(i64::MAX / 2);
        deadline.saturating_add(1 + CLAIM_MARGIN_SECONDS)
    }
}

/// Completes once shutdown is asked for (or nobody can ask any more).
async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// base × 2^attempts, capped at an hour.
fn backoff_seconds(base: Duration, attempts: i64) -> i64 {
    let base = i64::try_from(base.as_secs().max(1)).unwrap_or(1);
    let factor = 1_i64 << attempts.clamp(0, 16);
    base.saturating_mul(factor).min(MAX_BACKOFF_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(5);
        assert_eq!(backoff_seconds(base, 0), 5);
        assert_eq!(backoff_seconds(base, 1), 10);
        assert_eq!(backoff_seconds(base, 3), 40);
        assert_eq!(backoff_seconds(base, 40), MAX_BACKOFF_SECONDS);
    }
}
