//! Domain-neutral wording banks that posts are composed from.
//!
//! Every template is plain text with placeholders filled at render time:
//! `{tp}`/`{tp2}` a touchpoint phrase from the model (noun-like in the `*_NP`
//! banks, any phrase in the `*_ANY` banks), `{is}`/`{was}` (`{is2}`/`{was2}`)
//! the verb agreeing with it, `{b}` the brand as customers write it, `{c}` a
//! competitor, `{dur}`, `{n}`, `{ord}`, `{when}`, `{fut}`, `{since}`, `{day}`,
//! `{year}`. Nothing here names an industry: the model's phrases carry the
//! domain. Templates whose fixed words happen to contain one of the model's
//! touchpoint phrases are dropped for that model (see `compose::Banks`), so the
//! planted touchpoint is the only one the text names.

/// How a post feels, from the latent experience.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// Angry, emphatic.
    StrongNeg = 0,
    /// Disappointed.
    MildNeg = 1,
    /// A service failure told as facts, without emotional words.
    Factual = 2,
    /// Questions and information.
    Neutral = 3,
    /// Satisfied.
    MildPos = 4,
    /// Delighted.
    StrongPos = 5,
}

impl Tone {
    /// −1, 0 or +1.
    pub(crate) fn polarity(self) -> i8 {
        match self {
            Tone::StrongNeg | Tone::MildNeg | Tone::Factual => -1,
            Tone::Neutral => 0,
            Tone::MildPos | Tone::StrongPos => 1,
        }
    }
}

/// A bank per tone, in `Tone::ALL` order.
pub(crate) type ToneBank = [&'static [&'static str]; 6];

