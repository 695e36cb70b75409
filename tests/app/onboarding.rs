//! The first-run page a new workspace opens on: the Member link offered and shown ready
//! to copy, the default team with a link that puts joiners in it, the invite-by-email
//! form, and Skip for now.

use crate::both_databases;
use crate::support::client::location;
use crate::support::{BASE_URL, Db, TestApp, TestClient};

both_databases!(
    creating_a_workspace_opens_the_first_run_page,
    the_default_team_comes_with_a_link_that_puts_joiners_in_it,
    a_bad_team_name_is_explained_and_changes_nothing,
);

/// The `/join/...` path of the link the first-run page shows.
fn shown_link(html: &str) -> String {
    let at = html
        .find("id=\"onboarding-link\"")
        .expect("the link is shown");
    let rest = &html[at..];
    let start = rest.find("value=\"").expect("value") + "value=\"".len();
    rest[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect::<String>()
        .trim_start_matches(BASE_URL)
        .to_string()
}

async fn welcome(owner: &TestClient, slug: &str) -> String {
    let (status, html) = owner.page(&format!("/w/{slug}/welcome")).await;
    assert_eq!(status, 200);
    html
}

async fn creating_a_workspace_opens_the_first_run_page(db: Db) {
    let app = TestApp::spawn(db).await;
    let owner = app.signed_up("own@example.com", "Own").await;
    let res = owner.post_form("/workspaces", &[("name", "Acme")]).await;
    assert_eq!(location(&res), "/w/acme/welcome");
    let html = welcome(&owner, "acme").await;
    assert!(html.contains("Welcome to Acme"));
    assert!(html.contains("href=\"/w/acme/members\" id=\"skip-onboarding\">Skip for now</a>"));
    assert!(
        html.contains("value=\"General\""),
        "the team field is prefilled"
    );
    assert!(
        html.contains("<div id=\"invite-dialog-body\">")
            && html.contains("hx-target=\"#invite-dialog-body\""),
        "the invite form posts into a container on this page"
    );
    assert!(html.contains("Send invites") && html.contains("Invite another"));
    assert!(
        html.contains("Create the Member link"),
        "no link is made by a GET"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invite_links").await, 0);
    for _ in 0..2 {
        let res = owner.post_form("/w/acme/welcome/link", &[]).await;
        assert_eq!(location(&res), "/w/acme/welcome");
    }
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM invite_links WHERE role = 'member' AND revoked_at IS NULL"
        )
        .await,
        1,
        "one Member link however often it is asked for"
    );
    let html = welcome(&owner, "acme").await;
    assert!(shown_link(&html).starts_with("/join/"));
    assert!(html.contains("data-copy-from=\"onboarding-link\">Copy link</button>"));
    // The embedded form invites like the dialog does.
    let res = owner
        .post_form(
            "/w/acme/invite",
            &[
                ("addresses", "new@example.com"),
                ("role", "member"),
                ("send_email", "on"),
                ("then", "close"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    app.mail.wait_for("new@example.com", "Acme").await;
}

async fn the_default_team_comes_with_a_link_that_puts_joiners_in_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("own@example.com", "Acme").await;
    owner
        .post_form(&format!("/w/{slug}/welcome/link"), &[])
        .await;
    let plain = shown_link(&welcome(&owner, &slug).await);
    let res = owner
        .post_form(
            &format!("/w/{slug}/welcome/team"),
            &[("team_name", " General ")],
        )
        .await;
    assert_eq!(location(&res), format!("/w/{slug}/welcome"));
    let html = welcome(&owner, &slug).await;
    assert!(
        html.contains("in the team <strong>General</strong>"),
        "{html}"
    );
    let with_team = shown_link(&html);
    assert_ne!(plain, with_team, "the link is replaced, not edited");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM invite_links l JOIN teams t ON t.id = l.primary_team_id WHERE t.name = 'General' AND l.revoked_at IS NULL").await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM invite_links WHERE primary_team_id IS NULL AND revoked_at IS NOT NULL").await,
        1,
        "the unused team-less link is revoked"
    );
    let bob = app.signed_up("bob@example.com", "Bob").await;
    assert_eq!(
        bob.get(&plain).await.status(),
        404,
        "the old code stops working"
    );
    let res = bob.post_form(&with_team, &[]).await;
    assert_eq!(location(&res), format!("/w/{slug}"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM team_members tm JOIN teams t ON t.id = tm.team_id JOIN accounts a ON a.id = tm.account_id WHERE t.name = 'General' AND a.email = 'bob@example.com'").await,
        1,
        "joined the default team"
    );
}

async fn a_bad_team_name_is_explained_and_changes_nothing(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("own@example.com", "Acme").await;
    let res = owner
        .post_form(&format!("/w/{slug}/welcome/team"), &[("team_name", "   ")])
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"team_name-error\"") && html.contains("Give the team a name"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM teams").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invite_links").await, 0);
}
