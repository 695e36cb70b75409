//! What the Audit log templates and the CSV show of an event: the time in UTC, who acted
//! and on whom (name and email, or "System" when nobody signed in did it), the details
//! as `key: value` pairs, and the page's filters and links.

use super::AuditParams;
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

/// A JSON object of details as `key: value, key: value` (strings bare, other values as
/// compact JSON); anything that is not an object is shown as stored.
pub fn details_summary(details: Option<&str>) -> String {
    let Some(raw) = details else {
        return String::new();
    };
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => raw.to_string(),
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

/// One row of the table.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub time: String,
    pub iso_time: String,
    pub actor: Party,
    pub action: String,
    pub target: Party,
    pub details: String,
    pub ip: String,
}

impl From<ListedEvent> for EventRow {
    fn from(e: ListedEvent) -> Self {
        let (time, iso_time) = times(e.created_at);
        Self {
            time,
            iso_time,
            actor: actor(&e),
            target: target(&e),
            details: details_summary(e.details.as_deref()),
            ip: e.ip.unwrap_or_default(),
            action: e.action,
        }
    }
}

/// An entry of the action filter.
#[derive(Debug, Clone)]
pub struct ActionOption {
    pub value: String,
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
            rows: events.into_iter().map(EventRow::from).collect(),
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
    fn details_read_as_key_value_pairs() {
        assert_eq!(
            details_summary(Some(r#"{"from":"member","to":"admin","seat":true,"n":3}"#)),
            "from: member, n: 3, seat: true, to: admin"
        );
        assert_eq!(details_summary(Some("not json")), "not json");
        assert_eq!(details_summary(Some("[1,2]")), "[1,2]");
        assert_eq!(details_summary(None), "");
    }

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
