//! Mail delivered exactly once: several instances with a slow SMTP server each send an
//! email once; a claim that ran out cannot record an outcome; a 5xx refusal is final and
//! shows as *Not delivered* until a Resend; a silent SMTP server times out (the email
//! waits for a good one) and does not hold up shutdown.

use std::time::Duration;

use gatehouse::store::outbox::{self, Claim, NewMail};

use crate::both_databases;
use crate::support::invites::invite;
use crate::support::{Db, MailServer, PASSWORD, SilentSmtp, Smtp, TestApp, eventually};

both_databases!(
    two_instances_with_slow_smtp_deliver_each_invitation_once,
    a_claim_that_ran_out_cannot_record_an_outcome,
    a_refused_invitation_shows_not_delivered_and_resend_delivers_it,
    a_silent_smtp_server_times_out_and_the_email_goes_later,
    stopping_during_a_hung_send_finishes_and_leaves_the_email_queued,
);

const INVITED: usize = 10;

fn invitee(i: usize) -> String {
    format!("once{i:02}@example.com")
}

async fn two_instances_with_slow_smtp_deliver_each_invitation_once(db: Db) {
    let first = TestApp::spawn(db).await;
    let (owner, slug) = first.owner_of("relay@example.com", "Relay").await;
    let second = first.spawn_beside(&first.mail, |_| {}).await;
    first.mail.set_delay(Duration::from_millis(1500));
    let addresses: Vec<String> = (0..INVITED).map(invitee).collect();
    let res = invite(&owner, &slug, &addresses.join(", "), "member").await;
    assert!(res.status().is_success() || res.status() == 303);
    // Ten emails at 1.5 s each over two workers: about 8 s; each wait allows 15 s more.
    for address in &addresses {
        first.mail.wait_for(address, "invited you to join").await;
    }
    eventually("every invitation email recorded as sent", || async {
        first
            .scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'invitation' AND sent_at IS NOT NULL")
            .await
            == INVITED as i64
    })
    .await;
    // Let every claim run out on both instances, then make both workers go round once more
    // (they deliver in order, so by the time this last email arrives nothing older is due).
    first.clock().advance(3600);
    second.clock().advance(3600);
    first.mail.set_delay(Duration::ZERO);
    invite(&owner, &slug, "last@example.com", "member").await;
    first.mail.wait_for("last@example.com", "invited you").await;
    for address in &addresses {
        assert_eq!(first.mail.to(address).len(), 1, "{address} got one email");
    }
    eventually("one recorded attempt for each email", || async {
        first
            .scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'invitation' AND attempts = 1 AND sent_at IS NOT NULL AND claim_token IS NULL")
            .await
            == INVITED as i64 + 1
    })
    .await;
}

async fn a_claim_that_ran_out_cannot_record_an_outcome(db: Db) {
    let app = TestApp::spawn(db).await;
    let store = &app.services.store;
    let pool = store.pool();
    // Queued far in the future: the app's own worker never sees it as due.
    let at = app.clock().now() + 1_000_000;
    let mail = NewMail {
        recipient: "fenced@example.com",
        subject: "Fenced",
        text_body: "text",
        html_body: "<p>html</p>",
        kind: "test",
        ref_id: None,
        now: at,
    };
    outbox::enqueue(pool, mail).await.expect("enqueue");
    let claim = |token, now| Claim {
        token,
        now,
        until: now + 100,
    };
    let slow = outbox::claim_next(store, claim("slow-worker", at))
        .await
        .expect("claim")
        .expect("the due email is claimed");
    assert_eq!(slow.claim_token, "slow-worker");
    let meanwhile = outbox::claim_next(store, claim("other-worker", at + 99))
        .await
        .expect("claim");
    assert!(meanwhile.is_none(), "a live claim is skipped");
    let other = outbox::claim_next(store, claim("other-worker", at + 100))
        .await
        .expect("claim")
        .expect("a claim that ran out is taken again");
    assert_eq!(other.id, slow.id);

    let lost = |won: bool| assert!(!won, "the first worker's claim is no longer its own");
    lost(
        outbox::mark_sent(pool, slow.id, "slow-worker", at + 101)
            .await
            .expect("mark"),
    );
    lost(
        outbox::retry_later(pool, slow.id, "slow-worker", "late", at + 200)
            .await
            .expect("retry"),
    );
    lost(
        outbox::mark_failed(pool, slow.id, "slow-worker", "late", at + 101)
            .await
            .expect("fail"),
    );
    let untouched = app
        .scalar("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'fenced@example.com' AND sent_at IS NULL AND failed_at IS NULL AND attempts = 0 AND last_error IS NULL AND claim_token = 'other-worker'")
        .await;
    assert_eq!(untouched, 1, "nothing the first worker wrote landed");

    assert!(
        outbox::mark_sent(pool, other.id, "other-worker", at + 102)
            .await
            .expect("mark")
    );
    assert!(
        !outbox::mark_sent(pool, other.id, "other-worker", at + 103)
            .await
            .expect("mark"),
        "a claim records one outcome"
    );
    let sent_at = app
        .scalar("SELECT sent_at FROM mail_outbox WHERE recipient = 'fenced@example.com'")
        .await;
    assert_eq!(sent_at, at + 102);
}

