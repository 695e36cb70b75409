//! Sign up, confirm, sign in and out, throttling, password reset and change.

use gatehouse::services::Actor;
use gatehouse::services::sign_in::{SignInOutcome, sign_in};

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, PASSWORD, TestApp, link_in};

both_databases!(
    sign_up_confirm_and_sign_in,
    sign_up_refuses_bad_input_beside_each_field,
    repeated_sign_up_answers_the_same_and_emails_a_sign_in_link,
    unverified_accounts_cannot_sign_in_and_get_a_new_link,
    wrong_password_and_unknown_account_get_the_same_answer,
    failed_sign_ins_are_throttled_then_released,
    account_lock_is_short_and_spans_addresses,
    password_reset_is_single_use_and_expires,
    changing_the_password_ends_other_sessions,
    profile_names_are_validated_and_saved,
);

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(app.services.store.pool())
        .await
        .expect("count query")
}

async fn sign_up_confirm_and_sign_in(db: Db) {
    let app = TestApp::spawn(db).await;
    let client = app.client();
    let res = client
        .sign_up("Ada@Example.com", PASSWORD, "Ada", "Lovelace")
        .await;
    assert_eq!(location(&res), "/sign-up/check-email");

    let mail = app
        .mail
        .wait_for("ada@example.com", "Confirm your email")
        .await;
    assert!(
        mail.html.contains("Confirm my address"),
        "HTML part present"
    );
    let path = link_in(&mail);
    assert!(path.starts_with("/verify/"), "{path}");

    for _ in 0..2 {
        let (status, html) = client.page(&path).await;
        assert_eq!(status, 200, "opening the link only shows a page");
        assert!(html.contains("ada@example.com"));
    }
    let res = client.post_form(&path, &[]).await;
    assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/"));
    let (_, home) = client.page("/").await;
    assert!(
        home.contains("Your workspaces") && home.contains("Ada Lovelace"),
        "signed in after confirming"
    );

    let again = client.post_form(&path, &[]).await;
    assert_eq!(again.status(), 404, "the link works once");

    client.sign_out().await;
    let (_, home) = client.page("/").await;
    assert!(home.contains("Sign up") && !home.contains("Your workspaces"));
    let res = client.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!((res.status().as_u16(), location(&res).as_str()), (303, "/"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'account.sign_up'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'account.sign_in'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'account.email_verified'"
        )
        .await,
        1
    );
}

async fn sign_up_refuses_bad_input_beside_each_field(db: Db) {
    let app = TestApp::spawn(db).await;
    let client = app.client();
    type Fields<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Fields, &str, &str); 5] = [
        (
            &[
                ("email", "not-an-email"),
                ("password", PASSWORD),
                ("first_name", "A"),
                ("last_name", "B"),
            ],
            "email-error",
            "Enter an email address like",
        ),
        (
            &[
                ("email", "a@example.com"),
                ("password", "short"),
                ("first_name", "A"),
                ("last_name", "B"),
            ],
            "password-error",
            "at least 10 characters",
        ),
        (
            &[
                ("email", "a@example.com"),
                ("password", "password123"),
                ("first_name", "A"),
                ("last_name", "B"),
            ],
            "password-error",
            "easy to guess",
        ),
        (
            &[
                ("email", "a@example.com"),
                ("password", PASSWORD),
                ("first_name", " "),
                ("last_name", "B"),
            ],
            "first_name-error",
            "Enter your first name.",
        ),
        (
            &[
                ("email", "a@example.com"),
                ("password", PASSWORD),
                ("first_name", "A"),
                ("last_name", ""),
            ],
            "last_name-error",
            "Enter your last name.",
        ),
    ];
    for (fields, error_id, message) in cases {
        let res = client.post_form("/sign-up", fields).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.expect("body");
        let at = html
            .find(&format!("id=\"{error_id}\""))
            .unwrap_or_else(|| panic!("{error_id} missing"));
        assert!(html[at..].contains(message), "{message} beside the field");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM accounts").await,
        0,
        "nothing was created"
    );
}

