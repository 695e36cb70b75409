//! A member's detail page: how they joined (created, invitation, invite link directly or
//! by an approved request, approved domain, Browse request), who let them in, their
//! audit trail (done by them, to them, or naming their address), the Audit log filtered
//! to them, the Members page linking to it, and ids outside the workspace answering 404.

use crate::both_databases;
use crate::support::client::location;
use crate::support::invites::invite;
use crate::support::{Db, TestApp, TestClient, link_in};

both_databases!(
    invitation_link_and_domain_joins_say_who_let_them_in,
    approved_requests_name_the_approver,
    the_trail_lists_what_they_did_and_what_was_done_to_them,
    ids_outside_the_workspace_are_not_found,
);

/// The detail page's "How they joined" list, tags stripped, one `label: value` a line.
async fn how_they_joined(client: &TestClient, slug: &str, id: &str) -> String {
    let (status, html) = client.page(&format!("/w/{slug}/members/{id}")).await;
    assert_eq!(status, 200, "detail page of {id}");
    let start = html
        .find("id=\"how-they-joined\"")
        .expect("How they joined");
    let end = start + html[start..].find("</dl>").expect("end of the list");
    let mut text = String::new();
    let mut in_tag = false;
    for c in html[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&#39;", "'").replace("&#x27;", "'")
}

async fn invitation_link_and_domain_joins_say_who_let_them_in(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let owner_id = app.account_id("owner@example.com").await;
    let how = how_they_joined(&owner, &slug, &owner_id).await;
    assert!(how.contains("Created the workspace"), "{how}");
    assert!(how.contains("Nobody: they created the workspace"), "{how}");

    let ivy = app.signed_up("ivy@example.com", "Ivy").await;
    invite(&owner, &slug, "ivy@example.com", "viewer").await;
    let path = link_in(&app.mail.wait_for("ivy@example.com", "invited you").await);
    let res = ivy.post_form(&format!("{path}/join"), &[]).await;
    assert_eq!(location(&res), format!("/w/{slug}"), "Ivy accepted");
    let how = how_they_joined(&owner, &slug, &app.account_id("ivy@example.com").await).await;
    assert!(how.contains("Email invitation"), "{how}");
    assert!(how.contains("ivy@example.com, as Viewer"), "{how}");
    assert!(
        how.contains("Invited by") && how.contains("(owner@example.com)"),
        "{how}"
    );

    let (link_id, path) = app.link_of(&owner, &slug, &[]).await;
    let lin = app.signed_up("lin@example.com", "Lin").await;
    assert_eq!(lin.post_form(&path, &[]).await.status(), 303);
    let lin_id = app.account_id("lin@example.com").await;
    let (_, html) = owner.page(&format!("/w/{slug}/members/{lin_id}")).await;
    assert!(
        html.contains(&format!("href=\"/w/{slug}/links/{link_id}\"")),
        "the link's page is one click away"
    );
    let how = how_they_joined(&owner, &slug, &lin_id).await;
    assert!(how.contains("Member link shared by"), "{how}");
    assert!(
        how.contains("(owner@example.com), through their link"),
        "{how}"
    );

    app.approve_domain(&owner, &slug, "example.org").await;
    let dot = app.signed_up("dot@example.org", "Dot").await;
    let res = dot
        .post_form(&format!("/workspaces/{slug}/join-by-domain"), &[])
        .await;
    assert_eq!(location(&res), format!("/w/{slug}"));
    let dot_id = app.account_id("dot@example.org").await;
    let how = how_they_joined(&owner, &slug, &dot_id).await;
    assert!(how.contains("Approved domain"), "{how}");
    assert!(how.contains("example.org, approved by"), "{how}");
    assert!(
        how.contains("Their verified address at an approved domain"),
        "{how}"
    );
    owner
        .post_form(
            &format!("/w/{slug}/security/domains/remove"),
            &[("domain", "example.org")],
        )
        .await;
    let how = how_they_joined(&owner, &slug, &dot_id).await;
    assert!(how.contains("example.org (no longer approved)"), "{how}");
}

async fn approved_requests_name_the_approver(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.set_workspace(&slug, "who_may_invite = 'everyone', discoverable = 1")
        .await;
    let admin = app.member_as(&slug, "ada@example.com", "admin").await;
    let mia = app.member_as(&slug, "mia@example.com", "member").await;
    let (_, path) = app.link_of(&mia, &slug, &[]).await;
    let ray = app.signed_up("ray@example.com", "Ray").await;
    assert_eq!(ray.post_form(&path, &[]).await.status(), 200, "a request");
    let bo = app.signed_up("bo@example.com", "Bo").await;
    bo.post_form(
        &format!("/workspaces/{slug}/request"),
        &[("back", "/workspaces/browse")],
    )
    .await;
    let requests: Vec<String> =
        sqlx::query_scalar("SELECT id FROM join_requests ORDER BY created_at, id")
            .fetch_all(app.services.store.pool())
            .await
            .unwrap();
    assert_eq!(requests.len(), 2);
    for id in &requests {
        let res = admin
            .post_form(&format!("/w/{slug}/requests/{id}/approve"), &[])
            .await;
        assert_eq!(res.status(), 303, "approved");
    }
    let how = how_they_joined(&owner, &slug, &app.account_id("ray@example.com").await).await;
    assert!(
        how.contains("Invite link") && how.contains("shared by"),
        "{how}"
    );
    assert!(how.contains("Asked to join"), "{how}");
    assert!(
        how.contains("Approved by") && how.contains("(ada@example.com)"),
        "{how}"
    );
    let how = how_they_joined(&owner, &slug, &app.account_id("bo@example.com").await).await;
    assert!(how.contains("Join request"), "{how}");
    assert!(how.contains("Browse workspaces"), "{how}");
    assert!(how.contains("(ada@example.com)"), "{how}");
}

async fn the_trail_lists_what_they_did_and_what_was_done_to_them(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    let ivy = app.signed_up("ivy@example.com", "Ivy").await;
    invite(&owner, &slug, "ivy@example.com", "member").await;
    let path = link_in(&app.mail.wait_for("ivy@example.com", "invited you").await);
    ivy.post_form(&format!("{path}/join"), &[]).await;
    let ivy_id = app.account_id("ivy@example.com").await;
    owner
        .post_form(
            &format!("/w/{slug}/members/{ivy_id}/role"),
            &[("role", "admin")],
        )
        .await;
    ivy.post_form(&format!("/w/{slug}/teams"), &[("team_name", "Ivy's team")])
        .await;
    // Someone else's event stays out of Ivy's trail.
    app.member_as(&slug, "zed@example.com", "viewer").await;
    let zed_id = app.account_id("zed@example.com").await;
    owner
        .post_form(&format!("/w/{slug}/members/{zed_id}/suspend"), &[])
        .await;

    let (_, html) = owner.page(&format!("/w/{slug}/members/{ivy_id}")).await;
    let trail = &html[html.find("id=\"member-trail\"").expect("trail")..];
    let ivy_link = format!("<a href=\"/w/{slug}/members/{ivy_id}\">Ivy Tester</a>");
    let said = [
        format!("{ivy_link} created the team Ivy&#39;s team."),
        format!("Owner Tester</a> changed {ivy_link}&#39;s role from Member to Admin."),
        format!("{ivy_link} accepted their invitation and joined as Member."),
        "Owner Tester</a> invited ivy@example.com as Member.".to_string(),
    ];
    let at: Vec<usize> = said
        .iter()
        .map(|s| {
            trail
                .find(s.as_str())
                .unwrap_or_else(|| panic!("{s} in {trail}"))
        })
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "newest first: by her, to her, and naming her address"
    );
    assert!(!trail.contains("invitation.created"), "no action keys");
    assert!(html.contains(&format!("href=\"/w/{slug}/audit?member={ivy_id}\"")));

    let (status, log) = owner
        .page(&format!("/w/{slug}/audit?member={ivy_id}"))
        .await;
    assert_eq!(status, 200);
    assert!(log.contains("Only events by or about Ivy"), "named");
    assert_eq!(log.matches("<tr class=\"audit-event\">").count(), 4);
    assert!(!log.contains("suspended "), "{log}");
    let res = owner
        .get(&format!("/w/{slug}/audit.csv?member={ivy_id}"))
        .await;
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), 5, "header and her four events:\n{csv}");

    let (_, detail) = owner.page(&format!("/w/{slug}/members/{zed_id}")).await;
    let manage = format!("/w/{slug}/members?q=zed%40example.com&#38;status=suspended");
    assert!(
        detail.contains(&manage),
        "Manage leads to the suspended member's row:\n{detail}"
    );
    let (_, listed) = owner.page(&manage.replace("&#38;", "&")).await;
    assert!(
        listed.contains(&format!("id=\"member-{zed_id}\"")),
        "found by address"
    );
    let (_, members) = owner.page(&format!("/w/{slug}/members")).await;
    assert!(
        members.contains(&format!(
            "<a href=\"/w/{slug}/members/{ivy_id}\" class=\"member-name\">"
        )),
        "names lead to the detail page"
    );
}

async fn ids_outside_the_workspace_are_not_found(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Acme").await;
    app.owner_of("other@example.com", "Elsewhere").await;
    let stranger = app.account_id("other@example.com").await;
    let (status, _) = owner.page(&format!("/w/{slug}/members/{stranger}")).await;
    assert_eq!(status, 404, "a member of another workspace only");
    let (status, _) = owner.page(&format!("/w/{slug}/members/no-such-id")).await;
    assert_eq!(status, 404);
    app.member_as(&slug, "gone@example.com", "member").await;
    let gone_id = app.account_id("gone@example.com").await;
    let res = owner
        .post_form(
            &format!("/w/{slug}/members/{gone_id}/remove"),
            &[("revoke_invitations", "on")],
        )
        .await;
    assert_eq!(res.status(), 303, "removed");
    let (status, _) = owner.page(&format!("/w/{slug}/members/{gone_id}")).await;
    assert_eq!(status, 404, "a removed member has no detail page here");
    let (status, log) = owner
        .page(&format!("/w/{slug}/audit?member={stranger}"))
        .await;
    assert_eq!(status, 200);
    assert!(
        log.contains("a former member") && !log.contains("other@example.com"),
        "the filter names nobody outside the workspace"
    );
}
