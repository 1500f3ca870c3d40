//! The CX word table: every word the CX rules know, with its cue (the role
//! it plays in the rules), its valence and the intents it may trigger.
//!
//! One static open-addressing table built at compile time (`const fn`), so
//! the engine does exactly one lookup per token. The words are general
//! customer-experience language (service failures and their remedies, the
//! vocabulary of waiting, politeness formulas, interrogatives), chosen from
//! knowledge of how customers write to brands — not from any evaluation set.

use super::family::{ABSENCE, FALSE_FRIENDS, GRATITUDE, PERSISTENCE, POLITENESS, SERVICE_TERMS};

/// The role a word plays in the CX rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cue {
    /// No role of its own (listed for its intent triggers only).
    None,
    /// A service-failure or service-success term with its own valence.
    Term,
    /// A word whose general-language VADER valence misleads in CX text;
    /// its valence is replaced.
    Reval,
    /// Something the customer expects to happen or to get (a reply, a
    /// refund, the service working): neutral or mildly negative when
    /// mentioned, clearly negative when it did not happen ("no reply",
    /// "never received", "still not working").
    Expected,
    /// A time unit ("hours", "min"): a duration after a quantity.
    TimeUnit,
    /// A number word or vague quantity ("two", "several").
    Quantity,
    /// "one": a quantity, and "no one".
    One,
    /// "time", "times": "3rd time", "on time".
    Time,
    /// Ordinal words ("second", "third").
    Ordinal,
    /// "still".
    Still,
    /// "again".
    Again,
    /// "another" ("yet another").
    Another,
    /// "keep", "keeps", "kept" ("keeps getting delayed").
    Keep,
    /// Absence determiners: "no", "zero".
    No,
    /// "any" ("any update?").
    Any,
    /// "hold" ("on hold").
    Hold,
    /// "down" ("the site is down", "let me down").
    Down,
    /// Second words of idioms: "hung up", "shout out", "above and beyond".
    Up,
    /// Inability: "can't", "cannot", "won't" ("can't check in").
    Cant,
    /// "less" ("less than helpful").
    Less,
    /// Markers of unmet expectations: "not even", "was supposed to",
    /// "get it together".
    Even,
    /// Interrogatives.
    Why,
    /// "how".
    How,
    /// "when".
    When,
    /// "what", "what's".
    What,
    /// "where", "where's".
    Where,
    /// Auxiliaries and modals that open yes/no questions and requests.
    Aux,
    /// Gratitude formulas: "thanks", "thank", "thx".
    Thanks,
    /// Gratitude verbs and adjectives: "appreciate", "grateful".
    Grateful,
    /// "please", "pls".
    Please,
    /// "help".
    Help,
    /// "like" (verb or preposition).
    Like,
    /// Verbs of enjoyment that head sarcasm ("love being on hold").
    Love,
    /// Positive words used as sentence interjections ("Great, another delay").
    Interj,
    /// "for" ("thanks for ...", "so much for").
    For,
    /// "customer" ("customer care", "lost a customer").
    Customer,
    /// Sentence fillers skipped when looking for a sentence's opening word.
    Filler,
    /// Words that open a contrasting clause: "but", "however", "yet".
    Contrast,
    /// "not" ("#not", "great job… not").
    Not,
    /// Service nouns and verbs a customer thanks for ("the help", "the quick
    /// reply").
    Service,
}

/// Intent trigger bits (checked further in `intent.rs`).
pub(crate) mod trigger {
    /// May open a churn-risk phrase ("switching to", "cancel my").
    pub const CHURN: u8 = 1;
    /// May open a purchase-intent phrase ("thinking of buying").
    pub const PURCHASE: u8 = 2;
    /// May open a suggestion ("you should add", "would be nice").
    pub const SUGGEST: u8 = 4;
    /// May report a problem solved ("resolved", "fixed", "sorted").
    pub const RESOLVE: u8 = 8;
    /// May report a threat stopped ("caught", "blocked", "flagged").
    pub const PROTECT: u8 = 16;
    /// May head a disappointment ("disappointed with", "let down by").
    pub const LETDOWN: u8 = 32;
}

