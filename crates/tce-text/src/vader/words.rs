//! VADER's word lists (vaderSentiment 3.3.2), shared verbatim by `build.rs`,
//! which folds them into the static word table, and the library.

/// Valence increase of a booster word ("very good").
pub const B_INCR: f64 = 0.293;
/// Valence decrease of a dampener word ("kind of good").
pub const B_DECR: f64 = -0.293;

/// Single-word entries of `BOOSTER_DICT` (the two-word ones, "just enough",
/// "kind of" and "sort of", are matched as keyword pairs).
#[rustfmt::skip]
pub const BOOSTERS: &[(&str, f64)] = &[
    ("absolutely", B_INCR), ("amazingly", B_INCR), ("awfully", B_INCR),
    ("completely", B_INCR), ("considerable", B_INCR), ("considerably", B_INCR),
    ("decidedly", B_INCR), ("deeply", B_INCR), ("effing", B_INCR), ("enormous", B_INCR),
    ("enormously", B_INCR), ("entirely", B_INCR), ("especially", B_INCR),
    ("exceptional", B_INCR), ("exceptionally", B_INCR), ("extreme", B_INCR),
    ("extremely", B_INCR), ("fabulously", B_INCR), ("flipping", B_INCR), ("flippin", B_INCR),
    ("frackin", B_INCR), ("fracking", B_INCR), ("fricking", B_INCR), ("frickin", B_INCR),
    ("frigging", B_INCR), ("friggin", B_INCR), ("fully", B_INCR), ("fuckin", B_INCR),
    ("fucking", B_INCR), ("fuggin", B_INCR), ("fugging", B_INCR), ("greatly", B_INCR),
    ("hella", B_INCR), ("highly", B_INCR), ("hugely", B_INCR), ("incredible", B_INCR),
    ("incredibly", B_INCR), ("intensely", B_INCR), ("major", B_INCR), ("majorly", B_INCR),
    ("more", B_INCR), ("most", B_INCR), ("particularly", B_INCR), ("purely", B_INCR),
    ("quite", B_INCR), ("really", B_INCR), ("remarkably", B_INCR), ("so", B_INCR),
    ("substantially", B_INCR), ("thoroughly", B_INCR), ("total", B_INCR), ("totally", B_INCR),
    ("tremendous", B_INCR), ("tremendously", B_INCR), ("uber", B_INCR),
    ("unbelievably", B_INCR), ("unusually", B_INCR), ("utter", B_INCR), ("utterly", B_INCR),
    ("very", B_INCR),
    ("almost", B_DECR), ("barely", B_DECR), ("hardly", B_DECR), ("kinda", B_DECR),
    ("kindof", B_DECR), ("kind-of", B_DECR), ("less", B_DECR), ("little", B_DECR),
    ("marginal", B_DECR), ("marginally", B_DECR), ("occasional", B_DECR),
    ("occasionally", B_DECR), ("partly", B_DECR), ("scarce", B_DECR), ("scarcely", B_DECR),
    ("slight", B_DECR), ("slightly", B_DECR), ("somewhat", B_DECR), ("sorta", B_DECR),
    ("sortof", B_DECR), ("sort-of", B_DECR),
];

/// VADER's `NEGATE` list.
#[rustfmt::skip]
pub const NEGATE: &[&str] = &[
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
    "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
    "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
    "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
    "neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
    "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
    "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
    "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite",
];

/// Identifiers of the words VADER's rules test for by name (0: none).
pub mod kw {
    #![allow(missing_docs)]
    pub const NONE: u8 = 0;
    pub const NO: u8 = 1;
    pub const BUT: u8 = 2;
    pub const KIND: u8 = 3;
    pub const OF: u8 = 4;
    pub const LEAST: u8 = 5;
    pub const SO: u8 = 6;
    pub const THIS: u8 = 7;
    pub const NEVER: u8 = 8;
    pub const WITHOUT: u8 = 9;
    pub const DOUBT: u8 = 10;
    pub const AT: u8 = 11;
    pub const VERY: u8 = 12;
    pub const OR: u8 = 13;
    pub const NOR: u8 = 14;
    pub const JUST: u8 = 15;
    pub const ENOUGH: u8 = 16;
    pub const SORT: u8 = 17;
    pub const THE: u8 = 18;
    pub const SHIT: u8 = 19;
    pub const BOMB: u8 = 20;
    pub const BAD: u8 = 21;
    pub const ASS: u8 = 22;
    pub const BUS: u8 = 23;
    pub const STOP: u8 = 24;
    pub const YEAH: u8 = 25;
    pub const RIGHT: u8 = 26;
    pub const BEATING: u8 = 27;
    pub const HEART: u8 = 28;
    pub const KISS: u8 = 29;
    pub const DEATH: u8 = 30;
    pub const TO: u8 = 31;
    pub const DIE: u8 = 32;
    pub const FOR: u8 = 33;
}

/// The keyword of each identifier in [`kw`] (read by `build.rs` and tests).
#[rustfmt::skip]
#[allow(dead_code)]
pub const KEYWORDS: &[(u8, &str)] = &[
    (kw::NO, "no"), (kw::BUT, "but"), (kw::KIND, "kind"), (kw::OF, "of"),
    (kw::LEAST, "least"), (kw::SO, "so"), (kw::THIS, "this"), (kw::NEVER, "never"),
    (kw::WITHOUT, "without"), (kw::DOUBT, "doubt"), (kw::AT, "at"), (kw::VERY, "very"),
    (kw::OR, "or"), (kw::NOR, "nor"), (kw::JUST, "just"), (kw::ENOUGH, "enough"),
    (kw::SORT, "sort"), (kw::THE, "the"), (kw::SHIT, "shit"), (kw::BOMB, "bomb"),
    (kw::BAD, "bad"), (kw::ASS, "ass"), (kw::BUS, "bus"), (kw::STOP, "stop"),
    (kw::YEAH, "yeah"), (kw::RIGHT, "right"), (kw::BEATING, "beating"),
    (kw::HEART, "heart"), (kw::KISS, "kiss"), (kw::DEATH, "death"), (kw::TO, "to"),
    (kw::DIE, "die"), (kw::FOR, "for"),
];
