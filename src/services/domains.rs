//! Approved email domains: Admins add and remove them on the Security page; approving one
//! needs proof of control (the admin's own verified address there, or a link emailed to
//! an address there: see `proof`). Anyone signed in (so with a verified address) whose
//! address is at an approved domain may join that workspace from their home page, on the
//! auto-assign seat rule. Whether the domain is still approved is checked in the joining
//! transaction, so removing one stops joins at once.

pub mod proof;

use crate::domain::{DomainName, EmailAddress, Role};
use crate::store::accounts::{self, AccountRow};
use crate::store::domains::{self, Joinable};
use crate::store::members;
use crate::store::{workspace_settings, workspaces};

use super::joining::{Newcomer, admit_newcomer};
use super::links::redeem::event;
use super::members::Manager;
use super::{Actor, FieldErrors, ServiceError, ServiceResult, Services, Tx, record_event};

fn invalid(message: &str) -> ServiceError {
    ServiceError::Invalid(FieldErrors::single("domain", message))
}

fn admin_only(by: &Manager) -> ServiceResult<&str> {
    by.require_admin()?;
    by.actor
        .account_id
        .as_deref()
        .ok_or(ServiceError::Forbidden)
}

/// What adding a domain did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// Approved at once: the admin's own verified address is at the domain.
    Approved(String),
    /// Not approved yet: a link went to `address`; following it approves `domain`.
    ProofSent { domain: String, address: String },
}

/// Approves a domain when the admin proves control of it: their own verified address is
/// at it (approved now), or they name an address there (`proof_address`) and a
/// single-use link emailed to it approves the domain when followed.
pub async fn add(
    svc: &Services,
    by: &Manager,
    typed: &str,
    proof_address: &str,
) -> ServiceResult<Added> {
    let me = admin_only(by)?;
    let domain = DomainName::parse(typed).map_err(invalid)?;
    let mut tx = svc.store.begin_write().await?;
    if domains::is_approved(&mut *tx, &by.workspace_id, domain.as_str()).await? {
        return Err(invalid("That domain is already approved here."));
    }
    let admin = accounts::by_id(&mut *tx, me)
        .await?
        .ok_or(ServiceError::Forbidden)?;
    if domain_of(&admin).as_ref() == Some(&domain) {
        approve(
            svc,
            &mut tx,
            by,
            &domain,
            me,
            &admin.email,
            "verified_address",
        )
        .await?;
        tx.commit().await?;
        return Ok(Added::Approved(domain.to_string()));
    }
    let address = proof::address_at(&domain, proof_address)?;
    proof::request(svc, &mut tx, by, &admin, &domain, &address).await?;
    tx.commit().await?;
    svc.mail_wakeup.notify_one();
    Ok(Added::ProofSent {
        domain: domain.to_string(),
        address: address.as_str().to_string(),
    })
}

/// Approves `domain` for the manager's workspace (control already proven) and records it.
async fn approve(
    svc: &Services,
    tx: &mut Tx,
    by: &Manager,
    domain: &DomainName,
    added_by: &str,
    address: &str,
    proof: &str,
) -> ServiceResult<bool> {
    let now = svc.clock.now();
    let added = domains::add(&mut **tx, &by.workspace_id, domain.as_str(), added_by, now).await?;
    domains::retire_proofs(&mut **tx, &by.workspace_id, domain.as_str(), now).await?;
    if added {
        let details =
            serde_json::json!({ "domain": domain.as_str(), "proof": proof, "address": address });
        record_event(svc, tx, by, "domain.added", Some(domain.as_str()), details).await?;
    }
    Ok(added)
}

/// Removes a domain: nobody joins through it from now on.
pub async fn remove(svc: &Services, by: &Manager, domain: &str) -> ServiceResult<()> {
    admin_only(by)?;
    let mut tx = svc.store.begin_write().await?;
    if !domains::remove(&mut *tx, &by.workspace_id, domain).await? {
        return Err(ServiceError::NotFound);
    }
    let details = serde_json::json!({ "domain": domain });
    record_event(svc, &mut tx, by, "domain.removed", Some(domain), details).await?;
    tx.commit().await?;
    Ok(())
}

/// The workspaces a verified account may join through its address's domain.
pub async fn joinable(svc: &Services, account: &AccountRow) -> ServiceResult<Vec<Joinable>> {
    let Some(domain) = domain_of(account) else {
        return Ok(Vec::new());
    };
    Ok(domains::joinable(svc.store.pool(), domain.as_str(), &account.id).await?)
}

fn domain_of(account: &AccountRow) -> Option<DomainName> {
    if account.email_verified != 1 {
        return None;
    }
    DomainName::of_email(&EmailAddress::parse(&account.email).ok()?)
}

/// Joins the workspace `slug` through the account's domain. `Ok(false)`: already a member.
pub async fn join(
    svc: &Services,
    account: &AccountRow,
    slug: &str,
    actor: &Actor,
) -> ServiceResult<bool> {
    let domain = domain_of(account).ok_or(ServiceError::NotFound)?;
    let ws = workspaces::by_slug(svc.store.pool(), slug)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut tx = svc.store.begin_write().await?;
    workspaces::lock(&mut *tx, &ws.id).await?;
    if !domains::is_approved(&mut *tx, &ws.id, domain.as_str()).await? {
        return Err(ServiceError::NotFound);
    }
    if members::find(&mut *tx, &ws.id, &account.id)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let settings = workspace_settings::get(&mut *tx, &ws.id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let now = svc.clock.now();
    let newcomer = Newcomer {
        account_id: &account.id,
        offered: Role::Member,
        joined_via: "domain",
        joined_via_ref: Some(domain.as_str()),
        invited_by: None,
        primary_team: None,
        extra_teams: &[],
    };
    let (role, seat) = admit_newcomer(&mut tx, &settings, &newcomer, now).await?;
    let details =
        serde_json::json!({ "domain": domain.as_str(), "role": role.as_str(), "seat": seat });
    event(
        &mut tx,
        &settings,
        actor,
        "member.joined_by_domain",
        account,
        details,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
