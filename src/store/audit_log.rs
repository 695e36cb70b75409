//! Reading the audit log for the Audit log page and its CSV: one workspace's events newest
//! first, filtered by action and by person, a page at a time by keyset on `id`, the
//! actions present (for the filter's select), and every match streamed for the export.
//! Reads only: events are written by `audit::record` (or `record_many`) and never changed
//! or deleted.

use sqlx::{Any, Executor, FromRow};
use tokio::sync::mpsc;

use super::listing::{Columns, Listing, WriteRow, bind_all, write_rows};
use super::member_pages::{Arg, Statement};
use super::{Store, StoreResult};

/// Which events to list, already validated.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Exactly this action, or any.
    pub action: Option<String>,
    /// Lower-cased start of the actor's or target's email, display name, first or last
    /// name (or of a target stored as text, such as an invited address); empty for anyone.
    pub person: String,
    /// One account's trail: events it did, that were done to it, or that name its address.
    pub member: Option<String>,
}

/// Where a page starts: the newest events, or the events older or newer than an event id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cursor {
    #[default]
    Newest,
    /// Events older than this id (the Next page).
    Before(i64),
    /// Events newer than this id (the Previous page).
    After(i64),
}

/// One event as listed: its columns plus the actor's and target account's names.
#[derive(Debug, Clone, FromRow)]
pub struct ListedEvent {
    pub id: i64,
    pub created_at: i64,
    pub action: String,
    pub actor_account_id: Option<String>,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    /// 1 while the actor is a member of the event's workspace (their page can be linked).
    pub actor_member: i64,
    pub target_account_id: Option<String>,
    pub target_name: Option<String>,
    pub target_email: Option<String>,
    /// 1 while the target account is a member of the event's workspace.
    pub target_member: i64,
    pub target: Option<String>,
    pub details: Option<String>,
    pub ip: Option<String>,
    /// The API token the change was made through, by name.
    pub api_token_name: Option<String>,
}

/// The columns, from audit_events `e` with the actor `ac` and target `tg` accounts, and
/// whether each is still a member (a primary-key look-up each).
const SELECT: &str = "SELECT e.id, e.created_at, e.action, e.actor_account_id, \
     ac.display_name AS actor_name, ac.email AS actor_email, \
     (SELECT COUNT(*) FROM memberships am WHERE am.workspace_id = e.workspace_id \
       AND am.account_id = e.actor_account_id) AS actor_member, e.target_account_id, \
     tg.display_name AS target_name, tg.email AS target_email, \
     (SELECT COUNT(*) FROM memberships tm WHERE tm.workspace_id = e.workspace_id \
       AND tm.account_id = e.target_account_id) AS target_member, e.target, e.details, e.ip, \
     (SELECT t.name FROM api_tokens t WHERE t.id = e.api_token_id) AS api_token_name \
     FROM audit_events e LEFT JOIN accounts ac ON ac.id = e.actor_account_id \
     LEFT JOIN accounts tg ON tg.id = e.target_account_id";

/// Whether lower-cased `column` starts with parameter `$p` (a comparison, not LIKE, so
/// `%` and `_` stay literal on both databases).
fn starts_with(column: &str, p: usize) -> String {
    format!("substr(lower({column}), 1, length(${p})) = ${p}")
}

impl AuditQuery {
    /// The filter's parameters in order: $1 workspace, then the action, the person and
    /// the member.
    fn params(&self, workspace_id: &str) -> Vec<String> {
        let mut params = vec![workspace_id.to_string()];
        params.extend(self.action.clone());
        if !self.person.is_empty() {
            params.push(self.person.clone());
        }
        params.extend(self.member.clone());
        params
    }

    /// WHERE for the filters; the next free parameter number comes back with it.
    fn filter(&self) -> (String, usize) {
        let mut sql = String::from(" WHERE e.workspace_id = $1");
        let mut n = 2;
        if self.action.is_some() {
            sql.push_str(&format!(" AND e.action = ${n}"));
            n += 1;
        }
        if !self.person.is_empty() {
            let columns = [
                "ac.email",
                "ac.display_name",
                "ac.first_name",
                "ac.last_name",
                "tg.email",
                "tg.display_name",
                "tg.first_name",
                "tg.last_name",
                "e.target",
            ];
            let any: Vec<String> = columns.iter().map(|c| starts_with(c, n)).collect();
            sql.push_str(&format!(" AND ({})", any.join(" OR ")));
            n += 1;
        }
        if self.member.is_some() {
            // Three index seeks (by actor, by target account, by target address) rather
            // than a walk of the whole workspace's log testing each event.
            sql.push_str(&format!(
                " AND e.id IN ( \
                   SELECT id FROM audit_events WHERE actor_account_id = ${n} \
                   UNION ALL SELECT id FROM audit_events WHERE target_account_id = ${n} \
                   UNION ALL SELECT id FROM audit_events WHERE workspace_id = $1 \
                     AND target = (SELECT email FROM accounts WHERE id = ${n}))"
            ));
            n += 1;
        }
        (sql, n)
    }

