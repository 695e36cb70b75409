//! Re-encoding uploaded avatars on the blocking pool: decoding and encoding a picture is
//! tens of milliseconds of CPU that must not stall the async runtime, and at most two per
//! core run at once (a burst of uploads queues instead of holding 64 MiB decoders each).
//! Changing and removing one's avatar on the Account page live here too.

use std::sync::OnceLock;

use anyhow::Context;
use tokio::sync::Semaphore;

use super::{FieldErrors, ServiceError, ServiceResult, Services};
use crate::domain::image::Avatar;
use crate::store::avatars as store;

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

/// Account page: sets (or replaces) the person's avatar from an upload; an empty upload
/// or a bad picture is refused beside the field and changes nothing.
pub async fn change(
    svc: &Services,
    account_id: &str,
    upload: Option<Vec<u8>>,
) -> ServiceResult<()> {
    let Some(bytes) = upload else {
        return Err(ServiceError::Invalid(FieldErrors::single(
            "avatar",
            "Choose a PNG or JPEG picture.",
        )));
    };
    let avatar = reencode(bytes)
        .await?
        .map_err(|m| ServiceError::Invalid(FieldErrors::single("avatar", m)))?;
    // A second's resolution would let a quick change keep the old picture's URL.
    let now = svc.clock.now();
    let pool = svc.store.pool();
    let previous = store::versions(&svc.store, &[account_id.to_string()]).await?;
    let stamp = previous
        .get(account_id)
        .map_or(now, |before| now.max(before + 1));
    store::put(pool, account_id, avatar.content_type, &avatar.bytes, stamp).await?;
    Ok(())
}

/// Account page: removes the person's avatar (nothing to remove is not an error).
pub async fn remove(svc: &Services, account_id: &str) -> ServiceResult<()> {
    store::delete(svc.store.pool(), account_id).await?;
    Ok(())
}