/// Core sentence about one touchpoint named by a noun-like phrase.
pub(crate) const CORE_NP: ToneBank = [
    &[
        "the {tp} {is} an absolute joke",
        "worst {tp} I have ever experienced",
        "{b} your {tp} {is} a disgrace",
        "I am SO done with the {tp}",
        "honestly furious about the {tp} {when}",
        "the {tp} {was} a complete disaster {when}",
        "the {tp} {was} horrible, never again",
        "what a nightmare, the {tp} {is} a total mess",
        "absolutely disgusted with the {tp}",
        "zero stars for the {tp} if I could",
        "how is the {tp} this bad in {year}?",
        "the {tp} at {b} {is} pathetic",
        "the {tp} {was} awful and nobody cares",
        "never seen a {tp} this bad",
        "the {tp} {was} a shambles from start to finish",
        "I'm livid, the {tp} {was} unacceptable",
        "the {tp} ruined my whole {day}",
        "{b} the {tp} {is} a disaster and you know it",
        "the {tp} {was} terrible. just terrible",
        "furious with {b}, the {tp} {was} a joke",
        "the {tp} {is} an embarrassment",
        "the {tp} {was} the worst part of a horrible {day}",
    ],
    &[
        "not impressed with the {tp} {when}",
        "the {tp} {was} pretty disappointing",
        "the {tp} could be a lot better tbh",
        "a bit annoyed with the {tp}",
        "the {tp} {is} getting worse every time",
        "meh, the {tp} {was} below average",
        "kinda frustrated with the {tp} again",
        "the {tp} {was} not great {when}",
        "expected more from the {tp} at {b}",
        "the {tp} {was} a letdown this time",
        "disappointed by the {tp}, used to be better",
        "not a fan of the new {tp}",
        "the {tp} {was} confusing and slow",
        "the {tp} {is} a weak spot for {b}",
        "sadly the {tp} {was} poor again",
        "the {tp} {was} mediocre at best",
        "bit of a mess with the {tp} {when}",
        "the {tp} really could use some work",
        "unhappy with how the {tp} went",
    ],
    &[
        "{tp} issue again, still waiting for an update",
        "{ord} time this month with the same {tp} issue",
        "{dur} and still nothing on the {tp}",
        "day {n} of waiting on the {tp}",
        "the {tp} still not sorted after {dur}",
        "the {tp} took {dur}, nobody told us anything",
        "been waiting {dur} for the {tp}",
        "asked about the {tp} {n} times, still nothing",
        "same {tp} issue as last week, nothing has changed",
        "the {tp}: {dur} in, no progress",
        "still no update on the {tp} after {dur}",
        "the {tp} {was} supposed to be sorted by now",
        "{n} emails about the {tp} and still no answer",
        "the {tp} {has} been stuck since {since}",
        "{dur} for the {tp} {when}, again",
        "reported the {tp} problem {since}, still open",
        "the {tp} took {dur} {when}. {ord} time this month",
        "nobody can tell me what is happening with the {tp}",
    ],
    &[
        "does anyone know how the {tp} {works} at {b}?",
        "quick question about the {tp}",
        "{is} the {tp} any different from last year?",
        "trying the {tp} for the first time {fut}, any tips?",
        "heard {b} is changing the {tp}, anyone know more?",
        "comparing the {tp} at {b} and {c} before I decide",
        "what are the rules for the {tp} these days?",
        "how long {does} the {tp} usually take?",
        "{b} just announced changes to the {tp}",
        "reading up on the {tp} before {fut}",
        "the {tp} {was} about what I expected",
        "anyone else using the {tp} {fut}?",
        "where do I find info on the {tp}?",
        "{has} the {tp} changed recently?",
        "so the {tp} at {b} {is} different now",
        "first time dealing with the {tp} at {b}, how does it work?",
        "is there a way to check the {tp} in advance?",
    ],
    &[
        "the {tp} {was} pretty good this time",
        "decent {tp}, no complaints",
        "the {tp} {was} smooth",
        "happy with the {tp} {when}",
        "nice surprise with the {tp}",
        "the {tp} {has} improved a lot",
        "the {tp} {was} better than expected",
        "good {tp} at {b} lately",
        "solid {tp}, would use again",
        "the {tp} {was} easy and fast",
        "pleasantly surprised by the {tp}",
        "not bad at all, the {tp} {was} fine",
        "the {tp} {was} nice",
        "props to {b}, the {tp} {was} good",
        "the {tp} {was} quicker than last time",
        "really liked the {tp}",
        "no issues with the {tp} at all",
        "the {tp} {was} better than I thought",
        "quite impressed with the {tp}",
        "the {tp} {was} good, no fuss",
    ],
    &[
        "the {tp} {was} absolutely amazing",
        "best {tp} I've had in years",
        "loved the {tp}, {b} nailed it",
        "the {tp} {is} fantastic, highly recommend",
        "{b} your {tp} {is} brilliant",
        "wow, the {tp} {was} outstanding {when}",
        "10/10 for the {tp}",
        "can't say enough good things about the {tp}",
        "the {tp} {was} perfect from start to finish",
        "incredible {tp}, thank you {b}",
        "the {tp} made my {day}",
        "love love love the {tp} at {b}",
        "hats off to {b} for the {tp}",
        "the {tp} {was} superb, well done",
        "the {tp} at {b} {is} world class",
        "genuinely the best {tp} out there",
    ],
];

/// Positive core sentences for a phrase that names a problem ("delay", "lost
/// bag"): people praise how it was handled or that it did not happen.
pub(crate) const PROBLEM_POS: [&[&str]; 2] = [
    &[
        "no {tp} this time, nice",
        "for once no {tp}, pleasant surprise",
        "{b} handled the {tp} pretty well",
        "the {tp} {was} sorted quickly, fair play",
        "had a {tp} but it got fixed fast, not bad",
        "the {tp} {was} dealt with better than I expected",
    ],
    &[
        "{b} handled the {tp} brilliantly",
        "the way {b} dealt with the {tp} {was} outstanding",
        "zero {tp} drama {when}, amazing job {b}",
        "had a {tp} {when} but {b} sorted it in minutes, brilliant",
        "no {tp} at all this time, fantastic",
        "huge thanks to {b} for sorting the {tp} so fast",
    ],
];

/// Positive second clauses for a problem phrase.
pub(crate) const PROBLEM_SECOND_POS: &[&str] = &[
    "the {tp2} {was2} handled well",
    "the {tp2} got sorted quickly",
    "at least the {tp2} {was2} dealt with fast",
];

/// Positive agent notes for a problem phrase.
pub(crate) const AGENT_PROBLEM_POS: &[&str] = &[
    "Cust happy with how the {tp} {was} handled. Closed.",
    "Cust thanked the team for sorting the {tp} so quickly. Passed on.",
    "Compliment: cust says the {tp} {was} resolved fast. Logged.",
];

