//! Forward auth: a reverse proxy (nginx `auth_request`, Caddy `forward_auth`, Traefik
//! `ForwardAuth`) asks `/auth/verify` before every request to another internal tool, and
//! Gatehouse answers from the database each time whether the person behind the session
//! cookie is an active member meeting the conditions — so a removal or suspension shuts
//! the door on their next request. `/auth/return` brings them back to the tool after
//! signing in, to tools the cookie reaches only.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, LOCATION, REFRESH};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::Role;
use crate::store::workspaces::MembershipIn;
use crate::web::page::{Page, PageContext};
use crate::web::session::{AuthSession, SessionUser};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/verify", get(verify))
        .route("/auth/return", get(return_to_tool))
}

/// What the protected tool asks of the person, in the proxy's query string.
#[derive(Debug, Deserialize)]
struct VerifyQuery {
    workspace: Option<String>,
    /// `required`: only seat holders.
    seat: Option<String>,
    /// The least role admitted (`viewer`, `member`, `admin`, `owner`).
    role: Option<String>,
    /// `1`: answer a signed-out visitor with a redirect (Traefik, Caddy), not a 401.
    redirect: Option<String>,
}

/// The conditions, parsed.
struct Conditions {
    workspace: String,
    seat_required: bool,
    least_role: Role,
    redirect: bool,
}

impl VerifyQuery {
    fn conditions(self) -> Option<Conditions> {
        let seat_required = match self.seat.as_deref() {
            None | Some("") => false,
            Some("required") => true,
            Some(_) => return None,
        };
        let least_role = match self.role.as_deref() {
            None | Some("") => Role::Viewer,
            Some(role) => Role::parse(role)?,
        };
        Some(Conditions {
            workspace: self.workspace.filter(|w| !w.is_empty())?,
            seat_required,
            least_role,
            redirect: matches!(self.redirect.as_deref(), Some("1" | "true")),
        })
    }
}

async fn verify(
    State(state): State<AppState>,
    auth: AuthSession,
    headers: HeaderMap,
    Query(query): Query<VerifyQuery>,
) -> Response {
    let Some(conditions) = query.conditions() else {
        return answer(
            StatusCode::BAD_REQUEST,
            "Name the workspace: /auth/verify?workspace=slug[&seat=required][&role=admin]",
        );
    };
    let Some(user) = auth.user.as_ref() else {
        return sign_in_first(&state, &headers, conditions.redirect);
    };
    match admitted(user, &conditions) {
        Some(membership) => admit(user, membership),
        None => answer(StatusCode::FORBIDDEN, "Gatehouse does not let you in here."),
    }
}

/// The person's membership of the workspace when it meets every condition.
fn admitted<'a>(user: &'a SessionUser, c: &Conditions) -> Option<&'a MembershipIn> {
    user.memberships.iter().find(|m| {
        let role = Role::parse(&m.membership.role);
        m.workspace.slug == c.workspace
            && m.membership.status == "active"
            && role.is_some_and(|role| role >= c.least_role)
            && (!c.seat_required || m.membership.has_seat != 0)
    })
}

/// 200 with who they are, for the proxy to pass on to the tool.
fn admit(user: &SessionUser, m: &MembershipIn) -> Response {
    let account = &user.account;
    let seat = if m.membership.has_seat != 0 {
        "true"
    } else {
        "false"
    };
    let mut response = answer(StatusCode::OK, "OK");
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-gatehouse-user-id", account.id.as_str()),
        ("x-gatehouse-email", account.email.as_str()),
        ("x-gatehouse-name", account.display_name.as_str()),
        ("x-gatehouse-role", m.membership.role.as_str()),
        ("x-gatehouse-seat", seat),
    ] {
        headers.insert(HeaderName::from_static(name), header_text(value));
    }
    response
}

/// A header value from any text: UTF-8 passes as it is, control characters become spaces.
fn header_text(text: &str) -> HeaderValue {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    HeaderValue::from_bytes(clean.as_bytes()).unwrap_or(HeaderValue::from_static(""))
}

