//! Who is signed in: axum-login over tower-sessions, with the sessions in our database.
//! A session ends when idle for a week or thirty days after sign-in, whichever comes first,
//! and whenever the password changes or the person signs out everywhere.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum_login::{AuthManagerLayer, AuthManagerLayerBuilder, AuthUser, AuthnBackend};
use sha2::{Digest, Sha256};
use tower_sessions::cookie::{Key, SameSite};
use tower_sessions::service::SignedCookie;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use crate::app::AppState;
use crate::services::Services;
use crate::store::accounts::AccountRow;
use crate::store::sessions::DbSessionStore;
use crate::store::who;
use crate::store::workspaces::MembershipIn;

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_SECONDS: i64 = 7 * 24 * 3600;
/// A session ends this long after sign-in, however active.
pub const ABSOLUTE_TIMEOUT_SECONDS: i64 = 30 * 24 * 3600;
/// How often activity is written back (keeps reads cheap).
const TOUCH_EVERY_SECONDS: i64 = 300;
const SIGNED_IN_AT: &str = "gh.signed_in_at";
const LAST_SEEN: &str = "gh.last_seen";
pub const COOKIE_NAME: &str = "gatehouse_session";
/// Where axum-login keeps the signed-in account in a session's data (its default name,
/// so sessions made before still count); the session store reads that account with the
/// session.
const AUTH_DATA_KEY: &str = "axum-login.data";

/// The signed-in person, loaded from the database on every request. One pointer:
/// axum-login, the session rules and each extractor take their own copy of it.
#[derive(Clone)]
pub struct SessionUser(Arc<SignedInParts>);

/// What `SessionUser` holds.
pub struct SignedInParts {
    pub account: AccountRow,
    /// Every membership of the account with its workspace, read with it (`store::who`);
    /// empty in the sign-in request itself, which only redirects.
    pub memberships: Vec<MembershipIn>,
    /// When the account last set its avatar (`None`: it has none, or not read yet).
    pub avatar_at: Option<i64>,
    auth_hash: Vec<u8>,
}

impl std::ops::Deref for SessionUser {
    type Target = SignedInParts;

    fn deref(&self) -> &SignedInParts {
        &self.0
    }
}

impl std::fmt::Debug for SessionUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionUser")
            .field("id", &self.account.id)
            .finish_non_exhaustive()
    }
}

impl SessionUser {
    fn new(account: AccountRow, memberships: Vec<MembershipIn>, avatar_at: Option<i64>) -> Self {
        // Changes whenever the password or the session version does: axum-login then
        // refuses every session made before.
        let mut digest = Sha256::new();
        digest.update(account.password_hash.as_bytes());
        digest.update(account.session_version.to_le_bytes());
        Self(Arc::new(SignedInParts {
            auth_hash: digest.finalize().to_vec(),
            account,
            memberships,
            avatar_at,
        }))
    }
}

impl AuthUser for SessionUser {
    type Id = String;

    fn id(&self) -> String {
        self.account.id.clone()
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_hash
    }
}

/// Loads accounts for axum-login. Passwords are checked by `services::sign_in`, which
/// hands over an already-authenticated account id.
#[derive(Debug, Clone)]
pub struct Backend {
    services: Services,
}

#[derive(Debug, Clone)]
pub struct AuthenticatedAccount(pub String);

impl AuthnBackend for Backend {
    type User = SessionUser;
    type Credentials = AuthenticatedAccount;
    type Error = sqlx::Error;

    async fn authenticate(
        &self,
        creds: AuthenticatedAccount,
    ) -> Result<Option<SessionUser>, sqlx::Error> {
        self.get_user(&creds.0).await
    }

    async fn get_user(&self, id: &String) -> Result<Option<SessionUser>, sqlx::Error> {
        Ok(who::load(&self.services.store, id)
            .await?
            .map(|who| SessionUser::new(who.account, who.memberships, who.avatar_at)))
    }
}

pub type AuthSession = axum_login::AuthSession<Backend>;

/// Around the session layers' response future: lets the session store hand the account
/// it read with the session to axum-login's loader, for this request only
/// (`store::who`). Both layers read when their future is polled, inside this scope.
pub fn read_account_with_session<F: Future>(response: F) -> impl Future<Output = F::Output> {
    who::with_room_for_session_read(response)
}

