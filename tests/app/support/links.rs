//! Helpers for invite-link tests: create a link through the form, read its URL the way
//! the list shows it, and make many signed-in people quickly.

use futures_util::StreamExt;
use reqwest::Response;

use super::{BASE_URL, PASSWORD, TestApp, TestClient};

/// Submits Create link with these fields over the defaults (Member, 7 days, unlimited).
pub async fn create_link(client: &TestClient, slug: &str, fields: &[(&str, &str)]) -> Response {
    let mut all = vec![("role", "member"), ("expiry", "7d"), ("notify", "on")];
    for (k, v) in fields {
        all.retain(|(key, _)| key != k);
        all.push((k, v));
    }
    client.post_form(&format!("/w/{slug}/links"), &all).await
}

/// The path (`/join/{code}`) of a link, from the Invite links list.
pub async fn link_path(client: &TestClient, slug: &str, link_id: &str) -> String {
    let (status, html) = client.page(&format!("/w/{slug}/links")).await;
    assert_eq!(status, 200, "the Invite links page");
    let marker = format!("id=\"url-{link_id}\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no usable link {link_id} in:\n{html}"));
    let value = &html[at..];
    let start = value.find("value=\"").expect("value") + "value=\"".len();
    value[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect::<String>()
        .trim_start_matches(BASE_URL)
        .to_string()
}

impl TestApp {
    /// Every link id, to tell which one a step made.
    pub async fn link_ids(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT id FROM invite_links")
            .fetch_all(self.services.store.pool())
            .await
            .expect("links")
    }

    /// Creates a link and returns (id, path).
    pub async fn link_of(
        &self,
        client: &TestClient,
        slug: &str,
        fields: &[(&str, &str)],
    ) -> (String, String) {
        let before = self.link_ids().await;
        let res = create_link(client, slug, fields).await;
        assert_eq!(res.status(), 303, "link created");
        let mut new: Vec<String> = self.link_ids().await;
        new.retain(|id| !before.contains(id));
        assert_eq!(new.len(), 1, "one new link");
        let id = new.remove(0);
        let path = link_path(client, slug, &id).await;
        (id, path)
    }

    /// `n` verified accounts ("{prefix}000@example.com", …) signed in, each its own client.
    /// Accounts go straight into the database with one real hash of `PASSWORD`.
    pub async fn signed_in_people(&self, prefix: &str, n: usize) -> Vec<TestClient> {
        let hash = password_auth::generate_hash(PASSWORD);
        let pool = self.services.store.pool();
        let now = self.clock().now();
        let mut emails = Vec::with_capacity(n);
        for i in 0..n {
            let email = format!("{prefix}{i:03}@example.com");
            let account = gatehouse::store::accounts::NewAccount {
                id: &uuid::Uuid::new_v4().to_string(),
                email: &email,
                password_hash: &hash,
                first_name: prefix,
                last_name: &format!("{i:03}"),
                display_name: &format!("{prefix} {i:03}"),
                email_verified: true,
                now,
            };
            gatehouse::store::accounts::insert(pool, account)
                .await
                .expect("account");
            emails.push(email);
        }
        // Signing in is setup, not the race under test: a few at a time (argon2 is slow).
        let sign_ins = emails.iter().map(|email| async move {
            let client = self.client();
            assert_eq!(
                client.sign_in(email, PASSWORD).await.status(),
                303,
                "{email} signs in"
            );
            client
        });
        futures_util::stream::iter(sign_ins)
            .buffered(8)
            .collect()
            .await
    }
}
