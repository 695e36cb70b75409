//! Re-encoding uploaded avatars on the blocking pool: decoding and encoding a picture is
//! tens of milliseconds of CPU that must not stall the async runtime, and at most two per
//! core run at once (a burst of uploads queues instead of holding 64 MiB decoders each).

use std::sync::OnceLock;

use anyhow::Context;
use tokio::sync::Semaphore;

use crate::domain::image::Avatar;

/// The upload checked and re-encoded (`Err` is the sentence to show beside the field).
pub async fn reencode(bytes: Vec<u8>) -> anyhow::Result<Result<Avatar, &'static str>> {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Semaphore::new(cores * 2)
    });
    let _slot = slots.acquire().await.context("avatar slots closed")?;
    tokio::task::spawn_blocking(move || Avatar::parse(bytes))
        .await
        .context("avatar re-encoding task")
}

/// An optional upload, re-encoded when there is one.
pub async fn reencode_upload(
    bytes: Option<Vec<u8>>,
) -> anyhow::Result<Option<Result<Avatar, &'static str>>> {
    match bytes {
        Some(bytes) => Ok(Some(reencode(bytes).await?)),
        None => Ok(None),
    }
}
