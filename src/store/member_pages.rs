//! The SQL of one Members page, built from where its candidates come from (`Source`) and
//! where the page starts (`Position`), so that every combination reads one index in order
//! and stops after the page: the first page, a numbered page deep in the list (from the
//! bucket counts of `member_list_buckets`), the page after or before a row (keyset), each
//! of the whole list, of a name start, of a walk testing each entry, or of the substring
//! index. `member_list` decides which; this module only writes the statements.

use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs};

use super::fast_reads::Param;
use super::member_fts;
use super::member_list::MemberQuery;
use super::member_search::{self, PREFIX_END};
use crate::config::Backend;

/// A bound parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Int(i64),
}

/// SQL with its parameters, numbered in the order they were added.
#[derive(Debug, Clone, Default)]
pub struct Statement {
    pub sql: String,
    pub args: Vec<Arg>,
    /// Planned anew at every run, with its parameters (not kept prepared): a search on
    /// PostgreSQL, whose best plan depends on how many match the text.
    pub replan: bool,
}

impl Statement {
    /// Adds a parameter; returns its placeholder.
    pub(super) fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    pub(super) fn text(&mut self, value: &str) -> String {
        self.arg(Arg::Text(value.to_string()))
    }

    pub(super) fn push(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }

    /// The parameters for the store's fast path (`fast_reads`).
    pub fn fast_params(&self) -> Vec<Param<'_>> {
        self.args
            .iter()
            .map(|arg| match arg {
                Arg::Text(s) => Param::Text(s),
                Arg::Int(n) => Param::Int(*n),
            })
            .collect()
    }

    /// `query` with the parameters bound.
    pub fn bind<'q, O>(
        &self,
        query: QueryAs<'q, Any, O, AnyArguments<'q>>,
    ) -> QueryAs<'q, Any, O, AnyArguments<'q>> {
        let query = query.persistent(!self.replan);
        self.args.iter().fold(query, |q, arg| match arg {
            Arg::Text(s) => q.bind(s.clone()),
            Arg::Int(n) => q.bind(*n),
        })
    }

    /// `query` (rows read as they come, for EXPLAIN) with the parameters bound.
    pub fn bind_query<'q>(
        &self,
        query: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        let query = query.persistent(!self.replan);
        self.args.iter().fold(query, |q, arg| match arg {
            Arg::Text(s) => q.bind(s.clone()),
            Arg::Int(n) => q.bind(*n),
        })
    }
}

/// Where a page's candidates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The list's index in order: everyone, or (a search of one or two characters) the
    /// range of display names starting with the search.
    List,
    /// The list's index in order, each entry's search text tested: a search most of the
    /// list matches. On SQLite from the bucket of `edge`, the rowid of the first match
    /// (`member_fts::walk_bound`).
    Walk { edge: Option<i64> },
    /// The substring index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL), the matches
    /// then sorted: a search at most `COUNT_CAP` members match.
    Index,
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// Skip this many entries.
    Offset(i64),
    /// Deep in the list: from the first entry of `bucket` (the last, Z→A), skip `skip`.
    Anchor { bucket: String, skip: i64 },
    /// The entries after (`after` true) or before this account's, in the list's order.
    Cursor { account_id: String, after: bool },
    /// Of the substring index's matches on SQLite: among these (by rowid: whole sort-key
    /// buckets, `member_fts::bucket_run`), skip `skip` once sorted.
    Among { matches: Vec<i64>, skip: i64 },
}

/// The filter every statement starts from: $1 workspace, $2 status, the seat, and for a
/// name-start search its range.
fn filter(st: &mut Statement, workspace_id: &str, q: &MemberQuery, alias: &str) {
    st.text(workspace_id);
    st.text(q.status_str());
    st.push(&format!(
        " WHERE {alias}.workspace_id = $1 AND {alias}.status = $2{}",
        q.seat_sql(alias)
    ));
    if member_search::kind(&q.search) == member_search::Kind::NameStart {
        let (from, to) = name_range(&q.search);
        let from = st.text(&from);
        let to = st.text(&to);
        let column = if alias == "b" { "bucket" } else { "sort_name" };
        st.push(&format!(
            " AND {alias}.{column} >= {from} AND {alias}.{column} < {to}"
        ));
    }
}

