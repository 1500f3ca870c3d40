//! The model's touchpoint phrases seen from the generator's side: which ones can
//! be used as a noun ("the {tp} was late"), which ones name only their own
//! touchpoint, and whether a fixed piece of wording would accidentally name a
//! touchpoint.
//!
//! Matching follows the enricher's rules (ASCII case-insensitive, word
//! boundaries, a phrase may carry a common inflection) so that what the
//! generator plants is what a rule-based reader finds.

/// Suffixes a phrase may carry and still match (the enricher's light stemming).
const SUFFIXES: [&str; 9] = ["s", "es", "ed", "d", "ing", "er", "ers", "ies", "ied"];

/// Words that make a multi-word phrase a verb or adverbial phrase, not a noun.
const FUNCTION_WORDS: [&str; 18] = [
    "a", "an", "the", "my", "our", "your", "to", "on", "up", "in", "out", "at", "for", "with",
    "of", "off", "no", "not",
];

/// Adjectives: a phrase ending in one is a state, not a noun ("hours late").
const ADJECTIVES: [&str; 37] = [
    "late",
    "early",
    "safe",
    "unsafe",
    "expensive",
    "cheap",
    "slow",
    "fast",
    "free",
    "rude",
    "friendly",
    "helpful",
    "broken",
    "down",
    "stuck",
    "wrong",
    "missing",
    "available",
    "overpriced",
    "reliable",
    "unreliable",
    "dirty",
    "clean",
    "crowded",
    "busy",
    "full",
    "empty",
    "quick",
    "lost",
    "unfriendly",
    "polite",
    "impolite",
    "noisy",
    "quiet",
    "pricey",
    "packed",
    "smelly",
];

/// Common bare verbs that models list as phrases ("cancel", "rebook").
const VERBS: [&str; 39] = [
    "cancel",
    "rebook",
    "reimburse",
    "overcharge",
    "hold",
    "apply",
    "book",
    "pay",
    "acquire",
    "transfer",
    "download",
    "install",
    "sign",
    "renew",
    "redeem",
    "buy",
    "order",
    "verify",
    "unlock",
    "port",
    "reset",
    "log",
    "fly",
    "check",
    "approve",
    "decline",
    "deny",
    "close",
    "open",
    "arrive",
    "deliver",
    "integrate",
    "escalate",
    "deprecate",
    "migrate",
    "onboard",
    "speak",
    "roam",
    "ship",
];

/// Adverbs that end verb phrases ("charged twice", "top up").
const ADVERBS: [&str; 12] = [
    "twice", "again", "once", "off", "out", "up", "away", "back", "online", "late", "early", "down",
];

/// Whether a single word is a verb by its form ("escalate", "authorize").
fn verb_form(word: &str) -> bool {
    VERBS.contains(&word)
        || word.len() >= 8
            && word.ends_with("ate")
            && !matches!(word, "certificate" | "template" | "candidate" | "chocolate")
        || word.ends_with("ize") && !matches!(word, "prize" | "size")
        || word.len() >= 9
            && word.ends_with("ise")
            && !matches!(
                word,
                "enterprise" | "expertise" | "merchandise" | "franchise"
            )
}

/// Whether a single word is an adjective by its form ("useless", "stressful").
fn adjective_form(word: &str) -> bool {
    ADJECTIVES.contains(&word)
        || word.len() >= 6
            && (word.ends_with("less") || word.ends_with("ful") || word.ends_with("ous"))
        || word.len() >= 8
            && (word.ends_with("able") || word.ends_with("ible"))
            && !matches!(word, "timetable" | "vegetable" | "turntable" | "constable")
}

/// All phrases of a model, lower-cased, each with the touchpoint it names.
#[derive(Debug, Clone)]
pub(crate) struct PhraseSet {
    phrases: Vec<(String, usize)>,
}

impl PhraseSet {
    /// Collects `(phrase, touchpoint index)` pairs.
    pub(crate) fn new(phrases: impl IntoIterator<Item = (String, usize)>) -> PhraseSet {
        PhraseSet {
            phrases: phrases
                .into_iter()
                .map(|(p, t)| (p.trim().to_ascii_lowercase(), t))
                .filter(|(p, _)| !p.is_empty())
                .collect(),
        }
    }

