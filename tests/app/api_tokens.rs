//! The API tokens page: a token is shown once, stored hashed, listed with its facts,
//! revoked for good; bad input is refused beside its field; each change is audited.

use sha2::{Digest, Sha256};

use crate::both_databases;
use crate::support::api::{ApiClient, code, make_token, secret_in};
use crate::support::client::location;
use crate::support::{Db, TestApp};

both_databases!(
    a_token_is_shown_once_listed_and_revoked,
    bad_input_is_refused_beside_the_field,
);

async fn a_token_is_shown_once_listed_and_revoked(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let page = format!("/w/{slug}/settings/api-tokens");
    let (status, empty) = owner.page(&page).await;
    assert_eq!(status, 200);
    assert!(empty.contains("No tokens yet."));
    assert!(empty.contains("/api/v1/openapi.json") && empty.contains("curl -H"));

    let secret = make_token(&owner, &slug, "HR sync", "admin").await;
    assert!(
        secret.starts_with("gh_") && secret.len() >= 3 + 22,
        "{secret}"
    );
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    let hex: String = Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(stored, hex, "only the SHA-256 is kept");

    let (_, listed) = owner.page(&page).await;
    assert!(secret_in(&listed).is_none(), "never shown again");
    assert!(listed.contains("HR sync") && listed.contains(">admin<"));
    let creator: String =
        sqlx::query_scalar("SELECT display_name FROM accounts WHERE email = 'owner@example.com'")
            .fetch_one(app.services.store.pool())
            .await
            .unwrap();
    assert!(
        listed.contains(&format!("data-label=\"Created by\">{creator}</td>")),
        "creator shown"
    );

    assert!(
        listed.contains("data-label=\"Last used\">Never<"),
        "not used yet"
    );
    let api = ApiClient::new(&app.address, &secret);
    let (status, ws) = api.get(&format!("/api/v1/workspaces/{slug}")).await;
    assert_eq!(status, 200, "{ws}");
    let (_, used) = owner.page(&page).await;
    assert!(
        !used.contains("data-label=\"Last used\">Never<"),
        "last used shown"
    );

    let id: String = sqlx::query_scalar("SELECT id FROM api_tokens")
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    let res = owner.post_form(&format!("{page}/{id}/revoke"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), page);
    let (_, after) = owner.page(&page).await;
    assert!(after.contains("Revoked the token “HR sync”."));
    assert!(after.contains("No tokens yet."));
    let (status, refused) = api.get(&format!("/api/v1/workspaces/{slug}")).await;
    assert_eq!((status, code(&refused)), (401, "invalid_token"));
    let again = owner.post_form(&format!("{page}/{id}/revoke"), &[]).await;
    assert_eq!(again.status(), 404, "revoked once");
    for action in ["api_token.created", "api_token.revoked"] {
        let n = app
            .scalar(&format!(
                "SELECT COUNT(*) FROM audit_events WHERE action = '{action}' AND details LIKE '%HR sync%'"
            ))
            .await;
        assert_eq!(n, 1, "{action}");
    }
}

/// A submitted form's fields.
type Form<'a> = &'a [(&'a str, &'a str)];

async fn bad_input_is_refused_beside_the_field(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let page = format!("/w/{slug}/settings/api-tokens");
    let long = "x".repeat(101);
    let cases: [(Form, &str, &str); 4] = [
        (
            &[("name", "  "), ("scope", "read"), ("expiry", "30")],
            "name-error",
            "Give the token a name",
        ),
        (
            &[("name", &long), ("scope", "read"), ("expiry", "30")],
            "name-error",
            "Use at most 100",
        ),
        (
            &[("name", "Bot"), ("scope", "root"), ("expiry", "30")],
            "scope-error",
            "Choose Read or Admin",
        ),
        (
            &[("name", "Bot"), ("scope", "read"), ("expiry", "7")],
            "expiry-error",
            "Choose 30, 90 or 365",
        ),
    ];
    for (form, id, message) in cases {
        let res = owner.post_form(&page, form).await;
        assert_eq!(res.status(), 422, "{form:?}");
        let body = res.text().await.unwrap();
        assert!(
            body.contains(&format!("id=\"{id}\">{message}")),
            "{id}: {body}"
        );
        assert!(secret_in(&body).is_none());
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM api_tokens").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'api_token.%'")
            .await,
        0
    );
}
