//! Ideas: customers' suggestions clustered as they arrive, labelled,
//! ranked, and moved through the owning department's workflow.
//!
//! **Method** (see `docs/advocacy.md`): a suggestion's text is cut into
//! sentences and only those that carry a suggestion cue are kept (the
//! whole text when none does); they are lower-cased, split into words,
//! lightly stemmed (a plural `s` dropped), and stripped of stop words,
//! suggestion-frame words ("please", "add", "wish", …), handles, hashtags,
//! links, numbers and the caller's extra stop words (brand names). The
//! remaining set of terms is compared with each idea's centroid — term
//! counts over the idea's suggestions, the [`MAX_TERMS`] most frequent
//! kept — by the cosine between the binary term vector and the centroid's
//! term frequencies. The suggestion joins the most similar idea at or
//! above [`JOIN_AT`]; otherwise it starts a new idea. Each suggestion is
//! assigned once, when it arrives (incremental, order-dependent; a user can
//! merge or split ideas later).

use crate::error::AdvocacyError;
use crate::moments::list;
use aho_corasick::AhoCorasick;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::str::FromStr;
use std::sync::LazyLock;

/// Most terms a centroid keeps.
pub const MAX_TERMS: usize = 48;
/// Least cosine similarity for a suggestion to join an idea.
pub const JOIN_AT: f64 = 0.4;
/// Half-life of recency in the idea ranking, in days.
pub const RANK_HALF_LIFE_DAYS: f64 = 30.0;

const STOP: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "but",
    "by",
    "can",
    "cannot",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "don",
    "down",
    "during",
    "each",
    "else",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "getting",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "him",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "let",
    "like",
    "me",
    "more",
    "most",
    "much",
    "my",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "really",
    "same",
    "she",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "im",
    "ive",
    "id",
    "dont",
    "cant",
    "wont",
    "isnt",
    "thats",
    "its",
    "youd",
    "youre",
    "theyre",
    "lot",
    "lots",
    "thing",
    "things",
    "way",
    "ways",
    "still",
    "yet",
    "already",
    "always",
    "never",
    "maybe",
    "perhaps",
    "think",
    "guess",
    "know",
    "thanks",
    "thank",
    "hey",
    "hi",
    "hello",
    "guys",
    "team",
    "folks",
    "everyone",
    "anyone",
    "people",
    "customer",
    "customers",
    "today",
    "day",
    "days",
    "time",
    "times",
    "year",
    "years",
    "week",
    "weeks",
    "month",
    "months",
    "next",
    "last",
    "new",
    "again",
    "ok",
    "okay",
    "yes",
    "amp",
    "http",
    "https",
    "www",
    "com",
    "co",
    "via",
    "rt",
];

/// Words that frame a suggestion rather than say what it is about.
const FRAME: &[&str] = &[
    "please",
    "pls",
    "plz",
    "add",
    "adding",
    "added",
    "wish",
    "wishing",
    "hope",
    "hoping",
    "great",
    "nice",
    "good",
    "awesome",
    "cool",
    "love",
    "lovely",
    "brilliant",
    "helpful",
    "useful",
    "handy",
    "should",
    "must",
    "need",
    "needs",
    "want",
    "wants",
    "make",
    "making",
    "made",
    "bring",
    "give",
    "provide",
    "offer",
    "offering",
    "introduce",
    "consider",
    "start",
    "suggest",
    "suggestion",
    "idea",
    "request",
    "feature",
    "option",
    "options",
    "possible",
    "able",
    "allow",
    "let",
    "see",
    "have",
    "had",
    "having",
    "could",
    "would",
    "might",
    "can",
    "kindly",
    "really",
    "seriously",
    "definitely",
    "honestly",
    "well",
    "some",
    "sort",
    "kind",
    "proper",
    "better",
    "best",
    "easier",
    "simpler",
    "how",
    "about",
    "why",
    "not",
    "finally",
    "actually",
    "appreciate",
    "welcome",
    "happy",
    "glad",
    "ask",
    "asking",
    "one",
    "any",
    "something",
    "already",
    "please",
];

/// Cues that a sentence makes a suggestion.
const CUES: &[&str] = &[
    "please",
    "wish",
    "would",
    "should",
    "could",
    "suggest",
    "suggestion",
    "add",
    "hope",
    "why not",
    "how about",
    "need",
    "want",
    "love to",
    "idea",
    "consider",
    "bring back",
    "offer",
    "make",
];

