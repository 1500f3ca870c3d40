//! CX sentiment: VADER's rules extended with customer-experience knowledge.
//!
//! VADER reads emotion words. Customers writing to a brand often complain
//! without any ("flight delayed 3 hours, no update at the gate"), thank out
//! of politeness while complaining ("please help me get my refund, thanks")
//! and ask plain questions that VADER scores positive because of "please",
//! "help" or "like". [`CxSentiment`] runs VADER's own pipeline
//! ([`Vader::prepare`], [`Vader::rule_valences`]) and then adjusts the
//! per-word valences with rule families ([`CxRules`]) before scoring them
//! with VADER's formula ([`score::score_sentiments`]):
//!
//! - **service terms**: a lexicon of service failures and successes
//!   (delayed, cancelled, stranded, overcharged, on hold, outage; smooth,
//!   on time, upgraded), durations ("2 hours", "45min"), with VADER's
//!   negation, booster and capitals handling;
//! - **persistence**: "still", "again", "yet another", "3rd time", "keeps …ing";
//! - **absence**: expected outcomes that did not happen ("no reply",
//!   "never received", "still not working", "no one", "nobody"); a
//!   negation does not reach past its sentence ("Never again. Worst
//!   service ever.");
//! - **questions**: complaint questions ("why is …", "how long …", "what
//!   happened", "any update?") are negative; other questions are
//!   informational and their valences are scaled down to a quarter (a
//!   question does not assert a sentiment);
//! - **sarcasm**: "thanks for nothing", "thanks for the delay", "love being
//!   on hold", "Great, another delay", a closing "great" or "perfect" after
//!   a failure ("flight delayed again, great"), "#not";
//! - **politeness**: "please", a request for "help", "like" as a
//!   preposition, "hope", "ok"/"yes"/"sure" and a closing "thanks" after a
//!   request carry little or no sentiment;
//! - **gratitude**: thanks for a service ("thanks for the quick reply") is
//!   praise;
//! - **false friends**: @handles (`@united`) and the model's brand names
//!   ([`CxSentiment::with_neutral_names`]), "customer care", "support",
//!   "credit", "joke", "kidding", "pretty" as an adverb, products and
//!   programmes ("rewards", "benefits", "loyalty", "security") and the
//!   teams named after a problem ("dispute team", "fraud alert");
//! - **resolution**: a problem reported solved is praise, not a complaint
//!   ("they fixed my refund issue quickly", "chargeback resolved fast",
//!   "issue sorted within minutes"), unless negated, asked or requested
//!   ("still not resolved", "please get it sorted");
//! - **protection**: a threat stopped ("fraud alert caught a bad charge",
//!   "they spotted the fraud and blocked the card");
//! - **disappointment**: hedged disappointment stays negative and what it
//!   is about is no praise ("kinda disappointed with the rewards", "a bit
//!   let down by the new benefits"); unmet expectations ("expected
//!   better", "could be better", "fed up").
//!
//! The words are general customer-service language, not taken from any
//! evaluation set. The word table is a static open-addressing table built
//! at compile time; each token costs one lookup besides VADER's, and a
//! [`CxScratch`] makes repeated scoring allocation-free. Labels use CX
//! thresholds ([`CxSentiment::label`]). Each family can be switched off
//! ([`CxSentiment::with_rules`]) to measure what it contributes.
//!
//! ```
//! use tce_text::cx::CxSentiment;
//! let cx = CxSentiment::new();
//! assert!(cx.scores("Flight delayed 3 hours, no update at the gate").compound < -0.3);
//! assert!(cx.scores("Thanks for the quick reply, all sorted!").compound > 0.3);
//! assert_eq!(cx.scores("Do you fly to Lisbon in winter?").compound, 0.0);
//! ```

mod lexicon;
mod rules;
mod tokens;

use crate::vader::{score, SentimentScores, Vader, VaderScratch};
use lexicon::{Cue, Entry};
use tce_model::SentimentLabel;
use tokens::trim_punct;

pub(crate) use lexicon::trigger;

