//! An approved email domain as a workspace stores it: a real domain name, lower-case, a
//! trailing dot dropped, internationalised names in their ASCII (punycode) form so that
//! `bücher.example` and `xn--bcher-kva.example` are one domain, and never a public mail
//! provider (approving gmail.com would let the whole world in).

use std::fmt;

use super::EmailAddress;

/// A valid approved-domain name in ASCII form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DomainName(String);

/// Public mail providers: anyone can have an address there, so none can be approved.
const PUBLIC_PROVIDERS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "live.com",
    "msn.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.com",
    "yandex.com",
    "yandex.ru",
    "mail.ru",
    "zoho.com",
    "fastmail.com",
    "hey.com",
    "tutanota.com",
    "tuta.io",
    "qq.com",
    "163.com",
    "126.com",
    "naver.com",
    "orange.fr",
    "free.fr",
    "t-online.de",
    "comcast.net",
    "att.net",
];

const NOT_A_DOMAIN: &str = "Enter a domain name like example.com (no @, no spaces).";

impl DomainName {
    /// Parses what an admin typed; the error is a sentence to show beside the field.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let typed = input.trim().trim_start_matches('@').trim_end_matches('.');
        if typed.is_empty() {
            return Err("Enter a domain name, like example.com.");
        }
        // A name is at most 253 characters even in its longer, ASCII form: a longer input
        // is refused before any IDNA work.
        if typed.len() > 253 * 4 || typed.chars().count() > 253 {
            return Err("That domain name is too long: use at most 253 characters.");
        }
        if typed.contains(['@', ' ', '/', ':', '*']) {
            return Err(NOT_A_DOMAIN);
        }
        let ascii = idna::domain_to_ascii(typed).map_err(|_| NOT_A_DOMAIN)?;
        if !is_hostname(&ascii) {
            return Err(NOT_A_DOMAIN);
        }
        if PUBLIC_PROVIDERS.contains(&ascii.as_str()) {
            return Err(
                "That is a public email provider: anyone can get an address there, so it cannot be approved. Invite those people instead.",
            );
        }
        Ok(Self(ascii))
    }

    /// The domain of an address, in the same form (`None` if it is not a valid name).
    pub fn of_email(email: &EmailAddress) -> Option<Self> {
        let ascii = idna::domain_to_ascii(email.domain()).ok()?;
        is_hostname(&ascii).then_some(Self(ascii))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Unicode form people read (the same as `as_str` for plain ASCII names).
    pub fn display(ascii: &str) -> String {
        let (unicode, result) = idna::domain_to_unicode(ascii);
        if result.is_ok() {
            unicode
        } else {
            ascii.to_string()
        }
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// At least two labels of ASCII letters, digits and hyphens (no hyphen at either end, at
/// most 63 characters each, 253 in all) and a top-level label that is not all digits (so
/// no IP addresses).
fn is_hostname(ascii: &str) -> bool {
    let labels: Vec<&str> = ascii.split('.').collect();
    labels.len() >= 2
        && ascii.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && !tld.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn ok(input: &str) -> String {
        DomainName::parse(input)
            .unwrap_or_else(|e| panic!("{input}: {e}"))
            .to_string()
    }

    #[test]
    fn lower_cases_and_drops_a_trailing_dot_and_an_at() {
        assert_eq!(ok("Example.COM"), "example.com");
        assert_eq!(ok(" example.com. "), "example.com");
        assert_eq!(ok("@example.com"), "example.com");
        assert_eq!(ok("mail.example.co.uk"), "mail.example.co.uk");
    }

    #[test]
    fn internationalised_names_are_stored_as_punycode() {
        assert_eq!(ok("Bücher.example"), "xn--bcher-kva.example");
        assert_eq!(ok("xn--bcher-kva.example"), "xn--bcher-kva.example");
        assert_eq!(
            DomainName::display("xn--bcher-kva.example"),
            "bücher.example"
        );
    }

    #[test]
    fn refuses_what_is_not_a_domain() {
        for bad in [
            "",
            "example",
            "ann@example.com",
            "exa mple.com",
            "-example.com",
            "example-.com",
            "example..com",
            "192.168.0.1",
            "*.example.com",
            "https://example.com",
            "example.c",
            &format!("{}.com", "a".repeat(64)),
            &format!("{}com", "a.".repeat(127)),
            &"é".repeat(100_000),
        ] {
            assert!(DomainName::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn refuses_public_mail_providers_with_a_reason() {
        for public in [
            "gmail.com",
            "Outlook.com",
            "yahoo.com.",
            "icloud.com",
            "proton.me",
        ] {
            let err = DomainName::parse(public).unwrap_err();
            assert!(err.contains("public email provider"), "{public}");
        }
    }

    #[test]
    fn an_address_s_domain_matches_only_itself() {
        let at = |e: &str| DomainName::of_email(&EmailAddress::parse(e).unwrap()).unwrap();
        assert_eq!(at("ann@Example.com").as_str(), "example.com");
        assert_eq!(at("ann@sub.example.com").as_str(), "sub.example.com");
        assert_eq!(at("ann@bücher.example").as_str(), "xn--bcher-kva.example");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_input_never_panics_and_what_parses_keeps_the_rules(input in any::<String>()) {
            if let Ok(domain) = DomainName::parse(&input) {
                assert_kept(&domain);
            }
        }

        #[test]
        fn domain_like_input_keeps_the_rules(input in "[ @]?[a-zA-Z0-9ü.-]{1,80}[. ]?") {
            if let Ok(domain) = DomainName::parse(&input) {
                assert_kept(&domain);
            }
        }
    }

    fn assert_kept(domain: &DomainName) {
        let s = domain.as_str();
        assert!(s.len() <= 253 && is_hostname(s), "{s}");
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'),
            "{s}"
        );
        assert!(!PUBLIC_PROVIDERS.contains(&s), "{s}");
        assert_eq!(
            DomainName::parse(s).as_ref(),
            Ok(domain),
            "parsing again changes nothing"
        );
    }
}
