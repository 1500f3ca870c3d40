//! Advocacy and ideas behind the store (migration 0009): the per-author
//! aggregates and net-advocacy counters the pipeline keeps up to date in the
//! insert transaction, idea clusters with their suggestions and events, and
//! moments of truth. The aggregates and centroids are `tce_advocacy` types;
//! what to make of them is `tce_advocacy`'s business.

use crate::StoreError;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;
use tce_advocacy::{AuthorAggregate, Centroid, IdeaStatus, MomentKind, MomentStatus, PeriodCounts};

/// (brand, author).
pub type AuthorKey = (String, String);

/// (brand, author, first day of the month).
pub type PeriodKey = (String, String, NaiveDate);

/// What the advocacy derivation reads and writes inside the insert
/// transaction. Every read takes the batch's keys at once.
pub trait AdvocacyTx {
    /// The stored aggregates of these (brand, author) pairs (absent ones left out).
    fn author_aggregates(
        &mut self,
        keys: &[AuthorKey],
    ) -> Result<Vec<(AuthorKey, AuthorAggregate)>, StoreError>;

    /// The stored states of these (brand, author) pairs (absent ones left out).
    fn author_states(
        &mut self,
        keys: &[AuthorKey],
    ) -> Result<Vec<(AuthorKey, AuthorState)>, StoreError>;

    /// Writes (inserts or replaces) author states.
    fn save_author_states(&mut self, rows: &[(AuthorKey, AuthorState)]) -> Result<(), StoreError>;

    /// [`AdvocacyTx::author_states`] of borrowed (brand, author) pairs.
    fn author_states_of(
        &mut self,
        keys: &[(&str, &str)],
    ) -> Result<Vec<(AuthorKey, AuthorState)>, StoreError> {
        let keys: Vec<AuthorKey> = keys
            .iter()
            .map(|(b, a)| (b.to_string(), a.to_string()))
            .collect();
        self.author_states(&keys)
    }

    /// [`AdvocacyTx::save_author_states`] of (brand, author, state) borrowed.
    fn save_author_states_of(
        &mut self,
        rows: &[(&str, &str, &AuthorState)],
    ) -> Result<(), StoreError> {
        let rows: Vec<(AuthorKey, AuthorState)> = rows
            .iter()
            .map(|(b, a, s)| ((b.to_string(), a.to_string()), (*s).clone()))
            .collect();
        self.save_author_states(&rows)
    }

    /// [`AdvocacyTx::archived_periods`] of borrowed (brand, author, month) keys.
    fn archived_periods_of(
        &mut self,
        keys: &[(&str, &str, NaiveDate)],
    ) -> Result<Vec<(PeriodKey, PeriodCounts)>, StoreError> {
        let keys: Vec<PeriodKey> = keys
            .iter()
            .map(|(b, a, d)| (b.to_string(), a.to_string(), *d))
            .collect();
        self.archived_periods(&keys)
    }

    /// [`AdvocacyTx::save_archived_periods`] of (brand, author, month,
    /// counts) borrowed.
    fn save_archived_periods_of(
        &mut self,
        rows: &[(&str, &str, NaiveDate, PeriodCounts)],
    ) -> Result<(), StoreError> {
        let rows: Vec<(PeriodKey, PeriodCounts)> = rows
            .iter()
            .map(|(b, a, d, p)| ((b.to_string(), a.to_string(), *d), *p))
            .collect();
        self.save_archived_periods(&rows)
    }

    /// [`AdvocacyTx::open_moments`] of borrowed (brand, author) pairs.
    fn open_moments_of(&mut self, keys: &[(&str, &str)]) -> Result<Vec<Moment>, StoreError> {
        let keys: Vec<AuthorKey> = keys
            .iter()
            .map(|(b, a)| (b.to_string(), a.to_string()))
            .collect();
        self.open_moments(&keys)
    }

