//! The CX rules: one [`Pass`] over a tokenized text adjusts VADER's
//! per-word valences family by family and records the cues it found.

use super::lexicon::{self, trigger, Cue, Entry};
use super::tokens::trim_punct;
use super::{
    family, CxCues, CxRules, CxScratch, Sentence, Tok, COMMA, HASHTAG, INFO_QUESTION_HEDGE,
    MENTION, NEGATOR, NO_LETTER, NUM, NUM_UNIT, ORDINAL, SARCASM_TAG, SENT_END,
};
use crate::vader::rules::{C_INCR, N_SCALAR};
use crate::vader::{Vader, VaderScratch};

/// Applies `rules` to the tokenized text in `scratch`.
pub(super) fn apply(scratch: &mut CxScratch, rules: CxRules, names: &[String]) {
    let CxScratch {
        vader,
        toks,
        sents,
        vals,
        cues,
        but_at,
        cues_seen,
        flags_seen,
    } = scratch;
    Pass {
        v: vader,
        toks,
        sents,
        vals,
        cues,
        but_at: *but_at,
        rules,
        names,
        cues_seen: *cues_seen,
        flags_seen: *flags_seen,
    }
    .run();
}

/// Determiners and possessives skipped inside short patterns.
#[rustfmt::skip]
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "my", "our", "your", "ur", "his", "her", "their", "this", "that", "these",
    "those", "all", "any", "such", "some",
];

/// What customers ask for when they ask "any …?".
#[rustfmt::skip]
const NEWS: &[&str] = &[
    "update", "updates", "news", "word", "eta", "info", "information", "response", "reply",
    "answer", "progress",
];

/// Kinds of company a customer leaves for another.
#[rustfmt::skip]
const COMPANIES: &[&str] = &[
    "airline", "airlines", "carrier", "company", "provider", "bank", "operator", "brand", "hotel",
    "network", "service", "store", "shop",
];

/// Contracts a customer cancels when leaving.
#[rustfmt::skip]
const ACCOUNTS: &[&str] = &[
    "account", "subscription", "membership", "card", "contract", "plan", "policy", "service",
    "services", "loyalty", "order", "line",
];

/// Verbs of "never fly/use/book …".
#[rustfmt::skip]
const NEVER_VERBS: &[&str] = &[
    "fly", "flying", "use", "using", "book", "booking", "buy", "buying", "shop", "shopping",
    "recommend", "return", "choose", "order", "ordering",
];

/// Words before "elsewhere" in "take my business elsewhere".
#[rustfmt::skip]
const ELSEWHERE_VERBS: &[&str] = &[
    "business", "go", "going", "shop", "shopping", "look", "looking", "fly", "flying", "money",
];

/// Verbs of "last time I fly/use …".
#[rustfmt::skip]
const LAST_TIME_VERBS: &[&str] = &[
    "fly", "use", "book", "buy", "shop", "order", "choose", "travel", "deal", "ever", "will",
    "i'll",
];

/// What sarcastic "love …" endures ("love being on hold").
#[rustfmt::skip]
const ENDURED: &[&str] = &[
    "being", "waiting", "sitting", "standing", "spending", "paying",
];

/// Words that may follow a closing "thanks".
#[rustfmt::skip]
const CLOSING_WORDS: &[&str] = &[
    "you", "u", "in", "advance", "so", "much", "again", "guys", "all", "very", "a", "lot",
    "everyone", "team",
];

/// Problems a customer reports solved ("my refund issue", "the chargeback").
#[rustfmt::skip]
const PROBLEMS: &[&str] = &[
    "issue", "issues", "problem", "problems", "dispute", "disputes", "chargeback", "chargebacks",
    "error", "errors", "mistake", "mistakes", "complaint", "complaints", "charge", "charges",
    "glitch", "glitches", "bug", "bugs", "fault", "trouble", "fraud", "claim", "case", "ticket",
    "overcharge", "query", "refund", "refunds", "billing", "crash", "crashes", "outage", "outages",
    "delay", "delays", "cancellation", "missing", "lost", "fraudulent", "scam", "hack", "breach",
    "penalty",
];

/// Words before a resolution verb that make it a wish or a request ("needs
/// to be fixed", "please get it sorted", "if I got it refunded").
#[rustfmt::skip]
const UNREAL: &[&str] = &[
    "to", "be", "please", "pls", "plz", "need", "needs", "should", "must", "will", "can", "could",
    "would", "want", "wants", "get", "getting", "hope", "hoping", "hopefully", "if", "until",
    "once", "unless", "failed", "wish", "i'll", "we'll", "you'll", "gonna", "forward",
];

/// Words that end the look-back for [`UNREAL`]: a new clause or the agent
/// who did the fixing ("I called to complain and they resolved it").
#[rustfmt::skip]
const UNREAL_STOP: &[&str] = &[
    "and", "then", "so", "they", "he", "she", "we", "agent", "rep", "team", "staff", "finally",
];

/// Hearsay earlier in the sentence: "I was told my issue was resolved".
#[rustfmt::skip]
const HEARSAY: &[&str] = &[
    "told", "said", "says", "claimed", "claims", "claim", "promised", "assured", "supposedly",
    "apparently", "allegedly", "supposed", "thought",
];

/// Resolution verbs that only praise when a problem is named with them
/// ("handled my complaint", not "handled the booking").
const WEAK_RESOLUTIONS: &[&str] = &["processed", "cleared", "handled", "credited", "dealt"];

/// Speed of a remedy ("fixed it quickly", "resolved fast").
#[rustfmt::skip]
const SPEED: &[&str] = &[
    "fast", "quick", "quickly", "promptly", "swiftly", "immediately", "instantly", "speedily",
    "asap", "straightaway",
];

/// Threats a customer is protected from.
#[rustfmt::skip]
const THREATS: &[&str] = &[
    "fraud", "fraudulent", "scam", "scams", "scammer", "scammers", "suspicious", "unauthorized",
    "unauthorised", "stolen", "theft", "hack", "hacked", "hacker", "hackers", "hacking",
    "phishing", "fraudster", "fraudsters", "skimming", "skimmer", "breach",
];

/// Adjectives that make a transaction a threat ("a bad charge").
#[rustfmt::skip]
const SUSPECT: &[&str] = &[
    "bad", "fake", "strange", "weird", "odd", "unknown", "dodgy", "shady", "unusual", "suspect",
];

/// Transactions and contacts that can be fraudulent.
#[rustfmt::skip]
const TRANSACTIONS: &[&str] = &[
    "charge", "charges", "transaction", "transactions", "payment", "payments", "purchase",
    "purchases", "login", "logins", "activity", "email", "emails", "call", "calls", "text",
    "texts", "link", "attempt", "attempts", "withdrawal", "withdrawals", "order",
];

/// Protective actions taken on a card or account once a threat is caught
/// ("… and blocked the card").
const SAFEGUARDS: &[&str] = &[
    "blocked", "stopped", "declined", "froze", "frozen", "locked",
];

/// Teams and tools named after the problem they handle ("fraud team",
/// "dispute process", "fraud alert").
#[rustfmt::skip]
const TEAMS: &[&str] = &[
    "team", "teams", "department", "dept", "unit", "desk", "alert", "alerts", "protection",
    "prevention", "detection", "process", "specialist", "specialists", "services", "service",
    "line", "hotline", "center", "centre", "monitoring", "officer", "agent", "agents", "squad",
    "resolution", "handling", "system", "check", "checks", "notification", "notifications",
];

/// Problem words that name a team or tool before one of [`TEAMS`].
#[rustfmt::skip]
const TEAM_NAMES: &[&str] = &[
    "fraud", "dispute", "disputes", "complaint", "complaints", "scam", "claims", "chargeback",
];

/// Words between a disappointment and what it is about ("disappointed
/// with", "let down by").
#[rustfmt::skip]
const ABOUT: &[&str] = &[
    "with", "by", "in", "about", "at", "over", "of", "that", "because", "how", "when", "w",
];

/// Words skipped between "expected" and "more"/"better" ("expected a lot more").
#[rustfmt::skip]
const EXPECT_FILLERS: &[&str] = &[
    "for", "so", "much", "a", "lot", "way", "far", "something", "bit", "little", "far", "alot",
];

