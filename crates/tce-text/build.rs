//! Compiles the embedded VADER lexicons into static tables.
//!
//! `data/vader_lexicon.txt`, together with the word lists of VADER's rules
//! (`src/vader/words.rs`), becomes one open-addressing hash table: each word
//! maps to its lexicon valence, booster scalar, negation flag and rule
//! keyword, so scoring needs one lookup per word. `data/emoji_utf8_lexicon.txt`
//! becomes a sorted table (emoji → textual description). Both are written to
//! `$OUT_DIR/vader_tables.rs` and included by `src/vader/lexicon.rs`.
//!
//! Parsing mirrors vaderSentiment 3.3.2's `make_lex_dict` / `make_emoji_dict`
//! exactly: lines split on `\n`, empty lexicon lines skipped, each line
//! stripped of (Python) whitespace, the first two tab-separated fields kept,
//! later duplicates overriding earlier ones. Nothing is read at run time.

use std::collections::BTreeMap;
use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

#[path = "src/vader/hash.rs"]
#[allow(dead_code)]
mod hash;
#[path = "src/vader/words.rs"]
#[allow(dead_code)]
mod words;

/// Python's `str.isspace` (Unicode 14): `White_Space` plus the four
/// information separators U+001C..U+001F.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The first two tab-separated fields of a stripped line, like
/// `line.strip().split('\t')[0:2]`.
fn two_fields(line: &str) -> Result<(&str, &str), Box<dyn Error>> {
    let mut it = line.trim_matches(py_space).split('\t');
    match (it.next(), it.next()) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(format!("lexicon line without a tab: {line:?}").into()),
    }
}

/// What the table knows about one word.
#[derive(Default)]
struct Info {
    valence: Option<f64>,
    booster: f64,
    flags: u8,
}

/// Flag bit: the word is in VADER's `NEGATE` list.
const NEGATE_FLAG: u8 = 0x80;