    /// One page from `cursor`: newest first, or oldest first after `Cursor::After` (the
    /// caller reverses it). Its parameters after the filter's: the cursor's id when there
    /// is one, then LIMIT. Read from `audit_events_by_workspace` (or `_by_workspace_action`)
    /// in order.
    pub fn page_sql(&self, cursor: Cursor) -> String {
        let (mut sql, n) = self.filter();
        let (order, next) = match cursor {
            Cursor::Newest => ("DESC", n),
            Cursor::Before(_) => {
                sql.push_str(&format!(" AND e.id < ${n}"));
                ("DESC", n + 1)
            }
            Cursor::After(_) => {
                sql.push_str(&format!(" AND e.id > ${n}"));
                ("ASC", n + 1)
            }
        };
        format!("{SELECT}{sql} ORDER BY e.id {order} LIMIT ${next}")
    }

    /// Every match, newest first (for the CSV).
    pub fn all_sql(&self) -> String {
        format!("{SELECT}{} ORDER BY e.id DESC", self.filter().0)
    }
}

/// Up to `limit` events from `cursor`, always newest first.
pub async fn page<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
    q: &AuditQuery,
    cursor: Cursor,
    limit: i64,
) -> StoreResult<Vec<ListedEvent>> {
    let sql = q.page_sql(cursor);
    let mut query = bind_all(sqlx::query_as(&sql), q.params(workspace_id));
    if let Cursor::Before(id) | Cursor::After(id) = cursor {
        query = query.bind(id);
    }
    let mut rows: Vec<ListedEvent> = query.bind(limit).fetch_all(e).await?;
    if let Cursor::After(_) = cursor {
        rows.reverse();
    }
    Ok(rows)
}

/// The actions of workspace $1's events, in order: one index seek per distinct action (a
/// loose index scan on `audit_events_by_workspace_action`) rather than a read of every
/// event.
pub const ACTIONS_SQL: &str = "WITH RECURSIVE seen (action) AS ( \
       SELECT MIN(action) FROM audit_events WHERE workspace_id = $1 \
       UNION ALL \
       SELECT (SELECT MIN(n.action) FROM audit_events n \
               WHERE n.workspace_id = $1 AND n.action > seen.action) \
       FROM seen WHERE seen.action IS NOT NULL \
     ) SELECT action FROM seen WHERE action IS NOT NULL LIMIT 500";

/// The actions this workspace's events hold, in order, for the action filter.
pub async fn actions<'e, E: Executor<'e, Database = Any>>(
    e: E,
    workspace_id: &str,
) -> StoreResult<Vec<String>> {
    sqlx::query_scalar(ACTIONS_SQL)
        .bind(workspace_id)
        .fetch_all(e)
        .await
}

/// The rows of `all_sql`, read by the positions of `SELECT`.
pub struct Exported;

impl Listing for Exported {
    type Row<'r> = ListedEvent;

    fn read<C: Columns>(row: &C) -> StoreResult<ListedEvent> {
        let text = |i| row.text_or_null(i).map(|t| t.map(str::to_string));
        Ok(ListedEvent {
            id: row.int(0)?,
            created_at: row.int(1)?,
            action: row.text(2)?.to_string(),
            actor_account_id: text(3)?,
            actor_name: text(4)?,
            actor_email: text(5)?,
            actor_member: row.int(6)?,
            target_account_id: text(7)?,
            target_name: text(8)?,
            target_email: text(9)?,
            target_member: row.int(10)?,
            target: text(11)?,
            details: text(12)?,
            ip: text(13)?,
            api_token_name: text(14)?,
        })
    }
}

/// Writes every matching event, newest first, with `write` into chunks of about 64 kB
/// sent to `chunks` (see `listing::write_rows`): memory stays flat however long the log
/// is. Stops when the receiver goes away.
pub async fn write_all(
    store: &Store,
    workspace_id: &str,
    q: &AuditQuery,
    write: WriteRow<Exported>,
    chunks: mpsc::Sender<String>,
) -> StoreResult<()> {
    let st = Statement {
        sql: q.all_sql(),
        args: q.params(workspace_id).into_iter().map(Arg::Text).collect(),
        replan: false,
    };
    write_rows::<Exported>(store, st, write, chunks).await
}
