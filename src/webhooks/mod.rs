//! Outgoing webhooks: the SSRF guard (`guard`), one signed request (`client`), and the
//! worker that claims due deliveries from the outbox, sends them, retries with backoff,
//! and disables an endpoint failing for three days (`worker`).

pub mod client;
pub mod guard;
pub mod worker;
