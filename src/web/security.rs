//! The Security page (Owners and Admins): the joining settings. Who may invite is the
//! Owner's to change (read-only to Admins); the default invitation expiry and
//! Auto-approve join requests are any manager's. Each form posts plainly and through htmx.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};

use super::answer_post;
use super::extract::{Admin, Member, Owner};
use super::form::FormData;
use super::page::{Page, PageContext};
use super::session::AuthSession;
use crate::app::AppState;
use crate::clock::format_date;
use crate::domain::{DomainName, Role};
use crate::error::{AppError, AppResult};
use crate::services::{FieldErrors, ServiceResult, Services, links, security};
use crate::store::domains;
use crate::store::workspace_settings::{self, JoinSettings};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/security", get(show))
        .route("/w/{slug}/security/who-may-invite", post(who_may_invite))
        .route("/w/{slug}/security/invitations", post(invitation_defaults))
        .route("/w/{slug}/security/links", post(allow_links))
        .route("/w/{slug}/security/discoverable", post(discoverable))
        .route(
            "/w/{slug}/security/links/delete-all",
            post(delete_all_links),
        )
}

#[derive(Template, WebTemplate)]
#[template(path = "security/index.html")]
pub(super) struct SecurityPage {
    page: Page,
    ws: JoinSettings,
    is_owner: bool,
    /// Approved domains: (as stored, as people read it).
    domains: Vec<(String, String)>,
    /// What was typed in the Add domain fields, shown again beside their errors.
    domain_typed: String,
    proof_email_typed: String,
    /// Proof links sent and not yet followed: (domain as people read it, address, expires).
    pending_proofs: Vec<(String, String, String)>,
    errors: FieldErrors,
}

pub(super) async fn security_page(
    svc: &Services,
    ctx: &PageContext,
    member: &Member,
    errors: FieldErrors,
) -> AppResult<SecurityPage> {
    let pool = svc.store.pool();
    let ws = workspace_settings::get(pool, &member.workspace.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let domains = domains::list(pool, &ws.id)
        .await?
        .into_iter()
        .map(|d| {
            let shown = DomainName::display(&d);
            (d, shown)
        })
        .collect();
    let pending_proofs = domains::pending_proofs(pool, &ws.id, svc.clock.now())
        .await?
        .into_iter()
        .map(|p| {
            let shown = DomainName::display(&p.domain);
            (shown, p.email, format_date(p.expires_at))
        })
        .collect();
    Ok(SecurityPage {
        page: ctx.in_workspace(member, "Security", "security"),
        ws,
        is_owner: member.role == Role::Owner,
        domains,
        domain_typed: String::new(),
        proof_email_typed: String::new(),
        pending_proofs,
        errors,
    })
}

impl SecurityPage {
    /// Keeps what was typed in the Add domain fields.
    pub(super) fn with_domain_typed(mut self, domain: &str, proof_email: &str) -> Self {
        self.domain_typed = domain.to_string();
        self.proof_email_typed = proof_email.to_string();
        self
    }
}

async fn show(
    State(svc): State<Services>,
    Admin(member): Admin,
    ctx: PageContext,
) -> AppResult<SecurityPage> {
    security_page(&svc, &ctx, &member, FieldErrors::default()).await
}

async fn who_may_invite(
    State(svc): State<Services>,
    Owner(member): Owner,
    auth: AuthSession,
    ctx: PageContext,
    form: FormData,
) -> AppResult<Response> {
    let outcome =
        security::set_who_may_invite(&svc, &member.manager(), form.get("who_may_invite")).await;
    saved(
        &svc,
        &ctx,
        &auth,
        &member,
        outcome,
        "Saved: who may invite.",
    )
    .await
}

async fn invitation_defaults(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    ctx: PageContext,
    form: FormData,
) -> AppResult<Response> {
    let outcome = security::set_invitation_defaults(
        &svc,
        &member.manager(),
        form.get("invitation_expiry_days"),
        form.checked("auto_approve_join_requests"),
    )
    .await;
    saved(
        &svc,
        &ctx,
        &auth,
        &member,
        outcome,
        "Saved: invitation settings.",
    )
    .await
}

/// A setting's answer: back to the page with its confirmation, or the page again with
/// the refusal beside the field (422).
async fn saved(
    svc: &Services,
    ctx: &PageContext,
    auth: &AuthSession,
    member: &Member,
    outcome: ServiceResult<()>,
    done: &str,
) -> AppResult<Response> {
    let then = format!("/w/{}/security", member.workspace.slug);
    answer_post(outcome, &auth.session, done, &then, |errors| {
        security_page(svc, ctx, member, errors)
    })
    .await
}

/// Allow invite links: off, every existing link is revoked for good and none can be made;
/// on again, no old link comes back.
async fn allow_links(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    ctx: PageContext,
    form: FormData,
) -> AppResult<Response> {
    let on = form.checked("allow_invite_links");
    let outcome = links::set_allowed(&svc, &member.manager(), on).await;
    let done = match (&outcome, on) {
        (_, true) => "Saved: invite links are allowed. Links revoked earlier stay revoked.".into(),
        (Ok(n), false) => format!(
            "Saved: invite links are off; {n} existing link{} revoked for good.",
            if *n == 1 { " was" } else { "s were" }
        ),
        (Err(_), false) => String::new(),
    };
    saved(&svc, &ctx, &auth, &member, outcome.map(|_| ()), &done).await
}

async fn delete_all_links(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    ctx: PageContext,
) -> AppResult<Response> {
    let outcome = links::delete_all(&svc, &member.manager()).await;
    let done = match &outcome {
        Ok(n) => format!("Deleted {n} invite link{}.", if *n == 1 { "" } else { "s" }),
        Err(_) => String::new(),
    };
    saved(&svc, &ctx, &auth, &member, outcome.map(|_| ()), &done).await
}

/// Discoverable: on, the workspace is listed on Browse workspaces; off, it is incognito.
async fn discoverable(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    ctx: PageContext,
    form: FormData,
) -> AppResult<Response> {
    let on = form.checked("discoverable");
    let outcome = security::set_discoverable(&svc, &member.manager(), on).await;
    let done = if on {
        "Saved: the workspace is listed on Browse workspaces."
    } else {
        "Saved: the workspace is incognito."
    };
    saved(&svc, &ctx, &auth, &member, outcome, done).await
}
