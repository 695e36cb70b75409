//! Where forward auth may send a browser back to after it signs in: the address of the
//! protected tool it first asked for. Only tools the session cookie reaches are worth
//! returning to — on Gatehouse's own host (any port: cookies ignore ports) or under the
//! `--cookie-domain` — so everything else falls back to Gatehouse's home and the sign-in
//! page can never become an open redirect.

use axum::http::Uri;

use super::next_path::MAX_NEXT_CHARS;

/// The `--cookie-domain` setting: a domain the session cookie is sent to with every
/// subdomain, e.g. `example.com` for `gatehouse.example.com` and `wiki.example.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieDomain(String);

impl CookieDomain {
    /// A lower-case DNS name with at least one dot that covers Gatehouse's own host
    /// (the host of `base_url`); a leading dot is dropped.
    pub fn parse(input: &str, base_url: &str) -> Option<Self> {
        let domain = input.trim().trim_start_matches('.').to_ascii_lowercase();
        let well_formed = domain.contains('.')
            && domain.len() <= 253
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
            && !domain.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let domain = Self(domain);
        (well_formed && host_of(base_url).is_some_and(|host| domain.covers(&host)))
            .then_some(domain)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the cookie reaches `host` (the domain itself or one of its subdomains).
    pub fn covers(&self, host: &str) -> bool {
        host == self.0
            || host
                .strip_suffix(&self.0)
                .is_some_and(|rest| rest.ends_with('.'))
    }
}

/// The hosts a browser may be sent back to.
#[derive(Debug, Clone)]
pub struct ReturnHosts {
    base_host: String,
    cookie_domain: Option<CookieDomain>,
}

impl ReturnHosts {
    pub fn new(base_url: &str, cookie_domain: Option<CookieDomain>) -> Self {
        Self {
            base_host: host_of(base_url).unwrap_or_default(),
            cookie_domain,
        }
    }

    /// `input` when it is an absolute http(s) URL on an allowed host, made of visible
    /// ASCII only (safe for a `Location` header), with no user name in it.
    pub fn allow(&self, input: &str) -> Option<String> {
        self.allow_with_host(input).map(|(url, _)| url)
    }

    /// As [`Self::allow`], with the URL's host.
    pub fn allow_with_host(&self, input: &str) -> Option<(String, String)> {
        let plain = input.len() <= MAX_NEXT_CHARS
            && input.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
        if !plain {
            return None;
        }
        let uri: Uri = input.parse().ok()?;
        let authority = uri.authority()?;
        let web = matches!(uri.scheme_str(), Some("http" | "https"));
        if !web || authority.as_str().contains('@') {
            return None;
        }
        let host = authority.host().to_ascii_lowercase();
        let allowed = host == self.base_host
            || self
                .cookie_domain
                .as_ref()
                .is_some_and(|domain| domain.covers(&host));
        allowed.then(|| (input.to_string(), host))
    }
}

/// The lower-case host of an absolute URL, without port.
fn host_of(url: &str) -> Option<String> {
    let uri: Uri = url.parse().ok()?;
    Some(uri.authority()?.host().to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_domain_must_cover_gatehouse_itself() {
        let base = "https://gatehouse.example.com";
        let domain = CookieDomain::parse(".Example.com", base).unwrap();
        assert_eq!(domain.as_str(), "example.com");
        assert!(CookieDomain::parse("gatehouse.example.com", base).is_some());
        for bad in [
            "other.com",
            "com",
            "ample.com",
            "exa mple.com",
            "-x.example.com",
            "127.0.0.1",
            "",
        ] {
            assert!(CookieDomain::parse(bad, base).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn subdomains_are_covered_and_lookalikes_are_not() {
        let domain = CookieDomain::parse("example.com", "https://g.example.com").unwrap();
        assert!(domain.covers("example.com"));
        assert!(domain.covers("wiki.example.com"));
        assert!(domain.covers("a.b.example.com"));
        assert!(!domain.covers("badexample.com"));
        assert!(!domain.covers("example.com.evil.test"));
    }

    #[test]
    fn only_urls_the_cookie_reaches_are_returned_to() {
        let hosts = ReturnHosts::new(
            "https://g.example.com",
            CookieDomain::parse("example.com", "https://g.example.com"),
        );
        for good in [
            "https://wiki.example.com/page?x=1&y=2",
            "http://g.example.com:8080/",
            "https://example.com",
        ] {
            assert_eq!(hosts.allow(good).as_deref(), Some(good));
        }
        for bad in [
            "https://evil.test/",
            "https://wiki.example.com@evil.test/",
            "javascript:alert(1)",
            "//wiki.example.com/",
            "/local",
            "ftp://wiki.example.com/",
            "https://wiki.example.com/a b",
            "https://wiki.example.com/\r\nSet-Cookie:x",
            "https://badexample.com/",
        ] {
            assert_eq!(hosts.allow(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn without_a_cookie_domain_only_gatehouse_s_host_on_any_port() {
        let hosts = ReturnHosts::new("http://127.0.0.1:3000", None);
        assert!(hosts.allow("http://127.0.0.1:8081/tool").is_some());
        assert!(hosts.allow("http://localhost:8081/tool").is_none());
    }
}
