//! A cookie-keeping HTTP client that behaves like a current browser without JavaScript: it
//! says where each request comes from (`Sec-Fetch-Site: same-origin`, which the server's
//! CSRF check reads) and never follows redirects on its own. `TestClient::legacy` is a
//! browser too old to say.

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};

/// The fetch-metadata header current browsers send with every request.
pub const FETCH_SITE: &str = "sec-fetch-site";

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

impl TestClient {
    /// A current browser on Gatehouse's own pages.
    pub fn new(address: &str) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(FETCH_SITE, HeaderValue::from_static("same-origin"));
        Self::with_default_headers(address, headers)
    }

    /// A browser that sends neither `Sec-Fetch-Site` nor `Origin`.
    pub fn legacy(address: &str) -> Self {
        Self::with_default_headers(address, HeaderMap::new())
    }

    fn with_default_headers(address: &str, headers: HeaderMap) -> Self {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .default_headers(headers)
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

    /// GETs the part of a page htmx asks for to swap into the element `target`.
    pub async fn get_htmx(&self, path: &str, target: &str) -> Response {
        self.http
            .get(self.url(path))
            .header("HX-Request", "true")
            .header("HX-Target", target)
            .send()
            .await
            .expect("htmx GET")
    }

    /// GETs a page and returns its status and body.
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let res = self.get(path).await;
        let status = res.status();
        (status, res.text().await.expect("body"))
    }

    /// Posts a form the way a browser does.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// Posts a form with these extra headers (a cross-site request, a proxy's header).
    pub async fn post_form_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        fields: &[(&str, &str)],
    ) -> Response {
        let mut request = self.http.post(self.url(path)).form(fields);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("POST")
    }

    /// Posts a multipart form (file uploads).
    pub async fn post_multipart(&self, path: &str, form: reqwest::multipart::Form) -> Response {
        self.http
            .post(self.url(path))
            .multipart(form)
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