/// The range of sort keys starting with `prefix`.
fn name_range(prefix: &str) -> (String, String) {
    (prefix.to_string(), format!("{prefix}{PREFIX_END}"))
}

/// The condition a walk tests on each entry: its search text contains $n.
fn contains(backend: Backend, param: &str) -> String {
    match backend {
        Backend::Sqlite => format!(" AND instr(p.search_text, {param}) > 0"),
        Backend::Postgres => format!(" AND strpos(p.search_text, {param}) > 0"),
    }
}

/// How many members match `q`'s search, counting no further than `cap + 1` (column
/// `n`). On SQLite a search of three characters or more is counted from the substring
/// index instead (`member_fts::matches`).
pub fn capped_count(backend: Backend, workspace_id: &str, q: &MemberQuery, cap: i64) -> Statement {
    let mut st = searching(backend, q);
    st.push("SELECT COUNT(*) AS n FROM (SELECT 1 FROM memberships p");
    filter(&mut st, workspace_id, q, "p");
    if member_search::kind(&q.search) == member_search::Kind::Part {
        let pattern = st.text(&member_search::like_pattern(&q.search));
        st.push(&format!(" AND p.search_text LIKE {pattern} ESCAPE '\\'"));
    }
    let limit = st.arg(Arg::Int(cap + 1));
    st.push(&format!(" LIMIT {limit}) x"));
    st
}

/// Entries of the list read to tell whether much of it matches a search (`crowded`).
const PROBE: i64 = 64;

/// Entries of the list walked at most to count a search that much of it matches.
const WALK_MOST: i64 = 4096;

/// On SQLite, for a search of three characters or more: the rowid of the first match in
/// the list's order from the substring index (column `edge`, NULL when none match);
/// whether at least half of the first `PROBE` entries of the list from that match's
/// bucket match (`crowded`); and, when they do, how many match among the `WALK_MOST`
/// entries from there, counted no further than `cap + 1` (`walked`, else NULL). The
/// substring index counts a search much of the list matches one costly match at a time
/// (an email domain: fifteen trigrams each in every entry); the walk tests a thousand
/// entries in a fraction of that.
pub fn edge_and_walked(workspace_id: &str, q: &MemberQuery, cap: i64) -> Statement {
    with_walked(look(workspace_id, q, Start::FirstMatch), q, cap)
}

/// On SQLite, for a long search: whether at least half of the first `PROBE` entries of
/// the list match (`crowded`), and when they do, how many match among the first
/// `WALK_MOST`, as `edge_and_walked` counts them (`walked`; `edge` is NULL). A search
/// nearly everyone matches (their email domain) is counted from the top of the list
/// without looking for its first match in the substring index (fifteen costly terms).
pub fn top_walked(workspace_id: &str, q: &MemberQuery, cap: i64) -> Statement {
    with_walked(look(workspace_id, q, Start::Top), q, cap)
}

/// On SQLite: the first match and whether the list crowds with matches from its bucket,
/// as `edge_and_walked` finds them, without the count (`walked` is NULL): for a search
/// counted first that turned out to match more than `COUNT_CAP`.
pub fn edge(workspace_id: &str, q: &MemberQuery) -> Statement {
    let Looked { mut st, select, .. } = look(workspace_id, q, Start::FirstMatch);
    st.sql = format!("SELECT x.edge, x.crowded, NULL AS walked FROM ({select}) x");
    st
}

/// Where a look at the list starts: its top (its end, Z→A), or the bucket of the
/// search's first match in the substring index.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Start {
    Top,
    FirstMatch,
}

