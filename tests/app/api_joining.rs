//! The API's invitations, invite links and join requests: each answer as the pages'
//! workflows give it, with the email sent, bad input named, and the OpenAPI document
//! listing every path.

use reqwest::Method;
use serde_json::json;

use crate::both_databases;
use crate::support::api::{ApiClient, code, make_token};
use crate::support::{BASE_URL, Db, TestApp};

both_databases!(
    invitations_through_the_api,
    links_and_join_requests_through_the_api,
    the_openapi_document_lists_every_endpoint,
);

async fn invitations_through_the_api(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let api = ApiClient::new(
        &app.address,
        &make_token(&owner, &slug, "HR", "admin").await,
    );
    let base = format!("/api/v1/workspaces/{slug}/invitations");
    let body = json!({
        "emails": ["new@example.com", "not-an-address", "owner@example.com"],
        "role": "member",
        "send_email": true,
        "message": "Welcome aboard",
    });
    let (status, answer) = api.call(Method::POST, &base, Some(body)).await;
    assert_eq!(status, 200, "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(
        (results[0]["email"].as_str(), results[0]["ok"].as_bool()),
        (Some("new@example.com"), Some(true))
    );
    assert_eq!(results[0]["result"], "invited");
    assert_eq!(results[1]["ok"], false);
    assert_eq!(results[2]["result"], "already a member");
    let mail = app.mail.wait_for("new@example.com", "Acme").await;
    assert!(mail.text.contains("Welcome aboard"), "{}", mail.text);

    let (status, listed) = api.get(&format!("{base}?status=pending")).await;
    assert_eq!(status, 200, "{listed}");
    let invitations = listed["invitations"].as_array().unwrap();
    assert_eq!(invitations.len(), 1);
    let id = invitations[0]["id"].as_str().unwrap().to_string();
    let (status, answer) = api
        .call(Method::POST, &format!("{base}/{id}/resend"), None)
        .await;
    assert_eq!(status, 200, "{answer}");
    app.mail.wait_for_count("new@example.com", "Acme", 2).await;
    assert_eq!(
        api.call(Method::DELETE, &format!("{base}/{id}"), None)
            .await
            .0,
        200
    );
    let (status, again) = api
        .call(Method::DELETE, &format!("{base}/{id}"), None)
        .await;
    assert_eq!((status, code(&again)), (409, "conflict"));
    let (_, revoked) = api.get(&format!("{base}?status=revoked")).await;
    assert_eq!(revoked["invitations"][0]["id"], id.as_str());
    let (status, bad) = api.get(&format!("{base}?status=bogus")).await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (422, Some("status"))
    );
    let (status, bad) = api
        .call(
            Method::POST,
            &base,
            Some(json!({"emails": "a@example.com", "role": "member"})),
        )
        .await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (422, Some("emails")),
        "{bad}"
    );
    let (status, bad) = api
        .call(
            Method::POST,
            &base,
            Some(json!({"emails": [], "role": "member"})),
        )
        .await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (422, Some("addresses")),
        "{bad}"
    );
    let named = app
        .scalar("SELECT COUNT(*) FROM audit_events e JOIN api_tokens t ON t.id = e.api_token_id WHERE t.name = 'HR'")
        .await;
    assert!(
        named >= 3,
        "invite, resend and revoke name the token: {named}"
    );
}

