//! "You cannot invite": what a member who may not invite sees instead of the Invite
//! dialog (and on their workspace's home), naming who can: the workspace's Owners and
//! Admins (a few by name, "and N more") and the coordinator when one is set (seed 000,
//! "Cannot invite … Contact a workspace owner or admin").

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::super::extract::Member;
use super::super::page::Page;
use crate::error::AppResult;
use crate::services::Services;
use crate::store::{members, workspaces};

/// How many Owners and Admins are named before "and N more".
const NAMED: i64 = 3;

/// Who a member should ask to invite someone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WhoCanInvite {
    /// "Ada Lovelace, Bo Li and 2 more"; empty when the workspace has no active manager.
    pub managers: String,
    /// The coordinator's name (or email when unnamed), with their email when set.
    pub coordinator: Option<(String, String)>,
}

impl WhoCanInvite {
    pub async fn load(svc: &Services, workspace_id: &str) -> AppResult<Self> {
        let pool = svc.store.pool();
        let (names, total) = members::managers_named(pool, workspace_id, NAMED).await?;
        let c = workspaces::coordinator(pool, workspace_id).await?;
        let name = match c.coordinator_name.trim() {
            "" => c.coordinator_email.trim().to_string(),
            n => n.to_string(),
        };
        Ok(Self {
            managers: name_list(&names, total),
            coordinator: (!name.is_empty()).then(|| (name, c.coordinator_email.trim().to_string())),
        })
    }
}

/// "A", "A and B", "A, B and C", "A, B, C and 4 more".
pub fn name_list(names: &[String], total: i64) -> String {
    let more = total - i64::try_from(names.len()).unwrap_or(total);
    let mut parts: Vec<String> = names.to_vec();
    if more > 0 {
        parts.push(format!("{more} more"));
    }
    match parts.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "invitations/cannot_page.html")]
struct CannotPage {
    page: Page,
    who: WhoCanInvite,
}

/// The Invite page for someone who may not invite: 403, saying whom to ask.
pub async fn page(svc: &Services, member: &Member, page: Page) -> AppResult<Response> {
    let who = WhoCanInvite::load(svc, &member.workspace.id).await?;
    Ok((StatusCode::FORBIDDEN, CannotPage { page, who }).into_response())
}

#[cfg(test)]
mod tests {
    use super::name_list;

    #[test]
    fn names_read_as_a_list_with_the_rest_counted() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(name_list(&n(&[]), 0), "");
        assert_eq!(name_list(&n(&["Ada"]), 1), "Ada");
        assert_eq!(name_list(&n(&["Ada", "Bo"]), 2), "Ada and Bo");
        assert_eq!(name_list(&n(&["Ada", "Bo", "Cy"]), 3), "Ada, Bo and Cy");
        assert_eq!(
            name_list(&n(&["Ada", "Bo", "Cy"]), 7),
            "Ada, Bo, Cy and 4 more"
        );
    }
}
