//! VADER sentiment: a faithful port of vaderSentiment 3.3.2's
//! `SentimentIntensityAnalyzer.polarity_scores`.
//!
//! The scores equal the reference's, quirks included (emoji descriptions
//! glued to the following character, the first-occurrence behaviour of the
//! "but" rule, `never so`/`this` boosts three words back, ...). The lexicons
//! (`data/`, MIT licence, Hutto & Gilbert 2014) are compiled into static
//! tables at build time; nothing is read at run time.
//!
//! ```
//! use tce_text::vader::Vader;
//! let vader = Vader::new();
//! let s = vader.polarity_scores("The book was good.");
//! assert_eq!((s.neg, s.neu, s.pos, s.compound), (0.0, 0.508, 0.492, 0.4404));
//! ```
//!
//! Building blocks for engines that extend VADER's rules: [`Vader::prepare`]
//! (emoji substitution, tokenisation, per-word features) and
//! [`Vader::rule_valences`] fill a [`VaderScratch`]; [`score`] turns any
//! per-word valence vector into [`SentimentScores`]; [`rules`] holds the
//! word lists and constants; [`pytext`] the Python string semantics.

mod hash;
mod lexicon;
pub mod pytext;
pub mod rules;
pub mod score;
mod words;

use words::kw;

use rules::{booster_bigram_kw, special_case2_kw, special_case3_kw, C_INCR, N_SCALAR};

/// VADER's four scores for one text.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct SentimentScores {
    /// Proportion of negative valence, rounded to 3 decimals.
    pub neg: f64,
    /// Proportion of neutral words, rounded to 3 decimals.
    pub neu: f64,
    /// Proportion of positive valence, rounded to 3 decimals.
    pub pos: f64,
    /// Normalised valence sum in `[-1, 1]`, rounded to 4 decimals.
    pub compound: f64,
}

impl SentimentScores {
    /// Writes the scores as one JSON object,
    /// `{"neg":0.0,"neu":0.508,"pos":0.492,"compound":0.4404}`, numbers
    /// spelled like Python's `repr` (as vaderSentiment prints them). Faster
    /// than generic float formatting; no trailing newline.
    pub fn write_json<W: std::io::Write>(&self, out: &mut W) -> std::io::Result<()> {
        out.write_all(b"{\"neg\":")?;
        write_decimal(out, self.neg, 3)?;
        out.write_all(b",\"neu\":")?;
        write_decimal(out, self.neu, 3)?;
        out.write_all(b",\"pos\":")?;
        write_decimal(out, self.pos, 3)?;
        out.write_all(b",\"compound\":")?;
        write_decimal(out, self.compound, 4)?;
        out.write_all(b"}")
    }
}

/// Writes `x`, a value in `[-1, 1]` rounded to `decimals` (≤ 4) decimals,
/// as Python's `repr` would (`0.0`, `-0.7424`, `1.0`); other values fall
/// back to Rust's shortest round-trip formatting.
fn write_decimal<W: std::io::Write>(out: &mut W, x: f64, decimals: u32) -> std::io::Result<()> {
    let scale = 10u64.pow(decimals.min(4));
    let scaled = (x.abs() * scale as f64).round();
    if !x.is_finite() || x.abs() > 1.0 || scaled / scale as f64 != x.abs() {
        return write!(out, "{x:?}");
    }
    let q = scaled as u64;
    // "-1.0000" at most, then trailing zeros trimmed (keeping one).
    let mut buf = [b'0'; 8];
    let mut len = 0;
    if x.is_sign_negative() {
        buf[0] = b'-';
        len = 1;
    }
    buf[len] = if q >= scale { b'1' } else { b'0' };
    buf[len + 1] = b'.';
    len += 2;
    let mut frac = q % scale;
    let mut digits = [b'0'; 4];
    let width = decimals.min(4) as usize;
    for d in digits[..width].iter_mut().rev() {
        *d = b'0' + (frac % 10) as u8;
        frac /= 10;
    }
    let keep = digits[..width]
        .iter()
        .rposition(|&d| d != b'0')
        .map_or(1, |p| p + 1);
    buf[len..len + keep].copy_from_slice(&digits[..keep]);
    len += keep;
    out.write_all(&buf[..len])
}