/// Core sentence for a phrase that is a state ("cancelled", "on time").
/// `{st}` is the state as it happened: the phrase itself, or "not" + phrase
/// when the tone and the phrase disagree ("not on time again", "not cancelled
/// this time").
pub(crate) const CORE_STATE: ToneBank = [
    &[
        "{st} AGAIN. unbelievable",
        "{st} again, seriously?! this is a joke",
        "{st} once again, absolutely furious",
    ],
    &[
        "{st} again {when}, not great",
        "{st} again... disappointing as usual",
        "{st} again. sigh",
    ],
    &[
        "{st} again. {dur} and counting",
        "{st}, {ord} time this month",
        "{st} again {when}. still waiting",
        "{ord} time in a row: {st}",
    ],
    &[
        "anyone else {tp} {when}?",
        "{tp} {when}, what are my options?",
        "what do I do if I'm {tp} again?",
    ],
    &[
        "{st} this time, nice",
        "{st} for once, happy",
        "{st} {when}, pleasant surprise",
    ],
    &[
        "{st} and everything went perfectly, amazing",
        "{st} for once!! brilliant job {b}",
        "{st} and such a great experience",
    ],
];

/// Brand chatter that names no touchpoint.
pub(crate) const GENERAL: ToneBank = [
    &[
        "{b} is the worst company I have ever dealt with",
        "never using {b} again",
        "{b} has gone downhill so badly",
        "shame on you {b}",
        "{b} really doesn't care about customers",
        "done with {b}. completely done",
        "{b} is a total joke these days",
        "worst experience ever with {b}",
    ],
    &[
        "{b} used to be better",
        "not loving {b} lately",
        "{b} is getting worse tbh",
        "meh, {b} was underwhelming",
        "expected more from {b}",
        "{b} is a bit of a letdown recently",
        "kinda disappointed with {b} this year",
    ],
    &[
        "{ord} problem with {b} this month",
        "still waiting on {b} after {dur}",
        "{b}: {dur} and nothing has moved",
        "{n} days and {b} still hasn't sorted it",
    ],
    &[
        "anyone tried {b} recently?",
        "{b} vs {c}, which one?",
        "thinking about {b} for {fut}",
        "what's everyone's experience with {b}?",
        "{b} or {c}? need advice",
        "saw an article about {b} {when}",
        "is {b} still the same as last year?",
        "first time with {b} {fut}, what should I know?",
    ],
    &[
        "{b} was pretty good this time",
        "{b} has really improved",
        "decent experience with {b} {when}",
        "{b} did fine, no complaints",
        "nice job {b}",
        "{b} keeps getting better",
    ],
    &[
        "{b} never disappoints",
        "love {b} so much",
        "{b} is the best, always",
        "shoutout to {b}, amazing as always",
        "{b} customer for life here",
        "cannot recommend {b} enough",
        "{b} just made my {day}",
        "always a great experience with {b}",
    ],
];

/// Second clause about another touchpoint; the composer adds the connector.
pub(crate) const SECOND: ToneBank = [
    &[
        "the {tp2} {was2} awful",
        "the {tp2} {was2} a mess",
        "the {tp2} {was2} a joke",
        "the {tp2} {is2} a disaster",
    ],
    &[
        "the {tp2} {was2} no better",
        "the {tp2} could use serious work",
        "the {tp2} {was2} disappointing",
        "the {tp2} {was2} pretty poor",
    ],
    &[
        "the {tp2} still {isnt2} sorted",
        "the {tp2} took {dur}",
        "the {tp2} {has2} been stuck since {since}",
    ],
    &[
        "what about the {tp2}?",
        "how {does2} the {tp2} work now?",
        "{is2} the {tp2} the same as before?",
    ],
    &[
        "the {tp2} {was2} fine",
        "the {tp2} {was2} decent",
        "the {tp2} {was2} pretty smooth",
        "the {tp2} {was2} good",
    ],
    &[
        "the {tp2} {was2} great",
        "the {tp2} {was2} lovely",
        "the {tp2} {was2} spot on",
        "the {tp2} {was2} excellent",
    ],
];

