//! Mail: the outbox survives an SMTP outage, links use the configured base URL, and the
//! dev mailbox works without SMTP.

use crate::both_databases;
use crate::support::{BASE_URL, Db, PASSWORD, Smtp, TestApp, eventually, link_in};

both_databases!(
    mail_waits_out_an_smtp_outage,
    emails_have_both_parts_and_base_url_links,
    without_smtp_mail_goes_to_the_dev_mailbox,
);

async fn mail_waits_out_an_smtp_outage(db: Db) {
    let app = TestApp::spawn_with(db, Smtp::Down).await;
    let client = app.client();
    client
        .sign_up("patient@example.com", PASSWORD, "Pat", "Ience")
        .await;
    let pool = app.services.store.pool().clone();
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .expect("outbox query")
        }
    };
    eventually("a failed delivery attempt", || async {
        count("SELECT MAX(attempts) FROM mail_outbox").await >= 1
    })
    .await;
    let (sent, error): (Option<i64>, Option<String>) =
        sqlx::query_as("SELECT sent_at, last_error FROM mail_outbox")
            .fetch_one(&pool)
            .await
            .expect("row");
    assert!(
        sent.is_none() && error.is_some(),
        "failed attempt recorded, email kept"
    );
    app.mail.start();
    let mail = app
        .mail
        .wait_for("patient@example.com", "Confirm your email")
        .await;
    assert!(link_in(&mail).starts_with("/verify/"));
    eventually("the email marked sent", || async {
        count("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL").await == 1
    })
    .await;
}

async fn emails_have_both_parts_and_base_url_links(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("parts@example.com", "Parts").await;
    let mail = app
        .mail
        .wait_for("parts@example.com", "Confirm your email")
        .await;
    assert!(mail.raw.contains("multipart/alternative"));
    assert!(
        mail.text.contains(&format!("{BASE_URL}/verify/")),
        "text part links to the base URL"
    );
    assert!(
        mail.html.contains(&format!("href=\"{BASE_URL}/verify/")),
        "HTML part too"
    );
    assert!(mail.text.contains("Hi Parts Tester"));
}

async fn without_smtp_mail_goes_to_the_dev_mailbox(db: Db) {
    let app = TestApp::spawn_with(db, Smtp::DevMailbox).await;
    app.client()
        .sign_up("dev@example.com", PASSWORD, "Dev", "Box")
        .await;
    let folder = app.data_dir.join("mail");
    let text_file = || {
        std::fs::read_dir(&folder).ok().and_then(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|x| x == "txt"))
        })
    };
    eventually("a mail file in the dev mailbox", || async {
        text_file().is_some()
    })
    .await;
    let text = std::fs::read_to_string(text_file().expect("mail file")).expect("readable");
    assert!(
        text.contains("To: dev@example.com")
            && text.contains("Subject: Confirm your email address")
    );
    assert!(text.contains(&format!("{BASE_URL}/verify/")));
    assert!(app.mail.all().is_empty(), "nothing went over SMTP");
}