/// Rule-family bits (see [`CxRules`]).
pub(crate) mod family {
    pub const SERVICE_TERMS: u16 = 1;
    pub const PERSISTENCE: u16 = 2;
    pub const ABSENCE: u16 = 4;
    pub const QUESTIONS: u16 = 8;
    pub const SARCASM: u16 = 16;
    pub const POLITENESS: u16 = 32;
    pub const GRATITUDE: u16 = 64;
    pub const FALSE_FRIENDS: u16 = 128;
    pub const RESOLUTION: u16 = 256;
    pub const PROTECTION: u16 = 512;
    pub const DISAPPOINTMENT: u16 = 1024;
}

/// A set of CX rule families. [`CxSentiment::new`] uses them all; a subset
/// measures what each family contributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CxRules(u16);

impl CxRules {
    /// No CX rule: the engine scores exactly like VADER.
    pub const NONE: CxRules = CxRules(0);
    /// Every family.
    pub const ALL: CxRules = CxRules(0x7ff);
    /// Service failure/success lexicon and durations.
    pub const SERVICE_TERMS: CxRules = CxRules(family::SERVICE_TERMS);
    /// "still", "again", "yet another", "3rd time".
    pub const PERSISTENCE: CxRules = CxRules(family::PERSISTENCE);
    /// Expected outcomes that did not happen: "no reply", "never received".
    pub const ABSENCE: CxRules = CxRules(family::ABSENCE);
    /// Complaint questions negative, informational questions hedged.
    pub const QUESTIONS: CxRules = CxRules(family::QUESTIONS);
    /// Sarcasm markers.
    pub const SARCASM: CxRules = CxRules(family::SARCASM);
    /// Politeness words that are not sentiment.
    pub const POLITENESS: CxRules = CxRules(family::POLITENESS);
    /// Gratitude for a service.
    pub const GRATITUDE: CxRules = CxRules(family::GRATITUDE);
    /// Handles and domain nouns VADER reads as sentiment.
    pub const FALSE_FRIENDS: CxRules = CxRules(family::FALSE_FRIENDS);
    /// A problem reported solved: "they fixed my refund issue quickly".
    pub const RESOLUTION: CxRules = CxRules(family::RESOLUTION);
    /// A threat stopped: "fraud alert caught a bad charge".
    pub const PROTECTION: CxRules = CxRules(family::PROTECTION);
    /// Disappointment, hedged or not, and unmet expectations: "kinda
    /// disappointed with the rewards", "expected better".
    pub const DISAPPOINTMENT: CxRules = CxRules(family::DISAPPOINTMENT);

    /// Each family with its name.
    pub const FAMILIES: [(&'static str, CxRules); 11] = [
        ("service_terms", CxRules::SERVICE_TERMS),
        ("persistence", CxRules::PERSISTENCE),
        ("absence", CxRules::ABSENCE),
        ("questions", CxRules::QUESTIONS),
        ("sarcasm", CxRules::SARCASM),
        ("politeness", CxRules::POLITENESS),
        ("gratitude", CxRules::GRATITUDE),
        ("false_friends", CxRules::FALSE_FRIENDS),
        ("resolution", CxRules::RESOLUTION),
        ("protection", CxRules::PROTECTION),
        ("disappointment", CxRules::DISAPPOINTMENT),
    ];

    /// Whether every family of `other` is in `self`.
    pub const fn contains(self, other: CxRules) -> bool {
        self.0 & other.0 == other.0
    }

    /// `self` plus the families of `other`.
    pub const fn with(self, other: CxRules) -> CxRules {
        CxRules(self.0 | other.0)
    }

    /// `self` without the families of `other`.
    pub const fn without(self, other: CxRules) -> CxRules {
        CxRules(self.0 & !other.0)
    }

    #[inline]
    fn has(self, family: u16) -> bool {
        self.0 & family != 0
    }
}

impl Default for CxRules {
    fn default() -> Self {
        CxRules::ALL
    }
}

/// What the CX rules found in a text besides its scores: the cues intents
/// are built on ([`crate::intent`]). Counts saturate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CxCues {
    /// Service-failure cues: failure terms, durations, missing outcomes,
    /// persistence markers, complaint questions, sarcasm.
    pub failures: u16,
    /// Service-success cues: success terms and gratitude for a service.
    pub successes: u16,
    /// Sentences ending with `?`.
    pub questions: u16,
    /// Sentences that open like a question without a `?` ("how do I …").
    pub interrogatives: u16,
    /// Questions that are complaints ("why is …", "how long …", "any update?").
    pub complaint_questions: u16,
    /// Requests: "please", "can you …", "help me", "need".
    pub requests: u16,
    /// Gratitude for a service ("thanks for the quick reply").
    pub gratitude: u16,
    /// Sarcasm markers ("thanks for nothing", "love being on hold").
    pub sarcasm: u16,
    /// Threats to leave ("switching to", "cancel my account", "never again").
    pub churn: u16,
    /// Problems reported solved ("resolved my chargeback", "issue sorted")
    /// and threats stopped ("caught a fraudulent charge").
    pub resolutions: u16,
}

