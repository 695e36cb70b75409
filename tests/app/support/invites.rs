//! Helpers for invitation tests: invite through the dialog, find an invitation, read its
//! link the way an admin's Copy link shows it.

use reqwest::Response;

use super::{BASE_URL, PASSWORD, TestApp, TestClient};

/// Submits the Invite dialog (Send invites) with the email switch on.
pub async fn invite(client: &TestClient, slug: &str, addresses: &str, role: &str) -> Response {
    client
        .post_form(
            &format!("/w/{slug}/invite"),
            &[
                ("addresses", addresses),
                ("role", role),
                ("send_email", "on"),
                ("then", "close"),
            ],
        )
        .await
}

impl TestApp {
    /// An Owner and workspace without reading any email (for tests with SMTP down): the
    /// address is marked verified in the database, then they sign in.
    pub async fn owner_of_without_mail(
        &self,
        email: &str,
        workspace: &str,
    ) -> (TestClient, String) {
        let client = self.client();
        client.sign_up(email, PASSWORD, "Owner", "Tester").await;
        sqlx::query("UPDATE accounts SET email_verified = 1 WHERE email = $1")
            .bind(email)
            .execute(self.services.store.pool())
            .await
            .expect("verify");
        assert_eq!(client.sign_in(email, PASSWORD).await.status(), 303);
        let res = client
            .post_form("/workspaces", &[("name", workspace)])
            .await;
        let slug = super::client::location(&res)
            .trim_start_matches("/w/")
            .trim_end_matches("/welcome")
            .to_string();
        (client, slug)
    }

    /// The id of the account with this address.
    pub async fn account_id(&self, email: &str) -> String {
        sqlx::query_scalar("SELECT id FROM accounts WHERE email = $1")
            .bind(email)
            .fetch_one(self.services.store.pool())
            .await
            .unwrap_or_else(|e| panic!("no account {email}: {e}"))
    }

    /// The id of the newest invitation to `email`.
    pub async fn invitation_id(&self, email: &str) -> String {
        sqlx::query_scalar(
            "SELECT id FROM invitations WHERE email = $1 ORDER BY created_at DESC, id LIMIT 1",
        )
        .bind(email)
        .fetch_one(self.services.store.pool())
        .await
        .unwrap_or_else(|e| panic!("no invitation to {email}: {e}"))
    }

    /// The stored status of the newest invitation to `email`.
    pub async fn invitation_status(&self, email: &str) -> String {
        sqlx::query_scalar(
            "SELECT status FROM invitations WHERE email = $1 ORDER BY created_at DESC, id LIMIT 1",
        )
        .bind(email)
        .fetch_one(self.services.store.pool())
        .await
        .expect("invitation status")
    }

    /// Sets a workspace column directly (plan, settings) for a test's starting point.
    pub async fn set_workspace(&self, slug: &str, assignment: &str) {
        sqlx::query(&format!(
            "UPDATE workspaces SET {assignment} WHERE slug = $1"
        ))
        .bind(slug)
        .execute(self.services.store.pool())
        .await
        .expect("update workspace");
    }
}

/// The invitation's path (`/invite/{code}`) from the admin's Copy link page.
pub async fn copied_link(admin: &TestClient, slug: &str, invitation_id: &str) -> String {
    let (status, html) = admin
        .page(&format!("/w/{slug}/invitations/{invitation_id}/link"))
        .await;
    assert_eq!(status, 200, "copy link page");
    let start = html
        .find(&format!("{BASE_URL}/invite/"))
        .unwrap_or_else(|| panic!("no invitation link in:\n{html}"));
    html[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect::<String>()
        .trim_start_matches(BASE_URL)
        .to_string()
}
