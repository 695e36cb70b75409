//! Where mail goes: an SMTP server (lettre, async) or, with no SMTP configured, the dev
//! mailbox — files under {data}/mail plus a log line, so the product works out of the box.
//! A failed delivery says whether trying again can help (`SendError`). SMTP uses one
//! connection per email (no pool): a conversation the worker cuts short is simply dropped,
//! never handed back half-way through to the next email.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::store::outbox::QueuedMail;

/// A configured way to deliver mail.
#[derive(Clone)]
pub enum Transport {
    Smtp {
        // Boxed: without a pool the transport carries its whole configuration inline.
        mailer: Box<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
    DevMailbox {
        folder: PathBuf,
    },
}

impl Transport {
    /// `timeout` bounds lettre's connect; the worker bounds the whole conversation.
    pub fn smtp(url: &str, from: &str, timeout: Duration) -> anyhow::Result<Self> {
        let mailer = Box::new(
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .context("SMTP_URL is not a valid SMTP URL")?
                .timeout(Some(timeout))
                .build(),
        );
        let from = from
            .parse()
            .context("GATEHOUSE_MAIL_FROM is not a valid mailbox")?;
        Ok(Self::Smtp { mailer, from })
    }

    pub fn dev_mailbox(folder: PathBuf) -> Self {
        Self::DevMailbox { folder }
    }

    /// Delivers one email.
    pub async fn send(&self, mail: &QueuedMail) -> Result<(), SendError> {
        match self {
            Self::Smtp { mailer, from } => {
                let message = build_message(mail, from.clone())
                    .map_err(|e| SendError::Permanent(format!("{e:#}")))?;
                mailer.send(message).await.map_err(SendError::from_smtp)?;
            }
            Self::DevMailbox { folder } => write_to_folder(folder, mail)
                .await
                .map_err(|e| SendError::Transient(format!("dev mailbox: {e}")))?,
        }
        Ok(())
    }
}

/// Why an email was not delivered, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth another try later: the network, a 4xx answer, a deadline that passed.
    #[error("{0}")]
    Transient(String),
    /// Will never work: the server refused it for good (5xx), or no message can be built.
    #[error("{0}")]
    Permanent(String),
}

impl SendError {
    fn from_smtp(e: lettre::transport::smtp::Error) -> Self {
        if e.is_permanent() {
            Self::Permanent(format!("the mail server refused it: {e}"))
        } else {
            Self::Transient(format!("SMTP delivery failed: {e}"))
        }
    }
}

async fn write_to_folder(folder: &Path, mail: &QueuedMail) -> std::io::Result<()> {
    tokio::fs::create_dir_all(folder).await?;
    let stem = folder.join(format!("{:06}-{}", mail.id, mail.kind));
    let text = format!(
        "To: {}\nSubject: {}\n\n{}",
        mail.recipient, mail.subject, mail.text_body
    );
    tokio::fs::write(stem.with_extension("txt"), text).await?;
    tokio::fs::write(stem.with_extension("html"), &mail.html_body).await?;
    tracing::info!(to = %mail.recipient, subject = %mail.subject,
        file = %stem.with_extension("txt").display(), "dev mailbox: email written");
    Ok(())
}

fn build_message(mail: &QueuedMail, from: Mailbox) -> anyhow::Result<Message> {
    Message::builder()
        .from(from)
        .to(mail.recipient.parse().context("recipient address")?)
        .subject(&mail.subject)
        .multipart(MultiPart::alternative_plain_html(
            mail.text_body.clone(),
            mail.html_body.clone(),
        ))
        .context("building the email")
}
