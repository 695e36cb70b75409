//! A real SMTP server on loopback (mailin-embedded) that keeps what it receives — it can
//! be made slow or made to refuse some recipients (550) — a "silent" server that accepts
//! connections and never answers, and a small MIME reader that decodes the parts lettre
//! sends (quoted-printable or base64).

use std::collections::HashSet;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use mailin_embedded::response::{NO_MAILBOX, OK};
use mailin_embedded::{Handler, Response, Server, SslConfig};
use socket2::{Domain, Protocol, Socket, Type};
use tokio::sync::watch;

/// One email as the SMTP server received it, decoded.
#[derive(Debug, Clone)]
pub struct ReceivedEmail {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub raw: String,
}

#[derive(Clone)]
pub struct MailServer {
    pub port: u16,
    /// The port's socket, bound but not yet listening (connections are refused) until
    /// `start`: holding it keeps every other test off the port meanwhile.
    reserved: Arc<Mutex<Option<Socket>>>,
    received: Arc<Mutex<Vec<ReceivedEmail>>>,
    arrivals: Arc<watch::Sender<usize>>,
    behaviour: Arc<Behaviour>,
}

/// How the server answers, changeable while it runs.
#[derive(Default)]
struct Behaviour {
    /// How long accepting each email's data takes.
    delay: Mutex<Duration>,
    /// Recipients refused with 550 at RCPT.
    refused: Mutex<HashSet<String>>,
    /// Every RCPT address the server was given, accepted or not.
    recipients_tried: Mutex<Vec<String>>,
}

#[derive(Clone)]
struct Collector {
    to: Vec<String>,
    data: Vec<u8>,
    received: Arc<Mutex<Vec<ReceivedEmail>>>,
    arrivals: Arc<watch::Sender<usize>>,
    behaviour: Arc<Behaviour>,
}

impl Handler for Collector {
    fn rcpt(&mut self, to: &str) -> Response {
        let to = to.to_lowercase();
        let b = &self.behaviour;
        b.recipients_tried.lock().expect("lock").push(to.clone());
        if b.refused.lock().expect("lock").contains(&to) {
            NO_MAILBOX
        } else {
            OK
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        // mailin-embedded runs each connection on its own pool thread: sleeping here is
        // a slow server, not a slow test harness.
        let delay = *self.behaviour.delay.lock().expect("lock");
        std::thread::sleep(delay);
        let raw = String::from_utf8_lossy(&self.data).replace("\r\n", "\n");
        let email = parse(&raw, self.to.clone());
        let mut received = self.received.lock().expect("mailbox lock");
        received.push(email);
        self.arrivals.send_replace(received.len());
        OK
    }
}

impl MailServer {
    /// Takes a free port without listening on it yet: mail sent to it is refused until
    /// `start`. The port stays bound meanwhile (without SO_REUSEADDR), so no other test's
    /// server can take it and receive this app's mail.
    pub fn reserve() -> Self {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).expect("socket");
        let loopback: SocketAddr = ([127, 0, 0, 1], 0).into();
        socket.bind(&loopback.into()).expect("free port");
        let port = socket
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .expect("bound address")
            .port();
        Self {
            port,
            reserved: Arc::new(Mutex::new(Some(socket))),
            received: Arc::default(),
            arrivals: Arc::new(watch::channel(0).0),
            behaviour: Arc::default(),
        }
    }

    /// Makes accepting each email take `delay` (a slow SMTP server).
    pub fn set_delay(&self, delay: Duration) {
        *self.behaviour.delay.lock().expect("lock") = delay;
    }

    /// Refuses mail to `address` with 550 (mailbox unavailable) until `accept`.
    pub fn refuse(&self, address: &str) {
        self.behaviour
            .refused
            .lock()
            .expect("lock")
            .insert(address.to_lowercase());
    }

    pub fn accept(&self, address: &str) {
        self.behaviour
            .refused
            .lock()
            .expect("lock")
            .remove(&address.to_lowercase());
    }

    /// How many times a client named `address` as a recipient (accepted or refused).
    pub fn recipient_attempts(&self, address: &str) -> usize {
        let address = address.to_lowercase();
        self.behaviour
            .recipients_tried
            .lock()
            .expect("lock")
            .iter()
            .filter(|a| **a == address)
            .count()
    }

    /// Starts accepting mail on the reserved port.
    pub fn start(&self) {
        let socket = self
            .reserved
            .lock()
            .expect("reservation lock")
            .take()
            .expect("the mail server starts once");
        socket.listen(128).expect("listen on the reserved port");
        let listener = TcpListener::from(socket);
        let handler = Collector {
            to: Vec::new(),
            data: Vec::new(),
            received: self.received.clone(),
            arrivals: self.arrivals.clone(),
            behaviour: self.behaviour.clone(),
        };
        let mut server = Server::new(handler);
        server
            .with_name("gatehouse.test")
            .with_tcp_listener(listener);
        server.with_ssl(SslConfig::None).expect("plain SMTP");
        std::thread::spawn(move || {
            let _ = server.serve().map_err(|e| e.to_string());
        });
    }

    pub fn all(&self) -> Vec<ReceivedEmail> {
        self.received.lock().expect("mailbox lock").clone()
    }

