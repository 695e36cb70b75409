//! Password rules: length bounds and a list of passwords too common to allow.

/// A password that passed the rules; never printed.
#[derive(Clone)]
pub struct Password(String);

pub const MIN_PASSWORD_CHARS: usize = 10;
const MAX_PASSWORD_CHARS: usize = 256;
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

impl Password {
    /// Checks a new password; `email` catches passwords that merely repeat the address.
    pub fn parse_new(input: &str, email: &str) -> Result<Self, &'static str> {
        let chars = input.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err("Use at least 10 characters.");
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err("Use at most 256 characters.");
        }
        let lowered = input.to_lowercase();
        if is_common(&lowered) {
            return Err("That password is too common. Choose one that is harder to guess.");
        }
        let local = email.split('@').next().unwrap_or_default();
        if lowered == email
            || (!local.is_empty() && lowered.contains(local) && local.len() * 2 >= chars)
        {
            return Err("Don't base your password on your email address.");
        }
        Ok(Self(input.to_string()))
    }

    /// Wraps a password typed to sign in (checked against a hash, not the rules).
    pub fn for_sign_in(input: &str) -> Self {
        Self(input.to_string())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

fn is_common(lowered: &str) -> bool {
    let unpadded = lowered.trim_end_matches(|c: char| c.is_ascii_digit() || c == '!');
    COMMON_PASSWORDS
        .lines()
        .any(|common| common == lowered || (!unpadded.is_empty() && common == unpadded))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_has_its_message() {
        assert_eq!(
            Password::parse_new("short", "a@b.co").unwrap_err(),
            "Use at least 10 characters."
        );
        assert!(
            Password::parse_new("password123", "a@b.co")
                .unwrap_err()
                .contains("too common")
        );
        assert!(
            Password::parse_new("Qwertyuiop!", "a@b.co")
                .unwrap_err()
                .contains("too common")
        );
        assert!(
            Password::parse_new("adalovelace1", "adalovelace@b.co")
                .unwrap_err()
                .contains("email")
        );
        assert!(Password::parse_new("correct horse battery", "a@b.co").is_ok());
    }
}
