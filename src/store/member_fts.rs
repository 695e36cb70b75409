//! SQLite's substring index of the Members list (migrations/sqlite/0017): the FTS5
//! trigram table `member_search`, whose rowids place each member by workspace, status,
//! sort-key bucket (the first three characters) and seat. One rowid range is one
//! workspace's members of one status in nearly the list's order, so a page of matches is
//! found among the first buckets' matches: only those are looked up and sorted, however
//! many match after them.

use super::member_list::{MemberQuery, SeatFilter};
use super::member_pages::{Arg, Position, Statement};
use super::member_search;

/// The bits below the bucket: the seat and the member's number.
const BUCKET_SHIFT: u32 = 25;

/// A bucket's characters, and the bits of each one's class.
const CLASSES: u32 = 3;
const CLASS_BITS: u32 = 5;

/// The class of every character above 'z' (letters are 1 to 26, the rest 0).
const ABOVE_Z: i64 = 27;

/// Where a workspace's rowids start: its scope's number, shifted.
pub const SCOPE_SHIFT: u32 = 42;

/// The bit of a rowid that says its member is suspended.
const STATUS_SHIFT: u32 = 41;

/// Where `q`'s status starts within a scope's rowids; its range is `1 << STATUS_SHIFT`
/// long (the suspended range ends where the next scope starts: added, not or-ed).
fn status_offset(q: &MemberQuery) -> i64 {
    i64::from(q.status_str() == "suspended") << STATUS_SHIFT
}

/// The rowids of workspace $1's members of `q`'s status: `[from, to)`, as SQL.
fn range(q: &MemberQuery) -> (String, String) {
    let scope = format!(
        "(SELECT s.number << {SCOPE_SHIFT} FROM member_search_scopes s WHERE s.workspace_id = $1)"
    );
    let from = status_offset(q);
    (
        format!("({scope} + {from})"),
        format!("({scope} + {})", from + (1 << STATUS_SHIFT)),
    )
}

/// The seat filter on the rowids of `alias` (a bit of the rowid, tested on each match
/// without reading anything else).
fn seat(q: &MemberQuery, alias: &str) -> String {
    match q.seat {
        SeatFilter::All => String::new(),
        SeatFilter::With => format!(" AND (({alias}.rowid >> 24) & 1) = 1"),
        SeatFilter::Without => format!(" AND (({alias}.rowid >> 24) & 1) = 0"),
    }
}

/// FROM and WHERE of the matches of `phrase` in `[from, to)` as FTS rows `alias`, by
/// rowid.
fn hits(q: &MemberQuery, phrase: &str, alias: &str, from: &str, to: &str, desc: bool) -> String {
    format!(
        "FROM member_search {alias} WHERE {alias}.member_search MATCH {phrase} \
         AND {alias}.rowid >= {from} AND {alias}.rowid < {to}{} ORDER BY {alias}.rowid{}",
        seat(q, alias),
        if desc { " DESC" } else { "" }
    )
}

/// The first match in the list's order (the last, Z→A) as a subquery giving its rowid;
/// $1 must be the workspace.
pub fn first_match(st: &mut Statement, q: &MemberQuery) -> String {
    let phrase = st.text(&member_search::fts_phrase(&q.search));
    let (from, to) = range(q);
    format!(
        "SELECT h.rowid {} LIMIT 1",
        hits(q, &phrase, "h", &from, &to, q.descending)
    )
}

/// The condition that starts a walk of the list (memberships `p`) at the sort-key bucket
/// of `edge`, the rowid of the first match in the list's order (the last, Z→A): no entry
/// before that bucket matches. A bucket is three character classes (migrations/sqlite/
/// 0022): a letter bounds the key by itself; 0 (the end, or below 'a') and 27 (above
/// 'z') bound it by the range they stand for, and end the bucket.
pub fn walk_bound(edge: &str, descending: bool) -> String {
    // From the third character back, each class a CASE around what follows it.
    let (mut bound, below, above) = if descending {
        ("char(1114111)".to_string(), "'a'", "char(1114111)")
    } else {
        ("''".to_string(), "''", "'{'")
    };
    for place in (0..CLASSES).rev() {
        let shift = BUCKET_SHIFT + CLASS_BITS * (CLASSES - 1 - place);
        let class = format!("(({edge} >> {shift}) & 31)");
        bound = format!(
            "CASE {class} WHEN 0 THEN {below} WHEN {ABOVE_Z} THEN {above} \
             ELSE char(96 + {class}) || {bound} END"
        );
    }
    let cmp = if descending { "<" } else { ">=" };
    format!(" AND p.sort_name {cmp} {bound}")
}