    /// Touchpoints named in `text` (sorted, deduplicated).
    pub(crate) fn touchpoints_in(&self, text: &str) -> Vec<usize> {
        let lower = text.to_ascii_lowercase();
        let mut out: Vec<usize> = self
            .phrases
            .iter()
            .filter(|(p, _)| contains_phrase(&lower, p))
            .map(|(_, t)| *t)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether `text` names any touchpoint.
    pub(crate) fn any_in(&self, text: &str) -> bool {
        let lower = text.to_ascii_lowercase();
        self.phrases.iter().any(|(p, _)| contains_phrase(&lower, p))
    }
}

/// Whether lower-cased `text` contains lower-cased `phrase` at word boundaries,
/// possibly followed by an inflection.
pub(crate) fn contains_phrase(text: &str, phrase: &str) -> bool {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|rest| rest.find(phrase)) {
        let start = from + pos;
        let end = start + phrase.len();
        from = start + 1;
        if start > 0 && bytes.get(start - 1).is_some_and(|&b| is_word(b)) {
            continue;
        }
        let rest = bytes.get(end..).unwrap_or(&[]);
        let word_len = rest.iter().take_while(|&&b| is_word(b)).count();
        if word_len == 0 {
            return true;
        }
        let suffix = &rest[..word_len];
        let doubled = suffix.len() >= 3
            && end > 0
            && bytes.get(end - 1) == suffix.first()
            && SUFFIXES.iter().any(|s| s.as_bytes() == &suffix[1..]);
        if doubled || SUFFIXES.iter().any(|s| s.as_bytes() == suffix) {
            return true;
        }
    }
    false
}

/// Whether a phrase reads as a noun phrase ("baggage fee", "wifi"), so it can
/// fill "the {tp} was …". Heuristic, and generic over any model.
pub(crate) fn is_noun_phrase(phrase: &str) -> bool {
    let words: Vec<&str> = phrase.split_whitespace().collect();
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return false;
    };
    let first = first.to_ascii_lowercase();
    let last = last.to_ascii_lowercase();
    if FUNCTION_WORDS.contains(&first.as_str()) || first.starts_with("on-") {
        return false;
    }
    if words
        .iter()
        .skip(1)
        .any(|w| FUNCTION_WORDS.contains(&w.to_ascii_lowercase().as_str()))
    {
        return false;
    }
    if adjective_form(&last) || ADVERBS.contains(&last.as_str()) || verb_form(&last) {
        return false;
    }
    if words.len() > 1 && VERBS.contains(&first.as_str()) {
        return false;
    }
    // Past participles ("cancelled", "overcharged") are not nouns; "speed" is.
    if last.ends_with("ed") && !last.ends_with("eed") && last.len() > 3 {
        return false;
    }
    // A verb followed by its particle or object ("hung up", "missed my …") was
    // caught above; a leading participle with a noun ("lost bag") is fine.
    true
}

/// Whether a phrase that is not a noun still reads as a state that can stand
/// alone ("cancelled again today", "on hold again", "hours late"), unlike a bare
/// verb ("rebook", "fly to") which the generator does not use.
pub(crate) fn is_state_phrase(phrase: &str) -> bool {
    let words: Vec<String> = phrase
        .split_whitespace()
        .map(str::to_ascii_lowercase)
        .collect();
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return false;
    };
    matches!(first.as_str(), "on" | "no" | "not" | "hung" | "off" | "out")
        || first.starts_with("on-")
        || first.ends_with("ing")
        || words
            .iter()
            .any(|w| w.ends_with("ed") && !w.ends_with("eed") && w.len() > 3)
        || adjective_form(last)
        || adjective_form(first)
}

