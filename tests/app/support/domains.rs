//! Helpers for approved-domain tests: approving a domain the way an admin without an
//! address there must — by naming one and following the link emailed to it.

use super::{TestApp, TestClient, link_in};

impl TestApp {
    /// Approves `domain` for the workspace: the admin names `postmaster@{domain}` on the
    /// Security page, and someone at that mailbox follows the emailed link (GET, then the
    /// page's button). Returns the link's path.
    pub async fn approve_domain(&self, admin: &TestClient, slug: &str, domain: &str) -> String {
        let address = format!("postmaster@{domain}");
        let before = self.mail.to(&address).len();
        let res = admin
            .post_form(
                &format!("/w/{slug}/security/domains"),
                &[("domain", domain), ("proof_email", &address)],
            )
            .await;
        assert_eq!(res.status(), 303, "proof requested for {domain}");
        let mail = self
            .mail
            .wait_for_count(&address, "Approve", before + 1)
            .await;
        let path = link_in(&mail);
        let mailbox = self.client();
        let (status, _) = mailbox.page(&path).await;
        assert_eq!(status, 200, "the proof link's page");
        let res = mailbox.post_form(&path, &[]).await;
        assert_eq!(res.status(), 200, "the proof link approves");
        path
    }
}
