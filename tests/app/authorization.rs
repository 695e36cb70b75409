//! Every workspace route, asked by every kind of person: anonymous, an Admin of another
//! workspace, a suspended member, Viewer, Member, Admin and Owner. Add new routes here.

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, TestApp, TestClient};

both_databases!(
    every_workspace_route_checks_membership_and_role,
    every_workspace_action_checks_membership_and_role,
    token_routes_do_nothing_without_a_live_token,
    forward_auth_admits_by_membership_role_and_seat,
    every_api_endpoint_checks_token_scope_and_workspace,
);

/// Who may open a page.
#[derive(Clone, Copy, PartialEq)]
enum Least {
    Viewer,
    Admin,
    Owner,
}

/// (path under /w/{slug}, the least role that may open it)
const ROUTES: &[(&str, Least)] = &[
    ("", Least::Viewer),
    ("/members", Least::Admin),
    (
        "/members?q=a&seat=with&status=suspended&sort=desc&page=2",
        Least::Admin,
    ),
    ("/members.csv", Least::Admin),
    ("/members/{member}", Least::Admin),
    ("/members/{member}/remove", Least::Admin),
    ("/invitations", Least::Admin),
    ("/invitations?status=expired&page=2", Least::Admin),
    ("/invitations/{invitation}/link", Least::Admin),
    ("/invitations/awaiting", Least::Admin),
    ("/invite", Least::Admin),
    ("/welcome", Least::Admin),
    ("/links", Least::Admin),
    ("/links/{link}", Least::Admin),
    ("/requests", Least::Admin),
    ("/security", Least::Admin),
    ("/teams", Least::Admin),
    ("/audit", Least::Admin),
    (
        "/audit?action=member.role_changed&person=a&before=99",
        Least::Admin,
    ),
    ("/audit?after=1", Least::Admin),
    ("/audit.csv", Least::Admin),
    ("/audit.csv?action=team.created&person=owner", Least::Admin),
    ("/settings", Least::Owner),
    ("/settings/api-tokens", Least::Admin),
];

/// (POST path under /w/{slug}, with {target} for a member's id and {team} for a team's; form; whether an Admin's
/// request is harmless enough to run here)
type Action = (&'static str, &'static [(&'static str, &'static str)], bool);
const ACTIONS: &[Action] = &[
    ("/coordinator", &[("coordinator_name", "Cora")], true),
    ("/teams", &[("team_name", "Ops")], true),
    ("/teams/{team}/rename", &[("team_name", "Crew")], true),
    (
        "/teams/{team}/members",
        &[("email", "viewer@example.com")],
        true,
    ),
    ("/teams/{team}/members/{target}/remove", &[], true),
    ("/teams/{team}/members/{target}/primary", &[], false),
    ("/teams/{team}/delete", &[], false),
    ("/members/assign-seats", &[], true),
    ("/members/auto-assign", &[("enabled", "on")], true),
    ("/members/{target}/role", &[("role", "viewer")], true),
    ("/members/{target}/suspend", &[], false),
    ("/members/{target}/reactivate", &[], false),
    ("/members/{target}/remove", &[], false),
    (
        "/invite",
        &[
            ("addresses", "new@example.com"),
            ("role", "viewer"),
            ("then", "close"),
        ],
        true,
    ),
    ("/invitations/{invitation}/resend", &[], true),
    ("/invitations/{invitation}/approve", &[], true),
    ("/invitations/{invitation}/revoke", &[], false),
    (
        "/security/who-may-invite",
        &[("who_may_invite", "admins")],
        false,
    ),
    (
        "/security/invitations",
        &[("invitation_expiry_days", "7")],
        true,
    ),
    ("/links/open", &[], true),
    ("/links/share", &[], true),
    ("/welcome/link", &[], true),
    ("/welcome/team", &[("team_name", "Starters")], true),
    ("/links", &[("role", "member"), ("expiry", "1d")], true),
    ("/links/{link}/regenerate", &[], true),
    ("/links/{link}/notify", &[("notify", "off")], true),
    ("/links/{link}/revoke", &[], false),
    ("/requests/approve", &[("ids", "no-such-request")], true),
    ("/requests/{request}/approve", &[], true),
    ("/requests/{request}/decline", &[], false),
    ("/security/links", &[("allow_invite_links", "on")], true),
    (
        "/settings/api-tokens",
        &[("name", "Bot"), ("scope", "read"), ("expiry", "30")],
        false,
    ),
    ("/settings/api-tokens/{target}/revoke", &[], false),
    ("/security/links/delete-all", &[], false),
    ("/security/domains", &[("domain", "example.org")], true),
    (
        "/security/domains",
        &[("domain", "example.net"), ("proof_email", "it@example.net")],
        true,
    ),
    ("/security/discoverable", &[("discoverable", "on")], true),
    (
        "/security/domains/remove",
        &[("domain", "example.org")],
        false,
    ),
];

