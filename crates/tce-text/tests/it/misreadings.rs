//! The misreadings of issue 10 §7, by rule family: each row is a text, the
//! CX label it must get, the intents it must carry and those it must not.
//! Several phrasings per family, so a rule that only knew the issue's own
//! strings would fail; hostile and edge texts last.

use std::path::Path;

use tce_model::{Intent, Model, Rating, RatingScale, SentimentLabel, Signal};
use tce_text::cx::{CxRules, CxScratch, CxSentiment};
use tce_text::enrich::Enricher;
use tce_text::intent;

use Intent::{ChurnRisk, Complaint, Praise, Suggestion};
use SentimentLabel::{Negative, Neutral, Positive};

/// One expectation: text, label, intents present, intents absent.
type Case<'a> = (&'a str, SentimentLabel, &'a [Intent], &'a [Intent]);

/// Checks every case and reports all mismatches at once.
fn check(cases: &[Case]) {
    let cx = CxSentiment::new();
    let mut scratch = CxScratch::new();
    let mut wrong = Vec::new();
    for &(text, label, present, absent) in cases {
        let compound = cx.scores_with(text, &mut scratch).compound;
        let mut found = Vec::new();
        intent::detect_into(&scratch, compound, &mut found);
        let has = |i: Intent| found.iter().any(|s| s.intent == i);
        let got = CxSentiment::label(compound);
        let missing: Vec<_> = present.iter().filter(|&&i| !has(i)).collect();
        let extra: Vec<_> = absent.iter().filter(|&&i| has(i)).collect();
        if got != label || !missing.is_empty() || !extra.is_empty() {
            wrong.push(format!(
                "{text:?}: want {label:?}, got {got:?} ({compound:+.3}); \
                 missing {missing:?}, unwanted {extra:?}; intents {found:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "misread:\n{}", wrong.join("\n"));
}

#[test]
fn sarcastic_praise_after_a_failure_is_a_complaint() {
    check(&[
        (
            "flight delayed again, great",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        ("lost my bag, perfect", Negative, &[Complaint], &[Praise]),
        (
            "cancelled twice. fantastic.",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "Bag lost again. Just great.",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "The app crashed again, wonderful",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "on hold for 2 hours, great job",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "Cancelled my flight, perfect timing",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "overcharged me twice, awesome!!",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        // Praise after a turn, or of something named, is praise.
        ("Flight delayed, but great crew", Positive, &[Praise], &[]),
        ("delayed again, great crew though", Positive, &[Praise], &[]),
        (
            "Flight delayed 2 hours but they rebooked me fast, great job",
            Positive,
            &[Praise],
            &[],
        ),
        ("Landed early, great", Positive, &[Praise], &[Complaint]),
        ("Great!", Positive, &[Praise], &[Complaint]),
    ]);
}

#[test]
fn hedged_disappointment_is_negative_and_no_praise() {
    check(&[
        (
            "Kinda disappointed with the new app",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "Kinda disappointed with the new card benefits, honestly I expected better",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "a bit let down by the service today",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "a bit let down by the rewards programme",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "somewhat frustrated with the refund process",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "slightly disappointed with the loyalty bonus",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "fed up with the great new app",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "Expected more from the lounge",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "Honestly expected a lot better from you",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "The seats could be better",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        ("used to be better", Negative, &[Complaint], &[Praise]),
        (
            "Worst app I have used in years. Do better.",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "the website could be a lot better tbh",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "the lounge was mediocre at best",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        // Not every expectation is a letdown.
        ("Better than expected!", Positive, &[Praise], &[Complaint]),
        ("Couldn't be better!", Positive, &[Praise], &[Complaint]),
        (
            "not disappointed at all, great service",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        (
            "It would be better if you added more flights",
            Neutral,
            &[Suggestion],
            &[Praise, Complaint],
        ),
    ]);
}

#[test]
fn waiting_without_news_carries_no_praise() {
    check(&[
        (
            "Stuck since the weekend, would love to see a better travel portal",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "Waiting for weeks. On the other hand the gift card arrived.",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        ("Slow and no updates... still waiting", Negative, &[Complaint], &[Praise]),
        (
            "Slow and no updates. Rewards issue again, still waiting for an update.",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "Interest charge issue again, still waiting for an update.",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "10 days in, no progress. would be great if you fixed the travel portal. still waiting.",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "Still waiting on my bonus points, wish you had a faster process",
            Negative,
            &[Complaint],
            &[Praise],
        ),
    ]);
}

#[test]
fn a_problem_solved_is_praise() {
    check(&[
        (
            "thanks to the team for sorting the late fee so quickly",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        (
            "happy with how the app crash was handled",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        (
            "dispute team resolved my chargeback fast",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        (
            "they fixed my refund issue quickly",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        (
            "issue sorted within minutes",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        (
            "my chargeback was resolved in 2 days",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        (
            "The agent solved the billing problem right away",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        (
            "Got the double charge reversed the same day",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        (
            "refunded my fee within an hour, thank you",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        // Unresolved, asked, wished for, hearsay, botched or relapsed:
        // still a complaint.
        (
            "Thanks for fixing nothing",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "My issue was fixed, then it broke again",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "They fixed the app. It is still not working",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "they refunded the wrong amount",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "results sorted by price",
            Neutral,
            &[],
            &[Praise, Complaint],
        ),
        ("still not resolved", Negative, &[Complaint], &[Praise]),
        (
            "They never fixed my issue",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "please get my refund sorted",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "I was told my issue was resolved, it was not",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "they said it was fixed but it's still broken",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "my refund needs to be processed asap",
            Negative,
            &[Complaint],
            &[Praise],
        ),
    ]);
}

#[test]
fn a_threat_stopped_is_praise() {
    check(&[
        (
            "Fraud alert caught a bad charge, great job",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        (
            "they spotted the fraud and blocked the card",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        (
            "the fraud was caught quickly",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        (
            "they blocked a suspicious transaction, thank you",
            Positive,
            &[Praise],
            &[Complaint],
        ),
        (
            "Your fraud team flagged a fake purchase before I noticed",
            Positive,
            &[Praise],
            &[],
        ),
        // The threat got through, or the card was blocked for nothing.
        ("didn't catch the fraud", Negative, &[Complaint], &[Praise]),
        (
            "they failed to stop the fraudulent charges",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "my card was blocked for no reason",
            Negative,
            &[Complaint],
            &[Praise],
        ),
        (
            "card declined at the store again",
            Negative,
            &[Complaint],
            &[Praise],
        ),
    ]);
}

#[test]
fn churn_and_complaints_survive_the_new_families() {
    check(&[
        (
            "Fixed my issue after 3 weeks, switching to another bank anyway",
            Negative,
            &[ChurnRisk],
            &[],
        ),
        (
            "Never again. Worst service ever.",
            Negative,
            &[Complaint, ChurnRisk],
            &[Praise],
        ),
        ("Thanks for nothing", Negative, &[Complaint], &[Praise]),
    ]);
}

/// Each new family does what it says, and without it the engine falls
/// back to the old reading.
#[test]
fn families_can_be_switched_off() {
    let text = "they fixed my refund issue quickly";
    let all = CxSentiment::new().scores(text).compound;
    let without = CxSentiment::with_rules(CxRules::ALL.without(CxRules::RESOLUTION))
        .scores(text)
        .compound;
    assert!(all > 0.25 && without < 0.0, "{all} {without}");
    let text = "Fraud alert caught a bad charge";
    let all = CxSentiment::new().scores(text).compound;
    let without = CxSentiment::with_rules(CxRules::ALL.without(CxRules::PROTECTION))
        .scores(text)
        .compound;
    assert!(all > 0.0 && without < 0.0, "{all} {without}");
    let text = "a bit let down by the rewards";
    let all = CxSentiment::new().scores(text).compound;
    let without = CxSentiment::with_rules(CxRules::ALL.without(CxRules::DISAPPOINTMENT))
        .scores(text)
        .compound;
    assert!(all < -0.05 && without > all, "{all} {without}");
}

#[test]
fn hostile_and_edge_texts_stay_in_range() {
    let long = "resolved fixed sorted caught blocked let down fed up expected better, great. "
        .repeat(20_000);
    let frames = "didn't catch the fraud, kinda disappointed with the rewards, would be great if ";
    let cx = CxSentiment::new();
    let mut scratch = CxScratch::new();
    for text in [
        "",
        ",",
        "great",
        ", great",
        "great,",
        "let",
        "fed",
        "let down",
        "fed up",
        "expected",
        "expected more",
        "better",
        "be better",
        "resolved",
        "fixed?",
        "caught",
        "blocked",
        "wish",
        "would be great if",
        "disappointed with",
        "delayed, great job guys lol 😂😂",
        "<script>alert('resolved')</script> fraud",
        "ＲＥＳＯＬＶＥＤ ｆｒａｕｄ",
        "fraud\u{0}alert\u{1f}caught",
        "@fraud @team #resolved #fail",
        frames,
        &frames.repeat(5_000),
        &long,
    ] {
        let s = cx.scores_with(text, &mut scratch);
        assert!(
            s.compound.is_finite() && (-1.0..=1.0).contains(&s.compound),
            "{:?}",
            text.get(..40).unwrap_or(text)
        );
        let mut found = Vec::new();
        intent::detect_into(&scratch, s.compound, &mut found);
        assert!(found.iter().all(|i| (0.05..=0.95).contains(&i.confidence)));
    }
}

fn rated(text: &str, stars: f64) -> Signal {
    Signal {
        channel: "app_store".into(),
        external_id: "1".into(),
        brand: None,
        author: None,
        author_followers: None,
        created_at: Default::default(),
        text: text.into(),
        rating: Some(
            Rating::new(stars, RatingScale::Stars5)
                .unwrap_or_else(|e| panic!("bad fixture rating {stars}: {e}")),
        ),
        stage_ratings: Vec::new(),
        in_reply_to: None,
        url: None,
        lang: None,
    }
}

fn enricher() -> Enricher {
    let Some(t) = tce_model::templates::template("credit_card") else {
        panic!("no credit_card template");
    };
    let model = Model::parse(t.toml, Path::new("credit_card.toml"))
        .unwrap_or_else(|e| panic!("credit_card template: {e}"));
    Enricher::new(&model).unwrap_or_else(|e| panic!("enricher: {e}"))
}

fn confidence(e: &tce_model::Enrichment, intent: Intent) -> Option<f32> {
    e.intents
        .iter()
        .find(|s| s.intent == intent)
        .map(|s| s.confidence)
}

/// A rating that contradicts the text: the rating is the experience value,
/// the contradicted intent is re-weighed (dropped when weak), the others
/// stay.
#[test]
fn a_rating_that_contradicts_the_text_wins() {
    let e = enricher();
    // (text, stars, intent the rating contradicts)
    let cases: &[(&str, f64, Intent)] = &[
        ("App was down for an hour this morning", 5.0, Complaint),
        ("the new statement page is confusing", 5.0, Complaint),
        ("Great card, love the rewards", 1.0, Praise),
        ("The crew was amazing", 1.0, Praise),
    ];
    for &(text, stars, intent) in cases {
        let plain = e.enrich(&Signal {
            rating: None,
            ..rated(text, stars)
        });
        let with = e.enrich(&rated(text, stars));
        let before = confidence(&plain, intent);
        assert!(before.is_some(), "{text}: the text alone reads {intent:?}");
        let after = confidence(&with, intent);
        assert!(
            after.is_none_or(|a| Some(a) < before),
            "{text} at {stars} stars: {intent:?} {before:?} → {after:?}"
        );
        let want = (stars - 1.0) / 2.0 - 1.0;
        assert!((with.experience_value - want).abs() < 1e-9, "{text}");
        // The text's own sentiment is still reported.
        assert_eq!(with.sentiment, plain.sentiment, "{text}");
    }
    // A strong complaint survives a 4-star rating, weaker.
    let text = "Charged twice and nobody answers the phone, awful";
    let plain = confidence(
        &e.enrich(&Signal {
            rating: None,
            ..rated(text, 4.0)
        }),
        Complaint,
    );
    let four = confidence(&e.enrich(&rated(text, 4.0)), Complaint);
    assert!(
        matches!((plain, four), (Some(p), Some(f)) if f < p),
        "{plain:?} {four:?}"
    );
    // A rating that agrees changes no intent.
    let text = "they fixed my refund issue quickly";
    let plain = e.enrich(&Signal {
        rating: None,
        ..rated(text, 5.0)
    });
    assert_eq!(e.enrich(&rated(text, 5.0)).intents, plain.intents);
    // The issue's own example: a 5-star resolution is positive praise.
    let five = e.enrich(&rated("dispute team resolved my chargeback fast", 5.0));
    assert_eq!(five.sentiment_label, Positive);
    assert!(confidence(&five, Praise).is_some() && confidence(&five, Complaint).is_none());
}

#[test]
fn reweighing_is_bounded() {
    use tce_model::IntentScore;
    for r in [-1.0, -0.5, 0.0, 0.5, 1.0, f64::NAN, f64::INFINITY, -7.0] {
        let mut found = vec![
            IntentScore {
                intent: Complaint,
                confidence: 0.95,
            },
            IntentScore {
                intent: Praise,
                confidence: 0.95,
            },
            IntentScore {
                intent: Intent::Question,
                confidence: 0.85,
            },
        ];
        intent::reweigh_by_rating(&mut found, r);
        assert!(
            found
                .iter()
                .all(|s| (intent::MIN_CONFIDENCE..=0.95).contains(&s.confidence)),
            "{r}: {found:?}"
        );
        assert!(found.iter().any(|s| s.intent == Intent::Question), "{r}");
    }
}
