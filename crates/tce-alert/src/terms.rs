//! Emerging terms: words and bigrams whose rate in a series' negative texts
//! (per document, in the current window) rises far above their decayed
//! baseline rate, with a minimum support — "new in complaints about
//! baggage: 'lost tag', 'belt 5'".
//!
//! Each document counts a term once (a rant repeating a word is one voice).
//! At the close of a window, a term is emerging when it appears in at least
//! `min_support` documents, its rate is at least `min_ratio` times the
//! baseline rate, and the Poisson upper tail of its count against
//! baseline rate × documents is below `threshold_p`. The baseline rate is
//! (decayed term count + ½) / (decayed document count + 1), so a term never
//! seen before has a small but non-zero rate. State is bounded: at most
//! `max_terms` terms per series, the weakest evicted first.

use rustc_hash::FxHashMap as HashMap;

use serde::{Deserialize, Serialize};

use crate::detector::SeriesKey;
use crate::error::SettingsError;
use crate::stats;

/// Settings of the emerging-terms tracker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TermSettings {
    /// Length of the recent window, seconds (default 21600: six hours).
    pub window_secs: u32,
    /// Half-life of the baseline, days (default 7).
    pub half_life_days: f64,
    /// Fewest documents with the term in the window (default 5).
    pub min_support: u32,
    /// Smallest ratio of the window's rate to the baseline rate (default 3).
    pub min_ratio: f64,
    /// Poisson upper-tail p-value threshold (default 0.001).
    pub threshold_p: f64,
    /// Windows learnt before any report (default 8: two days of six-hour windows).
    pub warmup_windows: u32,
    /// Most terms kept per series (default 5000).
    pub max_terms: usize,
    /// Most terms reported per series and window (default 10).
    pub max_reported: usize,
}

impl Default for TermSettings {
    fn default() -> Self {
        TermSettings {
            window_secs: 21_600,
            half_life_days: 7.0,
            min_support: 5,
            min_ratio: 3.0,
            threshold_p: 1e-3,
            warmup_windows: 8,
            max_terms: 5000,
            max_reported: 10,
        }
    }
}

impl TermSettings {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.window_secs == 0 {
            return Err(SettingsError::invalid(
                "terms.window_secs",
                self.window_secs,
                "must be at least 1",
            ));
        }
        if !(self.half_life_days.is_finite() && self.half_life_days > 0.0) {
            return Err(SettingsError::invalid(
                "terms.half_life_days",
                self.half_life_days,
                "must be positive",
            ));
        }
        if self.min_support == 0 {
            return Err(SettingsError::invalid(
                "terms.min_support",
                self.min_support,
                "must be at least 1",
            ));
        }
        if !(self.min_ratio.is_finite() && self.min_ratio >= 1.0) {
            return Err(SettingsError::invalid(
                "terms.min_ratio",
                self.min_ratio,
                "must be at least 1",
            ));
        }
        if !(self.threshold_p > 0.0 && self.threshold_p < 1.0) {
            return Err(SettingsError::invalid(
                "terms.threshold_p",
                self.threshold_p,
                "must be in (0, 1)",
            ));
        }
        if self.max_terms < 10 {
            return Err(SettingsError::invalid(
                "terms.max_terms",
                self.max_terms,
                "must be at least 10",
            ));
        }
        Ok(())
    }
}

/// A term that emerged in one window of one series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmergingTerm {
    /// The series (brand, optional touchpoint).
    pub series: SeriesKey,
    /// The word or bigram ("lost tag").
    pub term: String,
    /// Start of the window (unix seconds).
    pub window_start: i64,
    /// End of the window (unix seconds, exclusive).
    pub window_end: i64,
    /// Documents of the window containing the term.
    pub count: u32,
    /// Documents in the window.
    pub documents: u32,
    /// Documents expected to contain it at the baseline rate.
    pub expected: f64,
    /// Window rate over baseline rate.
    pub ratio: f64,
    /// Poisson upper-tail p-value of `count` against `expected`.
    pub p_value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct TermStat {
    current: u32,
    base: f64,
    base_at: i64,
    last_seen: i64,
}

/// The saved state of one series of the tracker (bounded by `max_terms`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermSeries {
    key: SeriesKey,
    window: Option<i64>,
    windows_seen: u32,
    docs: u32,
    base_docs: f64,
    docs_at: i64,
    terms: HashMap<String, TermStat>,
    /// Terms reported by the last [`RECENT_WINDOWS`] windows, so that an
    /// alert opening after its terms emerged can still carry them.
    #[serde(default)]
    recent: Vec<EmergingTerm>,
}

impl TermSeries {
    /// The series.
    pub fn key(&self) -> &SeriesKey {
        &self.key
    }

    /// Terms kept.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// No term kept.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Terms that emerged in windows ending after `since` (unix seconds),
    /// among those of the last [`RECENT_WINDOWS`] windows, strongest first
    /// within each window.
    pub fn recent(&self, since: i64) -> impl Iterator<Item = &EmergingTerm> {
        self.recent.iter().filter(move |t| t.window_end > since)
    }
}