/// Modifiers before a closing interjection ("…, just great").
#[rustfmt::skip]
const INTERJ_LEAD: &[&str] = &[
    "just", "oh", "how", "so", "really", "very", "absolutely", "simply", "well", "jus", "real",
];

/// Words after a closing interjection ("…, great job").
#[rustfmt::skip]
const INTERJ_TAIL: &[&str] = &[
    "job", "work", "one", "stuff", "service", "guys", "going", "thanks", "thx", "again", "timing",
    "move", "you", "u", "there", "lol",
];

/// Verbs of a wished-for change after "wish" ("wish you had …").
#[rustfmt::skip]
const WISH_VERBS: &[&str] = &[
    "had", "would", "could", "were", "was", "offered", "made", "let", "allowed", "flew", "showed",
    "added", "did", "gave", "cared",
];

/// What a "welcome" names rather than praises ("the welcome bonus").
#[rustfmt::skip]
const WELCOMED: &[&str] = &[
    "bonus", "bonuses", "offer", "offers", "pack", "package", "kit", "gift", "email", "letter",
    "call", "points", "drink", "drinks", "screen", "message", "credit",
];

/// Longest clause span the frames look at on each side of their word.
const MAX_CLAUSE: usize = 8;

/// Determiners and possessives skipped inside short patterns.
#[inline]
fn is_det(w: &str) -> bool {
    DETERMINERS.contains(&w)
}

/// One application of the CX rules to a prepared text.
struct Pass<'a> {
    v: &'a VaderScratch,
    toks: &'a [Tok],
    sents: &'a mut [Sentence],
    vals: &'a mut [f64],
    cues: &'a mut CxCues,
    but_at: usize,
    rules: CxRules,
    names: &'a [String],
    cues_seen: u64,
    flags_seen: u16,
}

/// Saturating increment of a cue count.
#[inline]
fn bump(count: &mut u16) {
    *count = count.saturating_add(1);
}

