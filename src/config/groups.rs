//! Settings that come in groups (the server's deadlines, outgoing webhooks): each flag
//! group as clap reads it, and the checked limits the application is built from.

use std::time::Duration;

/// Outgoing webhooks.
#[derive(Debug, Clone, clap::Args)]
pub struct WebhookSettings {
    /// Allow webhook URLs whose host resolves to loopback, private (RFC 1918, fc00::/7),
    /// link-local, CGNAT, unspecified or multicast addresses. Off: such URLs are refused
    /// when saved and at every delivery (for closed networks and tests only).
    #[arg(
        long = "webhooks-allow-private",
        env = "GATEHOUSE_WEBHOOKS_ALLOW_PRIVATE",
        global = true
    )]
    pub allow_private: bool,
    /// Seconds one webhook request (connect, TLS, request, response head) may take; a
    /// request that runs over counts as a failure and is retried.
    #[arg(
        long = "webhook-timeout",
        env = "GATEHOUSE_WEBHOOK_TIMEOUT",
        default_value_t = 10,
        global = true
    )]
    pub timeout: u64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: 10,
        }
    }
}

/// How the webhook worker behaves (see `WebhookSettings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookLimits {
    pub allow_private: bool,
    /// The most one whole request may take.
    pub timeout: Duration,
    /// The most the TCP connect may take (within `timeout`).
    pub connect_timeout: Duration,
    /// How often the worker looks for due deliveries when nobody wakes it.
    pub poll_interval: Duration,
}

impl From<&WebhookSettings> for WebhookLimits {
    fn from(s: &WebhookSettings) -> Self {
        let timeout = Duration::from_secs(s.timeout.max(1));
        Self {
            allow_private: s.allow_private,
            timeout,
            connect_timeout: timeout.min(Duration::from_secs(5)),
            poll_interval: Duration::from_secs(1),
        }
    }
}

/// How long the server waits on clients and on itself when stopping, in whole seconds.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeSettings {
    /// Seconds a client has to send a request's headers (also how long an idle
    /// keep-alive connection stays open); then the connection is closed.
    #[arg(
        long,
        env = "GATEHOUSE_HEADER_READ_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub header_read_timeout: u64,
    /// Seconds a request body may go without sending a byte; then the request fails.
    #[arg(
        long,
        env = "GATEHOUSE_REQUEST_BODY_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub request_body_timeout: u64,
    /// Seconds in-flight requests (and the mail worker) get to finish after SIGTERM or
    /// Ctrl-C; connections still open then are dropped.
    #[arg(
        long,
        env = "GATEHOUSE_SHUTDOWN_DRAIN",
        default_value_t = 20,
        global = true
    )]
    pub shutdown_drain: u64,
}

impl Default for ServeSettings {
    fn default() -> Self {
        Self {
            header_read_timeout: 30,
            request_body_timeout: 30,
            shutdown_drain: 20,
        }
    }
}

/// The server's deadlines (see `ServeSettings`), each at least a second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    pub header_read_timeout: Duration,
    pub request_body_timeout: Duration,
    pub shutdown_drain: Duration,
}

impl From<&ServeSettings> for ServeLimits {
    fn from(s: &ServeSettings) -> Self {
        let seconds = |n: u64| Duration::from_secs(n.max(1));
        Self {
            header_read_timeout: seconds(s.header_read_timeout),
            request_body_timeout: seconds(s.request_body_timeout),
            shutdown_drain: seconds(s.shutdown_drain),
        }
    }
}
