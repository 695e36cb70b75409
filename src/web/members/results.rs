//! The Members page's results (count, table of members, pagination) as HTML. Rendering 50
//! rows costs more than everything else the page does, so the HTML is kept in the
//! instance's `RenderCache` under a key naming all it depends on: the workspace and its
//! `list_version` (bumped by the database with every change to members, their names or
//! their teams), the viewer (their own row says "you" and has no controls) and their role,
//! and the filters and page. Nothing in it belongs to a session (CSRF is checked from
//! request headers, `web::csrf`), so every session of the same viewer shares one copy.
//! The Pending filter lists invitations and is never kept.

use askama::Template;
use axum::body::Bytes;

use super::view::{MembersView, Paging, member_row, team_tags};
use super::{ListParams, PAGE_SIZE};
use crate::error::AppResult;
use crate::services::Services;
use crate::store::avatars;
use crate::store::invitation_list::InvitationFilter;
use crate::store::member_list;
use crate::web::extract::Member;
use crate::web::render_cache::RenderCache;

#[derive(Template)]
#[template(path = "members/_results.html")]
struct Results<'a> {
    v: &'a MembersView,
}

/// The results for `params` as `member` sees them, kept or freshly rendered.
pub async fn html(
    svc: &Services,
    kept: &RenderCache,
    member: &Member,
    params: &ListParams,
) -> AppResult<Bytes> {
    let render = async {
        let v = load_view(svc, member, params).await?;
        let mut html = String::with_capacity(RESULTS_BYTES);
        Results { v: &v }
            .render_into(&mut html)
            .map_err(anyhow::Error::from)?;
        Ok(Bytes::from(html))
    };
    match params.query() {
        Some(_) => kept.get_or_render(cache_key(member, params), render).await,
        None => render.await,
    }
}

/// About what a full page of results takes (50 rows of ~830 bytes, count, pagination),
/// so rendering them does not grow the buffer by doubling.
const RESULTS_BYTES: usize = 48 * 1024;

/// Everything the results are made from. The list version comes from the same read as
/// the viewer's membership, so it is at least as new as the request.
fn cache_key(member: &Member, params: &ListParams) -> String {
    let w = &member.workspace;
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        w.id,
        w.list_version,
        w.slug,
        member.signed_in.account.id,
        member.role.as_str(),
        params.query_string_at(params.page_number(), &params.cursor()),
    )
}

/// Loads one page of results with everything the page shows around it.
async fn load_view(svc: &Services, member: &Member, params: &ListParams) -> AppResult<MembersView> {
    let w = &member.workspace;
    let page_number = params.page_number();
    let offset = (page_number - 1) * PAGE_SIZE;
    let Some(query) = params.query() else {
        let search = params.q.trim().to_lowercase();
        let filter = InvitationFilter::Pending;
        let (invitations, total) =
            crate::web::invitations::listing::load(svc, &w.id, filter, &search, PAGE_SIZE, offset)
                .await?;
        let paging = Paging::numbered(total, page_number);
        let mut view = MembersView::new(member, params, Vec::new(), paging);
        view.invitations = invitations;
        return Ok(view);
    };
    let page = member_list::page(
        &svc.store,
        &w.id,
        &query,
        offset,
        &params.cursor(),
        PAGE_SIZE,
    )
    .await?;
    let paging = Paging {
        total: page.total,
        page: if page.has_prev { page_number } else { 1 },
        has_prev: page.has_prev,
        has_next: page.has_next,
        first_id: page.rows.first().map(|m| m.account_id.clone()),
        last_id: page.rows.last().map(|m| m.account_id.clone()),
    };
    let me = &member.signed_in.account.id;
    let mut tags = team_tags(page.teams);
    let pictures = page.avatars;
    let rows = page
        .rows
        .into_iter()
        .map(|m| {
            let teams = tags.remove(&m.account_id).unwrap_or_default();
            let mut row = member_row(&w.slug, m, member.role, me, None, teams);
            row.avatar = avatars::path(&row.account_id, &pictures);
            row
        })
        .collect();
    Ok(MembersView::new(member, params, rows, paging))
}
