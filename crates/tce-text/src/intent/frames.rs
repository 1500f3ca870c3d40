//! Speech-act frames read off the words of a text, beside the CX cues:
//! directives (suggestions: requests, proposals, wishes and advice, to the
//! brand or to other customers), recommendations (praise that tells others
//! to buy), questions without a question mark and threats to leave that
//! the CX rules do not count.
//!
//! The frames are grammatical, not lexical lists of complaints:
//!
//! - **Imperatives**: a clause that opens (after at most two discourse
//!   openers such as "please", "also", "maybe", "or at least") with a
//!   base-form verb from a closed list of directive verbs ("Add a dark
//!   mode", "Allow users to …", "Bring back …", "Make sure you …"), or a
//!   prohibitive ("Don't remove …", "Never book …"). Words that are also
//!   nouns ("Support for X is …", "Update: …") are imperatives only when
//!   what follows is not a finite verb, a modal or "of".
//! - **Deontic modals with a directive verb**: "you should add",
//!   "it should be configurable", "there needs to be", "users ought to",
//!   "must support". The counterfactual perfect ("you should have told
//!   me", "should've") is a complaint, never a suggestion, and neither is
//!   an inverted modal that asks ("should I …?").
//! - **Ability**: modal + "be able to" ("users should be able to",
//!   "I'd like to be able to"), "being able to … would …", "the ability
//!   to", "an option to".
//! - **Wish and desire**: "I wish you/the app …" (not "I wish I had
//!   never …": regret), "would like to see/have", "I'd love …", "would be
//!   nice/great/useful if/to", "it would help if", "would appreciate",
//!   "hope you will add".
//! - **Requests as questions**: "can/could/would you (please) add …",
//!   "can there be …", "what about adding …".
//! - **Advice**: "I suggest/propose/advise", "I recommend booking …",
//!   "my advice", "make sure", "be sure to", "don't forget to",
//!   "it is better to".
//!
//! Everything works on the token view of a text the CX engine has just
//! scored ([`CxScratch`]).

use crate::cx::CxScratch;

/// Base-form verbs that open an imperative request, proposal or piece of
/// advice. Closed class: the common verbs of asking for a change and of
/// telling others what to do; not verbs of feeling or knowing.
#[rustfmt::skip]
const DIRECTIVE_VERBS: &[&str] = &[
    "add", "allow", "enable", "provide", "bring", "make", "let", "give", "include", "support",
    "implement", "create", "introduce", "offer", "consider", "remove", "fix", "change", "improve",
    "expand", "extend", "open", "put", "show", "display", "update", "upgrade", "release",
    "integrate", "build", "develop", "hire", "keep", "stop", "start", "use", "increase", "reduce",
    "lower", "raise", "replace", "move", "rename", "restore", "return", "publish", "expose", "port",
    "unify", "merge", "separate", "simplify", "reconsider", "rethink", "revert", "reinstate", "set",
    "sync", "install", "ensure", "send", "notify", "require", "limit", "avoid", "try", "ask", "book",
    "request", "visit", "skip", "check", "stay", "pack", "reserve", "take", "listen", "invest",
    "train", "focus", "drop", "disable", "hide", "block", "prevent", "protect", "warn", "automate",
    "translate", "document", "speed", "redesign", "rework", "revamp", "resume", "continue",
    "reopen", "cut", "waive", "design", "get", "go", "look", "think", "remember", "beware",
    "opt", "choose", "pick", "eat", "order", "insist", "plan", "expect", "pay", "charge",
];

/// Directive verbs that are also common nouns at the start of a sentence
/// ("Support for X", "Check-in", "Stay was …"): never followed by "for"
/// when they are imperatives here.
#[rustfmt::skip]
const NOUNISH: &[&str] = &[
    "support", "update", "change", "display", "release", "build", "request", "book", "check",
    "stay", "return", "limit", "visit", "show", "use", "start", "stop", "fix", "set", "drop",
    "move", "offer", "design", "order", "plan", "look", "cut", "pay", "train", "port",
];

