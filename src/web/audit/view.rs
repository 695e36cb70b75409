//! What the Audit log templates and the CSV show of an event: the time in UTC, the event
//! in words (see `words`), the IP, and the page's filters and links; for the CSV, who
//! acted and on whom (name and email, or "System" when nobody signed in did it).

use super::AuditParams;
use super::words::{Part, action_label, sentence};
use crate::store::audit_log::{Cursor, ListedEvent};
use crate::store::member_list::ListedMember;

/// A person (or thing) as a cell shows it: a name, and an email under it when known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub email: String,
}

/// The actor: their account, or "System" when no signed-in person acted.
pub fn actor(e: &ListedEvent) -> Party {
    match (&e.actor_account_id, &e.actor_email) {
        (Some(_), Some(email)) => Party {
            name: e.actor_name.clone().unwrap_or_default(),
            email: email.clone(),
        },
        (Some(id), None) => Party {
            name: id.clone(),
            email: String::new(),
        },
        (None, _) => Party {
            name: "System".into(),
            email: String::new(),
        },
    }
}

/// The target: the account acted on, else the target as stored (an invited address, …),
/// else nothing.
pub fn target(e: &ListedEvent) -> Party {
    match (&e.target_email, &e.target_account_id, &e.target) {
        (Some(email), _, _) => Party {
            name: e.target_name.clone().unwrap_or_default(),
            email: email.clone(),
        },
        (None, Some(id), _) => Party {
            name: id.clone(),
            email: String::new(),
        },
        (None, None, Some(t)) => Party {
            name: t.clone(),
            email: String::new(),
        },
        (None, None, None) => Party::default(),
    }
}

/// `2026-11-21 14:03:07 UTC`, and the same instant in ISO 8601 for `<time>` and the CSV.
pub fn times(unix: i64) -> (String, String) {
    chrono::DateTime::from_timestamp(unix, 0).map_or_else(Default::default, |d| {
        (
            d.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        )
    })
}

/// One row of the table: when, what happened in words, and from where.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub time: String,
    pub iso_time: String,
    pub sentence: Vec<Part>,
    pub ip: String,
}

impl EventRow {
    /// The row of `e` in workspace `slug` (whose member pages the names link to).
    pub fn new(e: ListedEvent, slug: &str) -> Self {
        let (time, iso_time) = times(e.created_at);
        Self {
            time,
            iso_time,
            sentence: sentence(&e, slug),
            ip: e.ip.unwrap_or_default(),
        }
    }
}

/// An entry of the action filter.
#[derive(Debug, Clone)]
pub struct ActionOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Everything the page and its results fragment show.
#[derive(Debug, Clone)]
pub struct AuditView {
    pub slug: String,
    pub rows: Vec<EventRow>,
    pub actions: Vec<ActionOption>,
    pub person: String,
    /// Set when the page shows one member's trail.
    pub member: Option<MemberFilter>,
    pub filtered: bool,
    pub prev_link: Option<String>,
    pub next_link: Option<String>,
    pub csv_link: String,
}

impl AuditView {
    pub fn new(
        slug: &str,
        params: &AuditParams,
        actions: Vec<String>,
        events: Vec<ListedEvent>,
        newer: bool,
        older: bool,
    ) -> Self {
        let base = format!("/w/{slug}/audit");
        let link = |cursor: Cursor| match params.query_string(cursor) {
            q if q.is_empty() => base.clone(),
            q => format!("{base}?{q}"),
        };
        let first = events.first().map(|e| e.id);
        let last = events.last().map(|e| e.id);
        let query = params.query();
        let chosen = query.action.clone().unwrap_or_default();
        Self {
            slug: slug.to_string(),
            actions: actions
                .into_iter()
                .map(|value| ActionOption {
                    selected: value == chosen,
                    label: action_label(&value),
                    value,
                })
                .collect(),
            person: params.person.trim().to_string(),
            member: None,
            filtered: query.action.is_some() || !query.person.is_empty() || query.member.is_some(),
            prev_link: newer.then(|| link(first.map_or(Cursor::Newest, Cursor::After))),
            next_link: last.filter(|_| older).map(|id| link(Cursor::Before(id))),
            csv_link: format!(
                "/w/{slug}/audit.csv?{}",
                params.query_string(Cursor::Newest)
            ),
            rows: events.into_iter().map(|e| EventRow::new(e, slug)).collect(),
        }
    }
}

/// The notice above a member's trail: whose it is, and the way back to everyone's.
#[derive(Debug, Clone)]
pub struct MemberFilter {
    pub account_id: String,
    /// "Name (email)" of a current member; a former member is not named (their account
    /// is none of this workspace's business any more).
    pub label: String,
    pub everyone_link: String,
}

impl MemberFilter {
    /// The notice for `account_id`'s trail; `listed` is that account's membership here,
    /// if it still has one.
    pub fn new(
        slug: &str,
        params: &AuditParams,
        account_id: &str,
        listed: Option<ListedMember>,
    ) -> Self {
        let everyone = AuditParams {
            member: String::new(),
            ..params.clone()
        };
        Self {
            account_id: account_id.to_string(),
            label: listed.map_or_else(
                || "a former member".to_string(),
                |m| format!("{} ({})", m.display_name, m.email),
            ),
            everyone_link: match everyone.query_string(Cursor::Newest).as_str() {
                "" => format!("/w/{slug}/audit"),
                q => format!("/w/{slug}/audit?{q}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc() {
        assert_eq!(
            times(1_700_000_000),
            (
                "2023-11-14 22:13:20 UTC".to_string(),
                "2023-11-14T22:13:20Z".to_string()
            )
        );
    }
}
