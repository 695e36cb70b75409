//! The audit log in words: each event as a sentence ("Ada Lovelace changed Bo Li's role
//! from Member to Admin"), with the people in it linked to their member page while they
//! are still members. Every action key the services record has its own sentence; any
//! other key (a future one) reads as its name in words with its details, never an error.
//! Raw keys and ids stay in the CSV.

use crate::domain::plural::count;
use crate::domain::role::{Plan, Role};
use crate::store::audit_log::ListedEvent;
use serde_json::{Map, Value};

/// A piece of a sentence: text, linked when it names a current member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub text: String,
    pub href: Option<String>,
}

/// A sentence being built, with the event it tells.
struct Words<'a> {
    e: &'a ListedEvent,
    slug: &'a str,
    d: Map<String, Value>,
    parts: Vec<Part>,
}

impl<'a> Words<'a> {
    fn new(e: &'a ListedEvent, slug: &'a str) -> Self {
        let d = match e.details.as_deref().map(serde_json::from_str::<Value>) {
            Some(Ok(Value::Object(map))) => map,
            _ => Map::new(),
        };
        Self {
            e,
            slug,
            d,
            parts: Vec::new(),
        }
    }

    fn t(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        match self.parts.last_mut() {
            Some(last) if last.href.is_none() => last.text.push_str(&text),
            _ => self.parts.push(Part { text, href: None }),
        }
        self
    }

    fn person(mut self, name: String, id: Option<&String>, member: i64) -> Self {
        let href = id
            .filter(|_| member > 0)
            .map(|id| format!("/w/{}/members/{id}", self.slug));
        match href {
            Some(href) => self.parts.push(Part {
                text: name,
                href: Some(href),
            }),
            None => self = self.t(name),
        }
        self
    }

    /// Who acted: their name, or "The system".
    fn actor(self) -> Self {
        let e = self.e;
        let name = match (&e.actor_account_id, &e.actor_name) {
            (Some(_), Some(n)) => n.clone(),
            (Some(_), None) => "A former account".to_string(),
            (None, _) => "The system".to_string(),
        };
        self.person(name, e.actor_account_id.as_ref(), e.actor_member)
    }

    /// Whom it was done to: their name, else the address or thing stored.
    fn target(self) -> Self {
        let e = self.e;
        let name = e
            .target_name
            .clone()
            .or_else(|| e.target_email.clone())
            .or_else(|| e.target.clone())
            .unwrap_or_else(|| "someone".to_string());
        self.person(name, e.target_account_id.as_ref(), e.target_member)
    }

    /// The target as a possessive: "Bo Li's".
    fn targets(self) -> Self {
        self.target().t("'s")
    }

    /// The target as stored (an address, a domain), without a link.
    fn thing(self) -> Self {
        self.thing_or("")
    }

    /// The target as stored, else the detail `key` (a domain recorded only there).
    fn thing_or(self, key: &str) -> Self {
        let text = self
            .e
            .target
            .clone()
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| self.s(key));
        self.t(text)
    }

    fn s(&self, key: &str) -> String {
        match self.d.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    }

    fn n(&self, key: &str) -> i64 {
        self.d.get(key).and_then(Value::as_i64).unwrap_or(0)
    }

    fn on(&self, key: &str) -> bool {
        matches!(self.d.get(key), Some(Value::Bool(true)))
            || self.d.get(key).and_then(Value::as_i64) == Some(1)
    }

    fn role(&self, key: &str) -> String {
        role_label(&self.s(key))
    }

    fn done(self) -> Vec<Part> {
        self.t(".").parts
    }
}

/// "Member" for "member"; an unknown role as stored.
fn role_label(role: &str) -> String {
    Role::parse(role).map_or_else(|| role.to_string(), |r| r.label().to_string())
}

/// The event as a sentence.
pub fn sentence(e: &ListedEvent, slug: &str) -> Vec<Part> {
    let w = Words::new(e, slug);
    let area = e.action.split('.').next().unwrap_or_default();
    let told = match area {
        "member" | "seats" => member(w),
        "invitation" => invitation(w),
        "link" | "links" | "join_request" => link(w),
        "team" => team(w),
        "workspace" | "coordinator" | "settings" | "domain" => workspace(w),
        "account" => account(w),
        "webhook" => webhook(w),
        _ => Err(w),
    };
    let told = told.unwrap_or_else(fallback);
    match &e.api_token_name {
        Some(name) => told.t(format!(" (through the API token “{name}”)")).done(),
        None => told.done(),
    }
}