async fn a_refused_invitation_shows_not_delivered_and_resend_delivers_it(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("bouncer@example.com", "Bounce").await;
    app.mail.refuse("gone@example.com");
    invite(&owner, &slug, "gone@example.com", "member").await;
    eventually("the refused email marked failed", || async {
        app.scalar("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'gone@example.com' AND failed_at IS NOT NULL")
            .await
            == 1
    })
    .await;
    // Past any backoff, the worker goes round again; once a later email has arrived the
    // refused one would have been tried first, had it been retried.
    app.clock().advance(86_400);
    invite(&owner, &slug, "later@example.com", "member").await;
    app.mail.wait_for("later@example.com", "invited you").await;
    assert_eq!(
        app.mail.recipient_attempts("gone@example.com"),
        1,
        "no retry"
    );
    assert_eq!(
        app.scalar("SELECT attempts FROM mail_outbox WHERE recipient = 'gone@example.com'")
            .await,
        1
    );

    let tab = format!("/w/{slug}/invitations");
    let (_, page) = owner.page(&tab).await;
    let row = invitation_row(&page, "gone@example.com");
    assert!(row.contains("Not delivered"), "{row}");
    assert!(
        row.contains("550") && row.contains("Mailbox unavailable"),
        "the reason: {row}"
    );
    assert!(row.contains("Resend"), "{row}");
    assert!(!invitation_row(&page, "later@example.com").contains("Not delivered"));

    app.mail.accept("gone@example.com");
    let id = app.invitation_id("gone@example.com").await;
    let res = owner
        .post_form(&format!("/w/{slug}/invitations/{id}/resend"), &[])
        .await;
    assert_eq!(res.status(), 303);
    app.mail.wait_for("gone@example.com", "Reminder").await;
    eventually("the tab shows the resent email delivered", || async {
        let (_, page) = owner.page(&tab).await;
        let row = invitation_row(&page, "gone@example.com");
        row.contains("Delivered") && !row.contains("Not delivered")
    })
    .await;
    assert_eq!(app.mail.to("gone@example.com").len(), 1);
}

/// The Invitations tab's table row for one address.
fn invitation_row(page: &str, email: &str) -> String {
    let marker = format!("data-email=\"{email}\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no row for {email}"));
    let end = page[start..]
        .find("</tr>")
        .map_or(page.len(), |e| start + e);
    page[start..end].to_string()
}

async fn a_silent_smtp_server_times_out_and_the_email_goes_later(db: Db) {
    let silent = SilentSmtp::start().await;
    let first = TestApp::spawn_configured(db, Smtp::Down, |s| {
        s.smtp_url = Some(silent.url());
        s.smtp_timeout = 1;
    })
    .await;
    first
        .client()
        .sign_up("patient@example.com", PASSWORD, "Pat", "Ience")
        .await;
    eventually("a delivery attempt that timed out", || async {
        first
            .scalar("SELECT COUNT(*) FROM mail_outbox WHERE attempts >= 1 AND last_error LIKE '%did not finish within 1 s%'")
            .await
            == 1
    })
    .await;
    assert_eq!(
        first
            .scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL")
            .await,
        1,
        "still queued, not marked sent"
    );
    // The operator fixes the mail server: a new instance with a working one takes over.
    let good = MailServer::reserve();
    good.start();
    let second = first.spawn_beside(&good, |_| {}).await;
    tokio::time::timeout(Duration::from_secs(30), first.stop())
        .await
        .expect("the first instance stops despite its silent mail server");
    good.wait_for("patient@example.com", "Confirm your email")
        .await;
    eventually("the email recorded as sent", || async {
        second
            .scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL")
            .await
            == 1
    })
    .await;
    assert_eq!(good.to("patient@example.com").len(), 1);
}

async fn stopping_during_a_hung_send_finishes_and_leaves_the_email_queued(db: Db) {
    let silent = SilentSmtp::start().await;
    // A deadline far longer than the stop's ceiling: only cutting the send short can stop it.
    let first = TestApp::spawn_configured(db, Smtp::Down, |s| {
        s.smtp_url = Some(silent.url());
        s.smtp_timeout = 600;
    })
    .await;
    first
        .client()
        .sign_up("hung@example.com", PASSWORD, "Hung", "Up")
        .await;
    silent.wait_for_connection().await;
    eventually("the email claimed by the hung send", || async {
        first
            .scalar("SELECT COUNT(*) FROM mail_outbox WHERE claim_token IS NOT NULL")
            .await
            == 1
    })
    .await;
    let good = MailServer::reserve();
    good.start();
    let second = first.spawn_beside(&good, |_| {}).await;
    tokio::time::timeout(Duration::from_secs(30), first.stop())
        .await
        .expect("shutdown finishes while a send hangs");
    // Handed back untouched, the email goes out from the other instance.
    good.wait_for("hung@example.com", "Confirm your email")
        .await;
    eventually("the email recorded as sent once", || async {
        second
            .scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL AND attempts = 1")
            .await
            == 1
    })
    .await;
    assert_eq!(good.to("hung@example.com").len(), 1);
}
