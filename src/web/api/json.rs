//! JSON request bodies: axum's `Json`, with every rejection (bad JSON, a wrong type, a
//! missing field, the wrong content type) answered as a 422 naming the field.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// A JSON body deserialized into `T`.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejected(&rejection)),
        }
    }
}

fn rejected(rejection: &JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::invalid(
            "body",
            "Send the body as JSON (Content-Type: application/json).",
        ),
        other => {
            let (field, why) = field_of(&other.body_text());
            ApiError::invalid(&field, why)
        }
    }
}

/// The field a serde error names: the path before the message (`role: unknown variant…`)
/// or, for a missing field at the top, the name in backticks.
fn field_of(text: &str) -> (String, String) {
    let detail = ["target type: ", "as JSON: "]
        .iter()
        .find_map(|marker| text.split_once(marker).map(|(_, rest)| rest))
        .unwrap_or(text);
    let detail = detail.split(" at line ").next().unwrap_or(detail);
    match detail.split_once(": ") {
        Some((path, why)) if path != "." && !path.contains(' ') => {
            (path.to_string(), why.to_string())
        }
        _ => {
            let why = detail.trim_start_matches(".: ");
            let named = why.split('`').nth(1).unwrap_or("body");
            (named.to_string(), why.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn names_the_field_of_a_serde_error() {
        let wrong = "Failed to deserialize the JSON body into the target type: max_uses: invalid type: string \"x\", expected i64 at line 1 column 17";
        assert_eq!(field_of(wrong).0, "max_uses");
        let missing = "Failed to deserialize the JSON body into the target type: missing field `role` at line 1 column 2";
        assert_eq!(field_of(missing).0, "role");
    }
}
