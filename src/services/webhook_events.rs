//! Webhook events, written in the caller's transaction: one delivery row per enabled
//! endpoint of the workspace subscribed to the event, so a delivery exists exactly when
//! the change does. Services call `member` (or `join_request`) with one line each; with no
//! subscribed endpoint it costs one indexed read.

use serde_json::{Value, json};
use sqlx::AnyConnection;

use crate::store::webhook_deliveries::{self, NewDelivery};
use crate::store::{StoreResult, webhooks};

/// The person an event is about, as the payload shows them.
#[derive(sqlx::FromRow)]
struct Person {
    slug: String,
    email: String,
    display_name: String,
    role: Option<String>,
}

/// An event about a member (`member.*`, `invitation.accepted`): `data` holds the
/// workspace, the member (id, email, name, role) and `extra`'s fields.
pub async fn member(
    conn: &mut AnyConnection,
    workspace_id: &str,
    account_id: &str,
    event: &str,
    extra: Value,
    now: i64,
) -> StoreResult<()> {
    emit(conn, workspace_id, account_id, event, "member", extra, now).await
}

/// `join_request.created`: `data` holds the workspace, the account asking and `extra`.
pub async fn join_request(
    conn: &mut AnyConnection,
    workspace_id: &str,
    account_id: &str,
    extra: Value,
    now: i64,
) -> StoreResult<()> {
    let event = "join_request.created";
    emit(conn, workspace_id, account_id, event, "account", extra, now).await
}

async fn emit(
    conn: &mut AnyConnection,
    workspace_id: &str,
    account_id: &str,
    event: &str,
    person_key: &str,
    extra: Value,
    now: i64,
) -> StoreResult<()> {
    let endpoints = webhooks::subscribed(&mut *conn, workspace_id, event).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let Some(person) = person(conn, workspace_id, account_id).await? else {
        return Ok(());
    };
    let mut shown = json!({
        "id": account_id, "email": person.email, "name": person.display_name,
    });
    if person_key == "member"
        && let (Some(map), Some(role)) = (shown.as_object_mut(), person.role)
    {
        map.insert("role".into(), Value::String(role));
    }
    let mut data = json!({ "workspace": { "id": workspace_id, "slug": person.slug } });
    if let Some(map) = data.as_object_mut() {
        map.insert(person_key.into(), shown);
        if let Value::Object(extra) = extra {
            map.extend(extra);
        }
    }
    let body = payload(event, data, now);
    for endpoint in endpoints {
        enqueue(conn, &endpoint, event, &body, now).await?;
    }
    Ok(())
}

/// The JSON body: `{"type", "timestamp" (RFC 3339), "data"}`.
pub fn payload(event: &str, data: Value, now: i64) -> String {
    let timestamp = chrono::DateTime::from_timestamp(now, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default();
    json!({ "type": event, "timestamp": timestamp, "data": data }).to_string()
}

/// Writes one delivery of `body` to `endpoint`, with a fresh `webhook-id`.
pub async fn enqueue(
    conn: &mut AnyConnection,
    endpoint: &str,
    event: &str,
    body: &str,
    now: i64,
) -> StoreResult<String> {
    let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    let delivery = NewDelivery {
        id: &id,
        endpoint_id: endpoint,
        event_type: event,
        payload: body,
        now,
    };
    webhook_deliveries::insert(&mut *conn, delivery).await?;
    Ok(id)
}

async fn person(
    conn: &mut AnyConnection,
    workspace_id: &str,
    account_id: &str,
) -> StoreResult<Option<Person>> {
    sqlx::query_as(
        "SELECT w.slug, a.email, a.display_name, m.role FROM workspaces w \
         JOIN accounts a ON a.id = $2 \
         LEFT JOIN memberships m ON m.workspace_id = w.id AND m.account_id = a.id \
         WHERE w.id = $1",
    )
    .bind(workspace_id)
    .bind(account_id)
    .fetch_optional(&mut *conn)
    .await
}