/// What the table knows about one word.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// The word, lowercase ASCII.
    pub word: &'static str,
    /// Its role in the rules.
    pub cue: Cue,
    /// The rule family that applies `val`.
    pub family: u16,
    /// Valence in CX text (VADER scale −4…4); NaN when the word keeps
    /// VADER's.
    pub val: f32,
    /// Valence when negated ("no reply", "never received"); NaN: `val`
    /// times VADER's negation scalar.
    pub negval: f32,
    /// Intent trigger bits.
    pub triggers: u8,
}

impl Entry {
    const fn new(word: &'static str, cue: Cue, family: u16, val: f32, negval: f32) -> Entry {
        Entry {
            word,
            cue,
            family,
            val,
            negval,
            triggers: 0,
        }
    }

    /// Adds intent trigger bits.
    const fn t(mut self, bits: u8) -> Entry {
        self.triggers |= bits;
        self
    }

    /// Whether the word has a CX valence.
    #[inline]
    pub fn has_val(&self) -> bool {
        !self.val.is_nan()
    }
}

const NAN: f32 = f32::NAN;

/// A service term with its own valence.
const fn term(word: &'static str, val: f32) -> Entry {
    Entry::new(word, Cue::Term, SERVICE_TERMS, val, NAN)
}

/// A remedy or expected outcome: `val` when mentioned, `negval` when absent.
const fn expect(word: &'static str, val: f32, negval: f32) -> Entry {
    Entry::new(word, Cue::Expected, SERVICE_TERMS, val, negval)
}

/// A VADER word whose valence the given family replaces.
const fn reval(word: &'static str, family: u16, val: f32) -> Entry {
    Entry::new(word, Cue::Reval, family, val, NAN)
}

/// A word with a role but no valence of its own.
const fn cue(word: &'static str, cue: Cue) -> Entry {
    Entry::new(word, cue, 0, NAN, NAN)
}

/// A word with a role and a valence applied by `family`.
const fn cue_val(word: &'static str, cue: Cue, family: u16, val: f32) -> Entry {
    Entry::new(word, cue, family, val, NAN)
}

use trigger::{CHURN, LETDOWN, PROTECT, PURCHASE, RESOLVE, SUGGEST};

/// Valence of a negated expected outcome ("no reply", "not working").
const MISSING: f32 = -1.5;