/// The info of `word`, added (and its first appearance recorded) if new.
fn entry<'a>(
    table: &'a mut BTreeMap<String, Info>,
    order: &mut Vec<String>,
    word: &str,
) -> &'a mut Info {
    if !table.contains_key(word) {
        order.push(word.to_owned());
    }
    table.entry(word.to_owned()).or_default()
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("data");
    let lex_path = dir.join("vader_lexicon.txt");
    let emoji_path = dir.join("emoji_utf8_lexicon.txt");
    println!("cargo:rerun-if-changed={}", lex_path.display());
    println!("cargo:rerun-if-changed={}", emoji_path.display());
    println!("cargo:rerun-if-changed=src/vader/hash.rs");
    println!("cargo:rerun-if-changed=src/vader/words.rs");

    // --- word table ---------------------------------------------------------
    let lex_text = std::fs::read_to_string(&lex_path)?;
    let mut order: Vec<String> = Vec::new();
    let mut table: BTreeMap<String, Info> = BTreeMap::new();
    for line in lex_text.trim_end_matches('\n').split('\n') {
        if line.is_empty() {
            continue;
        }
        let (word, measure) = two_fields(line)?;
        let value: f64 = measure
            .trim_matches(py_space)
            .parse()
            .map_err(|e| format!("bad valence {measure:?} for {word:?}: {e}"))?;
        entry(&mut table, &mut order, word).valence = Some(value);
    }
    let lexicon_len = order.len();
    for &(word, scalar) in words::BOOSTERS {
        entry(&mut table, &mut order, word).booster = scalar;
    }
    for &word in words::NEGATE {
        entry(&mut table, &mut order, word).flags |= NEGATE_FLAG;
    }
    for &(id, word) in words::KEYWORDS {
        entry(&mut table, &mut order, word).flags |= id;
    }

    let n = order.len();
    let slots_len = 1usize << hash::TABLE_BITS;
    if n >= usize::from(u16::MAX) || n * 3 > slots_len {
        return Err(format!("word table too large: {n} words").into());
    }
    // Slot: entry index in the high 16 bits, hash tag in the low 16 bits;
    // u32::MAX when empty (indices stay below u16::MAX).
    let mut slots = vec![u32::MAX; slots_len];
    let mut max_probe = 0usize;
    let mut filter = vec![0u64; (1usize << hash::FILTER_BITS) / 64];
    for (idx, word) in order.iter().enumerate() {
        let h = hash::word_hash(word.as_bytes(), hash::key(word.as_bytes()));
        let mut s = hash::home_slot(h);
        let mut probe = 0usize;
        while slots[s] != u32::MAX {
            s = (s + 1) & (slots_len - 1);
            probe += 1;
        }
        max_probe = max_probe.max(probe);
        slots[s] = (u32::try_from(idx)? << 16) | hash::tag(h);
        let bit = hash::filter_bit(h);
        filter[bit / 64] |= 1u64 << (bit % 64);
    }

    // --- emoji lexicon ------------------------------------------------------
    // Only single-code-point keys can ever match: the reference looks each
    // character of the text up on its own.
    let emoji_text = std::fs::read_to_string(&emoji_path)?;
    let mut emojis: BTreeMap<char, String> = BTreeMap::new();
    for line in emoji_text.trim_end_matches('\n').split('\n') {
        let (key, description) = two_fields(line)?;
        let mut chars = key.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            emojis.insert(c, description.to_owned());
        }
    }

    // --- emit ---------------------------------------------------------------
    let mut out = String::new();
    writeln!(out, "// @generated by build.rs from data/vader_lexicon.txt, data/emoji_utf8_lexicon.txt and src/vader/words.rs")?;
    writeln!(
        out,
        "/// Longest linear probe in the word table (informational)."
    )?;
    writeln!(
        out,
        "#[allow(dead_code)]\npub(super) const MAX_PROBE: usize = {max_probe};"
    )?;
    writeln!(
        out,
        "/// Number of lexicon words: the first entries of `ENTRIES`."
    )?;
    writeln!(out, "pub(super) const LEXICON_LEN: usize = {lexicon_len};")?;
    writeln!(
        out,
        "/// Lexicon words in file order, then the rule words not in the lexicon."
    )?;
    writeln!(out, "pub(super) static ENTRIES: [Entry; {n}] = [")?;
    for w in &order {
        let info = table.get(w).ok_or("word without info")?;
        let valence = match info.valence {
            Some(v) => format!("{v:?}"),
            None => "f64::NAN".to_owned(),
        };
        let (k0, k1) = hash::key(w.as_bytes());
        writeln!(
            out,
            "    Entry {{ word: {w:?}, k0: {k0:#x}, k1: {k1:#x}, len: {}, valence: {valence}, booster: {:?}, flags: {} }},",
            w.len(),
            info.booster,
            info.flags
        )?;
    }
    writeln!(out, "];")?;
    writeln!(
        out,
        "/// Open-addressing table: `index << 16 | tag`, `u32::MAX` when empty."
    )?;
    writeln!(out, "pub(super) static SLOTS: [u32; {slots_len}] = [")?;
    for chunk in slots.chunks(16) {
        let row: Vec<String> = chunk.iter().map(|s| s.to_string()).collect();
        writeln!(out, "    {},", row.join(", "))?;
    }
    writeln!(out, "];")?;
    writeln!(
        out,
        "/// Membership filter: bit `hash::filter_bit(h)` is set for every word."
    )?;
    writeln!(out, "pub(super) static FILTER: [u64; {}] = [", filter.len())?;
    for chunk in filter.chunks(8) {
        let row: Vec<String> = chunk.iter().map(|w| format!("{w:#x}")).collect();
        writeln!(out, "    {},", row.join(", "))?;
    }
    writeln!(out, "];")?;
    let k = emojis.len();
    writeln!(out, "/// Single-code-point emoji keys, sorted.")?;
    writeln!(out, "pub(super) static EMOJI_CHARS: [char; {k}] = [")?;
    for c in emojis.keys() {
        writeln!(out, "    {c:?},")?;
    }
    writeln!(out, "];")?;
    writeln!(out, "/// Description of `EMOJI_CHARS[i]`.")?;
    writeln!(out, "pub(super) static EMOJI_DESCRIPTIONS: [&str; {k}] = [")?;
    for d in emojis.values() {
        writeln!(out, "    {d:?},")?;
    }
    writeln!(out, "];")?;
    let min = emojis.keys().next().map_or(u32::MAX, |&c| u32::from(c));
    writeln!(
        out,
        "/// Smallest emoji code point: characters below it are never looked up."
    )?;
    writeln!(out, "pub(super) const EMOJI_MIN: u32 = {min};")?;

    let out_path = PathBuf::from(std::env::var("OUT_DIR")?).join("vader_tables.rs");
    std::fs::write(out_path, out)?;
    Ok(())
}
