//! An email address that has been trimmed, lower-cased and checked once. The length is
//! checked before anything else, so an over-long address costs nothing further anywhere.

use std::fmt;

/// The longest address accepted (RFC 5321's limit on a path, less the angle brackets).
pub const MAX_EMAIL_CHARS: usize = 254;
/// The refusal of an address longer than [`MAX_EMAIL_CHARS`].
pub const TOO_LONG: &str = "That email address is too long: use at most 254 characters.";

/// A syntactically valid, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses user input; the error is a sentence to show beside the field.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let typed = input.trim();
        if typed.is_empty() {
            return Err("Enter an email address.");
        }
        if is_too_long(typed) {
            return Err(TOO_LONG);
        }
        let address = typed.to_lowercase();
        if is_too_long(&address) {
            return Err(TOO_LONG);
        }
        let Some((local, domain)) = address.rsplit_once('@') else {
            return Err("Enter an email address like name@example.com.");
        };
        if !valid_local_part(local) || !valid_domain(domain) {
            return Err("Enter an email address like name@example.com.");
        }
        Ok(Self(address))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`, e.g. `example.com`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether typed input is longer than any address we accept (before any other work).
pub fn is_too_long(typed: &str) -> bool {
    typed.trim().len() > MAX_EMAIL_CHARS
}

fn valid_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
}

/// A domain name: at least two labels of letters, digits and hyphens (IDN as punycode or
/// Unicode letters), no label starting or ending with a hyphen.
pub fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(char::is_alphanumeric) && tld.len() >= 2)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn trims_and_lowercases() {
        let e = EmailAddress::parse("  Ada@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "ada@example.com");
        assert_eq!(e.domain(), "example.com");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@-example.com",
            "ada..x@example.com",
            "ada@example.c",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn accepts_plus_addresses_and_subdomains() {
        assert!(EmailAddress::parse("ada+tag@mail.example.co.uk").is_ok());
    }

    #[test]
    fn over_long_addresses_are_refused_with_their_own_message() {
        let long = format!("{}@example.com", "a".repeat(300));
        assert_eq!(EmailAddress::parse(&long), Err(TOO_LONG));
        assert!(is_too_long(&long));
        let longest = format!("{}@{}.example.com", "a".repeat(64), "b".repeat(63));
        assert!(EmailAddress::parse(&longest).is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_input_never_panics_and_what_parses_keeps_the_rules(input in any::<String>()) {
            if let Ok(email) = EmailAddress::parse(&input) {
                assert_kept(&email);
            }
        }

        #[test]
        fn address_like_input_keeps_the_rules(
            input in "[ ]?[A-Za-z0-9.+_@-]{1,70}@[A-Za-z0-9.-]{1,200}[ ]?"
        ) {
            if let Ok(email) = EmailAddress::parse(&input) {
                assert_kept(&email);
            }
        }

        #[test]
        fn ordinary_addresses_are_accepted_lower_cased(
            local in "[A-Za-z0-9][A-Za-z0-9+_-]{0,20}",
            domain in "[A-Za-z0-9]{1,20}\\.[A-Za-z]{2,6}",
        ) {
            let email = EmailAddress::parse(&format!("{local}@{domain}")).unwrap();
            prop_assert_eq!(email.as_str(), format!("{local}@{domain}").to_lowercase());
        }
    }

    fn assert_kept(email: &EmailAddress) {
        let s = email.as_str();
        assert!(s.len() <= MAX_EMAIL_CHARS, "{s}");
        assert_eq!(s, s.to_lowercase());
        assert_eq!(s.matches('@').count(), 1, "{s}");
        assert!(
            !s.chars().any(|c| c.is_whitespace() || c.is_control()),
            "{s:?}"
        );
        assert_eq!(
            EmailAddress::parse(s).as_ref(),
            Ok(email),
            "parsing again changes nothing"
        );
    }
}
