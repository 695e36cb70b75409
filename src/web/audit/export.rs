//! The Audit log's CSV: exactly the events the current filters show, every page, newest
//! first, written by the store into chunks as it reads them (see `csv_download`) so
//! memory stays flat, each cell escaped like the members CSV (formulas defused).

use axum::extract::{Query, State};
use axum::response::Response;

use super::AuditParams;
use super::view::{actor, target, times};
use super::words::{plain, sentence};
use crate::domain::csv::push_record;
use crate::services::Services;
use crate::store::audit_log::{self, ListedEvent};
use crate::web::csv_download;
use crate::web::extract::Admin;

const HEADER: &str =
    "time,actor,actorEmail,action,target,targetEmail,details,ip,summary,apiToken\r\n";

/// The CSV download of exactly what the filters show, streamed from the database.
pub async fn csv(
    State(svc): State<Services>,
    Admin(member): Admin,
    Query(params): Query<AuditParams>,
) -> Response {
    let workspace_id = member.workspace.id.clone();
    let store = svc.store.clone();
    let query = params.query();
    let filename = format!("{}-audit-log.csv", member.workspace.slug);
    csv_download::attachment(HEADER, &filename, |chunks| async move {
        audit_log::write_all(&store, &workspace_id, &query, csv_line, chunks).await
    })
}

/// One event as a CSV record: the time in ISO 8601, the actor, the action key, the target,
/// the details as the JSON stored and the IP, so nothing is lost; then the event in words
/// as the page shows it (the `summary` column, added last so the others keep their place)
/// and the API token the change was made through, if any.
fn csv_line(e: &ListedEvent, out: &mut String) {
    let (_, time) = times(e.created_at);
    let (who, whom) = (actor(e), target(e));
    push_record(
        out,
        [
            time.as_str(),
            who.name.as_str(),
            who.email.as_str(),
            e.action.as_str(),
            whom.name.as_str(),
            whom.email.as_str(),
            e.details.as_deref().unwrap_or_default(),
            e.ip.as_deref().unwrap_or_default(),
            plain(&sentence(e, "")).as_str(),
            e.api_token_name.as_deref().unwrap_or_default(),
        ],
    );
}
