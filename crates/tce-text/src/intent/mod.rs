//! Intents of a customer message: complaint, praise, question, suggestion,
//! churn risk, purchase intent. Multi-label, each with a confidence.
//!
//! Intents are read off the CX analysis of the text ([`crate::cx`]): its
//! compound score and the cues its rules found (service failures, complaint
//! questions, gratitude, sarcasm, threats to leave, problems solved and
//! threats stopped), plus phrase patterns of their own for purchase intent
//! and the speech-act frames of `frames` (suggestions as requests,
//! proposals, wishes and advice; recommendations; questions without "?";
//! threats to leave). Nothing is learned; every rule is a plain cue of how
//! customers phrase these intents. A trained yes/no model can replace any
//! intent's rule in enrichment
//! ([`crate::enrich::Enricher::with_intent_classifier`]). A rating that came
//! with the text re-weighs the complaint or praise it contradicts
//! ([`reweigh_by_rating`]).
//!
//! ```
//! use tce_model::Intent;
//! use tce_text::intent::intents;
//! let found = intents("Why is my flight delayed again? Switching to another airline.");
//! let has = |i| found.iter().any(|s| s.intent == i);
//! assert!(has(Intent::Complaint) && has(Intent::Question) && has(Intent::ChurnRisk));
//! ```

mod frames;

use crate::cx::{trigger, CxScratch, CxSentiment};
use tce_model::{Intent, IntentScore};

/// Verbs of buying.
#[rustfmt::skip]
const BUY_VERBS: &[&str] = &[
    "buy", "buying", "book", "booking", "purchase", "purchasing", "order", "ordering", "subscribe",
    "upgrade", "upgrading", "reserve", "sign", "signing", "switch", "try", "get", "getting",
];

/// Things one buys.
#[rustfmt::skip]
const BUY_NOUNS: &[&str] = &[
    "ticket", "tickets", "flight", "flights", "fare", "fares", "deal", "deals", "plan", "plans",
    "package", "packages", "membership", "subscription", "pass", "card", "trip", "seat", "seats",
    "upgrade", "offer", "offers", "room", "rooms", "phone", "model", "vacation", "holiday",
];

/// Words that make a suggestion after "should", "could", "please".
#[rustfmt::skip]
const SUGGEST_VERBS: &[&str] = &[
    "add", "offer", "consider", "make", "start", "allow", "let", "bring", "provide", "think",
    "look", "improve", "invest", "hire", "put", "change", "try", "include", "introduce", "expand",
    "extend", "open", "install", "upgrade", "update", "really", "definitely", "seriously",
    "totally", "do", "use", "fly", "develop", "create",
];

/// Adjectives of "it would be nice if …".
#[rustfmt::skip]
const NICE: &[&str] = &[
    "nice", "great", "good", "awesome", "helpful", "better", "cool", "amazing", "wonderful",
    "ideal", "lovely",
];

/// Verbs of a wished-for change ("I wish the app had …").
#[rustfmt::skip]
const WISHED: &[&str] = &[
    "had", "would", "could", "offered", "made", "let", "allowed", "flew", "showed", "added",
];

/// What follows "consider" in a suggestion ("consider adding …").
#[rustfmt::skip]
const CONSIDER_NEXT: &[&str] = &[
    "adding", "offering", "making", "a", "an", "more", "bringing", "opening",
];

/// Runs the CX engine on `text` and returns its intents.
pub fn intents(text: &str) -> Vec<IntentScore> {
    let mut scratch = CxScratch::new();
    let compound = CxSentiment::new().scores_with(text, &mut scratch).compound;
    let mut out = Vec::new();
    detect_into(&scratch, compound, &mut out);
    out
}

