//! Tokens of the CX engine: VADER's words with what their raw form tells
//! (handle, hashtag, trailing `?` or `.`, number, "2hrs"), their CX table
//! entry, and the sentences they form.

use super::lexicon::{self, Cue, Entry};
use super::{
    CxCues, CxScratch, Sentence, Tok, COMMA, HASHTAG, MENTION, NEGATOR, NO_LETTER, NUM, NUM_UNIT,
    ORDINAL, QMARK, SARCASM_TAG, SENT_END,
};
use crate::vader::pytext;

/// `word` without surrounding ASCII punctuation.
#[inline]
pub(super) fn trim_punct(word: &str) -> &str {
    let b = word.as_bytes();
    let (mut s, mut e) = (0, b.len());
    while s < e && b[s].is_ascii_punctuation() {
        s += 1;
    }
    while e > s && b[e - 1].is_ascii_punctuation() {
        e -= 1;
    }
    // Only ASCII bytes were skipped, so both ends are char boundaries.
    word.get(s..e).unwrap_or("")
}

/// Byte classes of the raw-token scan.
const B_SPACE: u8 = 1;
const B_ALPHA: u8 = 2;
const B_PUNCT: u8 = 4;
/// Not ASCII.
const B_HIGH: u8 = 8;

/// Class of each byte: Python's ASCII whitespace, letters, punctuation.
static BYTE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        t[b] = if b >= 128 {
            B_HIGH
        } else if matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1c..=0x1f | b' ') {
            B_SPACE
        } else if c.is_ascii_alphabetic() {
            B_ALPHA
        } else if c.is_ascii_punctuation() {
            B_PUNCT
        } else {
            0
        };
        b += 1;
    }
    t
};

/// The byte classes present in `s`.
#[inline]
fn classes(s: &str) -> u8 {
    s.bytes().fold(0, |acc, b| acc | BYTE_CLASS[usize::from(b)])
}