/// A link of the workspace, made by its Owner; returns its id.
async fn shared_link(app: &TestApp, owner: &TestClient, slug: &str) -> String {
    app.link_of(owner, slug, &[]).await.0
}

/// A pending join request from someone outside (as from Browse workspaces); returns its id.
async fn join_request(app: &TestApp, slug: &str) -> String {
    let asker = app.signed_up("asker@example.com", "Asker").await;
    drop(asker);
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO join_requests (id, workspace_id, account_id, status, created_at) \
         SELECT $1, w.id, a.id, 'pending', 0 FROM workspaces w, accounts a \
         WHERE w.slug = $2 AND a.email = 'asker@example.com'",
    )
    .bind(&id)
    .bind(slug)
    .execute(app.services.store.pool())
    .await
    .expect("join request");
    id
}

/// A pending invitation in the workspace; returns its id.
async fn invited(app: &TestApp, owner: &TestClient, slug: &str) -> String {
    let res = crate::support::invites::invite(owner, slug, "invitee@example.com", "member").await;
    assert_eq!(res.status(), 303);
    app.invitation_id("invitee@example.com").await
}

/// The Owner of a workspace ("Guarded"), the Owner of another ("Elsewhere"), and an Admin,
/// a Member, a Viewer and a suspended Viewer of the first.
struct Everyone {
    owner: TestClient,
    slug: String,
    outsider: TestClient,
    other: String,
    admin: TestClient,
    member: TestClient,
    viewer: TestClient,
    suspended: TestClient,
}

async fn everyone(app: &TestApp) -> Everyone {
    let (owner, slug) = app.owner_of("owner@example.com", "Guarded").await;
    let (outsider, other) = app.owner_of("outsider@example.com", "Elsewhere").await;
    let admin = app.member_as(&slug, "admin@example.com", "admin").await;
    let member = app.member_as(&slug, "member@example.com", "member").await;
    let viewer = app.member_as(&slug, "viewer@example.com", "viewer").await;
    let suspended = app
        .member_as(&slug, "suspended@example.com", "viewer")
        .await;
    sqlx::query("UPDATE memberships SET status = 'suspended' WHERE account_id = (SELECT id FROM accounts WHERE email = 'suspended@example.com')")
        .execute(app.services.store.pool())
        .await
        .expect("suspend");
    Everyone {
        owner,
        slug,
        outsider,
        other,
        admin,
        member,
        viewer,
        suspended,
    }
}

