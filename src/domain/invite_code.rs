//! Codes for invitation (and invite-link) URLs. A code is the HMAC of a random per-row
//! nonce under a key derived from the server secret: the database keeps the nonce and the
//! code's SHA-256 (for lookup), so a dump alone cannot produce a working code, yet the
//! server can show any live code again ("Copy link").

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::SecretToken;
use super::token::hex;

/// How many URL-safe characters a code has (24 bytes = 192 bits).
pub const CODE_LEN: usize = 32;

/// The key codes are derived with; built once from the configured secret.
#[derive(Clone)]
pub struct CodeKey([u8; 32]);

impl std::fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeKey(..)")
    }
}

/// A new code's stored parts: the nonce to derive it again, the hash to find it by.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub code: String,
    pub nonce: String,
    pub hash: String,
}

impl CodeKey {
    /// Derives the code key from the server secret (separate from the cookie key).
    pub fn from_secret(secret: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"gatehouse invite codes v1\0");
        hasher.update(secret);
        Self(hasher.finalize().into())
    }

    /// A fresh code with a 128-bit nonce from the OS RNG.
    pub fn issue(&self) -> Result<IssuedCode, rand::rngs::SysError> {
        let nonce = SecretToken::generate_bytes::<16>()?.as_str().to_string();
        let code = self.code_for(&nonce);
        let hash = code_hash(&code);
        Ok(IssuedCode { code, nonce, hash })
    }

    /// The code a stored nonce stands for.
    pub fn code_for(&self, nonce: &str) -> String {
        // HMAC accepts keys of any length; this cannot fail for a 32-byte key.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(mac) => mac,
            Err(_) => unreachable_key(),
        };
        mac.update(nonce.as_bytes());
        let digest = mac.finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(&digest[..CODE_LEN * 3 / 4])
    }
}

#[cold]
fn unreachable_key() -> ! {
    unreachable!("HMAC-SHA256 takes keys of any length")
}

/// What the database looks a code up by.
pub fn code_hash(code: &str) -> String {
    hex(&Sha256::digest(code.as_bytes()))
}

/// Whether a string from a URL could be a code at all (saves a query on garbage).
pub fn looks_like_code(s: &str) -> bool {
    s.len() == CODE_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_32_url_safe_characters_derived_from_the_secret() {
        let key = CodeKey::from_secret(b"0123456789abcdef0123456789abcdef");
        let issued = key.issue().unwrap();
        assert_eq!(issued.code.len(), CODE_LEN);
        assert!(looks_like_code(&issued.code));
        assert_eq!(key.code_for(&issued.nonce), issued.code);
        assert_eq!(code_hash(&issued.code), issued.hash);
        assert_ne!(issued.code, issued.nonce);
        let other = CodeKey::from_secret(b"another secret of 32+ characters!!");
        assert_ne!(other.code_for(&issued.nonce), issued.code);
        assert_ne!(key.issue().unwrap().code, issued.code);
        assert!(!looks_like_code("short"));
        assert!(!looks_like_code(&"a/".repeat(16)));
    }
}
