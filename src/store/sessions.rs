//! The tower-sessions store, in the application's own database so that every instance
//! sees every session and signing out deletes the session everywhere. Only `create`
//! inserts; `save` never brings back a row that a sign-out deleted.

use std::sync::Arc;

use async_trait::async_trait;
use sqlx::AnyPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, ExpiredDeletion, Result, SessionStore};

use super::fast_reads::{self, FastReads, FromFastRow, Param};

/// Sessions as rows: id, JSON data, expiry (unix seconds).
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    pool: AnyPool,
    /// Loads (on every request) go this way on SQLite (`fast_reads`).
    fast: Option<Arc<FastReads>>,
    /// Where the session's data names its account (`{"user_id": …}` under this key):
    /// on the fast path that account is read in the same transaction (`who`).
    account_key: Option<&'static str>,
}

impl DbSessionStore {
    pub fn new(pool: AnyPool) -> Self {
        Self {
            pool,
            fast: None,
            account_key: None,
        }
    }

    /// The store's sessions, loaded through its fast path when it has one.
    pub fn for_store(store: &super::Store) -> Self {
        Self {
            pool: store.pool().clone(),
            fast: store.fast_reads().cloned(),
            account_key: None,
        }
    }

    /// Reads the session's account (`who`) with the session, in one read transaction,
    /// for requests run `who::with_room_for_session_read`; `key` is where the data
    /// names it.
    pub fn reading_account_under(self, key: &'static str) -> Self {
        Self {
            account_key: Some(key),
            ..self
        }
    }

    /// The live session `id`, from the fast path with its account when it can.
    async fn load_record(&self, id: &Id) -> Result<Option<Record>> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let id_text = id.to_string();
        // With the account too when the store knows where the session names it; if that
        // read fails, sqlx answers (the fast path is not tried twice).
        let fast = match (&self.fast, self.account_key) {
            (Some(fast), Some(key)) => {
                match Self::load_with_account(fast, key, &id_text, now).await {
                    Ok(found) => return found.map(|(data, at)| record(id, data, at)).transpose(),
                    Err(e) => tracing::warn!(error = %e, "fast read failed; reading through sqlx"),
                }
                None
            }
            _ => self.fast.as_ref(),
        };
        let params = [Param::Text(&id_text), Param::Int(now)];
        let rows = fast_reads::or_sqlx(fast, LOAD, &params, async {
            let row: Option<(String, i64)> = sqlx::query_as(LOAD)
                .bind(&id_text)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
            Ok(row
                .map(|(data, at)| SessionRow(data, at))
                .into_iter()
                .collect())
        })
        .await
        .map_err(backend)?;
        let Some(SessionRow(data, expires_at)) = rows.into_iter().next() else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?;
        record(id, data, expires_at).map(Some)
    }

    /// The session row and its account, both read in one transaction on `fast`, or as
    /// read before when nothing was committed since (`store::remembered`): every
    /// signed-in request asks, and these rows rarely change.
    async fn load_with_account(
        fast: &FastReads,
        key: &str,
        id: &str,
        now: i64,
    ) -> rusqlite::Result<Option<(Data, i64)>> {
        let remembered_as = format!("session\n{id}");
        let read = fast.together_remembered(&remembered_as, |conn| {
            let params = [Param::Text(id), Param::Int(now)];
            let rows: Vec<SessionRow> = fast_reads::read(conn, LOAD, &params)?;
            let Some(SessionRow(data, expires_at)) = rows.into_iter().next() else {
                return Ok(None);
            };
            let data: Data = serde_json::from_str(&data)
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
            let account = data
                .get(key)
                .and_then(|v| v.get("user_id"))
                .and_then(|v| v.as_str());
            let who = match account {
                Some(account) => super::who::read_on(conn, account)?,
                None => None,
            };
            Ok(Some((data, expires_at, who)))
        });
        // As `LOAD` asks: a session read while it was live may have expired since.
        let live = read.await?.filter(|(_, expires_at, _)| *expires_at > now);
        Ok(live.map(|(data, expires_at, who)| {
            if let Some(who) = who {
                super::who::keep_read_with_session(who);
            }
            (data, expires_at)
        }))
    }
}

/// A session's data, as tower-sessions keeps it.
type Data = std::collections::HashMap<String, serde_json::Value>;

/// A session row: its JSON data and expiry.
struct SessionRow(String, i64);

impl FromFastRow for SessionRow {
    fn from_fast_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self(row.get(0)?, row.get(1)?))
    }
}

const LOAD: &str = "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2";

fn backend(e: impl std::fmt::Display) -> Error {
    Error::Backend(e.to_string())
}

fn record(id: &Id, data: Data, expires_at: i64) -> Result<Record> {
    let expiry_date = time::OffsetDateTime::from_unix_timestamp(expires_at)
        .map_err(|e| Error::Decode(e.to_string()))?;
    Ok(Record {
        id: *id,
        data,
        expiry_date,
    })
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        // A fresh id collides with astronomically low odds; retry rather than overwrite.
        loop {
            let inserted = sqlx::query(
                "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(&data)
            .bind(record.expiry_date.unix_timestamp())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Updates a live session and never re-creates one: tower-sessions calls `create` for
    /// every new session (and after `cycle_id`), and `save` only for one it loaded. If the
    /// row went meanwhile (a sign-out, sign-out everywhere or expiry while this request
    /// was in flight), the session stays gone.
    async fn save(&self, record: &Record) -> Result<()> {
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let updated = sqlx::query(
            "UPDATE sessions SET data = $1, expires_at = $2 WHERE id = $3 AND expires_at > $4",
        )
        .bind(data)
        .bind(record.expiry_date.unix_timestamp())
        .bind(record.id.to_string())
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        if updated.rows_affected() == 0 {
            tracing::info!("session ended while a request was in flight; not saved");
        }
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let found = self.load_record(id).await?;
        if let Some(record) = &found {
            super::who::keep_session_end(record.expiry_date.unix_timestamp());
        }
        Ok(found)
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> Result<()> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
