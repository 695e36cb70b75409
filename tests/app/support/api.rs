//! The JSON API as a script would call it: a plain HTTP client (no cookies, no browser
//! headers) sending `Authorization: Bearer`, and the API tokens page to make tokens.

use reqwest::Method;
use serde_json::Value;

use super::TestClient;

/// Makes a token on the API tokens page as `client`; returns the secret shown once.
pub async fn make_token(client: &TestClient, slug: &str, name: &str, scope: &str) -> String {
    let res = client
        .post_form(
            &format!("/w/{slug}/settings/api-tokens"),
            &[("name", name), ("scope", scope), ("expiry", "90")],
        )
        .await;
    assert_eq!(res.status(), 200, "token made");
    let body = res.text().await.expect("body");
    secret_in(&body).expect("the new token is shown")
}

/// The `gh_…` token shown on a page, if any.
pub fn secret_in(body: &str) -> Option<String> {
    let start = body.find("value=\"gh_")? + "value=\"".len();
    let len = body[start..].find('"')?;
    Some(body[start..start + len].to_string())
}

/// A script holding one token.
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    address: String,
    pub token: String,
}

impl ApiClient {
    pub fn new(address: &str, token: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            address: address.to_string(),
            token: token.to_string(),
        }
    }

    /// Sends a request with an optional JSON body; the status and the JSON answer.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.address, path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let res = req.send().await.expect("API request");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// Sends raw bytes as JSON.
    pub async fn raw(&self, method: Method, path: &str, body: &str) -> (u16, Value) {
        let res = self
            .http
            .request(method, format!("{}{}", self.address, path))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("API request");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }
}

/// The error code of an API answer.
pub fn code(answer: &Value) -> &str {
    answer["error"]["code"].as_str().unwrap_or_default()
}