async fn every_workspace_route_checks_membership_and_role(db: Db) {
    let app = TestApp::spawn(db).await;
    let Everyone {
        owner,
        slug,
        outsider,
        other,
        admin,
        member,
        viewer,
        suspended,
    } = everyone(&app).await;
    let anonymous = app.client();
    let invitation = invited(&app, &owner, &slug).await;
    let link = shared_link(&app, &owner, &slug).await;
    let target = app.account_id("viewer@example.com").await;

    for (suffix, least) in ROUTES {
        let suffix = suffix
            .replace("{invitation}", &invitation)
            .replace("{link}", &link)
            .replace("{member}", &target);
        let path = format!("/w/{slug}{suffix}");
        let res = anonymous.get(&path).await;
        assert_eq!(res.status(), 303, "anonymous {path}");
        assert!(
            location(&res).starts_with("/sign-in?next="),
            "anonymous {path}"
        );
        assert_eq!(
            outsider.get(&path).await.status(),
            404,
            "admin of another workspace {path}"
        );
        assert_eq!(suspended.get(&path).await.status(), 404, "suspended {path}");
        let expect = |allowed: bool| if allowed { 200 } else { 403 };
        assert_eq!(
            viewer.get(&path).await.status(),
            expect(*least == Least::Viewer),
            "viewer {path}"
        );
        assert_eq!(
            member.get(&path).await.status(),
            expect(*least == Least::Viewer),
            "member {path}"
        );
        assert_eq!(
            admin.get(&path).await.status(),
            expect(*least != Least::Owner),
            "admin {path}"
        );
        assert_eq!(owner.get(&path).await.status(), 200, "owner {path}");
        let unknown = format!("/w/no-such-workspace{suffix}");
        assert_eq!(
            owner.get(&unknown).await.status(),
            404,
            "unknown workspace {unknown}"
        );
    }
    assert_eq!(
        owner.get(&format!("/w/{other}/members")).await.status(),
        404,
        "not the owner's other workspace"
    );
    let (_, nav) = member.page(&format!("/w/{slug}")).await;
    assert!(
        !nav.contains("/members\"") && !nav.contains(">Security<") && !nav.contains(">Audit log<"),
        "members see no admin navigation"
    );
}

async fn every_workspace_action_checks_membership_and_role(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Guarded").await;
    let (outsider, _) = app.owner_of("outsider@example.com", "Elsewhere").await;
    let admin = app.member_as(&slug, "admin@example.com", "admin").await;
    let member = app.member_as(&slug, "member@example.com", "member").await;
    let viewer = app.member_as(&slug, "viewer@example.com", "viewer").await;
    let target = app
        .add_members(&slug, "Target", 1, "viewer")
        .await
        .remove(0);
    owner
        .post_form(&format!("/w/{slug}/teams"), &[("team_name", "Crew")])
        .await;
    let team: String = sqlx::query_scalar("SELECT id FROM teams WHERE name = 'Crew'")
        .fetch_one(app.services.store.pool())
        .await
        .expect("team");
    let anonymous = app.client();
    let invitation = invited(&app, &owner, &slug).await;
    let link = shared_link(&app, &owner, &slug).await;
    let request = join_request(&app, &slug).await;
    let before = app
        .scalar("SELECT COUNT(*) FROM audit_events WHERE workspace_id IS NOT NULL")
        .await;

    for (path, form, harmless) in ACTIONS {
        let path = format!(
            "/w/{slug}{}",
            path.replace("{target}", &target)
                .replace("{team}", &team)
                .replace("{invitation}", &invitation)
                .replace("{link}", &link)
                .replace("{request}", &request)
        );
        let res = anonymous.post_form(&path, form).await;
        assert!(
            location(&res).starts_with("/sign-in?next="),
            "anonymous {path}"
        );
        assert_eq!(
            outsider.post_form(&path, form).await.status(),
            404,
            "admin of another workspace {path}"
        );
        assert_eq!(
            viewer.post_form(&path, form).await.status(),
            403,
            "viewer {path}"
        );
        assert_eq!(
            member.post_form(&path, form).await.status(),
            403,
            "member {path}"
        );
        if *harmless {
            // Allowed: done (303), or refused by a business rule such as a duplicate team
            // name (422) — never an authorization answer.
            for (who, client) in [("admin", &admin), ("owner", &owner)] {
                let status = client.post_form(&path, form).await.status().as_u16();
                assert!(status == 303 || status == 422, "{who} {path}: {status}");
            }
        }
    }
    let after = app.scalar("SELECT COUNT(*) FROM audit_events WHERE workspace_id IS NOT NULL AND action <> 'workspace.created'").await;
    assert!(
        after >= 4 && before >= 1,
        "only the Admin's and Owner's requests left events"
    );
    let other_workspace = app.scalar("SELECT COUNT(*) FROM memberships WHERE account_id = (SELECT id FROM accounts WHERE email = 'outsider@example.com')").await;
    assert_eq!(other_workspace, 1, "the outsider gained nothing");
}

