//! Webhook deliveries that go wrong: a 500 is retried with the same webhook-id and
//! Redeliver sends it again; a hanging receiver is cut off at the deadline; a redirect is
//! a failure; an https receiver must show a certificate a public CA signed; private URLs
//! are refused unless the instance allows them; an endpoint failing for three days is
//! disabled and its admins emailed; the sweep forgets finished deliveries.

use crate::both_databases;
use crate::support::client::location;
use crate::support::receiver::Receiver;
use crate::support::{Db, Smtp, TestApp, eventually};
use crate::webhooks::{add_endpoint, endpoint_id};

both_databases!(
    a_failed_delivery_is_retried_until_it_succeeds,
    private_urls_are_refused_unless_allowed,
    an_endpoint_failing_for_three_days_is_disabled_and_admins_emailed,
    a_receiver_that_hangs_is_cut_off_at_the_deadline,
    a_redirect_is_a_failure_not_followed,
    the_sweep_forgets_finished_deliveries_only,
    https_receivers_must_show_a_certificate_a_public_ca_signed,
);

async fn a_failed_delivery_is_retried_until_it_succeeds(db: Db) {
    let app = TestApp::spawn(db).await;
    let hooks = Receiver::start().await;
    hooks.answer(&[500]);
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let secret = add_endpoint(&owner, &slug, &hooks.url, &["member.joined"]).await;
    let id = endpoint_id(&app).await;
    let res = owner
        .post_form(&format!("/w/{slug}/settings/webhooks/{id}/test"), &[])
        .await;
    assert_eq!(location(&res), format!("/w/{slug}/settings/webhooks"));
    hooks.wait_for("webhook.test", 1).await;
    eventually("the 500 is recorded", || async {
        app.scalar(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 1 AND last_status = 500",
        )
        .await
            == 1
    })
    .await;
    let (_, page) = owner.page(&format!("/w/{slug}/settings/webhooks")).await;
    assert!(
        page.contains("Failed: HTTP 500"),
        "the log shows the failure"
    );
    app.clock().advance(10);
    let got = hooks.wait_for("webhook.test", 2).await;
    assert_eq!(got[0].id, got[1].id, "a retry keeps its webhook-id");
    assert!(got[1].signed_by(&secret));
    eventually("delivered on the second attempt", || async {
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 2 AND delivered_at IS NOT NULL")
            .await
            == 1
    })
    .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM webhook_endpoints WHERE failing_since IS NULL")
            .await,
        1,
        "a success ends the failure run"
    );

    // Redeliver: the same event (same webhook-id) once more.
    let delivery = got[0].id.clone();
    let redeliver = format!("/w/{slug}/settings/webhooks/{id}/deliveries/{delivery}/redeliver");
    assert_eq!(owner.post_form(&redeliver, &[]).await.status(), 303);
    let got = hooks.wait_for("webhook.test", 3).await;
    assert_eq!(got[2].id, delivery);
    assert!(got[2].signed_by(&secret));
    let other = format!("/w/{slug}/settings/webhooks/{id}/deliveries/msg_nope/redeliver");
    assert_eq!(owner.post_form(&other, &[]).await.status(), 404);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action IN ('webhook.added', 'webhook.test_sent', 'webhook.redelivered')")
            .await,
        3
    );
}

