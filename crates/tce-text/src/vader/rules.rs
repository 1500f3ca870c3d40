//! VADER's word lists and empirically derived constants (vaderSentiment 3.3.2).
//!
//! Exposed so that engines extending VADER's rules can reuse them unchanged.
//! All functions take lowercased words, as VADER compares them.

use super::lexicon;
use super::words::kw;
pub use super::words::{BOOSTERS, B_DECR, B_INCR, NEGATE};

/// Valence increase of an ALL-CAPS word among mixed-case ones.
pub const C_INCR: f64 = 0.733;
/// Factor applied to a negated valence.
pub const N_SCALAR: f64 = -0.74;
/// Normalisation constant of the compound score, `x / sqrt(x² + alpha)`.
pub const ALPHA: f64 = 15.0;

/// Keyword id of a lowercased word (`kw::NONE` if it is not one).
#[inline]
fn keyword(word: &str) -> u8 {
    lexicon::entry(word.as_bytes()).map_or(kw::NONE, |e| e.keyword())
}

/// Scalar of a single-word booster or dampener (`BOOSTER_DICT`). The
/// multi-word entries ("kind of", "sort of", "just enough") are matched by
/// [`booster_bigram`].
#[inline]
pub fn booster(word: &str) -> Option<f64> {
    lexicon::entry(word.as_bytes()).and_then(|e| e.booster())
}

/// Scalar of a two-word dampener: "just enough", "kind of", "sort of".
#[inline]
pub fn booster_bigram(first: &str, second: &str) -> Option<f64> {
    booster_bigram_kw(keyword(first), keyword(second))
}

/// [`booster_bigram`] on keyword ids.
#[inline]
pub(crate) fn booster_bigram_kw(a: u8, b: u8) -> Option<f64> {
    match (a, b) {
        (kw::JUST, kw::ENOUGH) | (kw::KIND, kw::OF) | (kw::SORT, kw::OF) => Some(B_DECR),
        _ => None,
    }
}

/// Whether the word is in VADER's `NEGATE` list.
#[inline]
pub fn is_negate_word(word: &str) -> bool {
    lexicon::entry(word.as_bytes()).is_some_and(|e| e.is_negate())
}

/// VADER's `negated([word])`: the word is a negation word or contains `n't`.
#[inline]
pub fn negated(word: &str) -> bool {
    is_negate_word(word) || word.contains("n't")
}

/// Valence of a two-word `SPECIAL_CASES` idiom ("the shit", "bad ass", ...).
#[inline]
pub fn special_case2(a: &str, b: &str) -> Option<f64> {
    special_case2_kw(keyword(a), keyword(b))
}

/// [`special_case2`] on keyword ids.
#[inline]
pub(crate) fn special_case2_kw(a: u8, b: u8) -> Option<f64> {
    match (a, b) {
        (kw::THE, kw::SHIT) | (kw::THE, kw::BOMB) => Some(3.0),
        (kw::BAD, kw::ASS) => Some(1.5),
        (kw::BUS, kw::STOP) => Some(0.0),
        (kw::YEAH, kw::RIGHT) => Some(-2.0),
        (kw::BEATING, kw::HEART) => Some(3.5),
        _ => None,
    }
}

/// Valence of a three-word `SPECIAL_CASES` idiom ("kiss of death", "to die for").
#[inline]
pub fn special_case3(a: &str, b: &str, c: &str) -> Option<f64> {
    special_case3_kw(keyword(a), keyword(b), keyword(c))
}

/// [`special_case3`] on keyword ids.
#[inline]
pub(crate) fn special_case3_kw(a: u8, b: u8, c: u8) -> Option<f64> {
    match (a, b, c) {
        (kw::KISS, kw::OF, kw::DEATH) => Some(-1.5),
        (kw::TO, kw::DIE, kw::FOR) => Some(3.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        assert_eq!(booster("very"), Some(B_INCR));
        assert_eq!(booster("kinda"), Some(B_DECR));
        assert_eq!(booster("good"), None);
        assert_eq!(booster_bigram("kind", "of"), Some(B_DECR));
        assert!(negated("not") && negated("isn't") && negated("don'tgood") && !negated("no"));
        assert_eq!(special_case2("the", "bomb"), Some(3.0));
        assert_eq!(special_case3("to", "die", "for"), Some(3.0));
        assert_eq!(special_case2("the", "book"), None);
    }
}
