//! From per-token valences to VADER's four scores.
//!
//! These are the reference's `score_valence`, `_sift_sentiment_scores`,
//! `_punctuation_emphasis`, `normalize` and `_but_check`, usable on their own
//! by engines that compute token valences differently.

use super::rules::ALPHA;
use super::SentimentScores;

/// VADER's `normalize`: maps a valence sum to `[-1, 1]` with
/// `score / sqrt(score² + alpha)`.
#[inline]
pub fn normalize(score: f64, alpha: f64) -> f64 {
    let norm = score / (score * score + alpha).sqrt();
    norm.clamp(-1.0, 1.0)
}

/// VADER's `_punctuation_emphasis`: 0.292 per `!` (at most 4) plus, for two
/// or three `?`, 0.18 each (0.96 for more than three).
#[inline]
pub fn punctuation_emphasis(text: &str) -> f64 {
    let (ep, qm) = count_emphasis(text);
    punctuation_emphasis_counts(ep, qm)
}

/// Numbers of `!` and `?` in `text`.
#[inline]
pub fn count_emphasis(text: &str) -> (u32, u32) {
    let (mut ep, mut qm) = (0u32, 0u32);
    for b in text.bytes() {
        ep += u32::from(b == b'!');
        qm += u32::from(b == b'?');
    }
    (ep, qm)
}

/// [`punctuation_emphasis`] from the numbers of `!` and `?`.
#[inline]
pub fn punctuation_emphasis_counts(ep: u32, qm: u32) -> f64 {
    let ep_amplifier = f64::from(ep.min(4)) * 0.292;
    let qm_amplifier = match qm {
        0 | 1 => 0.0,
        2 | 3 => f64::from(qm) * 0.18,
        _ => 0.96,
    };
    ep_amplifier + qm_amplifier
}

/// VADER's `_but_check`: valences before the first "but" (at `but_index`)
/// are halved and those after it multiplied by 1.5.
///
/// Reproduces the reference's quirk exactly: it locates each value with
/// `list.index`, i.e. the *first* equal value, so with repeated values the
/// first occurrence may be scaled several times and later ones not at all.
pub fn but_check(sentiments: &mut [f64], but_index: usize) {
    for k in 0..sentiments.len() {
        let v = sentiments[k];
        if v == 0.0 {
            // Scaling a zero leaves a zero: nothing observable changes.
            continue;
        }
        let si = sentiments.iter().position(|&x| x == v).unwrap_or(k);
        if si < but_index {
            sentiments[si] = v * 0.5;
        } else if si > but_index {
            sentiments[si] = v * 1.5;
        }
    }
}

/// VADER's `_sift_sentiment_scores`: `(pos_sum, neg_sum, neu_count)` where
/// each positive valence adds `v + 1`, each negative one `v - 1` and each
/// zero counts as neutral.
#[inline]
pub fn sift(sentiments: &[f64]) -> (f64, f64, u32) {
    let (mut pos, mut neg, mut neu) = (0.0, 0.0, 0u32);
    for &s in sentiments {
        if s > 0.0 {
            pos += s + 1.0;
        }
        if s < 0.0 {
            neg += s - 1.0;
        }
        if s == 0.0 {
            neu += 1;
        }
    }
    (pos, neg, neu)
}

/// VADER's `score_valence`: the four scores from the per-token valences and
/// the punctuation emphasis of the text ([`punctuation_emphasis`]), rounded
/// like the reference (3 decimals, 4 for compound).
pub fn score_sentiments(sentiments: &[f64], punct_emphasis: f64) -> SentimentScores {
    let raw = score_sentiments_unrounded(sentiments, punct_emphasis);
    SentimentScores {
        neg: py_round(raw.neg, 3),
        neu: py_round(raw.neu, 3),
        pos: py_round(raw.pos, 3),
        compound: py_round(raw.compound, 4),
    }
}