/// [`STOP`] and [`FRAME`] as one sorted list, built once: every word of
/// every suggestion is looked up (twice) on ingest.
static STOP_SORTED: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut v: Vec<&'static str> = STOP.iter().chain(FRAME).copied().collect();
    v.sort_unstable();
    v.dedup();
    v
});

/// [`CUES`] as one automaton, built once (`None`: fall back to a scan).
static CUE_MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| AhoCorasick::new(CUES).ok());

fn is_stop(w: &str) -> bool {
    STOP_SORTED.binary_search(&w).is_ok()
}

/// Whether a (lower-case) sentence holds one of the [`CUES`].
fn has_cue(sentence: &str) -> bool {
    match CUE_MATCHER.as_ref() {
        Some(m) => m.is_match(sentence),
        None => CUES.iter().any(|c| sentence.contains(c)),
    }
}

/// A light suffix-stripping stemmer: expire, expires, expired, expiring
/// and expiry all become `expir`.
pub fn stem(w: &str) -> String {
    let mut w = w.to_string();
    if w.len() > 4 && w.ends_with("ies") {
        w.truncate(w.len() - 3);
        w.push('y');
    }
    for suffix in ["ing", "ed", "es", "s"] {
        if w.len() >= suffix.len() + 3 && w.ends_with(suffix) && !w.ends_with("ss") {
            w.truncate(w.len() - suffix.len());
            break;
        }
    }
    for suffix in ["e", "y"] {
        if w.len() >= 4 && w.ends_with(suffix) {
            w.truncate(w.len() - 1);
            break;
        }
    }
    w
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace())
        .filter(|w| !w.starts_with('@') && !w.starts_with('#') && !w.contains("://"))
        .flat_map(|w| w.split(|c: char| !c.is_alphanumeric() && c != '\''))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
}

/// The suggestion's normalised terms: sorted, each once (see the module docs).
/// `extra_stop` are lower-case words to leave out too (the brands' names).
pub fn terms(text: &str, extra_stop: &[String]) -> Vec<String> {
    let lower = text.to_lowercase();
    let sentences: Vec<&str> = lower
        .split(['.', '!', '?', ';', '\n'])
        .filter(|s| !s.trim().is_empty())
        .collect();
    let cued: Vec<&str> = sentences.iter().copied().filter(|s| has_cue(s)).collect();
    let chosen = if cued.is_empty() { sentences } else { cued };
    let mut out: Vec<String> = chosen
        .iter()
        .flat_map(|s| words(s))
        .map(|w| {
            if w.contains('\'') {
                Cow::Owned(w.replace('\'', ""))
            } else {
                Cow::Borrowed(w)
            }
        })
        .filter(|w| w.len() > 2 && !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !is_stop(w) && !extra_stop.iter().any(|s| s == w))
        .map(|w| stem(&w))
        .filter(|w| !is_stop(w) && !extra_stop.iter().any(|s| s == w))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// An idea's centroid: how many suggestions it holds and how often each
/// term occurs among them (the [`MAX_TERMS`] most frequent, most frequent
/// first, ties by term).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Centroid {
    /// Suggestions in the idea.
    pub docs: u32,
    /// (term, suggestions containing it).
    pub terms: Vec<(String, u32)>,
}

impl Centroid {
    /// A centroid of one suggestion.
    pub fn of(doc: &[String]) -> Centroid {
        let mut c = Centroid::default();
        c.add(doc);
        c
    }

    /// Adds one suggestion's terms.
    pub fn add(&mut self, doc: &[String]) {
        self.add_dropping(doc, |_| {});
    }

    /// [`Centroid::add`], handing each term the centroid no longer keeps
    /// (past [`MAX_TERMS`]) to `dropped`. The terms are counted in place:
    /// a suggestion has a handful, a centroid at most [`MAX_TERMS`].
    fn add_dropping(&mut self, doc: &[String], mut dropped: impl FnMut(String)) {
        for t in doc {
            match self.terms.iter_mut().find(|(x, _)| x == t) {
                Some((_, n)) => *n += 1,
                None => self.terms.push((t.clone(), 1)),
            }
        }
        self.docs += 1;
        self.terms
            .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if self.terms.len() > MAX_TERMS {
            for (t, _) in self.terms.drain(MAX_TERMS..) {
                dropped(t);
            }
        }
    }