/// Words that, right after a sentence-initial verb-or-noun, show it was a
/// noun or a subject ("Update was …", "Support of …", "Check is …").
#[rustfmt::skip]
const NOT_AFTER_IMPERATIVE: &[&str] = &[
    "is", "was", "are", "were", "'s", "has", "had", "have", "will", "would", "can", "could",
    "should", "may", "might", "must", "does", "did", "do", "seems", "seemed", "of", "i", "you",
    "we", "they", "he", "she", "me", "", "told", "said", "says", "sent", "gave", "took", "made",
    "got", "kept", "left", "came", "went", "tells", "keeps", "just", "never", "always", "still",
    "team", "staff", "desk", "agent", "agents", "people", "person", "line", "center", "centre",
    "number", "page", "ticket", "tickets", "forum", "forums", "article", "articles",
];

/// Discourse openers skipped before an imperative ("Please add", "Also
/// allow", "Maybe bring back", "Or at least make").
#[rustfmt::skip]
const OPENERS: &[&str] = &[
    "please", "pls", "plz", "kindly", "also", "and", "or", "so", "then", "just", "simply",
    "maybe", "perhaps", "possibly", "ideally", "alternatively", "additionally", "plus",
    "atleast", "now", "really", "seriously", "definitely", "honestly", "guys", "again",
    "instead", "hence", "therefore", "thus", "finally", "lastly", "first", "firstly", "second",
    "secondly", "pleeease", "pleease", "pleasee", "at", "least", "but",
];

/// Adjectives of "it would be nice/useful if …".
#[rustfmt::skip]
const DESIRABLE: &[&str] = &[
    "nice", "great", "good", "awesome", "helpful", "better", "cool", "amazing", "wonderful",
    "ideal", "lovely", "useful", "handy", "convenient", "beneficial", "fantastic", "excellent",
    "brilliant", "neat", "preferable", "sensible", "smart", "best", "fabulous", "perfect", "sweet",
    "wise", "advisable", "valuable", "welcome", "nicer", "greater", "easier", "superb", "terrific",
];

/// What can follow "should be" in a proposal ("should be configurable",
/// "there should be an option").
#[rustfmt::skip]
const SHOULD_BE_NEXT: &[&str] = &[
    "possible", "optional", "configurable", "available", "customizable", "customisable",
    "default", "allowed", "enabled", "visible", "supported", "included", "added", "an", "a",
    "the", "more", "better", "easier", "free", "able", "some", "made", "given", "shown", "built",
    "put", "kept", "set", "done", "integrated", "implemented", "improved", "fixed", "removed",
    "changed", "updated", "extended", "expanded", "provided", "offered", "introduced",
];

/// What a customer asks for themselves rather than proposes ("I'd like a
/// refund", "we need an answer").
#[rustfmt::skip]
const REDRESS: &[&str] = &[
    "refund", "explanation", "answer", "response", "reply", "call", "callback", "apology",
    "word", "update", "receipt", "voucher", "compensation",
];

/// Subjects of a modal that make a sentence about oneself ("I need to …").
const FIRST_PERSON: &[&str] = &["i", "i'm", "im"];

/// Verbs that take "to be able to" as a wish ("want to be able to").
#[rustfmt::skip]
const WANT: &[&str] = &[
    "want", "wants", "like", "love", "need", "needs", "wish", "nice", "great", "good", "helpful",
    "useful", "possible", "cool", "awesome", "handy", "convenient",
];

/// Nouns of "an option to …", "the ability to …".
const MEANS: &[&str] = &[
    "option",
    "ability",
    "way",
    "setting",
    "possibility",
    "feature",
];

/// What the frames found in one text.
#[derive(Debug, Default)]
pub(super) struct Frames {
    /// Confidence of a suggestion (0 when none).
    pub suggestion: f64,
    /// Confidence of a recommendation to others (praise).
    pub recommendation: f64,
    /// Confidence of a question without "?" or an interrogative opening.
    pub question: f64,
    /// Confidence of a threat to leave the CX rules do not count.
    pub churn: f64,
    /// A counterfactual reproach ("you should have told me").
    pub counterfactual: bool,
}

/// Reads every frame off the text last scored into `s`, its words
/// looked up once.
pub(super) fn read(s: &CxScratch) -> Frames {
    let n = s.len();
    let v = View {
        s,
        n,
        words: (0..n).map(|i| s.word(i)).collect(),
    };
    Frames {
        suggestion: suggestion(&v),
        recommendation: recommendation(&v),
        question: question(&v),
        churn: churn(&v),
        counterfactual: counterfactual(&v),
    }
}

