//! The Members page: search as you type, seat and status filters, sort, pagination, the
//! seat bar, and per-row role, suspension and removal controls. The rows carry only
//! their role: app.js builds each row's menus from one template per page, and the same
//! controls are plain forms on the member's own page (without JavaScript); htmx swaps
//! just the results, or just the row and the seat bar. The results are rendered once per
//! list version and kept (`results`); a removal's confirmation is fetched when asked for
//! (`confirm`); each name leads to the member's detail page (`detail`).

mod actions;
mod confirm;
mod detail;
mod export;
mod results;
mod view;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use super::extract::{Admin, Member, htmx_targets};
use super::kept_pages::Keepable;
use super::page::{Page, PageContext};
use super::pieces::{KEPT_HTML_HERE, html_around};
use super::render_cache::{KeptCache, RenderCache};
use crate::app::AppState;
use crate::error::AppResult;
use crate::services::Services;
use crate::store::member_list::{Cursor, MemberQuery, SeatFilter, StatusFilter};
use crate::store::member_search;
use view::MembersView;

pub const PAGE_SIZE: i64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/members", get(show))
        .route("/w/{slug}/members.csv", get(export::csv))
        .route(
            "/w/{slug}/members/assign-seats",
            post(actions::assign_seats),
        )
        .route("/w/{slug}/members/auto-assign", post(actions::auto_assign))
        .route("/w/{slug}/members/{account_id}", get(detail::show))
        .route(
            "/w/{slug}/members/{account_id}/role",
            post(actions::change_role),
        )
        .route(
            "/w/{slug}/members/{account_id}/suspend",
            post(actions::suspend),
        )
        .route(
            "/w/{slug}/members/{account_id}/reactivate",
            post(actions::reactivate),
        )
        .route(
            "/w/{slug}/members/{account_id}/remove",
            get(confirm::confirm_remove).post(actions::remove),
        )
}

/// The page's query string, as typed; anything unknown falls back to the default.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub seat: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: Option<i64>,
    /// Next: the page after this member (keyset; `page` is still its number).
    #[serde(default)]
    pub after: String,
    /// Previous: the page before this member.
    #[serde(default)]
    pub before: String,
}

impl ListParams {
    /// The query for the store; `None` for the Pending filter (invitations).
    pub fn query(&self) -> Option<MemberQuery> {
        let status = match self.status.as_str() {
            "pending" => return None,
            "suspended" => StatusFilter::Suspended,
            _ => StatusFilter::Active,
        };
        let seat = match self.seat.as_str() {
            "with" => SeatFilter::With,
            "without" => SeatFilter::Without,
            _ => SeatFilter::All,
        };
        Some(MemberQuery {
            search: member_search::normalize(&self.q),
            seat,
            status,
            descending: self.sort == "desc",
        })
    }

    pub fn page_number(&self) -> i64 {
        self.page.unwrap_or(1).clamp(1, 1_000_000)
    }

    /// Where the page starts besides its number: after or before a member (an account id).
    pub fn cursor(&self) -> Cursor {
        let id = |s: &str| s.trim().chars().take(64).collect::<String>();
        match (id(&self.after), id(&self.before)) {
            (after, _) if !after.is_empty() => Cursor::After(after),
            (_, before) if !before.is_empty() => Cursor::Before(before),
            _ => Cursor::None,
        }
    }

    /// The query string for these filters on another page (or, with `page = None`, for
    /// the CSV export).
    pub fn query_string(&self, page: Option<i64>) -> String {
        self.pairs(page, &Cursor::None)
    }

    /// The query string for these filters on page `page`, read from `cursor`.
    pub fn query_string_at(&self, page: i64, cursor: &Cursor) -> String {
        self.pairs(Some(page), cursor)
    }

    fn pairs(&self, page: Option<i64>, cursor: &Cursor) -> String {
        let mut pairs = vec![
            ("q", self.q.trim().to_string()),
            ("seat", self.seat.clone()),
            ("status", self.status.clone()),
            ("sort", self.sort.clone()),
        ];
        if let Some(p) = page {
            pairs.push(("page", p.to_string()));
        }
        match cursor {
            Cursor::After(id) => pairs.push(("after", id.clone())),
            Cursor::Before(id) => pairs.push(("before", id.clone())),
            Cursor::None => {}
        }
        let kept: Vec<(&str, String)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        serde_urlencoded::to_string(kept).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "members/index.html")]
struct MembersPage {
    page: Page,
    /// The page around the results: filters, seat bar, seat tools.
    v: MembersView,
    /// Where the results (`results::html`) go: `pieces::KEPT_HTML_HERE`.
    results: &'static str,
    /// Members who joined as Viewer for want of a seat and still have none.
    seat_waiting: i64,
}

#[derive(Template)]
#[template(path = "members/results_fragment.html")]
struct ResultsFragment {
    /// Where the results go, as in `MembersPage`.
    results: &'static str,
    /// The toolbar's CSV link for these filters (swapped out of band).
    csv_link: String,
}

async fn show(
    State(svc): State<Services>,
    State(kept): State<RenderCache>,
    State(counts): State<KeptCache<i64>>,
    Admin(member): Admin,
    ctx: PageContext,
    Query(params): Query<ListParams>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let page = ctx.in_workspace(&member, "Members", "members");
    let results = results::html(&svc, &kept, &member, &params).await?;
    let v = MembersView::frame(&member, &params);
    // The results are sent from where they are kept, around the rest (`web::pieces`).
    let fragment = htmx_targets(&headers, "member-results");
    let around = if fragment {
        let csv_link = v.csv_link;
        ResultsFragment {
            results: KEPT_HTML_HERE,
            csv_link,
        }
        .render()
    } else {
        let seat_waiting = seat_waiting(&svc, &counts, &member).await?;
        let page = MembersPage {
            page,
            v,
            results: KEPT_HTML_HERE,
            seat_waiting,
        };
        // Sized for the page, rather than grown (and copied) by doubling.
        let mut html = String::with_capacity(FRAME_BYTES);
        page.render_into(&mut html).map(|()| html)
    };
    let mut response = html_around(around.map_err(anyhow::Error::from)?, results)?;
    // A whole page of members (not Pending invitations, whose expiry moves with the
    // time) may be given again to this session until anything changes (`kept_pages`).
    if !fragment && params.query().is_some() {
        response.extensions_mut().insert(Keepable);
    }
    Ok(response)
}

/// How many members wait for a seat, kept beside the results under the list version:
/// waiting is a membership's, so any change to it bumps the version.
async fn seat_waiting(svc: &Services, counts: &KeptCache<i64>, member: &Member) -> AppResult<i64> {
    let w = &member.workspace;
    let key = format!("{}\n{}\nseat-waiting", w.id, w.list_version);
    let count = crate::store::members::count_seat_waiting(&svc.store, &w.id);
    Ok(counts.get_or_render(key, count).await?)
}

/// About what the page around the results takes (layout, filters, seat bar, menus).
const FRAME_BYTES: usize = 16 * 1024;
