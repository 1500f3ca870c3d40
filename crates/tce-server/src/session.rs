//! Dashboard sessions: server-side, in memory, behind an opaque cookie.
//!
//! The cookie (`tce_session`) holds 256 random bits and nothing else; it is
//! HttpOnly, SameSite=Strict and, unless the server listens on loopback,
//! Secure. Each session carries a per-session anti-forgery token that every
//! dashboard form sends back in a hidden field. Signing in replaces the
//! session (no fixation); sessions expire after [`SESSION_TTL`] and are lost
//! on restart, which only means signing in again.

use crate::auth::{constant_time_eq, random_base64, Principal};
use axum::http::header::COOKIE;
use axum::http::HeaderMap;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "tce_session";
/// How long a session lives.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
/// Sessions kept at most; the oldest expire first when full.
const MAX_SESSIONS: usize = 10_000;

/// One browser's session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Signed-in principal; `None` before sign-in.
    pub principal: Option<Principal>,
    /// Hash of the token signed in with, re-checked on every request.
    pub token_hash: Option<[u8; 32]>,
    /// Anti-forgery token of this session's forms.
    pub csrf: String,
    expires: Instant,
}

impl Session {
    /// Whether `sent` is this session's anti-forgery token.
    pub fn csrf_ok(&self, sent: &str) -> bool {
        constant_time_eq(self.csrf.as_bytes(), sent.as_bytes())
    }
}

/// All sessions of the server.
#[derive(Debug, Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Starts a session; returns its id (the cookie value) and the session.
    pub fn create(
        &self,
        principal: Option<Principal>,
        token_hash: Option<[u8; 32]>,
    ) -> (String, Session) {
        let id = random_base64(32);
        let session = Session {
            principal,
            token_hash,
            csrf: random_base64(32),
            expires: Instant::now() + SESSION_TTL,
        };
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_SESSIONS {
            let now = Instant::now();
            map.retain(|_, s| s.expires > now);
            if map.len() >= MAX_SESSIONS {
                if let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, s)| s.expires)
                    .map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(id.clone(), session.clone());
        (id, session)
    }

    /// The live session with this id.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        match map.get(id) {
            Some(s) if s.expires > Instant::now() => Some(s.clone()),
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    /// Ends a session.
    pub fn remove(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
    }
}

/// The session id in the request's cookies.
pub fn cookie_session_id(headers: &HeaderMap) -> Option<String> {
    // Cookie headers are `name=value` pairs separated by `; `; values here
    // are base64url, so no quoting or escaping is involved.
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().to_string())
}

/// The `Set-Cookie` value that stores a session id.
pub fn set_cookie(id: &str, secure: bool) -> String {
    format!(
        "{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        SESSION_TTL.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that deletes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookie_roundtrip_and_csrf() {
        let sessions = Sessions::default();
        let (id, s) = sessions.create(None, None);
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("a=b; {COOKIE_NAME}={id}; c=d")).unwrap(),
        );
        assert_eq!(cookie_session_id(&headers).as_deref(), Some(id.as_str()));
        let got = sessions.get(&id).unwrap();
        assert!(got.csrf_ok(&s.csrf));
        assert!(!got.csrf_ok("forged"));
        sessions.remove(&id);
        assert!(sessions.get(&id).is_none());
        assert!(set_cookie(&id, true).contains("; Secure"));
        assert!(set_cookie(&id, false).contains("HttpOnly; SameSite=Strict"));
    }
}