/// Short sentence openers.
pub(crate) const OPENERS: ToneBank = [
    &[
        "Ugh.",
        "Wow.",
        "Seriously?",
        "Rant:",
        "Unreal.",
        "Un-be-lievable.",
    ],
    &["Hmm.", "Well.", "Honestly,", "Not gonna lie,", "Sigh."],
    &["Update:", "PSA:", "FYI", "Day {n}:", "Again."],
    &["Question:", "Hi all,", "Hey {b},", "Quick one:", "Curious:"],
    &["Honestly,", "Gotta say,", "Credit to {b}:", "Nice."],
    &[
        "Wow!",
        "Shoutout to {b}!",
        "Just wow.",
        "Okay,",
        "Big thanks {b}!",
    ],
];

/// Sentence closers.
pub(crate) const CLOSERS: ToneBank = [
    &[
        "unbelievable.",
        "smh.",
        "so tired of this.",
        "just fix it.",
        "do better.",
        "ridiculous.",
    ],
    &[
        "not good enough.",
        "meh.",
        "hope they sort it out.",
        "oh well.",
        "come on.",
    ],
    &[
        "any update?",
        "still waiting.",
        "nothing yet.",
        "who do I talk to?",
        "is this normal?",
    ],
    &[
        "thanks in advance.",
        "cheers.",
        "tia.",
        "anyone?",
        "curious what others think.",
    ],
    &[
        "thanks!",
        "keep it up!",
        "nice one.",
        "good stuff.",
        "well done.",
    ],
    &[
        "thank you!",
        "well done team!",
        "you rock!",
        "amazing!!",
        "10/10.",
    ],
];

/// Churn threats (appended to negative posts).
pub(crate) const CHURN: &[&str] = &[
    "switching to {c} next time",
    "seriously considering {c} instead",
    "that's it, I'm moving to {c}",
    "might be time to switch to {c}",
    "{c} is looking better every day",
    "never again, {c} from now on",
    "done with {b}, going with {c}",
    "last time I use {b}",
];

/// Purchase intent of someone who is not a customer yet (neutral posts).
pub(crate) const INTENT: &[&str] = &[
    "thinking of going with {b} {fut}",
    "planning to sign up with {b} {fut}",
    "interested in trying {b} {fut}",
    "might give {b} a go {fut}",
    "looking to buy from {b} {fut}",
    "thinking of getting the premium option from {b}",
];

/// Purchase intent of a happy customer (positive posts).
pub(crate) const INTENT_AGAIN: &[&str] = &[
    "thinking of going with {b} again {fut}",
    "planning to use {b} again {fut}",
    "can't wait to try {b} again",
    "will definitely buy from {b} again",
    "thinking of upgrading with {b} {fut}",
];

/// Suggestions naming the touchpoint (noun-like phrase).
pub(crate) const SUGGEST_NP: &[&str] = &[
    "would be great if {b} fixed the {tp}",
    "suggestion: make the {tp} simpler",
    "it would be great if the {tp} had proper updates",
    "wish you'd sort out the {tp}",
    "why not make the {tp} easier?",
    "would love to see a better {tp}",
    "please add an option to track the {tp}",
];

/// Suggestions without a touchpoint.
pub(crate) const SUGGEST_GENERAL: &[&str] = &[
    "would be great if {b} listened to customers",
    "suggestion: ask your customers before changing things",
    "would be nice to get proactive updates",
    "wish {b} had a simpler way to give feedback",
];

/// Questions appended to negative or neutral posts.
pub(crate) const QUESTIONS: &[&str] = &[
    "any update?",
    "can someone help?",
    "is this normal?",
    "anyone else?",
    "who do I talk to?",
    "what's going on?",
    "why is this so hard?",
    "is anyone even reading this?",
];

/// Extra sentences advocates add.
pub(crate) const ADVOCACY: &[&str] = &[
    "recommend {b} to everyone I know",
    "always choose {b}, never disappointed",
    "{b} fan for life",
    "if you haven't tried {b} yet, do it",
    "this is why I keep coming back to {b}",
    "told all my friends to go with {b}",
];

/// Spike posts during an incident (negative or puzzled).
pub(crate) const INCIDENT_NP: &[&str] = &[
    "{is} the {tp} down for everyone or just me?",
    "{b} what is going on with the {tp} today??",
    "{tp} chaos at {b} again today",
    "loads of people stuck because of the {tp} right now",
    "the {tp} {is} a total meltdown today",
    "day {n} of the {tp} mess at {b}",
    "anyone else affected by the {tp} problem today?",
    "{dur} and counting on the {tp}. everyone around me is stuck too",
];