async fn private_urls_are_refused_unless_allowed(db: Db) {
    let app =
        TestApp::spawn_configured(db, Smtp::Running, |s| s.webhooks.allow_private = false).await;
    let hooks = Receiver::start().await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let page = format!("/w/{slug}/settings/webhooks");
    for url in [
        hooks.url.as_str(),
        "http://localhost:9/x",
        "http://[::1]/",
        "http://10.0.0.1/",
        "ftp://example.com/",
    ] {
        let res = owner
            .post_form(&page, &[("url", url), ("events", "member.joined")])
            .await;
        assert_eq!(res.status(), 422, "{url} refused");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("id=\"url-error\""),
            "the reason is beside the URL field"
        );
    }
    let res = owner
        .post_form(&page, &[("url", "https://example.com/hook")])
        .await;
    assert_eq!(res.status(), 422, "no event chosen");
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Choose at least one event.")
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM webhook_endpoints").await,
        0,
        "nothing stored"
    );

    // Stored while allowed, refused at delivery time all the same.
    let id = "00000000-0000-0000-0000-000000000001";
    let key = gatehouse::domain::webhook::SigningKey::generate().unwrap();
    let sealed = app.services.hooks.seal.seal(id, &key);
    let workspace = app.workspace_id(&slug).await;
    let endpoint = gatehouse::store::webhooks::NewEndpoint {
        id,
        workspace_id: &workspace,
        url: &hooks.url,
        events: ",member.joined,",
        secret: &sealed,
        created_by: None,
        now: app.clock().now(),
    };
    gatehouse::store::webhooks::insert(app.services.store.pool(), endpoint)
        .await
        .unwrap();
    let res = owner.post_form(&format!("{page}/{id}/test"), &[]).await;
    assert_eq!(res.status(), 303);
    eventually("the attempt is refused", || async {
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 1 AND last_error LIKE '%private%'")
            .await
            == 1
    })
    .await;
    assert!(
        hooks.all().is_empty(),
        "nothing reached the private address"
    );
}