/// The intents of the text last scored into `scratch` (by
/// [`CxSentiment::scores_with`]), whose compound is `compound`, appended to
/// `out` in [`Intent::ALL`] order.
pub fn detect_into(scratch: &CxScratch, compound: f64, out: &mut Vec<IntentScore>) {
    let c = scratch.cues();
    let phrases = Phrases::find(scratch);
    let found = frames::read(scratch);
    let mut push = |intent, confidence: f64| {
        if confidence > 0.0 {
            out.push(IntentScore {
                intent,
                confidence: confidence.clamp(0.05, 0.95) as f32,
            });
        }
    };
    let failures = f64::from(c.failures.min(6));
    let negative = compound <= CxSentiment::NEGATIVE_THRESHOLD;
    let positive = compound >= CxSentiment::POSITIVE_THRESHOLD;

    // Complaint: negative, or a service failure not outweighed by praise.
    let mut complaint: f64 = 0.0;
    if negative {
        complaint = 0.5 + compound.abs() / 2.0 + 0.03 * failures;
    } else if c.failures > 0 && !positive {
        complaint = 0.45 + 0.05 * failures;
    }
    if c.complaint_questions > 0 || c.sarcasm > 0 {
        complaint = complaint.max(0.7);
    }
    // "You should have told me": what ought to have happened and did not.
    if found.counterfactual {
        complaint = complaint.max(0.55);
    }
    push(Intent::Complaint, complaint);

    // Praise: positive, or a clearly positive sentence in a mixed message
    // ("the crew was great but we sat 2 hours on the tarmac").
    let mut praise: f64 = 0.0;
    if positive && c.sarcasm == 0 {
        praise = 0.4 + compound / 2.0;
        if c.gratitude > 0 {
            praise += 0.1;
        }
    } else if c.sarcasm == 0 && strong_positive_clause(scratch) {
        praise = 0.45;
    }
    // Recommending it to others ("highly recommend", "worth every
    // penny") is praise, unless the message as a whole is negative.
    // A strong recommendation ("can't recommend them enough") is praise
    // even where VADER reads the negation as negative.
    let recommends = found.recommendation;
    if c.sarcasm == 0 && (!negative || recommends >= 0.8) {
        praise = praise.max(recommends);
    }
    // A problem solved or a threat stopped is praise of the service
    // ("they fixed my refund issue quickly"), unless the message as a
    // whole is not positive ("it was fixed, then it broke again").
    if c.resolutions > 0 && c.sarcasm == 0 && compound > 0.05 {
        praise = praise.max(0.55);
    }
    push(Intent::Praise, praise);

    // Question: a '?' sentence, or an interrogative opening without one.
    let question = if c.questions > 0 {
        if c.complaint_questions > 0 {
            // Rhetorical: still asks, but mostly complains.
            0.65
        } else {
            0.85
        }
    } else if c.interrogatives > 0 {
        0.6
    } else if c.complaint_questions > 0 {
        0.5
    } else {
        found.question
    };
    push(Intent::Question, question);

    push(Intent::Suggestion, phrases.suggestion.max(found.suggestion));
    let churn = if c.churn > 0 || found.churn > 0.0 {
        0.7 + if negative { 0.15 } else { 0.0 }
    } else {
        0.0
    };
    push(Intent::ChurnRisk, churn);
    push(Intent::PurchaseIntent, phrases.purchase);
}

/// Reads a yes/no gold or class label: `1`/`0`, `yes`/`no`, `true`/`false`,
/// `y`/`n` (any case, surrounding spaces ignored); `None` for anything else.
///
/// ```
/// use tce_text::intent::parse_yes_no;
/// assert_eq!(parse_yes_no(" Yes"), Some(true));
/// assert_eq!(parse_yes_no("0"), Some(false));
/// assert_eq!(parse_yes_no("maybe"), None);
/// ```
pub fn parse_yes_no(label: &str) -> Option<bool> {
    let l = label.trim();
    let any = |words: &[&str]| words.iter().any(|w| l.eq_ignore_ascii_case(w));
    if any(&["1", "yes", "true", "y"]) {
        Some(true)
    } else if any(&["0", "no", "false", "n"]) {
        Some(false)
    } else {
        None
    }
}

/// Whether a trained classifier's class `label` means "has `intent`": a
/// yes label ([`parse_yes_no`]) or the intent's own id. A binary intent
/// model trained on 1/0 labels has the positive class `1`.
pub fn is_positive_label(label: &str, intent: Intent) -> bool {
    parse_yes_no(label) == Some(true) || label.trim() == intent.as_str()
}

/// Confidence below which a re-weighed intent is dropped: lower than any
/// confidence the text rules give on their own (0.45), so only an intent
/// the rating contradicts falls under it.
pub const MIN_CONFIDENCE: f32 = 0.4;

