//! Minimum-evidence rules (`[evidence]`): below them a figure is shown greyed
//! as "too little evidence" and is never ranked, allocated to or called a
//! finding. Every field is optional; the defaults are documented in
//! `docs/figures.md`.

use serde::Deserialize;
use toml::Spanned;

/// Default of [`Evidence::min_touchpoint_signals`].
pub const DEFAULT_MIN_TOUCHPOINT_SIGNALS: u64 = 10;
/// Default of [`Evidence::min_cell_signals`].
pub const DEFAULT_MIN_CELL_SIGNALS: u64 = 10;
/// Default of [`Evidence::min_benchmark_signals`].
pub const DEFAULT_MIN_BENCHMARK_SIGNALS: u64 = 30;
/// Default of [`Evidence::min_kpi_ratings`].
pub const DEFAULT_MIN_KPI_RATINGS: u64 = 30;
/// Default of [`Evidence::min_voice_posts`].
pub const DEFAULT_MIN_VOICE_POSTS: u64 = 30;
/// Default of [`Evidence::far_below_points`].
pub const DEFAULT_FAR_BELOW_POINTS: f64 = 15.0;
/// Default of [`Evidence::significance_level`].
pub const DEFAULT_SIGNIFICANCE_LEVEL: f64 = 0.05;

/// Minimum-evidence rules and the thresholds of flags.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Signals a touchpoint needs (brand × period) to be ranked in the
    /// importance–performance matrix or listed under "fix first".
    pub min_touchpoint_signals: u64,
    /// Own-brand signals a social channel × stage cell needs to receive
    /// budget in an allocation.
    pub min_cell_signals: u64,
    /// Signals a brand's stage needs for its score to enter a benchmark gap.
    pub min_benchmark_signals: u64,
    /// Ratings an NPS or CSAT figure needs (brand × stage × period) to be
    /// shown as a finding rather than greyed.
    pub min_kpi_ratings: u64,
    /// Public posts a share-of-voice figure needs (channel × period).
    pub min_voice_posts: u64,
    /// A touchpoint whose TES is at least this many points below the brand's
    /// mean experience is flagged whatever its importance.
    pub far_below_points: f64,
    /// A change with a two-sided p-value at or above this is marked not
    /// significant.
    pub significance_level: f64,
}

impl Default for Evidence {
    fn default() -> Self {
        Evidence {
            min_touchpoint_signals: DEFAULT_MIN_TOUCHPOINT_SIGNALS,
            min_cell_signals: DEFAULT_MIN_CELL_SIGNALS,
            min_benchmark_signals: DEFAULT_MIN_BENCHMARK_SIGNALS,
            min_kpi_ratings: DEFAULT_MIN_KPI_RATINGS,
            min_voice_posts: DEFAULT_MIN_VOICE_POSTS,
            far_below_points: DEFAULT_FAR_BELOW_POINTS,
            significance_level: DEFAULT_SIGNIFICANCE_LEVEL,
        }
    }
}

/// `[evidence]` as written in the file.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEvidence {
    min_touchpoint_signals: Option<Spanned<i64>>,
    min_cell_signals: Option<Spanned<i64>>,
    min_benchmark_signals: Option<Spanned<i64>>,
    min_kpi_ratings: Option<Spanned<i64>>,
    min_voice_posts: Option<Spanned<i64>>,
    far_below_points: Option<Spanned<f64>>,
    significance_level: Option<Spanned<f64>>,
}

/// A problem in `[evidence]`: byte offset, field, message.
pub(crate) type EvidenceIssue = (usize, String, String);

impl RawEvidence {
    /// The rules, with the problems found (defaults kept for bad fields).
    pub(crate) fn check(&self) -> (Evidence, Vec<EvidenceIssue>) {
        let d = Evidence::default();
        let mut issues = Vec::new();
        let mut count = |v: &Option<Spanned<i64>>, name: &str, default: u64| match v {
            None => default,
            Some(s) => match u64::try_from(*s.get_ref()) {
                Ok(x) => x,
                Err(_) => {
                    issues.push((
                        s.span().start,
                        format!("evidence.{name}"),
                        format!("must be a whole number ≥ 0, got {}", s.get_ref()),
                    ));
                    default
                }
            },
        };
        let min_touchpoint_signals = count(
            &self.min_touchpoint_signals,
            "min_touchpoint_signals",
            d.min_touchpoint_signals,
        );
        let min_cell_signals = count(
            &self.min_cell_signals,
            "min_cell_signals",
            d.min_cell_signals,
        );
        let min_benchmark_signals = count(
            &self.min_benchmark_signals,
            "min_benchmark_signals",
            d.min_benchmark_signals,
        );
        let min_kpi_ratings = count(&self.min_kpi_ratings, "min_kpi_ratings", d.min_kpi_ratings);
        let min_voice_posts = count(&self.min_voice_posts, "min_voice_posts", d.min_voice_posts);
        let far_below_points = match &self.far_below_points {
            None => d.far_below_points,
            Some(s) if s.get_ref().is_finite() && *s.get_ref() >= 0.0 => *s.get_ref(),
            Some(s) => {
                issues.push((
                    s.span().start,
                    "evidence.far_below_points".into(),
                    format!("must be a number of points ≥ 0, got {}", s.get_ref()),
                ));
                d.far_below_points
            }
        };
        let significance_level = match &self.significance_level {
            None => d.significance_level,
            Some(s) if *s.get_ref() > 0.0 && *s.get_ref() < 1.0 => *s.get_ref(),
            Some(s) => {
                issues.push((
                    s.span().start,
                    "evidence.significance_level".into(),
                    format!("must be between 0 and 1 (e.g. 0.05), got {}", s.get_ref()),
                ));
                d.significance_level
            }
        };
        (
            Evidence {
                min_touchpoint_signals,
                min_cell_signals,
                min_benchmark_signals,
                min_kpi_ratings,
                min_voice_posts,
                far_below_points,
                significance_level,
            },
            issues,
        )
    }
}