    /// Adds another idea's suggestions (a merge).
    pub fn absorb(&mut self, other: &Centroid) {
        let mut m: BTreeMap<String, u32> = self.terms.drain(..).collect();
        for (t, n) in &other.terms {
            *m.entry(t.clone()).or_default() += n;
        }
        self.docs += other.docs;
        self.set(m);
    }

    fn set(&mut self, m: BTreeMap<String, u32>) {
        let mut v: Vec<(String, u32)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(MAX_TERMS);
        self.terms = v;
    }

    /// Cosine between a suggestion's binary term vector and the centroid's
    /// term frequencies (0…1).
    pub fn similarity(&self, doc: &[String]) -> f64 {
        if doc.is_empty() || self.docs == 0 || self.terms.is_empty() {
            return 0.0;
        }
        let docs = f64::from(self.docs);
        let norm: f64 = self
            .terms
            .iter()
            .map(|(_, n)| (f64::from(*n) / docs).powi(2))
            .sum::<f64>()
            .sqrt();
        let dot: f64 = self
            .terms
            .iter()
            .filter(|(t, _)| doc.binary_search(t).is_ok())
            .map(|(_, n)| f64::from(*n) / docs)
            .sum();
        dot / ((doc.len() as f64).sqrt() * norm)
    }

    /// The terms of a label: the most frequent (up to three) found in at
    /// least a fifth of the idea's suggestions.
    pub fn label_terms(&self) -> Vec<&str> {
        let min = (f64::from(self.docs) * 0.2).ceil() as u32;
        self.terms
            .iter()
            .filter(|(_, n)| *n >= min.max(1))
            .take(3)
            .map(|(t, _)| t.as_str())
            .collect()
    }

    /// A short label from [`Centroid::label_terms`], each written as the
    /// word it stems from in `example` (the idea's representative post)
    /// when that has one.
    pub fn label(&self, example: &str) -> String {
        let lower = example.to_lowercase();
        let surface: Vec<String> = words(&lower).map(|w| w.replace('\'', "")).collect();
        // In the order the example says them, so the label reads as a phrase.
        let mut placed: Vec<(usize, String)> = self
            .label_terms()
            .into_iter()
            .map(|t| match surface.iter().position(|w| stem(w) == t) {
                Some(i) => (i, surface[i].clone()),
                None => (usize::MAX, t.to_string()),
            })
            .collect();
        placed.sort_by_key(|(i, _)| *i);
        let top: Vec<String> = placed.into_iter().map(|(_, w)| w).collect();
        if top.is_empty() {
            "(no terms)".into()
        } else {
            top.join(" ")
        }
    }
}

/// The idea a suggestion joins among `candidates` (index, centroid): the
/// most similar at or above [`JOIN_AT`] (the first on ties); `None` to
/// start a new idea.
pub fn assign<'a>(
    doc: &[String],
    candidates: impl IntoIterator<Item = (usize, &'a Centroid)>,
) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, c) in candidates {
        let s = c.similarity(doc);
        if s >= JOIN_AT && best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    best.map(|(i, _)| i)
}

/// Ideas indexed by their centroids' terms, for [`assign`]ing many
/// suggestions against many ideas: a suggestion is compared only with the
/// ideas that share a term with it (a cosine without one is 0, below
/// [`JOIN_AT`]), and each cosine is summed from the postings instead of
/// walking the centroid — the same value as [`Centroid::similarity`]:
/// Σ counts of the shared terms / (√|doc| · √Σ count²).
#[derive(Debug, Default, Clone)]
pub struct TermIndex {
    /// term → (idea, its count of the term), ideas ascending.
    postings: HashMap<String, Vec<(usize, u32)>, FastHash>,
    /// idea → Σ count² over its centroid's terms.
    sum_sq: HashMap<usize, u64, FastHash>,
}

/// A fast, non-cryptographic hash for the term index (FxHash's mixing):
/// its keys are short terms and idea numbers, not attacker-chosen.
#[derive(Debug, Default, Clone, Copy)]
struct FastHash;

impl BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct FastHasher(u64);

impl FastHasher {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    fn mix(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(Self::K).rotate_left(26);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(w));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl TermIndex {
    /// Records idea `n`'s centroid `now`; `before` is the terms it had in
    /// the index (empty for a new idea), so terms a centroid dropped (it
    /// keeps [`MAX_TERMS`]) leave the index.
    pub fn set(&mut self, n: usize, before: &[(String, u32)], now: &Centroid) {
        for (t, _) in before {
            if let Some(list) = self.postings.get_mut(t) {
                if let Ok(at) = list.binary_search_by_key(&n, |p| p.0) {
                    list.remove(at);
                }
            }
        }
        for (t, c) in &now.terms {
            let list = self.postings.entry(t.clone()).or_default();
            match list.binary_search_by_key(&n, |p| p.0) {
                Ok(at) => list[at].1 = *c,
                Err(at) => list.insert(at, (n, *c)),
            }
        }
        let sum_sq = now.terms.iter().map(|(_, c)| u64::from(*c).pow(2)).sum();
        self.sum_sq.insert(n, sum_sq);
    }

