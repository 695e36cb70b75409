//! Webhook rules with no I/O: the event types an endpoint may subscribe to, the signing
//! secret (Standard Webhooks: `whsec_` + base64 of the key bytes), the signature of one
//! attempt, the sealing of secrets at rest, and the retry schedule.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Every event an endpoint may subscribe to, in the order the page lists them.
pub const EVENTS: [&str; 7] = [
    "member.joined",
    "member.role_changed",
    "member.suspended",
    "member.reactivated",
    "member.removed",
    "join_request.created",
    "invitation.accepted",
];

/// The event the Send test event button delivers (to any endpoint, subscribed or not).
pub const TEST_EVENT: &str = "webhook.test";

/// An endpoint's signing key: 32 random bytes from the OS RNG.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey([u8; 32]);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

fn hmac(key: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length: this never fails.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

impl SigningKey {
    pub fn generate() -> Result<Self, rand::rngs::SysError> {
        use rand::TryRng;
        let mut bytes = [0u8; 32];
        rand::rngs::SysRng.try_fill_bytes(&mut bytes)?;
        Ok(Self(bytes))
    }

    /// The secret as shown once to the admin: `whsec_` + base64 of the key bytes.
    pub fn shown(&self) -> String {
        format!("whsec_{}", STANDARD.encode(self.0))
    }

    /// The `webhook-signature` header of one attempt: `v1,` + base64 HMAC-SHA256 of
    /// `{id}.{timestamp}.{body}`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &str) -> String {
        signature(&self.0, id, timestamp, body)
    }
}

/// `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` under `key`.
fn signature(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    let mut mac = hmac(key);
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Seals signing keys at rest: XOR with a pad derived (HMAC-SHA256) from the server
/// secret and the endpoint's id, which is unique and never reused for another key.
#[derive(Clone)]
pub struct SecretSeal([u8; 32]);

impl std::fmt::Debug for SecretSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretSeal(..)")
    }
}

impl SecretSeal {
    pub fn from_secret(secret: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"gatehouse webhook secrets v1\0");
        hasher.update(secret);
        Self(hasher.finalize().into())
    }

    fn pad(&self, endpoint_id: &str) -> [u8; 32] {
        let mut mac = hmac(&self.0);
        mac.update(endpoint_id.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// What the database keeps for `key` on endpoint `endpoint_id`.
    pub fn seal(&self, endpoint_id: &str, key: &SigningKey) -> String {
        let pad = self.pad(endpoint_id);
        let sealed: Vec<u8> = key.0.iter().zip(pad).map(|(k, p)| k ^ p).collect();
        STANDARD.encode(sealed)
    }

    /// The key back from what the database keeps; `None` if it is not a sealed key.
    pub fn open(&self, endpoint_id: &str, sealed: &str) -> Option<SigningKey> {
        let bytes = STANDARD.decode(sealed).ok()?;
        let bytes: [u8; 32] = bytes.try_into().ok()?;
        let pad = self.pad(endpoint_id);
        let mut key = [0u8; 32];
        for (i, k) in key.iter_mut().enumerate() {
            *k = bytes[i] ^ pad[i];
        }
        Some(SigningKey(key))
    }
}

/// Seconds until the next attempt after `attempts` failed ones: 5 s, 30 s, 2 min, 15 min,
/// 1 h, then hourly.
pub fn retry_delay(attempts: i64) -> i64 {
    match attempts {
        ..=1 => 5,
        2 => 30,
        3 => 120,
        4 => 900,
        _ => 3600,
    }
}

/// An endpoint failing without a success for this long is disabled.
pub const DISABLE_AFTER_SECONDS: i64 = 3 * 86_400;

/// The stored form of a subscription list: `,a,b,` (known events only, in page order).
pub fn events_column(chosen: &[&str]) -> String {
    let kept: Vec<&str> = EVENTS
        .iter()
        .copied()
        .filter(|e| chosen.contains(e))
        .collect();
    format!(",{},", kept.join(","))
}

/// The events of a stored subscription list.
pub fn events_of(column: &str) -> Vec<String> {
    column
        .split(',')
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_the_standard_webhooks_example() {
        // The example from the Standard Webhooks specification.
        let raw = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signed = signature(
            &raw,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            "{\"test\": 2432232314}",
        );
        assert_eq!(signed, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn sealed_keys_open_only_for_their_endpoint() {
        let seal = SecretSeal::from_secret(b"server secret that is long enough");
        let key = SigningKey::generate().unwrap();
        let sealed = seal.seal("ep1", &key);
        assert_eq!(seal.open("ep1", &sealed), Some(key.clone()));
        assert_ne!(seal.open("ep2", &sealed), Some(key.clone()));
        assert!(key.shown().starts_with("whsec_"));
    }

    #[test]
    fn retries_back_off_to_hourly() {
        assert_eq!(retry_delay(1), 5);
        assert_eq!(retry_delay(2), 30);
        assert_eq!(retry_delay(5), 3600);
        assert_eq!(retry_delay(50), 3600);
    }

    #[test]
    fn subscriptions_keep_known_events_only() {
        let column = events_column(&["member.removed", "nope", "member.joined"]);
        assert_eq!(column, ",member.joined,member.removed,");
        assert_eq!(events_of(&column), vec!["member.joined", "member.removed"]);
    }
}