type Told<'a> = Result<Words<'a>, Words<'a>>;

fn member(w: Words<'_>) -> Told<'_> {
    Ok(match w.e.action.as_str() {
        "member.role_changed" => {
            let (from, to) = (w.role("from"), w.role("to"));
            let w = w.actor().t(" changed ").targets();
            let w = w.t(format!(" role from {from} to {to}"));
            match w.s("by").as_str() {
                "assign_seats" => w.t(" (Assign seats)"),
                _ => w,
            }
        }
        "member.suspended" => w.actor().t(" suspended ").target(),
        "member.reactivated" => {
            let role = w.role("role");
            w.actor()
                .t(" reactivated ")
                .target()
                .t(format!(" as {role}"))
        }
        "member.removed" => removed(w),
        "member.left" => w.target().t(" left the workspace"),
        "member.joined" => joined(w, " from Browse workspaces"),
        "member.joined_by_domain" => {
            let domain = w.s("domain");
            joined(w, &format!(" through the approved domain {domain}"))
        }
        "seats.assigned" => {
            let (p, waiting) = (w.n("promoted"), w.n("waiting"));
            let promoted = count(p, "Viewer", "Viewers");
            w.actor().t(format!(
                " assigned seats: {promoted} promoted to Member, {waiting} still waiting"
            ))
        }
        _ => return Err(w),
    })
}

fn joined<'a>(w: Words<'a>, how: &str) -> Words<'a> {
    let role = w.role("role");
    w.target().t(format!(" joined as {role}{how}"))
}

