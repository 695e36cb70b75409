//! Who is asking, by network address, for throttling and the audit log. The socket peer
//! by default; behind a load balancer, the operator names the proxies' addresses and the
//! header they set, and only a request arriving from one of those proxies is believed
//! about its client (read by the `client-ip` crate, rightmost value, so a client cannot
//! prepend its own).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

/// Which header a trusted proxy writes the client's address into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyHeader {
    XForwardedFor,
    XRealIp,
    Forwarded,
}

impl ProxyHeader {
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Some(Self::XForwardedFor),
            "x-real-ip" => Some(Self::XRealIp),
            "forwarded" => Some(Self::Forwarded),
            _ => None,
        }
    }

    fn read(self, headers: &HeaderMap) -> Option<IpAddr> {
        match self {
            Self::XForwardedFor => client_ip::rightmost_x_forwarded_for(headers),
            Self::XRealIp => client_ip::x_real_ip(headers),
            Self::Forwarded => client_ip::rightmost_forwarded(headers),
        }
        .ok()
    }
}

/// The operator's rule: which peers are proxies, and their header.
#[derive(Debug, Clone)]
pub struct ClientIpRule {
    pub trusted_proxies: Arc<[IpNet]>,
    pub header: ProxyHeader,
}

impl Default for ClientIpRule {
    fn default() -> Self {
        Self {
            trusted_proxies: Arc::from(Vec::new()),
            header: ProxyHeader::XForwardedFor,
        }
    }
}

impl ClientIpRule {
    /// The client's address: the peer's, unless the peer is a trusted proxy that named one.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer_is_proxy = self.trusted_proxies.iter().any(|net| net.contains(&peer));
        match peer_is_proxy {
            true => self.header.read(headers).unwrap_or(peer),
            false => peer,
        }
    }
}

/// Parses `10.0.0.0/8, 192.168.1.5` (addresses or networks, comma-separated).
pub fn parse_proxies(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| s.to_string())
        })
        .collect()
}

/// The client's address as text (see the module comment for which address that is).
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Ok(Self("unknown".to_string()));
        };
        let ip = match parts.extensions.get::<ClientIpRule>() {
            Some(rule) => rule.client(peer.ip(), &parts.headers),
            None => peer.ip(),
        };
        Ok(Self(ip.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
        h
    }

    #[test]
    fn only_trusted_proxies_are_believed() {
        let rule = ClientIpRule {
            trusted_proxies: Arc::from(parse_proxies("10.0.0.0/8, 192.168.1.5").unwrap()),
            header: ProxyHeader::XForwardedFor,
        };
        let h = headers("x-forwarded-for", "1.2.3.4, 203.0.113.9");
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let stranger: IpAddr = "198.51.100.1".parse().unwrap();
        assert_eq!(rule.client(proxy, &h).to_string(), "203.0.113.9");
        assert_eq!(rule.client(stranger, &h), stranger, "a client's own header");
        assert_eq!(rule.client(proxy, &HeaderMap::new()), proxy);
        assert_eq!(ClientIpRule::default().client(proxy, &h), proxy);
    }

    #[test]
    fn proxy_lists_parse_or_name_the_bad_entry() {
        assert_eq!(parse_proxies("").unwrap().len(), 0);
        assert_eq!(parse_proxies("::1, 10.0.0.0/8").unwrap().len(), 2);
        assert_eq!(parse_proxies("10.0.0.0/8, nope").unwrap_err(), "nope");
        assert_eq!(ProxyHeader::parse("X-Real-IP"), Some(ProxyHeader::XRealIp));
        assert_eq!(ProxyHeader::parse("via"), None);
    }
}