impl Pass<'_> {
    #[inline]
    fn n(&self) -> usize {
        self.toks.len()
    }

    /// Whether some token has this cue.
    #[inline]
    fn seen(&self, cue: Cue) -> bool {
        self.cues_seen & (1u64 << (cue as u8 & 63)) != 0
    }

    /// Trimmed lowercase word `i` ("" out of range).
    #[inline]
    fn w(&self, i: usize) -> &str {
        if i < self.n() {
            trim_punct(self.v.word(i))
        } else {
            ""
        }
    }

    /// VADER or CX valence of a word outside the text (hashtag parts).
    fn v_lex(&self, word: &str) -> f64 {
        Vader::new()
            .lexicon_valence(word)
            .or_else(|| {
                lexicon::lookup(word.as_bytes())
                    .filter(|e| e.has_val())
                    .map(|e| f64::from(e.val))
            })
            .unwrap_or(0.0)
    }

    #[inline]
    fn cue(&self, i: usize) -> Cue {
        self.toks.get(i).map_or(Cue::None, Tok::cue)
    }

    #[inline]
    fn flag(&self, i: usize, f: u16) -> bool {
        self.toks.get(i).is_some_and(|t| t.flags & f != 0)
    }

    #[inline]
    fn val(&self, i: usize) -> f64 {
        self.vals.get(i).copied().unwrap_or(0.0)
    }

    /// Sentence of token `i`.
    #[inline]
    fn sent(&self, i: usize) -> Option<&Sentence> {
        self.toks
            .get(i)
            .and_then(|t| self.sents.get(usize::from(t.sent)))
    }

    #[inline]
    fn same_sentence(&self, a: usize, b: usize) -> bool {
        match (self.toks.get(a), self.toks.get(b)) {
            (Some(x), Some(y)) => x.sent == y.sent,
            _ => false,
        }
    }

    /// Whether token `i` is in an informational question.
    #[inline]
    fn in_info_question(&self, i: usize) -> bool {
        self.rules.has(family::QUESTIONS) && self.sent(i).is_some_and(Sentence::info_question)
    }

    /// VADER's "but" rule factor for a valence placed at `i`.
    #[inline]
    fn but_factor(&self, i: usize) -> f64 {
        use std::cmp::Ordering::*;
        if self.but_at == usize::MAX {
            return 1.0;
        }
        match i.cmp(&self.but_at) {
            Less => 0.5,
            Greater => 1.5,
            Equal => 1.0,
        }
    }

    /// Sets the valence of word `i` (before the "but" rule).
    #[inline]
    fn set(&mut self, i: usize, v: f64) {
        let f = self.but_factor(i);
        if let Some(x) = self.vals.get_mut(i) {
            *x = v * f;
        }
    }

    /// A quantity word or number at `i`.
    #[inline]
    fn is_quantity(&self, i: usize) -> bool {
        self.flag(i, NUM) || matches!(self.cue(i), Cue::Quantity | Cue::One)
    }

    /// The negator within the three preceding words of the same sentence
    /// (or "yet to"), as VADER's negation window.
    fn negator_before(&self, i: usize) -> Option<usize> {
        for k in 1..=3 {
            let Some(j) = i.checked_sub(k) else { break };
            if !self.same_sentence(i, j) {
                break;
            }
            if self.flag(j, NEGATOR) {
                return Some(j);
            }
        }
        if i >= 2 && self.w(i - 1) == "to" && self.w(i - 2) == "yet" {
            return Some(i - 2);
        }
        None
    }

    /// Valence `base` of word `i` in context: capitals, boosters and
    /// negation as VADER applies them; a negated word takes `negval`
    /// when it has one.
    fn contextual(&mut self, i: usize, base: f64, negval: f64) -> f64 {
        let mut v = base;
        if self.v.is_upper(i) && self.v.is_cap_diff() && v != 0.0 {
            v += C_INCR.copysign(v);
        }
        for (k, damp) in [(1, 1.0), (2, 0.95), (3, 0.9)] {
            let Some(j) = i.checked_sub(k) else { break };
            if !self.same_sentence(i, j) {
                break;
            }
            if self.v.lexicon_valence(j).is_none() {
                if let Some(b) = self.v.booster(j) {
                    v += if v < 0.0 { -b } else { b } * damp;
                }
            }
        }
        // "never fixed my issue": the negation belongs to the verb in
        // between, not to the problem after it.
        let negator = self
            .negator_before(i)
            .filter(|&j| !(v < 0.0 && (j + 1..i).any(|k| self.cue(k) == Cue::Expected)));
        if let Some(j) = negator {
            v = if negval.is_nan() {
                v * N_SCALAR
            } else {
                negval
            };
            self.end_negation_scope(i, j);
            // VADER scored a bare "no" before a word outside its lexicon as
            // negative itself; the negated CX word now carries that.
            if self.cue(j) == Cue::No {
                if let Some(x) = self.vals.get_mut(j) {
                    *x = 0.0;
                }
            }
        }
        v
    }

    /// The negator at `j` attaches to the CX word at `i`: VADER words
    /// after `i` that VADER negated only because of `j` ("not working
    /// WTF") get their own polarity back.
    fn end_negation_scope(&mut self, i: usize, j: usize) {
        for k in i + 1..=(j + 3).min(self.n().saturating_sub(1)) {
            if !self.same_sentence(i, k) {
                break;
            }
            let Some(lex) = self.v.lexicon_valence(k) else {
                continue;
            };
            let other_negator = (k.saturating_sub(3)..k).any(|m| m != j && self.flag(m, NEGATOR));
            let v = self.val(k);
            if !other_negator && v != 0.0 && (v > 0.0) != (lex > 0.0) {
                if let Some(x) = self.vals.get_mut(k) {
                    *x = v / N_SCALAR;
                }
            }
        }
    }

    /// Sets word `i` to `base` in context and counts it as a cue.
    fn apply_term(&mut self, i: usize, base: f64, negval: f64) {
        let v = self.contextual(i, base, negval);
        self.set(i, v);
        if v < 0.0 {
            bump(&mut self.cues.failures);
        } else if v > 0.0 {
            bump(&mut self.cues.successes);
        }
    }

    fn run(&mut self) {
        self.classify_questions();
        for i in 0..self.n() {
            self.token_rules(i);
            if self
                .toks
                .get(i)
                .is_some_and(|t| t.triggers() & trigger::CHURN != 0)
            {
                self.churn(i);
            }
        }
        self.frames();
        let thanks = self.seen(Cue::Thanks) || self.seen(Cue::Grateful);
        for i in (0..self.n()).filter(|_| thanks) {
            if self.rules.has(family::POLITENESS) && self.declined(i) {
                self.set(i, 0.0);
                if let Some(x) = self.vals.get_mut(i - 1) {
                    *x = 0.0;
                }
            } else if matches!(self.cue(i), Cue::Thanks | Cue::Grateful) {
                self.thanks_frame(i);
            }
        }
        let sarcasm_cues = self.seen(Cue::Love)
            || self.seen(Cue::Interj)
            || self.seen(Cue::Not)
            || self.flags_seen & SARCASM_TAG != 0;
        if self.rules.has(family::SARCASM) && sarcasm_cues {
            self.sarcasm();
        }
        self.questions();
        if self.rules.has(family::POLITENESS) && self.seen(Cue::Thanks) {
            self.closing_thanks();
        }
    }

    /// The clause around token `i`, as `start..end`: back to the previous
    /// `,` `;` or sentence end, forward to the next, never across a
    /// contrast word ("but"), at most [`MAX_CLAUSE`] tokens each way.
    fn clause(&self, i: usize) -> (usize, usize) {
        let mut a = i;
        while a > 0 && i - a < MAX_CLAUSE && self.cue(a) != Cue::Contrast {
            let p = a - 1;
            if !self.same_sentence(i, p) || self.flag(p, COMMA) {
                break;
            }
            a = p;
        }
        let mut b = i;
        while b + 1 < self.n()
            && b - i < MAX_CLAUSE
            && !self.flag(b, COMMA | SENT_END)
            && self.same_sentence(b, b + 1)
            && self.cue(b + 1) != Cue::Contrast
        {
            b += 1;
        }
        (a, b + 1)
    }

    /// Zeroes the valence of token `k`; a CX failure cue it carried no
    /// longer counts.
    fn neutralize(&mut self, k: usize) {
        let v = self.val(k);
        if v == 0.0 {
            return;
        }
        let counted = self
            .toks
            .get(k)
            .and_then(|t| t.entry)
            .is_some_and(|e| matches!(e.cue, Cue::Term | Cue::Expected));
        if v < 0.0 && counted {
            self.cues.failures = self.cues.failures.saturating_sub(1);
        }
        if let Some(x) = self.vals.get_mut(k) {
            *x = 0.0;
        }
    }

    /// Whether token `k` names a problem ("issue", "chargeback", "refund").
    fn is_problem(&self, k: usize) -> bool {
        PROBLEMS.contains(&self.w(k))
            || self
                .toks
                .get(k)
                .and_then(|t| t.entry)
                .is_some_and(|e| e.cue == Cue::Expected && e.has_val() && e.val < 0.0)
    }

    /// The frame rules that read a clause around a trigger word: problems
    /// solved, threats stopped, teams named after a problem, disappointment.
    fn frames(&mut self) {
        let r = self.rules;
        let n = self.n();
        let bits = self.toks.iter().fold(0u8, |acc, t| acc | t.triggers());
        if r.has(family::ABSENCE) && self.flags_seen & NEGATOR != 0 && self.sents.len() > 1 {
            self.negation_stops_at_sentence_end();
        }
        if r.has(family::FALSE_FRIENDS) {
            for i in 0..n {
                if self.val(i) <= 0.0 {
                    continue;
                }
                let prev = self.w(i.wrapping_sub(1));
                let idiom = match self.w(i) {
                    // "on the other hand", "mediocre at best", "FYI".
                    "hand" => prev == "other",
                    "best" => prev == "at",
                    "fyi" => true,
                    // "the welcome bonus", "a welcome pack".
                    "welcome" => WELCOMED.contains(&self.w(i + 1)),
                    _ => false,
                };
                if idiom {
                    self.set(i, 0.0);
                }
            }
            for i in 0..n {
                if self.val(i) < 0.0
                    && !self.flag(i, COMMA | SENT_END)
                    && TEAM_NAMES.contains(&self.w(i))
                    && TEAMS.contains(&self.w(i + 1))
                {
                    self.neutralize(i);
                }
            }
        }
        if r.has(family::POLITENESS) {
            for i in 0..n {
                if self.val(i) > 0.0 {
                    self.wish(i);
                }
            }
        }
        if r.has(family::RESOLUTION) && bits & trigger::RESOLVE != 0 {
            for i in 0..n {
                if self
                    .toks
                    .get(i)
                    .is_some_and(|t| t.triggers() & trigger::RESOLVE != 0)
                {
                    self.resolution(i);
                }
            }
        }
        if r.has(family::PROTECTION) && bits & trigger::PROTECT != 0 {
            // Sentences where a threat was stopped (bit per sentence, the
            // first 64): a card blocked there protects too.
            let mut protected: u64 = 0;
            for i in 0..n {
                if self
                    .toks
                    .get(i)
                    .is_some_and(|t| t.triggers() & trigger::PROTECT != 0)
                    && self.protection(i)
                {
                    if let Some(t) = self.toks.get(i) {
                        protected |= 1u64 << (t.sent & 63);
                    }
                }
            }
            for i in (0..n).filter(|_| protected != 0) {
                let sent_bit = self.toks.get(i).map_or(0, |t| 1u64 << (t.sent & 63));
                if protected & sent_bit != 0
                    && self.val(i) < 0.0
                    && SAFEGUARDS.contains(&self.w(i))
                    && self.negator_before(i).is_none()
                {
                    self.neutralize(i);
                }
            }
        }
        if r.has(family::DISAPPOINTMENT) && bits & trigger::LETDOWN != 0 {
            for i in 0..n {
                if self
                    .toks
                    .get(i)
                    .is_some_and(|t| t.triggers() & trigger::LETDOWN != 0)
                {
                    self.letdown(i);
                }
            }
        }
    }

    /// VADER's negation window ignores sentence ends: in "Never again.
    /// Worst service ever." it negates "worst". A VADER word negated only
    /// by a negator of an earlier sentence gets its own polarity back.
    fn negation_stops_at_sentence_end(&mut self) {
        for k in 1..self.n() {
            let Some(lex) = self.v.lexicon_valence(k) else {
                continue;
            };
            let v = self.val(k);
            if v == 0.0 || (v > 0.0) == (lex > 0.0) {
                continue;
            }
            let mut across = false;
            let mut within = false;
            for m in k.saturating_sub(3)..k {
                if self.flag(m, NEGATOR) {
                    if self.same_sentence(k, m) {
                        within = true;
                    } else {
                        across = true;
                    }
                }
            }
            if across && !within {
                if let Some(x) = self.vals.get_mut(k) {
                    *x = v / N_SCALAR;
                }
            }
        }
    }

    /// A wish is a suggestion, not praise: "would be great if you fixed
    /// it", "it'd be nice to have wifi", "I wish you had a dark mode".
    fn wish(&mut self, i: usize) {
        let w = self.w(i);
        let wished = if w == "wish" {
            (i + 1..(i + 4).min(self.n())).any(|k| {
                let wk = self.w(k);
                self.same_sentence(i, k) && (WISH_VERBS.contains(&wk) || wk.ends_with("'d"))
            })
        } else if self.cue(i) == Cue::Love {
            // "would love to see a better app".
            matches!(self.w(i.wrapping_sub(1)), "would" | "i'd" | "we'd" | "id")
                && matches!(self.w(i + 1), "to" | "it" | "if")
        } else {
            let (p1, p2) = (self.w(i.wrapping_sub(1)), self.w(i.wrapping_sub(2)));
            let conditional = (p1 == "be"
                && matches!(p2, "would" | "could" | "it'd" | "that'd" | "itd" | "wd"))
                || matches!(p1, "it'd" | "that'd");
            conditional && matches!(self.w(i + 1), "if" | "to") && !self.flag(i, COMMA | SENT_END)
        };
        if !wished {
            return;
        }
        let (_, b) = self.clause(i);
        for k in i..b {
            if self.val(k) > 0.0 {
                self.set(k, 0.0);
            }
        }
        bump(&mut self.cues.requests);
    }

    /// A problem reported solved: the resolution verb is praise, the
    /// problem it solved no longer a complaint, its speed praise too.
    fn resolution(&mut self, i: usize) {
        let w = self.w(i);
        if self.negator_before(i).is_some()
            || self.sent(i).is_some_and(|s| s.question)
            || matches!(self.w(i + 1), "nothing" | "anything")
        {
            return;
        }
        // "dealt with"; a gerund only when thanked for ("for sorting it").
        let prev = self.w(i.wrapping_sub(1));
        if (w == "dealt" && self.w(i + 1) != "with") || (w.ends_with("ing") && prev != "for") {
            return;
        }
        let s = self.sent(i).map_or(0, |s| s.start as usize);
        let mut unreal = false;
        for j in (s.max(i.saturating_sub(5))..i).rev() {
            let wj = self.w(j);
            if UNREAL_STOP.contains(&wj) {
                break;
            }
            unreal |= UNREAL.contains(&wj);
        }
        unreal |= (s.max(i.saturating_sub(12))..i).any(|j| HEARSAY.contains(&self.w(j)));
        // "poorly handled", "badly fixed".
        let badly = i > s && self.val(i - 1) < 0.0 && !self.is_problem(i - 1);
        if unreal || badly {
            return;
        }
        let (a, b) = self.clause(i);
        let problem = (a..b).any(|k| k != i && self.is_problem(k));
        // "sorted by price": an order, not a fix.
        let ordering = w == "sorted" && matches!(self.w(i + 1), "by" | "alphabetically");
        if (WEAK_RESOLUTIONS.contains(&w) || ordering) && !problem {
            return;
        }
        // "refunded the wrong amount", "fixed it badly": botched.
        let botched = (i + 1..b.min(i + 4)).any(|k| {
            self.val(k) < 0.0 && !self.is_problem(k) && self.v.lexicon_valence(k).is_some()
        });
        // "it was fixed, then it broke again": the fix did not hold.
        let relapse = (b..(b + MAX_CLAUSE).min(self.n())).any(|k| {
            let wk = self.w(k);
            matches!(
                wk,
                "broke" | "broken" | "reappeared" | "recurred" | "resurfaced" | "unfixed"
            ) || (matches!(wk, "again" | "still") && self.val(k - 1) < 0.0)
                || (wk == "still" && (self.val(k + 1) < 0.0 || self.flag(k + 1, NEGATOR)))
        });
        if botched || relapse {
            return;
        }
        for k in (a..b).filter(|&k| k != i) {
            if self.val(k) < 0.0 && (self.is_problem(k) || TEAM_NAMES.contains(&self.w(k))) {
                self.neutralize(k);
            }
        }
        self.apply_term(i, 1.8, f64::NAN);
        // "resolved fast", "quickly fixed", "sorted within minutes".
        for k in (a..b).filter(|&k| k != i) {
            let wk = self.w(k);
            let speed = SPEED.contains(&wk)
                || (wk == "away" && self.w(k.wrapping_sub(1)) == "right")
                || (self.cue(k) == Cue::TimeUnit
                    && (k.saturating_sub(3)..k)
                        .any(|j| j > i && matches!(self.w(j), "within" | "in")));
            if speed && self.val(k) < 1.0 {
                self.set(k, 1.0);
                break;
            }
        }
        bump(&mut self.cues.resolutions);
    }

    /// A threat stopped ("caught a bad charge", "the fraud was flagged"):
    /// the action is praise, the threat no complaint. Whether one was found.
    fn protection(&mut self, i: usize) -> bool {
        let s = self.sent(i).map_or(0, |s| s.start as usize);
        let failed = (s.max(i.saturating_sub(2))..i)
            .any(|j| matches!(self.w(j), "failed" | "fail" | "unable" | "to" | "should"));
        let negated = self.negator_before(i).is_some();
        let base = !self.w(i).ends_with('d') && !matches!(self.w(i), "caught" | "froze");
        if (base && !(negated || failed)) || self.sent(i).is_some_and(|s| s.question) {
            return false;
        }
        let threat_at = |p: &Self, k: usize| -> Option<(usize, usize)> {
            let wk = p.w(k);
            if THREATS.contains(&wk) {
                Some((k, k + 1))
            } else if SUSPECT.contains(&wk) && TRANSACTIONS.contains(&p.w(k + 1)) {
                Some((k, k + 2))
            } else {
                None
            }
        };
        let (a, b) = self.clause(i);
        // The threat is the object ("caught a bad charge") or, in the
        // passive, the subject ("the fraud was caught").
        let mut found = (i + 1..b.min(i + 5)).find_map(|k| threat_at(self, k));
        if found.is_none() {
            let passive = (a..i).any(|k| {
                matches!(
                    self.w(k),
                    "was" | "were" | "got" | "been" | "is" | "are" | "being" | "get"
                )
            });
            if passive {
                found = (a..i).find_map(|k| threat_at(self, k));
            }
        }
        if found.is_none() {
            return false;
        }
        if negated || failed {
            // "didn't catch the fraud", "failed to stop the charges": the
            // threat got through; VADER's negation must not praise it.
            for k in i + 1..b {
                let v = self.val(k);
                if threat_at(self, k).is_some() && v > 0.0 {
                    self.set(k, -v.abs() / N_SCALAR.abs());
                    bump(&mut self.cues.failures);
                }
            }
            return false;
        }
        for k in a..b {
            let threat = threat_at(self, k).is_some() || TRANSACTIONS.contains(&self.w(k));
            if k != i && threat && self.val(k) < 0.0 {
                self.neutralize(k);
            }
        }
        self.apply_term(i, 1.5, f64::NAN);
        bump(&mut self.cues.resolutions);
        true
    }

    /// Disappointment and unmet expectations: the disappointment stays
    /// negative however hedged ("a bit let down"), what it is about is no
    /// praise ("disappointed with the new rewards"); "expected better",
    /// "could be better" and "fed up" are negative, "couldn't be better" is
    /// not.
    fn letdown(&mut self, i: usize) {
        let w = self.w(i);
        let head = match w {
            "expected" | "expecting" | "hoped" => {
                self.unmet_expectation(i);
                return;
            }
            "better" => {
                self.could_be_better(i);
                return;
            }
            "let" if self.w(i + 1) == "down" && self.same_sentence(i, i + 1) => {
                self.apply_term(i + 1, -2.0, f64::NAN);
                i + 1
            }
            "fed" if self.w(i + 1) == "up" && self.same_sentence(i, i + 1) => {
                self.apply_term(i + 1, -2.0, f64::NAN);
                i + 1
            }
            "let" | "fed" => return,
            _ => i,
        };
        if self.val(head) >= 0.0 || self.flag(head, COMMA | SENT_END) {
            return;
        }
        let j = head + 1;
        if !ABOUT.contains(&self.w(j)) || !self.same_sentence(head, j) {
            return;
        }
        let (_, b) = self.clause(j);
        for k in j + 1..b {
            if self.val(k) > 0.0 {
                self.set(k, 0.0);
            }
        }
    }

    /// "expected more", "hoped for better": an expectation not met.
    fn unmet_expectation(&mut self, i: usize) {
        let s = self.sent(i).map_or(0, |s| s.start as usize);
        // "better than expected", "more than I expected".
        let than = (s.max(i.saturating_sub(3))..i).any(|j| self.w(j) == "than");
        if than || self.negator_before(i).is_some() || self.flag(i, COMMA | SENT_END) {
            return;
        }
        let mut k = i + 1;
        while k < self.n().min(i + 4) && EXPECT_FILLERS.contains(&self.w(k)) {
            k += 1;
        }
        if matches!(self.w(k), "more" | "better") && self.same_sentence(i, k) {
            self.apply_term(k, -1.5, f64::NAN);
        }
    }

    /// "could be better", "should have been better", "used to be better",
    /// "deserve better"; "couldn't be better" is praise.
    fn could_be_better(&mut self, i: usize) {
        // "could be a lot better", "could have been so much better".
        let mut at = i;
        while at > 0 && i - at < 3 && EXPECT_FILLERS.contains(&self.w(at - 1)) {
            at -= 1;
        }
        let (p1, p2) = (self.w(at.wrapping_sub(1)), self.w(at.wrapping_sub(2)));
        let modal = matches!(p1, "be" | "been")
            && matches!(
                p2,
                "could" | "should" | "would" | "have" | "to" | "might" | "must" | "couldn't"
            );
        // "deserve better", "do better", "you can do better".
        let deserve = matches!(p1, "deserve" | "deserved" | "deserves" | "expect" | "do");
        if !(modal || deserve) || at < 1 || !self.same_sentence(i, at - 1) {
            return;
        }
        if self.negator_before(i).is_some() {
            if modal {
                self.set(i, 2.5);
                bump(&mut self.cues.successes);
            }
            return;
        }
        if p2 == "would" && self.w(i + 1) == "if" {
            // "it would be better if …": a suggestion, not praise.
            self.set(i, 0.0);
            return;
        }
        self.set(i, -1.2);
        bump(&mut self.cues.failures);
    }

    /// Marks complaint questions (before the word rules, which treat
    /// informational questions differently) and counts questions.
    fn classify_questions(&mut self) {
        for si in 0..self.sents.len() {
            let Some(s) = self.sents.get(si).copied() else {
                continue;
            };
            let f = s.first as usize;
            let opener = self.cue(f);
            if s.question {
                bump(&mut self.cues.questions);
            } else if matches!(
                opener,
                Cue::Why | Cue::How | Cue::When | Cue::What | Cue::Where | Cue::Aux
            ) && s.end as usize > f + 1
            {
                bump(&mut self.cues.interrogatives);
            }
            let complaint = self.complaint_question(&s);
            if let Some(x) = self.sents.get_mut(si) {
                if let Some((at, val)) = complaint {
                    x.complaint_at = Some(at as u32);
                    x.complaint_val = val as f32;
                }
            }
            if complaint.is_some() {
                bump(&mut self.cues.complaint_questions);
            }
        }
    }

    /// The token and valence of a complaint question, if `s` is one.
    fn complaint_question(&self, s: &Sentence) -> Option<(usize, f64)> {
        let f = s.first as usize;
        let end = s.end as usize;
        let opener_cue = self.cue(f);
        if !s.question
            && opener_cue != Cue::Why
            && opener_cue != Cue::How
            && opener_cue != Cue::What
            && opener_cue != Cue::Where
            && opener_cue != Cue::When
        {
            return None;
        }
        let (w1, w2, w3) = if matches!(
            opener_cue,
            Cue::None | Cue::Reval | Cue::Term | Cue::Expected
        ) {
            ("", "", "")
        } else {
            (self.w(f + 1), self.w(f + 2), self.w(f + 3))
        };
        let opener = match opener_cue {
            // "Why is my bag not here" is a complaint even without '?';
            // "why not add …" is a suggestion.
            Cue::Why if w1 != "not" && end > f + 1 => Some((f, -0.9)),
            Cue::How => match w1 {
                "come" => Some((f, -1.0)),
                "long" => Some((f, -0.7)),
                "much" if w2 == "longer" => Some((f, -1.4)),
                "many" if matches!(w2, "more" | "times") => Some((f, -1.2)),
                "hard" | "difficult" => Some((f, -1.2)),
                "dare" => Some((f, -1.5)),
                "am" | "are" if w3 == "supposed" => Some((f, -1.2)),
                "does" | "is" | "will" | "would" if self.w(f + 3) == "help" => Some((f, -1.2)),
                _ => None,
            },
            Cue::What => {
                let rest = if self.w(f) == "what" && matches!(w1, "is" | "s") {
                    (w2, w3)
                } else {
                    (w1, w2)
                };
                match rest {
                    ("happened", _) | ("gives", _) => Some((f, -1.0)),
                    ("going", "on") => Some((f, -1.0)),
                    ("the", "point") => Some((f, -1.4)),
                    ("up", "with") => Some((f, -0.8)),
                    _ => None,
                }
            }
            Cue::Where => {
                let owner = if self.w(f) == "where" && matches!(w1, "is" | "are") {
                    w2
                } else {
                    w1
                };
                matches!(owner, "my" | "our").then_some((f, -0.8))
            }
            Cue::When if w1 == "will" => Some((f, -0.5)),
            Cue::Aux if s.question => match (self.w(f), w1, w2) {
                ("do" | "does", "you" | "u" | "anyone", "even") => Some((f, -1.2)),
                ("are", "you" | "u", "serious") => Some((f, -1.2)),
                ("is", "this" | "that", "normal" | "acceptable" | "serious") => Some((f, -0.8)),
                _ => None,
            },
            Cue::Filler if s.question && end == f + 1 => {
                matches!(self.w(f), "really" | "seriously" | "srsly").then_some((f, -1.2))
            }
            _ => None,
        };
        if opener.is_some() {
            return opener;
        }
        // "Any update?" "any news on my refund?": asking again for news.
        if s.question {
            for i in s.start as usize..end {
                if self.cue(i) == Cue::Any
                    && NEWS.contains(&self.w(i + 1))
                    && self.negator_before(i).is_none()
                {
                    return Some((i + 1, -0.8));
                }
            }
        }
        // The sentences of a question whose first word is a filler
        // ("Seriously?") have no opener: handled above.
        None
    }

    /// The word-level rules for token `i`.
    fn token_rules(&mut self, i: usize) {
        let Some(tok) = self.toks.get(i).copied() else {
            return;
        };
        let r = self.rules;
        if tok.flags & MENTION != 0 {
            // A handle names a brand or person ("@united"), it is no sentiment.
            if r.has(family::FALSE_FRIENDS) {
                self.set(i, 0.0);
            }
            return;
        }
        if r.has(family::FALSE_FRIENDS)
            && !self.names.is_empty()
            && self.v.lexicon_valence(i).is_some()
            && self
                .names
                .binary_search_by(|n| n.as_str().cmp(self.v.word(i)))
                .is_ok()
        {
            self.set(i, 0.0);
            return;
        }
        let Some(e) = tok.entry else {
            // "#epicfail", "#customerservicefail".
            if tok.flags & HASHTAG != 0 && r.has(family::SERVICE_TERMS) {
                let w = self.w(i);
                if w.len() > 4 && (w.ends_with("fail") || w.ends_with("sucks")) {
                    self.apply_term(i, -2.0, f64::NAN);
                } else if w.len() > 7 && w.starts_with("never") {
                    // "#neverflyingagain", "#neverflyunited".
                    self.apply_term(i, -2.0, f64::NAN);
                    bump(&mut self.cues.churn);
                } else if let Some(rest) = w.strip_prefix("not").or_else(|| w.strip_prefix("no")) {
                    // "#nothappy", "#nofun": a negated positive word.
                    let lex = self.v_lex(rest);
                    if lex > 0.0 {
                        self.apply_term(i, lex * N_SCALAR, f64::NAN);
                    }
                }
            }
            return;
        };
        let val = f64::from(e.val);
        let negval = f64::from(e.negval);
        match e.cue {
            Cue::Term | Cue::Thanks | Cue::Love if e.has_val() && r.has(e.family) => {
                self.apply_term(i, val, f64::NAN);
            }
            Cue::Reval => self.reval(i, e),
            Cue::Expected => {
                if r.has(family::ABSENCE) && self.negator_before(i).is_some() {
                    self.apply_term(i, val, negval);
                } else if r.has(family::SERVICE_TERMS) && e.has_val() {
                    self.apply_term(i, val, f64::NAN);
                }
            }
            Cue::TimeUnit if r.has(family::SERVICE_TERMS) => self.duration(i),
            Cue::Time => self.time_word(i),
            // "still love you guys" is not persistence of a failure.
            Cue::Still
                if r.has(family::PERSISTENCE)
                    && !self.in_info_question(i)
                    && self.val(i + 1) <= 0.0 =>
            {
                self.apply_term(i, val, val);
            }
            Cue::Again if r.has(family::PERSISTENCE) => self.again(i, val),
            Cue::Another if r.has(family::PERSISTENCE) && self.w(i.wrapping_sub(1)) == "yet" => {
                self.apply_term(i, -1.4, -1.4);
            }
            Cue::Keep
                if r.has(family::PERSISTENCE)
                    && self.w(i + 1).ends_with("ing")
                    && !self.in_info_question(i) =>
            {
                self.apply_term(i, -0.6, -0.6);
            }
            Cue::One if r.has(family::ABSENCE) && i > 0 && self.cue(i - 1) == Cue::No => {
                // "no one answers".
                self.apply_term(i, -1.4, -1.4);
                if let Some(x) = self.vals.get_mut(i - 1) {
                    *x = 0.0;
                }
            }
            Cue::Hold if r.has(family::SERVICE_TERMS) && self.w(i.wrapping_sub(1)) == "on" => {
                self.apply_term(i, -1.6, f64::NAN);
            }
            Cue::Hold
                if r.has(family::SERVICE_TERMS)
                    && matches!(self.w(i + 1), "time" | "times" | "music")
                    && !self.in_info_question(i) =>
            {
                // "hold times are a joke", "listening to hold music".
                self.apply_term(i, -1.0, f64::NAN);
            }
            Cue::Help => self.help(i),
            Cue::Down => self.down(i),
            Cue::Up if r.has(family::SERVICE_TERMS) => self.idiom(i),
            Cue::Cant if r.has(family::ABSENCE) => self.inability(i),
            Cue::Even if r.has(family::ABSENCE) => {
                let prev = self.w(i.wrapping_sub(1));
                let hit = match self.w(i) {
                    // "didn't even apologize", "not even a reply".
                    "even" => i > 0 && self.flag(i - 1, NEGATOR),
                    // "was supposed to arrive at 5".
                    "supposed" => matches!(prev, "was" | "were"),
                    // "get it together", "get your act together".
                    _ => matches!(prev, "it" | "act"),
                };
                if hit {
                    self.apply_term(i, -1.0, -1.0);
                }
            }
            Cue::Less if r.has(family::SARCASM) && self.w(i + 1) == "than" => {
                // "less than helpful": understatement of a failure.
                let k = i + 2;
                let v = self.val(k);
                if v > 0.0 && self.same_sentence(i, k) {
                    self.set(k, -v);
                    bump(&mut self.cues.failures);
                    bump(&mut self.cues.sarcasm);
                }
            }
            Cue::Please => {
                bump(&mut self.cues.requests);
                if r.has(family::POLITENESS) {
                    self.set(i, 0.0);
                }
            }
            Cue::Like if r.has(family::POLITENESS) => {
                // Keep the verb ("I like", "really like", "don't like"); drop
                // the preposition and the request ("looks like", "would like").
                let prev = self.w(i.wrapping_sub(1));
                let verb = matches!(
                    prev,
                    "i" | "we"
                        | "they"
                        | "you"
                        | "u"
                        | "really"
                        | "totally"
                        | "definitely"
                        | "also"
                        | "still"
                        | "do"
                        | "did"
                        | "does"
                        | "always"
                ) || (i > 0 && self.v.is_negated(i - 1));
                if !verb {
                    self.set(i, 0.0);
                }
            }
            Cue::Love | Cue::Grateful
                if r.has(family::POLITENESS)
                    && matches!(self.w(i.wrapping_sub(1)), "would" | "i'd" | "we'd" | "id")
                    && self.val(i) > 0.0 =>
            {
                // "I'd love to know …", "I'd appreciate a call": a request
                // formula, not praise.
                let x = self.val(i);
                if let Some(v) = self.vals.get_mut(i) {
                    *v = x * 0.3;
                }
                bump(&mut self.cues.requests);
            }
            // "can you", "could someone": a request.
            Cue::Aux
                if matches!(self.w(i), "can" | "could" | "would" | "will")
                    && matches!(
                        self.w(i + 1),
                        "you" | "u" | "someone" | "somebody" | "anyone"
                    ) =>
            {
                bump(&mut self.cues.requests);
            }
            Cue::For
                if r.has(family::SARCASM)
                    && i >= 2
                    && self.w(i - 1) == "much"
                    && self.w(i - 2) == "so" =>
            {
                // "so much for customer service".
                self.set(i, -1.5);
                bump(&mut self.cues.sarcasm);
                bump(&mut self.cues.failures);
            }
            Cue::None if self.w(i) == "need" || self.w(i) == "needs" => {
                bump(&mut self.cues.requests);
            }
            _ => {}
        }
    }

    /// Replaced VADER valences (politeness and false friends).
    fn reval(&mut self, i: usize, e: &Entry) {
        if !e.has_val() {
            // Conditional false friends.
            if !self.rules.has(family::FALSE_FRIENDS) {
                return;
            }
            match e.word {
                // "pretty bad": a degree adverb, not "pretty".
                "pretty" => {
                    let next_valenced = self.v.lexicon_valence(i + 1).is_some()
                        || self
                            .toks
                            .get(i + 1)
                            .is_some_and(|t| t.entry.is_some_and(Entry::has_val));
                    if next_valenced && self.same_sentence(i, i + 1) {
                        self.set(i, 0.0);
                    }
                }
                // "customer care" is a department.
                "care" if self.w(i.wrapping_sub(1)) == "customer" => self.set(i, 0.0),
                // "could care less": does not care.
                "care"
                    if matches!(self.w(i.wrapping_sub(1)), "could" | "couldn't")
                        && self.w(i + 1) == "less" =>
                {
                    self.set(i, -1.5);
                    bump(&mut self.cues.failures);
                }
                _ => {}
            }
            return;
        }
        if self.rules.has(e.family) {
            let v = f64::from(e.val);
            let v = if v == 0.0 {
                0.0
            } else {
                self.contextual(i, v, f64::NAN)
            };
            self.set(i, v);
        }
    }

    /// "down": an outage ("the site is down") or a letdown ("let me down").
    fn down(&mut self, i: usize) {
        if !self.rules.has(family::SERVICE_TERMS) || i == 0 {
            return;
        }
        let prev = self.w(i - 1);
        let prev2 = self.w(i.wrapping_sub(2));
        if prev == "thumbs" {
            // The 👎 emoji's description.
            self.apply_term(i, -1.5, f64::NAN);
        } else if matches!(prev, "me" | "us" | "you" | "them")
            && matches!(prev2, "let" | "lets" | "letting")
        {
            self.apply_term(i, -2.0, f64::NAN);
        } else if matches!(
            prev,
            "is" | "are"
                | "was"
                | "were"
                | "been"
                | "still"
                | "went"
                | "goes"
                | "site"
                | "website"
                | "app"
                | "system"
                | "systems"
                | "server"
                | "servers"
                | "phone"
                | "phones"
                | "line"
                | "lines"
                | "wifi"
                | "internet"
                | "network"
                | "portal"
                | "it's"
                | "its"
        ) {
            self.apply_term(i, -1.5, f64::NAN);
        }
    }

    /// Threats to leave ("switching to", "cancel my account", "never
    /// again", "lost a customer"): counted, and negative with
    /// [`CxRules::SERVICE_TERMS`].
    fn churn(&mut self, i: usize) {
        let (w1, w2, w3) = (self.w(i + 1), self.w(i + 2), self.w(i + 3));
        let prev = self.w(i.wrapping_sub(1));
        let company = |w: &str| COMPANIES.contains(&w);
        let account = |w: &str| ACCOUNTS.contains(&w);
        let hit = match self.w(i) {
            "switch" | "switching" | "switched" => matches!(
                w1,
                "to" | "over" | "back" | "airlines" | "carriers" | "providers" | "banks"
            ),
            "moving" => w1 == "to" && (w2 == "another" || w3 == "competitor"),
            "leaving" | "leave" => matches!(w1, "you" | "u") && matches!(w2, "for" | "guys" | ""),
            "cancel" | "cancelling" | "canceling" | "close" | "closing" => {
                matches!(w1, "my" | "our" | "the") && (account(w2) || account(w3))
            }
            "done" => w1 == "with" && matches!(w2, "you" | "u" | "this" | "your" | "y'all"),
            "never" => {
                NEVER_VERBS.contains(&w1)
                    || (matches!(w1, "will" | "ever" | "again")
                        && matches!(
                            w2,
                            "fly"
                                | "use"
                                | "book"
                                | "buy"
                                | "shop"
                                | "recommend"
                                | "choose"
                                | "order"
                        ))
            }
            "another" | "other" => {
                company(w1)
                    && matches!(
                        prev,
                        "to" | "with" | "try" | "use" | "fly" | "choose" | "book" | "prefer" | "an"
                    )
            }
            "goodbye" | "unsubscribe" => true,
            "elsewhere" => ELSEWHERE_VERBS.contains(&prev),
            "competitor" | "competitors" => matches!(prev, "to" | "with" | "a"),
            "last" => w1 == "time" && matches!(w2, "i" | "we") && LAST_TIME_VERBS.contains(&w3),
            "neveragain" => true,
            // "I'll fly with someone else".
            "else" => {
                matches!(prev, "someone" | "somebody")
                    && matches!(
                        self.w(i.wrapping_sub(2)),
                        "with" | "fly" | "use" | "try" | "book" | "choose"
                    )
            }
            _ => false,
        };
        // "lost a customer", "you just lost a loyal customer".
        let lost_customer = self.cue(i) == Cue::Customer
            && (i.saturating_sub(3)..i)
                .any(|j| matches!(self.w(j), "lost" | "lose" | "losing" | "former"));
        if !(hit || lost_customer) || self.negator_before(i).is_some() {
            return;
        }
        bump(&mut self.cues.churn);
        bump(&mut self.cues.failures);
        if self.rules.has(family::SERVICE_TERMS) && self.val(i) > -1.5 {
            self.set(i, -1.5);
        }
    }

    /// Second words of idioms: "hung up", "shout out", "above and beyond".
    fn idiom(&mut self, i: usize) {
        let prev = self.w(i.wrapping_sub(1));
        match self.w(i) {
            "up" if matches!(prev, "hung" | "hangs" | "hang") => self.apply_term(i, -1.8, f64::NAN),
            "out" if prev == "shout" => self.apply_term(i, 1.5, f64::NAN),
            "up" if prev == "thumbs" => self.apply_term(i, 1.5, f64::NAN),
            "beyond" if prev == "and" && self.w(i.wrapping_sub(2)) == "above" => {
                self.apply_term(i, 2.5, f64::NAN);
            }
            _ => {}
        }
    }

    /// "can't check in", "cannot even open": the service does not let the
    /// customer do something. Valenced verbs ("can't wait", "can't
    /// complain") and expected outcomes are left to their own rules.
    fn inability(&mut self, i: usize) {
        let mut k = i + 1;
        if matches!(
            self.w(k),
            "even" | "really" | "just" | "actually" | "seem" | "seems" | "ever"
        ) {
            k += 1;
        }
        if k >= self.n() || !self.same_sentence(i, k) || self.flag(k, NO_LETTER) {
            return;
        }
        let valenced = self.v.lexicon_valence(k).is_some()
            || self
                .toks
                .get(k)
                .is_some_and(|t| t.entry.is_some_and(Entry::has_val));
        let handled = matches!(
            self.cue(k),
            Cue::Expected | Cue::Help | Cue::Like | Cue::Love
        );
        if !valenced
            && !handled
            && !matches!(self.w(k), "believe" | "stop" | "say" | "tell" | "thank")
        {
            self.apply_term(i, -1.0, -1.0);
        }
    }

    /// "help": a request unless it is thanked for; its absence is a failure.
    fn help(&mut self, i: usize) {
        let r = self.rules;
        if r.has(family::ABSENCE) && self.negator_before(i).is_some() {
            // "no help at all", "didn't help".
            self.apply_term(i, -1.6, -1.6);
            return;
        }
        let next = self.w(i + 1);
        let prev = self.w(i.wrapping_sub(1));
        if matches!(next, "me" | "us" | "with" | "please")
            || matches!(
                prev,
                "please" | "pls" | "plz" | "can" | "could" | "need" | "needs" | "some"
            )
            || self.flag(i, SENT_END)
        {
            bump(&mut self.cues.requests);
        }
        if r.has(family::POLITENESS) {
            // "HELP!", "Site down? #help", "please help": a cry for help
            // signals a problem; otherwise a request is no sentiment.
            let cry = self.flag(i, HASHTAG)
                || (self.v.is_upper(i) && self.v.is_cap_diff())
                || self.sent(i).is_some_and(|s| {
                    (s.start as usize..s.end as usize).all(|k| {
                        k == i
                            || matches!(self.cue(k), Cue::Please | Cue::Filler)
                            || self.flag(k, MENTION | NO_LETTER)
                    })
                });
            if cry {
                self.set(i, -1.0);
                bump(&mut self.cues.failures);
            } else {
                self.set(i, 0.0);
            }
        }
    }

    /// A time unit after a quantity: a duration, mostly a wait.
    fn duration(&mut self, i: usize) {
        // "made my day".
        if self.w(i) == "day"
            && i >= 2
            && self.w(i - 1) == "my"
            && matches!(self.w(i - 2), "made" | "makes" | "make")
        {
            self.apply_term(i, 2.0, f64::NAN);
            return;
        }
        if self.in_info_question(i) {
            return;
        }
        let q = if self.flag(i, NUM_UNIT) {
            Some(i)
        } else if i >= 1 && self.is_quantity(i - 1) {
            Some(i - 1)
        } else if i >= 2
            && self.is_quantity(i - 2)
            && matches!(
                self.w(i - 1),
                "more" | "of" | "plus" | "full" | "an" | "long"
            )
        {
            Some(i - 2)
        } else {
            None
        };
        let plural = self.w(i).ends_with('s');
        let Some(q) = q else {
            // "for hours", "hours ago": a long, unquantified wait.
            if plural
                && (matches!(
                    self.w(i.wrapping_sub(1)),
                    "for" | "over" | "waited" | "waiting"
                ) || matches!(self.w(i + 1), "ago" | "later" | "late" | "behind"))
            {
                self.apply_term(i, -0.8, -0.8);
            }
            return;
        };
        // "in 2 hours", "every 3 days": a schedule, not a wait.
        let before = self.w(q.wrapping_sub(1));
        if matches!(
            before,
            "in" | "within" | "next" | "every" | "per" | "only" | "just"
        ) {
            return;
        }
        self.apply_term(i, -0.8, -0.8);
    }

    /// "on time"; "3rd time", "second time", "many times".
    fn time_word(&mut self, i: usize) {
        let r = self.rules;
        if i == 0 {
            return;
        }
        let prev = i - 1;
        if self.w(prev) == "on" && r.has(family::SERVICE_TERMS) {
            self.apply_term(i, 1.2, f64::NAN);
        } else if r.has(family::PERSISTENCE)
            && (self.flag(prev, ORDINAL)
                || self.cue(prev) == Cue::Ordinal
                || (self.is_quantity(prev) && self.cue(prev) != Cue::One))
            && !self.in_info_question(i)
        {
            self.apply_term(i, -1.1, -1.1);
        }
    }

    /// "again": persistence of a failure, unless it repeats something good;
    /// "never again" is a strong rejection.
    fn again(&mut self, i: usize, val: f64) {
        let s = self.sent(i).map_or(0, |s| s.start as usize);
        let never = (i.saturating_sub(4)..i).any(|j| j >= s && self.w(j) == "never");
        if never {
            bump(&mut self.cues.churn);
            self.apply_term(i, -2.0, -2.0);
            return;
        }
        if self.in_info_question(i) {
            return;
        }
        // Bounded look-back: work stays linear in the text length.
        let good_before = (s.max(i.saturating_sub(8))..i)
            .any(|j| self.val(j) > 0.0 || matches!(self.cue(j), Cue::Thanks | Cue::Grateful));
        if !good_before && self.val(i + 1) <= 0.0 {
            self.apply_term(i, val, val);
        }
    }

    /// "no thanks": a polite decline, no sentiment.
    fn declined(&self, i: usize) -> bool {
        i > 0 && self.cue(i) == Cue::Thanks && self.w(i - 1) == "no"
    }

    /// "thanks for …": gratitude for a service, or sarcasm when what
    /// follows is a failure ("thanks for the 3 hour delay").
    fn thanks_frame(&mut self, i: usize) {
        let r = self.rules;
        let mut j = i + 1;
        if self.cue(i) == Cue::Thanks {
            // "thank you so much for", "thanks again for".
            while j < self.n()
                && j < i + 5
                && matches!(
                    self.w(j),
                    "you" | "u" | "so" | "very" | "much" | "again" | "guys" | "all" | "a" | "lot"
                )
            {
                j += 1;
            }
            if self.w(j) != "for" {
                return;
            }
            j += 1;
        }
        for k in j..(j + 5).min(self.n()) {
            if !self.same_sentence(i, k) {
                return;
            }
            let w = self.w(k);
            if w == "nothing" {
                if r.has(family::SARCASM) {
                    self.set(i, -1.5);
                    bump(&mut self.cues.sarcasm);
                    bump(&mut self.cues.failures);
                }
                return;
            }
            if is_det(w) || matches!(w, "being" | "me" | "us" | "making" | "letting" | "it") {
                continue;
            }
            let cue = self.cue(k);
            let v = self.val(k);
            let service = matches!(cue, Cue::Service | Cue::Help)
                || (cue == Cue::Expected && self.negator_before(k).is_none());
            if service && self.w(k + 1) == "nothing" {
                // "thanks for fixing nothing".
                if r.has(family::SARCASM) {
                    self.set(i, -1.5);
                    bump(&mut self.cues.sarcasm);
                    bump(&mut self.cues.failures);
                }
                return;
            }
            if service || v > 0.0 {
                if r.has(family::GRATITUDE) {
                    let base = self.v.sentiments().get(i).copied().unwrap_or(0.0);
                    let boosted = base + 0.6;
                    if let Some(x) = self.vals.get_mut(i) {
                        *x = boosted.max(*x);
                    }
                    if cue == Cue::Help {
                        self.set(k, 1.5);
                    } else if cue == Cue::Expected && v < 0.0 {
                        // "thanks for the refund": the remedy was given.
                        self.set(k, 0.0);
                    }
                    bump(&mut self.cues.gratitude);
                    bump(&mut self.cues.successes);
                }
                return;
            }
            if v < 0.0 || self.flag(k, NUM_UNIT) || cue == Cue::TimeUnit {
                if r.has(family::SARCASM) {
                    let x = self.val(i);
                    self.set(i, -x.abs().max(1.0));
                    bump(&mut self.cues.sarcasm);
                }
                return;
            }
            if self.is_quantity(k) || matches!(cue, Cue::Another | Cue::Ordinal) {
                continue;
            }
            if (cue == Cue::None && w.ends_with("ing")) || self.flag(k, COMMA | SENT_END) {
                // Thanks for an action not in the lexicons ("for
                // compensating us"), or "thanks for the flight, …": plain.
                // "thanks for the flight, …": the frame ends here.
                return;
            }
        }
    }

    /// Sarcasm heads and markers.
    fn sarcasm(&mut self) {
        let n = self.n();
        let total: f64 = self.vals.iter().sum();
        let mut flip_all = false;
        for i in 0..n {
            match self.cue(i) {
                // "love being on hold", "gotta love the delays".
                Cue::Love if self.val(i) > 0.0 => {
                    let hit = (i + 1..(i + 5).min(n)).any(|k| {
                        self.same_sentence(i, k)
                            && (self.val(k) <= -0.5 || ENDURED.contains(&self.w(k)))
                    });
                    if hit {
                        let x = self.val(i);
                        self.set(i, -x.abs());
                        bump(&mut self.cues.sarcasm);
                        bump(&mut self.cues.failures);
                    }
                }
                // "Great, another delay." — an interjection before a failure.
                // "WOW!!" after a complaint.
                Cue::Interj if self.val(i) > 0.0 => {
                    let Some(s) = self.sent(i).copied() else {
                        continue;
                    };
                    let alone = s.first as usize == i
                        && (self.flag(i, COMMA | SENT_END) || s.end as usize == i + 1);
                    let rest = total - self.val(i);
                    if alone && rest < 0.0 && self.cues.failures > 0 {
                        let x = self.val(i);
                        self.set(i, -x.abs());
                        bump(&mut self.cues.sarcasm);
                    } else if self.closing_interjection(i, &s) {
                        // "flight delayed again, great", "lost my bag,
                        // perfect": praise closing a bare failure.
                        let x = self.val(i);
                        self.set(i, -x.abs());
                        bump(&mut self.cues.sarcasm);
                    }
                }
                // "#not", "great job ... not".
                Cue::Not
                    if self.flag(i, HASHTAG)
                        || (i + 1 == n && (i.saturating_sub(6)..i).any(|j| self.val(j) > 0.0)) =>
                {
                    flip_all = true;
                }
                // "#sarcasm", "/s".
                _ if self.flag(i, SARCASM_TAG) => flip_all = true,
                _ => {}
            }
        }
        if flip_all {
            for x in self.vals.iter_mut() {
                if *x > 0.0 {
                    *x = -*x;
                }
            }
            bump(&mut self.cues.sarcasm);
            bump(&mut self.cues.failures);
        }
    }

    /// Whether the interjection at `i` (in sentence `s`) closes a message
    /// that so far only reported a failure: it ends its clause and the
    /// sentence ("…, great", "…, just great", "…, great job"), the text
    /// before it is negative with a service-failure cue, and nothing before
    /// it turned to praise (a "but", a success, thanks, a fix).
    fn closing_interjection(&self, i: usize, s: &Sentence) -> bool {
        let c = *self.cues;
        if c.failures == 0 || c.successes > 0 || c.gratitude > 0 || c.resolutions > 0 {
            return false;
        }
        let mut p = i;
        if p > 0 && INTERJ_LEAD.contains(&self.w(p - 1)) && self.same_sentence(p, p - 1) {
            p -= 1;
        }
        let opens_clause = p == 0 || !self.same_sentence(p, p - 1) || self.flag(p - 1, COMMA);
        let mut e = i + 1;
        while e < (s.end as usize).min(i + 3)
            && !self.flag(e - 1, COMMA | SENT_END)
            && INTERJ_TAIL.contains(&self.w(e))
        {
            e += 1;
        }
        while e < s.end as usize && self.flag(e, NO_LETTER | MENTION | HASHTAG) {
            e += 1;
        }
        let closes = e >= s.end as usize;
        if !opens_clause || !closes || p == 0 {
            return false;
        }
        // Bounded look-back: work stays linear in the text length.
        let from = p.saturating_sub(24);
        let before: f64 = (from..p).map(|k| self.val(k)).sum();
        let turned = (from..p).any(|k| self.cue(k) == Cue::Contrast || self.val(k) > 0.0);
        before < 0.0 && !turned
    }

    /// Complaint questions take their valence; informational questions
    /// are hedged.
    fn questions(&mut self) {
        if !self.rules.has(family::QUESTIONS) {
            return;
        }
        for si in 0..self.sents.len() {
            let Some(s) = self.sents.get(si).copied() else {
                continue;
            };
            if let Some(at) = s.complaint_at {
                let at = at as usize;
                let v = self.val(at).min(0.0) + f64::from(s.complaint_val);
                self.set(at, v);
                bump(&mut self.cues.failures);
            } else if s.question {
                for x in self
                    .vals
                    .get_mut(s.start as usize..s.end as usize)
                    .into_iter()
                    .flatten()
                {
                    *x *= INFO_QUESTION_HEDGE;
                }
            }
        }
    }

    /// A formulaic "thanks" closing a request or complaint is courtesy,
    /// not praise.
    fn closing_thanks(&mut self) {
        let c = *self.cues;
        if c.requests == 0 && c.failures == 0 && c.questions == 0 {
            return;
        }
        let n = self.n();
        // A closing formula is among the last few words.
        for i in n.saturating_sub(8).max(1)..n {
            if self.cue(i) != Cue::Thanks || self.val(i) <= 0.0 {
                continue;
            }
            let closing = (i + 1..n).all(|k| {
                self.flag(k, MENTION | HASHTAG | NO_LETTER) || CLOSING_WORDS.contains(&self.w(k))
            });
            if closing {
                self.set(i, 0.0);
            }
        }
    }
}
