//! Property tests: signal text is hostile and arbitrary; the analysers must
//! answer every text, within their ranges, without panicking.

// The fixtures are test code: a broken template should stop the test.
#![allow(clippy::expect_used)]

use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;
use tce_model::{Model, Signal};
use tce_text::cx::CxSentiment;
use tce_text::enrich::{Engine, Enricher};
use tce_text::vader::Vader;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        // The same cases on every run: CI must not pass or fail by luck.
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x7ce),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Any Unicode, or the characters VADER's rules look at (punctuation runs,
/// capitals, emoticons, negations, "but", intensifiers) in any order.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,80}",
        "\\p{Any}{0,40}",
        proptest::collection::vec(
            prop_oneof![
                Just("not"),
                Just("but"),
                Just("very"),
                Just("GREAT"),
                Just("kind of"),
                Just("!!!"),
                Just("???"),
                Just(":)"),
                Just(":-("),
                Just("never"),
                Just("delayed"),
                Just("still"),
                Just("again"),
                Just("no"),
                Just("least"),
                Just("😡"),
                Just("👍"),
                Just("without"),
                Just("#fail"),
                Just("@SkyWayAir"),
                Just(" "),
                Just("."),
                Just("'"),
                Just("-"),
            ],
            0..30,
        )
        .prop_map(|w| w.join(" ")),
    ]
}

fn scores_in_range(s: &tce_text::vader::SentimentScores) -> Result<(), TestCaseError> {
    prop_assert!(
        (-1.0..=1.0).contains(&s.compound),
        "compound {}",
        s.compound
    );
    for p in [s.neg, s.neu, s.pos] {
        prop_assert!((0.0..=1.0).contains(&p), "proportion {p}");
    }
    let sum = s.neg + s.neu + s.pos;
    prop_assert!(
        sum == 0.0 || (sum - 1.0).abs() < 0.01,
        "neg+neu+pos = {sum}"
    );
    Ok(())
}

/// The airline model and an enricher per engine, built once.
fn enrichers() -> &'static (Model, [Enricher; 2]) {
    static ONCE: OnceLock<(Model, [Enricher; 2])> = OnceLock::new();
    ONCE.get_or_init(|| {
        let t = tce_model::templates::template("airline").expect("airline template");
        let m = Model::parse(t.toml, Path::new("airline.toml")).expect("airline model");
        let e = [Engine::Cx, Engine::Vader]
            .map(|engine| Enricher::with_engine(&m, engine).expect("enricher"));
        (m, e)
    })
}

fn signal(text: String) -> Signal {
    Signal {
        channel: "x".into(),
        external_id: "1".into(),
        brand: None,
        author: None,
        author_followers: None,
        created_at: Default::default(),
        text,
        rating: None,
        stage_ratings: Vec::new(),
        in_reply_to: None,
        url: None,
        lang: None,
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn vader_and_cx_scores_stay_in_range(t in text()) {
        scores_in_range(&Vader::new().polarity_scores(&t))?;
        scores_in_range(&CxSentiment::new().scores(&t))?;
    }

    #[test]
    fn enrichment_answers_every_text(t in text()) {
        let (m, enrichers) = enrichers();
        for enricher in enrichers {
            let e = enricher.enrich(&signal(t.clone()));
            prop_assert!((-1.0..=1.0).contains(&e.sentiment), "sentiment {}", e.sentiment);
            prop_assert!((-1.0..=1.0).contains(&e.experience_value), "experience {}", e.experience_value);
            prop_assert!((0.0..=100.0).contains(&e.priority), "priority {}", e.priority);
            for i in &e.intents {
                prop_assert!((0.0..=1.0).contains(&i.confidence), "{i:?}");
            }
            for tp in &e.touchpoints {
                prop_assert!((0.0..=1.0).contains(&tp.confidence), "{tp:?}");
                prop_assert!(m.touchpoints.iter().any(|x| x.id == tp.touchpoint), "{tp:?}");
            }
            if let Some(b) = &e.brand {
                prop_assert!(m.brands.iter().any(|x| &x.id == b), "brand {b}");
            }
        }
    }
}