/// Factor on the valences of an informational question: asking "is the
/// lounge any good?" or "is my flight delayed?" asserts little.
const INFO_QUESTION_HEDGE: f64 = 0.25;

/// Token flags.
const MENTION: u16 = 1;
const HASHTAG: u16 = 2;
/// Trailing punctuation has a `?`.
const QMARK: u16 = 4;
/// Trailing punctuation ends a sentence (`.`, `!`, `?`).
const SENT_END: u16 = 8;
/// A number ("3", "2.5").
const NUM: u16 = 16;
/// A numeric ordinal ("3rd").
const ORDINAL: u16 = 32;
/// A number glued to a time unit ("2hrs").
const NUM_UNIT: u16 = 64;
/// Trailing `,` `;` `:`.
const COMMA: u16 = 128;
/// Negates what follows: VADER's negations plus "no", "zero".
const NEGATOR: u16 = 256;
/// Has no ASCII letter (emoticons, "&amp;", "-").
const NO_LETTER: u16 = 512;
/// "#sarcasm" or "/s".
const SARCASM_TAG: u16 = 1024;

/// One token as the CX rules see it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    pub entry: Option<&'static Entry>,
    pub flags: u16,
    /// Index of its sentence.
    pub sent: u16,
}

impl Tok {
    #[inline]
    pub fn cue(&self) -> Cue {
        self.entry.map_or(Cue::None, |e| e.cue)
    }

    #[inline]
    pub fn triggers(&self) -> u8 {
        self.entry.map_or(0, |e| e.triggers)
    }
}

/// One sentence: tokens `start..end`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sentence {
    pub start: u32,
    pub end: u32,
    /// First content token (not a handle, hashtag, filler or emoticon);
    /// `end` when there is none.
    pub first: u32,
    /// Ends with `?`.
    pub question: bool,
    /// Token carrying the complaint-question valence, if it is one.
    pub complaint_at: Option<u32>,
    /// Valence of a complaint question.
    pub complaint_val: f32,
}

impl Sentence {
    /// An informational question: asks without complaining.
    #[inline]
    pub fn info_question(&self) -> bool {
        self.question && self.complaint_at.is_none()
    }
}

/// Reusable working memory for [`CxSentiment::scores_with`]: VADER's
/// scratch plus the CX token view. After scoring it also tells what cues
/// the text had ([`CxScratch::cues`]).
#[derive(Debug, Clone, Default)]
pub struct CxScratch {
    vader: VaderScratch,
    toks: Vec<Tok>,
    sents: Vec<Sentence>,
    vals: Vec<f64>,
    cues: CxCues,
    but_at: usize,
    /// Bit `1 << cue` for each cue present, and all token flags, so the
    /// rule passes can skip texts without their cues.
    cues_seen: u64,
    flags_seen: u16,
}

impl CxScratch {
    /// Empty scratch space.
    pub fn new() -> CxScratch {
        CxScratch::default()
    }

    /// The cues of the last text scored.
    pub fn cues(&self) -> CxCues {
        self.cues
    }

    /// VADER's view of the last text scored (words, VADER's own valences).
    pub fn vader(&self) -> &VaderScratch {
        &self.vader
    }

    /// VADER's own scores of the last text scored: the CX engine runs
    /// VADER's pipeline first, so they equal [`Vader::polarity_scores`]
    /// at no extra cost.
    pub fn vader_scores(&self) -> SentimentScores {
        score::score_sentiments(self.vader.sentiments(), self.vader.punctuation_emphasis())
    }