#[rustfmt::skip]
static ENTRIES: &[Entry] = &[
    // --- Service failures (operations) -----------------------------------
    term("delay", -1.5), term("delays", -1.5), term("delayed", -1.5), term("delaying", -1.2),
    term("cancelled", -1.6), term("canceled", -1.6), term("cancellation", -1.4),
    term("cancellations", -1.4), term("cancelling", -1.0).t(CHURN), term("canceling", -1.0).t(CHURN),
    term("cancels", -1.2),
    term("stranded", -2.2), term("overbooked", -1.8), term("overbooking", -1.6),
    term("oversold", -1.5), term("bumped", -1.2), term("diverted", -1.0),
    term("misconnect", -1.5), term("misconnected", -1.5), term("rerouted", -0.8),
    term("lost", -1.5), term("missing", -1.4), term("misplaced", -1.5), term("mishandled", -2.0),
    term("late", -1.2), term("stuck", -1.5), term("tarmac", -0.6),
    term("waiting", -0.8), term("waited", -1.0), term("wait", -0.5), term("queue", -0.5),
    term("outage", -1.8), term("outages", -1.8), term("downtime", -1.5),
    term("glitch", -1.3), term("glitches", -1.3), term("crashed", -1.5), term("crashing", -1.5),
    term("crashes", -1.4), term("unreachable", -1.3), term("unavailable", -0.8),
    term("unresponsive", -1.6), term("disconnected", -1.2), term("unable", -1.2),
    term("unanswered", -1.5), term("unresolved", -1.5), term("unhelpful", -1.8),
    term("unreliable", -1.6), term("nightmare", -2.5), term("filthy", -2.2), term("smelly", -1.5),
    term("cramped", -1.2), term("hassle", -1.5), term("inconvenienced", -1.6),
    term("excuses", -1.2), term("runaround", -1.8), term("issue", -1.0), term("issues", -1.2),
    // General evaluative words VADER lacks or misreads, frequent in reviews.
    term("atrocious", -3.0), term("abysmal", -3.0), term("subpar", -1.8),
    term("substandard", -1.8), term("inept", -2.2), term("shoddy", -2.0), term("mediocre", -1.2),
    term("laughable", -1.5), term("incompetency", -2.3), term("messing", -1.2), term("fml", -2.5),
    term("onhold", -1.6), term("disrespectful", -2.2), term("phenomenal", 3.0),
    term("stellar", 2.8), term("refreshing", 1.8), term("rad", 1.5), term("averted", 1.0),
    // --- Money ----------------------------------------------------------------
    term("overcharged", -2.0), term("overcharge", -1.8), term("overcharging", -1.8),
    term("overpriced", -1.5), term("expensive", -0.8).t(PURCHASE), term("pricey", -0.6),
    term("fee", -0.5), term("fees", -0.7), term("surcharge", -0.8), term("ripoff", -2.2),
    term("rip-off", -2.2),
    // --- Service successes ----------------------------------------------------
    term("smooth", 1.6), term("seamless", 1.8), term("effortless", 1.5), term("ontime", 1.2),
    term("early", 0.6), term("upgraded", 1.4), term("professional", 1.5),
    term("professionalism", 1.6), term("attentive", 1.8), term("accommodating", 1.8),
    term("polite", 1.5), term("prompt", 1.0), term("promptly", 1.0), term("speedy", 0.8),
    term("reliable", 1.2), term("spacious", 1.2), term("rock", 1.5), term("rocks", 1.5),
    term("shoutout", 1.5), term("props", 1.2), term("bravo", 2.0), term("gracias", 1.5),
    // CX hashtags: "#neveragain".
    term("neveragain", -2.0).t(CHURN),
    // --- Remedies and expected outcomes (absence is the failure) ---------------
    expect("refund", -0.6, -1.6), expect("refunds", -0.6, -1.6),
    expect("reimbursement", -0.6, -1.6), expect("reimbursed", -0.3, -1.6).t(RESOLVE),
    expect("compensation", -0.6, -1.6), expect("compensate", -0.5, -1.5),
    expect("voucher", -0.3, -1.3), expect("rebook", -0.5, -1.3), expect("rebooked", -0.7, -1.3),
    expect("rebooking", -0.6, -1.3), expect("callback", -0.3, MISSING),
    expect("work", NAN, MISSING), expect("works", NAN, MISSING), expect("working", NAN, MISSING),
    expect("worked", NAN, MISSING), expect("receive", NAN, MISSING),
    expect("received", NAN, MISSING), expect("receiving", NAN, MISSING),
    expect("get", NAN, -1.2), expect("got", NAN, -1.2), expect("gotten", NAN, -1.2),
    expect("hear", NAN, -1.2), expect("heard", NAN, MISSING),
    expect("arrive", NAN, -1.2), expect("arrived", NAN, MISSING), expect("arrives", NAN, -1.2),
    expect("respond", NAN, MISSING), expect("responded", NAN, MISSING),
    expect("responding", NAN, MISSING), expect("response", NAN, MISSING),
    expect("responses", NAN, MISSING), expect("reply", NAN, MISSING),
    expect("replied", NAN, MISSING), expect("replies", NAN, MISSING),
    expect("replying", NAN, MISSING), expect("answer", NAN, MISSING),
    expect("answered", NAN, MISSING), expect("answers", NAN, MISSING),
    expect("answering", NAN, MISSING), expect("call", NAN, -1.2), expect("called", NAN, -1.2),
    expect("calls", NAN, -1.2), expect("email", NAN, -1.2), expect("emails", NAN, -1.2),
    expect("emailed", NAN, -1.2), expect("update", NAN, MISSING), expect("updates", NAN, MISSING),
    expect("info", NAN, -1.2), expect("information", NAN, -1.2), expect("explanation", NAN, MISSING),
    expect("communication", NAN, MISSING), expect("notice", NAN, -1.2),
    expect("notification", NAN, -1.2), expect("apology", NAN, MISSING),
    expect("assistance", NAN, MISSING), expect("agent", NAN, -1.2), expect("agents", NAN, -1.2),
    expect("wifi", NAN, -1.2), expect("internet", NAN, -1.2), expect("signal", NAN, -1.2),
    expect("power", NAN, -1.0), expect("connection", NAN, -1.0), expect("showed", NAN, -1.2),
    expect("load", NAN, -1.2), expect("loads", NAN, -1.2), expect("loading", NAN, -1.2),
    expect("fix", NAN, -1.2), expect("fixed", 0.8, MISSING).t(RESOLVE),
    expect("resolve", NAN, MISSING), expect("resolved", NAN, MISSING).t(RESOLVE),
    expect("solved", NAN, MISSING).t(RESOLVE),
    expect("acknowledged", NAN, -1.2), expect("confirmation", NAN, -1.2),
    expect("solution", NAN, MISSING), expect("solutions", NAN, MISSING),
    expect("resolution", NAN, MISSING), expect("options", NAN, -1.2),
    expect("came", NAN, -1.2), expect("boarded", NAN, -1.2), expect("connect", NAN, -1.2),
    // --- Durations and quantities ----------------------------------------------
    cue("hour", Cue::TimeUnit), cue("hours", Cue::TimeUnit), cue("hr", Cue::TimeUnit),
    cue("hrs", Cue::TimeUnit), cue("h", Cue::TimeUnit), cue("minute", Cue::TimeUnit),
    cue("minutes", Cue::TimeUnit), cue("min", Cue::TimeUnit), cue("mins", Cue::TimeUnit),
    cue("day", Cue::TimeUnit), cue("days", Cue::TimeUnit), cue("week", Cue::TimeUnit),
    cue("weeks", Cue::TimeUnit), cue("month", Cue::TimeUnit), cue("months", Cue::TimeUnit),
    cue("an", Cue::Quantity), cue("half", Cue::Quantity), cue("two", Cue::Quantity),
    cue("three", Cue::Quantity), cue("four", Cue::Quantity), cue("five", Cue::Quantity),
    cue("six", Cue::Quantity), cue("seven", Cue::Quantity), cue("eight", Cue::Quantity),
    cue("nine", Cue::Quantity), cue("ten", Cue::Quantity), cue("twelve", Cue::Quantity),
    cue("fifteen", Cue::Quantity), cue("twenty", Cue::Quantity), cue("thirty", Cue::Quantity),
    cue("forty", Cue::Quantity), cue("fifty", Cue::Quantity), cue("hundred", Cue::Quantity),
    cue("several", Cue::Quantity), cue("couple", Cue::Quantity), cue("many", Cue::Quantity),
    cue("multiple", Cue::Quantity), cue("countless", Cue::Quantity),
    cue("numerous", Cue::Quantity), cue("endless", Cue::Quantity), cue("one", Cue::One),
    cue("time", Cue::Time), cue("times", Cue::Time),
    cue("second", Cue::Ordinal), cue("third", Cue::Ordinal), cue("fourth", Cue::Ordinal),
    cue("fifth", Cue::Ordinal), cue("sixth", Cue::Ordinal), cue("nth", Cue::Ordinal),
    cue("umpteenth", Cue::Ordinal), cue("millionth", Cue::Ordinal),
    // --- Persistence ---------------------------------------------------------
    cue_val("still", Cue::Still, PERSISTENCE, -0.5), cue_val("again", Cue::Again, PERSISTENCE, -0.5).t(CHURN),
    cue("another", Cue::Another).t(CHURN), cue("keep", Cue::Keep), cue("keeps", Cue::Keep),
    cue("kept", Cue::Keep),
    // --- Absence ---------------------------------------------------------------
    cue("no", Cue::No), cue("zero", Cue::No), cue("any", Cue::Any),
    cue_val("nobody", Cue::Term, ABSENCE, -1.4), cue_val("noone", Cue::Term, ABSENCE, -1.4),
    cue("hold", Cue::Hold), cue("down", Cue::Down), cue("up", Cue::Up), cue("out", Cue::Up),
    cue("beyond", Cue::Up), cue("cant", Cue::Cant), cue("can't", Cue::Cant),
    cue("cannot", Cue::Cant), cue("couldnt", Cue::Cant), cue("couldn't", Cue::Cant),
    cue("wont", Cue::Cant), cue("won't", Cue::Cant), cue("less", Cue::Less),
    cue("even", Cue::Even), cue("supposed", Cue::Even), cue("together", Cue::Even),
    // --- Questions -------------------------------------------------------------
    cue("why", Cue::Why).t(SUGGEST), cue("how", Cue::How).t(PURCHASE | SUGGEST),
    cue("when", Cue::When), cue("what", Cue::What), cue("what's", Cue::What),
    cue("whats", Cue::What), cue("where", Cue::Where).t(PURCHASE), cue("where's", Cue::Where),
    cue("wheres", Cue::Where),
    cue("is", Cue::Aux), cue("are", Cue::Aux), cue("do", Cue::Aux), cue("does", Cue::Aux),
    cue("did", Cue::Aux), cue("can", Cue::Aux), cue("could", Cue::Aux).t(SUGGEST),
    cue("will", Cue::Aux), cue("would", Cue::Aux).t(SUGGEST), cue("should", Cue::Aux).t(SUGGEST),
    cue("may", Cue::Aux), cue("has", Cue::Aux), cue("have", Cue::Aux), cue("was", Cue::Aux),
    cue("anyone", Cue::Aux), cue("anybody", Cue::Aux), cue("who", Cue::Aux),
    cue("which", Cue::Aux),
    // --- Politeness ------------------------------------------------------------
    cue("thanks", Cue::Thanks), cue("thank", Cue::Thanks), cue("thx", Cue::Thanks),
    cue("ty", Cue::Thanks),
    // Spellings VADER lacks, valued like its "thanks".
    cue_val("thankyou", Cue::Thanks, GRATITUDE, 1.9), cue_val("tysm", Cue::Thanks, GRATITUDE, 2.2),
    cue_val("thnx", Cue::Thanks, GRATITUDE, 1.9), cue_val("thanx", Cue::Thanks, GRATITUDE, 1.9),
    cue_val("thks", Cue::Thanks, GRATITUDE, 1.9),
    cue("appreciate", Cue::Grateful), cue("appreciated", Cue::Grateful),
    cue("grateful", Cue::Grateful), cue("thankful", Cue::Grateful),
    cue_val("please", Cue::Please, POLITENESS, 0.0).t(SUGGEST),
    cue_val("pls", Cue::Please, POLITENESS, 0.0).t(SUGGEST),
    cue_val("plz", Cue::Please, POLITENESS, 0.0).t(SUGGEST),
    cue_val("help", Cue::Help, POLITENESS, 0.0), cue("like", Cue::Like),
    reval("hope", POLITENESS, 0.6).t(SUGGEST), reval("hopefully", POLITENESS, 0.3),
    reval("hoping", POLITENESS, 0.4), reval("ok", POLITENESS, 0.3), reval("okay", POLITENESS, 0.3),
    reval("yes", POLITENESS, 0.4), reval("sure", POLITENESS, 0.3),
    // --- Words VADER misreads in CX text ----------------------------------------
    reval("joke", FALSE_FRIENDS, -1.2), reval("kidding", FALSE_FRIENDS, -1.0),
    reval("credit", FALSE_FRIENDS, 0.0), reval("support", FALSE_FRIENDS, 0.0),
    cue("pretty", Cue::Reval), cue("care", Cue::Reval), cue("customer", Cue::Customer).t(CHURN),
    cue("customers", Cue::Customer),
    // --- Sarcasm heads and interjections -----------------------------------------
    cue("love", Cue::Love), cue("loving", Cue::Love), cue("enjoy", Cue::Love),
    cue("enjoying", Cue::Love), cue_val("luv", Cue::Love, SERVICE_TERMS, 2.5),
    cue("great", Cue::Interj), cue("awesome", Cue::Interj), cue("perfect", Cue::Interj),
    cue("wonderful", Cue::Interj), cue("fantastic", Cue::Interj), cue("lovely", Cue::Interj),
    cue("brilliant", Cue::Interj), cue("nice", Cue::Interj), cue("terrific", Cue::Interj),
    cue("superb", Cue::Interj), cue("excellent", Cue::Interj), cue("cool", Cue::Interj),
    cue("wow", Cue::Interj), cue("fabulous", Cue::Interj), cue("amazing", Cue::Interj),
    cue("for", Cue::For), cue("so", Cue::Filler), cue("and", Cue::Filler),
    cue("but", Cue::Contrast), cue("however", Cue::Contrast), cue("although", Cue::Contrast),
    cue("though", Cue::Contrast), cue("yet", Cue::Contrast), cue("not", Cue::Not),
    cue("hey", Cue::Filler), cue("hi", Cue::Filler),
    cue("hello", Cue::Filler), cue("um", Cue::Filler), cue("uh", Cue::Filler),
    cue("then", Cue::Filler), cue("also", Cue::Filler), cue("well", Cue::Filler),
    cue("seriously", Cue::Filler), cue("really", Cue::Filler), cue("srsly", Cue::Filler),
    // --- What customers thank for --------------------------------------------------
    cue("assist", Cue::Service), cue("quick", Cue::Service), cue("fast", Cue::Service),
    cue("service", Cue::Service), cue("patience", Cue::Service), cue("understanding", Cue::Service),
    cue("getting", Cue::Service), cue("following", Cue::Service), cue("reaching", Cue::Service),
    cue("looking", Cue::Service).t(PURCHASE), cue("taking", Cue::Service),
    cue("fixing", Cue::Service).t(RESOLVE), cue("sorting", Cue::Service).t(RESOLVE),
    cue("resolving", Cue::Service).t(RESOLVE), cue("solving", Cue::Service).t(RESOLVE),
    cue("hospitality", Cue::Service), cue("kindness", Cue::Service), cue("effort", Cue::Service),
    cue("efforts", Cue::Service), cue("upgrade", Cue::Service).t(PURCHASE),
    cue("followup", Cue::Service),
    // --- Intent triggers only -----------------------------------------------------
    cue("switch", Cue::None).t(CHURN), cue("switching", Cue::None).t(CHURN),
    cue("switched", Cue::None).t(CHURN), cue("leave", Cue::None).t(CHURN),
    cue("leaving", Cue::None).t(CHURN), cue("cancel", Cue::None).t(CHURN),
    cue("close", Cue::None).t(CHURN), cue("closing", Cue::None).t(CHURN),
    cue("done", Cue::None).t(CHURN), cue("never", Cue::None).t(CHURN),
    cue("goodbye", Cue::None).t(CHURN), cue("bye", Cue::None).t(CHURN),
    cue("unsubscribe", Cue::None).t(CHURN), cue("else", Cue::None).t(CHURN), cue("elsewhere", Cue::None).t(CHURN),
    cue("competitor", Cue::None).t(CHURN), cue("competitors", Cue::None).t(CHURN),
    cue("last", Cue::None).t(CHURN), cue("moving", Cue::None).t(CHURN),
    cue("going", Cue::None).t(CHURN | PURCHASE), cue("other", Cue::None).t(CHURN),
    cue("buy", Cue::None).t(PURCHASE), cue("buying", Cue::None).t(PURCHASE),
    cue("purchase", Cue::None).t(PURCHASE), cue("purchasing", Cue::None).t(PURCHASE),
    cue("book", Cue::None).t(PURCHASE), cue("booking", Cue::None).t(PURCHASE),
    cue("order", Cue::None).t(PURCHASE), cue("ordering", Cue::None).t(PURCHASE),
    cue("sign", Cue::None).t(PURCHASE), cue("signup", Cue::None).t(PURCHASE),
    cue("subscribe", Cue::None).t(PURCHASE), cue("price", Cue::None).t(PURCHASE),
    cue("prices", Cue::None).t(PURCHASE), cue("pricing", Cue::None).t(PURCHASE),
    cue("cost", Cue::None).t(PURCHASE), cue("costs", Cue::None).t(PURCHASE),
    cue("much", Cue::None).t(PURCHASE), cue("quote", Cue::None).t(PURCHASE),
    cue("interested", Cue::None).t(PURCHASE), cue("thinking", Cue::None).t(PURCHASE),
    cue("considering", Cue::None).t(PURCHASE), cue("planning", Cue::None).t(PURCHASE),
    cue("want", Cue::None).t(PURCHASE), cue("need", Cue::None), cue("needs", Cue::None), cue("afford", Cue::None).t(PURCHASE),
    cue("fares", Cue::None).t(PURCHASE), cue("fare", Cue::None).t(PURCHASE),
    cue("available", Cue::None).t(PURCHASE), cue("deal", Cue::None).t(PURCHASE),
    cue("suggest", Cue::None).t(SUGGEST), cue("suggestion", Cue::None).t(SUGGEST),
    cue("suggestions", Cue::None).t(SUGGEST), cue("idea", Cue::None).t(SUGGEST),
    cue("wish", Cue::None).t(SUGGEST), cue("consider", Cue::None).t(SUGGEST),
    cue("add", Cue::None).t(SUGGEST), cue("adding", Cue::None).t(SUGGEST),
    cue("improve", Cue::None).t(SUGGEST), cue("improvement", Cue::None).t(SUGGEST),
    cue("feature", Cue::None).t(SUGGEST), cue("option", Cue::None).t(SUGGEST),
    cue("maybe", Cue::None).t(SUGGEST), cue("recommend", Cue::None).t(SUGGEST),
    cue("it'd", Cue::None).t(SUGGEST), cue("instead", Cue::None).t(SUGGEST),
    // --- Problems solved, threats stopped, disappointment (frames in rules.rs) ----
    cue("sorted", Cue::None).t(RESOLVE), cue("refunded", Cue::None).t(RESOLVE),
    cue("reversed", Cue::None).t(RESOLVE), cue("credited", Cue::None).t(RESOLVE),
    cue("handled", Cue::None).t(RESOLVE), cue("cleared", Cue::None).t(RESOLVE),
    cue("processed", Cue::None).t(RESOLVE), cue("straightened", Cue::None).t(RESOLVE),
    cue("dealt", Cue::None).t(RESOLVE),
    cue("caught", Cue::None).t(PROTECT), cue("spotted", Cue::None).t(PROTECT),
    cue("blocked", Cue::None).t(PROTECT), cue("stopped", Cue::None).t(PROTECT),
    cue("prevented", Cue::None).t(PROTECT), cue("flagged", Cue::None).t(PROTECT),
    cue("detected", Cue::None).t(PROTECT), cue("noticed", Cue::None).t(PROTECT),
    cue("declined", Cue::None).t(PROTECT), cue("froze", Cue::None).t(PROTECT),
    cue("frozen", Cue::None).t(PROTECT), cue("locked", Cue::None).t(PROTECT),
    // Base forms: only their negation counts ("didn't catch the fraud").
    cue("catch", Cue::None).t(PROTECT), cue("stop", Cue::None).t(PROTECT),
    cue("prevent", Cue::None).t(PROTECT), cue("detect", Cue::None).t(PROTECT),
    cue("flag", Cue::None).t(PROTECT), cue("spot", Cue::None).t(PROTECT),
    cue("block", Cue::None).t(PROTECT),
    cue("disappointed", Cue::None).t(LETDOWN), cue("disappointing", Cue::None).t(LETDOWN),
    cue("disappointment", Cue::None).t(LETDOWN), cue("frustrated", Cue::None).t(LETDOWN),
    cue("frustrating", Cue::None).t(LETDOWN), cue("annoyed", Cue::None).t(LETDOWN),
    cue("upset", Cue::None).t(LETDOWN), cue("unhappy", Cue::None).t(LETDOWN),
    cue("dissatisfied", Cue::None).t(LETDOWN), cue("displeased", Cue::None).t(LETDOWN),
    cue("unimpressed", Cue::None).t(LETDOWN), cue("fed", Cue::None).t(LETDOWN),
    cue("let", Cue::None).t(LETDOWN),
    term("underwhelmed", -1.8).t(LETDOWN), term("underwhelming", -1.8).t(LETDOWN),
    term("letdown", -2.0).t(LETDOWN), term("letdowns", -2.0),
    cue("expected", Cue::None).t(LETDOWN), cue("expecting", Cue::None).t(LETDOWN),
    cue("hoped", Cue::None).t(LETDOWN), cue("better", Cue::None).t(LETDOWN),
    // Products and programmes VADER reads as praise ("the rewards
    // programme", "card benefits", "security line"): names, not sentiment.
    reval("rewards", FALSE_FRIENDS, 0.0), reval("reward", FALSE_FRIENDS, 0.0),
    reval("benefits", FALSE_FRIENDS, 0.0), reval("benefit", FALSE_FRIENDS, 0.0),
    reval("bonus", FALSE_FRIENDS, 0.0), reval("bonuses", FALSE_FRIENDS, 0.0),
    reval("loyalty", FALSE_FRIENDS, 0.0), reval("security", FALSE_FRIENDS, 0.0),
    reval("interest", FALSE_FRIENDS, 0.0), reval("gift", FALSE_FRIENDS, 0.0),
    // "honestly", "to be honest": frankness, not an honest company.
    reval("honestly", FALSE_FRIENDS, 0.0),
];

