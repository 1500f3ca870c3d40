//! Text → hashed sparse features: the tokeniser, word n-grams and character
//! n-grams, hashed into `2^hash_bits` buckets.
//!
//! The tokeniser lower-cases, replaces @mentions, URLs and numbers by
//! placeholders (they name no class, but their presence does carry signal),
//! decodes the HTML entities social APIs leave in text, drops the `#` of
//! hashtags, caps runs of one repeated character at three ("soooo" →
//! "sooo", "!!!!!" → "!!!"), keeps runs of ASCII punctuation as one token (so
//! emoticons survive) and every other symbol (emoji) as its own token.
//! Hashing is FNV-1a over the token's characters, finished by a 64-bit mixer;
//! each kind of feature has its own seed so a word and a bigram never share a
//! hash by construction.

use serde::{Deserialize, Serialize};

use crate::vader::Vader;

/// Words that flip the valence of the next three words (VADER's core list).
const NEGATIONS: [&str; 12] = [
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "nowhere", "cannot",
    "without", "dont",
];

/// How texts become features. Stored in every saved model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Features are hashed into `2^hash_bits` buckets (per view), 10..=24.
    pub hash_bits: u8,
    /// Longest word n-gram: 1 = unigrams, 2 = plus bigrams, 3 = plus trigrams.
    pub word_ngrams: u8,
    /// Character n-gram lengths `(min, max)` within word boundaries, or
    /// `None` for no character view.
    pub char_ngrams: Option<(u8, u8)>,
    /// Add word-view features for the VADER lexicon valence of each word
    /// (bucketed, flipped after a negation): prior knowledge that lets
    /// words rare in the training data share what the lexicon knows.
    #[serde(default)]
    pub lexicon: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            hash_bits: 18,
            word_ngrams: 2,
            char_ngrams: Some((2, 5)),
            lexicon: true,
        }
    }
}

/// What a token is; only words yield character n-grams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    Word,
    Other,
}

/// Reusable buffers for one text's tokens and features.
#[derive(Debug, Default, Clone)]
pub(crate) struct FeatureScratch {
    /// Lower-cased token characters, back to back.
    chars: Vec<char>,
    /// `(start, end, kind, hash)` of each token in `chars`.
    tokens: Vec<(u32, u32, TokenKind, u64)>,
    /// One word padded with boundary marks, for character n-grams.
    padded: Vec<char>,
    /// One lower-cased word, for lexicon look-ups.
    word_text: String,
    /// Hashed bucket ids of the word view, with repeats.
    pub(crate) word: Vec<u32>,
    /// Hashed bucket ids of the character view, with repeats.
    pub(crate) char: Vec<u32>,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
const SEED_UNIGRAM: u64 = 0x9e37_79b9_7f4a_7c15;
const SEED_BIGRAM: u64 = 0xc2b2_ae3d_27d4_eb4f;
const SEED_TRIGRAM: u64 = 0x1656_67b1_9e37_79f9;
const SEED_CHAR: u64 = 0x27d4_eb2f_1656_67c5;
const SEED_LEXICON: u64 = 0x85eb_ca77_c2b2_ae63;
/// Placeholder "characters" for normalised tokens (private-use code points,
/// so they cannot collide with text).
const PH_USER: char = '\u{F0001}';
const PH_URL: char = '\u{F0002}';
const PH_NUMBER: char = '\u{F0003}';

/// MurmurHash3's 64-bit finaliser.
#[inline]
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[inline]
fn fnv_step(h: u64, c: char) -> u64 {
    (h ^ u64::from(u32::from(c))).wrapping_mul(FNV_PRIME)
}

#[inline]
fn bucket(h: u64, bits: u8) -> u32 {
    (mix(h) >> (64 - u32::from(bits))) as u32
}

/// Characters dropped from the text: emoji variation selectors, zero-width
/// joiners and skin-tone modifiers only change how an emoji looks.
#[inline]
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{FE0E}' | '\u{FE0F}' | '\u{200D}' | '\u{200B}' | '\u{1F3FB}'..='\u{1F3FF}'
    )
}

/// The character an HTML entity at the start of `s` stands for, with the
/// entity's byte length.
fn entity(s: &str) -> Option<(char, usize)> {
    const ENTITIES: [(&str, char); 6] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&apos;", '\''),
    ];
    ENTITIES
        .iter()
        .find(|(e, _)| s.starts_with(e))
        .map(|(e, c)| (*c, e.len()))
}