    /// Per-word valences after the CX rules.
    pub fn valences(&self) -> &[f64] {
        &self.vals
    }

    /// Number of words of the last text scored.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// Whether the last text scored had no words.
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// The `i`-th word, lowercased, without surrounding punctuation.
    pub fn word(&self, i: usize) -> &str {
        trim_punct(self.vader.word(i))
    }

    pub(crate) fn toks(&self) -> &[Tok] {
        &self.toks
    }

    pub(crate) fn sents(&self) -> &[Sentence] {
        &self.sents
    }

    /// Whether token `i` is a handle or hashtag.
    pub(crate) fn is_tag(&self, i: usize) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.flags & (MENTION | HASHTAG) != 0)
    }

    /// Whether a clause starts with token `i` ("but", "however") and
    /// whether one ends after it (sentence end, comma).
    pub(crate) fn clause_break(&self, i: usize) -> (bool, bool) {
        let end = self
            .toks
            .get(i)
            .is_some_and(|t| t.flags & (SENT_END | COMMA) != 0);
        let start = self.toks.get(i).is_some_and(|t| t.cue() == Cue::Contrast);
        (start, end)
    }

    /// Whether token `i` is in a sentence ending with `?`.
    pub(crate) fn in_question(&self, i: usize) -> bool {
        self.toks
            .get(i)
            .and_then(|t| self.sents.get(usize::from(t.sent)))
            .is_some_and(|s| s.question)
    }

    /// Whether token `i` negates what follows.
    pub(crate) fn is_negator(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.flags & NEGATOR != 0)
    }
}

/// The CX sentiment engine. The tables are static; the engine only owns
/// its optional list of neutral names.
#[derive(Debug, Clone)]
pub struct CxSentiment {
    vader: Vader,
    rules: CxRules,
    /// Lowercase words that name things (brands, products) and carry no
    /// sentiment, sorted ("united", "spirit", "best").
    names: Vec<String>,
}

impl Default for CxSentiment {
    fn default() -> Self {
        CxSentiment::new()
    }
}

impl CxSentiment {
    /// Compound at or above which a text is positive.
    ///
    /// Higher than VADER's 0.05: in customer messages weak positive
    /// valence is mostly courtesy ("thanks", "ok"), not praise.
    pub const POSITIVE_THRESHOLD: f64 = 0.25;
    /// Compound at or below which a text is negative (VADER's −0.05: a
    /// single service-failure cue is a complaint).
    pub const NEGATIVE_THRESHOLD: f64 = -0.05;

    /// The engine with every rule family.
    pub fn new() -> CxSentiment {
        CxSentiment::with_rules(CxRules::ALL)
    }

    /// The engine with the given rule families only.
    pub fn with_rules(rules: CxRules) -> CxSentiment {
        CxSentiment {
            vader: Vader::new(),
            rules,
            names: Vec::new(),
        }
    }

