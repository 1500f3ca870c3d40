//! Standard Webhooks (standardwebhooks.com): the signature
//! `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed by the
//! base64 part of a `whsec_` secret, secrets from caller-provided random
//! bytes, and the retry schedule of a delivery. The sender keeps the same
//! `webhook-id` on every attempt and signs each attempt with its own
//! timestamp.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::WebhookError;

type HmacSha256 = Hmac<Sha256>;

/// Prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Header carrying the message id (the same on every attempt).
pub const HEADER_ID: &str = "webhook-id";
/// Header carrying the attempt's timestamp, unix seconds.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// Header carrying the space-separated signatures.
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// Default tolerance of [`verify`] around `now` (the specification's 5 minutes).
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

fn key(secret: &str) -> Result<Vec<u8>, WebhookError> {
    let b64 = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = STANDARD
        .decode(b64)
        .map_err(|_| WebhookError::InvalidSecret("not base64 after whsec_"))?;
    if key.is_empty() {
        return Err(WebhookError::InvalidSecret("empty"));
    }
    Ok(key)
}

fn mac(key: &[u8], msg_id: &str, timestamp: i64, body: &[u8]) -> Result<HmacSha256, WebhookError> {
    let mut mac =
        HmacSha256::new_from_slice(key).map_err(|_| WebhookError::InvalidSecret("unusable key"))?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

/// The `webhook-signature` value for one attempt: `v1,<base64>`.
pub fn sign(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, WebhookError> {
    let tag = mac(&key(secret)?, msg_id, timestamp, body)?
        .finalize()
        .into_bytes();
    Ok(format!("v1,{}", STANDARD.encode(tag)))
}

/// The three headers of one attempt, in the specification's names.
pub fn headers(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<[(&'static str, String); 3], WebhookError> {
    Ok([
        (HEADER_ID, msg_id.to_owned()),
        (HEADER_TIMESTAMP, timestamp.to_string()),
        (HEADER_SIGNATURE, sign(secret, msg_id, timestamp, body)?),
    ])
}

/// Checks a `webhook-signature` header (one or more space-separated
/// `version,base64` entries; any matching `v1` entry verifies, compared in
/// constant time) and that `timestamp` is within `tolerance_secs` of `now`.
pub fn verify(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
    signature_header: &str,
    now: i64,
    tolerance_secs: i64,
) -> Result<(), WebhookError> {
    if now.abs_diff(timestamp) > tolerance_secs.unsigned_abs() {
        return Err(WebhookError::TimestampOutOfTolerance {
            timestamp,
            now,
            tolerance_secs,
        });
    }
    let key = key(secret)?;
    let mut any = false;
    for entry in signature_header.split(' ') {
        let Some(("v1", sig)) = entry.split_once(',') else {
            continue;
        };
        any = true;
        let Ok(sig) = STANDARD.decode(sig) else {
            continue;
        };
        if mac(&key, msg_id, timestamp, body)?
            .verify_slice(&sig)
            .is_ok()
        {
            return Ok(());
        }
    }
    Err(if any {
        WebhookError::SignatureMismatch
    } else {
        WebhookError::NoSignature
    })
}

/// A new secret `whsec_<base64>` from 24 to 64 random bytes the caller drew
/// from a cryptographic source (32 recommended).
pub fn secret_from_bytes(random: &[u8]) -> Result<String, WebhookError> {
    if !(24..=64).contains(&random.len()) {
        return Err(WebhookError::SecretLength(random.len()));
    }
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(random)))
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Outcome {
    /// The receiver answered with this HTTP status.
    Status {
        /// The status code.
        code: u16,
        /// Seconds from a `Retry-After` header, if any.
        retry_after: Option<u64>,
    },
    /// No answer in time.
    Timeout,
    /// The connection failed (DNS, refused, TLS, reset).
    Connection,
}

impl Outcome {
    /// 2xx.
    pub fn is_success(&self) -> bool {
        matches!(self, Outcome::Status { code, .. } if (200..300).contains(code))
    }

    /// Worth another attempt: timeouts, connection errors, 429 and 5xx.
    /// Other 4xx (and 3xx: redirects are not followed) will fail the same way again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Outcome::Timeout | Outcome::Connection => true,
            Outcome::Status { code, .. } => *code == 429 || (500..600).contains(code),
        }
    }
}

/// The retry schedule of a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 8).
    pub max_attempts: u32,
    /// Delay before the second attempt, seconds (default 5).
    pub base_delay_secs: u64,
    /// Longest delay between attempts, seconds (default 3600).
    pub max_delay_secs: u64,
    /// Jitter as a fraction of the delay (default 0.2: ±20%).
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base_delay_secs: 5,
            max_delay_secs: 3600,
            jitter: 0.2,
        }
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Retry {
    /// Delivered: nothing more to do.
    Delivered,
    /// Try again after this many seconds.
    After {
        /// Delay in seconds.
        secs: u64,
    },
    /// Give up: dead-letter the delivery with the last error.
    DeadLetter,
}

/// The decision after attempt number `attempt` (1 for the first) ended with
/// `outcome`. Delay = min(max, base × 2^(attempt−1)) scaled by
/// 1 + jitter × (2·`random_fraction` − 1), at least a `Retry-After` the
/// receiver asked for, never above the maximum. `random_fraction` in [0, 1)
/// comes from the caller (no RNG here).
pub fn next_retry(
    policy: &RetryPolicy,
    attempt: u32,
    outcome: &Outcome,
    random_fraction: f64,
) -> Retry {
    if outcome.is_success() {
        return Retry::Delivered;
    }
    if !outcome.is_retryable() || attempt >= policy.max_attempts {
        return Retry::DeadLetter;
    }
    let exp = attempt.saturating_sub(1).min(62);
    let raw = policy
        .base_delay_secs
        .saturating_mul(1u64 << exp)
        .min(policy.max_delay_secs);
    let u = if random_fraction.is_finite() {
        random_fraction.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let j = policy.jitter.clamp(0.0, 1.0);
    let jittered = (raw as f64 * (1.0 + j * (2.0 * u - 1.0))).round() as u64;
    let asked = match outcome {
        Outcome::Status {
            retry_after: Some(s),
            ..
        } => *s,
        _ => 0,
    };
    Retry::After {
        secs: jittered.max(asked).clamp(1, policy.max_delay_secs.max(1)),
    }
}