async fn repeated_sign_up_answers_the_same_and_emails_a_sign_in_link(db: Db) {
    let app = TestApp::spawn(db).await;
    let first = app.signed_up("grace@example.com", "Grace").await;
    app.clock().advance(61); // past the one-email-a-minute cooldown
    let stranger = app.client();
    let res = stranger
        .sign_up(
            "GRACE@example.com",
            "another long passphrase",
            "Eve",
            "Mallory",
        )
        .await;
    assert_eq!(
        location(&res),
        "/sign-up/check-email",
        "same answer as a new sign-up"
    );
    let mail = app.mail.wait_for("grace@example.com", "sign-in link").await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM accounts").await,
        1,
        "no second account"
    );

    let res = stranger
        .sign_in("grace@example.com", "another long passphrase")
        .await;
    assert_eq!(res.status(), 401, "the stranger's password was not taken");
    let owner = app.client();
    let res = owner.post_form(&link_in(&mail), &[]).await;
    assert_eq!(
        res.status(),
        303,
        "the address owner signs in with the link"
    );
    let (_, account) = owner.page("/account").await;
    assert!(account.contains("grace@example.com") && account.contains("Grace"));
    drop(first);
}

async fn unverified_accounts_cannot_sign_in_and_get_a_new_link(db: Db) {
    let app = TestApp::spawn(db).await;
    let client = app.client();
    client
        .sign_up("lin@example.com", PASSWORD, "Lin", "Unconfirmed")
        .await;
    app.mail
        .wait_for("lin@example.com", "Confirm your email")
        .await;
    let res = client.sign_in("lin@example.com", PASSWORD).await;
    assert_eq!(res.status(), 403);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("Confirm your email address first")
    );
    let second = app
        .mail
        .wait_for_count("lin@example.com", "Confirm your email", 2)
        .await;
    assert!(
        link_in(&second).starts_with("/verify/"),
        "a second verification email"
    );
}

async fn wrong_password_and_unknown_account_get_the_same_answer(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("ken@example.com", "Ken").await;
    let client = app.client();
    let wrong = client
        .sign_in("ken@example.com", "not the password at all")
        .await;
    let wrong_status = wrong.status();
    let wrong_body = wrong.text().await.expect("body");
    let unknown = client
        .sign_in("nobody@example.com", "not the password at all")
        .await;
    assert_eq!(wrong_status, 401);
    assert_eq!(unknown.status(), wrong_status);
    let unknown_body = unknown.text().await.expect("body");
    assert!(wrong_body.contains("Email or password is incorrect."));
    let strip = |s: &str| {
        s.replace("ken@example.com", "")
            .replace("nobody@example.com", "")
    };
    let token_free = |s: String| {
        s.lines()
            .filter(|l| !l.contains("csrf") && !l.contains("CSRF"))
            .collect::<String>()
    };
    assert_eq!(
        token_free(strip(&wrong_body)),
        token_free(strip(&unknown_body)),
        "same page either way"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'account.sign_in_failed'"
        )
        .await,
        2
    );
}

async fn failed_sign_ins_are_throttled_then_released(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("mo@example.com", "Mo").await;
    let client = app.client();
    for _ in 0..5 {
        assert_eq!(
            client
                .sign_in("mo@example.com", "wrong password here")
                .await
                .status(),
            401
        );
    }
    let res = client.sign_in("mo@example.com", PASSWORD).await;
    assert_eq!(res.status(), 429, "locked even with the right password");
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("Too many failed sign-ins")
    );
    app.clock().advance(15 * 60 + 1);
    assert_eq!(
        client.sign_in("mo@example.com", PASSWORD).await.status(),
        303,
        "released after 15 minutes"
    );
}

async fn account_lock_is_short_and_spans_addresses(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("vic@example.com", "Vic").await;
    for i in 0..20 {
        let attacker = Actor {
            account_id: None,
            ip: Some(format!("203.0.113.{i}")),
            api_token_id: None,
        };
        let outcome = sign_in(
            &app.services,
            "vic@example.com",
            "guess guess guess",
            &attacker,
        )
        .await
        .expect("sign in");
        assert!(matches!(outcome, SignInOutcome::Invalid));
    }
    let victim = Actor {
        account_id: None,
        ip: Some("198.51.100.7".into()),
        api_token_id: None,
    };
    let outcome = sign_in(&app.services, "vic@example.com", PASSWORD, &victim)
        .await
        .expect("sign in");
    assert!(
        matches!(outcome, SignInOutcome::Throttled { retry_after } if retry_after <= 60),
        "{outcome:?}"
    );
    app.clock().advance(61);
    let outcome = sign_in(&app.services, "vic@example.com", PASSWORD, &victim)
        .await
        .expect("sign in");
    assert!(
        matches!(outcome, SignInOutcome::SignedIn(_)),
        "the victim is back in after a minute: {outcome:?}"
    );
}

