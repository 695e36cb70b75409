//! Email: what we send (rendered with askama, HTML and plain text), the outbox it goes
//! through, and the worker and transports (SMTP via lettre, or the dev mailbox) that
//! deliver it.

pub mod transport;
pub mod worker;

use askama::Template;
use sqlx::{Any, AnyConnection, Executor};

use crate::store::outbox::{self, NewMail};

/// An email whose one job is to get someone to follow a link.
#[derive(Debug, Clone)]
pub struct ActionEmail {
    /// Machine name of the email, e.g. `verify_email`.
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub button: String,
    pub link: String,
    pub footer: String,
}

#[derive(Template)]
#[template(path = "email/action.txt")]
struct ActionText<'a> {
    e: &'a ActionEmail,
}

#[derive(Template)]
#[template(path = "email/action.html")]
struct ActionHtml<'a> {
    e: &'a ActionEmail,
}

impl ActionEmail {
    /// Both parts, rendered: plain text, then HTML.
    fn render_parts(&self) -> anyhow::Result<(String, String)> {
        Ok((
            ActionText { e: self }.render()?,
            ActionHtml { e: self }.render()?,
        ))
    }

    /// Renders both parts and writes the email to the outbox, inside the caller's
    /// transaction, so the email exists exactly when what caused it does.
    pub async fn enqueue<'e, E: Executor<'e, Database = Any>>(
        &self,
        e: E,
        ref_id: Option<&str>,
        now: i64,
    ) -> anyhow::Result<()> {
        let (text, html) = self.render_parts()?;
        outbox::enqueue(e, self.new_mail(&text, &html, ref_id, now)).await?;
        Ok(())
    }

    /// `enqueue` for many emails at once, each with what it is about, written a hundred
    /// per statement (an Invite submission of a thousand addresses).
    pub async fn enqueue_all(
        conn: &mut AnyConnection,
        mails: &[(ActionEmail, Option<&str>)],
        now: i64,
    ) -> anyhow::Result<()> {
        let parts = mails
            .iter()
            .map(|(mail, _)| mail.render_parts())
            .collect::<anyhow::Result<Vec<_>>>()?;
        let rows: Vec<NewMail<'_>> = mails
            .iter()
            .zip(&parts)
            .map(|((mail, ref_id), (text, html))| mail.new_mail(text, html, *ref_id, now))
            .collect();
        outbox::enqueue_many(conn, &rows).await?;
        Ok(())
    }

    fn new_mail<'a>(
        &'a self,
        text: &'a str,
        html: &'a str,
        ref_id: Option<&'a str>,
        now: i64,
    ) -> NewMail<'a> {
        NewMail {
            recipient: &self.to,
            subject: &self.subject,
            text_body: text,
            html_body: html,
            kind: self.kind,
            ref_id,
            now,
        }
    }
}