/// A look at the list for a search: the statement's parameters so far, the list's filter
/// (a WHERE on memberships `p`), and a SELECT of `edge` (NULL from the top) and
/// `crowded`.
struct Looked {
    start: Start,
    st: Statement,
    filter: String,
    select: String,
}

/// See `edge_and_walked`; the filter's parameters come first ($1 the workspace, as
/// `member_fts::first_match` needs).
fn look(workspace_id: &str, q: &MemberQuery, start: Start) -> Looked {
    let mut st = Statement::default();
    filter(&mut st, workspace_id, q, "p");
    let filter = std::mem::take(&mut st.sql);
    let select = match start {
        Start::Top => {
            let probed = matching(&mut st, q, &filter, PROBE, None);
            format!(
                "SELECT NULL AS edge, (SELECT COUNT(*) FROM ({probed})) * 2 >= {PROBE} AS crowded"
            )
        }
        Start::FirstMatch => {
            let first = member_fts::first_match(&mut st, q);
            let probed = matching(&mut st, q, &filter, PROBE, Some("e.edge"));
            format!(
                "SELECT e.edge, e.edge IS NOT NULL AND (SELECT COUNT(*) FROM ({probed})) * 2 >= {PROBE} \
                 AS crowded FROM (SELECT ({first}) AS edge) e"
            )
        }
    };
    Looked {
        start,
        st,
        filter,
        select,
    }
}

/// `looked`'s edge and crowd, and when crowded how many match among the `WALK_MOST`
/// entries from where it looked, counted no further than `cap + 1` (`walked`).
fn with_walked(looked: Looked, q: &MemberQuery, cap: i64) -> Statement {
    let Looked {
        start,
        mut st,
        filter,
        select,
    } = looked;
    let edge = (start == Start::FirstMatch).then_some("x.edge");
    let walked = matching(&mut st, q, &filter, WALK_MOST, edge);
    let limit = st.arg(Arg::Int(cap + 1));
    st.sql = format!(
        "WITH x AS MATERIALIZED ({select}) SELECT x.edge, x.crowded, \
         CASE WHEN x.crowded THEN (SELECT COUNT(*) FROM ({walked} LIMIT {limit})) END AS walked \
         FROM x"
    );
    st
}

/// The entries that match among the first `entries` of the list (`filter`) from the
/// bucket of the match whose rowid is `edge` (from the top without one), one row each.
/// Each entry is tested as it is read and only the answer leaves the inner query, whose
/// text would be copied out.
fn matching(
    st: &mut Statement,
    q: &MemberQuery,
    filter: &str,
    entries: i64,
    edge: Option<&str>,
) -> String {
    let search = st.text(&q.search);
    let bound = edge.map_or(String::new(), |edge| {
        member_fts::walk_bound(edge, q.descending)
    });
    format!(
        "SELECT 1 FROM (SELECT instr(p.search_text, {search}) AS hit FROM memberships p{filter}{bound} \
         ORDER BY p.sort_name{} LIMIT {entries}) x WHERE x.hit > 0",
        direction(q.descending)
    )
}

/// What `edge_and_walked` and `edge` read.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct EdgeRow {
    pub edge: Option<i64>,
    /// 1 when most entries from the first match's bucket match, else 0.
    pub crowded: i64,
    pub walked: Option<i64>,
}

impl EdgeRow {
    pub fn is_crowded(&self) -> bool {
        self.crowded == 1
    }
}

impl super::fast_reads::FromFastRow for EdgeRow {
    fn from_fast_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            edge: row.get(0)?,
            crowded: row.get(1)?,
            walked: row.get(2)?,
        })
    }
}

/// What `capped_count` reads.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct CountRow {
    pub n: i64,
}

impl super::fast_reads::FromFastRow for CountRow {
    fn from_fast_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self { n: row.get("n")? })
    }
}

/// What `member_fts::scope` and `member_fts::matches` read: one number a row.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct IdRow {
    pub id: i64,
}

impl super::fast_reads::FromFastRow for IdRow {
    fn from_fast_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self { id: row.get(0)? })
    }
}