async fn password_reset_is_single_use_and_expires(db: Db) {
    let app = TestApp::spawn(db).await;
    app.signed_up("rei@example.com", "Rei").await;
    let client = app.client();
    let known = client
        .post_form("/forgot-password", &[("email", "rei@example.com")])
        .await;
    let known_body = known.text().await.expect("body");
    let unknown = client
        .post_form("/forgot-password", &[("email", "ghost@example.com")])
        .await;
    let unknown_body = unknown.text().await.expect("body");
    assert!(known_body.contains("If that address has an account"));
    let token_free = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("csrf") && !l.contains("CSRF"))
            .collect::<String>()
    };
    assert_eq!(
        token_free(&known_body),
        token_free(&unknown_body),
        "same answer either way"
    );

    let path = link_in(
        &app.mail
            .wait_for("rei@example.com", "Reset your Gatehouse password")
            .await,
    );
    assert!(app.mail.to("ghost@example.com").is_empty());
    assert_eq!(client.page(&path).await.0, 200);
    let weak = client.post_form(&path, &[("password", "123")]).await;
    assert_eq!(weak.status(), 422);
    assert!(
        weak.text()
            .await
            .expect("body")
            .contains("at least 10 characters")
    );
    let res = client
        .post_form(&path, &[("password", "a brand new passphrase")])
        .await;
    assert_eq!(res.status(), 303, "reset and signed in");
    assert_eq!(
        client
            .post_form(&path, &[("password", "yet another passphrase")])
            .await
            .status(),
        404,
        "single use"
    );

    let other = app.client();
    assert_eq!(
        other.sign_in("rei@example.com", PASSWORD).await.status(),
        401,
        "old password is gone"
    );
    assert_eq!(
        other
            .sign_in("rei@example.com", "a brand new passphrase")
            .await
            .status(),
        303
    );

    app.clock().advance(61); // past the one-email-a-minute cooldown
    other
        .post_form("/forgot-password", &[("email", "rei@example.com")])
        .await;
    let late = link_in(&app.mail.wait_for_count("rei@example.com", "Reset", 2).await);
    app.clock().advance(3601);
    let (status, html) = other.page(&late).await;
    assert_eq!(status, 404);
    assert!(
        html.contains("This link no longer works"),
        "expired after an hour"
    );
}

async fn changing_the_password_ends_other_sessions(db: Db) {
    let app = TestApp::spawn(db).await;
    let laptop = app.signed_up("sam@example.com", "Sam").await;
    let phone = app.client();
    assert_eq!(
        phone.sign_in("sam@example.com", PASSWORD).await.status(),
        303
    );

    let wrong = laptop
        .post_form(
            "/account/password",
            &[
                ("current_password", "nope nope nope"),
                ("new_password", "short"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    let html = wrong.text().await.expect("body");
    assert!(
        html.contains("That is not your current password.")
            && html.contains("at least 10 characters")
    );

    let res = laptop
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "an entirely new passphrase"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        laptop.get("/account").await.status(),
        200,
        "this session stays"
    );
    let res = phone.get("/account").await;
    assert_eq!(res.status(), 303, "the other session ended");
    assert!(location(&res).starts_with("/sign-in"));

    let res = laptop.post_form("/account/sign-out-everywhere", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        laptop.get("/account").await.status(),
        303,
        "signed out everywhere, here too"
    );
}

async fn profile_names_are_validated_and_saved(db: Db) {
    let app = TestApp::spawn(db).await;
    let client = app.signed_up("ola@example.com", "Ola").await;
    let res = client
        .post_form(
            "/account/profile",
            &[("first_name", ""), ("last_name", "N"), ("display_name", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("Enter your first name.")
    );
    let res = client
        .post_form(
            "/account/profile",
            &[
                ("first_name", "Ola"),
                ("last_name", "Nordmann"),
                ("display_name", "Ola N."),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, html) = client.page("/account").await;
    assert!(html.contains("Ola N.") && html.contains("Your profile is saved."));
}
