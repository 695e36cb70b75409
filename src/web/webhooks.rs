//! The Webhooks page (Owners and Admins, under Settings): add an endpoint (URL, events;
//! the signing secret shown once, on the answer to the Add form), the endpoints with
//! their status and a delivery log each, and the buttons Delete, Enable again, Send test
//! event and Redeliver. Every button posts a plain form (CSRF-checked like every post).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::extract::{Admin, Member};
use super::form::FormData;
use super::page::{Page, PageContext};
use super::session::{AuthSession, flash};
use crate::app::AppState;
use crate::domain::webhook::{EVENTS, events_of};
use crate::error::AppResult;
use crate::services::{FieldErrors, ServiceError, Services, webhooks};
use crate::store::webhook_deliveries::{self, DeliveryRow};
use crate::store::webhooks as endpoints;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/w/{slug}/settings/webhooks", get(show).post(add))
        .route("/w/{slug}/settings/webhooks/{id}/delete", post(delete))
        .route("/w/{slug}/settings/webhooks/{id}/enable", post(enable))
        .route("/w/{slug}/settings/webhooks/{id}/test", post(send_test))
        .route(
            "/w/{slug}/settings/webhooks/{id}/deliveries/{delivery}/redeliver",
            post(redeliver),
        )
}

/// Deliveries shown per endpoint, newest first.
const LOG_LINES: i64 = 20;

#[derive(Template, WebTemplate)]
#[template(path = "webhooks/index.html")]
struct WebhooksPage {
    page: Page,
    slug: String,
    endpoints: Vec<EndpointView>,
    events: [&'static str; 7],
    url_typed: String,
    chosen: Vec<String>,
    /// The endpoint just added: its URL and its signing secret, shown this once.
    created: Option<(String, String)>,
    errors: FieldErrors,
}

impl WebhooksPage {
    fn is_chosen(&self, event: &str) -> bool {
        self.chosen.iter().any(|c| c == event)
    }
}

struct EndpointView {
    id: String,
    url: String,
    events: String,
    enabled: bool,
    status: String,
    deliveries: Vec<DeliveryView>,
}

struct DeliveryView {
    id: String,
    event: String,
    time: String,
    status: String,
    attempts: i64,
}

/// "2026-11-29 20:31 UTC".
fn when(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map_or_else(String::new, |d| d.format("%Y-%m-%d %H:%M UTC").to_string())
}

fn delivery_view(d: DeliveryRow) -> DeliveryView {
    let status = match (
        &d.delivered_at,
        &d.given_up_at,
        &d.last_status,
        &d.last_error,
    ) {
        (Some(_), _, Some(code), _) => format!("Delivered (HTTP {code})"),
        (_, Some(_), _, error) => format!(
            "Given up: {}",
            error.as_deref().unwrap_or("endpoint disabled")
        ),
        (None, None, _, Some(error)) => match d.next_attempt_at {
            Some(at) => format!("Failed: {error}; next try {}", when(at)),
            None => format!("Failed: {error}"),
        },
        _ => "Queued".into(),
    };
    DeliveryView {
        id: d.id,
        event: d.event_type,
        time: when(d.last_attempt_at.unwrap_or(d.created_at)),
        status,
        attempts: d.attempts,
    }
}

async fn webhooks_page(
    svc: &Services,
    ctx: &PageContext,
    member: &Member,
    errors: FieldErrors,
) -> AppResult<WebhooksPage> {
    let pool = svc.store.pool();
    let mut views = Vec::new();
    for e in endpoints::list(pool, &member.workspace.id).await? {
        let deliveries = webhook_deliveries::latest(pool, &e.id, LOG_LINES).await?;
        views.push(EndpointView {
            status: match e.disabled_at {
                Some(at) if e.enabled == 0 => format!("Disabled {}", when(at)),
                _ if e.enabled == 0 => "Disabled".into(),
                _ => "Enabled".into(),
            },
            enabled: e.enabled == 1,
            events: events_of(&e.events).join(", "),
            deliveries: deliveries.into_iter().map(delivery_view).collect(),
            id: e.id,
            url: e.url,
        });
    }
    Ok(WebhooksPage {
        page: ctx.in_workspace(member, "Webhooks", "webhooks"),
        slug: member.workspace.slug.clone(),
        endpoints: views,
        events: EVENTS,
        url_typed: String::new(),
        chosen: Vec::new(),
        created: None,
        errors,
    })
}

async fn show(
    State(svc): State<Services>,
    Admin(member): Admin,
    ctx: PageContext,
) -> AppResult<WebhooksPage> {
    webhooks_page(&svc, &ctx, &member, FieldErrors::default()).await
}

/// Adds an endpoint and answers with the page showing its secret once; bad input → the
/// page again (422) with the message beside the field and what was typed.
async fn add(
    State(svc): State<Services>,
    Admin(member): Admin,
    ctx: PageContext,
    form: FormData,
) -> AppResult<Response> {
    let url = form.get("url");
    let chosen = form.all("events");
    let events: Vec<&str> = chosen.iter().map(String::as_str).collect();
    match webhooks::add(&svc, &member.manager(), url, &events).await {
        Ok(created) => {
            let mut page = webhooks_page(&svc, &ctx, &member, FieldErrors::default()).await?;
            page.created = Some((url.trim().to_string(), created.secret));
            Ok(page.into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut page = webhooks_page(&svc, &ctx, &member, errors).await?;
            page.url_typed = url.to_string();
            page.chosen = chosen;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// After a button: a one-time message and back to the page.
async fn back(auth: &AuthSession, member: &Member, message: &str) -> AppResult<Response> {
    flash(&auth.session, message).await?;
    let to = format!("/w/{}/settings/webhooks", member.workspace.slug);
    Ok(Redirect::to(&to).into_response())
}

async fn delete(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let url = webhooks::remove(&svc, &member.manager(), &id).await?;
    back(&auth, &member, &format!("Deleted the webhook to {url}.")).await
}

async fn enable(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let url = webhooks::enable(&svc, &member.manager(), &id).await?;
    back(
        &auth,
        &member,
        &format!("The webhook to {url} is enabled again."),
    )
    .await
}

async fn send_test(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    Path((_, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let message = match webhooks::send_test(&svc, &member.manager(), &id).await {
        Ok(url) => format!("A test event is on its way to {url}; its delivery shows below."),
        Err(e) => refused(e)?,
    };
    back(&auth, &member, &message).await
}

/// A refusal the page shows as its message (a disabled endpoint's buttons), or the error.
fn refused(e: ServiceError) -> AppResult<String> {
    match e {
        ServiceError::Invalid(errors) => Ok(errors
            .first()
            .map_or_else(String::new, |(_, message)| message.to_string())),
        e => Err(e.into()),
    }
}

async fn redeliver(
    State(svc): State<Services>,
    Admin(member): Admin,
    auth: AuthSession,
    Path((_, id, delivery)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let message = match webhooks::redeliver(&svc, &member.manager(), &id, &delivery).await {
        Ok(url) => format!("The event will be sent to {url} again."),
        Err(e) => refused(e)?,
    };
    back(&auth, &member, &message).await
}