/// Word stems that make a phrase name a problem ("delay", "lost bag", "outage"):
/// praise about it reads as "handled well" or "no … this time", not "loved the …".
const PROBLEM_STEMS: [&str; 53] = [
    "fail",
    "lost",
    "loss",
    "delay",
    "late",
    "cancel",
    "strand",
    "broke",
    "damag",
    "miss",
    "outage",
    "drop",
    "ground",
    "turbulen",
    "fraud",
    "scam",
    "scandal",
    "strike",
    "unsafe",
    "incident",
    "complain",
    "hidden",
    "overcharg",
    "spam",
    "error",
    "crash",
    "bug",
    "down",
    "emergenc",
    "hung",
    "wait",
    "queue",
    "slow",
    "declin",
    "disput",
    "penalt",
    "leak",
    "breach",
    "hack",
    "recall",
    "defect",
    "theft",
    "stolen",
    "overbook",
    "bump",
    "divert",
    "accident",
    "injur",
    "dead",
    "problem",
    "issue",
    "no answer",
    "tarmac",
];

/// Whether a phrase names a problem rather than a part of the service.
pub(crate) fn is_problem_phrase(phrase: &str) -> bool {
    let lower = phrase.to_ascii_lowercase();
    if [
        "not ", "no ", "can't ", "cannot ", "won't ", "doesn't ", "didn't ",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
    {
        return true;
    }
    PROBLEM_STEMS.iter().any(|stem| {
        if stem.contains(' ') {
            return lower.contains(stem);
        }
        lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            if stem.len() >= 5 {
                w.starts_with(stem)
            } else {
                w == *stem
                    || w.strip_prefix(stem).is_some_and(|rest| {
                        SUFFIXES.contains(&rest)
                            || rest.len() >= 2
                                && SUFFIXES.contains(&&rest[1..])
                                && rest.as_bytes()[0] == stem.as_bytes()[stem.len() - 1]
                    })
            }
        })
    })
}

/// Whether a noun phrase is plural ("miles", "lines"), for verb agreement.
pub(crate) fn is_plural(phrase: &str) -> bool {
    let last = phrase
        .split_whitespace()
        .last()
        .unwrap_or("")
        .to_ascii_lowercase();
    last.len() > 3
        && last.ends_with('s')
        && !last.ends_with("ss")
        && !last.ends_with("us")
        && !last.ends_with("is")
        && last != "news"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_like_the_enricher() {
        assert!(contains_phrase("flight delayed again", "delay"));
        assert!(contains_phrase("they cancelled it", "cancel"));
        assert!(contains_phrase("#delay", "delay"));
        assert!(!contains_phrase("online check", "line"));
        assert!(!contains_phrase("lately", "late"));
        assert!(contains_phrase("my lost bags", "lost bag"));
    }

    #[test]
    fn tells_nouns_from_other_phrases() {
        for p in [
            "baggage fee",
            "wifi",
            "lost bag",
            "check-in",
            "booking",
            "speed",
            "news",
        ] {
            assert!(is_noun_phrase(p), "{p}");
        }
        for p in [
            "on time",
            "on-time",
            "late",
            "cancelled",
            "book a flight",
            "fly to",
            "hung up",
        ] {
            assert!(!is_noun_phrase(p), "{p}");
        }
        assert!(is_state_phrase("cancelled"));
        assert!(is_state_phrase("on time"));
        assert!(is_state_phrase("missed my connection"));
        assert!(!is_state_phrase("rebook"));
        assert!(!is_state_phrase("fly to"));
        assert!(is_problem_phrase("lost bag"));
        assert!(is_problem_phrase("delay"));
        assert!(is_problem_phrase("dropped calls"));
        assert!(!is_problem_phrase("download speed"));
        assert!(!is_problem_phrase("crew"));
        assert!(!is_noun_phrase("charged twice"));
        assert!(!is_noun_phrase("escalate"));
        assert!(!is_noun_phrase("card arrive"));
        assert!(!is_noun_phrase("unfriendly"));
        assert!(!is_noun_phrase("speak english"));
        assert!(!is_noun_phrase("deprioritise"));
        assert!(is_noun_phrase("timetable"));
        assert!(is_noun_phrase("escalation"));
        assert!(is_noun_phrase("reward rate"));
        assert!(is_problem_phrase("not accepted"));
        assert!(is_plural("miles"));
        assert!(!is_plural("status"));
        assert!(!is_plural("business class"));
    }
}
