//! The Members page's search index: the sort key on `memberships.sort_name` and the words in
//! `member_search_terms`, kept current whenever someone joins or renames themselves, so a
//! search is a prefix range on an index rather than a LIKE over every row. (Leaving needs
//! nothing here: the terms go with the membership, ON DELETE CASCADE.)

use std::collections::BTreeSet;

use sqlx::AnyConnection;

use super::StoreResult;

/// Between the lower-cased display name and the email in `sort_name`: below every printable
/// character, so the order is that of (display name, email).
pub const SORT_SEPARATOR: &str = "\u{1}";

/// Appended to a search to bound its prefix range: above every character.
pub const PREFIX_END: char = '\u{10FFFF}';

/// Rows per multi-row INSERT (each row binds three parameters).
const ROWS_PER_INSERT: usize = 300;

/// `sort_name` as SQL over an `accounts` row aliased `a` ($sep is the separator).
pub fn sort_name_sql(separator_param: usize) -> String {
    format!("lower(a.display_name) || ${separator_param} || a.email")
}

/// What a search matches: each word of the names, the whole display name, the email, the
/// email's local part and its domain ("acme-corp" finds everyone @acme-corp.example),
/// lower-cased.
pub fn terms(first: &str, last: &str, display: &str, email: &str) -> BTreeSet<String> {
    let mut terms: BTreeSet<String> = [first, last, display]
        .iter()
        .flat_map(|s| s.split_whitespace())
        .map(str::to_lowercase)
        .collect();
    terms.insert(display.trim().to_lowercase());
    let email = email.to_lowercase();
    if let Some((local, domain)) = email.split_once('@') {
        terms.insert(local.to_string());
        terms.insert(domain.to_string());
    }
    terms.insert(email);
    terms.remove("");
    terms
}

/// One row of `member_search_terms`.
pub struct TermRow<'a> {
    pub workspace_id: &'a str,
    pub term: &'a str,
    pub account_id: &'a str,
}

/// Inserts terms in batches (duplicates are ignored).
pub async fn insert_terms(conn: &mut AnyConnection, rows: &[TermRow<'_>]) -> StoreResult<()> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO member_search_terms (workspace_id, term, account_id){} ON CONFLICT DO NOTHING",
            super::values("(?, ?, ?)", chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = query
                .bind(row.workspace_id)
                .bind(row.term)
                .bind(row.account_id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Replaces the search terms of one account in the given workspaces (all of them when it
/// has just been renamed, one when it has just joined).
pub async fn index_account(
    conn: &mut AnyConnection,
    account_id: &str,
    workspace_ids: &[String],
) -> StoreResult<()> {
    let Some(account) = super::accounts::by_id(&mut *conn, account_id).await? else {
        return Ok(());
    };
    let words = terms(
        &account.first_name,
        &account.last_name,
        &account.display_name,
        &account.email,
    );
    let mut rows = Vec::with_capacity(words.len() * workspace_ids.len());
    for workspace_id in workspace_ids {
        sqlx::query("DELETE FROM member_search_terms WHERE account_id = $1 AND workspace_id = $2")
            .bind(account_id)
            .bind(workspace_id)
            .execute(&mut *conn)
            .await?;
        rows.extend(words.iter().map(|term| TermRow {
            workspace_id,
            term,
            account_id,
        }));
    }
    insert_terms(conn, &rows).await
}

/// After an account's names changed: its sort key and search terms in every workspace.
pub async fn reindex_account(conn: &mut AnyConnection, account_id: &str) -> StoreResult<()> {
    let sql = format!(
        "UPDATE memberships SET sort_name = (SELECT {} FROM accounts a WHERE a.id = memberships.account_id) \
         WHERE account_id = $2",
        sort_name_sql(1)
    );
    sqlx::query(&sql)
        .bind(SORT_SEPARATOR)
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    let workspace_ids: Vec<String> =
        sqlx::query_scalar("SELECT workspace_id FROM memberships WHERE account_id = $1")
            .bind(account_id)
            .fetch_all(&mut *conn)
            .await?;
    index_account(conn, account_id, &workspace_ids).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_words_names_email_parts_and_domain() {
        let t = terms(
            "Anna Maria",
            "Smith",
            "Anna Smith",
            "Anna.Smith@Example.com",
        );
        let expected = [
            "anna",
            "anna smith",
            "anna.smith",
            "anna.smith@example.com",
            "example.com",
            "maria",
            "smith",
        ];
        assert_eq!(t.into_iter().collect::<Vec<_>>(), expected);
    }
}