/// The text scored into `s`, as words with sentence and clause starts.
struct View<'a> {
    s: &'a CxScratch,
    n: usize,
    words: Vec<&'a str>,
}

impl View<'_> {
    fn w(&self, i: usize) -> &str {
        self.words.get(i).copied().unwrap_or("")
    }

    /// Word `i` is the first content word of its sentence, or the first
    /// after a comma that closes an opening adverbial clause ("If
    /// possible, add …", "Guys, please add …").
    fn clause_start(&self, i: usize) -> bool {
        let toks = self.s.toks();
        let Some(sent) = toks
            .get(i)
            .and_then(|t| self.s.sents().get(usize::from(t.sent)))
        else {
            return false;
        };
        let first = sent.first as usize;
        if first == i {
            return true;
        }
        i > first && i > 0 && self.s.clause_break(i - 1).1 && i - first <= 6
    }

    fn in_question(&self, i: usize) -> bool {
        self.s.in_question(i)
    }

    fn negated(&self, i: usize) -> bool {
        self.s.is_negator(i)
    }
}

fn directive(w: &str) -> bool {
    DIRECTIVE_VERBS.contains(&w)
}

/// Whether `w` reads as a past participle ("added", "made"): for passives
/// after "should be".
fn participle(w: &str) -> bool {
    (w.len() > 4 && w.ends_with("ed")) || SHOULD_BE_NEXT.contains(&w)
}

/// The confidence (0 when none) that the text holds a suggestion.
fn suggestion(v: &View) -> f64 {
    let mut best: f64 = 0.0;
    for i in 0..v.n {
        if v.s.is_tag(i) {
            continue;
        }
        let c = imperative_at(v, i).max(frame_at(v, i));
        best = best.max(c);
        if best >= 0.75 {
            break;
        }
    }
    best
}

/// An imperative clause opening at word `i`.
fn imperative_at(v: &View, i: usize) -> f64 {
    if !v.clause_start(i) || v.in_question(i) {
        return 0.0;
    }
    // Skip up to three discourse openers ("Please", "Or at least").
    let mut j = i;
    let mut polite = false;
    while j < i + 3 && (OPENERS.contains(&v.w(j)) || (polite && v.w(j) == "do")) {
        polite |= matches!(v.w(j), "please" | "pls" | "plz" | "kindly");
        j += 1;
    }
    let mut verb = v.w(j);
    let mut prohibitive = false;
    // "Don't remove …", "Do not stay …", "Never book …".
    if matches!(verb, "don't" | "dont" | "never") || (verb == "do" && v.w(j + 1) == "not") {
        let k = if verb == "do" { j + 2 } else { j + 1 };
        verb = v.w(k);
        if !directive(verb) || matches!(verb, "get" | "think" | "expect" | "let") {
            // "Don't forget to", "Don't miss", "Don't bother", "Don't waste".
            return if matches!(verb, "forget" | "miss" | "bother" | "waste") {
                0.6
            } else {
                0.0
            };
        }
        prohibitive = true;
        j = k;
    }
    if !directive(verb) {
        return 0.0;
    }
    let next = v.w(j + 1);
    if NOT_AFTER_IMPERATIVE.contains(&next) && !(verb == "let" && matches!(next, "me" | "us")) {
        return 0.0;
    }
    if v.s.clause_break(j).1
        || (NOUNISH.contains(&verb)
            && (matches!(next, "for" | "to" | "and") || (next.len() > 3 && next.ends_with("ed"))))
    {
        return 0.0; // "Update: …", "Support for X …"
    }
    let ok = match verb {
        // "Let me know", "Let us know": asks for an answer.
        "let" => !matches!(v.w(j + 2), "know" | "down") && next != "go",
        "keep" => !matches!(next, "up" | "going" | "it"),
        "get" => next == "rid",
        "go" => matches!(next, "for" | "with" | "to") && v.w(j + 2) != "it",
        "look" => matches!(next, "into" | "at" | "for"),
        "think" => matches!(next, "about" | "of") && v.w(j + 2).ends_with("ing"),
        "take" => !matches!(next, "care" | "it"),
        "make" => !matches!(next, "it") || v.w(j + 2) != "stop",
        "remember" => next == "to",
        "expect" | "plan" | "pay" => matches!(next, "to" | "for" | "extra" | "a" | "the"),
        _ => true,
    };
    if !ok {
        return 0.0;
    }
    if prohibitive {
        0.55
    } else if polite {
        0.75
    } else {
        0.6
    }
}