/// The raw whitespace-delimited tokens of VADER's prepared text (Python's
/// `str.split()`), each with the byte classes it contains.
enum RawTokens<'a> {
    /// ASCII text: one scan of the bytes.
    Ascii { text: &'a str, at: usize },
    /// Unicode whitespace rules.
    Unicode(pytext::SplitWhitespace<'a>),
}

impl<'a> RawTokens<'a> {
    fn new(text: &'a str) -> RawTokens<'a> {
        if text.is_ascii() {
            RawTokens::Ascii { text, at: 0 }
        } else {
            RawTokens::Unicode(pytext::SplitWhitespace::new(text))
        }
    }

    #[inline]
    fn next_token(&mut self) -> (&'a str, u8) {
        match self {
            RawTokens::Ascii { text, at } => {
                let b = text.as_bytes();
                let class = |i: usize| b.get(i).map_or(B_SPACE, |&c| BYTE_CLASS[usize::from(c)]);
                while *at < b.len() && class(*at) & B_SPACE != 0 {
                    *at += 1;
                }
                let start = *at;
                let mut seen = 0;
                while *at < b.len() {
                    let c = class(*at);
                    if c & B_SPACE != 0 {
                        break;
                    }
                    seen |= c;
                    *at += 1;
                }
                (text.get(start..*at).unwrap_or(""), seen)
            }
            RawTokens::Unicode(split) => {
                let t = split.next().unwrap_or("");
                (t, classes(t))
            }
        }
    }
}

/// Flags read from a raw (whitespace-delimited) token with the byte
/// classes `seen` in it.
#[inline]
fn raw_flags(token: &str, seen: u8) -> u16 {
    let mut f = if seen & B_ALPHA == 0 { NO_LETTER } else { 0 };
    if seen & B_PUNCT == 0 {
        return f;
    }
    let b = token.as_bytes();
    f |= match b.first() {
        Some(b'@') if b.len() > 1 => MENTION,
        Some(b'#') if b.len() > 1 => HASHTAG,
        _ => 0,
    };
    for &c in b.iter().rev() {
        if !c.is_ascii_punctuation() {
            break;
        }
        match c {
            b'?' => f |= QMARK | SENT_END,
            b'.' | b'!' => f |= SENT_END,
            b',' | b';' | b':' => f |= COMMA,
            _ => {}
        }
    }
    if b == b"/s" || b.eq_ignore_ascii_case(b"#sarcasm") {
        f |= SARCASM_TAG;
    }
    f
}

/// The table entry of a lowercase word (VADER's), noting numbers in
/// `flags`; `seen` are the byte classes of its raw token.
#[inline]
fn classify_key(word: &str, seen: u8, flags: &mut u16) -> Option<&'static Entry> {
    let key = if seen & B_PUNCT != 0 {
        trim_punct(word)
    } else {
        word
    };
    let b = key.as_bytes();
    let first = *b.first()?;
    if first.is_ascii_digit() {
        let d = b
            .iter()
            .take_while(|c| c.is_ascii_digit() || matches!(c, b'.' | b',' | b':' | b'+'))
            .count();
        let rest = b.get(d..).unwrap_or(&[]);
        if rest.is_empty() {
            *flags |= NUM;
            return None;
        }
        if matches!(rest, b"st" | b"nd" | b"rd" | b"th") {
            *flags |= ORDINAL;
            return None;
        }
        let e = lexicon::lookup(rest)?;
        if e.cue == Cue::TimeUnit {
            *flags |= NUM_UNIT;
            return Some(e);
        }
        return None;
    }
    if seen & B_HIGH == 0 {
        return lexicon::lookup(b);
    }
    // Typographic apostrophes ("can’t") as ASCII ones; other non-ASCII
    // words are not in the table.
    let mut buf = [0u8; 24];
    let mut len = 0;
    for c in key.chars() {
        let c = if c == '\u{2019}' { '\'' } else { c };
        if !c.is_ascii() || len == buf.len() {
            return None;
        }
        buf[len] = c as u8;
        len += 1;
    }
    lexicon::lookup(buf.get(..len)?)
}

/// Fills the CX token view and sentences from VADER's prepared text.
pub(super) fn tokenize(s: &mut CxScratch) {
    let CxScratch {
        vader,
        toks,
        sents,
        vals,
        cues,
        but_at,
        cues_seen,
        flags_seen,
    } = s;
    *cues_seen = 0;
    *flags_seen = 0;
    toks.clear();
    sents.clear();
    vals.clear();
    *cues = CxCues::default();
    *but_at = usize::MAX;
    vals.extend_from_slice(vader.sentiments());
    let n = vader.len();
    // VADER's words are its whitespace tokens, stripped: walk both together.
    let mut raw = RawTokens::new(vader.text());
    let mut start = 0usize;
    for i in 0..n {
        let (token, seen) = raw.next_token();
        let mut flags = raw_flags(token, seen);
        let word = vader.word(i);
        let entry = if flags & MENTION != 0 {
            None
        } else {
            classify_key(word, seen, &mut flags)
        };
        if vader.is_negated(i) || entry.is_some_and(|e| e.cue == Cue::No) {
            flags |= NEGATOR;
        }
        *cues_seen |= 1u64 << (entry.map_or(Cue::None, |e| e.cue) as u8 & 63);
        *flags_seen |= flags;
        let contrast = entry.is_some_and(|e| e.cue == Cue::Contrast);
        if *but_at == usize::MAX && contrast && word == "but" {
            *but_at = i;
        }
        toks.push(Tok {
            entry,
            flags,
            sent: u16::try_from(sents.len()).unwrap_or(u16::MAX),
        });
        if flags & SENT_END != 0 || i + 1 == n {
            sents.push(sentence(toks, start, i + 1));
            start = i + 1;
        }
        // "nothing but praise": "only", not a negation.
        if contrast && word == "but" && i > 0 && vader.word(i - 1) == "nothing" {
            if let Some(t) = toks.get_mut(i - 1) {
                t.flags &= !NEGATOR;
            }
        }
    }
}

/// The sentence of tokens `start..end`, with its opening word and question kind.
fn sentence(toks: &[Tok], start: usize, end: usize) -> Sentence {
    let is_content = |t: &Tok| {
        t.flags & (MENTION | HASHTAG | NO_LETTER) == 0
            && !matches!(t.cue(), Cue::Filler | Cue::Contrast)
    };
    let first = (start..end)
        .find(|&i| toks.get(i).is_some_and(is_content))
        .unwrap_or(end);
    let question = end > start && toks.get(end - 1).is_some_and(|t| t.flags & QMARK != 0);
    Sentence {
        start: start as u32,
        end: end as u32,
        first: first as u32,
        question,
        complaint_at: None,
        complaint_val: 0.0,
    }
}