/// The number of workspace $1's range of rowids (column `id`; no row before its first
/// member): read once, so that `matches` compares each rowid with two numbers instead of
/// a subquery's answer (SQLite tests the range again on every match).
pub fn scope(workspace_id: &str) -> Statement {
    let mut st = Statement::default();
    st.text(workspace_id);
    st.push("SELECT s.number AS id FROM member_search_scopes s WHERE s.workspace_id = $1");
    st
}

/// The rowids of `q`'s status in scope `number`: `[from, to)`.
pub fn rowid_range(number: i64, q: &MemberQuery) -> (i64, i64) {
    let from = (number << SCOPE_SHIFT) + status_offset(q);
    (from, from + (1 << STATUS_SHIFT))
}

/// The rowids of the first `cap + 1` matches in the list's order (column `id`), from the
/// rowids `[from, to)` (`rowid_range`): how many match, and which of them a page is
/// among (`bucket_run`).
pub fn matches(q: &MemberQuery, (from, to): (i64, i64), cap: i64) -> Statement {
    let mut st = Statement::default();
    let phrase = st.text(&member_search::fts_phrase(&q.search));
    let from = st.arg(Arg::Int(from));
    let to = st.arg(Arg::Int(to));
    let limit = st.arg(Arg::Int(cap + 1));
    st.push(&format!(
        "SELECT h.rowid AS id {} LIMIT {limit}",
        hits(q, &phrase, "h", &from, &to, q.descending)
    ));
    st
}

/// The matches that the page of `want` entries starting `at` entries in is among, as a
/// run of whole sort-key buckets of `known` (the first matches in the list's order: every
/// one when `complete`), and how many of the run come before the page once it is sorted.
/// None when the page's last bucket may go on past `known`.
pub fn bucket_run(
    known: &[i64],
    at: usize,
    want: usize,
    complete: bool,
) -> Option<(Vec<i64>, i64)> {
    if at >= known.len() {
        return complete.then(|| (Vec::new(), 0));
    }
    let bucket = |i: usize| known[i] >> BUCKET_SHIFT;
    let start = (0..at)
        .rev()
        .take_while(|&i| bucket(i) == bucket(at))
        .last()
        .unwrap_or(at);
    let last = (at + want.max(1) - 1).min(known.len() - 1);
    let end = (last + 1..known.len())
        .find(|&i| bucket(i) != bucket(last))
        .unwrap_or(known.len());
    if end == known.len() && !complete {
        return None;
    }
    Some((known[start..end].to_vec(), (at - start) as i64))
}