/// A statement for `q`: replanned at every run when it searches on PostgreSQL.
fn searching(backend: Backend, q: &MemberQuery) -> Statement {
    Statement {
        replan: backend == Backend::Postgres && !q.search.is_empty(),
        ..Statement::default()
    }
}

/// How many members each sort-key bucket holds, in the list's order (columns `bucket`,
/// `members`; a bucket comes on two rows, with and without a seat, when the filter takes
/// both): `member_list::anchor` adds them up to find where a numbered page deep in the
/// list starts. A few hundred rows of the table's key; summing them in Rust costs a
/// fifth of a window function's running sum over the grouped buckets in SQLite.
pub fn buckets(workspace_id: &str, q: &MemberQuery) -> Statement {
    let mut st = Statement::default();
    st.push("SELECT b.bucket, b.members FROM member_list_buckets b");
    filter(&mut st, workspace_id, q, "b");
    st.push(&format!(" ORDER BY b.bucket{}", direction(q.descending)));
    st
}

fn direction(descending: bool) -> &'static str {
    if descending { " DESC" } else { "" }
}

/// `accounts a`, read through the index that holds the listed columns (one B-tree
/// descent per member: see migrations/*/0020_accounts_listed.sql). SQLite is told to use
/// it; PostgreSQL's planner takes it by itself.
fn listed_accounts(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "accounts a INDEXED BY accounts_listed",
        Backend::Postgres => "accounts a",
    }
}

/// The membership columns a row shows, from memberships `alias`.
fn membership_columns(alias: &str) -> String {
    [
        "account_id",
        "sort_name",
        "role",
        "has_seat",
        "status",
        "joined_at",
        "joined_via",
    ]
    .map(|c| format!("{alias}.{c}"))
    .join(", ")
}

/// One page: up to `limit` memberships from `position` in the list's order (reversed
/// when `reverse`, for the page before a cursor), each joined to its account, its
/// picture's version (`avatar_at`, NULL without one) and teams (one row per team).
/// Column `total` is the list's count from `member_counts` when `source` is the whole
/// list, NULL otherwise. The rows come unordered: the caller orders them by `sort_name`
/// (unique: it ends with the email), which costs less in Rust than SQLite's sorter, a
/// temporary B-tree built for 51 rows with all their columns.
pub fn page(
    backend: Backend,
    workspace_id: &str,
    q: &MemberQuery,
    source: Source,
    position: &Position,
    limit: i64,
) -> Statement {
    let reverse = matches!(position, Position::Cursor { after: false, .. });
    let dir = direction(q.descending != reverse);
    let mut st = searching(backend, q);
    let key = if source == Source::Index && backend == Backend::Sqlite {
        let desc = q.descending != reverse;
        member_fts::page_rows(&mut st, workspace_id, q, position, limit, desc);
        "r.sort_name"
    } else {
        st.push(&format!(
            "SELECT {} FROM memberships p",
            membership_columns("p")
        ));
        filter(&mut st, workspace_id, q, "p");
        match source {
            Source::List => {}
            Source::Walk { edge } => {
                let search = st.text(&q.search);
                st.push(&contains(backend, &search));
                if let Some(edge) = edge {
                    let edge = st.arg(Arg::Int(edge));
                    st.push(&member_fts::walk_bound(&edge, q.descending));
                }
            }
            Source::Index => {
                // Every match first (from the trigram index: there are few), then the
                // page of them in order: OFFSET 0 keeps PostgreSQL from walking the list
                // instead, testing each entry, which a cursor far from the matches makes
                // long.
                let pattern = st.text(&member_search::like_pattern(&q.search));
                st.push(&format!(" AND p.search_text LIKE {pattern} ESCAPE '\\'"));
                st.sql = format!(
                    "SELECT {} FROM ({} OFFSET 0) p WHERE TRUE",
                    membership_columns("p"),
                    st.sql
                );
            }
        }
        "p.sort_name"
    };
    position_sql(&mut st, q, position, key, reverse);
    if !whole_page(position, limit) {
        let limit = st.arg(Arg::Int(limit));
        let offset = match position {
            Position::Offset(n) => *n,
            Position::Anchor { skip, .. } | Position::Among { skip, .. } => *skip,
            Position::Cursor { .. } => 0,
        };
        let offset = st.arg(Arg::Int(offset));
        st.push(&format!(
            " ORDER BY {key}{dir} LIMIT {limit} OFFSET {offset}"
        ));
    }
    if key == "r.sort_name" {
        // The index that holds the listed columns (one B-tree descent per member; SQLite
        // would take the primary key, then read each membership's row).
        st.sql = format!(
            "SELECT {} FROM ({}) k CROSS JOIN memberships p INDEXED BY memberships_match \
             ON p.workspace_id = $1 AND p.account_id = k.account_id",
            membership_columns("p"),
            st.sql
        );
    }
    let total = if source == Source::List && q.search.is_empty() {
        format!(
            "(SELECT CAST(COALESCE(SUM(c.members), 0) AS BIGINT) FROM member_counts c \
             WHERE c.workspace_id = $1 AND c.status = $2{})",
            q.seat_sql("c")
        )
    } else {
        "CAST(NULL AS BIGINT)".to_string()
    };
    st.sql = format!(
        "SELECT {}, {total} AS total, t.name AS team_name, tm.is_primary AS team_primary, \
         page.sort_name, av.updated_at AS avatar_at \
         FROM ({}) page JOIN {} ON a.id = page.account_id \
         LEFT JOIN avatars av ON av.account_id = page.account_id \
         LEFT JOIN team_members tm ON tm.workspace_id = $1 AND tm.account_id = page.account_id \
         LEFT JOIN teams t ON t.id = tm.team_id",
        super::member_list::COLUMNS.replace("m.", "page."),
        st.sql,
        listed_accounts(backend)
    );
    st
}