/// [`score_sentiments`] without the final rounding.
pub fn score_sentiments_unrounded(sentiments: &[f64], punct_emphasis: f64) -> SentimentScores {
    if sentiments.is_empty() {
        return SentimentScores {
            neg: 0.0,
            neu: 0.0,
            pos: 0.0,
            compound: 0.0,
        };
    }
    // Python's built-in `sum` (3.11): plain left-to-right addition.
    let mut sum_s = sentiments.iter().fold(0.0, |acc, &s| acc + s);
    if sum_s > 0.0 {
        sum_s += punct_emphasis;
    } else if sum_s < 0.0 {
        sum_s -= punct_emphasis;
    }
    let compound = normalize(sum_s, ALPHA);
    let (mut pos_sum, mut neg_sum, neu_count) = sift(sentiments);
    if pos_sum > neg_sum.abs() {
        pos_sum += punct_emphasis;
    } else if pos_sum < neg_sum.abs() {
        neg_sum -= punct_emphasis;
    }
    let total = pos_sum + neg_sum.abs() + f64::from(neu_count);
    SentimentScores {
        neg: (neg_sum / total).abs(),
        neu: (f64::from(neu_count) / total).abs(),
        pos: (pos_sum / total).abs(),
        compound,
    }
}

/// Python's `round(x, ndigits)` for `ndigits` in `0..=6`: the exact binary
/// value of `x` rounded half-to-even to `ndigits` decimals, then converted
/// back to the nearest double (CPython rounds through a correctly rounded
/// decimal string).
///
/// Exact for `|x| < 2^53 / 10^ndigits`; outside that domain (and for
/// `ndigits > 6`) `x` is returned unchanged. VADER only rounds values in
/// `[-1, 1]`.
pub fn py_round(x: f64, ndigits: u32) -> f64 {
    if !x.is_finite() || x == 0.0 || ndigits > 6 {
        return x;
    }
    let scale = 10u64.pow(ndigits);
    if x.abs() >= (1u64 << 53) as f64 / scale as f64 {
        return x;
    }
    // Fast path: |y - x * 10^n| <= |y| * 2^-53, so unless y is within 1e-6
    // of a tie, rounding y picks the same integer as rounding the exact
    // product; that integer over 10^n is then one correctly rounded division.
    let y = x * scale as f64;
    if y.abs() < (1u64 << 32) as f64 {
        let r = y.round_ties_even();
        if (y - r).abs() < 0.5 - 1e-6 {
            return r / scale as f64;
        }
    }
    let bits = x.to_bits();
    let exp_bits = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    // |x| = mant * 2^exp exactly.
    let (mant, exp) = if exp_bits == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp_bits - 1075)
    };
    if exp >= 0 {
        return x; // an integer: nothing to round
    }
    let n = u128::from(mant) * u128::from(scale); // < 2^53 * 10^6 < 2^73
    let shift = exp.unsigned_abs();
    let q = if shift >= 120 {
        0 // n / 2^shift < 2^-47: rounds to zero
    } else {
        let q = n >> shift;
        let rem = n & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        if rem > half || (rem == half && q & 1 == 1) {
            q + 1
        } else {
            q
        }
    };
    // q <= 2^53 and 10^ndigits are exact doubles: one correctly rounded
    // division gives the double nearest to the decimal q / 10^ndigits.
    let magnitude = u64::try_from(q).map_or(f64::MAX, |q| q as f64) / scale as f64;
    if x < 0.0 {
        -magnitude
    } else {
        magnitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_matches_python() {
        // Values checked against CPython 3.11 `round`.
        assert_eq!(py_round(0.125, 2), 0.12);
        assert_eq!(py_round(0.375, 2), 0.38);
        assert_eq!(py_round(2.675, 2), 2.67);
        assert_eq!(py_round(0.0005, 3), 0.001);
        assert_eq!(py_round(0.0015, 3), 0.002);
        assert_eq!(py_round(0.4445, 3), 0.445);
        assert_eq!(py_round(-0.95715, 4), -0.9571);
        assert_eq!(py_round(0.5, 0), 0.0);
        assert_eq!(py_round(1.5, 0), 2.0);
        assert_eq!(py_round(-0.00004, 4), -0.0);
        assert_eq!(py_round(1.0, 3), 1.0);
    }

    #[test]
    fn but_check_first_occurrence_quirk() {
        // [1.9, but, 0.95]: halving 1.9 makes it equal to the later 0.95,
        // which `list.index` then finds first and halves again.
        let mut s = [1.9, 0.0, 0.95];
        but_check(&mut s, 1);
        assert_eq!(s, [0.475, 0.0, 0.95]);
    }

    #[test]
    fn punctuation() {
        assert_eq!(punctuation_emphasis("wow!!!!!!"), 4.0 * 0.292);
        assert_eq!(punctuation_emphasis("what?"), 0.0);
        assert_eq!(punctuation_emphasis("what??"), 2.0 * 0.18);
        assert_eq!(punctuation_emphasis("what????"), 0.96);
    }
}