/// SELECT and WHERE of the matches a page from `position` is among, as `r`
/// (member_search_rows: account id and sort key), `limit` of them after skipping
/// `offset`, in the list's order (reversed when `desc`): the matches `Position::Among`
/// names, else every match of the buckets up to the one holding the `offset + limit`th
/// match counted from where the page starts (from the cursor's bucket, after skipping
/// that bucket's matches, for a cursor). Any other match lies in a later bucket, so sorts
/// after them.
pub fn page_rows(
    st: &mut Statement,
    workspace_id: &str,
    q: &MemberQuery,
    position: &Position,
    limit: i64,
    desc: bool,
) {
    st.text(workspace_id);
    if let Position::Among { matches, .. } = position {
        let ids: Vec<String> = matches.iter().map(i64::to_string).collect();
        let ids = st.text(&format!("[{}]", ids.join(",")));
        st.push(&format!(
            "SELECT r.account_id, r.sort_name FROM member_search_rows r \
             WHERE r.id IN (SELECT j.value FROM json_each({ids}) j)"
        ));
        return;
    }
    let phrase = st.text(&member_search::fts_phrase(&q.search));
    let (lo, hi) = range(q);
    // Where the page's matches start (its end, when reading backwards), and how many of
    // the matches from there come before the page.
    let (start, skip) = match position {
        Position::Cursor { account_id, .. } => {
            let id = st.text(account_id);
            let bucket = format!(
                "({lo} + ((((SELECT c.id FROM member_search_rows c WHERE c.workspace_id = $1 \
                 AND c.account_id = {id}) >> {BUCKET_SHIFT}) & 65535) << {BUCKET_SHIFT}))"
            );
            let end = format!("({bucket} + (1 << {BUCKET_SHIFT}))");
            let own = format!(
                "(SELECT COUNT(*) FROM (SELECT o.rowid {}))",
                hits(q, &phrase, "o", &bucket, &end, false)
            );
            (if desc { end } else { bucket }, own)
        }
        Position::Offset(n)
        | Position::Anchor { skip: n, .. }
        | Position::Among { skip: n, .. } => {
            let n = st.arg(Arg::Int(*n));
            (if desc { hi.clone() } else { lo.clone() }, n)
        }
    };
    let nth = st.arg(Arg::Int(limit - 1));
    let (from, to) = if desc {
        let last = format!(
            "COALESCE((SELECT (bound.rowid >> {BUCKET_SHIFT}) << {BUCKET_SHIFT} FROM (SELECT e.rowid {} LIMIT 1 OFFSET {skip} + {nth}) bound), {lo})",
            hits(q, &phrase, "e", &lo, &start, true)
        );
        (last, start)
    } else {
        let last = format!(
            "COALESCE((SELECT ((bound.rowid >> {BUCKET_SHIFT}) + 1) << {BUCKET_SHIFT} FROM (SELECT e.rowid {} LIMIT 1 OFFSET {skip} + {nth}) bound), {hi})",
            hits(q, &phrase, "e", &start, &hi, false)
        );
        (start, last)
    };
    st.push(&format!(
        "SELECT r.account_id, r.sort_name FROM member_search f \
         CROSS JOIN member_search_rows r ON r.id = f.rowid \
         WHERE f.member_search MATCH {phrase} AND f.rowid >= {from} AND f.rowid < {to}{}",
        seat(q, "f")
    ));
}

#[cfg(test)]
mod tests {
    use super::{BUCKET_SHIFT, bucket_run};

    /// Rowids in the list's order, each in the bucket given (two members share one).
    fn known(buckets: &[i64]) -> Vec<i64> {
        buckets
            .iter()
            .enumerate()
            .map(|(i, b)| (b << BUCKET_SHIFT) + i as i64)
            .collect()
    }

    #[test]
    fn a_page_is_among_the_whole_buckets_from_its_first_entry_to_its_last() {
        let all = known(&[1, 1, 2, 2, 2, 3]);
        assert_eq!(bucket_run(&all, 0, 3, true), Some((all[0..5].to_vec(), 0)));
        // The page starts inside bucket 2: the run starts with that bucket, and the one
        // of its entries before the page is skipped once sorted.
        assert_eq!(bucket_run(&all, 3, 2, true), Some((all[2..5].to_vec(), 1)));
        assert_eq!(bucket_run(&all, 4, 2, true), Some((all[2..6].to_vec(), 2)));
        assert_eq!(bucket_run(&all, 5, 10, true), Some((all[5..6].to_vec(), 0)));
        assert_eq!(bucket_run(&all, 6, 2, true), Some((Vec::new(), 0)));
    }

    #[test]
    fn a_page_whose_last_bucket_may_go_on_past_the_known_matches_is_not_among_them() {
        let first = known(&[1, 1, 2, 2, 2, 3]);
        assert_eq!(
            bucket_run(&first, 0, 3, false),
            Some((first[0..5].to_vec(), 0))
        );
        assert_eq!(bucket_run(&first, 4, 2, false), None);
        assert_eq!(bucket_run(&first, 0, 10, false), None);
        assert_eq!(bucket_run(&first, 6, 2, false), None);
    }
}