/// Re-weighs the intents read from a text by the rating that came with it
/// (`experience_value`: the rating mapped onto −1…1, see
/// [`tce_model::Rating::experience_value`]). A rating above the middle of
/// its scale lowers the complaint confidence, one below it lowers the
/// praise confidence, by half the rating's distance from the middle (a
/// 5-star review halves a complaint, a 4-star one takes a quarter off);
/// intents that fall under [`MIN_CONFIDENCE`] are dropped. The other
/// intents (questions, suggestions, churn risk, purchase intent) are not
/// contradicted by a rating and stay as they are.
///
/// ```
/// use tce_model::{Intent, IntentScore};
/// use tce_text::intent::reweigh_by_rating;
/// let mut found = vec![IntentScore { intent: Intent::Complaint, confidence: 0.62 }];
/// reweigh_by_rating(&mut found, 1.0); // 5 stars
/// assert!(found.is_empty());
/// ```
pub fn reweigh_by_rating(intents: &mut Vec<IntentScore>, experience_value: f64) {
    if !experience_value.is_finite() {
        return;
    }
    let r = experience_value.clamp(-1.0, 1.0);
    for s in intents.iter_mut() {
        let against = match s.intent {
            Intent::Complaint => r.max(0.0),
            Intent::Praise => (-r).max(0.0),
            _ => 0.0,
        };
        if against > 0.0 {
            s.confidence = (f64::from(s.confidence) * (1.0 - 0.5 * against)) as f32;
        }
    }
    intents.retain(|s| s.confidence >= MIN_CONFIDENCE);
}

/// What the suggestion and purchase patterns found.
#[derive(Debug, Default)]
struct Phrases {
    suggestion: f64,
    purchase: f64,
}

/// Whether a clause outside questions is clear praise ("the crew was
/// amazing, but …").
fn strong_positive_clause(s: &CxScratch) -> bool {
    let vals = s.valences();
    let mut sum = 0.0;
    for (i, &v) in vals.iter().enumerate() {
        let (starts, ends) = s.clause_break(i);
        if starts {
            sum = 0.0;
        }
        sum += v;
        if sum >= 1.5 && !s.in_question(i) {
            return true;
        }
        if ends {
            sum = 0.0;
        }
    }
    false
}

/// Verbs of buying.
fn buy_verb(w: &str) -> bool {
    BUY_VERBS.contains(&w)
}

/// Things one buys.
fn buy_noun(w: &str) -> bool {
    BUY_NOUNS.contains(&w)
}

/// Words that make a suggestion after "should", "could", "please".
fn suggest_verb(w: &str) -> bool {
    SUGGEST_VERBS.contains(&w)
}