async fn an_endpoint_failing_for_three_days_is_disabled_and_admins_emailed(db: Db) {
    let app = TestApp::spawn(db).await;
    let hooks = Receiver::start().await;
    hooks.always(503);
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    add_endpoint(&owner, &slug, &hooks.url, &["member.joined"]).await;
    let id = endpoint_id(&app).await;
    let page = format!("/w/{slug}/settings/webhooks");
    owner.post_form(&format!("{page}/{id}/test"), &[]).await;
    eventually("the first failure", || async {
        app.scalar("SELECT COUNT(*) FROM webhook_endpoints WHERE failing_since IS NOT NULL")
            .await
            == 1
    })
    .await;
    app.clock().advance(3 * 86_400 + 60);
    eventually("the endpoint is disabled", || async {
        app.scalar("SELECT COUNT(*) FROM webhook_endpoints WHERE enabled = 0")
            .await
            == 1
    })
    .await;
    let mail = app
        .mail
        .wait_for("owner@example.com", "A webhook of Acme was disabled")
        .await;
    assert!(mail.text.contains(&hooks.url));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'webhook.disabled'")
            .await,
        1
    );
    let (_, html) = owner.page(&page).await;
    assert!(html.contains("Disabled") && html.contains("Enable again"));
    let deliveries = app.scalar("SELECT COUNT(*) FROM webhook_deliveries").await;
    let res = owner.post_form(&format!("{page}/{id}/test"), &[]).await;
    assert_eq!(res.status(), 303);
    let (_, html) = owner.page(&page).await;
    assert!(
        html.contains("This endpoint is disabled: choose Enable again first."),
        "no test event for a disabled endpoint, whatever the page's buttons"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries").await,
        deliveries
    );
    assert_eq!(
        owner
            .post_form(&format!("{page}/{id}/enable"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM webhook_endpoints WHERE enabled = 1 AND failing_since IS NULL"
        )
        .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'webhook.enabled'")
            .await,
        1
    );
    let (_, audit) = owner.page(&format!("/w/{slug}/audit")).await;
    assert!(
        audit.contains("Gatehouse disabled the webhook to"),
        "the audit log says it"
    );
    assert_eq!(
        owner
            .post_form(&format!("{page}/{id}/delete"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM webhook_endpoints").await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries").await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'webhook.removed'")
            .await,
        1
    );
}

async fn a_receiver_that_hangs_is_cut_off_at_the_deadline(db: Db) {
    let app = TestApp::spawn_configured(db, Smtp::Running, |s| s.webhooks.timeout = 1).await;
    let hooks = Receiver::start().await;
    hooks.stall(std::time::Duration::from_secs(60));
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    add_endpoint(&owner, &slug, &hooks.url, &["member.joined"]).await;
    let id = endpoint_id(&app).await;
    let res = owner
        .post_form(&format!("/w/{slug}/settings/webhooks/{id}/test"), &[])
        .await;
    assert_eq!(res.status(), 303);
    eventually("the attempt is cut off", || async {
        app.scalar(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 1 \
             AND delivered_at IS NULL AND last_error = 'no answer within 1 s'",
        )
        .await
            == 1
    })
    .await;
    assert_eq!(hooks.all().len(), 1, "the request did reach the receiver");
}

async fn a_redirect_is_a_failure_not_followed(db: Db) {
    let app = TestApp::spawn(db).await;
    let hooks = Receiver::start().await;
    hooks.answer(&[307]);
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    add_endpoint(&owner, &slug, &hooks.url, &["member.joined"]).await;
    let id = endpoint_id(&app).await;
    let res = owner
        .post_form(&format!("/w/{slug}/settings/webhooks/{id}/test"), &[])
        .await;
    assert_eq!(res.status(), 303);
    eventually("the 307 is recorded as a failure", || async {
        app.scalar(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 1 \
             AND delivered_at IS NULL AND last_status = 307 AND next_attempt_at IS NOT NULL",
        )
        .await
            == 1
    })
    .await;
    assert_eq!(hooks.all().len(), 1, "nothing followed the redirect");
}

async fn the_sweep_forgets_finished_deliveries_only(db: Db) {
    let app = TestApp::spawn(db).await;
    let hooks = Receiver::start().await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    add_endpoint(&owner, &slug, &hooks.url, &["member.joined"]).await;
    let id = endpoint_id(&app).await;
    let test = format!("/w/{slug}/settings/webhooks/{id}/test");
    owner.post_form(&test, &[]).await;
    hooks.wait_for("webhook.test", 1).await;
    eventually("delivered", || async {
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE delivered_at IS NOT NULL")
            .await
            == 1
    })
    .await;
    // A second one still waiting (its endpoint's receiver fails meanwhile).
    let pool = app.services.store.pool();
    hooks.always(503);
    owner.post_form(&test, &[]).await;
    eventually("the second one failed once", || async {
        app.scalar(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 1 AND delivered_at IS NULL",
        )
        .await
            == 1
    })
    .await;
    let cutoff = app.clock().now() + 1;
    let gone = gatehouse::store::webhook_deliveries::delete_finished_before(pool, cutoff)
        .await
        .unwrap();
    assert_eq!(gone, 1, "the delivered one goes");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE next_attempt_at IS NOT NULL")
            .await,
        1,
        "the one still to send stays"
    );
}

async fn https_receivers_must_show_a_certificate_a_public_ca_signed(db: Db) {
    let app = TestApp::spawn(db).await;
    let (url, handshakes) = crate::support::receiver::self_signed_tls().await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    add_endpoint(&owner, &slug, &url, &["member.joined"]).await;
    let id = endpoint_id(&app).await;
    let res = owner
        .post_form(&format!("/w/{slug}/settings/webhooks/{id}/test"), &[])
        .await;
    assert_eq!(res.status(), 303);
    eventually("the TLS failure is recorded", || async {
        app.scalar(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE attempts = 1 \
             AND delivered_at IS NULL AND last_error LIKE 'TLS failed%'",
        )
        .await
            == 1
    })
    .await;
    let error: String = sqlx::query_scalar("SELECT last_error FROM webhook_deliveries")
        .fetch_one(app.services.store.pool())
        .await
        .unwrap();
    assert!(error.contains("certificate"), "{error}");
    assert_eq!(
        handshakes.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no request over an unverified connection"
    );
}
