//! The SSRF guard: a webhook URL must be http or https, and its host must resolve only to
//! public addresses — not loopback, private (RFC 1918, fc00::/7), link-local, CGNAT,
//! unspecified, broadcast or multicast — unless `--webhooks-allow-private` is on. Checked
//! when an endpoint is saved and again at every delivery, which then connects to the very
//! addresses checked here (a DNS answer that changes in between cannot slip through).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use axum::http::Uri;

/// A parsed webhook URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    /// The host as written (without IPv6 brackets), for DNS, SNI and the Host header.
    pub host: String,
    pub port: u16,
    /// Path and query, at least `/`.
    pub path: String,
    /// `host` or `host:port` as the Host header says it.
    pub authority: String,
}

/// Parses a webhook URL; the error is a sentence for the page.
pub fn parse(url: &str) -> Result<Target, &'static str> {
    const BAD: &str = "Enter a full URL starting with https:// or http://.";
    let url = url.trim();
    if url.len() > 2000 {
        return Err("That URL is too long (at most 2,000 characters).");
    }
    let uri: Uri = url.parse().map_err(|_| BAD)?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") => false,
        _ => return Err(BAD),
    };
    let authority = uri.authority().ok_or(BAD)?;
    if authority.as_str().contains('@') {
        return Err("Webhook URLs cannot carry a user name or password.");
    }
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if host.is_empty() {
        return Err(BAD);
    }
    let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    Ok(Target {
        https,
        host: host.to_ascii_lowercase(),
        port,
        path: if path.is_empty() {
            "/".into()
        } else {
            path.into()
        },
        authority: authority.as_str().to_ascii_lowercase(),
    })
}

/// Whether an address is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    let cgnat = a == 100 && (64..128).contains(&b);
    let this_network = a == 0;
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || cgnat
        || this_network)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    let unique_local = first & 0xfe00 == 0xfc00;
    let link_local = first & 0xffc0 == 0xfe80;
    !(ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() || unique_local || link_local)
}

/// Why a host cannot be posted to; worded for the page and the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("{0} could not be resolved")]
    Unresolved(String),
    #[error(
        "{0} resolves to a private, loopback or link-local address; webhooks go to public addresses only"
    )]
    Private(String),
}

/// Resolves the target's host (within `deadline`) and checks every address; returns them
/// all when allowed, so the caller connects to exactly these.
pub async fn resolve(
    target: &Target,
    allow_private: bool,
    deadline: Duration,
) -> Result<Vec<SocketAddr>, Refused> {
    let unresolved = || Refused::Unresolved(target.host.clone());
    let lookup = tokio::net::lookup_host((target.host.as_str(), target.port));
    let addresses: Vec<SocketAddr> = tokio::time::timeout(deadline, lookup)
        .await
        .map_err(|_| unresolved())?
        .map_err(|_| unresolved())?
        .collect();
    if addresses.is_empty() {
        return Err(unresolved());
    }
    if !allow_private && addresses.iter().any(|a| !is_public(a.ip())) {
        return Err(Refused::Private(target.host.clone()));
    }
    Ok(addresses)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!public(ip), "{ip} must be refused");
        }
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "100.128.0.1",
        ] {
            assert!(public(ip), "{ip} is public");
        }
    }

    #[test]
    fn urls_are_http_or_https_with_a_host() {
        let t = parse("https://Hooks.Example.com/in?x=1").unwrap();
        assert_eq!((t.https, t.port), (true, 443));
        assert_eq!(t.host, "hooks.example.com");
        assert_eq!(t.path, "/in?x=1");
        let t = parse("http://[::1]:8080").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str()),
            ("::1", 8080, "/")
        );
        for bad in [
            "ftp://x/",
            "example.com/hook",
            "https://",
            "https://u:p@x/",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad} must be refused");
        }
    }
}
