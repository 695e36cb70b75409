//! The Members page's rows carry no forms: each manageable row says only its role, and the
//! role menu and "…" menu are built in the browser from one template per page (the browser
//! tests drive them). Without JavaScript the same controls are a member's own page's
//! Manage card, whose plain forms come back to that page.

use crate::both_databases;
use crate::support::client::location;
use crate::support::{Db, TestApp};

both_databases!(
    rows_carry_their_role_and_the_page_one_menu_template,
    a_members_own_page_manages_them_without_javascript,
);

/// The `<tr>` of `id` in `html`.
fn row<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<tr id=\"member-{id}\""))
        .unwrap_or_else(|| panic!("row {id}"));
    let rest = &html[start..];
    &rest[..rest.find("</tr>").expect("row end") + 5]
}

/// The Manage card of a member's page, when there is one.
fn manage_card(html: &str) -> Option<&str> {
    let start = html.find("id=\"manage\"")?;
    let rest = &html[start..];
    Some(&rest[..rest.find("</section>").expect("card end")])
}

async fn rows_carry_their_role_and_the_page_one_menu_template(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Menus").await;
    app.set_seat_count(&slug, 60).await;
    let viewers = app.add_members(&slug, "Viewer", 49, "viewer").await;
    let admin = app.member_as(&slug, "admin@example.com", "admin").await;
    let owner_id = app.account_id("owner@example.com").await;

    let (status, page) = owner.page(&format!("/w/{slug}/members")).await;
    assert_eq!(status, 200);
    assert_eq!(page.matches("<template id=\"member-menus\">").count(), 1);
    let body = &page[page.find("<tbody").expect("tbody")..page.find("</tbody>").expect("end")];
    assert_eq!(body.matches("<tr ").count(), 50, "a full page");
    assert!(!body.contains("<form"), "no row carries a form");
    assert!(
        !body.contains("data-label"),
        "the phone labels come from the stylesheet"
    );
    let biggest = body.split("</tr>").map(str::len).max().unwrap_or(0);
    assert!(biggest < 900, "a row is under 900 bytes: {biggest}");
    assert!(row(&page, &viewers[0]).contains("data-role=\"viewer\""));
    assert!(row(&page, &owner_id).contains("data-role=\"owner\""));
    let template = &page[page.find("<template").expect("template")..];
    assert!(
        template.contains("value=\"owner\" class=\"menu-item\" data-only-current"),
        "nobody gives Owner from the menu; it shows only as an Owner's own role"
    );
    assert!(template.contains("value=\"viewer\" class=\"menu-item\">"));
    assert!(
        page.contains(&format!("data-back=\"/w/{slug}/members?page=1\"")),
        "the list the menus' plain forms come back to"
    );

    let (_, as_admin) = admin.page(&format!("/w/{slug}/members")).await;
    assert!(
        !row(&as_admin, &owner_id).contains("data-role"),
        "an Admin gets no menus for an Owner"
    );
    assert!(row(&as_admin, &viewers[0]).contains("data-role=\"viewer\""));
}

async fn a_members_own_page_manages_them_without_javascript(db: Db) {
    let app = TestApp::spawn(db).await;
    let (owner, slug) = app.owner_of("owner@example.com", "Menus").await;
    app.set_seat_count(&slug, 10).await;
    let viewer = app
        .add_members(&slug, "Viewer", 1, "viewer")
        .await
        .remove(0);
    let admin = app.member_as(&slug, "admin@example.com", "admin").await;
    let owner_id = app.account_id("owner@example.com").await;
    let own_page = format!("/w/{slug}/members/{viewer}");

    let (_, html) = owner.page(&own_page).await;
    let card = manage_card(&html).expect("a Manage card");
    assert!(
        card.contains(&format!("action=\"{own_page}/role\"")),
        "{card}"
    );
    assert!(card.contains(&format!("name=\"back\" value=\"{own_page}\"")));
    assert!(
        card.contains(
            "value=\"viewer\" class=\"button small\" aria-current=\"true\" disabled>Viewer"
        )
    );
    assert!(card.contains(">Member<") && card.contains(">Admin<"));
    assert!(!card.contains(">Owner<"), "Owner is not given from here");
    assert!(card.contains(">Suspend<") && card.contains(&format!("href=\"{own_page}/remove\"")));

    let res = owner
        .post_form(
            &format!("{own_page}/role"),
            &[("role", "member"), ("back", &own_page)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), own_page, "back to their page");
    let (_, html) = owner.page(&own_page).await;
    assert!(
        html.contains("Role changed."),
        "the message shows on their page"
    );
    let card = manage_card(&html).expect("card");
    assert!(
        card.contains("aria-current=\"true\" disabled>Member"),
        "{card}"
    );

    let res = owner
        .post_form(&format!("{own_page}/suspend"), &[("back", &own_page)])
        .await;
    assert_eq!(location(&res), own_page);
    let (_, html) = owner.page(&own_page).await;
    let card = manage_card(&html).expect("card");
    assert!(card.contains(">Reactivate<") && card.contains(&format!("{own_page}/reactivate")));
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM memberships WHERE account_id = '{viewer}' \
             AND role = 'member' AND status = 'suspended'"
        ))
        .await,
        1
    );

    // Anyone else's page as `back` is not where a form returns: the list is.
    let res = owner
        .post_form(
            &format!("{own_page}/reactivate"),
            &[("back", &format!("/w/{slug}/members/{owner_id}"))],
        )
        .await;
    assert_eq!(location(&res), format!("/w/{slug}/members"));

    let (status, html) = admin.page(&format!("/w/{slug}/members/{owner_id}")).await;
    assert_eq!(status, 200);
    assert!(
        manage_card(&html).is_none(),
        "an Admin cannot manage an Owner"
    );
    let (_, html) = admin.page(&own_page).await;
    assert!(manage_card(&html).is_some());
}