/// Prefixes for replies in a thread.
pub(crate) const REPLY_PREFIX: &[&str] = &[
    "same here.",
    "this.",
    "+1.",
    "happened to me too.",
    "same thing for me.",
    "exactly this.",
];

/// Review titles.
pub(crate) const REVIEW_TITLES: ToneBank = [
    &[
        "Avoid",
        "Never again",
        "Terrible",
        "Awful experience",
        "Do not bother",
    ],
    &["Disappointing", "Not worth it", "Could be better", "Meh"],
    &[
        "Waiting for weeks",
        "Slow and no updates",
        "Same problem again",
    ],
    &[
        "Average",
        "Mixed feelings",
        "It's ok",
        "Nothing special either way",
    ],
    &["Good", "Pretty good", "Solid", "Nice experience"],
    &[
        "Excellent",
        "Highly recommend",
        "Five stars",
        "Brilliant",
        "Fantastic",
    ],
];

/// Agent notes (contact-centre, e-mail, chat, desk) about one touchpoint.
pub(crate) const AGENT_NP: ToneBank = [
    &[
        "Cust very upset about the {tp}, asked for a manager. Logged and escalated.",
        "Complaint re {tp}. Customer angry, threatened to leave for {c}. Escalated to team lead.",
        "Cust says the {tp} {was} unacceptable. Goodwill gesture offered, cust not satisfied.",
        "Customer furious about the {tp}, {ord} contact this month. Escalated, follow-up in 24h.",
        "Cust angry about the {tp}, wants a manager to call back. Passed to team lead.",
        "Very unhappy customer re the {tp}. Said they are looking at {c}. Handed to retention.",
        "Cust shouting about the {tp}, {ord} time it went wrong. Apologised, passed on for review.",
    ],
    &[
        "Cust unhappy with the {tp}. Apologised, explained process, case open.",
        "Customer disappointed with the {tp}; asked for feedback to be passed on. Done.",
        "Cust not satisfied with the {tp}. Offered standard apology, case closed.",
        "Cust disappointed by the {tp}, expected better. Feedback logged.",
    ],
    &[
        "Cust chasing the {tp} for {dur}, no resolution yet. Case reopened.",
        "Repeat contact ({ord}) re the {tp}. Still open, no ETA given.",
        "Cust reports the {tp} still not sorted after {dur}. Escalated to the owning team.",
        "Cust waiting {dur} on the {tp}. Chased internally, no update to give.",
        "Cust says the {tp} still open after {dur}, {ord} contact. Chased the owning team.",
    ],
    &[
        "Cust asked how the {tp} {works}. Info provided, case closed.",
        "Enquiry re the {tp}. Sent details, case closed.",
        "Cust requested info on the {tp} before {fut}. Answered.",
        "Cust checking on the {tp} rules. Explained, closed.",
    ],
    &[
        "Cust happy with how the {tp} {was} handled. Closed.",
        "Cust confirmed the {tp} {is} fine now. Closed with thanks.",
        "Positive feedback on the {tp}. Logged.",
    ],
    &[
        "Cust contacted us to thank the team for the {tp}. Passed on.",
        "Compliment re the {tp}, customer very satisfied. Shared with the team.",
        "Cust delighted with the {tp}, said they will recommend {b}. Logged.",
    ],
];

/// Agent notes without a touchpoint.
pub(crate) const AGENT_GENERAL: ToneBank = [
    &["Cust very angry, wants to close account and move to {c}. Retention offer declined."],
    &["Cust unhappy overall with recent experience. Apologised, noted feedback."],
    &["Cust chasing an open case for {dur}. Escalated."],
    &[
        "General enquiry, details updated, case closed.",
        "Cust asked for account details. Provided.",
    ],
    &["Cust satisfied, no further action."],
    &["Cust got in touch to say thanks for great service overall. Logged."],
];

/// Channel prefixes of agent notes, by kind: call, e-mail, chat, desk.
pub(crate) const AGENT_PREFIX: [&[&str]; 4] = [
    &["Inbound:", "Phone contact -", "CC note:"],
    &["Email:", "Mail from cust -", "Inbox:"],
    &["Chat:", "Live chat -", "Chat transcript summary:"],
    &["Desk visit:", "Walk-in:", "In person:"],
];

