//! Accepting an invitation with an existing account, in Chromium (security issue 12: the
//! code signs nobody in). An Admin invites Ann and Bob, who both have accounts. Ann opens
//! the emailed invitation signed out, follows "Sign in to accept", signs in with her
//! password, lands back on the invitation and joins. Bob does the same but asks for
//! "Email me a sign-in link", opens it from his mailbox, presses its button, and joins.

use super::{Browser, ONE_BROWSER};
use crate::support::{Db, PASSWORD, TestApp, link_in};

impl Browser {
    /// The path (and query) of the page the browser is on, without the server's address.
    async fn path(&self, address: &str) -> String {
        let url = self.client.current_url().await.expect("current url");
        url.as_str().trim_start_matches(address).to_string()
    }

    /// Opens an invitation signed out and follows "Sign in to accept" to the sign-in page.
    async fn invitation_to_sign_in(&self, address: &str, invitation: &str, who: &str) {
        self.client
            .goto(&format!("{address}{invitation}"))
            .await
            .expect("open the emailed invitation");
        self.wait_for_heading("Join Acme Rockets").await;
        let offer = self
            .wait_for_xpath("//p[.//a[@id='sign-in-to-accept']]")
            .await
            .text()
            .await
            .expect("offer text");
        assert!(
            offer.contains("Already have a Gatehouse account? Sign in to accept"),
            "{offer}"
        );
        let who_text = self
            .wait_for_xpath("//p[@class='who']")
            .await
            .text()
            .await
            .expect("who text");
        assert!(
            who_text.contains(&format!("invited {who} to join Acme Rockets as Member")),
            "{who_text}"
        );
        self.click_link("Sign in to accept").await;
        self.wait_for_heading("Sign in").await;
        assert_eq!(
            self.path(address).await,
            format!("/sign-in?next={invitation}"),
            "the sign-in page returns to the invitation"
        );
        let next = self
            .wait_for_xpath("//input[@name='next']")
            .await
            .prop("value")
            .await
            .expect("next value");
        assert_eq!(next.as_deref(), Some(invitation));
    }

    /// On the invitation, signed in: presses Join and checks arriving in the workspace.
    async fn join_from_invitation(&self, address: &str, invitation: &str, slug: &str) {
        let join =
            "//form[contains(@action,'/join')]/button[normalize-space()='Join Acme Rockets']";
        self.wait_for_xpath(join).await;
        assert_eq!(
            self.path(address).await,
            invitation,
            "back on the invitation"
        );
        assert!(
            self.client
                .find_all(fantoccini::Locator::Id("sign-in-to-accept"))
                .await
                .expect("find")
                .is_empty(),
            "signed in: no sign-in offer"
        );
        self.click_button("Join Acme Rockets").await;
        self.wait_for_heading("Acme Rockets").await;
        assert_eq!(self.path(address).await, format!("/w/{slug}"));
        self.wait_for_xpath(
            "//p[contains(@class,'flash') and contains(., 'Welcome! You joined the workspace.')]",
        )
        .await;
    }
}

impl TestApp {
    /// The role of `email` in the workspace, if they are a member.
    async fn role_in(&self, slug: &str, email: &str) -> Option<String> {
        sqlx::query_scalar(
            "SELECT m.role FROM memberships m JOIN accounts a ON a.id = m.account_id \
             JOIN workspaces w ON w.id = m.workspace_id WHERE a.email = $1 AND w.slug = $2",
        )
        .bind(email)
        .bind(slug)
        .fetch_optional(self.services.store.pool())
        .await
        .expect("membership")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_accounts_sign_in_then_accept_the_invitation() {
    let _one = ONE_BROWSER.lock().await;
    let app = TestApp::spawn(Db::Sqlite).await;
    let (_owner, slug) = app.owner_of("owner@example.com", "Acme Rockets").await;
    app.member_as(&slug, "admin@example.com", "admin").await;
    for (email, first) in [("ann@example.com", "Ann"), ("bob@example.com", "Bob")] {
        drop(app.signed_up(email, first).await);
    }
    let browser = Browser::start().await;
    let b = &browser;

    b.sign_in_as(&app.address, "admin@example.com").await;
    let flash = b
        .invite_from_dialog(&app.address, &slug, "ann@example.com, bob@example.com")
        .await;
    assert!(flash.contains("ann@example.com — invited"), "{flash}");
    assert!(flash.contains("bob@example.com — invited"), "{flash}");
    b.sign_out().await;

    // Ann: "Sign in to accept", her password, back to the invitation, Join.
    let ann_invitation = link_in(&app.mail.wait_for("ann@example.com", "invited you").await);
    assert!(ann_invitation.starts_with("/invite/"), "{ann_invitation}");
    b.invitation_to_sign_in(&app.address, &ann_invitation, "ann@example.com")
        .await;
    assert_eq!(app.role_in(&slug, "ann@example.com").await, None);
    b.fill("email", "ann@example.com").await;
    b.fill("password", PASSWORD).await;
    b.click_button("Sign in").await;
    b.join_from_invitation(&app.address, &ann_invitation, &slug)
        .await;
    assert_eq!(
        app.role_in(&slug, "ann@example.com").await.as_deref(),
        Some("member")
    );
    assert_eq!(app.invitation_status("ann@example.com").await, "accepted");
    b.sign_out().await;

    // Bob: "Sign in to accept", then "Email me a sign-in link" instead of a password.
    let bob_invitation = link_in(&app.mail.wait_for("bob@example.com", "invited you").await);
    assert!(bob_invitation.starts_with("/invite/"), "{bob_invitation}");
    b.invitation_to_sign_in(&app.address, &bob_invitation, "bob@example.com")
        .await;
    b.fill("email", "bob@example.com").await;
    b.click_button("Email me a sign-in link").await;
    b.wait_for_heading("Check your email").await;
    let told = b.client.source().await.expect("source");
    assert!(
        told.contains("we have sent a one-time sign-in link to it"),
        "{told}"
    );
    assert_eq!(
        app.role_in(&slug, "bob@example.com").await,
        None,
        "asking for a link joins nothing"
    );
    let link = link_in(
        &app.mail
            .wait_for("bob@example.com", "Your Gatehouse sign-in link")
            .await,
    );
    assert!(link.starts_with("/sign-in-link/"), "{link}");
    b.client
        .goto(&format!("{}{link}", app.address))
        .await
        .expect("open the sign-in link");
    b.wait_for_heading("Sign in to your account").await;
    b.wait_for_xpath("//p[contains(., 'bob@example.com')]")
        .await;
    b.click_button("Sign in").await;
    b.join_from_invitation(&app.address, &bob_invitation, &slug)
        .await;
    assert_eq!(
        app.role_in(&slug, "bob@example.com").await.as_deref(),
        Some("member")
    );
    assert_eq!(app.invitation_status("bob@example.com").await, "accepted");
    browser.close().await;
}