impl Phrases {
    fn find(s: &CxScratch) -> Phrases {
        let mut p = Phrases::default();
        let toks = s.toks();
        let n = toks.len();
        let w = |i: usize| if i < n { s.word(i) } else { "" };
        let is_sentence_start = |i: usize| {
            toks.get(i)
                .and_then(|t| s.sents().get(usize::from(t.sent)))
                .is_some_and(|st| st.first as usize == i)
        };
        for (i, tok) in toks.iter().enumerate() {
            let bits = tok.triggers();
            if bits == 0 || s.is_tag(i) {
                continue;
            }
            let prev = if i > 0 { w(i - 1) } else { "" };
            let (w1, w2, w3) = (w(i + 1), w(i + 2), w(i + 3));
            if bits & trigger::SUGGEST != 0 {
                let conf: f64 = match w(i) {
                    "should" => {
                        let subject = matches!(
                            prev,
                            "you" | "u" | "they" | "guys" | "y'all" | "we" | "airline" | "company"
                        );
                        let perfect = matches!(w1, "have" | "of" | "be")
                            && !matches!(w2, "more" | "an" | "a" | "the" | "better");
                        if perfect || s.is_negator(i + 1) {
                            0.0 // "should have told me": a complaint
                        } else if suggest_verb(w1) || (subject && !w1.is_empty()) {
                            0.75
                        } else {
                            0.0
                        }
                    }
                    "could" | "would" => {
                        let nice = |x: &str| NICE.contains(&x);
                        if w1 == "be" && (nice(w2) || (w2 == "so" && nice(w3))) {
                            0.75 // "it would be nice if"
                        } else if w1 == "love"
                            && matches!(w2, "to" | "it" | "if")
                            && matches!(w3, "see" | "have" | "if" | "get" | "when")
                        {
                            0.6 // "would love to see more flights"
                        } else if matches!(prev, "you" | "u") && suggest_verb(w1) && w1 != "do" {
                            0.55 // "you could add …"
                        } else {
                            0.0
                        }
                    }
                    "it'd" if w1 == "be" => 0.7,
                    "suggest" | "suggestion" | "suggestions" => 0.8,
                    // "an idea:", "great idea would be" (not "no idea", "any idea").
                    "idea" if matches!(prev, "an" | "good" | "great" | "my" | "one" | "quick") => {
                        0.6
                    }
                    // "I wish you flew to Oslo", "wish the app had a dark mode".
                    // Not "I wish I had never …": regret.
                    "wish"
                        if (matches!(w1, "you" | "u" | "they" | "there" | "it" | "y'all")
                            || WISHED.contains(&w2)
                            || WISHED.contains(&w3))
                            && (!matches!(w1, "i" | "we") || matches!(w2, "could" | "can")) =>
                    {
                        0.65
                    }
                    "please" | "pls" | "plz" if suggest_verb(w1) && w1 != "do" && w1 != "let" => {
                        0.7
                    }
                    "why"
                        if is_sentence_start(i)
                            && (w1 == "not"
                                || (matches!(w1, "don't" | "dont")
                                    && matches!(w2, "you" | "u" | "we" | "they"))) =>
                    {
                        0.65
                    }
                    "how" if w1 == "about" => 0.65,
                    "consider" if CONSIDER_NEXT.contains(&w1) => 0.7,
                    // "to add" only after a verb of wanting or proposing
                    // ("would like to add"), not "it is difficult to add".
                    "add" | "adding" | "improve" | "improvement"
                        if matches!(
                            prev,
                            "should" | "could" | "please" | "pls" | "consider" | "an" | "some"
                        ) || (prev == "to"
                            && matches!(
                                i.checked_sub(2).map_or("", w),
                                "like" | "love" | "want" | "wants" | "suggest" | "need" | "needs"
                            )) =>
                    {
                        0.6
                    }
                    "feature" if matches!(w1, "request" | "idea" | "suggestion") => 0.8,
                    "recommend" if matches!(w1, "that" | "you" | "u" | "adding" | "offering") => {
                        0.6
                    }
                    // "maybe you could …", "maybe hire more staff?"
                    "maybe"
                        if (matches!(w1, "you" | "u")
                            && matches!(w2, "could" | "should" | "can"))
                            || (is_sentence_start(i) && suggest_verb(w1) && w1 != "do") =>
                    {
                        0.6
                    }
                    "hope" if matches!(w1, "you" | "u" | "they") && SUGGEST_VERBS.contains(&w2) => {
                        0.5
                    }
                    _ => 0.0,
                };
                p.suggestion = p.suggestion.max(conf);
            }
            if bits & trigger::PURCHASE != 0 {
                let conf: f64 = match w(i) {
                    "thinking" | "considering" | "planning" => {
                        let w1x = if matches!(w1, "of" | "about" | "on" | "to") {
                            w2
                        } else {
                            w1
                        };
                        if buy_verb(w1x)
                            || matches!(w1x, "flying" | "fly" | "visiting" | "a" | "an")
                                && (buy_noun(w3) || matches!(w1x, "flying" | "fly" | "visiting"))
                        {
                            0.75
                        } else {
                            0.0
                        }
                    }
                    "looking"
                        if (w1 == "to" && buy_verb(w2))
                            || (matches!(w1, "for" | "at") && (buy_noun(w2) || buy_noun(w3))) =>
                    {
                        0.7
                    }
                    "want"
                        if (w1 == "to" && buy_verb(w2))
                            || buy_noun(w1)
                            || (matches!(w1, "a" | "an" | "one" | "the") && buy_noun(w2)) =>
                    {
                        0.7
                    }
                    "how"
                        if w1 == "much"
                            && matches!(
                                w2,
                                "is" | "are"
                                    | "does"
                                    | "do"
                                    | "for"
                                    | "would"
                                    | "will"
                                    | "to"
                                    | "it"
                                    | "extra"
                            ) =>
                    {
                        0.7
                    }
                    "how"
                        if matches!(w1, "do" | "can")
                            && matches!(w2, "i" | "we")
                            && buy_verb(w3)
                            && w3 != "get" =>
                    {
                        0.65
                    }
                    "where"
                        if matches!(w1, "can" | "do")
                            && matches!(w2, "i" | "we")
                            && buy_verb(w3)
                            && w3 != "get" =>
                    {
                        0.7
                    }
                    "sign" if matches!(w1, "up" | "me" | "us") => 0.7,
                    "signup" | "subscribe" => 0.6,
                    "interested" if w1 == "in" => 0.65,
                    "price" | "prices" | "pricing" | "cost" | "costs" | "fare" | "fares"
                    | "quote" | "deal" | "available"
                        if s.in_question(i) =>
                    {
                        0.55
                    }
                    "book" | "buy" | "purchase" | "order" | "upgrade"
                        if matches!(prev, "wanna" | "gonna" | "i'll" | "will")
                            && !s.is_negator(i.wrapping_sub(2)) =>
                    {
                        0.6
                    }
                    "going" if w1 == "to" && buy_verb(w2) && w2 != "get" && w2 != "try" => 0.6,
                    _ => 0.0,
                };
                p.purchase = p.purchase.max(conf);
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(text: &str, intent: Intent) -> bool {
        intents(text).iter().any(|s| s.intent == intent)
    }

    #[test]
    fn complaints() {
        for t in [
            "Flight delayed 3 hours and no update at the gate",
            "I was charged twice for the same order",
            "Still waiting for my refund after 3 weeks",
            "The app keeps crashing when I try to pay",
        ] {
            assert!(has(t, Intent::Complaint), "{t}: {:?}", intents(t));
            assert!(!has(t, Intent::Praise), "{t}: {:?}", intents(t));
        }
        assert!(!has("What time does the store open?", Intent::Complaint));
    }

    #[test]
    fn praise() {
        for t in [
            "The crew was wonderful, thank you!",
            "Thanks for the quick reply, all sorted now",
            "Smooth check-in and we landed early",
        ] {
            assert!(has(t, Intent::Praise), "{t}: {:?}", intents(t));
        }
        // Mixed: both.
        let t = "The crew was amazing and so kind, but we sat 2 hours on the tarmac.";
        assert!(
            has(t, Intent::Praise) && has(t, Intent::Complaint),
            "{:?}",
            intents(t)
        );
        assert!(!has("Thanks for nothing", Intent::Praise));
    }

    #[test]
    fn questions() {
        assert!(has("Do you fly to Lisbon in winter?", Intent::Question));
        assert!(has("how do I change my seat", Intent::Question));
        let rhetorical = "Why is it so hard to get a refund?";
        assert!(has(rhetorical, Intent::Question) && has(rhetorical, Intent::Complaint));
        assert!(!has("The seat was fine.", Intent::Question));
    }

    #[test]
    fn suggestions() {
        for t in [
            "You should add more vegetarian meals",
            "It would be nice if the app showed the gate number",
            "Please consider adding a night flight to Oslo",
            "Why not open a branch in the city centre?",
            "I wish you had wifi on short flights",
            "I wish the app had a dark mode",
            "Maybe hire more staff at the weekend?",
        ] {
            assert!(has(t, Intent::Suggestion), "{t}: {:?}", intents(t));
        }
        assert!(!has(
            "You should have told me the flight was cancelled",
            Intent::Suggestion
        ));
        assert!(!has("I have no idea where my bag is", Intent::Suggestion));
    }

    #[test]
    fn churn() {
        for t in [
            "I'm switching to another carrier next month",
            "Please cancel my account",
            "Never again. Worst service ever.",
            "I'll never fly with you again",
            "You just lost a customer",
        ] {
            assert!(has(t, Intent::ChurnRisk), "{t}: {:?}", intents(t));
        }
        assert!(!has(
            "Please cancel my flight to Rome and rebook me",
            Intent::ChurnRisk
        ));
        assert!(!has(
            "I'm not switching to anyone else, I love you guys",
            Intent::ChurnRisk
        ));
    }

    #[test]
    fn purchase() {
        for t in [
            "Thinking of booking a trip to Tokyo in May",
            "How much is a day pass?",
            "Where can I sign up for the loyalty program?",
            "I want to buy the new model",
            "Looking for cheap flights to Rome",
        ] {
            assert!(has(t, Intent::PurchaseIntent), "{t}: {:?}", intents(t));
        }
        assert!(!has("How do I get a refund?", Intent::PurchaseIntent));
    }

    #[test]
    fn confidence_and_order() {
        let found = intents(
            "Why is my bag still missing? I'm done with you, switching to another airline.",
        );
        let order: Vec<usize> = found
            .iter()
            .map(|s| {
                Intent::ALL
                    .iter()
                    .position(|&i| i == s.intent)
                    .unwrap_or(99)
            })
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{found:?}");
        assert!(found.iter().all(|s| (0.05..=0.95).contains(&s.confidence)));
        assert!(found
            .iter()
            .any(|s| s.intent == Intent::ChurnRisk && s.confidence > 0.8));
    }
}
