//! Where a `next=` redirect may go: a path on this site and nothing else. Anything a
//! browser could read as another host (`//evil.example`, `/\evil.example`, a tab or line
//! break it strips or a header splits on) falls back to `/`, so a link from an email or
//! another site can never send someone elsewhere after they sign in, and the value is
//! always safe to put in a `Location` header.

use std::fmt;

/// The longest `next=` path kept; longer ones fall back to `/`.
pub const MAX_NEXT_CHARS: usize = 2048;

/// A local path (with its query string) that is safe to redirect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPath(String);

impl LocalPath {
    /// Accepts `/x…` made of visible ASCII only: no `//` or `/\` at the start, no `\`,
    /// spaces, control or non-ASCII characters anywhere, at most [`MAX_NEXT_CHARS`].
    pub fn parse(input: &str) -> Option<Self> {
        let bytes = input.as_bytes();
        let local = bytes.len() <= MAX_NEXT_CHARS
            && bytes.first() == Some(&b'/')
            && !matches!(bytes.get(1), Some(b'/' | b'\\'))
            && bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\');
        local.then(|| Self(input.to_string()))
    }

    /// The path, or `/` when there is none or it is not local.
    pub fn or_root(input: Option<&str>) -> Self {
        input
            .and_then(Self::parse)
            .unwrap_or_else(|| Self("/".to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for LocalPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn next(input: &str) -> String {
        LocalPath::or_root(Some(input)).into_string()
    }

    #[test]
    fn local_paths_are_kept() {
        assert_eq!(
            next("/w/acme/members?x=1&q=a%20b"),
            "/w/acme/members?x=1&q=a%20b"
        );
        assert_eq!(next("/"), "/");
        assert_eq!(next("/join/abc#top"), "/join/abc#top");
    }

    #[test]
    fn anything_else_falls_back_to_the_root() {
        for bad in [
            "",
            "evil",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/w/\\evil",
            "https://evil.example",
            "javascript:alert(1)",
            "/\r\nSet-Cookie: x=1",
            "/a b",
            "/\t/evil.example",
            "/caf\u{e9}",
            "/\u{7f}",
            " /w/acme",
        ] {
            assert_eq!(next(bad), "/", "{bad:?}");
        }
        assert_eq!(next(&format!("/{}", "a".repeat(MAX_NEXT_CHARS))), "/");
        assert_eq!(LocalPath::or_root(None).as_str(), "/");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn whatever_comes_in_what_goes_out_is_local(input in any::<String>()) {
            assert_local(&next(&input));
        }

        #[test]
        fn url_like_input_never_escapes(input in "[/\\\\a-z.:%\t\r\n ?#]{0,40}") {
            assert_local(&next(&input));
        }

        #[test]
        fn plain_local_paths_survive(path in "(/[a-z0-9_.~-]{1,12}){1,5}(\\?[a-z]=[a-z0-9]{0,8})?") {
            prop_assert_eq!(next(&path), path);
        }
    }

    fn assert_local(out: &str) {
        assert!(out.starts_with('/'), "{out:?}");
        assert!(!out.starts_with("//"), "{out:?}");
        assert!(!out.contains('\\'), "{out:?}");
        assert!(
            !out.chars().any(|c| c.is_control() || c.is_whitespace()),
            "{out:?}"
        );
        assert!(out.len() <= MAX_NEXT_CHARS, "{out:?}");
        assert!(axum::http::HeaderValue::from_str(out).is_ok(), "{out:?}");
    }
}
