//! The CSV button: exactly the members the current search and filters show, every page,
//! in the list's order, written by the store into chunks as it reads them (see
//! `csv_download`) so memory stays flat.

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, Timelike};

use super::ListParams;
use crate::domain::Role;
use crate::domain::csv::push_record;
use crate::services::Services;
use crate::store::member_list::{self, ExportedMember};
use crate::web::csv_download;
use crate::web::extract::Admin;

const HEADER: &str =
    "id,email,firstName,lastName,isAdmin,hasSeat,role,status,joinedAt,joinedVia\r\n";

/// The CSV download of exactly what the filters show, streamed from the database.
pub async fn csv(
    State(svc): State<Services>,
    Admin(member): Admin,
    Query(params): Query<ListParams>,
) -> Response {
    let workspace_id = member.workspace.id.clone();
    let store = svc.store.clone();
    let filename = format!("{}-members.csv", member.workspace.slug);
    csv_download::attachment(HEADER, &filename, |chunks| async move {
        match params.query() {
            Some(query) => {
                member_list::write_all(&store, &workspace_id, &query, csv_line, chunks).await
            }
            // Pending people are invitations, not members: the file has the header only.
            None => Ok(()),
        }
    })
}

fn csv_line(m: &ExportedMember<'_>, out: &mut String) {
    let role = Role::parse(m.role).unwrap_or(Role::Viewer);
    let joined = iso_time(m.joined_at);
    push_record(
        out,
        [
            m.account_id,
            m.email,
            m.first_name,
            m.last_name,
            if role.is_admin() { "yes" } else { "no" },
            if m.has_seat { "yes" } else { "no" },
            role.as_str(),
            m.status,
            joined.as_ref().map_or("", |t| t.as_str()),
            m.joined_via,
        ],
    );
}

/// Unix seconds as `2024-05-01T09:30:00Z`, without allocating (a line per member);
/// none for a time outside years 0–9999.
fn iso_time(unix: i64) -> Option<IsoTime> {
    let t = chrono::DateTime::from_timestamp(unix, 0)?;
    let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
    let mut text = *b"0000-00-00T00:00:00Z";
    let fields = [
        (0, 4, year),
        (5, 2, t.month()),
        (8, 2, t.day()),
        (11, 2, t.hour()),
        (14, 2, t.minute()),
        (17, 2, t.second()),
    ];
    for (at, width, mut n) in fields {
        for digit in text[at..at + width].iter_mut().rev() {
            *digit = b'0' + (n % 10) as u8;
            n /= 10;
        }
    }
    Some(IsoTime(text))
}

/// A time as `iso_time` writes it: twenty ASCII characters.
struct IsoTime([u8; 20]);

impl IsoTime {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iso_8601_in_utc() {
        let text = |t| iso_time(t).map(|t| t.as_str().to_string());
        assert_eq!(text(1_714_555_800).as_deref(), Some("2024-05-01T09:30:00Z"));
        assert_eq!(text(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            text(253_402_300_799).as_deref(),
            Some("9999-12-31T23:59:59Z")
        );
        assert_eq!(text(253_402_300_800), None);
        assert_eq!(text(i64::MAX), None);
    }

    #[test]
    fn a_line_per_member_with_yes_and_no() {
        let m = ExportedMember {
            account_id: "id-1",
            email: "ann@example.com",
            first_name: "Ann",
            last_name: "=Lee",
            role: "admin",
            has_seat: true,
            status: "active",
            joined_at: 0,
            joined_via: "invitation",
        };
        let mut out = String::new();
        csv_line(&m, &mut out);
        assert_eq!(
            out,
            "id-1,ann@example.com,Ann,\"'=Lee\",yes,yes,admin,active,1970-01-01T00:00:00Z,invitation\r\n"
        );
    }
}
