//! Where mail goes: an SMTP server (lettre, async) or, with no SMTP configured, the dev
//! mailbox — files under {data}/mail plus a log line, so the product works out of the box.

use std::path::PathBuf;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::store::outbox::QueuedMail;

/// A configured way to deliver mail.
#[derive(Clone)]
pub enum Transport {
    Smtp {
        mailer: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    DevMailbox {
        folder: PathBuf,
    },
}

impl Transport {
    pub fn smtp(url: &str, from: &str) -> anyhow::Result<Self> {
        let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .context("SMTP_URL is not a valid SMTP URL")?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = from
            .parse()
            .context("GATEHOUSE_MAIL_FROM is not a valid mailbox")?;
        Ok(Self::Smtp { mailer, from })
    }

    pub fn dev_mailbox(folder: PathBuf) -> Self {
        Self::DevMailbox { folder }
    }

    /// Delivers one email; an error means "try again later".
    pub async fn send(&self, mail: &QueuedMail) -> anyhow::Result<()> {
        match self {
            Self::Smtp { mailer, from } => {
                let message = build_message(mail, from.clone())?;
                mailer.send(message).await.context("SMTP delivery failed")?;
            }
            Self::DevMailbox { folder } => {
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
            }
        }
        Ok(())
    }
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