/// The VADER analyser. Zero-sized: the lexicons are static tables, so it is
/// free to construct, copy and share between threads.
#[derive(Debug, Clone, Copy, Default)]
pub struct Vader {
    _private: (),
}

/// One word of a prepared text.
#[derive(Debug, Clone, Copy)]
struct Word {
    /// Byte range of the lowercased word in `VaderScratch::lower`, or in
    /// `VaderScratch::text` when `in_text` (words already lowercase).
    start: u32,
    end: u32,
    in_text: bool,
    /// Python `isupper()` of the word as written.
    upper: bool,
    /// VADER's `negated([word])`: in `NEGATE` or containing "n't".
    negated: bool,
    /// Rule keyword id of the lowercased word (`kw`).
    kw: u8,
    /// Lexicon valence of the lowercased word.
    lex: Option<f64>,
    /// Booster scalar of the lowercased word.
    booster: Option<f64>,
}

/// Reusable working memory for scoring texts without allocating per call.
///
/// After [`Vader::prepare`] it holds the text (emojis replaced by their
/// descriptions) and its words; after [`Vader::rule_valences`] also VADER's
/// per-word valences.
#[derive(Debug, Clone, Default)]
pub struct VaderScratch {
    text: String,
    lower: String,
    words: Vec<Word>,
    sentiments: Vec<f64>,
    is_cap_diff: bool,
    /// Number of `!` and `?` in `text`.
    exclamations: u32,
    questions: u32,
}

impl VaderScratch {
    /// Empty scratch space.
    pub fn new() -> Self {
        Self::default()
    }

    /// The prepared text: the input with each emoji replaced by its
    /// description, as VADER scores it (punctuation emphasis counts `!`/`?`
    /// in this text).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the text has no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The `i`-th word, lowercased (VADER's `words_and_emoticons[i].lower()`).
    pub fn word(&self, i: usize) -> &str {
        self.words
            .get(i)
            .and_then(|w| {
                let buf = if w.in_text { &self.text } else { &self.lower };
                buf.get(w.start as usize..w.end as usize)
            })
            .unwrap_or("")
    }

    /// The words, lowercased.
    pub fn words(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.words.len()).map(move |i| self.word(i))
    }

    /// Whether the `i`-th word as written is ALL CAPS (Python `isupper`).
    pub fn is_upper(&self, i: usize) -> bool {
        self.words.get(i).is_some_and(|w| w.upper)
    }

    /// Lexicon valence of the `i`-th word (lowercased), if it is in the lexicon.
    pub fn lexicon_valence(&self, i: usize) -> Option<f64> {
        self.words.get(i).and_then(|w| w.lex)
    }

    /// Whether the `i`-th word is a negation for VADER (`negated([word])`:
    /// in `NEGATE` or containing "n't").
    pub fn is_negated(&self, i: usize) -> bool {
        self.words.get(i).is_some_and(|w| w.negated)
    }

    /// Booster or dampener scalar of the `i`-th word, if it is one.
    pub fn booster(&self, i: usize) -> Option<f64> {
        self.words.get(i).and_then(|w| w.booster)
    }

    /// VADER's punctuation emphasis of the prepared text
    /// ([`score::punctuation_emphasis`]).
    pub fn punctuation_emphasis(&self) -> f64 {
        score::punctuation_emphasis_counts(self.exclamations, self.questions)
    }

    /// Whether some but not all words are ALL CAPS (VADER's `is_cap_diff`).
    pub fn is_cap_diff(&self) -> bool {
        self.is_cap_diff
    }

    /// Per-word valences computed by [`Vader::rule_valences`] (empty before).
    pub fn sentiments(&self) -> &[f64] {
        &self.sentiments
    }

    /// Mutable per-word valences, for engines that adjust VADER's.
    pub fn sentiments_mut(&mut self) -> &mut Vec<f64> {
        &mut self.sentiments
    }
}

impl Vader {
    /// The analyser (free: the lexicons are static).
    pub fn new() -> Vader {
        Vader { _private: () }
    }