/// Decayed document count below which a term is forgotten (the prior's
/// half document: a forgotten term's baseline rate is an unseen term's).
const FORGET_BELOW: f64 = 0.5;

/// Windows whose emerging terms a series keeps (with the default six-hour
/// windows, a day): bounded by this × `max_reported`.
pub const RECENT_WINDOWS: i64 = 4;

/// Tracks terms per series and reports the emerging ones as windows close.
#[derive(Debug, Clone)]
pub struct TermTracker {
    settings: TermSettings,
    lambda: f64,
    series: HashMap<SeriesKey, TermSeries>,
}

/// Words too common to say anything.
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "being", "but", "by", "can", "could", "did", "do", "does", "doing", "don't",
    "for", "from", "had", "has", "have", "having", "he", "her", "here", "him", "his", "how", "i",
    "i'm", "if", "in", "into", "is", "it", "it's", "its", "just", "me", "more", "my", "no", "not",
    "now", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over", "so", "some",
    "still", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they",
    "this", "those", "to", "too", "up", "us", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "why", "will", "with", "would", "you", "your",
];

/// Whether a lowercase word is a stopword.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// Lowercase words of a text: runs of letters, digits and inner apostrophes.
pub fn tokenize(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .map(|w| {
            w.trim_matches(|c| c == '\'' || c == '’')
                .to_lowercase()
                .replace('’', "'")
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// The distinct terms of one document: words of two or more characters
/// that are not stopwords, and bigrams of adjacent non-stopwords (numbers
/// allowed: "belt 5").
pub fn document_terms(tokens: &[&str]) -> Vec<String> {
    let mut terms = Vec::new();
    let mut prev: Option<String> = None;
    for raw in tokens {
        let w = raw.to_lowercase();
        if w.is_empty() || is_stopword(&w) || !w.chars().any(char::is_alphanumeric) {
            prev = None;
            continue;
        }
        if w.chars().count() >= 2 && !w.chars().all(|c| c.is_ascii_digit()) {
            terms.push(w.clone());
        }
        if let Some(p) = prev.take() {
            terms.push(format!("{p} {w}"));
        }
        prev = Some(w);
    }
    terms.sort_unstable();
    terms.dedup();
    terms
}

impl TermTracker {
    /// A tracker with no series.
    pub fn new(settings: TermSettings) -> Result<TermTracker, SettingsError> {
        settings.validate()?;
        let windows_per_half_life =
            settings.half_life_days * 86_400.0 / f64::from(settings.window_secs);
        Ok(TermTracker {
            lambda: 0.5f64.powf(1.0 / windows_per_half_life),
            settings,
            series: HashMap::default(),
        })
    }

    /// A tracker continuing from saved series.
    pub fn restore(
        settings: TermSettings,
        saved: Vec<TermSeries>,
    ) -> Result<TermTracker, SettingsError> {
        let mut t = TermTracker::new(settings)?;
        for s in saved {
            t.series.insert(s.key.clone(), s);
        }
        Ok(t)
    }

    /// The saved state of every series.
    pub fn states(&self) -> impl Iterator<Item = &TermSeries> {
        self.series.values()
    }

    /// The state of one series, if it has seen a document.
    pub fn series(&self, key: &SeriesKey) -> Option<&TermSeries> {
        self.series.get(key)
    }

    /// The terms emerging in a series' window that is still open, on the
    /// documents so far (the same test as at its close): an alert need not
    /// wait for the window to end to name them.
    pub fn emerging_now(&self, key: &SeriesKey) -> Vec<EmergingTerm> {
        self.series
            .get(key)
            .map(|s| score(&self.settings, self.lambda, s))
            .unwrap_or_default()
    }

    /// One negative document of a series at `ts` (unix seconds), as tokens.
    /// Windows this time closes report their emerging terms into `out`. A
    /// document of a window already closed only feeds the baseline.
    pub fn observe(
        &mut self,
        key: &SeriesKey,
        ts: i64,
        tokens: &[&str],
        out: &mut Vec<EmergingTerm>,
    ) {
        self.observe_terms(key, ts, &document_terms(tokens), out);
    }

    /// [`TermTracker::observe`] with the document's terms already drawn
    /// ([`document_terms`]): a document seen by several series (its brand,
    /// its touchpoints) is tokenised once.
    pub fn observe_terms(
        &mut self,
        key: &SeriesKey,
        ts: i64,
        terms: &[String],
        out: &mut Vec<EmergingTerm>,
    ) {
        let w = ts.div_euclid(i64::from(self.settings.window_secs));
        if !self.series.contains_key(key) {
            self.series.insert(
                key.clone(),
                TermSeries {
                    key: key.clone(),
                    window: None,
                    windows_seen: 0,
                    docs: 0,
                    base_docs: 0.0,
                    docs_at: w,
                    terms: HashMap::default(),
                    recent: Vec::new(),
                },
            );
        }
        let Some(series) = self.series.get_mut(key) else {
            return;
        };
        let current = *series.window.get_or_insert(w);
        if w < current {
            series.base_docs += 1.0;
            for t in terms {
                if let Some(stat) = series.terms.get_mut(t) {
                    stat.base += 1.0;
                }
            }
            return;
        }
        if w > current {
            close(&self.settings, self.lambda, series, out);
            series.window = Some(w);
        }
        series.docs += 1;
        for t in terms {
            let stat = match series.terms.get_mut(t) {
                Some(stat) => stat,
                None => series.terms.entry(t.clone()).or_insert(TermStat {
                    current: 0,
                    base: 0.0,
                    base_at: w,
                    last_seen: w,
                }),
            };
            stat.current += 1;
            stat.last_seen = w;
        }
        if series.terms.len() > self.settings.max_terms {
            evict(series, self.lambda, w, self.settings.max_terms);
        }
    }

    /// Closes every window that ended at or before `now` (unix seconds).
    pub fn advance(&mut self, now: i64, out: &mut Vec<EmergingTerm>) {
        let window = i64::from(self.settings.window_secs);
        for series in self.series.values_mut() {
            if let Some(w) = series.window {
                if (w + 1).saturating_mul(window) <= now {
                    close(&self.settings, self.lambda, series, out);
                    series.window = Some(now.div_euclid(window));
                }
            }
        }
    }
}

fn decayed(base: f64, lambda: f64, from: i64, to: i64) -> f64 {
    base * lambda.powi((to - from).clamp(0, i64::from(i32::MAX)) as i32)
}

/// The emerging terms of the series' current window as it stands (the
/// test of the window's close on the documents so far).
fn score(s: &TermSettings, lambda: f64, series: &TermSeries) -> Vec<EmergingTerm> {
    let Some(w) = series.window else {
        return Vec::new();
    };
    let docs = series.docs;
    if series.windows_seen < s.warmup_windows || docs == 0 {
        return Vec::new();
    }
    let base_docs = decayed(series.base_docs, lambda, series.docs_at, w);
    let mut found: Vec<EmergingTerm> = Vec::new();
    for (term, stat) in &series.terms {
        if stat.current < s.min_support {
            continue;
        }
        let base = decayed(stat.base, lambda, stat.base_at, w);
        let rate0 = (base + 0.5) / (base_docs + 1.0);
        let rate = f64::from(stat.current) / f64::from(docs);
        let expected = rate0 * f64::from(docs);
        let ratio = rate / rate0;
        if ratio < s.min_ratio {
            continue;
        }
        let p = stats::upper_tail(expected, 1.0, u64::from(stat.current));
        if p < s.threshold_p {
            found.push(EmergingTerm {
                series: series.key.clone(),
                term: term.clone(),
                window_start: w.saturating_mul(i64::from(s.window_secs)),
                window_end: (w + 1).saturating_mul(i64::from(s.window_secs)),
                count: stat.current,
                documents: docs,
                expected,
                ratio,
                p_value: p,
            });
        }
    }
    found.sort_by(|a, b| {
        a.p_value
            .total_cmp(&b.p_value)
            .then(b.count.cmp(&a.count))
            .then(a.term.cmp(&b.term))
    });
    found.truncate(s.max_reported);
    found
}

/// Reports the closing window's emerging terms, then folds it into the baseline.
fn close(s: &TermSettings, lambda: f64, series: &mut TermSeries, out: &mut Vec<EmergingTerm>) {
    let Some(w) = series.window else {
        return;
    };
    let found = score(s, lambda, series);
    series.recent.extend(found.iter().cloned());
    out.extend(found);
    let keep_from = (w + 1 - RECENT_WINDOWS).saturating_mul(i64::from(s.window_secs));
    series.recent.retain(|t| t.window_end > keep_from);
    let docs = series.docs;
    let base_docs = decayed(series.base_docs, lambda, series.docs_at, w);
    for stat in series.terms.values_mut() {
        if stat.current > 0 {
            stat.base = decayed(stat.base, lambda, stat.base_at, w) + f64::from(stat.current);
            stat.base_at = w;
            stat.current = 0;
        }
    }
    // A term whose decayed count fell below the half document every term is
    // credited with is as good as unseen: forget it, so the state holds the
    // recent vocabulary, not every word ever written.
    series
        .terms
        .retain(|_, st| decayed(st.base, lambda, st.base_at, w) >= FORGET_BELOW);
    series.base_docs = base_docs + f64::from(docs);
    series.docs_at = w;
    series.docs = 0;
    series.windows_seen = series.windows_seen.saturating_add(1);
}

/// Drops the weakest tenth of the terms (lowest current + decayed baseline,
/// then least recently seen).
fn evict(series: &mut TermSeries, lambda: f64, now: i64, max: usize) {
    let mut scored: Vec<(f64, i64, String)> = series
        .terms
        .iter()
        .map(|(t, s)| {
            (
                f64::from(s.current) + decayed(s.base, lambda, s.base_at, now),
                s.last_seen,
                t.clone(),
            )
        })
        .collect();
    let drop = (scored.len() - max + max / 10).min(scored.len());
    scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (_, _, t) in scored.into_iter().take(drop) {
        series.terms.remove(&t);
    }
}
