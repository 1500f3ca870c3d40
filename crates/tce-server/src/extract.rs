//! Extractors whose rejections are [`ApiError`]s, so malformed queries,
//! bodies and oversized requests get the one error shape.

use crate::error::ApiError;
use crate::state::{AppState, ServerOptions};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::header::CONTENT_LENGTH;
use axum::http::request::Parts;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;

/// Query parameters; a malformed query string is a 400 `invalid_parameter`.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e| ApiError::InvalidParameter(e.body_text()))
    }
}

/// The whole body, at most the server's limit: over it is a 413
/// `payload_too_large` (refused from `Content-Length` before reading when
/// the client sends one).
#[derive(Debug, Clone)]
pub struct LimitedBody(pub Bytes);

impl FromRequest<AppState> for LimitedBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        read_limited(req, state.options()).await.map(LimitedBody)
    }
}

/// Reads a body of up to `max_body_bytes` within `body_timeout` (see
/// [`ServerOptions`]).
pub async fn read_limited(req: Request, options: &ServerOptions) -> Result<Bytes, ApiError> {
    let limit = options.max_body_bytes;
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let read = Limited::new(req.into_body(), limit).collect();
    let Ok(read) = tokio::time::timeout(options.body_timeout, read).await else {
        return Err(ApiError::RequestTimeout {
            seconds: options.body_timeout.as_secs_f64(),
        });
    };
    match read {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(ApiError::PayloadTooLarge { limit })
        }
        Err(e) => Err(ApiError::InvalidBody(format!(
            "the body could not be read: {e}"
        ))),
    }
}

/// A JSON body: not JSON at all is a 400 `invalid_json`, JSON of the wrong
/// shape a 400 `invalid_body`.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let bytes = read_limited(req, state.options()).await?;
        serde_json::from_slice(&bytes).map(ApiJson).map_err(|e| {
            use serde_json::error::Category;
            match e.classify() {
                Category::Syntax | Category::Eof | Category::Io => {
                    ApiError::InvalidJson(format!("not JSON: {e}"))
                }
                Category::Data => ApiError::InvalidBody(e.to_string()),
            }
        })
    }
}