    /// Valence of `word` in the VADER lexicon. The lookup is exact; VADER
    /// itself looks up lowercased words.
    pub fn lexicon_valence(&self, word: &str) -> Option<f64> {
        lexicon::valence(word)
    }

    /// Number of distinct words in the lexicon.
    pub fn lexicon_len(&self) -> usize {
        lexicon::len()
    }

    /// All `(word, valence)` lexicon entries, in file order.
    pub fn lexicon_entries(&self) -> impl Iterator<Item = (&'static str, f64)> {
        lexicon::entries()
    }

    /// Textual description VADER substitutes for a single-code-point emoji.
    pub fn emoji_description(&self, c: char) -> Option<&'static str> {
        lexicon::emoji_description(c)
    }

    /// VADER's `polarity_scores`: neg/neu/pos/compound for `text`.
    pub fn polarity_scores(&self, text: &str) -> SentimentScores {
        let mut scratch = VaderScratch::new();
        self.polarity_scores_with(text, &mut scratch)
    }

    /// [`Vader::polarity_scores`] reusing `scratch`'s buffers (no allocation
    /// once they have grown to the size of the texts scored).
    pub fn polarity_scores_with(&self, text: &str, scratch: &mut VaderScratch) -> SentimentScores {
        self.prepare(text, scratch);
        self.rule_valences(scratch);
        score::score_sentiments(&scratch.sentiments, scratch.punctuation_emphasis())
    }

    /// First stage of `polarity_scores`: replaces emojis by their
    /// descriptions, splits the text into words the way VADER's `SentiText`
    /// does (whitespace split, surrounding punctuation stripped unless that
    /// leaves ≤ 2 characters) and records, per word, its lowercase form,
    /// whether it is ALL CAPS and its lexicon valence.
    pub fn prepare(&self, text: &str, scratch: &mut VaderScratch) {
        let VaderScratch {
            text: buf,
            lower,
            words,
            sentiments,
            is_cap_diff,
            exclamations,
            questions,
        } = scratch;
        buf.clear();
        lower.clear();
        words.clear();
        sentiments.clear();
        let ascii = text.is_ascii();
        if ascii {
            // No emoji key is ASCII.
            buf.push_str(text);
            (*exclamations, *questions) = tokenize_ascii(buf, lower, words);
        } else {
            substitute_emojis(text, buf);
            (*exclamations, *questions) = score::count_emphasis(buf);
            for token in pytext::SplitWhitespace::new(buf) {
                let w = pytext::strip_punc_if_word(token);
                let start = lower.len();
                pytext::push_lower(w, lower);
                let lw = lower.get(start..).unwrap_or("");
                push_word(lw, start, false, pytext::is_upper(w), words);
            }
        }
        let n = words.len();
        let upper_count = words.iter().filter(|w| w.upper).count();
        // allcap_differential: some, but not all, words are ALL CAPS.
        *is_cap_diff = upper_count > 0 && upper_count < n;
    }

    /// Second stage of `polarity_scores`: VADER's per-word valences (lexicon
    /// valence adjusted by negation, boosters, caps, idioms, "least", "no"),
    /// then the "but" rule, into [`VaderScratch::sentiments`].
    pub fn rule_valences(&self, scratch: &mut VaderScratch) {
        let mut sentiments = std::mem::take(&mut scratch.sentiments);
        sentiments.clear();
        let ctx = Ctx { s: scratch };
        let n = ctx.len();
        for i in 0..n {
            if ctx.booster(i).is_some()
                || (i + 1 < n && ctx.k(i) == kw::KIND && ctx.k(i + 1) == kw::OF)
            {
                sentiments.push(0.0);
                continue;
            }
            sentiments.push(ctx.sentiment_valence(i));
        }
        if let Some(bi) = (0..n).find(|&i| ctx.k(i) == kw::BUT) {
            score::but_check(&mut sentiments, bi);
        }
        scratch.sentiments = sentiments;
    }
}

