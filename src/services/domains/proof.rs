//! Proof of control of a domain by email: an admin without a verified address at the
//! domain names one there; a single-use link (a 256-bit token from the OS RNG, only its
//! SHA-256 stored) expiring after 24 hours goes to it through the outbox. Opening the link
//! (GET) only shows what it approves; its button (POST) approves the domain for that one
//! workspace, if whoever asked is still an Owner or Admin there. Proof emails are limited
//! per address and per person asking.

use crate::clock::format_date;
use crate::domain::{DomainName, EmailAddress, Role, SecretToken};
use crate::mail::ActionEmail;
use crate::store::accounts::AccountRow;
use crate::store::domains::{self, NewProof, ProofRow};
use crate::store::members;

use super::super::members::Manager;
use super::super::{Actor, FieldErrors, ServiceError, ServiceResult, Services, Tx, record_event};

/// How long a proof link works.
pub const PROOF_LIFETIME: i64 = 24 * 3_600;
/// The most proof emails one address receives, and one person asks for, per day.
const PER_ADDRESS_PER_DAY: i64 = 3;
const PER_REQUESTER_PER_DAY: i64 = 10;
const FIELD: &str = "proof_email";

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(FieldErrors::single(FIELD, message))
}

/// The address the admin named, which must be at the domain itself.
pub(super) fn address_at(domain: &DomainName, typed: &str) -> ServiceResult<EmailAddress> {
    let shown = DomainName::display(domain.as_str());
    if typed.trim().is_empty() {
        return Err(invalid(format!(
            "Your own verified address is not at {shown}, so approving it needs proof: \
             enter an address at {shown} and we will email it a link that approves the domain."
        )));
    }
    let address = EmailAddress::parse(typed).map_err(|_| {
        invalid(format!(
            "Enter an email address at {shown}, like it@{shown}."
        ))
    })?;
    if DomainName::of_email(&address).as_ref() != Some(domain) {
        return Err(invalid(format!(
            "That address is not at {shown}: enter one at {shown} itself."
        )));
    }
    Ok(address)
}

/// Records a proof request and emails its link, inside the caller's transaction.
pub(super) async fn request(
    svc: &Services,
    tx: &mut Tx,
    by: &Manager,
    admin: &AccountRow,
    domain: &DomainName,
    address: &EmailAddress,
) -> ServiceResult<()> {
    let now = svc.clock.now();
    let (to_address, by_admin) =
        domains::proofs_sent_since(&mut **tx, address.as_str(), &admin.id, now - 86_400).await?;
    if to_address >= PER_ADDRESS_PER_DAY || by_admin >= PER_REQUESTER_PER_DAY {
        return Err(invalid(
            "Too many proof emails today: use a link already sent, or try again tomorrow.",
        ));
    }
    let token = SecretToken::generate().map_err(anyhow::Error::from)?;
    let expires_at = now + PROOF_LIFETIME;
    let proof = NewProof {
        token_hash: &token.hash(),
        workspace_id: &by.workspace_id,
        domain: domain.as_str(),
        email: address.as_str(),
        requested_by: &admin.id,
        now,
        expires_at,
    };
    domains::insert_proof(&mut **tx, proof).await?;
    let ws_name = workspace_name(tx, &by.workspace_id).await?;
    proof_email(svc, admin, &ws_name, domain, address, &token, expires_at)
        .enqueue(&mut **tx, None, now)
        .await?;
    let details = serde_json::json!({ "domain": domain.as_str(), "address": address.as_str() });
    record_event(
        svc,
        tx,
        by,
        "domain.proof_requested",
        Some(domain.as_str()),
        details,
    )
    .await
}

async fn workspace_name(tx: &mut Tx, workspace_id: &str) -> ServiceResult<String> {
    let ws = crate::store::workspace_settings::get(&mut **tx, workspace_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(ws.name)
}

fn proof_email(
    svc: &Services,
    admin: &AccountRow,
    workspace: &str,
    domain: &DomainName,
    address: &EmailAddress,
    token: &SecretToken,
    expires_at: i64,
) -> ActionEmail {
    let shown = DomainName::display(domain.as_str());
    ActionEmail {
        kind: "domain_proof",
        to: address.as_str().to_string(),
        subject: format!("Approve {shown} for {workspace} on Gatehouse?"),
        greeting: "Hello,".into(),
        paragraphs: vec![
            format!(
                "{} ({}), an admin of the workspace {workspace} on Gatehouse, asks to approve \
                 the domain {shown}: anyone with a verified address at {shown} could then join \
                 {workspace}.",
                admin.display_name, admin.email
            ),
            format!(
                "Following the link and pressing its button proves this mailbox is at {shown} \
                 and approves the domain."
            ),
        ],
        button: format!("Review: approve {shown}"),
        link: svc.link(&format!("/domain-proof/{}", token.as_str())),
        footer: format!(
            "The link works once and expires on {} (UTC). If you do not know about this, ignore this email: nothing is approved without it.",
            format_date(expires_at)
        ),
    }
}

/// What a live proof link would approve (the GET page); `None`: the link does not work.
pub async fn peek(svc: &Services, token: &str) -> ServiceResult<Option<ProofRow>> {
    let hash = SecretToken::from_link(token).hash();
    Ok(domains::peek_proof(svc.store.pool(), &hash, svc.clock.now()).await?)
}

/// What following a proof link did.
#[derive(Debug, Clone)]
pub struct Confirmed {
    pub workspace_name: String,
    pub domain: String,
    /// `false`: the domain was already approved there.
    pub newly: bool,
}

/// Uses a proof link up and approves its domain for its workspace. `NotFound` when the
/// link is unknown, used or expired, or whoever asked is no longer an Owner or Admin there.
pub async fn confirm(svc: &Services, token: &str, ip: Option<String>) -> ServiceResult<Confirmed> {
    let hash = SecretToken::from_link(token).hash();
    let now = svc.clock.now();
    let mut tx = svc.store.begin_write().await?;
    let proof = domains::peek_proof(&mut *tx, &hash, now)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !domains::consume_proof(&mut *tx, &hash, now).await? {
        return Err(ServiceError::NotFound);
    }
    let by = requester(&mut tx, &proof, ip).await?;
    let domain = DomainName::parse(&proof.domain).map_err(|_| ServiceError::NotFound)?;
    let newly = super::approve(
        svc,
        &mut tx,
        &by,
        &domain,
        &proof.requested_by,
        &proof.email,
        "emailed_link",
    )
    .await?;
    tx.commit().await?;
    Ok(Confirmed {
        workspace_name: proof.workspace_name,
        domain: DomainName::display(&proof.domain),
        newly,
    })
}

/// The admin who asked for the proof, acting now, if they still are an active Owner or
/// Admin of the workspace.
async fn requester(tx: &mut Tx, proof: &ProofRow, ip: Option<String>) -> ServiceResult<Manager> {
    let membership = members::find(&mut **tx, &proof.workspace_id, &proof.requested_by)
        .await?
        .filter(|m| m.status == "active")
        .ok_or(ServiceError::NotFound)?;
    let role = Role::parse(&membership.role)
        .filter(|r| r.is_admin())
        .ok_or(ServiceError::NotFound)?;
    Ok(Manager {
        workspace_id: proof.workspace_id.clone(),
        role,
        actor: Actor {
            account_id: Some(proof.requested_by.clone()),
            ip,
            api_token_id: None,
        },
    })
}
