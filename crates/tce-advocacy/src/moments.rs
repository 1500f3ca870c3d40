//! Moments of truth: a customer's great experience worth an invitation to
//! share it. Which signal is one ([`detect`]), the invitation text
//! ([`invitation`]) and the workflow (new → sent → shared, or declined).
//! tce never posts: "sent" is recorded by a user or the API; "shared" is
//! recorded when the author later posts positively about the brand.

use crate::error::AdvocacyError;
use crate::score::Observation;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use tce_model::Model;

/// Why a signal is a moment of truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MomentKind {
    /// The customer's next signal after the brand answered (or resolved)
    /// their case is positive.
    ResolvedCase,
    /// A survey answer or review at the top of its scale.
    TopRating,
    /// An advocate posts praise.
    AdvocatePraise,
}

impl MomentKind {
    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            MomentKind::ResolvedCase => "resolved_case",
            MomentKind::TopRating => "top_rating",
            MomentKind::AdvocatePraise => "advocate_praise",
        }
    }
}

impl FromStr for MomentKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "resolved_case" => Ok(MomentKind::ResolvedCase),
            "top_rating" => Ok(MomentKind::TopRating),
            "advocate_praise" => Ok(MomentKind::AdvocatePraise),
            _ => Err(format!("unknown moment kind {s:?}")),
        }
    }
}

/// A moment's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MomentStatus {
    /// Recorded, not yet sent.
    New,
    /// The invitation was sent (recorded by a user or the API).
    Sent,
    /// The author shared: posted positively about the brand after it was sent.
    Shared,
    /// Not pursued, or the author declined.
    Declined,
}

impl MomentStatus {
    /// All statuses.
    pub const ALL: [MomentStatus; 4] = [
        MomentStatus::New,
        MomentStatus::Sent,
        MomentStatus::Shared,
        MomentStatus::Declined,
    ];

    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            MomentStatus::New => "new",
            MomentStatus::Sent => "sent",
            MomentStatus::Shared => "shared",
            MomentStatus::Declined => "declined",
        }
    }

    /// Where a moment may go from here.
    pub fn allowed(self) -> &'static [MomentStatus] {
        match self {
            MomentStatus::New => &[MomentStatus::Sent, MomentStatus::Declined],
            MomentStatus::Sent => &[MomentStatus::Shared, MomentStatus::Declined],
            MomentStatus::Shared | MomentStatus::Declined => &[],
        }
    }

    /// Checks a transition; the error names the allowed ones.
    pub fn check(self, to: MomentStatus) -> Result<(), AdvocacyError> {
        if self.allowed().contains(&to) {
            Ok(())
        } else {
            Err(AdvocacyError::InvalidTransition {
                what: "moment",
                from: self.as_str().into(),
                to: to.as_str().into(),
                allowed: list(self.allowed().iter().map(|s| s.as_str())),
            })
        }
    }
}

pub(crate) fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

impl fmt::Display for MomentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MomentStatus {
    type Err = AdvocacyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MomentStatus::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| AdvocacyError::UnknownStatus {
                what: "moment",
                given: s.into(),
                known: list(MomentStatus::ALL.iter().map(|m| m.as_str())),
            })
    }
}

/// What the pipeline knows about a signal when deciding on a moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MomentContext {
    /// The signal's observation.
    pub observation: Observation,
    /// The signal carries a rating at the top of its scale.
    pub top_rating: bool,
    /// The author had a case with this brand that was answered or resolved
    /// before this signal, and this is their first message since.
    pub after_answered_case: bool,
    /// The author is (already) an advocate of the brand.
    pub advocate: bool,
}

/// Which moment of truth a signal is, if any (first match wins: a
/// positive follow-up to an answered case, a top rating, an advocate's
/// praise).
pub fn detect(c: &MomentContext) -> Option<MomentKind> {
    let o = &c.observation;
    if !o.positive || o.negative || o.churn {
        return None;
    }
    if c.after_answered_case {
        Some(MomentKind::ResolvedCase)
    } else if c.top_rating {
        Some(MomentKind::TopRating)
    } else if c.advocate && (o.praise || o.recommends) {
        Some(MomentKind::AdvocatePraise)
    } else {
        None
    }
}

/// The default invitation template: `{author}`, `{brand}` and `{link}` are
/// replaced.
pub const DEFAULT_TEMPLATE: &str = tce_model::DEFAULT_INVITATION;

/// The invitation text from a template.
pub fn invitation(template: &str, author: &str, brand: &str, link: &str) -> String {
    template
        .replace("{author}", author)
        .replace("{brand}", brand)
        .replace("{link}", link)
}