/// The reference's emoji pass: every character that is an emoji key is
/// replaced by its description, preceded by a space unless the previous
/// output character was a space (the description is *not* followed by one).
fn substitute_emojis(text: &str, out: &mut String) {
    if !lexicon::may_contain_emoji(text) {
        out.push_str(text);
        return;
    }
    let mut prev_space = true;
    for c in text.chars() {
        if let Some(description) = lexicon::emoji_description(c) {
            if !prev_space {
                out.push(' ');
            }
            out.push_str(description);
            prev_space = false;
        } else {
            out.push(c);
            prev_space = c == ' ';
        }
    }
}

/// Byte classes for the ASCII tokenizer.
const SPACE: u8 = 1;
const PUNCT: u8 = 2;
const UPPER: u8 = 4;
const LOWER: u8 = 8;
/// `!` or `?` (also `PUNCT`).
const EMPHASIS: u8 = 16;

/// Class of each byte: Python whitespace, `string.punctuation`, ASCII case.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 128 {
        let c = b as u8;
        t[b] = if matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1c..=0x1f | b' ') {
            SPACE
        } else if c == b'!' || c == b'?' {
            PUNCT | EMPHASIS
        } else if c.is_ascii_punctuation() {
            PUNCT
        } else if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_lowercase() {
            LOWER
        } else {
            0
        };
        b += 1;
    }
    t
};

/// `SentiText._words_and_emoticons` for ASCII text: split on whitespace,
/// strip surrounding punctuation unless that leaves ≤ 2 characters, and
/// record each word. Returns the numbers of `!` and `?` in the text.
fn tokenize_ascii(text: &str, lower: &mut String, words: &mut Vec<Word>) -> (u32, u32) {
    let mut emphasis = (0, 0);
    let bytes = text.as_bytes();
    let class = |b: u8| CLASS[usize::from(b)];
    let mut i = 0;
    let len = bytes.len();
    while i < len {
        while i < len && class(bytes[i]) & SPACE != 0 {
            i += 1;
        }
        if i == len {
            break;
        }
        let token_start = i;
        let mut seen = 0u8;
        while i < len {
            let c = class(bytes[i]);
            if c & SPACE != 0 {
                break;
            }
            seen |= c;
            i += 1;
        }
        let (mut a, mut b) = (token_start, i);
        if seen & EMPHASIS != 0 {
            let (e, q) = score::count_emphasis(text.get(token_start..i).unwrap_or(""));
            emphasis.0 += e;
            emphasis.1 += q;
        }
        if seen & PUNCT != 0 {
            while a < b && class(bytes[a]) & PUNCT != 0 {
                a += 1;
            }
            while b > a && class(bytes[b - 1]) & PUNCT != 0 {
                b -= 1;
            }
            if b - a <= 2 {
                (a, b) = (token_start, i);
            }
        }
        // Punctuation has no case, so the classes seen over the whole token
        // are those of the kept part.
        let w = text.get(a..b).unwrap_or("");
        if seen & UPPER == 0 {
            // Already lowercase: refer to the text itself.
            push_word(w, a, true, false, words);
        } else {
            let start = lower.len();
            lower.push_str(w);
            let lw = lower.get_mut(start..).map_or("", |l| {
                l.make_ascii_lowercase();
                &*l
            });
            push_word(lw, start, false, seen & LOWER == 0, words);
        }
    }
    emphasis
}

/// Records the lowercased word `lw`, found at `start` in the text
/// (`in_text`) or the lowercase buffer.
#[inline]
fn push_word(lw: &str, start: usize, in_text: bool, upper: bool, words: &mut Vec<Word>) {
    let entry = lexicon::entry(lw.as_bytes());
    let negate = entry.is_some_and(|e| e.is_negate());
    words.push(Word {
        start: u32::try_from(start).unwrap_or(u32::MAX),
        end: u32::try_from(start + lw.len()).unwrap_or(u32::MAX),
        in_text,
        upper,
        negated: negate || (lw.len() >= 3 && lw.contains("n't")),
        kw: entry.map_or(kw::NONE, |e| e.keyword()),
        lex: entry.and_then(|e| e.valence()),
        booster: entry.and_then(|e| e.booster()),
    });
}

/// Read-only view of a prepared text for the rules.
struct Ctx<'a> {
    s: &'a VaderScratch,
}