impl FeatureScratch {
    /// Tokenises `text` into `self.chars` / `self.tokens`.
    fn tokenise(&mut self, text: &str) {
        self.chars.clear();
        self.tokens.clear();
        for chunk in text.split(char::is_whitespace) {
            if chunk.is_empty() {
                continue;
            }
            let head = chunk.as_bytes();
            let starts = |prefix: &[u8]| {
                head.get(..prefix.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
            };
            if starts(b"http://") || starts(b"https://") || starts(b"www.") {
                self.push_placeholder(PH_URL);
                continue;
            }
            self.tokenise_chunk(chunk);
        }
    }

    fn push_placeholder(&mut self, c: char) {
        let start = self.chars.len() as u32;
        self.chars.push(c);
        self.tokens.push((start, start + 1, TokenKind::Other, 0));
    }

    fn tokenise_chunk(&mut self, chunk: &str) {
        let mut rest = chunk;
        while let Some(c) = rest.chars().next() {
            if c == '@' && rest[1..].starts_with(|n: char| n.is_ascii_alphanumeric() || n == '_') {
                let end = rest[1..]
                    .find(|n: char| !(n.is_ascii_alphanumeric() || n == '_'))
                    .map_or(rest.len(), |e| e + 1);
                self.push_placeholder(PH_USER);
                rest = &rest[end..];
                continue;
            }
            if c.is_alphanumeric() {
                rest = self.word(rest);
                continue;
            }
            if c == '&' {
                if let Some((decoded, len)) = entity(rest) {
                    rest = &rest[len..];
                    if decoded == '&' || decoded == '<' || decoded == '>' {
                        self.symbol(decoded);
                    }
                    continue;
                }
            }
            if c.is_ascii_punctuation() && c != '#' {
                rest = self.punctuation(rest);
                continue;
            }
            rest = &rest[c.len_utf8()..];
            if c != '#' && !is_invisible(c) {
                self.symbol(c);
            }
        }
    }

    /// A word (letters/digits with inner apostrophes) at the start of `s`;
    /// returns the rest.
    fn word<'a>(&mut self, s: &'a str) -> &'a str {
        let start = self.chars.len();
        let mut end = s.len();
        let mut prev: Option<char> = None;
        let mut repeats = 0;
        let mut numeric = true;
        let mut iter = s.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            let c = if c == '’' { '\'' } else { c };
            let joins_word = (c == '\'' || ((c == '.' || c == ',' || c == ':') && numeric))
                && prev.is_some_and(char::is_alphanumeric)
                && iter.peek().is_some_and(|(_, n)| n.is_alphanumeric());
            if !(c.is_alphanumeric() || joins_word) {
                end = i;
                break;
            }
            numeric &= c.is_ascii_digit() || joins_word;
            if prev == Some(c) {
                repeats += 1;
                if repeats >= 3 {
                    continue;
                }
            } else {
                repeats = 0;
            }
            prev = Some(c);
            if c.is_ascii() {
                self.chars.push(c.to_ascii_lowercase());
            } else {
                self.chars.extend(c.to_lowercase());
            }
        }
        if numeric {
            self.chars.truncate(start);
            self.push_placeholder(PH_NUMBER);
        } else {
            self.tokens
                .push((start as u32, self.chars.len() as u32, TokenKind::Word, 0));
        }
        &s[end..]
    }

    /// A run of ASCII punctuation (an emoticon, "?!", "..."); returns the rest.
    fn punctuation<'a>(&mut self, s: &'a str) -> &'a str {
        let start = self.chars.len();
        let mut prev = '\0';
        let mut repeats = 0;
        let end = s
            .find(|c: char| !c.is_ascii_punctuation() || c == '@' || c == '#' || c == '&')
            .unwrap_or(s.len())
            .max(1);
        for c in s[..end].chars() {
            if c == prev {
                repeats += 1;
                if repeats >= 3 {
                    continue;
                }
            } else {
                repeats = 0;
            }
            prev = c;
            self.chars.push(c);
        }
        self.tokens
            .push((start as u32, self.chars.len() as u32, TokenKind::Other, 0));
        &s[end..]
    }

    fn symbol(&mut self, c: char) {
        let start = self.chars.len() as u32;
        self.chars.push(c);
        self.tokens.push((start, start + 1, TokenKind::Other, 0));
    }

    /// The bucket ids of one view of the last `extract`.
    pub(crate) fn ids(&self, kind: super::ViewKind) -> &[u32] {
        match kind {
            super::ViewKind::Word => &self.word,
            super::ViewKind::Char => &self.char,
        }
    }

    /// Fills `self.word` and `self.char` with the bucket ids of `text`.
    pub(crate) fn extract(&mut self, text: &str, cfg: &FeatureConfig) {
        self.tokenise(text);
        self.word.clear();
        self.char.clear();
        let bits = cfg.hash_bits;
        for t in &mut self.tokens {
            let mut h = FNV_OFFSET;
            for &c in &self.chars[t.0 as usize..t.1 as usize] {
                h = fnv_step(h, c);
            }
            t.3 = h;
        }
        let n = self.tokens.len();
        for i in 0..n {
            let h = self.tokens[i].3;
            self.word.push(bucket(h ^ SEED_UNIGRAM, bits));
            if cfg.word_ngrams >= 2 && i >= 1 {
                let b = mix(self.tokens[i - 1].3 ^ SEED_BIGRAM).wrapping_add(h);
                self.word.push(bucket(b, bits));
            }
            if cfg.word_ngrams >= 3 && i >= 2 {
                let a = mix(self.tokens[i - 2].3 ^ SEED_TRIGRAM);
                let b = mix(a.wrapping_add(self.tokens[i - 1].3)).wrapping_add(h);
                self.word.push(bucket(b, bits));
            }
        }
        if cfg.lexicon {
            self.lexicon_features(bits);
        }
        let Some((lo, hi)) = cfg.char_ngrams else {
            return;
        };
        let (lo, hi) = (usize::from(lo.max(1)), usize::from(hi.max(lo)));
        for &(start, end, kind, _) in &self.tokens {
            if kind != TokenKind::Word {
                continue;
            }
            // The word padded with a boundary mark on each side.
            self.padded.clear();
            self.padded.push(' ');
            self.padded
                .extend_from_slice(&self.chars[start as usize..end as usize]);
            self.padded.push(' ');
            let len = self.padded.len();
            for s in 0..len {
                let mut h = SEED_CHAR;
                for (n, &c) in self.padded[s..len.min(s + hi)].iter().enumerate() {
                    h = fnv_step(h, c);
                    if n + 1 >= lo {
                        self.char.push(bucket(h, bits));
                    }
                }
            }
        }
    }

    /// One feature per word in the VADER lexicon: its valence rounded to
    /// an integer, sign flipped within three words after a negation.
    fn lexicon_features(&mut self, bits: u8) {
        let vader = Vader::new();
        let mut negated_until = 0;
        for (i, &(start, end, kind, _)) in self.tokens.iter().enumerate() {
            self.word_text.clear();
            self.word_text
                .extend(&self.chars[start as usize..end as usize]);
            let w = self.word_text.as_str();
            if kind != TokenKind::Word && vader.lexicon_valence(w).is_none() {
                if self.chars[start as usize].is_ascii_punctuation() {
                    negated_until = 0;
                }
                continue;
            }
            if NEGATIONS.contains(&w) || w.ends_with("n't") {
                negated_until = i + 3;
                continue;
            }
            let Some(valence) = vader.lexicon_valence(w) else {
                continue;
            };
            let negated = i <= negated_until && negated_until > 0;
            let v = if negated { -valence } else { valence };
            let level = v.round().clamp(-4.0, 4.0) as i64;
            if level != 0 {
                let polarity = if level > 0 { 1u64 } else { 2u64 };
                for h in [
                    SEED_LEXICON ^ (level as u64),
                    SEED_LEXICON ^ (polarity << 8),
                ] {
                    self.word.push(bucket(h, bits));
                }
            }
        }
    }

    /// The tokens of the last `extract`, for tests.
    #[cfg(test)]
    fn token_strings(&self) -> Vec<String> {
        self.tokens
            .iter()
            .map(|&(s, e, _, _)| {
                self.chars[s as usize..e as usize]
                    .iter()
                    .map(|&c| match c {
                        PH_USER => "<user>".to_string(),
                        PH_URL => "<url>".to_string(),
                        PH_NUMBER => "<num>".to_string(),
                        c => c.to_string(),
                    })
                    .collect()
            })
            .collect()
    }
}

