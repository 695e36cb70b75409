//! What a Members search matches, and the columns that answer it: the sort key
//! `memberships.sort_name` and the text `memberships.search_text`, both kept current
//! whenever someone joins or renames themselves (the indexes over them follow by trigger:
//! see migrations/*/0017_substring_search.sql). Leaving needs nothing here.
//!
//! Three characters or more match any part of a name or the email, domain included;
//! one or two characters (too short for a trigram index) match the start of the display
//! name, which is a range of the list's own index.

use sqlx::AnyConnection;

use super::StoreResult;

/// Between the lower-cased display name and the email in `sort_name`: below every printable
/// character, so the order is that of (display name, email).
pub const SORT_SEPARATOR: &str = "\u{1}";

/// Between the parts of `search_text`, so that no match spans two of them.
pub const TEXT_SEPARATOR: char = '\u{1}';

/// Appended to a prefix to bound its range: above every character.
pub const PREFIX_END: char = '\u{10FFFF}';

/// The longest search kept, in characters.
const MAX_CHARS: usize = 100;

/// `sort_name` as SQL over an `accounts` row aliased `a` ($sep is the separator).
pub fn sort_name_sql(separator_param: usize) -> String {
    format!("lower(a.display_name) || ${separator_param} || a.email")
}

/// `search_text`: the display name, the first and last names unless the display name
/// already holds them (every part of them is then a part of it), and the email,
/// lower-cased.
pub fn search_text(first: &str, last: &str, display: &str, email: &str) -> String {
    let display = display.to_lowercase();
    let mut text = display.clone();
    for name in [first, last] {
        let name = name.to_lowercase();
        if !display.contains(&name) {
            text.push(TEXT_SEPARATOR);
            text.push_str(&name);
        }
    }
    text.push(TEXT_SEPARATOR);
    text.push_str(&email.to_lowercase());
    text
}

/// A search as typed, made into what the store looks for: trimmed, lower-cased, without
/// control characters, at most 100 characters.
pub fn normalize(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_lowercase()
        .chars()
        .take(MAX_CHARS)
        .collect()
}

/// How a (normalized) search is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No search: the whole list.
    None,
    /// One or two characters: the display names that start with them.
    NameStart,
    /// Three characters or more: any part of a name or the email.
    Part,
}

pub fn kind(search: &str) -> Kind {
    match search.chars().count() {
        0 => Kind::None,
        1 | 2 => Kind::NameStart,
        _ => Kind::Part,
    }
}

/// The search as an FTS5 phrase: quoted, quotes doubled. The trigram tokenizer makes it
/// the consecutive trigrams of the text, so it matches exactly where the text occurs;
/// `%`, `_` and `*` are plain characters inside a phrase.
pub fn fts_phrase(search: &str) -> String {
    format!("\"{}\"", search.replace('"', "\"\""))
}

/// The search as a LIKE pattern for "contains", `\` escaping the wildcards.
pub fn like_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in search.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// After an account's names changed: its sort key and search text in every workspace.
pub async fn reindex_account(conn: &mut AnyConnection, account_id: &str) -> StoreResult<()> {
    let Some(account) = super::accounts::by_id(&mut *conn, account_id).await? else {
        return Ok(());
    };
    let text = search_text(
        &account.first_name,
        &account.last_name,
        &account.display_name,
        &account.email,
    );
    let sql = format!(
        "UPDATE memberships SET search_text = $3, \
         sort_name = (SELECT {} FROM accounts a WHERE a.id = memberships.account_id) \
         WHERE account_id = $2",
        sort_name_sql(1)
    );
    sqlx::query(&sql)
        .bind(SORT_SEPARATOR)
        .bind(account_id)
        .bind(text)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_holds_each_name_once_and_the_email() {
        assert_eq!(
            search_text("Anna", "Smith", "Anna Smith", "Anna.Smith@Example.com"),
            "anna smith\u{1}anna.smith@example.com"
        );
        assert_eq!(
            search_text("Robert", "Ågren", "Bob", "bob@x.se"),
            "bob\u{1}robert\u{1}ågren\u{1}bob@x.se"
        );
    }

    #[test]
    fn searches_are_normalized_and_sorted_by_length() {
        assert_eq!(normalize("  AnNa\u{1}\t "), "anna");
        assert_eq!(normalize(&"x".repeat(150)).len(), 100);
        assert_eq!(kind(""), Kind::None);
        assert_eq!(kind("é"), Kind::NameStart);
        assert_eq!(kind("an"), Kind::NameStart);
        assert_eq!(kind("ann"), Kind::Part);
    }

    #[test]
    fn wildcards_stay_literal() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
        assert_eq!(fts_phrase("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