    /// The engine that also treats these words as names without sentiment
    /// (with [`CxRules::FALSE_FRIENDS`]): brand and product names that are
    /// also English words VADER scores ("United", "Spirit", "Best Buy").
    /// Each name is split into words; matching is case-insensitive.
    pub fn with_neutral_names<'a>(
        mut self,
        names: impl IntoIterator<Item = &'a str>,
    ) -> CxSentiment {
        for name in names {
            for w in name.split(|c: char| !c.is_alphanumeric() && c != '\'') {
                let w = w.to_lowercase();
                if !w.is_empty() && self.vader.lexicon_valence(&w).is_some() {
                    self.names.push(w);
                }
            }
        }
        self.names.sort_unstable();
        self.names.dedup();
        self
    }

    /// The neutral names in use (lowercase words with a VADER valence).
    pub fn neutral_names(&self) -> &[String] {
        &self.names
    }

    /// The rule families in use.
    pub fn rules(&self) -> CxRules {
        self.rules
    }

    /// Number of words in the CX table.
    pub fn lexicon_len(&self) -> usize {
        lexicon::len()
    }

    /// The three-way label of a CX compound score, with the CX thresholds
    /// ([`CxSentiment::POSITIVE_THRESHOLD`], [`CxSentiment::NEGATIVE_THRESHOLD`]).
    pub fn label(compound: f64) -> SentimentLabel {
        if compound >= Self::POSITIVE_THRESHOLD {
            SentimentLabel::Positive
        } else if compound <= Self::NEGATIVE_THRESHOLD {
            SentimentLabel::Negative
        } else {
            SentimentLabel::Neutral
        }
    }

    /// neg/neu/pos/compound of `text` in VADER's format.
    pub fn scores(&self, text: &str) -> SentimentScores {
        self.scores_with(text, &mut CxScratch::new())
    }

    /// [`CxSentiment::scores`] reusing `scratch` (no allocation once its
    /// buffers have grown); `scratch` then also holds the text's cues.
    pub fn scores_with(&self, text: &str, scratch: &mut CxScratch) -> SentimentScores {
        self.vader.prepare(text, &mut scratch.vader);
        self.vader.rule_valences(&mut scratch.vader);
        tokens::tokenize(scratch);
        rules::apply(scratch, self.rules, &self.names);
        score::score_sentiments(&scratch.vals, scratch.vader.punctuation_emphasis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compound(text: &str) -> f64 {
        CxSentiment::new().scores(text).compound
    }

    #[test]
    fn no_rules_is_vader() {
        let cx = CxSentiment::with_rules(CxRules::NONE);
        let vader = Vader::new();
        for text in [
            "VADER is smart, handsome, and funny.",
            "@united thanks for nothing, flight delayed again",
            "Not bad at all :) but the food was cold!!",
            "",
        ] {
            assert_eq!(cx.scores(text), vader.polarity_scores(text), "{text}");
        }
    }

    #[test]
    fn complaints_without_emotion_words() {
        for text in [
            "flight delayed 3 hours, no update at the gate",
            "Been on hold for 45 min",
            "still waiting for my refund",
            "Charged twice and nobody answers the phone",
            "my bag never arrived",
            "3rd time this month the app is down and not working",
            "why is my flight cancelled?",
        ] {
            assert!(compound(text) < -0.05, "{text}: {}", compound(text));
        }
    }

    #[test]
    fn praise_and_questions() {
        assert!(compound("Thanks for the help with my booking!") > 0.25);
        assert!(compound("Smooth flight, on time, great crew") > 0.25);
        for text in [
            "Can you help me change my seat please?",
            "Do you have wifi on the plane?",
            "@united what is the baggage allowance?",
        ] {
            let c = compound(text);
            assert!(c.abs() < 0.25, "{text}: {c}");
        }
    }

    #[test]
    fn sarcasm_and_politeness() {
        assert!(compound("thanks for nothing") < -0.05);
        assert!(compound("Thanks for the 3 hour delay") < -0.05);
        assert!(compound("love being on hold all morning") < -0.05);
        assert!(compound("Great. Another delay.") < -0.05);
        assert!(compound("please help me get my refund, thanks") < -0.05);
    }

    #[test]
    fn odd_inputs() {
        for text in [
            "",
            " ",
            "?",
            "@",
            "#",
            "!!!",
            "’’’",
            "1st",
            "2hrs",
            "45",
            "3:30pm",
            "can’t check in",
            "😀🎲",
            "no",
            "thanks",
            "but",
            "not",
            "/s",
            "#not",
            "on hold",
            "x".repeat(300).as_str(),
            "É́ DELAYED à l'aéroport",
            "\u{1c}delayed\u{1f}again\u{a0}",
            "no one",
            "why",
            "how long?",
        ] {
            let s = CxSentiment::new().scores(text);
            assert!(
                s.compound.is_finite() && (-1.0..=1.0).contains(&s.compound),
                "{text:?}"
            );
        }
        assert!(compound("can’t check in") < -0.05);
    }

    #[test]
    fn long_texts_stay_linear() {
        // Quadratic rules would take minutes here.
        let text = "Great, thanks again! still again why? no one thanks ".repeat(40_000);
        let s = CxSentiment::new().scores(&text);
        assert!(s.compound.is_finite());
    }

    #[test]
    fn labels_use_cx_thresholds() {
        assert_eq!(CxSentiment::label(0.1), SentimentLabel::Neutral);
        assert_eq!(CxSentiment::label(0.3), SentimentLabel::Positive);
        assert_eq!(CxSentiment::label(-0.06), SentimentLabel::Negative);
    }
}