    /// The archived counts of these (brand, author, month) triples: months
    /// other than an author's latest (absent ones left out).
    fn archived_periods(
        &mut self,
        keys: &[PeriodKey],
    ) -> Result<Vec<(PeriodKey, PeriodCounts)>, StoreError>;

    /// Writes (inserts or replaces) archived period counts.
    fn save_archived_periods(
        &mut self,
        rows: &[(PeriodKey, PeriodCounts)],
    ) -> Result<(), StoreError>;

    /// Adds to the net-advocacy counters of (brand, month): eligible
    /// authors, advocates, detractors.
    fn add_net_counts(
        &mut self,
        deltas: &[((String, NaiveDate), [i64; 3])],
    ) -> Result<(), StoreError>;

    /// The ideas (not merged away) of these brands.
    fn ideas_of(&mut self, brands: &[String]) -> Result<Vec<Idea>, StoreError>;

    /// Stores new ideas (id 0: the store assigns one, returned in order) and
    /// replaces changed ones.
    fn save_ideas(&mut self, ideas: &mut [Idea]) -> Result<(), StoreError>;

    /// Records which idea each suggestion joined.
    fn add_idea_signals(&mut self, rows: &[IdeaSignal]) -> Result<(), StoreError>;

    /// The open (new or sent) moments of these (brand, author) pairs.
    fn open_moments(&mut self, keys: &[AuthorKey]) -> Result<Vec<Moment>, StoreError>;

    /// Stores new moments (a moment for a case or signal that has one is
    /// skipped); moments with an id are updated (status and times).
    fn save_moments(&mut self, moments: &[Moment]) -> Result<(), StoreError>;
}

/// An author's running state with a brand, as the derivation keeps it in
/// one row: the overall aggregate, and the counts of the latest month the
/// author spoke in. Earlier months move to an archive
/// ([`AdvocacyTx::archived_periods`]) when a later one starts, so a late
/// signal still lands in its own month while the common case — the author's
/// current month — costs no second row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthorState {
    /// Over all the author's signals about the brand.
    pub aggregate: AuthorAggregate,
    /// First day of the author's latest month, and its counts.
    pub period: Option<(NaiveDate, PeriodCounts)>,
}

/// An author's standing with a brand, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorRow {
    /// Brand id.
    pub brand: String,
    /// Author handle (a pseudonym when the workspace pseudonymises).
    pub author: String,
    /// The aggregate.
    pub aggregate: AuthorAggregate,
}

/// Which authors to read for a ranking: by stored base score, highest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdvocateQuery {
    /// Only this brand.
    pub brand: Option<String>,
    /// How many (0: 50).
    pub limit: usize,
    /// Lowest first (detractors).
    pub ascending: bool,
}

/// Net-advocacy counters of a brand in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetRow {
    /// Brand id.
    pub brand: String,
    /// First day of the month.
    pub period: NaiveDate,
    /// Authors with enough signals.
    pub eligible: u64,
    /// Advocates among them.
    pub advocates: u64,
    /// Detractors among them.
    pub detractors: u64,
}

/// An idea: a cluster of suggestions.
#[derive(Debug, Clone, PartialEq)]
pub struct Idea {
    /// Store-assigned id (0 before it is stored).
    pub id: i64,
    /// Brand the suggestions are about.
    pub brand: String,
    /// An own brand's (false: what customers ask of a competitor).
    pub own: bool,
    /// Short label from its distinctive terms.
    pub label: String,
    /// The terms of its suggestions.
    pub centroid: Centroid,
    /// Suggestions.
    pub volume: u64,
    /// Sum of the suggesters' followers.
    pub reach: u64,
    /// First suggestion.
    pub first_seen: DateTime<Utc>,
    /// Latest suggestion.
    pub last_seen: DateTime<Utc>,
    /// Sum of the suggestions' sentiment.
    pub sentiment_sum: f64,
    /// Touchpoint id → suggestions naming it.
    pub touchpoints: BTreeMap<String, u64>,
    /// The representative suggestion: (channel, external id, text).
    pub representative: (String, String, String),
    /// Workflow status.
    pub status: IdeaStatus,
    /// When it was shipped (moved to `shipped`).
    pub shipped_at: Option<DateTime<Utc>>,
    /// Merged into this idea (then no longer listed).
    pub merged_into: Option<i64>,
    /// Bumped by every change a user makes.
    pub version: u64,
}

