//! Approved domains on the Security page (add, remove) and joining a workspace through
//! one's address's domain from the home page.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;

use super::answer_post;
use super::extract::{Admin, SignedIn};
use super::form::FormData;
use super::page::PageContext;
use super::security::security_page;
use super::session::{AuthSession, flash};
use crate::app::AppState;
use crate::error::AppResult;
use crate::services::{ServiceError, Services, domains};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/security/domains", post(add))
        .route("/w/{slug}/security/domains/remove", post(remove))
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
    let outcome = domains::add(&svc, &member.manager(), typed).await;
    let done = match &outcome {
        Ok(d) => format!("Approved {d}: people with a verified address there can join."),
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
                .with_domain_typed(typed))
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
