//! Password rules: length bounds, never built on the email address, and strong enough by
//! zxcvbn's estimate (score 3 or more, given the person's own address and names as words an
//! attacker would try first). Every refusal says why. The upper bound is checked first, so
//! an over-long password costs neither a strength estimate nor an argon2 hash.

use std::fmt::Write as _;

/// A password that passed the rules; never printed.
#[derive(Clone)]
pub struct Password(String);

pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted, when chosen and when signing in.
pub const MAX_PASSWORD_CHARS: usize = 256;
/// The lowest zxcvbn score accepted (3: "safely unguessable", about 10^10 guesses).
const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

/// How much of a password zxcvbn looks at.
const ESTIMATED_CHARS: usize = 64;

const TOO_LONG: &str = "Use at most 256 characters.";

impl Password {
    /// Checks a new password. `hints` are what the person told us about themselves (email
    /// address, names): a password built on them is easy to guess.
    pub fn parse_new(input: &str, hints: &[&str]) -> Result<Self, String> {
        let chars = bounded_chars(input).ok_or(TOO_LONG)?;
        if chars < MIN_PASSWORD_CHARS {
            return Err("Use at least 10 characters.".to_string());
        }
        let email = hints.first().copied().unwrap_or_default();
        if repeats_email(&input.to_lowercase(), email, chars) {
            return Err("Don't base your password on your email address.".to_string());
        }
        strong_enough(input, hints)?;
        Ok(Self(input.to_string()))
    }

    /// Wraps a password typed to sign in (checked against a hash, not the rules); one
    /// longer than any password we accept is refused before it costs a hash.
    pub fn for_sign_in(input: &str) -> Result<Self, &'static str> {
        bounded_chars(input).ok_or(TOO_LONG)?;
        Ok(Self(input.to_string()))
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

/// The number of characters, or `None` past the upper bound (checked on bytes first, so a
/// huge input is not even walked).
fn bounded_chars(input: &str) -> Option<usize> {
    if input.len() > MAX_PASSWORD_CHARS * 4 {
        return None;
    }
    let chars = input.chars().count();
    (chars <= MAX_PASSWORD_CHARS).then_some(chars)
}

/// Whether the password is the address, or mostly its local part.
fn repeats_email(lowered: &str, email: &str, chars: usize) -> bool {
    let email = email.to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    lowered == email || (!local.is_empty() && lowered.contains(local) && local.len() * 2 >= chars)
}

/// zxcvbn's estimate, with the person's own details (and the address's local part and
/// domain as separate words) as the first guesses; a refusal carries its feedback. Only
/// the first [`ESTIMATED_CHARS`] characters are estimated: zxcvbn's cost grows with the
/// square of the length, and 64 characters that are easy to guess make a weak start
/// whatever follows.
fn strong_enough(input: &str, hints: &[&str]) -> Result<(), String> {
    let input = input
        .char_indices()
        .nth(ESTIMATED_CHARS)
        .map_or(input, |(end, _)| &input[..end]);
    let mut words: Vec<&str> = hints.iter().copied().filter(|h| !h.is_empty()).collect();
    for hint in hints {
        if let Some((local, domain)) = hint.split_once('@') {
            words.extend([local, domain]);
        }
    }
    let estimate = zxcvbn::zxcvbn(input, &words);
    if estimate.score() >= MIN_SCORE {
        return Ok(());
    }
    Err(weak_reason(estimate.feedback()))
}

/// "That password is easy to guess." followed by zxcvbn's warning and suggestions.
fn weak_reason(feedback: Option<&zxcvbn::feedback::Feedback>) -> String {
    const OPENING: &str = "That password is easy to guess.";
    let mut reason = String::from(OPENING);
    if let Some(feedback) = feedback {
        if let Some(warning) = feedback.warning() {
            let _ = write!(reason, " {warning}");
        }
        for suggestion in feedback.suggestions() {
            let _ = write!(reason, " {suggestion}");
        }
    }
    if reason == OPENING {
        reason.push_str(" Add another word or two. Uncommon words are better.");
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(password: &str, hints: &[&str]) -> String {
        match Password::parse_new(password, hints) {
            Ok(_) => panic!("{password:?} should be refused"),
            Err(e) => e,
        }
    }

    #[test]
    fn each_rule_has_its_message() {
        assert_eq!(refusal("short", &["a@b.co"]), "Use at least 10 characters.");
        assert_eq!(
            refusal(&"x".repeat(MAX_PASSWORD_CHARS + 1), &[]),
            "Use at most 256 characters."
        );
        assert!(refusal("adalovelace1", &["adalovelace@b.co"]).contains("email"));
        assert!(Password::parse_new("correct horse battery staple", &["a@b.co"]).is_ok());
        let long = "correct horse battery staple ".repeat(9);
        assert!(Password::parse_new(&long[..MAX_PASSWORD_CHARS], &["a@b.co"]).is_ok());
        assert!(Password::parse_new(&"password".repeat(32), &["a@b.co"]).is_err());
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        for weak in [
            "password123",
            "password123456",
            "Qwertyuiop!",
            "aaaaaaaaaaaa",
            "1234567890",
            "abcdefghijkl",
        ] {
            let reason = refusal(weak, &["someone@example.com"]);
            assert!(
                reason.starts_with("That password is easy to guess."),
                "{weak}: {reason}"
            );
            assert!(
                reason.len() > "That password is easy to guess.".len(),
                "{weak}"
            );
        }
    }

    #[test]
    fn the_person_s_own_names_count_against_the_password() {
        let hints = [
            "ada@example.com",
            "Augusta",
            "Byronsdottir",
            "Augusta Byronsdottir",
        ];
        assert!(Password::parse_new("AugustaByronsdottir", &hints).is_err());
        assert!(Password::parse_new("AugustaByronsdottir", &["x@example.com"]).is_ok());
    }

    #[test]
    fn sign_in_refuses_only_what_no_password_could_be() {
        assert!(Password::for_sign_in("short").is_ok());
        assert!(Password::for_sign_in(&"é".repeat(MAX_PASSWORD_CHARS)).is_ok());
        assert!(Password::for_sign_in(&"x".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
        assert!(Password::for_sign_in(&"x".repeat(100_000)).is_err());
    }
}
