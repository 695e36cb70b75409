//! The CSV button: exactly the members the current search and filters show, every page,
//! streamed row by row through a small bounded channel so memory stays flat.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::ListParams;
use crate::domain::Role;
use crate::domain::csv::record;
use crate::services::Services;
use crate::store::member_list::{self, ListedMember};
use crate::web::extract::Admin;

const HEADER: &str =
    "id,email,firstName,lastName,isAdmin,hasSeat,role,status,joinedAt,joinedVia\r\n";
/// Rows per chunk handed to the socket.
const CHUNK_ROWS: usize = 500;

pub async fn csv(
    State(svc): State<Services>,
    Admin(member): Admin,
    Query(params): Query<ListParams>,
) -> Response {
    let (tx, rx) = mpsc::channel::<ListedMember>(CHUNK_ROWS * 2);
    let workspace_id = member.workspace.id.clone();
    let pool = svc.store.pool().clone();
    if let Some(query) = params.query() {
        tokio::spawn(async move {
            if let Err(e) = member_list::send_all(&pool, &workspace_id, &query, tx).await {
                tracing::error!(error = %e, "CSV export stopped part-way");
            }
        });
    }
    let rows =
        futures_util::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|row| (row, rx)) },
        );
    let body = futures_util::stream::once(async { HEADER.to_string() })
        .chain(
            rows.ready_chunks(CHUNK_ROWS)
                .map(|chunk| chunk.iter().map(csv_line).collect::<String>()),
        )
        .map(Ok::<_, std::convert::Infallible>);
    let filename = format!(
        "attachment; filename=\"{}-members.csv\"",
        member.workspace.slug
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        Body::from_stream(body),
    )
        .into_response()
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