/// Number of bits of the slot index.
const SLOT_BITS: u32 = 11;
/// Number of slots (about a quarter full).
const SLOT_COUNT: usize = 1 << SLOT_BITS;
/// An empty slot.
const EMPTY: u16 = u16::MAX;

/// The home slot of a word: its bytes packed into 64-bit chunks, each
/// mixed in with one multiplication.
#[inline]
const fn home(bytes: &[u8]) -> usize {
    const K1: u64 = 0x9e37_79b9_7f4a_7c15;
    const K2: u64 = 0xbf58_476d_1ce4_e5b9;
    let mut h = (bytes.len() as u64).wrapping_mul(K1);
    let mut chunk = 0u64;
    let mut i = 0;
    while i < bytes.len() {
        chunk |= (bytes[i] as u64) << (8 * (i % 8));
        if i % 8 == 7 {
            h = (h ^ chunk).wrapping_mul(K2);
            chunk = 0;
        }
        i += 1;
    }
    h = (h ^ chunk).wrapping_mul(K2);
    h ^= h >> 31;
    (h.wrapping_mul(K1) >> (64 - SLOT_BITS)) as usize
}

/// Length of the longest word in the table.
const MAX_LEN: usize = {
    let mut m = 0;
    let mut e = 0;
    while e < ENTRIES.len() {
        if ENTRIES[e].word.len() > m {
            m = ENTRIES[e].word.len();
        }
        e += 1;
    }
    m
};

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The slot table and whether a word was listed twice.
const fn build() -> ([u16; SLOT_COUNT], bool) {
    let mut slots = [EMPTY; SLOT_COUNT];
    let mut duplicate = false;
    let mut e = 0;
    while e < ENTRIES.len() {
        let word = ENTRIES[e].word.as_bytes();
        let mut s = home(word);
        while slots[s] != EMPTY {
            if bytes_eq(ENTRIES[slots[s] as usize].word.as_bytes(), word) {
                duplicate = true;
            }
            s = (s + 1) & (SLOT_COUNT - 1);
        }
        slots[s] = e as u16;
        e += 1;
    }
    (slots, duplicate)
}

