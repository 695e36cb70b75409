//! Configuration from command-line flags and the environment, read once in `main`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::domain::return_url::{CookieDomain, ReturnHosts};

mod groups;

pub use groups::{ServeLimits, ServeSettings, WebhookLimits, WebhookSettings};

/// Gatehouse: decide who gets into a workspace.
#[derive(Debug, Parser)]
#[command(name = "gatehouse", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
    /// How log lines look: text (coloured only on a terminal) or json (one object per line).
    #[arg(
        long,
        env = "GATEHOUSE_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: crate::logging::LogFormat,
}

#[derive(Debug, Subcommand, Clone)]
pub enum Command {
    /// Serve the console (the default).
    Serve,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Fill a workspace with generated members (for benchmarks and demos), then exit.
    Seed(crate::seed::SeedArgs),
    /// Print the Members list's query plans for a workspace, then exit.
    Plans(crate::seed::PlansArgs),
    /// Write a consistent copy of the (live) SQLite database to a new file, then exit.
    Backup(crate::backup::BackupArgs),
}

/// Every setting, as a flag or an environment variable.
#[derive(Clone, clap::Args)]
pub struct Settings {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "GATEHOUSE_BIND",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub bind: SocketAddr,
    /// sqlite://path/to/file.db or postgres://user@host/db. Default: an SQLite file in the data folder.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
    /// Public base URL used for links in emails, e.g. https://gatehouse.example.com.
    /// Default: http://{bind}.
    #[arg(long, env = "GATEHOUSE_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// Key material for signing session cookies (at least 32 characters). Default: generated
    /// once into {data-dir}/secret.key. Several instances must share the same value.
    #[arg(long, env = "GATEHOUSE_SECRET", hide_env_values = true, global = true)]
    pub secret: Option<String>,
    /// SMTP server for outgoing mail, e.g. smtp://127.0.0.1:2525 or smtps://user:pass@host.
    /// Unset: mail goes to the dev mailbox ({data-dir}/mail and the log).
    #[arg(long, env = "SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,
    /// The From address of outgoing mail.
    #[arg(
        long,
        env = "GATEHOUSE_MAIL_FROM",
        default_value = "Gatehouse <gatehouse@localhost>",
        global = true
    )]
    pub mail_from: String,
    /// Seconds one email's whole SMTP conversation (connect, every command, the data) may
    /// take; a send that runs over is retried later.
    #[arg(
        long,
        env = "GATEHOUSE_SMTP_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub smtp_timeout: u64,
    /// Folder for the SQLite database, the generated secret and the dev mailbox.
    #[arg(
        long,
        env = "GATEHOUSE_DATA_DIR",
        default_value = "data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Email invitations a Trial workspace may send over its whole trial.
    #[arg(
        long,
        env = "GATEHOUSE_INVITE_QUOTA_TRIAL",
        default_value_t = 250,
        global = true
    )]
    pub invite_quota_trial: i64,
    /// Email invitations a Business workspace may send per day (resets at midnight UTC).
    #[arg(
        long,
        env = "GATEHOUSE_INVITE_QUOTA_BUSINESS_DAILY",
        default_value_t = 2000,
        global = true
    )]
    pub invite_quota_business_daily: i64,
    /// Rendered Members pages' results each instance keeps in memory (about 40 kB each
    /// at 50 rows), and as many whole pages for their session; 0 renders every request
    /// afresh.
    #[arg(
        long,
        env = "GATEHOUSE_KEPT_MEMBER_PAGES",
        default_value_t = 64,
        global = true
    )]
    pub kept_member_pages: usize,
    /// Serve `/metrics` (Prometheus) on its own address, e.g. 127.0.0.1:9100.
    #[arg(long, env = "GATEHOUSE_METRICS_BIND", global = true)]
    pub metrics_bind: Option<SocketAddr>,
    /// Also serve `/metrics` on the main address (anyone who reaches it can read it).
    #[arg(long, env = "GATEHOUSE_METRICS_ON_MAIN", global = true)]
    pub metrics_on_main: bool,
    /// Addresses or networks of the reverse proxies in front of Gatehouse (e.g.
    /// `10.0.0.0/8,192.168.1.5`). Only requests from these are believed about their client.
    #[arg(
        long,
        env = "GATEHOUSE_TRUSTED_PROXIES",
        default_value = "",
        global = true
    )]
    pub trusted_proxies: String,
    /// The header trusted proxies put the client's address in: x-forwarded-for (its
    /// rightmost value), x-real-ip or forwarded.
    #[arg(
        long,
        env = "GATEHOUSE_CLIENT_IP_HEADER",
        default_value = "x-forwarded-for",
        global = true
    )]
    pub client_ip_header: String,
    /// Requests that send mail or hash a password (sign-up, sign-in links, password
    /// resets, invitation and link sign-ups, invitations) one client may make per 15 minutes.
    #[arg(
        long,
        env = "GATEHOUSE_CLIENT_SEND_LIMIT",
        default_value_t = 30,
        global = true
    )]
    pub client_send_limit: i64,
    /// A parent domain of Gatehouse's own host the session cookie is sent to, e.g.
    /// `example.com` when Gatehouse is gatehouse.example.com and forward auth protects
    /// wiki.example.com. Unset: the cookie reaches Gatehouse's host only.
    #[arg(long, env = "GATEHOUSE_COOKIE_DOMAIN", global = true)]
    pub cookie_domain: Option<String>,
    #[command(flatten)]
    pub serve: ServeSettings,
    #[command(flatten)]
    pub webhooks: WebhookSettings,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("base_url", &self.base_url)
            .field("data_dir", &self.data_dir)
            .field("smtp", &self.smtp_url.as_ref().map(|_| "(set)"))
            .finish_non_exhaustive()
    }
}

