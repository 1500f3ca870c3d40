//! Composes the text of one signal from the wording banks, the model's
//! touchpoint phrases and the brand's names, with the variation real posts have:
//! openers and closers, a second touchpoint, churn threats, purchase intent,
//! suggestions, questions, hashtags, @mentions, emoji, links, ALL CAPS, typos.
//!
//! The composer owns two reusable buffers and never allocates per signal once
//! they have grown.

use crate::phrases::PhraseSet;
use crate::plan::{Kind, Style};
use crate::vocab::{self, Tone, ToneBank};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;

/// Shortest and longest text, in characters.
pub(crate) const MIN_CHARS: usize = 40;
/// Longest text, in characters.
pub(crate) const MAX_CHARS: usize = 280;

type Bank = Vec<&'static str>;

/// The wording banks with every template that would name one of the model's
/// touchpoints by accident removed.
#[derive(Debug, Clone)]
pub(crate) struct Banks {
    core_np: [Bank; 6],
    core_state: [Bank; 6],
    general: [Bank; 6],
    second: [Bank; 6],
    openers: [Bank; 6],
    closers: [Bank; 6],
    titles: [Bank; 6],
    agent_np: [Bank; 6],
    agent_general: [Bank; 6],
    agent_prefix: [Bank; 4],
    churn: Bank,
    intent: Bank,
    intent_again: Bank,
    suggest_np: Bank,
    suggest_general: Bank,
    questions: Bank,
    advocacy: Bank,
    incident_np: Bank,
    reply_prefix: Bank,
    survey_general: [Bank; 6],
    survey_neutral_np: Bank,
    problem_pos: [Bank; 2],
    problem_second_pos: Bank,
    agent_problem_pos: Bank,
    brand_reply: Bank,
    follow_thanks: Bank,
    follow_unhappy: Bank,
    follow_churn: Bank,
    follow_waiting: Bank,
    follow_waiting_churn: Bank,
    domain_emoji: &'static [&'static str],
}

fn strip_placeholders(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut depth = false;
    for c in template.chars() {
        match c {
            '{' => {
                depth = true;
                out.push_str(" | ");
            }
            '}' => depth = false,
            _ if !depth => out.push(c),
            _ => {}
        }
    }
    out
}

fn filter(list: &[&'static str], phrases: &PhraseSet) -> Bank {
    let kept: Bank = list
        .iter()
        .copied()
        .filter(|t| !phrases.any_in(&strip_placeholders(t)))
        .collect();
    if kept.is_empty() {
        list.to_vec()
    } else {
        kept
    }
}

fn filter_tones(bank: &ToneBank, phrases: &PhraseSet) -> [Bank; 6] {
    bank.map(|list| filter(list, phrases))
}

impl Banks {
    /// Filters every bank against the model's phrases.
    pub(crate) fn new(phrases: &PhraseSet, template: Option<&str>) -> Banks {
        Banks {
            core_np: filter_tones(&vocab::CORE_NP, phrases),
            core_state: filter_tones(&vocab::CORE_STATE, phrases),
            general: filter_tones(&vocab::GENERAL, phrases),
            second: filter_tones(&vocab::SECOND, phrases),
            openers: filter_tones(&vocab::OPENERS, phrases),
            closers: filter_tones(&vocab::CLOSERS, phrases),
            titles: filter_tones(&vocab::REVIEW_TITLES, phrases),
            agent_np: filter_tones(&vocab::AGENT_NP, phrases),
            agent_general: filter_tones(&vocab::AGENT_GENERAL, phrases),
            agent_prefix: vocab::AGENT_PREFIX
                .map(|l| l.iter().copied().filter(|t| !phrases.any_in(t)).collect()),
            churn: filter(vocab::CHURN, phrases),
            intent: filter(vocab::INTENT, phrases),
            intent_again: filter(vocab::INTENT_AGAIN, phrases),
            suggest_np: filter(vocab::SUGGEST_NP, phrases),
            suggest_general: filter(vocab::SUGGEST_GENERAL, phrases),
            questions: filter(vocab::QUESTIONS, phrases),
            advocacy: filter(vocab::ADVOCACY, phrases),
            incident_np: filter(vocab::INCIDENT_NP, phrases),
            reply_prefix: filter(vocab::REPLY_PREFIX, phrases),
            survey_general: filter_tones(&vocab::SURVEY_GENERAL, phrases),
            survey_neutral_np: filter(vocab::SURVEY_NEUTRAL_NP, phrases),
            problem_pos: vocab::PROBLEM_POS.map(|l| filter(l, phrases)),
            problem_second_pos: filter(vocab::PROBLEM_SECOND_POS, phrases),
            agent_problem_pos: filter(vocab::AGENT_PROBLEM_POS, phrases),
            brand_reply: filter(vocab::BRAND_REPLY, phrases),
            follow_thanks: filter(vocab::FOLLOW_THANKS, phrases),
            follow_unhappy: filter(vocab::FOLLOW_UNHAPPY, phrases),
            follow_churn: filter(vocab::FOLLOW_CHURN, phrases),
            follow_waiting: filter(vocab::FOLLOW_WAITING, phrases),
            follow_waiting_churn: filter(vocab::FOLLOW_WAITING_CHURN, phrases),
            domain_emoji: vocab::domain_emoji(template),
        }
    }
}

/// A second touchpoint named in the same text (always by a noun).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Second<'a> {
    /// The phrase.
    pub phrase: &'a str,
    /// Whether it is plural.
    pub plural: bool,
    /// Whether it names a problem.
    pub problem: bool,
    /// How the customer feels about it.
    pub tone: Tone,
}