    pub fn to(&self, address: &str) -> Vec<ReceivedEmail> {
        self.all()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Waits (up to 15 s) for an email to `address` whose subject contains `subject`,
    /// and returns the newest such email.
    pub async fn wait_for(&self, address: &str, subject: &str) -> ReceivedEmail {
        self.wait_for_count(address, subject, 1).await
    }

    /// Waits until `n` such emails have arrived; returns the newest.
    pub async fn wait_for_count(&self, address: &str, subject: &str, n: usize) -> ReceivedEmail {
        let mut arrivals = self.arrivals.subscribe();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let matching: Vec<_> = self
                .to(address)
                .into_iter()
                .filter(|m| m.subject.contains(subject))
                .collect();
            if matching.len() >= n
                && let Some(mail) = matching.into_iter().last()
            {
                return mail;
            }
            if tokio::time::timeout_at(deadline, arrivals.changed())
                .await
                .is_err()
            {
                panic!(
                    "no email to {address} about {subject:?}; received: {:#?}",
                    self.all()
                        .iter()
                        .map(|m| (&m.to, &m.subject))
                        .collect::<Vec<_>>()
                );
            }
        }
    }
}

/// An SMTP server that accepts connections and never says a word (not even its greeting),
/// holding every connection open: what a hung mail server looks like to a client.
pub struct SilentSmtp {
    pub port: u16,
    accepted: watch::Receiver<usize>,
}

impl SilentSmtp {
    /// Listens on a free loopback port; lives as long as the test's runtime.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("free port");
        let port = listener.local_addr().expect("bound address").port();
        let (tx, accepted) = watch::channel(0);
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
                tx.send_replace(held.len());
            }
        });
        Self { port, accepted }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Waits (up to 15 s) until a client has connected.
    pub async fn wait_for_connection(&self) {
        let mut accepted = self.accepted.clone();
        tokio::time::timeout(Duration::from_secs(15), accepted.wait_for(|n| *n > 0))
            .await
            .expect("a client connected to the silent SMTP server")
            .expect("silent server running");
    }
}

fn parse(raw: &str, to: Vec<String>) -> ReceivedEmail {
    let (headers, _) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let subject = header(headers, "Subject").unwrap_or_default();
    ReceivedEmail {
        to,
        subject,
        text: part(raw, "text/plain").unwrap_or_default(),
        html: part(raw, "text/html").unwrap_or_default(),
        raw: raw.to_string(),
    }
}

fn header(headers: &str, name: &str) -> Option<String> {
    let unfolded = headers.replace("\n ", " ").replace("\n\t", " ");
    unfolded.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
    })
}

/// The decoded body of the first MIME part of the given content type.
fn part(raw: &str, content_type: &str) -> Option<String> {
    let start = raw.find(&format!("Content-Type: {content_type}"))?;
    let section = &raw[start..];
    let (headers, body) = section.split_once("\n\n")?;
    // The part ends at the next boundary line; a bare "\n--" is not enough, since a
    // quoted-printable line may start with "--" (a link's token soft-wrapped there).
    let end = match boundary_before(&raw[..start]) {
        Some(b) => format!("\n--{b}"),
        None => "\n--".to_string(),
    };
    let body = body.split(end.as_str()).next().unwrap_or(body);
    let encoding = header(headers, "Content-Transfer-Encoding")
        .unwrap_or_default()
        .to_lowercase();
    Some(match encoding.as_str() {
        "quoted-printable" => decode_quoted_printable(body),
        "base64" => {
            let joined: String = body.split_whitespace().collect();
            String::from_utf8_lossy(
                &base64::engine::general_purpose::STANDARD
                    .decode(joined)
                    .unwrap_or_default(),
            )
            .into_owned()
        }
        _ => body.to_string(),
    })
}

/// The boundary that opened a part: the last `--…` line before the part's headers.
fn boundary_before(preceding: &str) -> Option<String> {
    let line = preceding.lines().rev().find(|l| l.starts_with("--"))?;
    let value = line.trim_start_matches("--").trim_end();
    (!value.is_empty()).then(|| value.to_string())
}

fn decode_quoted_printable(body: &str) -> String {
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A soft-wrapped link whose continuation starts with "--" stays whole (it used to be
    /// cut there, and the test then followed half a link to a 404).
    #[test]
    fn a_wrapped_line_starting_with_dashes_is_not_a_boundary() {
        let raw = "Subject: Confirm\nContent-Type: multipart/alternative;\n boundary=\"XyZ\"\n\n\
                   --XyZ\nContent-Type: text/plain; charset=utf-8\n\
                   Content-Transfer-Encoding: quoted-printable\n\n\
                   Confirm my address: http://gatehouse.test/verify/abc=\n--def\n\n-- \nGatehouse\n\
                   --XyZ\nContent-Type: text/html; charset=utf-8\n\n<p>x</p>\n--XyZ--\n";
        let mail = parse(raw, vec!["a@example.com".into()]);
        assert!(
            mail.text
                .contains("http://gatehouse.test/verify/abc--def\n"),
            "{}",
            mail.text
        );
        assert_eq!(mail.html.trim(), "<p>x</p>");
    }
}