/// A workspace's invitations: the template of `[advocacy] invitation` and
/// each brand's name and share link, read once from the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitations {
    template: String,
    /// Brand id → (display name, share link).
    brands: BTreeMap<String, (String, Option<String>)>,
}

impl Invitations {
    /// The invitations of a model (its template was checked when it loaded).
    pub fn of(model: &Model) -> Invitations {
        Invitations {
            template: model.advocacy.invitation.clone(),
            brands: model
                .brands
                .iter()
                .map(|b| (b.id.clone(), (b.name.clone(), b.share_link.clone())))
                .collect(),
        }
    }

    /// The invitation to `author` for a moment about `brand`: `{brand}` is
    /// its display name, `{link}` its share link, else the signal's own
    /// link (`signal_url`), else nothing; trailing space trimmed.
    pub fn text(&self, brand: &str, author: &str, signal_url: Option<&str>) -> String {
        let (name, link) = self
            .brands
            .get(brand)
            .map_or((brand, None), |(n, l)| (n.as_str(), l.as_deref()));
        let link = link.or(signal_url).unwrap_or("");
        invitation(&self.template, author, name, link)
            .trim_end()
            .to_string()
    }
}

/// Whether a moment that was sent is now shared: the same author posts
/// positively about the brand after it was sent.
pub fn shares(status: MomentStatus, sent_at: Option<DateTime<Utc>>, o: &Observation) -> bool {
    status == MomentStatus::Sent && o.positive && sent_at.is_some_and(|s| o.at > s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn positive() -> Observation {
        Observation {
            at: Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap(),
            experience: 0.8,
            positive: true,
            negative: false,
            complaint: false,
            churn: false,
            praise: true,
            recommends: false,
            followers: None,
        }
    }

    #[test]
    fn workflow_refuses_invalid_transitions() {
        use MomentStatus::*;
        assert!(New.check(Sent).is_ok());
        assert!(Sent.check(Shared).is_ok());
        assert!(New.check(Declined).is_ok());
        let e = New.check(Shared).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot move moment from new to shared (allowed: sent, declined)"
        );
        assert!(Shared.check(Sent).is_err());
        assert!(Declined.check(New).is_err());
        assert!("bogus".parse::<MomentStatus>().is_err());
        assert_eq!("sent".parse::<MomentStatus>().unwrap(), Sent);
    }

    #[test]
    fn detection_order_and_negatives() {
        let mut c = MomentContext {
            observation: positive(),
            top_rating: true,
            after_answered_case: true,
            advocate: true,
        };
        assert_eq!(detect(&c), Some(MomentKind::ResolvedCase));
        c.after_answered_case = false;
        assert_eq!(detect(&c), Some(MomentKind::TopRating));
        c.top_rating = false;
        assert_eq!(detect(&c), Some(MomentKind::AdvocatePraise));
        c.advocate = false;
        assert_eq!(detect(&c), None);
        c.after_answered_case = true;
        c.observation.positive = false;
        assert_eq!(detect(&c), None);
    }

    #[test]
    fn invitation_fills_the_template_and_sharing_needs_a_later_positive_post() {
        assert_eq!(
            invitation("{author} / {brand} / {link}", "@ann", "SkyWay", "https://x"),
            "@ann / SkyWay / https://x"
        );
        let o = positive();
        let before = o.at - chrono::Duration::hours(1);
        assert!(shares(MomentStatus::Sent, Some(before), &o));
        assert!(!shares(MomentStatus::New, Some(before), &o));
        assert!(!shares(MomentStatus::Sent, Some(o.at), &o));
    }

    #[test]
    fn invitations_use_the_workspace_template_and_the_brands_share_link() {
        let src = r#"
[[stages]]
id = "ops"
[[departments]]
id = "ops"
[[touchpoints]]
id = "t"
stage = "ops"
department = "ops"
phrases = ["delay"]
[[channels]]
id = "x"
social = true
[[brands]]
id = "sky"
name = "SkyWay"
own = true
share_link = "https://skyway.example/share"
[[brands]]
id = "rival"
name = "Rival Air"
[advocacy]
invitation = "Dear {author}, tell others about {brand}: {link}"
"#;
        let model = Model::parse(src, std::path::Path::new("tce.toml")).unwrap();
        let inv = Invitations::of(&model);
        assert_eq!(
            inv.text("sky", "@ann", Some("https://x.com/ann/1")),
            "Dear @ann, tell others about SkyWay: https://skyway.example/share"
        );
        // No share link: the signal's own link, else nothing.
        assert_eq!(
            inv.text("rival", "@bob", Some("https://x.com/bob/2")),
            "Dear @bob, tell others about Rival Air: https://x.com/bob/2"
        );
        assert_eq!(
            inv.text("rival", "@bob", None),
            "Dear @bob, tell others about Rival Air:"
        );
    }
}
