//! The embedded lexicons and rule words, compiled into static tables by
//! `build.rs`.

use super::hash;

/// Everything VADER needs to know about one (lowercased) word.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// The word.
    pub word: &'static str,
    /// `hash::key` of the word.
    pub k0: u64,
    /// `hash::key` of the word.
    pub k1: u64,
    /// Length of the word in bytes.
    pub len: u32,
    /// Lexicon valence, NaN when the word is not in the lexicon.
    pub valence: f64,
    /// `BOOSTER_DICT` scalar, 0 when the word is not a booster.
    pub booster: f64,
    /// Rule keyword id (`words::kw`, low 7 bits) and [`NEGATE_FLAG`].
    pub flags: u8,
}

/// Flag bit: the word is in VADER's `NEGATE` list.
pub(crate) const NEGATE_FLAG: u8 = 0x80;

impl Entry {
    /// Lexicon valence.
    #[inline]
    pub fn valence(&self) -> Option<f64> {
        if self.valence.is_nan() {
            None
        } else {
            Some(self.valence)
        }
    }

    /// Booster scalar.
    #[inline]
    pub fn booster(&self) -> Option<f64> {
        if self.booster == 0.0 {
            None
        } else {
            Some(self.booster)
        }
    }

    /// Rule keyword id (`words::kw::NONE` for other words).
    #[inline]
    pub fn keyword(&self) -> u8 {
        self.flags & !NEGATE_FLAG
    }

    /// In the `NEGATE` list.
    #[inline]
    pub fn is_negate(&self) -> bool {
        self.flags & NEGATE_FLAG != 0
    }
}

include!(concat!(env!("OUT_DIR"), "/vader_tables.rs"));

/// The table entry of `word` (exact key).
#[inline]
pub(crate) fn entry(word: &[u8]) -> Option<&'static Entry> {
    let mask = SLOTS.len() - 1;
    let (k0, k1) = hash::key(word);
    let h = hash::word_hash(word, (k0, k1));
    // Most words are not in the table: an L1-resident filter rejects them.
    let bit = hash::filter_bit(h);
    if FILTER.get(bit / 64).copied().unwrap_or(0) & (1u64 << (bit % 64)) == 0 {
        return None;
    }
    let tag = hash::tag(h);
    let mut slot = hash::home_slot(h);
    // The table is under a third full, so the probe always reaches an empty slot.
    for _ in 0..SLOTS.len() {
        let s = *SLOTS.get(slot)?;
        if s == u32::MAX {
            return None;
        }
        if s & 0xffff == tag {
            let e = ENTRIES.get((s >> 16) as usize)?;
            // The key identifies words of up to 16 bytes; longer ones are
            // compared in full.
            if e.k0 == k0
                && e.k1 == k1
                && e.len as usize == word.len()
                && (word.len() <= 16 || e.word.as_bytes() == word)
            {
                return Some(e);
            }
        }
        slot = (slot + 1) & mask;
    }
    None
}

/// Valence of `word` in `vader_lexicon.txt` (exact key; VADER looks words up
/// lowercased).
#[inline]
pub(crate) fn valence(word: &str) -> Option<f64> {
    entry(word.as_bytes()).and_then(Entry::valence)
}

/// Number of distinct words in the lexicon.
pub(crate) fn len() -> usize {
    LEXICON_LEN
}

/// All `(word, valence)` lexicon entries, in file order.
pub(crate) fn entries() -> impl Iterator<Item = (&'static str, f64)> {
    ENTRIES
        .iter()
        .take(LEXICON_LEN)
        .map(|e| (e.word, e.valence))
}

/// Textual description of a single-code-point emoji (`emoji_utf8_lexicon.txt`).
#[inline]
pub(crate) fn emoji_description(c: char) -> Option<&'static str> {
    if u32::from(c) < EMOJI_MIN {
        return None;
    }
    let i = EMOJI_CHARS.binary_search(&c).ok()?;
    EMOJI_DESCRIPTIONS.get(i).copied()
}

/// Whether any character of `text` is an emoji key.
#[inline]
pub(crate) fn may_contain_emoji(text: &str) -> bool {
    // EMOJI_MIN is above ASCII, so pure-ASCII text never needs substitution.
    !text.is_ascii() && text.chars().any(|c| emoji_description(c).is_some())
}

#[cfg(test)]
mod tests {
    use super::super::words::{kw, BOOSTERS, KEYWORDS, NEGATE};

    #[test]
    fn every_word_is_found() {
        for (w, v) in super::entries() {
            assert_eq!(super::valence(w), Some(v), "{w}");
        }
        assert_eq!(super::valence("good"), Some(1.9));
        assert_eq!(super::valence("zzzz-not-a-word"), None);
        assert_eq!(super::len(), 7506);
    }

    #[test]
    fn rule_words_are_flagged() {
        for &(w, b) in BOOSTERS {
            assert_eq!(
                super::entry(w.as_bytes()).and_then(|e| e.booster()),
                Some(b),
                "{w}"
            );
        }
        for &w in NEGATE {
            assert!(
                super::entry(w.as_bytes()).is_some_and(|e| e.is_negate()),
                "{w}"
            );
        }
        for &(id, w) in KEYWORDS {
            assert_eq!(
                super::entry(w.as_bytes()).map(|e| e.keyword()),
                Some(id),
                "{w}"
            );
        }
        assert_eq!(super::entry(b"good").map(|e| e.keyword()), Some(kw::NONE));
        // Booster words outside the lexicon are not lexicon words.
        assert_eq!(super::valence("kinda"), None);
    }

    #[test]
    fn emoji_lookup() {
        assert_eq!(super::emoji_description('😀'), Some("grinning face"));
        assert_eq!(super::emoji_description('a'), None);
    }
}