/// Modal, wish, request and advice frames around word `i`.
fn frame_at(v: &View, i: usize) -> f64 {
    let w = v.w(i);
    if w.len() < 3 {
        return 0.0; // no frame opens with "a", "to", "is", …
    }
    let prev = if i > 0 { v.w(i - 1) } else { "" };
    let (w1, w2, w3) = (v.w(i + 1), v.w(i + 2), v.w(i + 3));
    match w {
        "should" | "shouldn't" | "shouldnt" | "ought" | "must" => {
            // "Should I …?", "what should we do?": asks.
            if v.clause_start(i)
                || (v.in_question(i) && matches!(w1, "i" | "we" | "you" | "they" | "it"))
            {
                return 0.0;
            }
            let mut k = i + 1;
            if w == "ought" {
                if w1 != "to" {
                    return 0.0;
                }
                k += 1;
            }
            let negative =
                matches!(w, "shouldn't" | "shouldnt") || matches!(v.w(k), "not" | "never");
            if matches!(v.w(k), "not" | "never") {
                k += 1;
            }
            let (a, b) = (v.w(k), v.w(k + 1));
            let conf = match a {
                // "should have a dark mode" is a proposal; "should have
                // told me" / "should've" is counterfactual: a complaint.
                "have" => {
                    if matches!(
                        b,
                        "a" | "an" | "the" | "more" | "some" | "better" | "options" | "support"
                    ) {
                        0.65
                    } else {
                        0.0
                    }
                }
                "of" | "'ve" => 0.0,
                "be" => {
                    if b == "able" && v.w(k + 2) == "to" {
                        0.7
                    } else if w == "must" {
                        0.0 // "it must be a bug": epistemic
                    } else if participle(b) {
                        0.6
                    } else {
                        0.0
                    }
                }
                _ if directive(a) && a != "expect" => 0.7,
                _ => 0.0,
            };
            if negative && a != "be" && conf > 0.0 {
                0.55 // "you shouldn't charge for …", "should never pass"
            } else if w == "must" && a == "have" {
                0.0 // "must have been"
            } else {
                conf
            }
        }
        "need" | "needs" => {
            // "I need to know …", "Need to change my ticket", "… and need
            // to rebook": a personal need (the subject, said or elided, is I).
            if FIRST_PERSON.contains(&prev)
                || v.in_question(i)
                || v.clause_start(i)
                || (w == "need" && matches!(prev, "and" | "but" | "so" | "still" | "just"))
            {
                return 0.0;
            }
            match (w1, w2) {
                ("to", "be") if participle(v.w(i + 3)) => 0.55,
                ("to", verb) if directive(verb) && !matches!(verb, "get" | "go" | "pay") => 0.6,
                ("fixing" | "improving" | "improvement" | "improvements" | "updating", _) => 0.55,
                ("a" | "an" | "the", m) if MEANS.contains(&m) => 0.55,
                ("a" | "an" | "more" | "better" | "some", m)
                    if prev == "we" && !REDRESS.contains(&m) =>
                {
                    0.5
                }
                _ => 0.0,
            }
        }
        // "there needs to be …" is the "need" arm; "we need a way to".
        "able" if w1 == "to" && prev == "be" => {
            let before = if i >= 2 { v.w(i - 2) } else { "" };
            let before2 = if i >= 3 { v.w(i - 3) } else { "" };
            if matches!(before, "should" | "would" | "could" | "must" | "might")
                || (before == "to" && WANT.contains(&before2))
            {
                0.65
            } else {
                0.0
            }
        }
        "being" if w1 == "able" && w2 == "to" && v.clause_start(i) => {
            // "Being able to X would be great."
            let end = sentence_end(v, i);
            if (i + 3..end).any(|k| matches!(v.w(k), "would" | "could" | "will")) {
                0.6
            } else {
                0.0
            }
        }
        "ability" | "option" | "possibility" if w1 == "to" => {
            let before = if i >= 2 { v.w(i - 2) } else { "" };
            // Sentence-initial: an elliptical nominal request, as in a
            // request's title ("Ability to set ringtones").
            if (v.clause_start(i) && !v.in_question(i))
                || matches!(
                    before,
                    "add"
                        | "adding"
                        | "need"
                        | "needs"
                        | "want"
                        | "give"
                        | "provide"
                        | "have"
                        | "like"
                        | "love"
                        | "offer"
                        | "an"
                        | "allow"
                )
                || matches!(prev, "an" | "the")
                    && matches!(
                        before,
                        "add"
                            | "need"
                            | "want"
                            | "give"
                            | "provide"
                            | "like"
                            | "love"
                            | "be"
                            | "is"
                    )
            {
                0.55
            } else {
                0.0
            }
        }
        "wish" => {
            // "I wish I could …" wishes for a change; "I wish I had never
            // …" is regret.
            let self_wish = matches!(w1, "i" | "we");
            if self_wish && !matches!(w2, "could" | "can") {
                0.0
            } else if (matches!(prev, "i" | "we" | "really" | "just" | "only" | "still")
                && !matches!(w1, "to" | "for" | "list"))
                // "you may wish to consider"
                || (matches!(prev, "may" | "might") && w1 == "to")
            {
                0.6
            } else {
                0.0
            }
        }
        // "you might want to add"
        "want" | "wants"
            if matches!(prev, "might" | "may")
                && w1 == "to"
                && directive(w2)
                && matches!(v.w(i.saturating_sub(2)), "you" | "u" | "they") =>
        {
            0.6
        }
        // "I want you to add …", "I'd like the app to show …".
        "want" | "wants" | "like"
            if (matches!(prev, "i" | "we" | "really" | "just")
                || (w == "like" && matches!(prev, "would" | "i'd" | "we'd")))
                && !matches!(
                    w1,
                    "to" | "it" | "this" | "that" | "my" | "our" | "a" | "an" | ""
                )
                && !v.in_question(i) =>
        {
            let to = (i + 2..(i + 6).min(v.n)).find(|&k| v.w(k) == "to");
            match to {
                Some(k) if directive(v.w(k + 1)) || v.w(k + 1) == "be" => 0.55,
                _ => 0.0,
            }
        }
        "like" | "love" | "appreciate"
            if matches!(
                prev,
                "would" | "i'd" | "we'd" | "id" | "wed" | "really" | "also"
            ) && !v.in_question(i) =>
        {
            let (a, b) = (w1, w2);
            if w == "appreciate" {
                if matches!(
                    a,
                    "it" | "if" | "a" | "an" | "the" | "more" | "some" | "being"
                ) {
                    0.55
                } else {
                    0.0
                }
            } else if (a == "to" && matches!(b, "see" | "have" | "be" | "get"))
                || (a == "it" && matches!(b, "if" | "when"))
                || a == "if"
                || (matches!(a, "a" | "an" | "more" | "some") && !REDRESS.contains(&b))
            {
                0.6
            } else {
                0.0
            }
        }
        // "you could also consider …", "we could add …" (proposals; not
        // "you could have told me").
        "could" if matches!(prev, "you" | "u" | "we" | "they") && proposal_after(v, i) => 0.55,
        "would" | "could" | "it'd" | "that'd" | "itd" | "will" | "might" => {
            let be = if matches!(w, "it'd" | "that'd" | "itd") {
                i
            } else {
                i + 1
            };
            let (b1, b2) = (v.w(be + 1), v.w(be + 2));
            if (be == i || w1 == "be")
                && (DESIRABLE.contains(&b1)
                    || (matches!(
                        b1,
                        "so" | "really" | "very" | "much" | "also" | "even" | "quite" | "a"
                    ) && (DESIRABLE.contains(&b2) || v.w(be + 3) == "improvement")))
                && (!matches!(w, "will" | "might")
                    || matches!(v.w(be + 2), "if" | "to" | "when")
                    || matches!(v.w(be + 3), "if" | "to" | "when"))
            {
                // "it would be nice if", "would be great to have".
                0.7
            } else if matches!(w, "would" | "could" | "will")
                && w1 == "help"
                && (i + 2..(i + 6).min(v.n)).any(|k| v.w(k) == "if")
            {
                0.6 // "it would help (a lot) if"
            } else if matches!(w, "could" | "would" | "will")
                && matches!(w1, "you" | "u" | "there" | "they")
                && v.in_question(i)
                && v.clause_start(i)
            {
                request_verb(v, i + 2)
            } else {
                0.0
            }
        }
        "can" if matches!(w1, "you" | "u" | "there" | "we" | "they") && v.in_question(i) => {
            if w1 == "there" {
                if matches!(w2, "be" | "please") {
                    0.6
                } else {
                    0.0
                }
            } else if w1 == "we" {
                if w2 == "have" || (w2 == "please" && w3 == "have") {
                    0.5
                } else {
                    0.0
                }
            } else {
                request_verb(v, i + 2)
            }
        }
        "what" if w1 == "about" && w2.ends_with("ing") && w2.len() > 4 => 0.6,
        "what" if w1 == "if" && matches!(w2, "you" | "they" | "we") && v.clause_start(i) => 0.5,
        "propose" | "proposal" | "advise" | "advice" | "tip" | "tips"
            if !v.in_question(i)
                && (matches!(
                    prev,
                    "i" | "we" | "my" | "would" | "i'd" | "our" | "a" | "one" | "strongly" | "'d"
                ) || (w == "tip" && v.s.clause_break(i).1)) =>
        {
            0.6
        }
        "recommend" | "suggest" if w1.ends_with("ing") && w1.len() > 4 && !v.negated(i) => 0.65,
        "sure"
            if matches!(prev, "make" | "be")
                && matches!(w1, "you" | "to" | "that" | "u" | "your") =>
        {
            let before = if i >= 2 { v.w(i - 2) } else { "" };
            if matches!(
                before,
                "i" | "i'll" | "we" | "we'll" | "will" | "to" | "not"
            ) {
                0.0 // "I'll make sure to", "wanted to make sure"
            } else {
                0.65
            }
        }
        "better" | "best" | "wise" | "advisable"
            if matches!(w1, "to" | "if")
                && matches!(
                    prev,
                    "is" | "be" | "it's" | "its" | "'s" | "much" | "probably"
                )
                && !v.in_question(i) =>
        {
            0.55
        }
        "hope" | "hopefully"
            if matches!(w1, "you" | "u" | "they" | "microsoft" | "we")
                && matches!(w2, "will" | "would" | "can" | "could" | "'ll")
                && directive(w3) =>
        {
            0.5
        }
        "hope" if w1 == "to" && w2 == "see" && prev != "not" => 0.5,
        // Mandative: "it is important that we support …".
        "important" | "essential" | "crucial" | "vital" | "necessary" | "imperative"
            if w1 == "that"
                && matches!(
                    prev,
                    "is" | "'s" | "it's" | "its" | "be" | "very" | "really" | "extremely"
                )
                && !v.in_question(i) =>
        {
            0.55
        }
        // "it's nice if", "it's better if".
        _ if w1 == "if"
            && DESIRABLE.contains(&w)
            && matches!(
                prev,
                "is" | "'s" | "it's" | "its" | "be" | "very" | "really" | "so" | "much"
            )
            && !v.in_question(i) =>
        {
            0.55
        }
        // A gerund proposal: "Adding X would make …".
        _ if v.clause_start(i) && gerund_of_directive(w) => {
            let end = sentence_end(v, i);
            if (i + 1..end).any(|k| matches!(v.w(k), "would" | "could" | "should")) {
                0.55
            } else {
                0.0
            }
        }
        _ => 0.0,
    }
}