impl Ctx<'_> {
    #[inline]
    fn len(&self) -> usize {
        self.s.words.len()
    }

    /// Keyword id of word `i`.
    #[inline]
    fn k(&self, i: usize) -> u8 {
        self.s.words.get(i).map_or(kw::NONE, |w| w.kw)
    }

    /// `negated([word i])`.
    #[inline]
    fn negated(&self, i: usize) -> bool {
        self.s.words.get(i).is_some_and(|w| w.negated)
    }

    #[inline]
    fn lex(&self, i: usize) -> Option<f64> {
        self.s.words.get(i).and_then(|w| w.lex)
    }

    #[inline]
    fn booster(&self, i: usize) -> Option<f64> {
        self.s.words.get(i).and_then(|w| w.booster)
    }

    #[inline]
    fn upper(&self, i: usize) -> bool {
        self.s.is_upper(i)
    }

    /// `sentiment_valence` for word `i` (not a booster, not "kind" of "kind of").
    fn sentiment_valence(&self, i: usize) -> f64 {
        let Some(lex) = self.lex(i) else {
            return 0.0;
        };
        let n = self.len();
        let cap_diff = self.s.is_cap_diff;
        let mut valence = lex;

        // "no" as a negation of the next lexicon word rather than a word itself.
        if self.k(i) == kw::NO && i != n - 1 && self.lex(i + 1).is_some() {
            valence = 0.0;
        }
        if (i > 0 && self.k(i - 1) == kw::NO)
            || (i > 1 && self.k(i - 2) == kw::NO)
            || (i > 2 && self.k(i - 3) == kw::NO && matches!(self.k(i - 1), kw::OR | kw::NOR))
        {
            valence = lex * N_SCALAR;
        }

        // ALL-CAPS emphasis (only when the text mixes caps and non-caps words).
        if self.upper(i) && cap_diff {
            if valence > 0.0 {
                valence += C_INCR;
            } else {
                valence -= C_INCR;
            }
        }

        for start_i in 0..3 {
            if i > start_i && self.lex(i - (start_i + 1)).is_none() {
                let j = i - (start_i + 1);
                let mut s = self.scalar_inc_dec(j, valence, cap_diff);
                if start_i == 1 && s != 0.0 {
                    s *= 0.95;
                }
                if start_i == 2 && s != 0.0 {
                    s *= 0.9;
                }
                valence += s;
                valence = self.negation_check(valence, start_i, i);
                if start_i == 2 {
                    valence = self.special_idioms_check(valence, i);
                }
            }
        }
        self.least_check(valence, i)
    }

    /// `scalar_inc_dec`: booster/dampener effect of word `j` on `valence`.
    fn scalar_inc_dec(&self, j: usize, valence: f64, cap_diff: bool) -> f64 {
        let Some(mut scalar) = self.booster(j) else {
            return 0.0;
        };
        if valence < 0.0 {
            scalar *= -1.0;
        }
        if self.upper(j) && cap_diff {
            if valence > 0.0 {
                scalar += C_INCR;
            } else {
                scalar -= C_INCR;
            }
        }
        scalar
    }

    /// `_negation_check`.
    fn negation_check(&self, valence: f64, start_i: usize, i: usize) -> f64 {
        let so_this = |k: u8| k == kw::SO || k == kw::THIS;
        match start_i {
            0 => {
                if self.negated(i - 1) {
                    return valence * N_SCALAR;
                }
            }
            1 => {
                let (k2, k1) = (self.k(i - 2), self.k(i - 1));
                if k2 == kw::NEVER && so_this(k1) {
                    return valence * 1.25;
                } else if k2 == kw::WITHOUT && k1 == kw::DOUBT {
                    return valence;
                } else if self.negated(i - 2) {
                    return valence * N_SCALAR;
                }
            }
            _ => {
                let (k3, k2, k1) = (self.k(i - 3), self.k(i - 2), self.k(i - 1));
                // `a and (b or c) or (d or e)` in the reference: "so"/"this"
                // right before the word boosts even without "never".
                if (k3 == kw::NEVER && so_this(k2)) || so_this(k1) {
                    return valence * 1.25;
                } else if k3 == kw::WITHOUT && (k2 == kw::DOUBT || k1 == kw::DOUBT) {
                    return valence;
                } else if self.negated(i - 3) {
                    return valence * N_SCALAR;
                }
            }
        }
        valence
    }

    /// `_special_idioms_check` (called with `i >= 3`).
    fn special_idioms_check(&self, mut valence: f64, i: usize) -> f64 {
        let n = self.len();
        let (k3, k2, k1, k0) = (self.k(i - 3), self.k(i - 2), self.k(i - 1), self.k(i));
        // onezero, twoonezero, twoone, threetwoone, threetwo — first match wins.
        if let Some(v) = special_case2_kw(k1, k0)
            .or_else(|| special_case3_kw(k2, k1, k0))
            .or_else(|| special_case2_kw(k2, k1))
            .or_else(|| special_case3_kw(k3, k2, k1))
            .or_else(|| special_case2_kw(k3, k2))
        {
            valence = v;
        }
        if n - 1 > i {
            if let Some(v) = special_case2_kw(k0, self.k(i + 1)) {
                valence = v;
            }
        }
        if n - 1 > i + 1 {
            if let Some(v) = special_case3_kw(k0, self.k(i + 1), self.k(i + 2)) {
                valence = v;
            }
        }
        // Booster bigrams among the preceding words: threetwo, twoone (the
        // three-word n-gram can never match a two-word key).
        if let Some(b) = booster_bigram_kw(k3, k2) {
            valence += b;
        }
        if let Some(b) = booster_bigram_kw(k2, k1) {
            valence += b;
        }
        valence
    }

    /// `_least_check`.
    fn least_check(&self, valence: f64, i: usize) -> f64 {
        if i > 0 && self.k(i - 1) == kw::LEAST && self.lex(i - 1).is_none() {
            if i > 1 {
                let k2 = self.k(i - 2);
                if k2 != kw::AT && k2 != kw::VERY {
                    return valence * N_SCALAR;
                }
                return valence;
            }
            return valence * N_SCALAR;
        }
        valence
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> (f64, f64, f64, f64) {
        let r = Vader::new().polarity_scores(text);
        (r.neg, r.neu, r.pos, r.compound)
    }

    #[test]
    fn empty_text() {
        assert_eq!(s(""), (0.0, 0.0, 0.0, 0.0));
        assert_eq!(s("  \t "), (0.0, 0.0, 0.0, 0.0));
    }

    #[test]
    fn json_like_python() {
        let json = |s: SentimentScores| {
            let mut v = Vec::new();
            s.write_json(&mut v)
                .map(|()| String::from_utf8_lossy(&v).into_owned())
        };
        let s = Vader::new().polarity_scores("VADER is not smart, handsome, nor funny.");
        assert_eq!(
            json(s).ok().as_deref(),
            Some(r#"{"neg":0.646,"neu":0.354,"pos":0.0,"compound":-0.7424}"#)
        );
        let odd = SentimentScores {
            neg: 1.0,
            neu: 0.05,
            pos: -0.0,
            compound: 0.0001,
        };
        assert_eq!(
            json(odd).ok().as_deref(),
            Some(r#"{"neg":1.0,"neu":0.05,"pos":-0.0,"compound":0.0001}"#)
        );
        let raw = SentimentScores {
            neg: 0.12345,
            neu: 2.5,
            pos: 0.1,
            compound: 0.9,
        };
        assert_eq!(
            json(raw).ok().as_deref(),
            Some(r#"{"neg":0.12345,"neu":2.5,"pos":0.1,"compound":0.9}"#)
        );
    }

    #[test]
    fn readme_examples() {
        assert_eq!(
            s("VADER is smart, handsome, and funny."),
            (0.0, 0.254, 0.746, 0.8316)
        );
        assert_eq!(
            s("VADER is VERY SMART, handsome, and FUNNY!!!"),
            (0.0, 0.233, 0.767, 0.9342)
        );
        assert_eq!(
            s("VADER is not smart, handsome, nor funny."),
            (0.646, 0.354, 0.0, -0.7424)
        );
    }
}