/// Routes outside any workspace that act on an emailed token or a shared code
/// (`{token}`): a made-up one opens nothing, signs nobody in and changes nothing, whoever
/// asks.
const TOKEN_ROUTES: &[&str] = &[
    "/domain-proof/{token}",
    "/verify/{token}",
    "/sign-in-link/{token}",
    "/reset-password/{token}",
    "/invite/{token}",
    "/invite/{token}/join",
    "/invite/{token}/sign-up",
    "/join/{token}",
    "/join/{token}/sign-up",
];

async fn token_routes_do_nothing_without_a_live_token(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Guarded").await;
    let anonymous = app.client();
    let before = app.scalar("SELECT COUNT(*) FROM audit_events").await;
    for route in TOKEN_ROUTES {
        for token in ["", "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"] {
            let path = route.replace("{token}", token);
            for client in [&anonymous, &owner] {
                // 404, 405 where the route has no such method, or (signed out, on a
                // route for people signed in) the way to sign in: nothing opens.
                for res in [client.get(&path).await, client.post_form(&path, &[]).await] {
                    let status = res.status().as_u16();
                    let to_sign_in = location(&res).starts_with("/sign-in?next=");
                    assert!(
                        matches!(status, 404 | 405) || (status == 303 && to_sign_in),
                        "{path}: {status}"
                    );
                }
            }
            let cross_site = [("sec-fetch-site", "cross-site")];
            let res = anonymous.post_form_with(&path, &cross_site, &[]).await;
            assert_eq!(res.status(), 403, "POST {path} from another site");
        }
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events").await,
        before
    );
    assert_eq!(
        anonymous.get("/account").await.status(),
        303,
        "nobody was signed in"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM approved_domains").await, 0);
    let (_, page) = owner.page(&format!("/w/{slug}/security")).await;
    assert!(page.contains("No approved domains."));
}

/// `/auth/verify` conditions and who passes them: anonymous, Admin of another workspace,
/// suspended, Viewer, Member, Admin, Owner.
const GATES: &[(&str, [u16; 7])] = &[
    ("", [401, 403, 403, 200, 200, 200, 200]),
    ("&seat=required", [401, 403, 403, 403, 200, 200, 200]),
    ("&role=member", [401, 403, 403, 403, 200, 200, 200]),
    ("&role=admin", [401, 403, 403, 403, 403, 200, 200]),
    (
        "&role=owner&seat=required",
        [401, 403, 403, 403, 403, 403, 200],
    ),
];

async fn forward_auth_admits_by_membership_role_and_seat(db: Db) {
    let app = TestApp::spawn(db).await;
    let Everyone {
        owner,
        slug,
        outsider,
        other,
        admin,
        member,
        viewer,
        suspended,
    } = everyone(&app).await;
    let people = [
        ("anonymous", app.client()),
        ("outsider", outsider),
        ("suspended", suspended),
        ("viewer", viewer),
        ("member", member),
        ("admin", admin),
        ("owner", owner),
    ];
    for (conditions, expected) in GATES {
        let path = format!("/auth/verify?workspace={slug}{conditions}");
        for ((who, client), want) in people.iter().zip(expected) {
            assert_eq!(client.get(&path).await.status(), *want, "{who} {path}");
        }
    }
    for (who, client) in &people[1..] {
        let path = "/auth/verify?workspace=no-such-workspace";
        assert_eq!(client.get(path).await.status(), 403, "{who} {path}");
    }
    let (_, outsider) = &people[1];
    let path = format!("/auth/verify?workspace={other}&role=owner&seat=required");
    assert_eq!(
        outsider.get(&path).await.status(),
        200,
        "their own workspace"
    );
}

/// One JSON API endpoint: path under /api/v1/workspaces/{slug}, with `{member}`,
/// `{invitation}`, `{link}` and `{request}` for ids.
pub struct ApiEndpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub body: Option<&'static str>,
    /// Changes something: a `read` token gets 403.
    pub change: bool,
    /// Safe to run again and again here with an admin-scope token (expect 2xx).
    pub harmless: bool,
}

const fn ep(
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    change: bool,
    harmless: bool,
) -> ApiEndpoint {
    ApiEndpoint {
        method,
        path,
        body,
        change,
        harmless,
    }
}