/// Whether every entry `position` names is on the page: they need no sorting to choose
/// the page's (the caller orders the rows).
fn whole_page(position: &Position, limit: i64) -> bool {
    matches!(position, Position::Among { matches, skip: 0 } if matches.len() as i64 <= limit)
}

/// The condition that starts the page at `position` (on the sort key `key`).
fn position_sql(
    st: &mut Statement,
    q: &MemberQuery,
    position: &Position,
    key: &str,
    reverse: bool,
) {
    match position {
        Position::Offset(_) | Position::Among { .. } => {}
        Position::Anchor { bucket, .. } => {
            if q.descending {
                let end = st.text(&format!("{bucket}{PREFIX_END}"));
                st.push(&format!(" AND {key} < {end}"));
            } else {
                let start = st.text(bucket);
                st.push(&format!(" AND {key} >= {start}"));
            }
        }
        Position::Cursor { account_id, .. } => {
            let id = st.text(account_id);
            let cmp = if q.descending != reverse { "<" } else { ">" };
            st.push(&format!(
                " AND {key} {cmp} (SELECT c.sort_name FROM memberships c \
                 WHERE c.workspace_id = $1 AND c.account_id = {id})"
            ));
        }
    }
}

/// Every match in order, for the CSV export: the list's index in order, each entry's
/// search text tested (LIKE, which both databases run the same way on lower-cased text).
pub fn all(backend: Backend, workspace_id: &str, q: &MemberQuery) -> Statement {
    let mut st = Statement::default();
    st.push(&format!(
        "SELECT {} FROM memberships m JOIN {} ON a.id = m.account_id",
        super::member_list::COLUMNS,
        listed_accounts(backend)
    ));
    filter(&mut st, workspace_id, q, "m");
    if member_search::kind(&q.search) == member_search::Kind::Part {
        let pattern = st.text(&member_search::like_pattern(&q.search));
        st.push(&format!(" AND m.search_text LIKE {pattern} ESCAPE '\\'"));
    }
    st.push(&format!(" ORDER BY m.sort_name{}", direction(q.descending)));
    st
}
