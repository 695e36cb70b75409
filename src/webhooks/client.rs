//! One webhook request: resolve and check the host (the SSRF guard), connect to a checked
//! address within the connect deadline, speak TLS when https (the certificate checked for
//! the URL's host against the webpki roots), POST the signed JSON with hyper's HTTP/1
//! client and read the status. Redirects are not followed (a 3xx is a failure); the whole
//! request has one deadline.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{Request, header};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use super::guard::{self, Target};
use crate::config::WebhookLimits;

/// What to send: the signed headers and the body.
#[derive(Debug, Clone)]
pub struct Signed<'a> {
    pub id: &'a str,
    pub timestamp: i64,
    pub signature: &'a str,
    pub body: &'a str,
}

/// Posts `signed` to `url`; the status code, or why there was none.
pub async fn post(url: &str, signed: &Signed<'_>, limits: WebhookLimits) -> Result<u16, String> {
    let target = guard::parse(url).map_err(str::to_string)?;
    match tokio::time::timeout(limits.timeout, attempt(&target, signed, limits)).await {
        Ok(result) => result,
        Err(_) => Err(format!("no answer within {} s", limits.timeout.as_secs())),
    }
}

async fn attempt(
    target: &Target,
    signed: &Signed<'_>,
    limits: WebhookLimits,
) -> Result<u16, String> {
    let addresses = guard::resolve(target, limits.allow_private, limits.connect_timeout)
        .await
        .map_err(|e| e.to_string())?;
    let tcp = connect(&addresses, limits.connect_timeout).await?;
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!(error = %e, "could not set TCP_NODELAY on a webhook connection");
    }
    if target.https {
        let name = ServerName::try_from(target.host.clone())
            .map_err(|_| format!("{} is not a valid TLS server name", target.host))?;
        let tls = TlsConnector::from(tls_config()?)
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS failed: {e}"))?;
        send(tls, target, signed).await
    } else {
        send(tcp, target, signed).await
    }
}

/// Connects to the first checked address that answers.
async fn connect(addresses: &[SocketAddr], deadline: Duration) -> Result<TcpStream, String> {
    let mut last = String::from("no address to connect to");
    for address in addresses {
        match tokio::time::timeout(deadline, TcpStream::connect(address)).await {
            Ok(Ok(tcp)) => return Ok(tcp),
            Ok(Err(e)) => last = format!("could not connect to {address}: {e}"),
            Err(_) => {
                last = format!(
                    "could not connect to {address} within {} s",
                    deadline.as_secs()
                )
            }
        }
    }
    Err(last)
}

async fn send<S>(stream: S, target: &Target, signed: &Signed<'_>) -> Result<u16, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP handshake failed: {e}"))?;
    let driver = tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "webhook connection ended with an error");
        }
    });
    let request = Request::post(target.path.as_str())
        .header(header::HOST, target.authority.as_str())
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, "Gatehouse-Webhooks/1")
        .header("webhook-id", signed.id)
        .header("webhook-timestamp", signed.timestamp.to_string())
        .header("webhook-signature", signed.signature)
        .body(Full::new(Bytes::from(signed.body.to_string())))
        .map_err(|e| format!("could not build the request: {e}"))?;
    let result = sender.send_request(request).await;
    driver.abort();
    result
        .map(|response| response.status().as_u16())
        .map_err(|e| format!("the request failed: {e}"))
}

/// The TLS configuration: the webpki roots, ring's crypto, TLS 1.2 and 1.3.
fn tls_config() -> Result<Arc<ClientConfig>, String> {
    let roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS is not available: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_tls_configuration_builds_with_the_webpki_roots() {
        let config = super::tls_config().unwrap();
        assert!(config.alpn_protocols.is_empty(), "HTTP/1.1 only");
    }
}
