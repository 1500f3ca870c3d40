//! The one error type of the API and its table of stable codes.
//!
//! Every error leaves the server as `{"error": {"code": "...", "message": "..."}}`
//! with the status of its code. Codes are stable snake_case identifiers that
//! clients may branch on; messages are for people and may change. Details of
//! server faults (5xx) are logged with `tracing` and never sent.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Why a request failed. Each variant has one status and one stable code
/// (see [`ApiError::code`]).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON at all (400 `invalid_json`).
    #[error("{0}")]
    InvalidJson(String),
    /// The body is JSON but not a shape this endpoint takes (400 `invalid_body`).
    #[error("{0}")]
    InvalidBody(String),
    /// A query or path parameter is malformed or names nothing in the model
    /// (400 `invalid_parameter`).
    #[error("{0}")]
    InvalidParameter(String),
    /// A pagination cursor no page returned (400 `invalid_cursor`).
    #[error("invalid cursor {0:?}: pass the next_cursor of the previous page")]
    InvalidCursor(String),
    /// No credentials, or a token that is unknown or revoked (401 `unauthorized`).
    #[error("{0}")]
    Unauthorized(String),
    /// The token's role may not do this (403 `forbidden`).
    #[error("{0}")]
    Forbidden(String),
    /// A dashboard form without a valid anti-forgery token (403 `csrf_failed`).
    #[error("the form is stale or was not sent by this dashboard; reload the page and try again")]
    CsrfFailed,
    /// Nothing at this path (404 `not_found`).
    #[error("{0}")]
    NotFound(String),
    /// The path exists, the method does not (405 `method_not_allowed`).
    #[error("method not allowed on this path")]
    MethodNotAllowed,
    /// The body is over the limit (413 `payload_too_large`).
    #[error("the body is larger than the limit of {limit} bytes; split it into smaller batches")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The client took too long to send the body (408 `request_timeout`).
    #[error("the request body did not arrive within {seconds} s; send it in one go, or in smaller batches")]
    RequestTimeout {
        /// The time allowed, in seconds.
        seconds: f64,
    },
    /// The token sent more requests than its rate limit (429 `rate_limited`,
    /// with `Retry-After`).
    #[error("too many requests with this token; retry in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until the next request is allowed.
        retry_after_secs: u64,
    },
    /// A change made against an older version of an object (another user
    /// changed it since): 409 `stale_version`, with the current version.
    #[error("{message}")]
    StaleVersion {
        /// For people.
        message: String,
        /// The object's current version.
        current_version: u64,
    },
    /// A case status change the workflow does not allow; the message names
    /// the allowed ones (422 `invalid_transition`).
    #[error("{0}")]
    InvalidTransition(String),
    /// A well-formed request that cannot be carried out as asked, e.g. an
    /// allocation whose minimums exceed the budget (422 `unprocessable`).
    #[error("{0}")]
    Unprocessable(String),
    /// A server fault; the detail is logged, not sent (500 `internal`).
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status and the stable code of this error.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::InvalidJson(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
            ApiError::InvalidBody(_) => (StatusCode::BAD_REQUEST, "invalid_body"),
            ApiError::InvalidParameter(_) => (StatusCode::BAD_REQUEST, "invalid_parameter"),
            ApiError::InvalidCursor(_) => (StatusCode::BAD_REQUEST, "invalid_cursor"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::CsrfFailed => (StatusCode::FORBIDDEN, "csrf_failed"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::PayloadTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
            }
            ApiError::RequestTimeout { .. } => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::StaleVersion { .. } => (StatusCode::CONFLICT, "stale_version"),
            ApiError::InvalidTransition(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_transition")
            }
            ApiError::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// Seconds the client should wait before retrying (`Retry-After`), for
    /// a rate-limited request.
    pub fn retry_after(&self) -> Option<HeaderValue> {
        match self {
            ApiError::RateLimited { retry_after_secs } => {
                Some(HeaderValue::from((*retry_after_secs).max(1)))
            }
            _ => None,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.status_and_code().1
    }

    /// The message sent to the client: never the detail of a server fault.
    pub fn public_message(&self) -> String {
        self.to_string()
    }

    /// Logs a server fault and returns the error to send.
    pub fn internal(context: &str, error: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(format!("{context}: {error}"))
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code: `invalid_json`, `invalid_body`,
    /// `invalid_parameter`, `invalid_cursor`, `unauthorized`, `forbidden`,
    /// `csrf_failed`, `not_found`, `method_not_allowed`, `payload_too_large`,
    /// `stale_version`, `unprocessable`, `invalid_transition`, `internal`.
    pub code: String,
    /// For people; may change between versions.
    pub message: String,
    /// With `stale_version` only: the object's current version (re-read it
    /// and decide again).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Internal(detail) = &self {
            tracing::error!(message = "Request failed.", %detail);
        }
        let retry_after = self.retry_after();
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message: self.public_message(),
                current_version: match &self {
                    ApiError::StaleVersion {
                        current_version, ..
                    } => Some(*current_version),
                    _ => None,
                },
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tce\""),
            );
        }
        if let Some(v) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<tce_store::StoreError> for ApiError {
    fn from(e: tce_store::StoreError) -> Self {
        match e {
            tce_store::StoreError::InvalidCursor(c) => ApiError::InvalidCursor(c),
            other => ApiError::internal("store", other),
        }
    }
}

impl From<tce_insight::InsightError> for ApiError {
    fn from(e: tce_insight::InsightError) -> Self {
        use tce_insight::InsightError as E;
        match e {
            E::Store(s) => s.into(),
            E::Invalid(m) => ApiError::Unprocessable(m),
            E::Alloc(a) => ApiError::Unprocessable(a.to_string()),
            E::Analytics(a) => ApiError::Unprocessable(a.to_string()),
        }
    }
}