/// Whether the text reproaches with a counterfactual perfect: "you should
/// have told me", "they should've warned us", "could have let us know" —
/// what ought to have happened and did not: a complaint.
fn counterfactual(v: &View) -> bool {
    (0..v.n).any(|i| {
        let (w1, w2) = (v.w(i + 1), v.w(i + 2));
        let modal = match v.w(i) {
            "should" | "could" | "shouldn't" | "shouldnt" => true,
            "should've" | "could've" | "shouldve" | "couldve" => {
                return participle(w1) || IRREGULAR_PARTICIPLES.contains(&w1)
            }
            _ => false,
        };
        modal
            && i > 0
            && matches!(
                v.w(i - 1),
                "you" | "u" | "they" | "someone" | "somebody" | "he" | "she" | "staff" | "agent"
            )
            && w1 == "have"
            && (participle(w2) || IRREGULAR_PARTICIPLES.contains(&w2))
            && !v.in_question(i)
    })
}

/// Irregular past participles of the counterfactual perfect.
#[rustfmt::skip]
const IRREGULAR_PARTICIPLES: &[&str] = &[
    "told", "said", "sent", "given", "known", "let", "put", "made", "done", "taken", "kept",
    "been", "left", "shown", "written", "thought", "paid", "brought", "gotten", "got", "seen",
];

