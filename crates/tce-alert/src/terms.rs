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

use std::sync::Arc;

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

/// Counts of one term of a series: documents of the open window with it,
/// and its decayed count as of window `base_at`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct TermStat {
    current: u32,
    base: f64,
    base_at: i64,
    last_seen: i64,
}

impl TermStat {
    fn fresh(w: i64) -> TermStat {
        TermStat {
            current: 0,
            base: 0.0,
            base_at: w,
            last_seen: w,
        }
    }
}

/// The terms of a series: a slab of (term, counts) indexed by term, and the
/// slots touched in the open window (those with `current > 0`, each once),
/// so that a window's close visits only them.
///
/// A term is *forgotten* once its decayed count at the series' last close
/// (`docs_at`) is below [`FORGET_BELOW`] and the open window has not seen
/// it (see [`forgotten`]). Forgotten terms are dropped lazily — when the
/// slab outgrows `max_terms`, when the tracker hands its states out to be
/// saved — and never count: a forgotten term seen again starts afresh, a
/// late document does not revive it, and it is never scored, evicted nor
/// counted by [`TermSeries::len`]. So the outcome is the same as dropping
/// it at the close where its count fell below the threshold.
#[derive(Debug, Clone, Default)]
struct Terms {
    index: HashMap<Arc<str>, u32>,
    slots: Vec<(Arc<str>, TermStat)>,
    touched: Vec<u32>,
}

impl Terms {
    fn get(&self, term: &str) -> Option<usize> {
        self.index.get(term).map(|&i| i as usize)
    }

    fn push(&mut self, term: Arc<str>, stat: TermStat) -> usize {
        let i = self.slots.len();
        let slot = u32::try_from(i).unwrap_or(u32::MAX);
        self.index.insert(term.clone(), slot);
        self.slots.push((term, stat));
        if stat.current > 0 {
            self.touched.push(slot);
        }
        i
    }

    /// Keeps the slots for which `keep` holds (order kept; indexes renumbered).
    fn retain(&mut self, mut keep: impl FnMut(usize, &TermStat) -> bool) {
        let mut renumber: Vec<u32> = Vec::with_capacity(self.slots.len());
        let mut next = 0u32;
        for (i, (_, st)) in self.slots.iter().enumerate() {
            if keep(i, st) {
                renumber.push(next);
                next += 1;
            } else {
                renumber.push(u32::MAX);
            }
        }
        if next as usize == self.slots.len() {
            return;
        }
        let mut i = 0;
        self.slots.retain(|_| {
            let kept = renumber.get(i).is_some_and(|&n| n != u32::MAX);
            i += 1;
            kept
        });
        self.index
            .retain(|_, slot| match renumber.get(*slot as usize) {
                Some(&n) if n != u32::MAX => {
                    *slot = n;
                    true
                }
                _ => false,
            });
        self.touched
            .retain_mut(|slot| match renumber.get(*slot as usize) {
                Some(&n) if n != u32::MAX => {
                    *slot = n;
                    true
                }
                _ => false,
            });
    }
}

impl PartialEq for Terms {
    /// The same terms with the same counts, whatever their slots.
    fn eq(&self, other: &Terms) -> bool {
        self.slots.len() == other.slots.len()
            && self.slots.iter().all(|(t, st)| {
                other
                    .get(t)
                    .and_then(|i| other.slots.get(i))
                    .is_some_and(|(_, o)| o == st)
            })
    }
}