/// Negative emoji.
pub(crate) const EMOJI_NEG: &[&str] = &["😡", "😤", "🙄", "😞", "👎", "🤬", "😩", "😠"];
/// Neutral emoji.
pub(crate) const EMOJI_NEUTRAL: &[&str] = &["🤔", "👀", "🙏", "🤷"];
/// Positive emoji.
pub(crate) const EMOJI_POS: &[&str] = &["👍", "❤️", "🙌", "😍", "🙏", "✨", "😊", "👏", "💯"];

/// Emoji that suit a template's domain (by template name).
pub(crate) fn domain_emoji(template: Option<&str>) -> &'static [&'static str] {
    match template {
        Some("airline") => &["✈️", "🧳", "🛫"],
        Some("city_visit") => &["🏙️", "🗺️", "✈️", "📸"],
        Some("mobile_telecom") => &["📱", "📶"],
        Some("credit_card") => &["💳", "💸"],
        Some("b2b_it") => &["💻", "☁️", "🖥️"],
        _ => &[],
    }
}

/// Hashtags by polarity (negative, neutral, positive).
pub(crate) const HASHTAGS: [&[&str]; 3] = [
    &[
        "#fail",
        "#disappointed",
        "#neveragain",
        "#badservice",
        "#ugh",
        "#notimpressed",
    ],
    &["#question", "#help", "#advice", "#anyone"],
    &[
        "#happycustomer",
        "#thankyou",
        "#shoutout",
        "#impressed",
        "#loyalcustomer",
    ],
];

/// Last sentences that bring a too-short text up to length, by polarity.
pub(crate) const FILLERS: [&[&str]; 3] = [
    &[
        "Not impressed at all.",
        "That's all I have to say.",
        "Really not happy about it.",
    ],
    &[
        "That's all for now.",
        "Just my two cents.",
        "Would like to hear from others.",
    ],
    &[
        "Thanks again.",
        "Keep it up, team.",
        "Really happy about it.",
    ],
];

/// Durations.
pub(crate) const DURATIONS: &[&str] = &[
    "20 minutes",
    "40 minutes",
    "45 mins",
    "over an hour",
    "2 hours",
    "3 hours",
    "5 hours",
    "2 days",
    "3 days",
    "a week",
    "10 days",
    "two weeks",
];

/// Ordinals for repetition.
pub(crate) const ORDINALS: &[&str] = &["second", "third", "fourth", "5th", "third", "6th"];

/// Past time references.
pub(crate) const WHEN: &[&str] = &[
    "today",
    "this morning",
    "yesterday",
    "last night",
    "this week",
    "again today",
    "this afternoon",
];

/// Future time references.
pub(crate) const FUTURE: &[&str] = &[
    "tomorrow",
    "next week",
    "next month",
    "this weekend",
    "soon",
];

/// Since when something has been broken.
pub(crate) const SINCE: &[&str] = &[
    "this morning",
    "yesterday",
    "monday",
    "last week",
    "the weekend",
];

/// What a bad or good experience can spoil or make.
pub(crate) const DAY: &[&str] = &["day", "week", "weekend", "morning", "evening"];

/// Syllables for pseudonymous handles.
pub(crate) const NAME_PARTS: &[&str] = &[
    "jess", "mike", "ana", "tom", "lina", "raj", "kofi", "yuki", "sam", "noor", "eli", "mara",
    "dan", "priya", "leo", "zoe", "omar", "kim", "ben", "ivy", "nate", "sara", "jo", "max", "ola",
    "tess", "ravi", "nina", "cal", "ruth", "amir", "gwen", "theo", "lu", "femi", "hana",
];

/// Second parts of pseudonymous handles.
pub(crate) const NAME_TAILS: &[&str] = &[
    "", "", "", "_", ".", "x", "_k", "the", "writes", "_real", "official", "m", "r", "_uk", "jr",
];