/// "could (also) add …" at `i`, outside a question.
fn proposal_after(v: &View, i: usize) -> bool {
    let k = if matches!(
        v.w(i + 1),
        "also" | "just" | "simply" | "easily" | "always" | "then"
    ) {
        i + 2
    } else {
        i + 1
    };
    let verb = v.w(k);
    !v.in_question(i) && directive(verb) && !matches!(verb, "get" | "go" | "expect" | "take")
}

/// The end (exclusive) of the sentence of word `i`.
fn sentence_end(v: &View, i: usize) -> usize {
    v.s.toks()
        .get(i)
        .and_then(|t| v.s.sents().get(usize::from(t.sent)))
        .map_or(i, |s| s.end as usize)
}

/// Whether `w` is the -ing form of a directive verb ("adding", "making").
fn gerund_of_directive(w: &str) -> bool {
    let Some(base) = w.strip_suffix("ing").filter(|b| b.len() > 2) else {
        return false;
    };
    directive(base)
        || DIRECTIVE_VERBS
            .iter()
            .any(|d| d.strip_suffix('e') == Some(base))
}

/// "Can you add …", "Could you please allow …": a request for a change.
fn request_verb(v: &View, k: usize) -> f64 {
    let k = if v.w(k) == "please" { k + 1 } else { k };
    let verb = v.w(k);
    if directive(verb)
        && !matches!(
            verb,
            "fix"
                | "get"
                | "go"
                | "look"
                | "think"
                | "send"
                | "check"
                | "take"
                | "try"
                | "ask"
                | "pay"
                | "return"
                | "expect"
                | "book"
                | "order"
                | "remember"
                | "stay"
                | "choose"
                | "pick"
                | "eat"
        )
        && !matches!(v.w(k + 1), "me" | "my")
    {
        0.6
    } else {
        0.0
    }
}

