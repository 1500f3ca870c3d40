//! Access control: tokens, roles and what each role may do.
//!
//! A token is `tce_` followed by 256 random bits in base64url; it is shown
//! once when created and only its SHA-256 is stored. The API takes it as
//! `Authorization: Bearer <token>`; the dashboard exchanges it for a session
//! (see `session`). Every request re-checks the token, so revoking it
//! takes effect at once, for API calls and dashboard sessions alike.
//!
//! Roles: **admin** does everything, including managing tokens; **analyst**
//! reads everything and writes signals; **agent** belongs to a department
//! and reads only the signals and scores of the touchpoints that department
//! owns (`department` of each touchpoint in the model).

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use tce_model::Model;
use tce_store::Store as _;
use utoipa::ToSchema;

/// Prefix of every token, so leaked tokens are recognisable by scanners.
pub const TOKEN_PREFIX: &str = "tce_";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including managing tokens.
    Admin,
    /// Reads everything, writes signals.
    Analyst,
    /// Reads the signals and scores of its department's touchpoints.
    Agent,
}

impl Role {
    /// All roles.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Analyst, Role::Agent];

    /// The stable id used in the store and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Agent => "agent",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| format!("unknown role {s:?} (use admin, analyst or agent)"))
    }
}

/// A group of endpoints that one permission covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `POST /signals`.
    Ingest,
    /// `GET /signals` (agents: their touchpoints only).
    ReadSignals,
    /// `GET /scores`, `/journey` (agents: their touchpoints only).
    ReadScores,
    /// Weights, benchmark, allocation, finance: whole-brand analyses.
    Analysis,
    /// `GET /model`.
    Model,
    /// Token management.
    Tokens,
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The role.
    pub role: Role,
    /// The department of an agent.
    pub department: Option<String>,
    /// The token's name (for logs and the dashboard header).
    pub name: String,
    /// The token's id (`None` without authentication).
    pub token_id: Option<i64>,
}

impl Principal {
    /// The principal of a server running with `--no-auth`: an admin.
    pub fn unauthenticated_admin() -> Principal {
        Principal {
            role: Role::Admin,
            department: None,
            name: "no-auth".into(),
            token_id: None,
        }
    }

    /// Whether the role may use an endpoint group.
    pub fn may(&self, access: Access) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Analyst => access != Access::Tokens,
            Role::Agent => matches!(
                access,
                Access::ReadSignals | Access::ReadScores | Access::Model
            ),
        }
    }

    /// `Ok` when the role may use the group, else a 403 that says why.
    pub fn require(&self, access: Access) -> Result<(), ApiError> {
        if self.may(access) {
            return Ok(());
        }
        let what = match access {
            Access::Ingest => "write signals",
            Access::ReadSignals => "read signals",
            Access::ReadScores => "read scores",
            Access::Analysis => {
                "read whole-brand analyses (weights, benchmark, allocation, finance)"
            }
            Access::Model => "read the model",
            Access::Tokens => "manage tokens",
        };
        Err(ApiError::Forbidden(format!(
            "the {} role may not {what}",
            self.role
        )))
    }

    /// The touchpoints this principal may see: `None` means all.
    pub fn touchpoint_scope(&self, model: &Model) -> Option<BTreeSet<String>> {
        match self.role {
            Role::Agent => Some(
                model
                    .touchpoints
                    .iter()
                    .filter(|t| Some(t.department.as_str()) == self.department.as_deref())
                    .map(|t| t.id.clone())
                    .collect(),
            ),
            Role::Admin | Role::Analyst => None,
        }
    }
}

/// A fresh random token: `tce_` + 256 bits in base64url (43 characters).
pub fn generate_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_base64(32))
}

/// `n` random bytes from the OS.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// `n` random bytes from the OS, base64url without padding.
pub fn random_base64(n: usize) -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(n))
}

/// The SHA-256 of a token, as stored.
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.trim().as_bytes()).into()
}

/// Compares secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Resolves a token to its principal: unknown or revoked tokens are a 401.
pub async fn principal_of_token(state: &AppState, token: &str) -> Result<Principal, ApiError> {
    let hash = hash_token(token);
    principal_of_hash(state, hash).await
}

/// Resolves a stored token hash to its principal.
pub async fn principal_of_hash(state: &AppState, hash: [u8; 32]) -> Result<Principal, ApiError> {
    let record = state
        .db()
        .read(move |s| Ok(s.token_by_hash(&hash)?))
        .await?;
    let Some(record) = record else {
        return Err(ApiError::Unauthorized("unknown token".into()));
    };
    if record.revoked_at.is_some() {
        return Err(ApiError::Unauthorized("the token was revoked".into()));
    }
    let role: Role = record
        .role
        .parse()
        .map_err(|e: String| ApiError::internal("stored token", e))?;
    Ok(Principal {
        role,
        department: record.department,
        name: record.name,
        token_id: Some(record.id),
    })
}

/// The caller of an API endpoint, from the bearer token (or the admin when
/// the server runs without authentication).
#[derive(Debug, Clone)]
pub struct ApiCaller(pub Principal);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.no_auth() {
            return Ok(ApiCaller(Principal::unauthenticated_admin()));
        }
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| {
                ApiError::Unauthorized("missing Authorization: Bearer <token> header".into())
            })?
            .to_str()
            .map_err(|_| ApiError::Unauthorized("malformed Authorization header".into()))?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(|| {
                ApiError::Unauthorized("the Authorization header must be Bearer <token>".into())
            })?;
        let principal = principal_of_token(state, token).await?;
        state.check_rate(principal.token_id)?;
        Ok(ApiCaller(principal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = generate_token();
        let b = generate_token();
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 43);
        assert_ne!(a, b);
        assert_eq!(hash_token(&a), hash_token(&format!(" {a}\n")));
        assert_ne!(hash_token(&a), hash_token(&b));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn roles_and_groups() {
        let p = |role| Principal {
            role,
            department: Some("ops".into()),
            name: String::new(),
            token_id: None,
        };
        let all = [
            Access::Ingest,
            Access::ReadSignals,
            Access::ReadScores,
            Access::Analysis,
            Access::Model,
            Access::Tokens,
        ];
        let allowed = |role| all.iter().map(|a| p(role).may(*a)).collect::<Vec<bool>>();
        assert_eq!(allowed(Role::Admin), [true; 6]);
        assert_eq!(
            allowed(Role::Analyst),
            [true, true, true, true, true, false]
        );
        assert_eq!(
            allowed(Role::Agent),
            [false, true, true, false, true, false]
        );
        assert_eq!("analyst".parse::<Role>(), Ok(Role::Analyst));
        assert!("root".parse::<Role>().is_err());
    }
}