const BUILT: ([u16; SLOT_COUNT], bool) = build();
static SLOTS: [u16; SLOT_COUNT] = BUILT.0;
// Each word is listed once, and the table keeps empty slots so probes end.
const _: () = assert!(!BUILT.1, "a word is listed twice in the CX table");
const _: () = assert!(ENTRIES.len() * 2 < SLOT_COUNT);

/// The entry of a lowercase word.
#[inline]
pub(crate) fn lookup(word: &[u8]) -> Option<&'static Entry> {
    if word.is_empty() || word.len() > MAX_LEN {
        return None;
    }
    let mut s = home(word);
    loop {
        let idx = *SLOTS.get(s)?;
        if idx == EMPTY {
            return None;
        }
        let e = ENTRIES.get(usize::from(idx))?;
        let w = e.word.as_bytes();
        // Short words: an inline comparison beats a `memcmp` call.
        if w.len() == word.len() && w.iter().zip(word).all(|(a, b)| a == b) {
            return Some(e);
        }
        s = (s + 1) & (SLOT_COUNT - 1);
    }
}

/// Number of words in the table.
pub(crate) fn len() -> usize {
    ENTRIES.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_found_and_lowercase() {
        for e in ENTRIES {
            assert!(
                e.word.bytes().all(|b| !b.is_ascii_uppercase()),
                "{} must be lowercase",
                e.word
            );
            let found = lookup(e.word.as_bytes()).map(|f| f.word);
            assert_eq!(found, Some(e.word));
        }
        assert!(lookup(b"aeroplane").is_none());
        assert!(lookup(b"").is_none());
        assert!(len() > 300);
    }
}
