//! Multi-phrase matching over text: brand handles/aliases and touchpoint phrases.
//!
//! One Aho-Corasick automaton over all phrases (ASCII case-insensitive), with
//! word-boundary checks and light stemming: a phrase also matches when its last
//! word is followed by a common inflection ("delay" → "delays", "delayed",
//! "delaying"), so models list base forms only.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Why a phrase matcher could not be built.
#[derive(Debug, thiserror::Error)]
#[error("phrase automaton: {0}")]
pub struct PhraseMatcherError(#[from] aho_corasick::BuildError);

/// Suffixes accepted after a phrase when stemming is on.
const SUFFIXES: [&str; 9] = ["s", "es", "ed", "d", "ing", "er", "ers", "ies", "ied"];

/// Matches many phrases at once, each tagged with the index of what it recognises.
#[derive(Debug, Clone)]
pub struct PhraseMatcher {
    automaton: AhoCorasick,
    targets: Vec<usize>,
    stem: bool,
}

impl PhraseMatcher {
    /// Builds a matcher from `(phrase, target index)` pairs.
    pub fn new(
        phrases: &[(String, usize)],
        stem: bool,
    ) -> Result<PhraseMatcher, PhraseMatcherError> {
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(phrases.iter().map(|(p, _)| p.as_str()))?;
        Ok(PhraseMatcher {
            automaton,
            targets: phrases.iter().map(|(_, t)| *t).collect(),
            stem,
        })
    }

    /// Each matched target with the number of distinct phrase occurrences, in
    /// order of first occurrence.
    pub fn all(&self, text: &str) -> Vec<(usize, u32)> {
        let mut out: Vec<(usize, u32)> = Vec::new();
        for m in self.automaton.find_iter(text) {
            if !self.accept(text, m.start(), m.end()) {
                continue;
            }
            let Some(&target) = self.targets.get(m.pattern().as_usize()) else {
                continue;
            };
            match out.iter_mut().find(|(t, _)| *t == target) {
                Some((_, hits)) => *hits += 1,
                None => out.push((target, 1)),
            }
        }
        out
    }

    /// The target with most hits (first occurrence breaks ties).
    pub fn best(&self, text: &str) -> Option<(usize, u32)> {
        let all = self.all(text);
        let top = all.iter().map(|(_, h)| *h).max()?;
        all.into_iter().find(|(_, h)| *h == top)
    }

    fn accept(&self, text: &str, start: usize, end: usize) -> bool {
        let bytes = text.as_bytes();
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        if start > 0 && bytes.get(start - 1).is_some_and(|&b| is_word(b)) {
            return false;
        }
        let rest = &bytes[end.min(bytes.len())..];
        let word_len = rest.iter().take_while(|&&b| is_word(b)).count();
        if word_len == 0 {
            return true;
        }
        if !self.stem {
            return false;
        }
        let suffix = &rest[..word_len];
        SUFFIXES.iter().any(|s| s.as_bytes().eq_ignore_ascii_case(suffix))
            // "cancel" → "cancelled", "stop" → "stopped": doubled final consonant.
            || (suffix.len() >= 3
                && end > 0
                && bytes.get(end - 1).is_some_and(|&last| suffix[0].eq_ignore_ascii_case(&last))
                && SUFFIXES.iter().any(|s| s.as_bytes().eq_ignore_ascii_case(&suffix[1..])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(stem: bool) -> PhraseMatcher {
        let phrases = [("delay", 0), ("lost bag", 1), ("cancel", 2), ("bag", 3)]
            .map(|(p, t)| (p.to_string(), t));
        PhraseMatcher::new(&phrases, stem).unwrap()
    }

    #[test]
    fn stems_and_word_boundaries() {
        let m = matcher(true);
        assert_eq!(m.all("Flight DELAYED again, then delays"), vec![(0, 2)]);
        assert_eq!(m.all("they cancelled it"), vec![(2, 1)]);
        assert_eq!(m.all("my lost bags"), vec![(1, 1)]);
        assert_eq!(m.all("baggy trousers, handbag"), vec![]);
        assert_eq!(matcher(false).all("delayed"), vec![]);
    }
}