/// Which database an URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A configuration error, worded for the person starting the server.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("DATABASE_URL must start with sqlite: or postgres:// (got a URL starting with {0:?})")]
    UnknownDatabaseScheme(String),
    #[error("GATEHOUSE_BASE_URL must be an http:// or https:// URL without a query (got {0:?})")]
    BadBaseUrl(String),
    #[error("GATEHOUSE_SECRET must be at least 32 characters long")]
    ShortSecret,
    #[error("SMTP_URL must start with smtp:// or smtps://")]
    BadSmtpUrl,
    #[error("GATEHOUSE_TRUSTED_PROXIES must list IP addresses or networks (not {0:?})")]
    BadTrustedProxy(String),
    #[error("GATEHOUSE_CLIENT_IP_HEADER must be x-forwarded-for, x-real-ip or forwarded")]
    BadClientIpHeader,
    #[error(
        "GATEHOUSE_COOKIE_DOMAIN must be a domain name that contains the host of GATEHOUSE_BASE_URL (got {0:?})"
    )]
    BadCookieDomain(String),
    #[error("could not read or create the secret in {path}: {source}")]
    SecretFile {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Resolved configuration: what the application is built from.
#[derive(Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub database_url: String,
    pub backend: Backend,
    pub base_url: String,
    pub secret: Vec<u8>,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// The most one email's SMTP conversation may take.
    pub smtp_timeout: Duration,
    pub data_dir: PathBuf,
    /// First retry delay of the mail worker; doubles per attempt.
    pub mail_retry_base: Duration,
    /// How often the mail worker looks for due mail when nobody wakes it.
    pub mail_poll_interval: Duration,
    pub invite_quotas: InviteQuotas,
    pub kept_member_pages: usize,
    pub metrics_bind: Option<SocketAddr>,
    pub metrics_on_main: bool,
    /// Which peers are proxies, and the header they name the client in.
    pub client_ip: crate::web::client_ip::ClientIpRule,
    pub client_send_limit: i64,
    /// The domain the session cookie is sent to with its subdomains (`--cookie-domain`).
    pub cookie_domain: Option<CookieDomain>,
    /// Where a browser may be sent back to after signing in (forward auth).
    pub return_hosts: ReturnHosts,
    pub serve: ServeLimits,
    pub webhooks: WebhookLimits,
}

/// How many email invitations each plan may send (Enterprise: no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InviteQuotas {
    pub trial_total: i64,
    pub business_daily: i64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("backend", &self.backend)
            .field("base_url", &self.base_url)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

fn client_ip_rule(
    proxies: &str,
    header: &str,
) -> Result<crate::web::client_ip::ClientIpRule, ConfigError> {
    use crate::web::client_ip::{ClientIpRule, ProxyHeader, parse_proxies};
    Ok(ClientIpRule {
        trusted_proxies: parse_proxies(proxies)
            .map_err(ConfigError::BadTrustedProxy)?
            .into(),
        header: ProxyHeader::parse(header).ok_or(ConfigError::BadClientIpHeader)?,
    })
}

