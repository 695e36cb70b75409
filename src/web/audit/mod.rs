//! The Audit log page (Owners and Admins): every audit event of the workspace, newest
//! first, filtered by action and by person through a plain GET form (htmx swaps just the
//! results), 50 a page by keyset, and the same selection as CSV. Read-only: nothing here
//! or below changes an event.

mod export;
pub(crate) mod view;
pub(crate) mod words;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::extract::{Admin, Member, htmx_targets};
use super::page::{Page, PageContext};
use crate::app::AppState;
use crate::error::AppResult;
use crate::services::Services;
use crate::store::audit_log::{self, AuditQuery, Cursor, ListedEvent};
use crate::store::member_list;
use view::{AuditView, MemberFilter};

pub const PAGE_SIZE: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/audit", get(show))
        .route("/w/{slug}/audit.csv", get(export::csv))
}

/// The page's query string, as typed; anything unparsable counts as absent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditParams {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub person: String,
    /// An account id: only that member's trail (from their detail page).
    #[serde(default)]
    pub member: String,
    #[serde(default)]
    pub before: String,
    #[serde(default)]
    pub after: String,
}

impl AuditParams {
    /// The filters for the store: at most 100 characters each, the person lower-cased.
    pub fn query(&self) -> AuditQuery {
        let action: String = self.action.trim().chars().take(100).collect();
        let member: String = self.member.trim().chars().take(100).collect();
        AuditQuery {
            member: (!member.is_empty()).then_some(member),
            action: (!action.is_empty()).then_some(action),
            person: self
                .person
                .trim()
                .to_lowercase()
                .chars()
                .take(100)
                .collect(),
        }
    }

    pub fn cursor(&self) -> Cursor {
        if let Ok(id) = self.before.trim().parse() {
            Cursor::Before(id)
        } else if let Ok(id) = self.after.trim().parse() {
            Cursor::After(id)
        } else {
            Cursor::Newest
        }
    }

    /// The query string for these filters from `cursor` (no cursor: the first page, or
    /// with `Cursor::Newest` the CSV export).
    pub fn query_string(&self, cursor: Cursor) -> String {
        let mut pairs = vec![
            ("action", self.action.trim().to_string()),
            ("person", self.person.trim().to_string()),
            ("member", self.member.trim().to_string()),
        ];
        match cursor {
            Cursor::Newest => {}
            Cursor::Before(id) => pairs.push(("before", id.to_string())),
            Cursor::After(id) => pairs.push(("after", id.to_string())),
        }
        let kept: Vec<(&str, String)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        serde_urlencoded::to_string(kept).unwrap_or_default()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/index.html")]
struct AuditPage {
    page: Page,
    v: AuditView,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/results_fragment.html")]
struct ResultsFragment {
    v: AuditView,
}

async fn show(
    State(svc): State<Services>,
    Admin(member): Admin,
    ctx: PageContext,
    Query(params): Query<AuditParams>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let results_only = htmx_targets(&headers, "audit-results");
    let v = load_view(&svc, &member, &params, !results_only).await?;
    if results_only {
        return Ok(ResultsFragment { v }.into_response());
    }
    let page = ctx.in_workspace(&member, "Audit log", "audit");
    Ok(AuditPage { page, v }.into_response())
}

/// One page of events and whether there are newer and older ones; with `filters`, also
/// what only the whole page shows: the filter's actions and the member it is about.
async fn load_view(
    svc: &Services,
    member: &Member,
    params: &AuditParams,
    filters: bool,
) -> AppResult<AuditView> {
    let pool = svc.store.pool();
    let workspace_id = &member.workspace.id;
    let query = params.query();
    let (rows, newer, older) = load_page(svc, workspace_id, &query, params.cursor()).await?;
    let actions = match filters {
        true => audit_log::actions(pool, workspace_id).await?,
        false => Vec::new(),
    };
    let mut view = AuditView::new(&member.workspace.slug, params, actions, rows, newer, older);
    if let Some(account_id) = query.member.as_ref().filter(|_| filters) {
        let listed = member_list::one(pool, workspace_id, account_id).await?;
        view.member = Some(MemberFilter::new(
            &member.workspace.slug,
            params,
            account_id,
            listed,
        ));
    }
    Ok(view)
}

/// Up to a page of events from `cursor`, newest first, with whether newer and older
/// matches exist (one row more than a page is read to tell). Paging back to the newest
/// events shows the first page, full, rather than a short remainder.
async fn load_page(
    svc: &Services,
    workspace_id: &str,
    query: &AuditQuery,
    cursor: Cursor,
) -> AppResult<(Vec<ListedEvent>, bool, bool)> {
    let pool = svc.store.pool();
    let limit = i64::try_from(PAGE_SIZE + 1).unwrap_or(51);
    let mut rows = audit_log::page(pool, workspace_id, query, cursor, limit).await?;
    let mut cursor = cursor;
    if let Cursor::After(_) = cursor {
        if rows.len() > PAGE_SIZE {
            rows.remove(0);
            return Ok((rows, true, true));
        }
        cursor = Cursor::Newest;
        rows = audit_log::page(pool, workspace_id, query, cursor, limit).await?;
    }
    let older = rows.len() > PAGE_SIZE;
    rows.truncate(PAGE_SIZE);
    Ok((rows, cursor != Cursor::Newest, older))
}
