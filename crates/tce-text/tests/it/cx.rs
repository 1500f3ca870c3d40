//! The CX sentiment engine and intents, as the enricher uses them.
//!
//! `labels` checks the three-way CX label of plain customer messages
//! (complaints without emotion words, praise, informational questions);
//! `vader_is_untouched` checks that running CX leaves VADER's own scores
//! exactly as they are, on the VADER tweet corpus.

use std::path::Path;

use tce_model::{Intent, Model, SentimentLabel, Signal};
use tce_text::cx::{CxRules, CxScratch, CxSentiment};
use tce_text::enrich::{Engine, Enricher};
use tce_text::intent::intents;
use tce_text::vader::Vader;

/// Checks the CX label of each text; reports every mismatch at once.
fn check(cases: &[(&str, SentimentLabel)]) {
    let cx = CxSentiment::new();
    let mut scratch = CxScratch::new();
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|&(text, want)| {
            let c = cx.scores_with(text, &mut scratch).compound;
            let got = CxSentiment::label(c);
            (got != want).then(|| format!("{text:?}: want {want:?}, got {got:?} ({c:+.4})"))
        })
        .collect();
    assert!(wrong.is_empty(), "wrong CX labels:\n{}", wrong.join("\n"));
}

use SentimentLabel::{Negative, Neutral, Positive};

#[test]
fn labels_of_complaints_without_emotion_words() {
    check(&[
        ("Flight delayed 3 hours, no update at the gate", Negative),
        ("On hold for 45 min and counting", Negative),
        ("Ordered on the 2nd, still haven't received it", Negative),
        ("Charged twice for one ticket. Need a refund asap", Negative),
        ("Nobody at the desk, no one answers the phone", Negative),
        ("Third time this week the app won't load", Negative),
        ("My bag never arrived in Denver", Negative),
        ("Internet has been down since Monday", Negative),
        (
            "Rebooked onto a flight tomorrow, stranded at JFK overnight",
            Negative,
        ),
        (
            "When will my refund be processed? It's been 6 weeks",
            Negative,
        ),
        ("Why is the 8:15 cancelled again?", Negative),
        ("Been waiting 2hrs for the technician", Negative),
        ("Still no response to my email from last week", Negative),
        ("please help me get my refund", Negative),
    ]);
}

#[test]
fn labels_of_praise() {
    check(&[
        ("Thanks for the quick help with my booking!", Positive),
        ("Smooth flight, landed early, lovely crew", Positive),
        ("Thank you for getting back to me so fast", Positive),
        (
            "Shout out to Maria at the front desk, she went above and beyond",
            Positive,
        ),
        ("Got upgraded today, you guys rock", Positive),
        ("The new app is great, checkout takes seconds", Positive),
    ]);
}

#[test]
fn labels_of_informational_messages() {
    check(&[
        ("Do you have wifi on the plane?", Neutral),
        ("What time does the store open on Sunday?", Neutral),
        ("Can you help me change my seat please?", Neutral),
        ("Is the lounge in terminal 2 open yet?", Neutral),
        (
            "@united what is the baggage allowance for international flights?",
            Neutral,
        ),
        (
            "I would like to know if the Lisbon route runs in winter",
            Neutral,
        ),
        ("Just landed in Boston", Neutral),
        ("DM sent with my booking reference", Neutral),
    ]);
}

#[test]
fn labels_of_sarcasm_and_politeness() {
    check(&[
        ("Thanks for nothing", Negative),
        ("thanks for the 4 hour delay", Negative),
        ("Love being on hold all morning", Negative),
        ("Great. Another cancellation.", Negative),
        ("Awesome service... NOT", Negative),
        ("no thanks", Neutral),
        ("Could you please check my booking? Thanks!", Neutral),
    ]);
}

#[test]
fn brand_names_are_names() {
    let plain = CxSentiment::new();
    let named = CxSentiment::new().with_neutral_names(["United Airlines", "Spirit"]);
    assert_eq!(named.neutral_names(), ["spirit", "united"]);
    let text = "Flying United tomorrow";
    assert!(plain.scores(text).compound > 0.05);
    assert_eq!(named.scores(text).compound, 0.0);
    // Handles are names even without the list.
    assert_eq!(plain.scores("@united").compound, 0.0);
}