    /// Adds a suggestion's terms `doc` to idea `n`'s `centroid`
    /// ([`Centroid::add`]) and records the change: the same index as
    /// [`TermIndex::set`] with the centroid's terms before and after, when
    /// the index held `centroid` for `n`, but only the suggestion's terms
    /// and those the centroid dropped are touched.
    pub fn add(&mut self, n: usize, centroid: &mut Centroid, doc: &[String]) {
        let mut dropped: Vec<String> = Vec::new();
        centroid.add_dropping(doc, |t| dropped.push(t));
        for t in &dropped {
            if let Some(list) = self.postings.get_mut(t) {
                if let Ok(at) = list.binary_search_by_key(&n, |p| p.0) {
                    list.remove(at);
                }
            }
        }
        for t in doc {
            let Some((_, c)) = centroid.terms.iter().find(|(x, _)| x == t) else {
                continue;
            };
            let list = match self.postings.get_mut(t.as_str()) {
                Some(list) => list,
                None => self.postings.entry(t.clone()).or_default(),
            };
            match list.binary_search_by_key(&n, |p| p.0) {
                Ok(at) => list[at].1 = *c,
                Err(at) => list.insert(at, (n, *c)),
            }
        }
        let sum_sq = centroid
            .terms
            .iter()
            .map(|(_, c)| u64::from(*c).pow(2))
            .sum();
        self.sum_sq.insert(n, sum_sq);
    }

    /// What [`assign`] answers over the indexed ideas: the most similar at
    /// or above [`JOIN_AT`], the lowest index on ties; `None` to start a
    /// new idea.
    pub fn assign(&self, doc: &[String]) -> Option<usize> {
        let mut dots: HashMap<usize, u64, FastHash> = HashMap::default();
        for t in doc {
            for (n, c) in self.postings.get(t.as_str()).into_iter().flatten() {
                *dots.entry(*n).or_default() += u64::from(*c);
            }
        }
        let mut dots: Vec<(usize, u64)> = dots.into_iter().collect();
        dots.sort_unstable();
        let len = (doc.len() as f64).sqrt();
        let mut best: Option<(usize, f64)> = None;
        for (n, dot) in dots {
            let sum_sq = self.sum_sq.get(&n).copied().unwrap_or(0);
            if sum_sq == 0 {
                continue;
            }
            let s = dot as f64 / (len * (sum_sq as f64).sqrt());
            if s >= JOIN_AT && best.is_none_or(|(_, b)| s > b) {
                best = Some((n, s));
            }
        }
        best.map(|(n, _)| n)
    }
}

/// An idea's rank: volume × log10(10 + reach) × recency (halving every
/// [`RANK_HALF_LIFE_DAYS`] since it was last seen).
pub fn rank(volume: u64, reach: u64, last_seen: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    let age = (now - last_seen).num_seconds().max(0) as f64 / 86_400.0;
    volume as f64 * (10.0 + reach as f64).log10() * 0.5f64.powf(age / RANK_HALF_LIFE_DAYS)
}

/// An idea's status in the owning department's workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdeaStatus {
    /// Not looked at yet.
    New,
    /// Being assessed.
    UnderReview,
    /// Will be built.
    Planned,
    /// Built and released (the ship date is when it moved here).
    Shipped,
    /// Not pursued.
    Declined,
}

impl IdeaStatus {
    /// All statuses.
    pub const ALL: [IdeaStatus; 5] = [
        IdeaStatus::New,
        IdeaStatus::UnderReview,
        IdeaStatus::Planned,
        IdeaStatus::Shipped,
        IdeaStatus::Declined,
    ];