pub const API_ENDPOINTS: &[ApiEndpoint] = &[
    ep("GET", "", None, false, true),
    ep("GET", "/members", None, false, true),
    ep("GET", "/members/{member}", None, false, true),
    ep(
        "PATCH",
        "/members/{member}",
        Some(r#"{"role":"viewer"}"#),
        true,
        true,
    ),
    ep("POST", "/members/{member}/suspend", None, true, true),
    ep("POST", "/members/{member}/reactivate", None, true, true),
    ep("DELETE", "/members/{member}", None, true, false),
    ep("POST", "/seats/assign", None, true, true),
    ep("GET", "/invitations", None, false, true),
    ep(
        "POST",
        "/invitations",
        Some(r#"{"emails":["api@example.com"],"role":"member","send_email":false}"#),
        true,
        true,
    ),
    ep(
        "POST",
        "/invitations/{invitation}/resend",
        None,
        true,
        false,
    ),
    ep("DELETE", "/invitations/{invitation}", None, true, false),
    ep("GET", "/links", None, false, true),
    ep("POST", "/links", Some(r#"{"role":"member"}"#), true, true),
    ep("POST", "/links/{link}/regenerate", None, true, true),
    ep("DELETE", "/links/{link}", None, true, false),
    ep("GET", "/join-requests", None, false, true),
    ep(
        "POST",
        "/join-requests/{request}/approve",
        None,
        true,
        false,
    ),
    ep(
        "POST",
        "/join-requests/{request}/decline",
        None,
        true,
        false,
    ),
];

async fn every_api_endpoint_checks_token_scope_and_workspace(db: Db) {
    use crate::support::api::{ApiClient, code, make_token};
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Guarded").await;
    let (outsider, other) = app.owner_of("outsider@example.com", "Elsewhere").await;
    let admin = app.member_as(&slug, "admin@example.com", "admin").await;
    let target = app
        .add_members(&slug, "Target", 1, "viewer")
        .await
        .remove(0);
    let invitation = invited(&app, &owner, &slug).await;
    let link = shared_link(&app, &owner, &slug).await;
    let request = join_request(&app, &slug).await;
    let client = |token: String| ApiClient::new(&app.address, &token);
    let read = client(make_token(&owner, &slug, "read", "read").await);
    let by_owner = client(make_token(&owner, &slug, "owner", "admin").await);
    let by_admin = client(make_token(&admin, &slug, "admin", "admin").await);
    let foreign = client(make_token(&outsider, &other, "foreign", "admin").await);
    let nobody = client(String::new());
    for e in API_ENDPOINTS {
        let path = format!(
            "/api/v1/workspaces/{slug}{}",
            e.path
                .replace("{member}", &target)
                .replace("{invitation}", &invitation)
                .replace("{link}", &link)
                .replace("{request}", &request)
        );
        let method = reqwest::Method::from_bytes(e.method.as_bytes()).unwrap();
        let call = |api: &ApiClient| {
            let (api, method, path) = (api.clone(), method.clone(), path.clone());
            async move { api.raw(method, &path, e.body.unwrap_or("")).await }
        };
        let what = format!("{} {}", e.method, e.path);
        assert_eq!(
            code(&call(&nobody).await.1),
            "invalid_token",
            "no token {what}"
        );
        assert_eq!(
            call(&foreign).await.0,
            404,
            "another workspace's token {what}"
        );
        let (status, answer) = call(&read).await;
        if e.change {
            assert_eq!(
                (status, code(&answer)),
                (403, "read_only_token"),
                "read {what}"
            );
        } else {
            assert_eq!(status, 200, "read {what}: {answer}");
        }
        if e.harmless {
            for (who, api) in [("owner", &by_owner), ("admin", &by_admin)] {
                let (status, answer) = call(api).await;
                assert!(
                    (200..300).contains(&status),
                    "{who} {what}: {status} {answer}"
                );
            }
        }
    }
    let changed = app
        .scalar("SELECT COUNT(*) FROM audit_events WHERE api_token_id IS NOT NULL")
        .await;
    let by_read = app
        .scalar("SELECT COUNT(*) FROM audit_events e JOIN api_tokens t ON t.id = e.api_token_id WHERE t.scope = 'read'")
        .await;
    assert!(
        changed > 0 && by_read == 0,
        "only admin-scope tokens changed anything"
    );
}