fn vader_corpus(name: &str) -> Vec<String> {
    let path = crate::shared_data()
        .join("vader")
        .join(format!("{name}_GroundTruth.txt"));
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|l| l.splitn(3, '\t').nth(2).map(str::to_owned))
        .collect()
}

#[test]
fn vader_is_untouched() {
    let vader = Vader::new();
    let cx = CxSentiment::new();
    let none = CxSentiment::with_rules(CxRules::NONE);
    let mut scratch = CxScratch::new();
    let texts = vader_corpus("tweets");
    assert!(texts.len() > 4000);
    let mut changed = 0;
    for text in &texts {
        let want = vader.polarity_scores(text);
        let got = cx.scores_with(text, &mut scratch);
        // Running CX leaves VADER's own analysis intact…
        assert_eq!(scratch.vader_scores(), want, "{text:?}");
        // …and CX without rules is VADER.
        assert_eq!(none.scores(text), want, "{text:?}");
        changed += usize::from(got != want);
    }
    // The rules do change general tweets, but not most of them.
    assert!(changed > 0 && changed < texts.len() / 2, "{changed}");
}

fn signal(text: &str) -> Signal {
    Signal {
        channel: "x".into(),
        external_id: "1".into(),
        brand: None,
        author: None,
        author_followers: None,
        created_at: Default::default(),
        text: text.into(),
        rating: None,
        stage_ratings: Vec::new(),
        in_reply_to: None,
        url: None,
        lang: None,
    }
}

#[test]
fn enricher_engines() {
    let t = tce_model::templates::template("airline").unwrap();
    let model = Model::parse(t.toml, Path::new("airline.toml")).unwrap();
    let cx = Enricher::new(&model).unwrap();
    let vader = Enricher::with_engine(&model, Engine::Vader).unwrap();
    for text in [
        "Flight delayed 3 hours, no update at the gate",
        "Loved the crew on SK101!",
        "VADER is VERY SMART, handsome, and FUNNY!!!",
        "",
    ] {
        let v = vader.enrich(&signal(text));
        let want = Vader::new().polarity_scores(text).compound;
        assert_eq!((v.engine.as_str(), v.sentiment), ("vader", want), "{text}");
        assert_eq!(v.sentiment_label, SentimentLabel::from_compound(want));
        let c = cx.enrich(&signal(text));
        assert_eq!(c.engine, "cx");
        assert_eq!(c.sentiment_label, CxSentiment::label(c.sentiment));
    }
    let e = cx.enrich(&signal("Flight delayed 3 hours, no update at the gate"));
    assert_eq!(e.sentiment_label, SentimentLabel::Negative);
    assert!(e
        .touchpoints
        .iter()
        .any(|t| t.touchpoint.contains("punctual") || t.stage == "operations"));
}

#[test]
fn intents_are_multi_label() {
    let labels =
        |text: &str| -> Vec<Intent> { intents(text).into_iter().map(|s| s.intent).collect() };
    assert_eq!(
        labels("Why is my bag still missing after 3 days?"),
        [Intent::Complaint, Intent::Question]
    );
    assert_eq!(
        labels("Crew was great but we sat 2 hours on the tarmac, you should add more gates."),
        [Intent::Complaint, Intent::Praise, Intent::Suggestion]
    );
    assert_eq!(
        labels("Third cancellation this month. Switching to another airline."),
        [Intent::Complaint, Intent::ChurnRisk]
    );
    assert_eq!(
        labels("Thinking of booking Lisbon in May, how much is premium economy?"),
        [Intent::Question, Intent::PurchaseIntent]
    );
    assert_eq!(labels("Thanks for the quick reply!"), [Intent::Praise]);
    assert_eq!(labels("Do you fly to Oslo?"), [Intent::Question]);
    assert!(labels("Just landed.").is_empty());
}
