//! Author pseudonyms (`[privacy] pseudonymize_authors`).
//!
//! An author handle is replaced by `anon-` and 16 hex digits of
//! HMAC-SHA256(workspace key, channel ‖ 0 ‖ handle): the same author on the
//! same channel always gets the same pseudonym within a workspace (so repeat
//! complainers and advocates can still be followed), the handle cannot be
//! read back, and without the key a list of handles cannot be matched to
//! pseudonyms. The key is a random secret kept in the workspace's store.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt::Write as _;
use tce_model::Signal;

/// Name of the pseudonym key among the store's secrets.
pub const KEY_NAME: &str = "author_pseudonyms";

/// Prefix of every pseudonym.
pub const PSEUDONYM_PREFIX: &str = "anon-";

/// A pseudonym key too short to be a secret.
#[derive(Debug, thiserror::Error)]
#[error("the pseudonym key has {0} bytes; it needs at least 16 random bytes")]
pub struct KeyError(pub usize);

/// Turns author handles into keyed pseudonyms.
#[derive(Clone)]
pub struct Pseudonymizer {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pseudonymizer").finish_non_exhaustive()
    }
}

impl Pseudonymizer {
    /// A pseudonymizer keyed by `key` (32 random bytes or more).
    pub fn new(key: &[u8]) -> Result<Pseudonymizer, KeyError> {
        if key.len() < 16 {
            return Err(KeyError(key.len()));
        }
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|_| KeyError(key.len()))?;
        Ok(Pseudonymizer { mac })
    }

    /// The pseudonym of `author` on `channel`. A handle that already is a
    /// pseudonym is kept, so records exported from tce can be re-ingested.
    pub fn pseudonym(&self, channel: &str, author: &str) -> String {
        if author.starts_with(PSEUDONYM_PREFIX) {
            return author.to_string();
        }
        let mut mac = self.mac.clone();
        mac.update(channel.as_bytes());
        mac.update(&[0]);
        mac.update(
            author
                .trim()
                .trim_start_matches('@')
                .to_lowercase()
                .as_bytes(),
        );
        let digest = mac.finalize().into_bytes();
        let mut out = String::with_capacity(PSEUDONYM_PREFIX.len() + 16);
        out.push_str(PSEUDONYM_PREFIX);
        for b in &digest[..8] {
            let _ = write!(out, "{b:02x}");
        }
        out
    }

    /// Replaces the signal's author by its pseudonym.
    pub fn apply(&self, signal: &mut Signal) {
        if let Some(author) = &signal.author {
            signal.author = Some(self.pseudonym(&signal.channel, author));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_keyed_and_unreadable() {
        let p = Pseudonymizer::new(&[7; 32]).unwrap();
        let a = p.pseudonym("x", "@JaneDoe");
        assert!(a.starts_with(PSEUDONYM_PREFIX) && a.len() == PSEUDONYM_PREFIX.len() + 16);
        assert!(!a.to_lowercase().contains("jane"));
        assert_eq!(a, p.pseudonym("x", "janedoe"), "@ and case do not matter");
        assert_ne!(a, p.pseudonym("facebook", "janedoe"), "per channel");
        assert_ne!(a, p.pseudonym("x", "johndoe"));
        let other_key = Pseudonymizer::new(&[8; 32]).unwrap();
        assert_ne!(a, other_key.pseudonym("x", "janedoe"), "keyed");
        assert_eq!(p.pseudonym("x", &a), a, "a pseudonym is kept");
        assert!(Pseudonymizer::new(b"short").is_err());
    }
}