    /// The stable id.
    pub fn as_str(self) -> &'static str {
        match self {
            IdeaStatus::New => "new",
            IdeaStatus::UnderReview => "under_review",
            IdeaStatus::Planned => "planned",
            IdeaStatus::Shipped => "shipped",
            IdeaStatus::Declined => "declined",
        }
    }

    /// Where an idea may go from here (a declined idea may be reviewed again).
    pub fn allowed(self) -> &'static [IdeaStatus] {
        use IdeaStatus::*;
        match self {
            New => &[UnderReview, Declined],
            UnderReview => &[Planned, Declined],
            Planned => &[Shipped, Declined],
            Shipped => &[],
            Declined => &[UnderReview],
        }
    }

    /// Checks a transition; the error names the allowed ones.
    pub fn check(self, to: IdeaStatus) -> Result<(), AdvocacyError> {
        if self.allowed().contains(&to) {
            Ok(())
        } else {
            Err(AdvocacyError::InvalidTransition {
                what: "idea",
                from: self.as_str().into(),
                to: to.as_str().into(),
                allowed: list(self.allowed().iter().map(|s| s.as_str())),
            })
        }
    }
}

impl fmt::Display for IdeaStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IdeaStatus {
    type Err = AdvocacyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.replace(['-', ' '], "_");
        IdeaStatus::ALL
            .into_iter()
            .find(|m| m.as_str() == norm)
            .ok_or_else(|| AdvocacyError::UnknownStatus {
                what: "idea",
                given: s.into(),
                known: list(IdeaStatus::ALL.iter().map(|m| m.as_str())),
            })
    }
}

#[cfg(test)]
mod tests {

