//! The outbox worker: claims due emails, hands them to the transport, and on failure
//! schedules a retry with exponential backoff. Several instances may run one each.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

use super::transport::Transport;
use crate::clock::Clock;
use crate::store::{Store, outbox};

const BATCH: i64 = 20;
const MAX_BACKOFF_SECONDS: i64 = 3600;

/// How the worker behaves.
#[derive(Clone)]
pub struct Worker {
    pub store: Store,
    pub clock: Clock,
    pub transport: Transport,
    pub wakeup: Arc<Notify>,
    pub retry_base: Duration,
    pub poll_interval: Duration,
}

impl Worker {
    /// Runs until `shutdown` flips to true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            let delivered = match self.deliver_due().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "mail worker could not read the outbox");
                    0
                }
            };
            if delivered == BATCH as usize {
                continue;
            }
            tokio::select! {
                _ = self.wakeup.notified() => {}
                _ = tokio::time::sleep(self.poll_interval) => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }

    /// Delivers one batch of due mail; returns how many were claimed.
    pub async fn deliver_due(&self) -> anyhow::Result<usize> {
        let batch = outbox::claim_due(&self.store, self.clock.now(), BATCH).await?;
        for mail in &batch {
            match self.transport.send(mail).await {
                Ok(()) => outbox::mark_sent(self.store.pool(), mail.id, self.clock.now()).await?,
                Err(e) => {
                    let delay = backoff_seconds(self.retry_base, mail.attempts);
                    tracing::warn!(to = %mail.recipient, attempt = mail.attempts + 1, retry_in_s = delay,
                        error = %format!("{e:#}"), "email not delivered; will retry");
                    outbox::mark_failed(
                        self.store.pool(),
                        mail.id,
                        &format!("{e:#}"),
                        self.clock.now() + delay,
                    )
                    .await?;
                }
            }
        }
        Ok(batch.len())
    }
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