/// What one text talks about.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Topic<'a> {
    /// Main touchpoint phrase, if any.
    pub tp: Option<&'a str>,
    /// Whether the main phrase reads as a noun.
    pub tp_noun: bool,
    /// Whether the main phrase is plural.
    pub tp_plural: bool,
    /// Whether the main phrase names a problem.
    pub tp_problem: bool,
    /// Second touchpoint.
    pub tp2: Option<Second<'a>>,
    /// The brand as first written in this text (@handle, name or alias).
    pub brand: &'a str,
    /// The brand when named again (a name, never the handle twice).
    pub brand_again: &'a str,
    /// Brand hashtag.
    pub brand_tag: &'a str,
    /// A competitor as written in this text.
    pub competitor: &'a str,
    /// Calendar year of the signal.
    pub year: i32,
}

/// Extra intents a post carries beyond its core sentence.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Extras {
    /// Threatens to leave for the competitor.
    pub churn: bool,
    /// Wants to buy.
    pub intent: bool,
    /// Proposes an improvement.
    pub suggestion: bool,
    /// Asks something.
    pub question: bool,
    /// Recommends the brand (advocates).
    pub advocacy: bool,
}

/// How a public post is dressed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dress<'a> {
    /// Channel kind.
    pub kind: Kind,
    /// Channel style.
    pub style: Style,
    /// Whether the record carries the brand, so the text need not name it.
    pub brand_field: bool,
    /// Author replied to, for replies in a thread.
    pub reply_to: Option<&'a str>,
    /// Whether this is an incident spike post.
    pub incident: bool,
}

/// Reusable text buffers.
#[derive(Debug, Default)]
pub(crate) struct Composer {
    /// The finished text.
    pub text: String,
    scratch: String,
    /// Byte ranges of `text` that typos and caps must not touch; the flag
    /// marks touchpoint phrases, which an occasional typo may still hit.
    protected: Vec<(usize, usize, bool)>,
    scratch_protected: Vec<(usize, usize, bool)>,
    mentioned: bool,
    lower: bool,
    /// Polarity of the sentence being rendered.
    polarity: i8,
    /// Characters kept free for naming the brand at the end.
    reserve: usize,
    /// The last post asks something (a question sentence made it in).
    pub asked: bool,
    /// The last post carries a churn threat (the sentence made it in).
    pub churned: bool,
}

/// Which care-conversation wording to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CareText {
    /// The brand's reply to a customer.
    BrandReply,
    /// The customer thanks the brand after its reply.
    Thanks,
    /// The customer is still unhappy after the brand's reply.
    Unhappy,
    /// The customer threatens to leave after the brand's reply.
    Churn,
    /// The customer chases an answer that has not come.
    Waiting,
    /// The customer with no answer threatens to leave.
    WaitingChurn,
}

fn pick<'a>(rng: &mut ChaCha8Rng, list: &[&'a str]) -> &'a str {
    if list.is_empty() {
        return "";
    }
    list[rng.gen_range(0..list.len())]
}

