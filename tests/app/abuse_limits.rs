//! Abuse limits on what sends mail or hashes passwords: repeated requests for one address
//! send one email and then get "try again in N minutes"; one client is capped across
//! addresses; the client is the socket peer unless the peer is a configured proxy.

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, Smtp, TestApp};

both_databases!(
    repeated_requests_send_no_repeated_emails,
    one_client_is_capped_across_addresses,
    only_a_trusted_proxy_names_the_client,
    counters_that_can_refuse_nothing_are_swept,
);

async fn emails_of_kind(app: &TestApp, kind: &str, to: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = $1 AND recipient = $2")
        .bind(kind)
        .bind(to)
        .fetch_one(app.services.store.pool())
        .await
        .unwrap()
}

async fn repeated_requests_send_no_repeated_emails(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("ann@example.com", "Ann").await;
    let client = app.client();
    for (path, kind) in [
        ("/forgot-password", "reset_password"),
        ("/sign-in/link", "sign_in_link"),
    ] {
        let first = client
            .post_form(path, &[("email", "ann@example.com")])
            .await;
        assert_eq!(first.status(), 200, "{path}");
        let again = client
            .post_form(path, &[("email", "ann@example.com")])
            .await;
        assert_eq!(again.status(), 422, "{path}");
        let html = again.text().await.unwrap();
        assert!(html.contains("Try again in 1 minute."), "{path}: {html}");
        assert_eq!(
            emails_of_kind(&app, kind, "ann@example.com").await,
            1,
            "{path}"
        );
    }
    // A repeat sign-up for a new address: one confirmation email.
    client
        .sign_up(
            "bob@example.com",
            "correct horse battery staple",
            "Bob",
            "B",
        )
        .await;
    let again = client
        .post_form(
            "/sign-up",
            &[
                ("email", "bob@example.com"),
                ("password", "correct horse battery staple"),
                ("first_name", "Bob"),
                ("last_name", "B"),
            ],
        )
        .await;
    assert_eq!(again.status(), 422);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("Try again in 1 minute.")
    );
    assert_eq!(
        emails_of_kind(&app, "verify_email", "bob@example.com").await,
        1
    );
    // After the cooldown, the next request sends again.
    app.clock().advance(61);
    let res = client
        .post_form("/forgot-password", &[("email", "ann@example.com")])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        emails_of_kind(&app, "reset_password", "ann@example.com").await,
        2
    );
}

async fn one_client_is_capped_across_addresses(db: Db) {
    let app = TestApp::spawn_configured(db, Smtp::Running, |s| s.client_send_limit = 3).await;
    let client = app.client();
    for i in 0..3 {
        let email = format!("person{i}@example.com");
        let res = client
            .sign_up(&email, "correct horse battery staple", "P", "Q")
            .await;
        assert_eq!(location(&res), "/sign-up/check-email");
    }
    let res = client
        .post_form(
            "/sign-up",
            &[
                ("email", "person3@example.com"),
                ("password", "correct horse battery staple"),
                ("first_name", "P"),
                ("last_name", "Q"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Try again in 15 minutes.")
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM accounts WHERE email = 'person3@example.com'")
            .await,
        0,
        "nothing was created"
    );
}

/// Signs up a new address from the client a proxy names; the status of the answer.
async fn sign_up_via(app: &TestApp, client_ip: &str, email: &str) -> u16 {
    let fields = [
        ("email", email),
        ("password", "correct horse battery staple"),
        ("first_name", "P"),
        ("last_name", "Q"),
    ];
    let header = [("x-forwarded-for", client_ip)];
    let res = app
        .client()
        .post_form_with("/sign-up", &header, &fields)
        .await;
    res.status().as_u16()
}

async fn only_a_trusted_proxy_names_the_client(db: Db) {
    // Behind a proxy at 127.0.0.1: each client it names has its own limit.
    let app = TestApp::spawn_configured(db, Smtp::Running, |s| {
        s.client_send_limit = 1;
        s.trusted_proxies = "127.0.0.1".into();
    })
    .await;
    assert_eq!(sign_up_via(&app, "203.0.113.1", "a@example.com").await, 303);
    assert_eq!(sign_up_via(&app, "203.0.113.2", "b@example.com").await, 303);
    assert_eq!(sign_up_via(&app, "203.0.113.1", "c@example.com").await, 422);
    let ip: String = sqlx::query_scalar(
        "SELECT ip FROM audit_events WHERE action = 'account.sign_up' AND target = 'b@example.com'",
    )
    .fetch_one(app.services.store.pool())
    .await
    .unwrap();
    assert_eq!(ip, "203.0.113.2", "the audit log names the real client");
    app.stop().await;
    // Without trusted proxies, the header is the client's own claim: ignored.
    let app = TestApp::spawn_configured(db, Smtp::Running, |s| s.client_send_limit = 1).await;
    assert_eq!(sign_up_via(&app, "203.0.113.1", "a@example.com").await, 303);
    assert_eq!(sign_up_via(&app, "203.0.113.2", "b@example.com").await, 422);
}

async fn counters_that_can_refuse_nothing_are_swept(db: Db) {
    let app = TestApp::spawn(db).await;
    let pool = app.services.store.pool();
    let now = app.clock().now();
    for (key, started, locked) in [
        ("old", now - 90_000, 0),
        ("old-but-locked", now - 90_000, now + 600),
        ("recent", now - 60, 0),
    ] {
        sqlx::query("INSERT INTO sign_in_throttle (key, failures, window_started_at, locked_until) VALUES ($1, 3, $2, $3)")
            .bind(key)
            .bind(started)
            .bind(locked)
            .execute(pool)
            .await
            .unwrap();
    }
    // The app's own sweeper also runs at start and may get there first: either way, only
    // the old counter without a lock goes.
    let swept = gatehouse::store::throttle::sweep(pool, now).await.unwrap();
    assert!(swept <= 1, "{swept}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM sign_in_throttle WHERE key = 'old'")
            .await,
        0
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM sign_in_throttle WHERE key IN ('old-but-locked', 'recent')"
        )
        .await,
        2
    );
}