impl Config {
    /// Validates settings and fills in defaults (creating the secret file when needed).
    pub fn from_settings(s: Settings) -> Result<Self, ConfigError> {
        let database_url = s
            .database_url
            .unwrap_or_else(|| format!("sqlite://{}/gatehouse.db", s.data_dir.display()));
        let backend = backend_of(&database_url)?;
        let base_url = parse_base_url(s.base_url.unwrap_or_else(|| format!("http://{}", s.bind)))?;
        if let Some(url) = &s.smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(ConfigError::BadSmtpUrl);
        }
        let cookie_domain = match s.cookie_domain.as_deref() {
            None | Some("") => None,
            Some(domain) => Some(
                CookieDomain::parse(domain, &base_url)
                    .ok_or_else(|| ConfigError::BadCookieDomain(domain.to_string()))?,
            ),
        };
        let secret = match s.secret {
            Some(secret) if secret.len() < 32 => return Err(ConfigError::ShortSecret),
            Some(secret) => secret.into_bytes(),
            None => load_or_create_secret(&s.data_dir)?,
        };
        let return_hosts = ReturnHosts::new(&base_url, cookie_domain.clone());
        Ok(Self {
            bind: s.bind,
            database_url,
            backend,
            base_url,
            secret,
            smtp_url: s.smtp_url,
            mail_from: s.mail_from,
            smtp_timeout: Duration::from_secs(s.smtp_timeout.max(1)),
            data_dir: s.data_dir,
            mail_retry_base: Duration::from_secs(5),
            mail_poll_interval: Duration::from_secs(2),
            invite_quotas: InviteQuotas {
                trial_total: s.invite_quota_trial.max(0),
                business_daily: s.invite_quota_business_daily.max(0),
            },
            kept_member_pages: s.kept_member_pages,
            metrics_bind: s.metrics_bind,
            metrics_on_main: s.metrics_on_main,
            client_ip: client_ip_rule(&s.trusted_proxies, &s.client_ip_header)?,
            client_send_limit: s.client_send_limit.max(1),
            return_hosts,
            cookie_domain,
            serve: ServeLimits::from(&s.serve),
            webhooks: WebhookLimits::from(&s.webhooks),
        })
    }

    /// Whether cookies must be Secure (the public URL is https).
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// Tells which backend a database URL names; anything else is an error, never a guess.
pub fn backend_of(url: &str) -> Result<Backend, ConfigError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        let scheme = url
            .split(':')
            .next()
            .unwrap_or_default()
            .chars()
            .take(20)
            .collect();
        Err(ConfigError::UnknownDatabaseScheme(scheme))
    }
}

fn parse_base_url(url: String) -> Result<String, ConfigError> {
    let trimmed = url.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !trimmed.contains(['?', '#', ' ']) => {
            Ok(trimmed.to_string())
        }
        _ => Err(ConfigError::BadBaseUrl(url)),
    }
}

fn load_or_create_secret(data_dir: &std::path::Path) -> Result<Vec<u8>, ConfigError> {
    let path = data_dir.join("secret.key");
    let wrap = |source| ConfigError::SecretFile {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(secret) if secret.trim().len() >= 32 => return Ok(secret.trim().as_bytes().to_vec()),
        Ok(_) => {
            return Err(wrap(std::io::Error::other(
                "the file holds fewer than 32 characters",
            )));
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(wrap(e)),
        Err(_) => {}
    }
    std::fs::create_dir_all(data_dir).map_err(wrap)?;
    let secret = crate::domain::SecretToken::generate_bytes::<48>()
        .map_err(|e| wrap(std::io::Error::other(e.to_string())))?;
    write_private(&path, secret.as_str()).map_err(wrap)?;
    Ok(secret.as_str().as_bytes().to_vec())
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_database_schemes_are_refused() {
        assert_eq!(backend_of("sqlite://data/x.db").unwrap(), Backend::Sqlite);
        assert_eq!(backend_of("postgres://u@h/db").unwrap(), Backend::Postgres);
        let err = backend_of("mysql://u@h/db").unwrap_err().to_string();
        assert!(err.contains("mysql"), "{err}");
        assert!(backend_of("data/gatehouse.db").is_err());
    }

    #[test]
    fn base_urls_are_checked_and_trimmed() {
        assert_eq!(
            parse_base_url("https://g.example.com/".into()).unwrap(),
            "https://g.example.com"
        );
        assert!(parse_base_url("g.example.com".into()).is_err());
        assert!(parse_base_url("https://x/?a=b".into()).is_err());
    }
}