/// The verb form agreeing with a singular or plural subject.
fn agree(verb: &str, plural: bool) -> &'static str {
    match (verb, plural) {
        ("is", false) => "is",
        ("is", true) => "are",
        ("was", false) => "was",
        ("was", true) => "were",
        ("has", false) => "has",
        ("has", true) => "have",
        ("does", false) => "does",
        ("does", true) => "do",
        ("works", false) => "works",
        ("works", true) => "work",
        ("isnt", false) => "isn't",
        ("isnt", true) => "aren't",
        _ => "",
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

impl Composer {
    fn fill(&mut self, key: &str, topic: &Topic<'_>, rng: &mut ChaCha8Rng) {
        let start = self.scratch.len();
        let mut protect = false;
        let soft = matches!(key, "tp" | "tp2" | "st");
        match key {
            "tp" => {
                self.scratch.push_str(topic.tp.unwrap_or("service"));
                protect = true;
            }
            "st" => {
                // The state as it happened: negated when tone and phrase disagree.
                let tp = topic.tp.unwrap_or("sorted");
                let negated = tp.strip_prefix("not ").or_else(|| tp.strip_prefix("Not "));
                match negated {
                    Some(rest) if topic.tp_problem != (self.polarity < 0) => {
                        self.scratch.push_str(rest);
                    }
                    _ if topic.tp_problem != (self.polarity < 0) && !tp.starts_with("no ") => {
                        self.scratch.push_str("not ");
                        self.scratch.push_str(tp);
                    }
                    _ => self.scratch.push_str(tp),
                }
                protect = true;
            }
            "tp2" => {
                self.scratch
                    .push_str(topic.tp2.map_or("service", |t| t.phrase));
                protect = true;
            }
            "is" | "was" | "has" | "does" | "works" | "isnt" => {
                self.scratch.push_str(agree(key, topic.tp_plural));
            }
            "is2" | "was2" | "has2" | "does2" | "isnt2" => {
                let plural = topic.tp2.is_some_and(|t| t.plural);
                self.scratch
                    .push_str(agree(key.trim_end_matches('2'), plural));
            }
            "b" => {
                self.scratch.push_str(if self.mentioned {
                    topic.brand_again
                } else {
                    topic.brand
                });
                self.mentioned = true;
                self.reserve = 0;
                protect = true;
            }
            "c" => {
                self.scratch.push_str(topic.competitor);
                protect = true;
            }
            "dur" => self.scratch.push_str(pick(rng, vocab::DURATIONS)),
            "n" => {
                let n = rng.gen_range(2..10);
                let _ = write!(self.scratch, "{n}");
            }
            "ord" => self.scratch.push_str(pick(rng, vocab::ORDINALS)),
            "when" => self.scratch.push_str(pick(rng, vocab::WHEN)),
            "fut" => self.scratch.push_str(pick(rng, vocab::FUTURE)),
            "since" => self.scratch.push_str(pick(rng, vocab::SINCE)),
            "day" => self.scratch.push_str(pick(rng, vocab::DAY)),
            "year" => {
                let _ = write!(self.scratch, "{}", topic.year);
            }
            other => self.scratch.push_str(other),
        }
        if protect {
            self.scratch_protected
                .push((start, self.scratch.len(), soft));
        }
    }

    /// Renders `template` into the scratch buffer (cleared first).
    fn render(&mut self, template: &str, topic: &Topic<'_>, rng: &mut ChaCha8Rng) {
        self.scratch.clear();
        self.scratch_protected.clear();
        self.render_more(template, topic, rng);
    }

    /// Renders `template` at the end of the scratch buffer.
    fn render_more(&mut self, template: &str, topic: &Topic<'_>, rng: &mut ChaCha8Rng) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            self.scratch.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                self.scratch.push_str(&rest[open..]);
                return;
            };
            self.fill(&after[..close], topic, rng);
            rest = &after[close + 1..];
        }
        self.scratch.push_str(rest);
    }

    /// Capitalises the scratch sentence's first letter unless the post is lower-case.
    fn capitalise_scratch(&mut self) {
        // After "Honestly," the sentence goes on in lower case.
        if self.lower || self.text.ends_with(',') {
            return;
        }
        if let Some(first) = self.scratch.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
    }

    /// Appends the scratch buffer to the text with `sep` when it fits.
    fn commit(&mut self, sep: &str) -> bool {
        let extra = chars(sep) + chars(&self.scratch);
        if !self.text.is_empty() && chars(&self.text) + extra + self.reserve > MAX_CHARS {
            return false;
        }
        if !self.text.is_empty() {
            self.text.push_str(sep);
        }
        let offset = self.text.len();
        self.text.push_str(&self.scratch);
        for &(a, b, soft) in &self.scratch_protected {
            self.protected.push((a + offset, b + offset, soft));
        }
        true
    }

    /// Appends a fixed piece (protected from typos) when it fits.
    fn push_protected(&mut self, sep: &str, piece: &str) -> bool {
        if chars(&self.text) + chars(sep) + chars(piece) > MAX_CHARS {
            return false;
        }
        if !self.text.is_empty() {
            self.text.push_str(sep);
        }
        let start = self.text.len();
        self.text.push_str(piece);
        self.protected.push((start, self.text.len(), false));
        true
    }

    fn end_sentence(&mut self, tone: Tone, rng: &mut ChaCha8Rng) {
        let last = self.scratch.trim_end().chars().last();
        if matches!(last, Some('?' | '!' | '.')) {
            return;
        }
        let mark = match tone {
            Tone::StrongNeg | Tone::StrongPos => pick(rng, &["!", "!!", "!!!", ".", "!"]),
            Tone::MildPos => pick(rng, &[".", ".", "!"]),
            _ => ".",
        };
        self.scratch.push_str(mark);
    }

    /// Chooses the core template for the topic and tone.
    fn pick_core(
        banks: &Banks,
        tone: Tone,
        topic: &Topic<'_>,
        incident: bool,
        rng: &mut ChaCha8Rng,
    ) -> &'static str {
        let t = tone as usize;
        match topic.tp {
            Some(_) if incident && topic.tp_noun && rng.gen_bool(0.5) => {
                pick(rng, &banks.incident_np)
            }
            Some(_) if topic.tp_noun && topic.tp_problem && tone.polarity() > 0 => pick(
                rng,
                &banks.problem_pos[usize::from(tone == Tone::StrongPos)],
            ),
            Some(_) if topic.tp_noun => pick(rng, &banks.core_np[t]),
            Some(_) => pick(rng, &banks.core_state[t]),
            None => pick(rng, &banks.general[t]),
        }
    }

    /// Renders the core sentence (with the second touchpoint when there is one).
    fn core(
        &mut self,
        banks: &Banks,
        template: &str,
        tone: Tone,
        topic: &Topic<'_>,
        rng: &mut ChaCha8Rng,
    ) {
        self.polarity = tone.polarity();
        self.render(template, topic, rng);
        if let Some(second) = topic.tp2 {
            let asks = self.scratch.ends_with('?');
            let same = second.tone.polarity() == tone.polarity() || second.tone.polarity() == 0;
            let connector = match (asks, same) {
                (true, _) => " Also ",
                (false, true) => pick(rng, &[", and ", ", plus ", ". Also "]),
                (false, false) => pick(rng, &[" but ", ", although ", ". On the other hand "]),
            };
            self.scratch.push_str(connector);
            let clause = if second.problem && second.tone.polarity() > 0 {
                pick(rng, &banks.problem_second_pos)
            } else {
                pick(rng, &banks.second[second.tone as usize])
            };
            self.render_more(clause, topic, rng);
        }
        self.capitalise_scratch();
        self.end_sentence(tone, rng);
    }

    /// Adds one optional sentence when it fits.
    fn sentence(
        &mut self,
        template: &str,
        tone: Tone,
        topic: &Topic<'_>,
        rng: &mut ChaCha8Rng,
    ) -> bool {
        self.render(template, topic, rng);
        self.capitalise_scratch();
        self.end_sentence(tone, rng);
        self.commit(" ")
    }

    fn begin(&mut self, rng: &mut ChaCha8Rng, style: &Style) {
        self.text.clear();
        self.protected.clear();
        self.mentioned = false;
        self.reserve = 0;
        self.asked = false;
        self.churned = false;
        self.lower = rng.gen_bool(style.lower);
    }

    /// A public post (social, forum, blog) or review text.
    pub(crate) fn post(
        &mut self,
        banks: &Banks,
        tone: Tone,
        topic: &Topic<'_>,
        extras: Extras,
        dress: &Dress<'_>,
        rng: &mut ChaCha8Rng,
    ) {
        let style = dress.style;
        self.begin(rng, &style);
        let review = matches!(dress.kind, Kind::Review | Kind::WebForm | Kind::Complaint);
        let handle = topic.brand.starts_with('@');
        let must_name = !dress.brand_field && rng.gen_bool(0.96);
        if must_name {
            self.reserve = chars(topic.brand) + 3;
        }
        // Replies open with the author replied to.
        if let Some(parent) = dress.reply_to {
            if dress.kind == Kind::Micro {
                self.scratch.clear();
                self.scratch.push('@');
                self.scratch.push_str(parent);
                self.scratch_protected.clear();
                self.commit("");
            }
            let prefix = pick(rng, &banks.reply_prefix);
            self.scratch.clear();
            self.scratch_protected.clear();
            self.scratch.push_str(prefix);
            if !self.lower && self.text.is_empty() {
                self.capitalise_scratch();
            }
            self.commit(" ");
        }
        // Reviews and web forms carry a title.
        if review {
            let title = pick(rng, &banks.titles[tone as usize]);
            self.scratch.clear();
            self.scratch_protected.clear();
            self.scratch.push_str(title);
            self.scratch
                .push_str(if matches!(tone, Tone::StrongPos | Tone::StrongNeg) {
                    "!"
                } else {
                    "."
                });
            if matches!(dress.kind, Kind::WebForm | Kind::Complaint) {
                self.scratch.insert_str(0, "Subject: ");
            }
            self.commit(" ");
        }
        let core = Self::pick_core(banks, tone, topic, dress.incident, rng);
        // The brand goes first when the text would otherwise name a competitor first.
        let names_brand = core.contains("{b}");
        let mention_first = must_name
            && (extras.churn && !names_brand
                || !names_brand && handle && rng.gen_bool(0.45)
                || !names_brand && !handle && rng.gen_bool(0.3));
        if mention_first {
            self.scratch.clear();
            self.scratch_protected.clear();
            if handle {
                self.scratch.push_str(topic.brand);
            } else {
                self.scratch.push_str(pick(rng, &["", "Re ", "About "]));
                self.capitalise_scratch();
                let s = self.scratch.len();
                self.scratch.push_str(topic.brand);
                self.scratch_protected.push((s, self.scratch.len(), false));
                self.scratch.push(':');
            }
            if handle {
                self.scratch_protected.push((0, self.scratch.len(), false));
            }
            self.commit(" ");
            self.mentioned = true;
            self.reserve = 0;
        }
        let t = tone as usize;
        if !review && rng.gen_bool(0.15) {
            let opener = pick(rng, &banks.openers[t]);
            if !(opener.contains("{b}") && (self.mentioned || names_brand)) {
                self.render(opener, topic, rng);
                self.capitalise_scratch();
                self.commit(" ");
            }
        }
        self.core(banks, core, tone, topic, rng);
        if self.commit(" ") && self.scratch.contains('?') {
            self.asked = true;
        }

        // Extra sentences, in the order people write them.
        let p = (style.extra / 0.5).min(1.5);
        // Longer formats say a word about the brand overall as well.
        if matches!(
            dress.kind,
            Kind::Blog | Kind::Forum | Kind::Review | Kind::Professional
        ) && topic.tp.is_some()
            && rng.gen_bool(style.extra * 0.6)
        {
            let g = pick(rng, &banks.general[t]);
            if !g.contains("{c}") {
                self.sentence(g, tone, topic, rng);
            }
        }
        if extras.question || (tone.polarity() < 0 && rng.gen_bool((0.2 * p).min(1.0))) {
            let q = pick(rng, &banks.questions);
            if self.sentence(q, Tone::Neutral, topic, rng) {
                self.asked = true;
            }
        }
        if extras.suggestion {
            let s = if topic.tp_noun && topic.tp.is_some() {
                pick(rng, &banks.suggest_np)
            } else {
                pick(rng, &banks.suggest_general)
            };
            self.sentence(s, Tone::Neutral, topic, rng);
        }
        if extras.churn {
            let c = pick(rng, &banks.churn);
            if self.sentence(c, tone, topic, rng) {
                self.churned = true;
            }
        }
        if extras.intent {
            let s = if tone.polarity() > 0 {
                pick(rng, &banks.intent_again)
            } else {
                pick(rng, &banks.intent)
            };
            self.sentence(s, Tone::MildPos, topic, rng);
        }
        if extras.advocacy {
            let s = pick(rng, &banks.advocacy);
            self.sentence(s, Tone::StrongPos, topic, rng);
        }
        if rng.gen_bool((0.22 * p).min(1.0)) {
            let c = pick(rng, &banks.closers[t]);
            self.render(c, topic, rng);
            self.capitalise_scratch();
            self.commit(" ");
        }
        if must_name && !self.mentioned {
            let tail = if handle { "" } else { pick(rng, &["- ", "("]) };
            self.scratch.clear();
            self.scratch_protected.clear();
            self.scratch.push_str(tail);
            let s = self.scratch.len();
            self.scratch.push_str(topic.brand);
            self.scratch_protected.push((s, self.scratch.len(), false));
            if tail == "(" {
                self.scratch.push(')');
            }
            self.reserve = 0;
            self.commit(" ");
            self.mentioned = true;
        }
        if rng.gen_bool(style.link) {
            self.link(rng, dress.kind);
        }
        if rng.gen_bool(style.hashtag) {
            self.hashtags(topic, tone, rng);
        }
        if rng.gen_bool(style.emoji) {
            self.emoji(banks, tone, rng);
        }
        self.finish(banks, tone, topic, &style, rng);
    }

    /// A message of a care conversation (a brand reply or a customer's
    /// follow-up): `lead` (an @mention) first, then one sentence of the
    /// chosen wording, filled from `topic`; always 40–280 characters.
    pub(crate) fn care(
        &mut self,
        banks: &Banks,
        what: CareText,
        topic: &Topic<'_>,
        lead: Option<&str>,
        rng: &mut ChaCha8Rng,
    ) {
        self.text.clear();
        self.protected.clear();
        self.mentioned = false;
        self.reserve = 0;
        self.lower = false;
        self.polarity = match what {
            CareText::BrandReply | CareText::Thanks => 1,
            _ => -1,
        };
        if let Some(lead) = lead {
            self.push_protected("", lead);
        }
        let bank = match what {
            CareText::BrandReply => &banks.brand_reply,
            CareText::Thanks => &banks.follow_thanks,
            CareText::Unhappy => &banks.follow_unhappy,
            CareText::Churn => &banks.follow_churn,
            CareText::Waiting => &banks.follow_waiting,
            CareText::WaitingChurn => &banks.follow_waiting_churn,
        };
        let template = pick(rng, bank);
        self.render(template, topic, rng);
        self.commit(" ");
        if chars(&self.text) < MIN_CHARS {
            let pad = match what {
                CareText::BrandReply => "We're here to help.",
                CareText::Thanks => "Have a good day.",
                _ => "Please sort this out.",
            };
            self.push_protected(" ", pad);
        }
    }

    /// A survey comment: plain sentences, no tags.
    pub(crate) fn survey_comment(
        &mut self,
        banks: &Banks,
        tone: Tone,
        topic: &Topic<'_>,
        rng: &mut ChaCha8Rng,
        style: &Style,
    ) {
        self.begin(rng, style);
        match topic.tp {
            None => {
                let template = pick(rng, &banks.survey_general[tone as usize]);
                self.render(template, topic, rng);
                self.capitalise_scratch();
                self.end_sentence(tone, rng);
            }
            Some(_) if tone == Tone::Neutral && topic.tp_noun => {
                let template = pick(rng, &banks.survey_neutral_np);
                self.render(template, topic, rng);
                self.capitalise_scratch();
                self.end_sentence(tone, rng);
            }
            Some(_) => {
                let core = Self::pick_core(banks, tone, topic, false, rng);
                self.core(banks, core, tone, topic, rng);
            }
        }
        self.commit(" ");
        if rng.gen_bool(style.extra) {
            let t = tone as usize;
            let c = pick(rng, &banks.closers[t]);
            self.render(c, topic, rng);
            self.capitalise_scratch();
            self.commit(" ");
        }
        self.finish(banks, tone, topic, style, rng);
    }

    /// An agent's note of a contact (call, e-mail, chat, desk).
    pub(crate) fn agent_note(
        &mut self,
        banks: &Banks,
        tone: Tone,
        topic: &Topic<'_>,
        kind: Kind,
        rng: &mut ChaCha8Rng,
        style: &Style,
    ) {
        self.begin(rng, style);
        self.lower = false;
        let prefixes = &banks.agent_prefix[kind.agent_index()];
        if !prefixes.is_empty() && rng.gen_bool(0.7) {
            self.scratch.clear();
            self.scratch_protected.clear();
            self.scratch.push_str(pick(rng, prefixes));
            self.commit("");
        }
        let t = tone as usize;
        let template =
            if topic.tp.is_some() && topic.tp_noun && topic.tp_problem && tone.polarity() > 0 {
                pick(rng, &banks.agent_problem_pos)
            } else if topic.tp.is_some() && topic.tp_noun {
                pick(rng, &banks.agent_np[t])
            } else if topic.tp.is_some() {
                // A non-noun phrase reads best quoted, as agents quote customers.
                self.render("Cust says \"{tp}\".", topic, rng);
                self.commit(" ");
                pick(rng, &banks.agent_general[t])
            } else {
                pick(rng, &banks.agent_general[t])
            };
        self.render(template, topic, rng);
        self.capitalise_scratch();
        self.commit(" ");
        if let Some(second) = topic.tp2 {
            self.render("Also raised the {tp2}.", topic, rng);
            if second.tone.polarity() > 0 {
                self.scratch.truncate(self.scratch.len() - 1);
                self.scratch.push_str(", happy with that part.");
            }
            self.commit(" ");
        }
        self.finish(banks, tone, topic, style, rng);
    }

    fn link(&mut self, rng: &mut ChaCha8Rng, kind: Kind) {
        const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut url = String::with_capacity(32);
        let (prefix, len) = match kind {
            Kind::Micro => ("https://t.co/", 10),
            _ if rng.gen_bool(0.5) => ("https://bit.ly/", 7),
            _ => ("https://imgur.com/", 7),
        };
        if kind == Kind::Micro && rng.gen_bool(0.4) {
            url.push_str("pic: ");
        }
        url.push_str(prefix);
        for _ in 0..len {
            url.push(char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]));
        }
        self.push_protected(" ", &url);
    }

    fn hashtags(&mut self, topic: &Topic<'_>, tone: Tone, rng: &mut ChaCha8Rng) {
        let polarity = (tone.polarity() + 1) as usize;
        let count = rng.gen_range(1..=3);
        for i in 0..count {
            let tag_owned;
            let tag: &str = match (i, rng.gen_range(0..3)) {
                (0, 0) => topic.brand_tag,
                (_, 1) => match topic.tp {
                    Some(tp) if topic.tp_noun && !tp.contains(' ') && !tp.contains('-') => {
                        tag_owned = format!("#{tp}");
                        &tag_owned
                    }
                    _ => pick(rng, vocab::HASHTAGS[polarity]),
                },
                _ => pick(rng, vocab::HASHTAGS[polarity]),
            };
            if self.text.contains(tag) {
                continue;
            }
            self.push_protected(" ", tag);
        }
    }

    fn emoji(&mut self, banks: &Banks, tone: Tone, rng: &mut ChaCha8Rng) {
        let set = match tone.polarity() {
            -1 => vocab::EMOJI_NEG,
            0 => vocab::EMOJI_NEUTRAL,
            _ => vocab::EMOJI_POS,
        };
        let count = rng.gen_range(1..=3);
        let first = pick(rng, set);
        let sep = if rng.gen_bool(0.7) { " " } else { "" };
        let mut piece = String::with_capacity(16);
        for i in 0..count {
            if i > 0 && rng.gen_bool(0.5) {
                piece.push_str(first);
            } else if !banks.domain_emoji.is_empty() && rng.gen_bool(0.2) {
                piece.push_str(pick(rng, banks.domain_emoji));
            } else {
                piece.push_str(pick(rng, set));
            }
        }
        self.push_protected(sep, &piece);
    }

    /// Lower-casing, caps, typos and the length floor.
    fn finish(
        &mut self,
        banks: &Banks,
        tone: Tone,
        topic: &Topic<'_>,
        style: &Style,
        rng: &mut ChaCha8Rng,
    ) {
        // Too short: add closers and questions until it reads like a post.
        let mut guard = 0;
        while chars(&self.text) < MIN_CHARS && guard < 6 {
            guard += 1;
            if self.text.ends_with(|c: char| c.is_ascii_alphanumeric()) {
                self.text.push('.');
            }
            let template = match guard {
                1 => pick(rng, &banks.closers[tone as usize]),
                2 if tone.polarity() <= 0 => pick(rng, &banks.questions),
                _ => pick(rng, vocab::FILLERS[(tone.polarity() + 1) as usize]),
            };
            self.render(template, topic, rng);
            self.capitalise_scratch();
            self.commit(" ");
        }
        if self.lower {
            self.text.make_ascii_lowercase();
        }
        if style.lower > 0.0
            && self.text.ends_with('.')
            && !self.text.ends_with("..")
            && chars(&self.text) > MIN_CHARS
            && rng.gen_bool(0.3)
        {
            self.text.pop();
        }
        if tone == Tone::StrongNeg && !self.lower && rng.gen_bool(0.25) {
            if let Some((a, b)) = self.word(rng, 4, false).filter(|w| w.0 > 0) {
                if let Some(w) = self.text.get_mut(a..b) {
                    w.make_ascii_uppercase();
                }
            }
        }
        if rng.gen_bool(style.typo) {
            self.typo(rng);
        }
    }

    /// A random unprotected ASCII word of at least `min` letters (touchpoint
    /// phrases included when `soft`).
    fn word(&self, rng: &mut ChaCha8Rng, min: usize, soft: bool) -> Option<(usize, usize)> {
        let bytes = self.text.as_bytes();
        let mut candidates = [(0usize, 0usize); 24];
        let mut n = 0;
        let mut i = 0;
        while i < bytes.len() && n < candidates.len() {
            if bytes[i].is_ascii_alphabetic()
                && (i == 0
                    || !bytes[i - 1].is_ascii_alphanumeric()
                        && bytes[i - 1] != b'@'
                        && bytes[i - 1] != b'#')
            {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let end = i;
                let clean = end - start >= min
                    && !(end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] >= 0x80))
                    && !self
                        .protected
                        .iter()
                        .any(|&(a, b, phrase)| start < b && a < end && !(soft && phrase));
                if clean {
                    candidates[n] = (start, end);
                    n += 1;
                }
            } else {
                i += 1;
            }
        }
        if n == 0 {
            return None;
        }
        Some(candidates[rng.gen_range(0..n)])
    }

    /// One typo in an unprotected word: two letters swapped, one dropped or doubled.
    fn typo(&mut self, rng: &mut ChaCha8Rng) {
        // Now and then the typo lands in the touchpoint phrase, as in real posts.
        let soft = rng.gen_bool(0.2);
        let Some((a, b)) = self.word(rng, 5, soft) else {
            return;
        };
        let i = rng.gen_range(a + 1..b - 1);
        // The word is ASCII letters only, so byte offsets are char boundaries.
        let bytes = self.text.as_bytes();
        let x = char::from(bytes[i]);
        let can_drop = chars(&self.text) > MIN_CHARS;
        match rng.gen_range(0..3) {
            1 if can_drop => {
                self.text.remove(i);
            }
            0 | 1 => {
                self.text.remove(i);
                self.text.insert(i + 1, x);
            }
            _ => self.text.insert(i, x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every bank keeps most of its wording for every built-in template.
    #[test]
    fn banks_survive_every_template() {
        for t in tce_model::templates::TEMPLATES {
            let model = tce_model::Model::parse(t.toml, Path::new(t.name)).unwrap();
            let phrases = PhraseSet::new(
                model
                    .touchpoints
                    .iter()
                    .enumerate()
                    .flat_map(|(i, tp)| tp.phrases.iter().map(move |p| (p.clone(), i))),
            );
            let banks = Banks::new(&phrases, Some(t.name));
            let check = |name: &str, kept: &Bank, all: &[&str]| {
                assert!(
                    kept.len() * 2 >= all.len() && !kept.is_empty(),
                    "{}: {name} keeps {} of {}",
                    t.name,
                    kept.len(),
                    all.len()
                );
            };
            for (i, tone) in [
                "strong_neg",
                "mild_neg",
                "factual",
                "neutral",
                "mild_pos",
                "strong_pos",
            ]
            .iter()
            .enumerate()
            {
                check(
                    &format!("core_np.{tone}"),
                    &banks.core_np[i],
                    vocab::CORE_NP[i],
                );
                check(
                    &format!("general.{tone}"),
                    &banks.general[i],
                    vocab::GENERAL[i],
                );
                check(
                    &format!("agent_np.{tone}"),
                    &banks.agent_np[i],
                    vocab::AGENT_NP[i],
                );
                check(
                    &format!("closers.{tone}"),
                    &banks.closers[i],
                    vocab::CLOSERS[i],
                );
            }
            check("churn", &banks.churn, vocab::CHURN);
            check("intent", &banks.intent, vocab::INTENT);
            check("questions", &banks.questions, vocab::QUESTIONS);
            check("brand_reply", &banks.brand_reply, vocab::BRAND_REPLY);
            check("follow_thanks", &banks.follow_thanks, vocab::FOLLOW_THANKS);
            check(
                "follow_unhappy",
                &banks.follow_unhappy,
                vocab::FOLLOW_UNHAPPY,
            );
            check("follow_churn", &banks.follow_churn, vocab::FOLLOW_CHURN);
            check(
                "follow_waiting",
                &banks.follow_waiting,
                vocab::FOLLOW_WAITING,
            );
            check(
                "follow_waiting_churn",
                &banks.follow_waiting_churn,
                vocab::FOLLOW_WAITING_CHURN,
            );
        }
    }
}