/// The confidence (0 when none) that the text recommends what it talks
/// about to others ("highly recommend", "worth every penny", "go for
/// it"), read as praise.
fn recommendation(v: &View) -> f64 {
    let mut best: f64 = 0.0;
    for i in 0..v.n {
        let w = v.w(i);
        let prev = if i > 0 { v.w(i - 1) } else { "" };
        let (w1, w2) = (v.w(i + 1), v.w(i + 2));
        let c = match w {
            "recommend" | "recommended" | "recommending" if !v.in_question(i) => {
                let negated = (i.saturating_sub(3)..i).any(|j| v.negated(j));
                // "I'd recommend asking for …" recommends an action: advice.
                let action = w1.len() > 4 && w1.ends_with("ing");
                // "can't recommend them enough", "wouldn't hesitate to recommend".
                let enough = (i + 1..(i + 5).min(v.n)).any(|j| v.w(j) == "enough");
                let hesitate = (i.saturating_sub(3)..i).any(|j| v.w(j) == "hesitate");
                if (negated && !enough && !hesitate) || action {
                    0.0
                } else if matches!(
                    prev,
                    "highly" | "definitely" | "totally" | "strongly" | "absolutely"
                ) || enough
                {
                    0.8
                } else if matches!(prev, "i" | "would" | "i'd" | "we" | "i'll" | "will" | "to")
                    || matches!(
                        w1,
                        "it" | "this" | "them" | "the" | "to" | "you" | "him" | "her" | "us"
                    )
                {
                    0.6
                } else {
                    0.0
                }
            }
            "worth"
                if !v.in_question(i)
                    && !(i.saturating_sub(3)..i).any(|j| v.negated(j))
                    && ((w1 == "every"
                        && matches!(
                            w2,
                            "penny" | "cent" | "dollar" | "pound" | "minute" | "euro"
                        ))
                        || (w1 == "it" && v.s.clause_break(i + 1).1)
                        || (w1 == "the"
                            && matches!(
                                w2,
                                "money" | "price" | "wait" | "trip" | "visit" | "extra"
                            ))
                        || prev == "well") =>
            {
                0.65
            }
            "go" if w1 == "for" && w2 == "it" && v.clause_start(i) => 0.55,
            _ => 0.0,
        };
        best = best.max(c);
    }
    best
}