async fn links_and_join_requests_through_the_api(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let api = ApiClient::new(
        &app.address,
        &make_token(&owner, &slug, "Links", "admin").await,
    );
    let base = format!("/api/v1/workspaces/{slug}/links");
    let (status, link) = api
        .call(
            Method::POST,
            &base,
            Some(json!({"role": "member", "max_uses": 5, "expires_in": "1d"})),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let url = link["url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("{BASE_URL}/join/")), "{url}");
    assert_eq!(
        (link["max_uses"].as_i64(), link["live"].as_bool()),
        (Some(5), Some(true))
    );
    let id = link["id"].as_str().unwrap().to_string();
    let (status, fresh) = api
        .call(Method::POST, &format!("{base}/{id}/regenerate"), None)
        .await;
    assert_eq!(status, 200, "{fresh}");
    assert_ne!(fresh["url"].as_str().unwrap(), url);
    assert_eq!(
        api.call(Method::DELETE, &format!("{base}/{id}"), None)
            .await
            .0,
        200
    );
    let (_, listed) = api.get(&base).await;
    let row = listed["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(
        (row["revoked"].as_bool(), row["live"].as_bool()),
        (Some(true), Some(false))
    );
    for (body, field) in [
        (json!({"role": "member", "max_uses": "x"}), "max_uses"),
        (json!({"role": "member", "max_uses": 0}), "max_uses"),
        (json!({"role": "member", "expires_in": "2y"}), "expires_in"),
        (json!({"role": "owner"}), "role"),
    ] {
        let (status, bad) = api.call(Method::POST, &base, Some(body.clone())).await;
        assert_eq!(
            (status, bad["error"]["field"].as_str()),
            (422, Some(field)),
            "{body}: {bad}"
        );
    }

    let requests = format!("/api/v1/workspaces/{slug}/join-requests");
    let first = ask(&app, &slug, "asker1@example.com").await;
    let second = ask(&app, &slug, "asker2@example.com").await;
    let (status, pending) = api.get(&requests).await;
    assert_eq!(
        (status, pending["pending"].as_i64()),
        (200, Some(2)),
        "{pending}"
    );
    let (status, ok) = api
        .call(Method::POST, &format!("{requests}/{first}/approve"), None)
        .await;
    assert_eq!(status, 200, "{ok}");
    let joined = app
        .scalar("SELECT COUNT(*) FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE a.email = 'asker1@example.com'")
        .await;
    assert_eq!(joined, 1);
    assert_eq!(
        api.call(Method::POST, &format!("{requests}/{second}/decline"), None)
            .await
            .0,
        200
    );
    let (status, again) = api
        .call(Method::POST, &format!("{requests}/{second}/approve"), None)
        .await;
    // A decided request is no longer there to decide (the Requests page's rule).
    assert_eq!((status, code(&again)), (404, "not_found"), "{again}");
    let (_, none) = api.get(&requests).await;
    assert_eq!(none["pending"], 0);
    let of = |named: &str| {
        format!(
            "SELECT COUNT(*) FROM audit_events WHERE (action LIKE 'link.%' OR action LIKE 'join_request.%') \
             AND api_token_id IS {named}"
        )
    };
    assert!(
        app.scalar(&of("NOT NULL")).await >= 5,
        "link and request changes name the token"
    );
    assert_eq!(app.scalar(&of("NULL")).await, 0, "none without it");
}

/// A pending join request from someone outside (as from Browse workspaces); its id.
async fn ask(app: &TestApp, slug: &str, email: &str) -> String {
    drop(app.signed_up(email, "Asker").await);
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO join_requests (id, workspace_id, account_id, status, created_at) \
         SELECT $1, w.id, a.id, 'pending', 0 FROM workspaces w, accounts a \
         WHERE w.slug = $2 AND a.email = $3",
    )
    .bind(&id)
    .bind(slug)
    .bind(email)
    .execute(app.services.store.pool())
    .await
    .unwrap();
    id
}

async fn the_openapi_document_lists_every_endpoint(db: Db) {
    let app = TestApp::spawn(db).await;
    let res = reqwest::get(format!("{}/api/v1/openapi.json", app.address))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let doc: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in crate::authorization::API_ENDPOINTS
        .iter()
        .map(|e| (e.path, e.method.to_lowercase()))
    {
        let path = format!(
            "/api/v1/workspaces/{{slug}}{}",
            path.replace("{member}", "{id}")
                .replace("{invitation}", "{id}")
                .replace("{link}", "{id}")
                .replace("{request}", "{id}")
        );
        assert!(
            paths.get(&path).is_some_and(|p| p.get(&method).is_some()),
            "{method} {path}"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 20, "bodies are described by schemas");
    for r in refs {
        let name = r.trim_start_matches("#/components/schemas/");
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} resolves"
        );
    }
    let nothing = reqwest::get(format!("{}/api/v1/nothing-here", app.address))
        .await
        .unwrap();
    assert_eq!(nothing.status(), 404);
    let body: serde_json::Value = serde_json::from_str(&nothing.text().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "not_found", "JSON under /api/v1");
}

/// Every `$ref` in an OpenAPI document.
fn collect_refs(value: &serde_json::Value, refs: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", serde_json::Value::String(r)) => refs.push(r.clone()),
                    _ => collect_refs(v, refs),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}