/// Counts repeated bucket ids with a small open-addressing table (faster
/// than sorting for the few hundred ids of a short text).
#[derive(Debug, Default, Clone)]
pub(crate) struct Counter {
    /// `(id, count)` per slot; `EMPTY` ids mark free slots.
    slots: Vec<(u32, u32)>,
    /// Slots in use, in order of first occurrence.
    touched: Vec<u32>,
}

/// No bucket id reaches it (at most 24 hash bits).
const EMPTY: u32 = u32::MAX;

impl Counter {
    /// Writes the distinct ids of `ids` with their counts into `out`, in
    /// order of first occurrence.
    pub(crate) fn count(&mut self, ids: &[u32], out: &mut Vec<(u32, u32)>) {
        out.clear();
        let need = (ids.len() * 2).next_power_of_two().max(256);
        if self.slots.len() < need {
            self.slots = vec![(EMPTY, 0); need];
        }
        let mask = self.slots.len() - 1;
        for &id in ids {
            // Bucket ids are the top bits of a mixed hash: their low bits
            // are already uniform.
            let mut h = id as usize & mask;
            loop {
                let slot = &mut self.slots[h];
                if slot.0 == id {
                    slot.1 += 1;
                    break;
                }
                if slot.0 == EMPTY {
                    *slot = (id, 1);
                    self.touched.push(h as u32);
                    break;
                }
                h = (h + 1) & mask;
            }
        }
        for &t in &self.touched {
            let slot = &mut self.slots[t as usize];
            out.push(*slot);
            *slot = (EMPTY, 0);
        }
        self.touched.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<String> {
        let mut s = FeatureScratch::default();
        s.extract(text, &FeatureConfig::default());
        s.token_strings()
    }

    #[test]
    fn tokeniser_normalises() {
        assert_eq!(
            tokens("@United Flight 1234 was SOOOO late!!!!! http://t.co/x :( #fail"),
            ["<user>", "flight", "<num>", "was", "sooo", "late", "!!!", "<url>", ":(", "fail"]
        );
        assert_eq!(
            tokens("don’t @jet_blue's 10:30 &amp; 2nd😡️👍🏽"),
            ["don't", "<user>", "'", "s", "<num>", "&", "2nd", "😡", "👍"]
        );
        assert_eq!(tokens("   "), Vec::<String>::new());
    }

    #[test]
    fn features_are_deterministic_and_in_range() {
        let cfg = FeatureConfig {
            hash_bits: 12,
            lexicon: false,
            ..FeatureConfig::default()
        };
        let mut a = FeatureScratch::default();
        let mut b = FeatureScratch::default();
        a.extract("Lost my bag again", &cfg);
        b.extract("lost MY bag again", &cfg);
        assert_eq!(a.word, b.word);
        assert_eq!(a.char, b.char);
        // 4 unigrams + 3 bigrams.
        assert_eq!(a.word.len(), 7);
        // Padded words of 6, 4, 5 and 7 characters: 2..5-grams.
        let ngrams = |len: usize| (2..=5).map(|n| (len + 1).saturating_sub(n)).sum::<usize>();
        assert_eq!(a.char.len(), [6, 4, 5, 7].map(ngrams).iter().sum::<usize>());
        assert!(a.word.iter().chain(&a.char).all(|&i| i < 1 << 12));
    }

    /// Lexicon words add a valence-level and a polarity feature; a negation
    /// flips them, so "not good" shares features with "bad" words.
    #[test]
    fn lexicon_features_follow_negation() {
        let cfg = FeatureConfig {
            char_ngrams: None,
            ..FeatureConfig::default()
        };
        let lexicon = |text: &str| {
            let plain = FeatureConfig {
                lexicon: false,
                ..cfg
            };
            let mut with = FeatureScratch::default();
            let mut without = FeatureScratch::default();
            with.extract(text, &cfg);
            without.extract(text, &plain);
            with.word[without.word.len()..].to_vec()
        };
        assert_eq!(lexicon("the seat"), Vec::<u32>::new());
        let good = lexicon("good");
        let not_good = lexicon("not good");
        assert_eq!(good.len(), 2);
        assert_eq!(not_good.len(), 2);
        assert_ne!(good, not_good);
        // Same negative polarity feature as a plainly negative word.
        assert_eq!(not_good[1], lexicon("bad")[1]);
    }
}
