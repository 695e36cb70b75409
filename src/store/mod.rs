//! SQL lives here and only here: one file per aggregate, portable SQL run through sqlx's
//! `Any` driver so SQLite and PostgreSQL share every query. What differs between the two
//! backends (connection pragmas, how a write transaction begins, row claiming) is decided
//! in this module and nowhere else.

pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod audit_log;
pub mod avatars;
pub mod discovery;
pub mod domains;
pub mod fast_reads;
mod fts_structure;
pub mod invitation_list;
pub mod invitations;
pub mod join_requests;
pub mod links;
mod listing;
pub mod member_fts;
pub mod member_list;
pub mod member_origin;
pub mod member_pages;
pub mod member_search;
pub mod members;
pub mod outbox;
pub mod readiness;
mod remembered;
pub mod search_upkeep;
pub mod seed;
pub mod sessions;
mod sqlite_read;
pub mod teams;
pub mod throttle;
pub mod tokens;
pub mod webhook_deliveries;
pub mod webhooks;
pub mod who;
pub mod workspace_settings;
pub mod workspaces;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};

use crate::config::Backend;
use fast_reads::FastReads;

/// A database error from the store layer.
pub type StoreResult<T> = Result<T, sqlx::Error>;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The connection pool plus the one fact about it that SQL sometimes needs: which backend.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite on a file: the hottest reads go straight through rusqlite (`fast_reads`).
    fast: Option<Arc<FastReads>>,
}

impl Store {
    /// Connects, creating the SQLite file (and its folder) when missing.
    pub async fn connect(url: &str, backend: Backend) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let url = match backend {
            Backend::Sqlite => sqlite_url_with_create(url)?,
            Backend::Postgres => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            // No ping before every checkout: on SQLite it is a round trip to the
            // connection's worker thread, doubling the context switches of each query; a
            // broken connection fails its query and is dropped by the pool anyway.
            .test_before_acquire(false)
            .before_acquire(|conn, _| Box::pin(async move { Ok(transaction_state_is_known(conn)) }))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // mmap_size: pages are read from the operating system's cache in
                        // place, shared by every connection, rather than copied into each
                        // connection's own 2 MB cache, which a search's look-ups scattered
                        // over 100,000 members miss (they took twice as long).
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                             PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                             PRAGMA mmap_size = 1073741824;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let fast = match backend {
            Backend::Sqlite => FastReads::for_url(&url).map(Arc::new),
            Backend::Postgres => None,
        };
        Ok(Self {
            pool,
            backend,
            fast,
        })
    }

    /// Opens an SQLite database that must already exist (for `gatehouse backup`).
    pub async fn open_existing(url: &str, backend: Backend) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let separator = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{separator}mode=rw");
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect_with(AnyConnectOptions::from_str(&url)?)
            .await?;
        sqlx::query("PRAGMA busy_timeout = 10000")
            .execute(&pool)
            .await?;
        Ok(Self {
            pool,
            backend,
            fast: None,
        })
    }

    /// SQLite only: writes a consistent, compacted copy of the whole database to `file`
    /// (`VACUUM INTO` reads one snapshot; the server's writers carry on meanwhile).
    pub async fn copy_into(&self, file: &str) -> StoreResult<()> {
        sqlx::query("VACUUM INTO $1")
            .bind(file)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Applies every migration of this backend's folder.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The rusqlite path for the hottest reads, when this is SQLite on a file.
    pub fn fast_reads(&self) -> Option<&Arc<FastReads>> {
        self.fast.as_ref()
    }

    /// The database's version of all its data (see `FastReads::data_version`): equal
    /// twice only when nothing was committed between. `None` where there is no such
    /// version (PostgreSQL, an in-memory database) or it could not be read.
    pub fn data_version(&self) -> Option<i64> {
        self.fast.as_ref()?.data_version().ok()
    }

    /// Begins a transaction that will write. SQLite takes the write lock up front
    /// (`BEGIN IMMEDIATE`) so concurrent writers queue on busy_timeout instead of failing.
    pub async fn begin_write(&self) -> StoreResult<Transaction<'static, Any>> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Whether an idle connection may be handed out again: not when it still counts itself
/// inside a transaction. That happens when a statement or COMMIT failed in a way that made
/// SQLite roll the transaction back on its own (SQLITE_FULL, SQLITE_IOERR): sqlx's
/// ROLLBACK on drop then fails ("no transaction is active"), its transaction depth stays
/// at 1, and every later `BEGIN IMMEDIATE` on that connection would be refused until a
/// restart. Such a connection is closed and the pool opens a fresh one. It reads a
/// counter the connection keeps: no round trip on the hot path. (By the time a connection
/// is idle, the pool's ping on release has flushed any rollback queued when its
/// transaction was dropped, so the counter is current.)
fn transaction_state_is_known(conn: &mut sqlx::AnyConnection) -> bool {
    use sqlx::Connection;
    if conn.is_in_transaction() {
        tracing::warn!("closing a database connection left inside a failed transaction");
        return false;
    }
    true
}

fn sqlite_url_with_create(url: &str) -> StoreResult<String> {
    if url.contains(":memory:") || url.contains("mode=") {
        return Ok(url.to_string());
    }
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{separator}mode=rwc"))
}

/// `VALUES` for a multi-row INSERT: `row` (e.g. `"(?, ?, 1)"`) repeated `rows` times with
/// every `?` numbered `$1`, `$2`, … in order. (sqlx's QueryBuilder writes `?` for the `Any`
/// driver, which PostgreSQL refuses.)
pub fn values(row: &str, rows: usize) -> String {
    let mut sql = String::from(" VALUES ");
    let mut n = 0;
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        for c in row.chars() {
            if c == '?' {
                n += 1;
                sql.push_str(&format!("${n}"));
            } else {
                sql.push(c);
            }
        }
    }
    sql
}

/// 0/1 integer flags as stored.
pub fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// Whether an error is a unique-constraint violation (on either backend).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
