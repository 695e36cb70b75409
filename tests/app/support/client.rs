//! A cookie-keeping HTTP client that behaves like a browser without JavaScript: it reads
//! the CSRF token from the last form it saw and never follows redirects on its own.

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};

pub struct TestClient {
    pub address: String,
    pub http: reqwest::Client,
    pub jar: Arc<Jar>,
}

/// The Location header of a redirect.
pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The CSRF token in a page's forms.
pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    Some(html[start..].chars().take_while(|c| *c != '"').collect())
}

impl TestClient {
    pub fn new(address: &str) -> Self {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .build()
            .expect("http client");
        Self {
            address: address.to_string(),
            http,
            jar,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    /// GETs a page and returns its status and body.
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let res = self.get(path).await;
        let status = res.status();
        (status, res.text().await.expect("body"))
    }

    /// A fresh CSRF token for this session (read from a page's form).
    pub async fn csrf(&self) -> String {
        let (_, html) = self.page("/sign-in").await;
        csrf_in(&html).expect("a CSRF token on the sign-in page")
    }

    /// Posts a form the way a browser does, with the session's CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// Posts a multipart form (file uploads) with the session's CSRF token.
    pub async fn post_multipart(&self, path: &str, form: reqwest::multipart::Form) -> Response {
        let token = self.csrf().await;
        self.http
            .post(self.url(path))
            .multipart(form.text("csrf_token", token))
            .send()
            .await
            .expect("POST multipart")
    }

    /// The session cookie's current value.
    pub fn session_cookie(&self) -> Option<String> {
        let url = self.address.parse().expect("address is a URL");
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|c| c.strip_prefix("gatehouse_session=").map(str::to_string))
    }

    pub async fn sign_up(&self, email: &str, password: &str, first: &str, last: &str) -> Response {
        let res = self
            .post_form(
                "/sign-up",
                &[
                    ("email", email),
                    ("password", password),
                    ("first_name", first),
                    ("last_name", last),
                    ("display_name", ""),
                ],
            )
            .await;
        assert_eq!(
            res.status(),
            303,
            "sign-up answers with a redirect to 'check your email'"
        );
        res
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.post_form("/sign-in", &[("email", email), ("password", password)])
            .await
    }

    pub async fn sign_out(&self) -> Response {
        self.post_form("/sign-out", &[]).await
    }
}
