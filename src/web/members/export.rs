//! The CSV button: exactly the members the current search and filters show, every page,
//! streamed row by row through a small bounded channel so memory stays flat.

use axum::extract::{Query, State};
use axum::response::Response;

use super::ListParams;
use crate::domain::Role;
use crate::domain::csv::record;
use crate::services::Services;
use crate::store::member_list::{self, ListedMember};
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
    let pool = svc.store.pool().clone();
    let filename = format!("{}-members.csv", member.workspace.slug);
    csv_download::attachment(HEADER, csv_line, &filename, |rows| async move {
        match params.query() {
            Some(query) => member_list::send_all(&pool, &workspace_id, &query, rows).await,
            // Pending people are invitations, not members: the file has the header only.
            None => Ok(()),
        }
    })
}

fn csv_line(m: &ListedMember) -> String {
    let role = Role::parse(&m.role).unwrap_or(Role::Viewer);
    let joined = chrono::DateTime::from_timestamp(m.joined_at, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default();
    record([
        m.account_id.as_str(),
        m.email.as_str(),
        m.first_name.as_str(),
        m.last_name.as_str(),
        if role.is_admin() { "yes" } else { "no" },
        if m.has_seat == 1 { "yes" } else { "no" },
        role.as_str(),
        m.status.as_str(),
        joined.as_str(),
        m.joined_via.as_str(),
    ])
}