/// Saved as a list of `[term, current, base, base_at, last_seen]`; a map
/// of term to `{current, base, base_at, last_seen}` (the encoding before
/// this one) is read too.
impl Serialize for Terms {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.slots.len()))?;
        for (t, st) in &self.slots {
            seq.serialize_element(&(&**t, st.current, st.base, st.base_at, st.last_seen))?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Terms {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Terms, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Terms;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of [term, current, base, base_at, last_seen] or a map of terms")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Terms, A::Error> {
                let mut terms = Terms::default();
                while let Some((Name(t), current, base, base_at, last_seen)) =
                    seq.next_element::<(Name, u32, f64, i64, i64)>()?
                {
                    let stat = TermStat {
                        current,
                        base,
                        base_at,
                        last_seen,
                    };
                    terms.insert_loaded(t, stat);
                }
                Ok(terms)
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Terms, A::Error> {
                let mut terms = Terms::default();
                while let Some((Name(t), stat)) = map.next_entry::<Name, TermStat>()? {
                    terms.insert_loaded(t, stat);
                }
                Ok(terms)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A term as read (straight into its shared string).
struct Name(Arc<str>);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Name, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Name;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a term")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Name, E> {
                Ok(Name(Arc::from(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

impl Terms {
    /// A loaded term (a repeated one replaces the earlier).
    fn insert_loaded(&mut self, term: Arc<str>, stat: TermStat) {
        match self.get(&term) {
            Some(i) => {
                if let Some(slot) = self.slots.get_mut(i) {
                    let was = slot.1.current;
                    slot.1 = stat;
                    if was == 0 && stat.current > 0 {
                        self.touched.push(i as u32);
                    } else if was > 0 && stat.current == 0 {
                        self.touched.retain(|&s| s as usize != i);
                    }
                }
            }
            None => {
                self.push(term, stat);
            }
        }
    }
}

/// The saved state of one series of the tracker (bounded by `max_terms`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TermSeries {
    key: SeriesKey,
    window: Option<i64>,
    windows_seen: u32,
    docs: u32,
    base_docs: f64,
    docs_at: i64,
    terms: Terms,
    /// Terms reported by the last [`RECENT_WINDOWS`] windows, so that an
    /// alert opening after its terms emerged can still carry them.
    #[serde(default)]
    recent: Vec<EmergingTerm>,
    /// The tracker's decay per window (not saved; NaN until a tracker
    /// holds the series: then no term counts as forgotten).
    #[serde(skip, default = "unknown_lambda")]
    lambda: f64,
}

fn unknown_lambda() -> f64 {
    f64::NAN
}

impl PartialEq for TermSeries {
    fn eq(&self, other: &TermSeries) -> bool {
        self.key == other.key
            && self.window == other.window
            && self.windows_seen == other.windows_seen
            && self.docs == other.docs
            && self.base_docs == other.base_docs
            && self.docs_at == other.docs_at
            && self.terms == other.terms
            && self.recent == other.recent
    }
}

impl TermSeries {
    /// The series.
    pub fn key(&self) -> &SeriesKey {
        &self.key
    }

    /// Terms kept (forgotten ones not counted).
    pub fn len(&self) -> usize {
        let pow = |n: i32| self.lambda.powi(n);
        self.terms
            .slots
            .iter()
            .filter(|(_, st)| !forgotten(st, self.docs_at, pow))
            .count()
    }

    /// No term kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
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

/// Powers of the decay kept in a table (`lambda.powi(n)` for smaller `n`).
const POWERS: usize = 1024;

/// The decay per window and its first powers.
#[derive(Debug, Clone)]
struct Decay {
    lambda: f64,
    powers: Vec<f64>,
}

impl Decay {
    fn new(lambda: f64) -> Decay {
        Decay {
            lambda,
            powers: (0..POWERS as i32).map(|n| lambda.powi(n)).collect(),
        }
    }

    /// `lambda.powi(n)`, from the table when it holds it.
    fn pow(&self, n: i32) -> f64 {
        usize::try_from(n)
            .ok()
            .and_then(|i| self.powers.get(i))
            .copied()
            .unwrap_or_else(|| self.lambda.powi(n))
    }

    fn decayed(&self, base: f64, from: i64, to: i64) -> f64 {
        base * self.pow(steps(from, to))
    }
}

/// Windows from `from` to `to` (none if `to` is earlier).
fn steps(from: i64, to: i64) -> i32 {
    to.saturating_sub(from).clamp(0, i64::from(i32::MAX)) as i32
}

/// Whether a term is forgotten: not seen in the open window and its decayed
/// count at the last close (`docs_at`) below [`FORGET_BELOW`] — the test
/// every close applies, so a term it holds for was dropped at that close
/// or at an earlier one (the count only decays while the term is unseen).
fn forgotten(st: &TermStat, docs_at: i64, pow: impl Fn(i32) -> f64) -> bool {
    st.current == 0 && st.base * pow(steps(st.base_at, docs_at)) < FORGET_BELOW
}

/// Tracks terms per series and reports the emerging ones as windows close.
#[derive(Debug, Clone)]
pub struct TermTracker {
    settings: TermSettings,
    decay: Decay,
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

/// Up to eight bytes as a number whose order is theirs (big-endian, zero
/// padded): for strings without NUL, the same order and equality.
const fn pack(b: &[u8]) -> u64 {
    let mut x = 0u64;
    let mut i = 0;
    while i < 8 {
        x <<= 8;
        if i < b.len() {
            x |= b[i] as u64;
        }
        i += 1;
    }
    x
}

/// [`STOPWORDS`] packed (all shorter than eight bytes; sorted, as they are).
static PACKED_STOPWORDS: [u64; STOPWORDS.len()] = {
    let mut out = [0u64; STOPWORDS.len()];
    let mut i = 0;
    while i < STOPWORDS.len() {
        out[i] = pack(STOPWORDS[i].as_bytes());
        i += 1;
    }
    out
};

/// Whether a lowercase word is a stopword.
pub fn is_stopword(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() <= 8 && !b.contains(&0) && PACKED_STOPWORDS.binary_search(&pack(b)).is_ok()
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

/// The distinct terms of a text: [`document_terms`] of its [`tokenize`]d
/// words, drawn with fewer allocations.
pub fn text_terms(text: &str) -> Vec<String> {
    // Lowercase words, and whether each is a term by itself.
    let mut words: Vec<(String, bool)> = Vec::new();
    let mut bigrams: Vec<String> = Vec::new();
    let mut prev: Option<usize> = None;
    for piece in text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’')) {
        let piece = piece.trim_matches(|c| c == '\'' || c == '’');
        if piece.is_empty() {
            continue;
        }
        // As `tokenize`, then as `document_terms` (which lowercases again:
        // the identity on ASCII).
        let mut w = piece.to_lowercase();
        if w.contains('’') {
            w = w.replace('’', "'");
        }
        if !w.is_ascii() {
            w = w.to_lowercase();
        }
        if w.is_empty() || is_stopword(&w) || !w.chars().any(char::is_alphanumeric) {
            prev = None;
            continue;
        }
        let alone = w.chars().nth(1).is_some() && !w.chars().all(|c| c.is_ascii_digit());
        if let Some((p, _)) = prev.and_then(|p| words.get(p)) {
            let mut b = String::with_capacity(p.len() + 1 + w.len());
            b.push_str(p);
            b.push(' ');
            b.push_str(&w);
            bigrams.push(b);
        }
        prev = Some(words.len());
        words.push((w, alone));
    }
    let mut terms = bigrams;
    terms.extend(
        words
            .into_iter()
            .filter(|(_, alone)| *alone)
            .map(|(w, _)| w),
    );
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
            decay: Decay::new(0.5f64.powf(1.0 / windows_per_half_life)),
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
        for mut s in saved {
            s.lambda = t.decay.lambda;
            t.series.insert(s.key.clone(), s);
        }
        Ok(t)
    }

    /// The state of every series, to be saved (forgotten terms dropped).
    pub fn states(&mut self) -> impl Iterator<Item = &TermSeries> {
        for series in self.series.values_mut() {
            forget(series, &self.decay);
        }
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
            .map(|s| score(&self.settings, &self.decay, s))
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
    /// ([`document_terms`], [`text_terms`]): a document seen by several
    /// series (its brand, its touchpoints) is tokenised once.
    pub fn observe_terms<T: AsRef<str>>(
        &mut self,
        key: &SeriesKey,
        ts: i64,
        terms: &[T],
        out: &mut Vec<EmergingTerm>,
    ) {
        let w = ts.div_euclid(i64::from(self.settings.window_secs));
        let series = match self.series.get_mut(key) {
            Some(series) => series,
            None => self.series.entry(key.clone()).or_insert(TermSeries {
                key: key.clone(),
                window: None,
                windows_seen: 0,
                docs: 0,
                base_docs: 0.0,
                docs_at: w,
                terms: Terms::default(),
                recent: Vec::new(),
                lambda: self.decay.lambda,
            }),
        };
        let decay = &self.decay;
        let current = *series.window.get_or_insert(w);
        let docs_at = series.docs_at;
        if w < current {
            series.base_docs += 1.0;
            for t in terms {
                if let Some(i) = series.terms.get(t.as_ref()) {
                    if let Some((_, stat)) = series.terms.slots.get_mut(i) {
                        if !forgotten(stat, docs_at, |n| decay.pow(n)) {
                            stat.base += 1.0;
                        }
                    }
                }
            }
            return;
        }
        if w > current {
            close(&self.settings, decay, series, out);
            series.window = Some(w);
        }
        let docs_at = series.docs_at;
        series.docs += 1;
        let terms_of = &mut series.terms;
        for t in terms {
            let t = t.as_ref();
            match terms_of.get(t) {
                Some(i) => {
                    if let Some((_, stat)) = terms_of.slots.get_mut(i) {
                        if stat.current == 0 {
                            if forgotten(stat, docs_at, |n| decay.pow(n)) {
                                // Dropped at an earlier close: seen anew.
                                *stat = TermStat::fresh(w);
                            }
                            terms_of.touched.push(i as u32);
                        }
                        stat.current += 1;
                        stat.last_seen = w;
                    }
                }
                None => {
                    let mut stat = TermStat::fresh(w);
                    stat.current = 1;
                    terms_of.push(Arc::from(t), stat);
                }
            }
        }
        let max = self.settings.max_terms;
        if series.terms.slots.len() > max {
            forget(series, decay);
            if series.terms.slots.len() > max {
                evict(series, decay, w, max);
            }
        }
    }

    /// Closes every window that ended at or before `now` (unix seconds).
    pub fn advance(&mut self, now: i64, out: &mut Vec<EmergingTerm>) {
        let window = i64::from(self.settings.window_secs);
        for series in self.series.values_mut() {
            if let Some(w) = series.window {
                if (w + 1).saturating_mul(window) <= now {
                    close(&self.settings, &self.decay, series, out);
                    series.window = Some(now.div_euclid(window));
                }
            }
        }
    }
}

/// Drops the forgotten terms of a series.
fn forget(series: &mut TermSeries, decay: &Decay) {
    let docs_at = series.docs_at;
    series
        .terms
        .retain(|_, st| !forgotten(st, docs_at, |n| decay.pow(n)));
}

/// The emerging terms of the series' current window as it stands (the
/// test of the window's close on the documents so far).
fn score(s: &TermSettings, decay: &Decay, series: &TermSeries) -> Vec<EmergingTerm> {
    let Some(w) = series.window else {
        return Vec::new();
    };
    let docs = series.docs;
    if series.windows_seen < s.warmup_windows || docs == 0 {
        return Vec::new();
    }
    let base_docs = decay.decayed(series.base_docs, series.docs_at, w);
    let mut found: Vec<EmergingTerm> = Vec::new();
    // Only terms seen in the window can have the support.
    for &i in &series.terms.touched {
        let Some((term, stat)) = series.terms.slots.get(i as usize) else {
            continue;
        };
        if stat.current < s.min_support {
            continue;
        }
        let base = decay.decayed(stat.base, stat.base_at, w);
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
                term: term.to_string(),
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

/// Reports the closing window's emerging terms, then folds it into the
/// baseline. Visits only the terms the window saw: a term it did not see
/// whose decayed count falls below the half document every term is
/// credited with is as good as unseen, and is forgotten from now on
/// ([`forgotten`]), so the state holds the recent vocabulary, not every
/// word ever written.
fn close(s: &TermSettings, decay: &Decay, series: &mut TermSeries, out: &mut Vec<EmergingTerm>) {
    let Some(w) = series.window else {
        return;
    };
    let found = score(s, decay, series);
    series.recent.extend(found.iter().cloned());
    out.extend(found);
    let keep_from = (w + 1 - RECENT_WINDOWS).saturating_mul(i64::from(s.window_secs));
    series.recent.retain(|t| t.window_end > keep_from);
    let docs = series.docs;
    let base_docs = decay.decayed(series.base_docs, series.docs_at, w);
    let terms = &mut series.terms;
    for i in terms.touched.drain(..) {
        if let Some((_, stat)) = terms.slots.get_mut(i as usize) {
            stat.base = decay.decayed(stat.base, stat.base_at, w) + f64::from(stat.current);
            stat.base_at = w;
            stat.current = 0;
        }
    }
    series.base_docs = base_docs + f64::from(docs);
    series.docs_at = w;
    series.docs = 0;
    series.windows_seen = series.windows_seen.saturating_add(1);
}

/// Drops the weakest tenth of the terms (lowest current + decayed baseline,
/// then least recently seen, then by term: the same terms whatever the
/// order they are held in).
fn evict(series: &mut TermSeries, decay: &Decay, now: i64, max: usize) {
    let slots = &series.terms.slots;
    let mut scored: Vec<(f64, i64, u32)> = slots
        .iter()
        .enumerate()
        .map(|(i, (_, s))| {
            (
                f64::from(s.current) + decay.decayed(s.base, s.base_at, now),
                s.last_seen,
                u32::try_from(i).unwrap_or(u32::MAX),
            )
        })
        .collect();
    let drop = (scored.len().saturating_sub(max) + max / 10).min(scored.len());
    if drop == 0 {
        return;
    }
    let name = |i: u32| slots.get(i as usize).map(|(t, _)| &**t);
    let weaker = |a: &(f64, i64, u32), b: &(f64, i64, u32)| {
        a.0.total_cmp(&b.0)
            .then(a.1.cmp(&b.1))
            .then_with(|| name(a.2).cmp(&name(b.2)))
    };
    if drop < scored.len() {
        scored.select_nth_unstable_by(drop - 1, weaker);
    }
    let mut gone = vec![false; slots.len()];
    for &(_, _, i) in scored.iter().take(drop) {
        if let Some(g) = gone.get_mut(i as usize) {
            *g = true;
        }
    }
    series
        .terms
        .retain(|i, _| !gone.get(i).copied().unwrap_or(false));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_stopwords_are_the_stopwords() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOPWORDS.iter().all(|w| w.len() < 8 && is_stopword(w)));
        for w in [
            "",
            "b",
            "aa",
            "abouts",
            "zzz",
            "the\0",
            "th",
            "thee",
            "i'd",
            "yours",
            "wouldn't",
            "belt",
            "baggage",
            "whichever",
            "\0",
        ] {
            assert_eq!(is_stopword(w), STOPWORDS.binary_search(&w).is_ok(), "{w:?}");
        }
    }

    #[test]
    fn the_table_of_powers_is_powi() {
        let d = Decay::new(0.5f64.powf(1.0 / 28.0));
        for n in [0, 1, 2, 3, 27, 28, 100, 1023, 1024, 5000] {
            assert_eq!(d.pow(n).to_bits(), d.lambda.powi(n).to_bits(), "{n}");
        }
    }
}
