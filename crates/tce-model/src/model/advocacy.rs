//! Advocacy settings (`[advocacy]`): the invitation tce writes for a moment
//! of truth. Each brand's share link is a field of the brand
//! (`share_link`, checked with the brands).

use super::{Checker, S};
use serde::Deserialize;

/// The invitation used when `[advocacy] invitation` is not set.
pub const DEFAULT_INVITATION: &str = "Hi {author}, thank you for your kind words about {brand}! \
     Would you share your experience with others? {link}";

/// The placeholders an invitation may use: the author's handle, the
/// brand's display name, and the brand's share link (else the signal's own
/// link).
pub const INVITATION_PLACEHOLDERS: [&str; 3] = ["author", "brand", "link"];

/// Advocacy settings (`[advocacy]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Advocacy {
    /// The invitation to share a moment of truth, with `{author}`,
    /// `{brand}` and `{link}` to fill (default [`DEFAULT_INVITATION`]).
    pub invitation: String,
}

impl Default for Advocacy {
    fn default() -> Self {
        Advocacy {
            invitation: DEFAULT_INVITATION.to_string(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAdvocacy {
    invitation: Option<S<String>>,
}

/// Checks an invitation template: every `{…}` must be one of
/// [`INVITATION_PLACEHOLDERS`]; the error says which is not and what is
/// allowed.
pub fn check_invitation(template: &str) -> Result<(), String> {
    if template.trim().is_empty() {
        return Err("the invitation is empty".into());
    }
    let known = || {
        INVITATION_PLACEHOLDERS
            .iter()
            .map(|p| format!("{{{p}}}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!(
                "a `}}` without its `{{` (placeholders: {})",
                known()
            ));
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(format!(
                "a `{{` without its `}}` (placeholders: {})",
                known()
            ));
        };
        let name = &after[..close];
        if !INVITATION_PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "unknown placeholder {{{name}}} (placeholders: {})",
                known()
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Checks a brand's share link: an absolute http(s) URL without spaces.
pub(super) fn check_share_link(link: &str) -> Result<(), String> {
    let ok = (link.starts_with("https://") || link.starts_with("http://"))
        && link.len() > "https://".len()
        && !link.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{link:?}: must be an http:// or https:// link without spaces"
        ))
    }
}

impl Checker<'_> {
    /// Checks `[advocacy]`.
    pub(super) fn advocacy(&mut self, raw: Option<RawAdvocacy>) -> Advocacy {
        let raw = raw.unwrap_or_default();
        let mut out = Advocacy::default();
        if let Some(t) = raw.invitation {
            match check_invitation(t.get_ref()) {
                Ok(()) => out.invitation = t.into_inner(),
                Err(message) => self.issue(t.span().start, "advocacy.invitation".into(), message),
            }
        }
        out
    }
}