/// 401 naming the sign-in page in `Location` (nginx turns it into a redirect), or the
/// redirect itself when the proxy passes Gatehouse's answer to the browser.
fn sign_in_first(state: &AppState, headers: &HeaderMap, redirect: bool) -> Response {
    let hosts = &state.config.return_hosts;
    let back = original_url(headers).and_then(|url| hosts.allow(&url));
    let url = sign_in_url(&state.config.base_url, back);
    let mut response = if redirect {
        Redirect::to(&url).into_response()
    } else {
        answer(StatusCode::UNAUTHORIZED, "Sign in to Gatehouse first.")
    };
    if let Ok(value) = HeaderValue::from_str(&url) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// The address the browser asked the proxy for: nginx's `X-Original-URL` (set in our
/// config example), else Traefik's and Caddy's `X-Forwarded-Proto/-Host/-Uri`.
fn original_url(headers: &HeaderMap) -> Option<String> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(url) = text("x-original-url") {
        return Some(url.to_string());
    }
    let proto = text("x-forwarded-proto")?;
    let host = text("x-forwarded-host")?;
    let uri = text("x-forwarded-uri").unwrap_or("/");
    Some(format!("{proto}://{host}{uri}"))
}

/// Gatehouse's sign-in page, leading back to `back` through `/auth/return`.
fn sign_in_url(base_url: &str, back: Option<String>) -> String {
    let next = back
        .and_then(|url| serde_urlencoded::to_string([("to", url)]).ok())
        .map_or_else(|| "/".to_string(), |query| format!("/auth/return?{query}"));
    match serde_urlencoded::to_string([("next", next)]) {
        Ok(query) => format!("{base_url}/sign-in?{query}"),
        Err(_) => format!("{base_url}/sign-in"),
    }
}

fn answer(status: StatusCode, text: &'static str) -> Response {
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Debug, Deserialize)]
struct ReturnQuery {
    to: Option<String>,
}

/// "Back to the tool" after signing in, when the cookie reaches it; home otherwise.
#[derive(Template, WebTemplate)]
#[template(path = "auth/return.html")]
struct ReturnPage {
    page: Page,
    host: String,
    url: String,
}

/// A page that sends the browser on with a `Refresh` header rather than a redirect:
/// the sign-in form's redirect chain may only end on Gatehouse (`form-action 'self'`),
/// and a page's refresh is a navigation of its own.
async fn return_to_tool(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(q): Query<ReturnQuery>,
) -> Response {
    let hosts = &state.config.return_hosts;
    let Some((url, host)) = q.to.as_deref().and_then(|to| hosts.allow_with_host(to)) else {
        return Redirect::to("/").into_response();
    };
    let refresh = HeaderValue::from_str(&format!("0; url={url}"));
    let page = ReturnPage {
        page: ctx.page("Signed in"),
        host,
        url,
    };
    let mut response = page.into_response();
    if let Ok(refresh) = refresh {
        response.headers_mut().insert(REFRESH, refresh);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sign_in_url_carries_the_way_back_encoded_twice() {
        let url = sign_in_url(
            "https://g.example.com",
            Some("https://wiki.example.com/a?b=1&c=2".into()),
        );
        assert_eq!(
            url,
            "https://g.example.com/sign-in?next=%2Fauth%2Freturn%3Fto%3Dhttps%253A%252F%252Fwiki.example.com%252Fa%253Fb%253D1%2526c%253D2"
        );
        assert_eq!(
            sign_in_url("https://g.example.com", None),
            "https://g.example.com/sign-in?next=%2F"
        );
    }

    #[test]
    fn conditions_refuse_what_they_do_not_know() {
        let query = |seat: Option<&str>, role: Option<&str>| VerifyQuery {
            workspace: Some("acme".into()),
            seat: seat.map(Into::into),
            role: role.map(Into::into),
            redirect: None,
        };
        assert!(
            query(Some("required"), Some("admin"))
                .conditions()
                .is_some()
        );
        assert!(query(Some("yes"), None).conditions().is_none());
        assert!(query(None, Some("boss")).conditions().is_none());
        let nameless = VerifyQuery {
            workspace: None,
            seat: None,
            role: None,
            redirect: None,
        };
        assert!(nameless.conditions().is_none());
    }
}