fn removed(w: Words<'_>) -> Words<'_> {
    let w = w.actor().t(" removed ").target().t(" from the workspace");
    let (ri, rl) = (w.n("invitations_revoked"), w.n("links_revoked"));
    let (pi, pl) = (w.n("invitations_passed"), w.n("links_passed"));
    if ri + rl > 0 {
        let what = made(ri, rl);
        w.t(format!(" and revoked their {what}"))
    } else if pi + pl > 0 {
        let what = made(pi, pl);
        w.t(format!("; their {what} passed to ")).actor()
    } else {
        w
    }
}

/// "2 invitations and 1 invite link".
fn made(invitations: i64, links: i64) -> String {
    let parts: Vec<String> = [
        (invitations, count(invitations, "invitation", "invitations")),
        (links, count(links, "invite link", "invite links")),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(_, s)| s)
    .collect();
    parts.join(" and ")
}

fn invitation(w: Words<'_>) -> Told<'_> {
    Ok(match w.e.action.as_str() {
        "invitation.created" => {
            let role = w.role("role");
            let mut w = w.actor().t(" invited ").thing().t(format!(" as {role}"));
            if w.on("awaiting_approval") {
                w = w.t(", awaiting an admin's approval");
            }
            if w.d.get("emailed") == Some(&Value::Bool(false)) {
                w = w.t(", without an email");
            }
            w
        }
        "invitation.resent" => {
            let w = w.actor().t(" resent the invitation to ").thing();
            match w.on("new_code") {
                true => w.t(" with a new link"),
                false => w,
            }
        }
        "invitation.revoked" => w.actor().t(" revoked the invitation to ").thing(),
        "invitation.approved" => w.actor().t(" approved the invitation to ").thing(),
        "invitation.accepted" => {
            let role = w.role("role");
            w.target()
                .t(format!(" accepted their invitation and joined as {role}"))
        }
        _ => return Err(w),
    })
}

fn link(w: Words<'_>) -> Told<'_> {
    Ok(match w.e.action.as_str() {
        "link.created" => {
            let role = w.role("role");
            w.actor()
                .t(format!(" created an invite link for new {role}s"))
        }
        "link.regenerated" => w.actor().t(" regenerated an invite link"),
        "link.revoked" => {
            let uses = count(w.n("uses"), "time", "times");
            w.actor().t(format!(" revoked an invite link used {uses}"))
        }
        "link.notify_changed" => {
            let state = if w.on("notify_creator") { "on" } else { "off" };
            w.actor().t(format!(
                " turned {state} emails when someone joins through their invite link"
            ))
        }
        "links.deleted_all" => {
            let n = count(w.n("deleted"), "invite link", "invite links");
            w.actor().t(format!(" deleted every invite link ({n})"))
        }
        "link.joined" => joined(w, " through an invite link"),
        "join_request.created" => {
            let how = match w.s("via").as_str() {
                "browse" => " from Browse workspaces",
                _ => " through an invite link",
            };
            w.target().t(format!(" asked to join{how}"))
        }
        "join_request.approved" => w.actor().t(" approved ").targets().t(" join request"),
        "join_request.declined" => w.actor().t(" declined ").targets().t(" join request"),
        _ => return Err(w),
    })
}

fn team(w: Words<'_>) -> Told<'_> {
    let team = w.s("team");
    Ok(match w.e.action.as_str() {
        "team.created" => w.actor().t(format!(" created the team {team}")),
        "team.deleted" => w.actor().t(format!(" deleted the team {team}")),
        "team.renamed" => {
            let (from, to) = (w.s("from"), w.s("to"));
            w.actor().t(format!(" renamed the team {from} to {to}"))
        }
        "team.member_added" => w
            .actor()
            .t(" added ")
            .target()
            .t(format!(" to the team {team}")),
        "team.member_removed" => w
            .actor()
            .t(" removed ")
            .target()
            .t(format!(" from the team {team}")),
        "team.primary_set" => w
            .actor()
            .t(format!(" made {team} "))
            .targets()
            .t(" primary team"),
        _ => return Err(w),
    })
}

fn workspace(w: Words<'_>) -> Told<'_> {
    Ok(match w.e.action.as_str() {
        "workspace.created" => {
            let name = w.s("name");
            w.actor().t(format!(" created the workspace {name}"))
        }
        "workspace.renamed" => {
            let to = w.s("to");
            w.actor().t(format!(" renamed the workspace to {to}"))
        }
        "workspace.plan_changed" => {
            let plan = w.s("plan");
            let plan = Plan::parse(&plan).map_or(plan, |p| p.label().to_string());
            let seats = count(w.n("seat_count"), "seat", "seats");
            w.actor()
                .t(format!(" changed the plan to {plan} with {seats}"))
        }
        "workspace.ownership_transferred" => w
            .actor()
            .t(" transferred ownership to ")
            .target()
            .t(" and is now an Admin"),
        "workspace.deleted" => {
            let name = w.s("name");
            w.actor().t(format!(" deleted the workspace {name}"))
        }
        "coordinator.updated" => coordinator(w),
        "settings.changed" => settings(w),
        "domain.added" => w
            .actor()
            .t(" added the approved domain ")
            .thing_or("domain"),
        "domain.removed" => w
            .actor()
            .t(" removed the approved domain ")
            .thing_or("domain"),
        "domain.proof_requested" => {
            let (domain, address) = (w.s("domain"), w.s("address"));
            w.actor()
                .t(format!(" asked {address} to prove the domain {domain}"))
        }
        _ => return Err(w),
    })
}

fn webhook(w: Words<'_>) -> Told<'_> {
    let text = match w.e.action.as_str() {
        "webhook.added" => " added the webhook to ",
        "webhook.removed" => " deleted the webhook to ",
        "webhook.enabled" => " enabled again the webhook to ",
        "webhook.test_sent" => " sent a test event to ",
        "webhook.redelivered" => " redelivered an event to ",
        "webhook.disabled" => {
            return Ok(w
                .t("Gatehouse disabled the webhook to ")
                .thing_or("url")
                .t(", failing for 3 days"));
        }
        _ => return Err(w),
    };
    Ok(w.actor().t(text).thing_or("url"))
}

fn coordinator(w: Words<'_>) -> Words<'_> {
    let (name, email) = (w.s("name"), w.s("email"));
    let who = match (name.is_empty(), email.is_empty()) {
        (true, true) => return w.actor().t(" cleared the coordinator"),
        (false, false) => format!("{name} ({email})"),
        (false, true) => name,
        (true, false) => email,
    };
    w.actor().t(format!(" set the coordinator to {who}"))
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

fn settings(w: Words<'_>) -> Words<'_> {
    if w.d.contains_key("allow_invite_links") {
        let state = on_off(w.on("allow_invite_links"));
        let revoked = w.n("links_revoked");
        let w = w.actor().t(format!(" turned invite links {state}"));
        return match revoked {
            0 => w,
            n => w.t(format!(
                ", revoking {}",
                count(n, "invite link", "invite links")
            )),
        };
    }
    let text = match w.s("setting").as_str() {
        "who_may_invite" => match w.s("to").as_str() {
            "everyone" => " let everyone invite".to_string(),
            _ => " let only owners and admins invite".to_string(),
        },
        "invitation_defaults" => format!(
            " set invitations to expire after {} and turned auto-approve join requests {}",
            count(w.n("invitation_expiry_days"), "day", "days"),
            on_off(w.on("auto_approve_join_requests"))
        ),
        "discoverable" => match w.on("discoverable") {
            true => " listed the workspace in Browse workspaces".to_string(),
            false => " hid the workspace from Browse workspaces".to_string(),
        },
        "auto_assign_seats" => format!(" turned auto-assign seats {}", on_off(w.on("to"))),
        other => format!(" changed the setting {}", words_of(other)),
    };
    w.actor().t(text)
}

fn account(w: Words<'_>) -> Told<'_> {
    let text = match w.e.action.as_str() {
        "account.sign_up" => " signed up",
        "account.sign_up_existing_address" => " tried to sign up again with their address",
        "account.sign_in" => " signed in",
        "account.sign_in_failed" => return Ok(failed_sign_in(w)),
        "account.sign_in_link_requested" => " asked for a sign-in link",
        "account.sign_in_link_used" => " signed in with a link",
        "account.email_verified" => " confirmed their email address",
        "account.password_reset_requested" => " asked to reset their password",
        "account.password_reset" => " reset their password",
        "account.password_changed" => " changed their password",
        "account.profile_updated" => " updated their profile",
        "account.signed_out_everywhere" => " signed out everywhere",
        _ => return Err(w),
    };
    Ok(w.target().t(text))
}

fn failed_sign_in(w: Words<'_>) -> Words<'_> {
    w.t("A sign-in as ").thing().t(" failed")
}

/// "member.frobbed" as "member frobbed".
fn words_of(key: &str) -> String {
    key.replace(['.', '_'], " ")
}

/// Any other action: who, the action in words, whom, and the details that are not ids.
fn fallback(w: Words<'_>) -> Words<'_> {
    let what = words_of(&w.e.action);
    let has_target = w.e.target_account_id.is_some() || w.e.target.is_some();
    let mut w = w.actor().t(format!(": {what}"));
    if has_target {
        w = w.t(" — ").target();
    }
    let details = readable_details(&w.d);
    match details.is_empty() {
        true => w,
        false => w.t(format!(" ({details})")),
    }
}

/// `key: value` pairs of the details, leaving out what looks like an id.
fn readable_details(d: &Map<String, Value>) -> String {
    d.iter()
        .filter(|(_, v)| !v.as_str().is_some_and(looks_like_id))
        .map(|(k, v)| match v {
            Value::String(s) => format!("{}: {s}", words_of(k)),
            other => format!("{}: {other}", words_of(k)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A UUID or a long token: 20 or more letters, digits and dashes, with a digit.
fn looks_like_id(s: &str) -> bool {
    s.len() >= 20
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && s.chars().any(|c| c.is_ascii_digit())
}

/// What the action filter calls an action.
pub fn action_label(key: &str) -> String {
    let known = match key {
        "member.role_changed" => "Role changed",
        "member.joined" => "Joined from Browse workspaces",
        "member.joined_by_domain" => "Joined by approved domain",
        "link.joined" => "Joined by invite link",
        "links.deleted_all" => "All invite links deleted",
        "link.created" => "Invite link created",
        "link.revoked" => "Invite link revoked",
        "link.regenerated" => "Invite link regenerated",
        "link.notify_changed" => "Invite link emails changed",
        "settings.changed" => "Settings changed",
        "seats.assigned" => "Seats assigned",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let words = words_of(key);
    let mut chars = words.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The sentence as plain text (for the CSV).
pub fn plain(parts: &[Part]) -> String {
    parts.iter().map(|p| p.text.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(action: &str, details: &str) -> ListedEvent {
        ListedEvent {
            id: 1,
            created_at: 0,
            action: action.to_string(),
            actor_account_id: Some("a1".into()),
            actor_name: Some("Ada Lovelace".into()),
            actor_email: Some("ada@example.com".into()),
            actor_member: 1,
            target_account_id: Some("b2".into()),
            target_name: Some("Bo Li".into()),
            target_email: Some("bo@example.com".into()),
            target_member: 0,
            target: Some("bo@example.com".into()),
            details: Some(details.to_string()),
            ip: None,
            api_token_name: None,
        }
    }

    #[test]
    fn a_role_change_reads_as_a_sentence_with_the_member_linked() {
        let parts = sentence(
            &event("member.role_changed", r#"{"from":"member","to":"admin"}"#),
            "acme",
        );
        assert_eq!(
            plain(&parts),
            "Ada Lovelace changed Bo Li's role from Member to Admin."
        );
        assert_eq!(parts[0].href.as_deref(), Some("/w/acme/members/a1"));
        assert!(parts[1..].iter().all(|p| p.href.is_none()), "Bo Li left");
    }

    #[test]
    fn removal_counts_read_in_plural_forms() {
        let kept = r#"{"role":"admin","invitations_passed":1,"links_passed":2}"#;
        assert_eq!(
            plain(&sentence(&event("member.removed", kept), "acme")),
            "Ada Lovelace removed Bo Li from the workspace; their 1 invitation and 2 invite links passed to Ada Lovelace."
        );
        let revoked = r#"{"invitations_revoked":3,"links_revoked":0}"#;
        assert_eq!(
            plain(&sentence(&event("member.removed", revoked), "acme")),
            "Ada Lovelace removed Bo Li from the workspace and revoked their 3 invitations."
        );
    }

    #[test]
    fn unknown_actions_fall_back_to_words_without_ids() {
        let e = event(
            "widget.frobbed",
            r#"{"n":3,"link":"0b9f6d0e-8c1e-4d7b-9a51-3f2d4c5b6a79"}"#,
        );
        assert_eq!(
            plain(&sentence(&e, "acme")),
            "Ada Lovelace: widget frobbed — Bo Li (n: 3)."
        );
        let mut bare = event("x", "not json");
        bare.actor_account_id = None;
        bare.target_account_id = None;
        bare.target = None;
        assert_eq!(plain(&sentence(&bare, "acme")), "The system: x.");
        assert_eq!(action_label("widget.frobbed"), "Widget frobbed");
        assert_eq!(action_label(""), "");
    }

    /// Every `"area.key"` literal in the services, the action keys they record.
    fn recorded_actions() -> Vec<String> {
        fn visit(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    visit(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    for literal in text.split('"').skip(1).step_by(2) {
                        let Some((area, rest)) = literal.split_once('.') else {
                            continue;
                        };
                        let word = |s: &str| {
                            !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        };
                        if AREAS.contains(&area) && word(rest) {
                            found.push(literal.to_string());
                        }
                    }
                }
            }
        }
        const AREAS: [&str; 12] = [
            "account",
            "coordinator",
            "domain",
            "invitation",
            "join_request",
            "link",
            "links",
            "member",
            "seats",
            "settings",
            "team",
            "workspace",
        ];
        let mut found = Vec::new();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/services");
        visit(&src, &mut found);
        found.sort();
        found.dedup();
        found
    }

    #[test]
    fn every_recorded_action_has_a_sentence_of_its_own() {
        let actions = recorded_actions();
        assert!(actions.len() > 40, "the services' actions: {actions:?}");
        for action in actions {
            let said = plain(&sentence(&event(&action, "{}"), "acme"));
            assert!(
                !said.contains(&format!(": {}", words_of(&action))),
                "{action} falls back: {said}"
            );
            assert!(!said.contains(&action), "{action} shows its key: {said}");
        }
    }
}