    /// The term index answers as `assign` over every centroid, as ideas
    /// grow, gain new members and drop terms past MAX_TERMS.
    #[test]
    fn term_index_assigns_as_comparing_every_centroid_does() {
        let vocab: Vec<String> = (0..90).map(|i| format!("w{i}")).collect();
        let mut ideas: Vec<Centroid> = Vec::new();
        let mut index = TermIndex::default();
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize
        };
        let mut joined = 0;
        for _ in 0..600 {
            // A theme of 8 words plus noise, so docs join and ideas grow.
            let theme = next() % 10;
            let mut doc: Vec<String> = Vec::new();
            for _ in 0..4 {
                doc.push(vocab[theme * 8 + next() % 8].clone());
            }
            for _ in 0..2 {
                doc.push(vocab[next() % vocab.len()].clone());
            }
            doc.sort_unstable();
            doc.dedup();
            let want = assign(&doc, ideas.iter().enumerate());
            assert_eq!(index.assign(&doc), want, "{doc:?}");
            match want {
                Some(n) => {
                    joined += 1;
                    let before = ideas[n].terms.clone();
                    ideas[n].add(&doc);
                    index.set(n, &before, &ideas[n]);
                }
                None => {
                    ideas.push(Centroid::of(&doc));
                    index.set(ideas.len() - 1, &[], &ideas[ideas.len() - 1]);
                }
            }
        }
        assert!(joined > 300, "suggestions joined ideas: {joined}");
        assert!(ideas.iter().any(|c| c.terms.len() == MAX_TERMS) || ideas.len() > 10);
    }

    use super::*;

    /// Adding a suggestion through the index keeps it as `set` with the
    /// terms before and after would, and the centroid as `Centroid::add`
    /// (the old merge of counts) would, also when terms fall past MAX_TERMS.
    #[test]
    fn term_index_add_matches_set_and_centroid_add() {
        let vocab: Vec<String> = (0..150).map(|i| format!("t{i:03}")).collect();
        let mut seed = 11u64;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as usize
        };
        let (mut by_set, mut by_add) = (TermIndex::default(), TermIndex::default());
        let (mut a, mut b) = (vec![Centroid::default(); 3], vec![Centroid::default(); 3]);
        let mut dropped_some = false;
        for _ in 0..400 {
            let n = next() % 3;
            let mut doc: Vec<String> = (0..1 + next() % 7)
                .map(|_| vocab[next() % vocab.len()].clone())
                .collect();
            doc.sort_unstable();
            doc.dedup();
            // The old Centroid::add: merge the counts in a map, sort, keep MAX_TERMS.
            let before = a[n].terms.clone();
            let mut m: BTreeMap<String, u32> = a[n].terms.drain(..).collect();
            for t in &doc {
                *m.entry(t.clone()).or_default() += 1;
            }
            a[n].docs += 1;
            a[n].set(m);
            dropped_some |= before
                .iter()
                .any(|(t, _)| !a[n].terms.iter().any(|(x, _)| x == t));
            by_set.set(n, &before, &a[n]);
            by_add.add(n, &mut b[n], &doc);
            assert_eq!(a[n], b[n]);
            let probe: Vec<String> = {
                let mut p: Vec<String> = (0..4)
                    .map(|_| vocab[next() % vocab.len()].clone())
                    .collect();
                p.sort_unstable();
                p.dedup();
                p
            };
            assert_eq!(by_set.assign(&probe), by_add.assign(&probe));
            assert_eq!(by_set.sum_sq, by_add.sum_sq);
            for (t, list) in &by_set.postings {
                let other = by_add.postings.get(t).map_or(&[][..], |l| l.as_slice());
                assert_eq!(list.as_slice(), other, "{t}");
            }
            for (t, list) in &by_add.postings {
                assert!(list.is_empty() || by_set.postings.contains_key(t), "{t}");
            }
        }
        assert!(dropped_some, "some centroid dropped terms past MAX_TERMS");
    }

    #[test]
    fn stop_words_and_cues_as_listed() {
        for w in STOP.iter().chain(FRAME) {
            assert!(is_stop(w), "{w}");
        }
        for w in ["dark", "mode", "loyalty", "app", "seat"] {
            assert!(!is_stop(w), "{w}");
        }
        for s in [
            "why not add it",
            "i wish",
            "an idea",
            "make it so",
            "nothing here",
        ] {
            assert_eq!(has_cue(s), CUES.iter().any(|c| s.contains(c)), "{s}");
        }
    }

    fn t(s: &str) -> Vec<String> {
        terms(s, &["skyway".to_string()])
    }

    #[test]
    fn terms_keep_what_the_suggestion_is_about() {
        assert_eq!(
            t("@SkyWay please add a dark mode to the app! #SkyWay"),
            ["app", "dark", "mod"]
        );
        assert_eq!(
            t("Flight was late again. It would be great if SkyWay had family accounts https://x.co/1"),
            ["account", "famil"]
        );
        assert_eq!(stem("expiring"), "expir");
        assert_eq!(stem("expiry"), "expir");
        assert_eq!(stem("expires"), "expir");
        assert!(t("").is_empty());
    }

    #[test]
    fn phrasings_of_one_theme_join_and_other_themes_do_not() {
        let themes = [
            [
                "please add a dark mode to the app",
                "I wish the app had a dark theme",
                "you should offer dark mode in the mobile app",
                "would love a dark colour theme on the app",
            ],
            [
                "please let loyalty points never expire",
                "I wish my loyalty points did not expire so fast",
                "you should stop points expiring after a year",
                "loyalty points expiry is too short, please extend it",
            ],
        ];
        let mut ideas: Vec<Centroid> = Vec::new();
        let mut got = Vec::new();
        for theme in &themes {
            for s in theme {
                let doc = t(s);
                match assign(&doc, ideas.iter().enumerate()) {
                    Some(i) => {
                        ideas[i].add(&doc);
                        got.push(i);
                    }
                    None => {
                        ideas.push(Centroid::of(&doc));
                        got.push(ideas.len() - 1);
                    }
                }
            }
        }
        assert_eq!(got, [0, 0, 0, 0, 1, 1, 1, 1], "{ideas:#?}");
        assert_eq!(ideas[0].label(themes[0][0]), "dark mode app");
        assert_eq!(ideas[1].label(themes[1][0]), "loyalty points expire");
        let mut merged = ideas[0].clone();
        merged.absorb(&ideas[1]);
        assert_eq!(merged.docs, 8);
    }

    #[test]
    fn idea_workflow_refuses_invalid_transitions() {
        use IdeaStatus::*;
        assert!(New.check(UnderReview).is_ok());
        assert!(UnderReview.check(Planned).is_ok());
        assert!(Planned.check(Shipped).is_ok());
        assert!(Declined.check(UnderReview).is_ok());
        let e = New.check(Shipped).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot move idea from new to shipped (allowed: under_review, declined)"
        );
        assert!(Shipped.check(Declined).is_err());
        assert_eq!("under review".parse::<IdeaStatus>().unwrap(), UnderReview);
        assert!("done".parse::<IdeaStatus>().is_err());
    }

    #[test]
    fn ranking_weighs_volume_reach_and_recency() {
        use chrono::TimeZone;
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        let old = now - chrono::Duration::days(30);
        assert!(rank(10, 0, now, now) > rank(5, 0, now, now));
        assert!(rank(10, 10_000, now, now) > rank(10, 0, now, now));
        assert!((rank(10, 0, old, now) - rank(10, 0, now, now) / 2.0).abs() < 1e-9);
    }
}