impl Idea {
    /// Mean sentiment of its suggestions.
    pub fn sentiment(&self) -> f64 {
        if self.volume == 0 {
            0.0
        } else {
            self.sentiment_sum / self.volume as f64
        }
    }

    /// The touchpoint named most often, if any.
    pub fn top_touchpoint(&self) -> Option<&str> {
        self.touchpoints
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(t, _)| t.as_str())
    }
}

/// A suggestion in an idea.
#[derive(Debug, Clone, PartialEq)]
pub struct IdeaSignal {
    /// The idea.
    pub idea: i64,
    /// Signal channel.
    pub channel: String,
    /// Signal external id.
    pub external_id: String,
    /// When it was said.
    pub at: DateTime<Utc>,
    /// Its normalised terms (kept for splitting).
    pub terms: Vec<String>,
}

/// Which ideas to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdeaQuery {
    /// Only this brand.
    pub brand: Option<String>,
    /// Only own brands' (true) or competitors' (false).
    pub own: Option<bool>,
    /// Only these statuses (empty: all).
    pub statuses: Vec<IdeaStatus>,
    /// Most ideas read, by volume (0: 200).
    pub limit: usize,
}

/// A recorded change to an idea.
#[derive(Debug, Clone, PartialEq)]
pub struct IdeaEvent {
    /// The idea.
    pub idea: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// `status`, `note`, `merged_into`, `absorbed`, `split_from`, `split_into`.
    pub kind: String,
    /// Status before (status changes).
    pub from: Option<IdeaStatus>,
    /// Status after (status changes).
    pub to: Option<IdeaStatus>,
    /// The note, if any.
    pub note: Option<String>,
    /// The other idea of a merge or split.
    pub other: Option<i64>,
}

/// A moment of truth.
#[derive(Debug, Clone, PartialEq)]
pub struct Moment {
    /// Store-assigned id (0 before it is stored).
    pub id: i64,
    /// Brand id.
    pub brand: String,
    /// Author handle.
    pub author: String,
    /// The signal that is the moment: channel.
    pub channel: String,
    /// The signal's external id.
    pub external_id: String,
    /// Why it is one.
    pub kind: MomentKind,
    /// The case it followed, for `resolved_case`.
    pub case_id: Option<u64>,
    /// Department that runs advocacy.
    pub department: String,
    /// The invitation text.
    pub text: String,
    /// Status.
    pub status: MomentStatus,
    /// When it happened (the signal's time).
    pub created_at: DateTime<Utc>,
    /// When the invitation was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it was shared, or declined.
    pub closed_at: Option<DateTime<Utc>>,
    /// The signal in which the author shared.
    pub shared_by: Option<(String, String)>,
}

/// Which moments to list (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MomentQuery {
    /// Only these statuses (empty: all).
    pub statuses: Vec<MomentStatus>,
    /// Only this brand.
    pub brand: Option<String>,
    /// Only these departments.
    pub departments: Option<Vec<String>>,
    /// How many (0: 100).
    pub limit: usize,
}

/// Moments per channel and month by status (conversion).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MomentCount {
    /// Channel id.
    pub channel: String,
    /// First day of the month the moment happened in.
    pub period: NaiveDate,
    /// Status id.
    pub status: MomentStatus,
    /// How many.
    pub count: u64,
}

/// Live ideas (not merged away) of own brands or of competitors with one
/// status, counted (the ideas' workflow at a glance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdeaStatusCount {
    /// Own brands' ideas (false: what customers ask of competitors).
    pub own: bool,
    /// The status.
    pub status: IdeaStatus,
    /// How many ideas.
    pub count: u64,
}
