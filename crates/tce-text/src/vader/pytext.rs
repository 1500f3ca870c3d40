//! Python 3 string semantics that VADER's behaviour depends on.
//!
//! vaderSentiment is written against Python's `str` methods; matching it
//! exactly means matching their Unicode definitions, not Rust's:
//!
//! * [`is_space`] — `str.isspace` / `str.split()` (Rust's `char::is_whitespace`
//!   misses U+001C..U+001F, which Python treats as whitespace);
//! * [`is_upper`] — `str.isupper` (at least one cased character and no
//!   lowercase or titlecase one);
//! * [`push_lower`] — `str.lower` (full Unicode lowercase mapping, final sigma);
//! * [`strip_punc_if_word`] — VADER's `_strip_punc_if_word`
//!   (`token.strip(string.punctuation)` unless that leaves ≤ 2 characters).
//!
//! Tables come from Rust's Unicode data; Python 3.11 uses Unicode 14, so
//! characters assigned after Unicode 14 may classify differently.

/// Python's `str.isspace` for one character: general category `Zs` or
/// bidirectional class `WS`, `B` or `S`.
#[inline]
pub fn is_space(c: char) -> bool {
    if c.is_ascii() {
        matches!(
            c,
            '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r' | '\u{1c}'..='\u{1f}' | ' '
        )
    } else {
        c.is_whitespace()
    }
}

/// Python's `str.isspace` for one ASCII byte.
#[inline]
fn is_ascii_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1c..=0x1f | b' ')
}

/// Titlecase letters (general category `Lt`, Unicode 14–16).
#[inline]
fn is_titlecase(c: char) -> bool {
    matches!(
        c,
        '\u{01c5}'
            | '\u{01c8}'
            | '\u{01cb}'
            | '\u{01f2}'
            | '\u{1f88}'..='\u{1f8f}'
            | '\u{1f98}'..='\u{1f9f}'
            | '\u{1fa8}'..='\u{1faf}'
            | '\u{1fbc}'
            | '\u{1fcc}'
            | '\u{1ffc}'
    )
}

/// Python's `str.isupper`: true when the string has at least one cased
/// character and none of its characters is lowercase or titlecase.
#[inline]
pub fn is_upper(s: &str) -> bool {
    let mut cased = false;
    if s.is_ascii() {
        for b in s.bytes() {
            if b.is_ascii_lowercase() {
                return false;
            }
            cased |= b.is_ascii_uppercase();
        }
        return cased;
    }
    for c in s.chars() {
        if c.is_lowercase() || is_titlecase(c) {
            return false;
        }
        cased |= c.is_uppercase();
    }
    cased
}

/// Appends Python's `s.lower()` to `out`.
#[inline]
pub fn push_lower(s: &str, out: &mut String) {
    if s.is_ascii() {
        out.extend(s.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        // `str::to_lowercase` applies the full mapping and the final-sigma
        // rule, like CPython's `str.lower`.
        out.push_str(&s.to_lowercase());
    }
}

/// VADER's `SentiText._strip_punc_if_word`: strips leading and trailing ASCII
/// punctuation (`string.punctuation`), unless the result has two or fewer
/// characters, in which case the token is kept whole (it is likely an
/// emoticon such as `:)`).
#[inline]
pub fn strip_punc_if_word(token: &str) -> &str {
    let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
    let short = if stripped.is_ascii() {
        stripped.len() <= 2
    } else {
        stripped.chars().nth(2).is_none()
    };
    if short {
        token
    } else {
        stripped
    }
}

/// Python's `str.split()` with no separator: maximal runs of non-whitespace.
#[derive(Debug, Clone)]
pub struct SplitWhitespace<'a> {
    rest: &'a str,
}

impl<'a> SplitWhitespace<'a> {
    /// Splits `s` the way `s.split()` does.
    pub fn new(s: &'a str) -> Self {
        SplitWhitespace { rest: s }
    }
}

/// Byte index of the first character of `s` that satisfies `space == want`.
#[inline]
fn find_boundary(s: &str, want_space: bool) -> usize {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if is_ascii_space_byte(b) == want_space {
                return i;
            }
            i += 1;
        } else {
            // Non-ASCII: decode the character starting here.
            let c = s[i..].chars().next().unwrap_or('\u{0}');
            if is_space(c) == want_space {
                return i;
            }
            i += c.len_utf8();
        }
    }
    bytes.len()
}

impl<'a> Iterator for SplitWhitespace<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let start = find_boundary(self.rest, false);
        let rest = &self.rest[start..];
        if rest.is_empty() {
            self.rest = rest;
            return None;
        }
        let end = find_boundary(rest, true);
        let (word, tail) = rest.split_at(end);
        self.rest = tail;
        Some(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_like_python() {
        let v: Vec<&str> = SplitWhitespace::new("  a\u{1c}b\u{a0}c\u{3000}  dé \t").collect();
        assert_eq!(v, ["a", "b", "c", "dé"]);
        assert_eq!(SplitWhitespace::new(" \n ").next(), None);
    }

    #[test]
    fn isupper_like_python() {
        assert!(is_upper("GOOD!"));
        assert!(is_upper("ÉTÉ"));
        assert!(!is_upper("Good"));
        assert!(!is_upper(":-)"));
        assert!(!is_upper("ǅA"));
        assert!(is_upper("A1"));
    }

    #[test]
    fn strip_punc() {
        assert_eq!(strip_punc_if_word("good!!!"), "good");
        assert_eq!(strip_punc_if_word(":)"), ":)");
        assert_eq!(strip_punc_if_word("(ok)"), "(ok)");
        assert_eq!(strip_punc_if_word("'abc'"), "abc");
        assert_eq!(strip_punc_if_word("«é»"), "«é»");
    }
}