/// The confidence (0 when none) that the text asks something without a
/// question mark and without an interrogative opening: "does anyone know",
/// "is there a way", "I was wondering if", "any idea how".
fn question(v: &View) -> f64 {
    for i in 0..v.n {
        let (w1, w2) = (v.w(i + 1), v.w(i + 2));
        let hit = match v.w(i) {
            "anyone" | "anybody" | "someone" | "somebody" => {
                matches!(
                    w1,
                    "know" | "knows" | "tried" | "have" | "had" | "help" | "else"
                ) && matches!(
                    if i > 0 { v.w(i - 1) } else { "" },
                    "does" | "has" | "can" | "could" | "" | "did"
                )
            }
            "there" => {
                i > 0
                    && v.w(i - 1) == "is"
                    && matches!(w1, "a" | "any")
                    && matches!(w2, "way" | "option" | "setting" | "chance")
            }
            "wondering" | "wonder" => {
                matches!(
                    w1,
                    "if" | "whether" | "how" | "why" | "what" | "when" | "where" | "who"
                )
            }
            "idea" | "ideas" => {
                i > 0
                    && v.w(i - 1) == "any"
                    && matches!(
                        w1,
                        "how" | "why" | "what" | "when" | "where" | "if" | "on" | ""
                    )
            }
            "how" => {
                matches!(w1, "do" | "can" | "should" | "to")
                    && matches!(
                        w2,
                        "i" | "we" | "you" | "get" | "change" | "make" | "set" | "find" | "use"
                    )
                    && v.clause_start(i)
            }
            "do" => {
                w1 == "you"
                    && w2 == "know"
                    && matches!(
                        v.w(i + 3),
                        "if" | "whether" | "how" | "why" | "what" | "when" | "where"
                    )
            }
            _ => false,
        };
        if hit {
            return 0.6;
        }
    }
    0.0
}

/// The confidence (0 when none) of threats to leave the CX rules do not
/// count: "looking for alternatives", "we will not return", "won't be
/// back", "not renewing".
fn churn(v: &View) -> f64 {
    for i in 0..v.n {
        let w = v.w(i);
        let prev = if i > 0 { v.w(i - 1) } else { "" };
        let window = |from: usize| (i.saturating_sub(from)..i).map(|j| v.w(j));
        let hit = match w {
            "alternative" | "alternatives" => {
                !v.in_question(i)
                    && window(3).any(|x| {
                        matches!(
                            x,
                            "looking"
                                | "look"
                                | "find"
                                | "finding"
                                | "search"
                                | "searching"
                                | "seeking"
                                | "considering"
                                | "consider"
                                | "exploring"
                                | "explore"
                                | "trying"
                                | "switching"
                                | "moving"
                                | "found"
                        )
                    })
            }
            // "won't be back", "not coming back", "will never be back" (the
            // negation on the verb of returning, not "can't wait to be back").
            "back" => {
                let neg = |j: usize| v.negated(j) || v.w(j) == "never";
                matches!(prev, "be" | "coming" | "come" | "returning" | "going")
                    && i >= 2
                    && (neg(i - 2) || (i >= 3 && neg(i - 3) && matches!(v.w(i - 2), "be" | "ever")))
                    && !matches!(v.w(i.saturating_sub(3)), "can't" | "cant" | "wait")
                    && !v.in_question(i)
                    && !matches!(v.w(i + 1), "to" | "and" | "up" | "home")
            }
            // "we will not return", "won't be renewing", "never returning".
            "return" | "returning" | "renew" | "renewing" | "rebook" | "rebooking" => {
                !v.in_question(i)
                    && (i.saturating_sub(3)..i).any(|j| v.negated(j) || v.w(j) == "never")
                    && window(4).any(|x| {
                        matches!(
                            x,
                            "will"
                                | "won't"
                                | "wont"
                                | "i'll"
                                | "we'll"
                                | "would"
                                | "wouldn't"
                                | "never"
                                | "going"
                                | "be"
                        )
                    })
            }
            _ => false,
        };
        if hit {
            return 0.7;
        }
    }
    0.0
}