/// Session cookie (signed, HttpOnly, SameSite=Lax, Secure over https, for the cookie
/// domain's subdomains too when one is set) plus axum-login.
pub fn auth_layer(state: &AppState) -> AuthManagerLayer<Backend, DbSessionStore, SignedCookie> {
    let digest = sha2::Sha512::digest(&state.config.secret);
    let store =
        DbSessionStore::for_store(&state.services.store).reading_account_under(AUTH_DATA_KEY);
    let mut sessions = SessionManagerLayer::new(store)
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.is_https())
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            IDLE_TIMEOUT_SECONDS,
        )))
        .with_signed(Key::from(&digest));
    if let Some(domain) = &state.config.cookie_domain {
        // Sibling tools behind forward auth (`web::forward_auth`) need the cookie too.
        sessions = sessions.with_domain(domain.as_str().to_string());
    }
    AuthManagerLayerBuilder::new(
        Backend {
            services: state.services.clone(),
        },
        sessions,
    )
    .with_data_key(AUTH_DATA_KEY)
    .build()
}

/// Signs the account in: a new session id (no fixation) and a fresh sign-in time.
pub async fn sign_in(auth: &mut AuthSession, account: AccountRow, now: i64) -> anyhow::Result<()> {
    // axum-login gives a new id only to a session nobody is signed in to; a signed-in one
    // (perhaps planted in this browser) is ended here rather than handed over.
    if auth.user.is_some() {
        auth.session.cycle_id().await?;
    }
    auth.login(&SessionUser::new(account, Vec::new(), None))
        .await
        .map_err(|e| anyhow::anyhow!("sign-in: {e}"))?;
    auth.session.insert(SIGNED_IN_AT, now).await?;
    auth.session.insert(LAST_SEEN, now).await?;
    Ok(())
}

/// Signs out and deletes the session on the server.
pub async fn sign_out(auth: &mut AuthSession) -> anyhow::Result<()> {
    auth.logout()
        .await
        .map_err(|e| anyhow::anyhow!("sign-out: {e}"))?;
    auth.session.delete().await?;
    Ok(())
}

/// Until when a page made for a signed-in request stays true of its session, as far as
/// the session goes (`web::kept_pages`): `until` (by the services' clock) is when the
/// next activity write falls due or the absolute timeout passes, whichever is first;
/// `ends_at` (by the system clock, as the session store reads it) is when the stored
/// session ends. Set on the responses of signed-in requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFresh {
    pub until: i64,
    pub ends_at: i64,
}

/// Ends sessions past the idle or absolute timeout, and records activity now and then
/// (which also pushes the stored session's expiry forward).
pub async fn enforce_timeouts(
    State(services): State<Services>,
    mut request: Request,
    next: Next,
) -> Response {
    let signed_in = request
        .extensions()
        .get::<AuthSession>()
        .filter(|a| a.user.is_some())
        .cloned();
    let mut fresh = None;
    if let Some(mut auth) = signed_in {
        match check_timeouts(&mut auth, services.clock.now()).await {
            // Handlers must see the signed-out state too.
            Ok(until) => {
                fresh = until
                    .zip(who::session_ends())
                    .map(|(until, ends_at)| SessionFresh { until, ends_at });
                request.extensions_mut().insert(auth);
            }
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "session timeout check failed"),
        }
    }
    let mut response = next.run(request).await;
    if let Some(fresh) = fresh {
        response.extensions_mut().insert(fresh);
    }
    response
}

/// Signs out a session past a timeout, or records activity when due; for a session that
/// goes on, until when nothing here needs doing (`SessionFresh::until`).
async fn check_timeouts(auth: &mut AuthSession, now: i64) -> anyhow::Result<Option<i64>> {
    let signed_in_at: i64 = auth.session.get(SIGNED_IN_AT).await?.unwrap_or(0);
    let mut last_seen: i64 = auth.session.get(LAST_SEEN).await?.unwrap_or(0);
    if now - signed_in_at > ABSOLUTE_TIMEOUT_SECONDS || now - last_seen > IDLE_TIMEOUT_SECONDS {
        sign_out(auth).await?;
        return Ok(None);
    }
    if now - last_seen > TOUCH_EVERY_SECONDS {
        auth.session.insert(LAST_SEEN, now).await?;
        last_seen = now;
    }
    Ok(Some(
        (last_seen + TOUCH_EVERY_SECONDS).min(signed_in_at + ABSOLUTE_TIMEOUT_SECONDS),
    ))
}

/// Moves a message to the next page shown (e.g. "Password changed").
pub async fn flash(session: &Session, message: &str) -> anyhow::Result<()> {
    session.insert("gh.flash", message).await?;
    Ok(())
}

/// Takes the pending message, if any. Reads first: removing marks the session modified,
/// and a modified session is written back to the database after every page otherwise.
pub async fn take_flash(session: &Session) -> Option<String> {
    session.get::<String>("gh.flash").await.ok().flatten()?;
    session.remove::<String>("gh.flash").await.ok().flatten()
}
