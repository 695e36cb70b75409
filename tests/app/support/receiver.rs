//! A real HTTP server standing in for a webhook receiver: it records every request (the
//! Standard Webhooks headers and the body) and answers with the statuses it is told to,
//! then 200.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }

    pub fn event(&self) -> String {
        self.json()["type"].as_str().unwrap_or_default().to_string()
    }

    /// Whether the signature is HMAC-SHA256 of `id.timestamp.body` under the key that
    /// `secret` (`whsec_…`) encodes, as a receiver checks it.
    pub fn signed_by(&self, secret: &str) -> bool {
        let key = STANDARD
            .decode(secret.trim_start_matches("whsec_"))
            .expect("base64 secret");
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
        mac.update(format!("{}.{}.{}", self.id, self.timestamp, self.body).as_bytes());
        let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        self.signature.split(' ').any(|s| s == expected)
    }
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    statuses: VecDeque<u16>,
    always: Option<u16>,
    /// Hold every answer this long (a receiver that hangs).
    stall: Option<std::time::Duration>,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl Receiver {
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let state = shared.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string()
                };
                let (status, stall) = {
                    let mut s = state.lock().unwrap();
                    s.received.push(Received {
                        id: header("webhook-id"),
                        timestamp: header("webhook-timestamp"),
                        signature: header("webhook-signature"),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let status = s.statuses.pop_front().or(s.always).unwrap_or(200);
                    (status, s.stall)
                };
                if let Some(stall) = stall {
                    tokio::time::sleep(stall).await;
                }
                StatusCode::from_u16(status).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, state }
    }

    /// The next requests get these statuses (then 200).
    pub fn answer(&self, statuses: &[u16]) {
        self.state.lock().unwrap().statuses.extend(statuses);
    }

    /// Every request gets this status.
    pub fn always(&self, status: u16) {
        self.state.lock().unwrap().always = Some(status);
    }

    /// Every answer waits this long first.
    pub fn stall(&self, how_long: std::time::Duration) {
        self.state.lock().unwrap().stall = Some(how_long);
    }

    pub fn all(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    pub fn of(&self, event: &str) -> Vec<Received> {
        self.all()
            .into_iter()
            .filter(|r| r.event() == event)
            .collect()
    }

    /// Waits until `n` requests of `event` arrived; returns them.
    pub async fn wait_for(&self, event: &str, n: usize) -> Vec<Received> {
        super::eventually(&format!("{n} × {event}"), || async {
            self.of(event).len() >= n
        })
        .await;
        self.of(event)
    }
}

/// A TLS server with a self-signed certificate for 127.0.0.1 (no public CA vouches for
/// it): it records every TLS handshake that completed and answers 200. Returns its
/// `https://` URL and the handshake count.
pub async fn self_signed_tls() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::AsyncWriteExt;
    use tokio_rustls::rustls::ServerConfig;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let cert = CertificateDer::from(include_bytes!("tls/cert.der").to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        include_bytes!("tls/key.der").to_vec(),
    ));
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/hooks", listener.local_addr().unwrap());
    let handshakes = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = handshakes.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, counted) = (acceptor.clone(), counted.clone());
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let _ = tls
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                        .await;
                }
            });
        }
    });
    (url, handshakes)
}