/// Survey comments that name no touchpoint.
pub(crate) const SURVEY_GENERAL: ToneBank = [
    &[
        "Overall a really bad experience, I am very unhappy",
        "Terrible from start to finish, I would not recommend {b}",
        "Worst experience I have had in years",
    ],
    &[
        "Not great overall, it used to be better",
        "A bit disappointing this time",
        "Below what I expected from {b}",
    ],
    &[
        "Several things went wrong and nobody followed up",
        "Still waiting for someone to get back to me",
    ],
    &[
        "Nothing in particular to add, it was as expected",
        "About what I expected, nothing more to say",
        "No comments this time, it was an average experience",
    ],
    &[
        "Good overall, no real complaints",
        "Pleasant experience, would use again",
        "Decent experience with {b} this time",
    ],
    &[
        "Excellent experience from start to finish, thank you",
        "Fantastic as always, keep it up",
        "Brilliant, I would recommend {b} to anyone",
    ],
];

/// Neutral survey comments about one touchpoint (noun-like phrase).
pub(crate) const SURVEY_NEUTRAL_NP: &[&str] = &[
    "the {tp} {was} as expected",
    "nothing to report on the {tp}",
    "the {tp} {was} average, nothing to report",
    "the {tp} {was} average, as usual",
];

/// Replies from the own brand's care handle to a customer's complaint or
/// question: polite, brand voice, domain-neutral.
pub(crate) const BRAND_REPLY: &[&str] = &[
    "Sorry to hear that. Please DM us your reference number so we can help.",
    "We're sorry about this. Send us a DM with your details and we'll look into it right away.",
    "Hi, we're sorry for the inconvenience. Could you DM us your details? Our team will take a look.",
    "Sorry about this! Please DM us a few more details and we'll get back to you as soon as we can.",
    "Apologies, that's not the experience we want you to have. Please send us a private message with your details.",
    "Thanks for letting us know, and apologies for the trouble. Please message us privately so we can sort this out.",
    "Thanks for reaching out. We've passed this on; please send us your details in a private message so we can follow up.",
    "Hi there, we understand how frustrating this is. Please message us privately and we'll do our best to help.",
    "We're sorry to hear this. Could you send us a private message with your reference number? We'd like to put it right.",
    "Thanks for flagging this, and sorry for the hassle. Our team is looking into it; please message us your details.",
];

/// A customer thanking the brand after its reply.
pub(crate) const FOLLOW_THANKS: &[&str] = &[
    "Thanks {b}, message sent. Kind of you to get back so quickly!",
    "Thank you {b}, that's sorted now. Much obliged for the help.",
    "thanks {b}! all good now, quick and kind answer.",
    "Cheers {b}, sent you the details. Thanks for getting back to me.",
    "Thanks for getting in touch {b}, just sent the details over.",
];

/// A customer still unhappy after the brand's reply.
pub(crate) const FOLLOW_UNHAPPY: &[&str] = &[
    "{b} I sent the details and still nothing. Not impressed.",
    "{b} that's a copy-paste answer. The problem is still not fixed.",
    "{b} sent everything hours ago, still no real answer. This is frustrating.",
    "Already sent everything to {b} twice. Still waiting for someone to actually fix it.",
    "{b} a private message won't fix this. I need someone to sort it out today.",
];

/// A customer threatening to leave after the brand's reply.
pub(crate) const FOLLOW_CHURN: &[&str] = &[
    "{b} not good enough, honestly. I'm switching to {c}.",
    "{b} sorry doesn't fix anything. I'm done with you and moving to {c}.",
    "Done waiting on {b}. Taking my money to {c} from now on.",
    "{b} that's it for me, I'm leaving for {c}.",
    "Cancelling everything with {b} and switching to {c}.",
];

/// A customer chasing an answer that has not come (a plain post, same channel).
pub(crate) const FOLLOW_WAITING: &[&str] = &[
    "Still waiting for an answer from {b}. Is anyone there?",
    "{b} still nothing back on my message from earlier. Anyone?",
    "Hours on and still nothing from {b}. Can someone please get back to me?",
    "Still no word from {b}... is anyone actually reading this?",
    "{b} I'm still waiting for someone to get back to me here. Hello?",
];

/// A customer with no answer threatening to leave (a plain post, same channel).
pub(crate) const FOLLOW_WAITING_CHURN: &[&str] = &[
    "Still no word from {b}. That's it, I'm switching to {c}.",
    "Nothing back from {b} at all. I'm done, moving to {c}.",
    "{b} can't even be bothered to get back to me. Leaving for {c}.",
    "Nobody at {b} bothers to get back to anyone. Switching to {c}.",
];
