//! Approved domains on the Security page (add — at once with the admin's own verified
//! address there, else by a proof link emailed to an address there — and remove), the
//! proof link's page (GET shows, POST approves), and joining a workspace through one's
//! address's domain from the home page.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::answer_post;
use super::auth::link_invalid;
use super::extract::{Admin, ClientIp, SignedIn};
use super::form::FormData;
use super::page::{Page, PageContext};
use super::security::security_page;
use super::session::{AuthSession, flash};
use crate::app::AppState;
use crate::error::AppResult;
use crate::services::domains::{self, Added, proof};
use crate::services::{ServiceError, Services};
use askama::Template;
use askama_web::WebTemplate;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/security/domains", post(add))
        .route("/w/{slug}/security/domains/remove", post(remove))
        .route("/domain-proof/{token}", get(proof_page).post(use_proof))
        .route("/workspaces/{slug}/join-by-domain", post(join))
}

async fn add(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    ctx: PageContext,
    form: FormData,
) -> AppResult<Response> {
    let typed = form.get("domain");
    let proof_email = form.get("proof_email");
    let outcome = domains::add(&svc, &member.manager(), typed, proof_email).await;
    let done = match &outcome {
        Ok(Added::Approved(d)) => {
            format!("Approved {d}: people with a verified address there can join.")
        }
        Ok(Added::ProofSent { domain, address }) => format!(
            "We emailed a link to {address}. {domain} is approved once someone there follows it (within 24 hours)."
        ),
        Err(_) => String::new(),
    };
    let then = format!("/w/{}/security", member.workspace.slug);
    answer_post(
        outcome.map(|_| ()),
        &auth.session,
        &done,
        &then,
        |errors| async {
            Ok(security_page(&svc, &ctx, &member, errors)
                .await?
                .with_domain_typed(typed, proof_email))
        },
    )
    .await
}

async fn remove(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    form: FormData,
) -> AppResult<Response> {
    let domain = form.get("domain");
    domains::remove(&svc, &member.manager(), domain).await?;
    flash(
        &auth.session,
        &format!("Removed {domain}: nobody joins through it any more."),
    )
    .await?;
    Ok(Redirect::to(&format!("/w/{}/security", member.workspace.slug)).into_response())
}

/// Join from the home page: the domain must still be approved.
async fn join(
    State(svc): State<Services>,
    me: SignedIn,
    auth: AuthSession,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let message = match domains::join(&svc, &me.account, &slug, &me.actor()).await {
        Ok(true) => "Welcome! You joined the workspace.",
        Ok(false) => "You were already a member of this workspace.",
        Err(ServiceError::NotFound) => {
            flash(
                &auth.session,
                "That workspace no longer accepts your address's domain.",
            )
            .await?;
            return Ok(Redirect::to("/").into_response());
        }
        Err(e) => return Err(e.into()),
    };
    flash(&auth.session, message).await?;
    Ok(Redirect::to(&format!("/w/{slug}")).into_response())
}

/// The page an emailed proof link opens, and what its button did.
#[derive(Template, WebTemplate)]
#[template(path = "security/domain_proof.html")]
struct ProofPage {
    page: Page,
    heading: String,
    text: String,
    /// Where the button posts; `None` once it was used.
    action: Option<String>,
}

/// GET: says what the link approves; changes nothing.
async fn proof_page(
    State(svc): State<Services>,
    ctx: PageContext,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(p) = proof::peek(&svc, &token).await? else {
        return Ok(link_invalid(&ctx));
    };
    let shown = crate::domain::DomainName::display(&p.domain);
    let heading = format!("Approve {shown} for {}?", p.workspace_name);
    Ok(ProofPage {
        page: ctx.page(&heading),
        text: format!(
            "An admin of {} asked to approve {shown}: anyone with a verified address at {shown} could then join the workspace. Press the button to confirm that {} is at {shown} and approve it.",
            p.workspace_name, p.email
        ),
        heading,
        action: Some(format!("/domain-proof/{token}")),
    }
    .into_response())
}

/// POST: uses the link up and approves the domain for its workspace.
async fn use_proof(
    State(svc): State<Services>,
    ctx: PageContext,
    ip: ClientIp,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let done = match proof::confirm(&svc, &token, Some(ip.0)).await {
        Ok(done) => done,
        Err(ServiceError::NotFound) => return Ok(link_invalid(&ctx)),
        Err(e) => return Err(e.into()),
    };
    let heading = format!("{} is approved", done.domain);
    let text = if done.newly {
        format!(
            "{} now approves {}: people with a verified address there can join it.",
            done.workspace_name, done.domain
        )
    } else {
        format!(
            "{} had already approved {}.",
            done.workspace_name, done.domain
        )
    };
    Ok(ProofPage {
        page: ctx.page(&heading),
        heading,
        text,
        action: None,
    }
    .into_response())
}
