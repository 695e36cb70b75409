//! Form bodies as ordered name/value pairs plus uploaded files, from an urlencoded or a
//! multipart body alike, so one handler serves the plain form and the file upload, and
//! repeated fields (checkbox lists) keep every value.

use axum::extract::{Form, FromRequest, Multipart, Request};
use axum::http::header;

use crate::error::AppError;

/// A file from a multipart form (empty file inputs are left out).
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The submitted fields, in order.
#[derive(Debug, Clone, Default)]
pub struct FormData {
    fields: Vec<(String, String)>,
    files: Vec<UploadedFile>,
}

impl FormData {
    /// The first value of a field, or "".
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every non-empty value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files.iter().find(|f| f.name == name)
    }

    pub fn into_file(self, name: &str) -> Option<UploadedFile> {
        self.files.into_iter().find(|f| f.name == name)
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("multipart/form-data"));
        if !multipart {
            let Form(fields) = Form::<Vec<(String, String)>>::from_request(request, state)
                .await
                .map_err(|_| AppError::BadRequest)?;
            return Ok(Self {
                fields,
                files: Vec::new(),
            });
        }
        let mut parts = Multipart::from_request(request, state)
            .await
            .map_err(|_| AppError::BadRequest)?;
        let mut form = Self::default();
        while let Some(field) = parts.next_field().await.map_err(|_| AppError::BadRequest)? {
            let name = field.name().unwrap_or_default().to_string();
            if field.file_name().is_some() {
                let bytes = field.bytes().await.map_err(|_| AppError::BadRequest)?;
                if !bytes.is_empty() {
                    form.files.push(UploadedFile {
                        name,
                        bytes: bytes.to_vec(),
                    });
                }
            } else {
                let value = field.text().await.map_err(|_| AppError::BadRequest)?;
                form.fields.push((name, value));
            }
        }
        Ok(form)
    }
}
