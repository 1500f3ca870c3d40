//! The learned text classifier (`tce_text::classify`) and its evaluation
//! (`tce_text::metrics`): learning, determinism, the saved format, errors,
//! and cross-validated quality on the airline tweets in `../shared/data`.

use tce_text::classify::evidence::{EvidenceSet, RuleEvidence};
use tce_text::classify::{stratified_folds, Classifier, ClassifyError, TrainConfig};
use tce_text::metrics::Evaluation;

/// A small three-class problem whose classes are told apart by words.
fn toy() -> (Vec<String>, Vec<&'static str>) {
    let topics = [
        (
            "delay",
            [
                "delayed",
                "late",
                "waiting on the tarmac",
                "hours behind schedule",
            ],
        ),
        (
            "baggage",
            [
                "lost my bag",
                "suitcase never arrived",
                "luggage missing",
                "bag damaged",
            ],
        ),
        (
            "praise",
            [
                "great crew",
                "thank you so much",
                "lovely flight",
                "amazing service",
            ],
        ),
    ];
    let frames = [
        "{} again",
        "so {} today",
        "@airline {}!",
        "{} on flight 123",
        "wow {}",
    ];
    let mut texts = Vec::new();
    let mut labels = Vec::new();
    for (label, phrases) in topics {
        for p in phrases {
            for f in frames {
                texts.push(f.replace("{}", p));
                labels.push(label);
            }
        }
    }
    (texts, labels)
}

fn train_toy(cfg: &TrainConfig) -> Classifier {
    let (texts, labels) = toy();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    Classifier::train(&texts, &labels, None, cfg).unwrap_or_else(|e| panic!("toy problem: {e}"))
}

fn saved(model: &Classifier) -> Vec<u8> {
    let mut bytes = Vec::new();
    model
        .save(&mut bytes)
        .unwrap_or_else(|e| panic!("save to memory: {e}"));
    bytes
}

#[test]
fn learns_a_separable_problem() {
    let model = train_toy(&TrainConfig::default());
    assert_eq!(model.labels(), ["baggage", "delay", "praise"]);
    let (texts, labels) = toy();
    for (t, l) in texts.iter().zip(&labels) {
        assert_eq!(model.predict(t, None).unwrap().label, *l, "{t}");
    }
    for (text, want) in [
        ("the flight is delayed", "delay"),
        ("my luggage is missing", "baggage"),
        ("thank you, lovely crew", "praise"),
    ] {
        let p = model.predict(text, None).unwrap();
        assert_eq!(p.label, want, "{text}: {p:?}");
        assert_eq!(model.labels()[p.index], want);
        assert!(p.confidence > 0.5 && p.confidence <= 1.0, "{p:?}");
        assert!((p.scores.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        assert_eq!(p.scores[p.index], p.confidence);
    }
}

/// With a handful of examples the out-of-fold scores are noise; the
/// combiner then stays near the plain sum of the views' scores.
#[test]
fn learns_from_a_handful_of_examples() {
    let texts = [
        "flight delayed again",
        "lost my bag",
        "delayed 3 hours",
        "bag never arrived",
    ];
    let labels = ["delay", "baggage", "delay", "baggage"];
    let model = Classifier::train(&texts, &labels, None, &TrainConfig::default()).unwrap();
    assert_eq!(
        model.predict("my bag is lost", None).unwrap().label,
        "baggage"
    );
    assert_eq!(model.predict("delayed again", None).unwrap().label, "delay");
}

/// Prior correction moves probability from a large class to a small one
/// by exactly the prior ratio, and leaves everything else as it was.
#[test]
fn prior_flattening_favours_small_classes() {
    let mut texts: Vec<String> = (0..40).map(|i| format!("delayed again {i}")).collect();
    let mut labels = vec!["delay"; 40];
    texts.extend((0..8).map(|i| format!("lost my bag {i}")));
    labels.extend(["baggage"; 8]);
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let train = |a: f32| {
        let cfg = TrainConfig {
            prior_flattening: a,
            ..TrainConfig::default()
        };
        Classifier::train(&texts, &labels, None, &cfg).unwrap()
    };
    let (plain, flat) = (train(0.0), train(1.0));
    let text = "delayed bag";
    let p = plain.predict(text, None).unwrap().scores;
    let q = flat.predict(text, None).unwrap().scores;
    // labels: ["baggage", "delay"]; priors 8/48 and 40/48.
    let odds = |s: &[f32]| s[0] / s[1];
    assert!(
        (odds(&q) / odds(&p) - 5.0).abs() < 0.05,
        "{p:?} → {q:?}: the odds should grow by the prior ratio 40/8"
    );
    for a in [-0.1, 1.5, f32::NAN] {
        let cfg = TrainConfig {
            prior_flattening: a,
            ..TrainConfig::default()
        };
        assert!(matches!(
            Classifier::train(&texts, &labels, None, &cfg),
            Err(ClassifyError::Config(_))
        ));
    }
}

#[test]
fn same_seed_gives_the_same_bytes() {
    let cfg = TrainConfig::default();
    let a = saved(&train_toy(&cfg));
    let b = saved(&train_toy(&cfg));
    assert_eq!(a, b);
    assert!(a.starts_with(b"TCECLASS"));
}

#[test]
fn save_and_load_round_trip() {
    let (texts, labels) = toy();
    let evidence = RuleEvidence::new(EvidenceSet::default()).unwrap();
    let dense: Vec<Vec<f32>> = texts.iter().map(|t| evidence.compute(t)).collect();
    let cfg = TrainConfig {
        dense_names: evidence.names(),
        ..TrainConfig::default()
    };
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let model = Classifier::train(&refs, &labels, Some(&dense), &cfg).unwrap();
    let bytes = saved(&model);
    let loaded = Classifier::load(&mut bytes.as_slice()).unwrap();
    assert_eq!(loaded, model);
    assert_eq!(loaded.dense_names().collect::<Vec<_>>(), evidence.names());
    assert_eq!(saved(&loaded), bytes);
    for text in [
        "bag lost again",
        "delayed 2 hours!!",
        "thanks, great crew",
        "",
        "🙂",
    ] {
        let d = evidence.compute(text);
        assert_eq!(
            loaded.predict(text, Some(&d)).unwrap(),
            model.predict(text, Some(&d)).unwrap(),
            "{text:?}"
        );
    }
}

#[test]
fn bad_input_is_a_typed_error() {
    let cfg = TrainConfig::default();
    assert!(matches!(
        Classifier::train(&[], &[], None, &cfg),
        Err(ClassifyError::Empty)
    ));
    assert!(matches!(
        Classifier::train(&["a", "b"], &["x", "x"], None, &cfg),
        Err(ClassifyError::SingleClass(label)) if label == "x"
    ));
    assert!(matches!(
        Classifier::train(&["a", "b"], &["x"], None, &cfg),
        Err(ClassifyError::LengthMismatch { .. })
    ));
    let named = TrainConfig {
        dense_names: vec!["score".into()],
        ..TrainConfig::default()
    };
    assert!(matches!(
        Classifier::train(&["a", "b"], &["x", "y"], Some(&[vec![1.0], vec![]]), &named),
        Err(ClassifyError::Dense { row: Some(1), .. })
    ));
    assert!(matches!(
        Classifier::train(
            &["a", "b"],
            &["x", "y"],
            Some(&[vec![1.0], vec![f32::NAN]]),
            &named
        ),
        Err(ClassifyError::NotFinite { row: 1, .. })
    ));
    let zero_folds = TrainConfig {
        stack_folds: 1,
        ..TrainConfig::default()
    };
    assert!(matches!(
        Classifier::train(&["a", "b"], &["x", "y"], None, &zero_folds),
        Err(ClassifyError::Config(_))
    ));

    let model = train_toy(&cfg);
    assert!(matches!(
        model.predict("late", Some(&[1.0])),
        Err(ClassifyError::Dense {
            expected: 0,
            found: 1,
            ..
        })
    ));
    let bytes = saved(&model);
    for broken in [&b"not a model"[..], &bytes[..bytes.len() - 1], &bytes[..40]] {
        assert!(matches!(
            Classifier::load(&mut &broken[..]),
            Err(ClassifyError::Format(_))
        ));
    }
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 1;
    assert!(matches!(
        Classifier::load(&mut flipped.as_slice()),
        Err(ClassifyError::Format(_))
    ));
}

#[test]
fn folds_are_stratified_and_seeded() {
    let labels: Vec<&str> = (0..50)
        .map(|i| if i % 5 == 0 { "rare" } else { "common" })
        .collect();
    let folds = stratified_folds(&labels, 5, 7);
    assert_eq!(folds, stratified_folds(&labels, 5, 7));
    for f in 0..5 {
        let members: Vec<&&str> = labels
            .iter()
            .zip(&folds)
            .filter(|(_, &g)| g == f)
            .map(|(l, _)| l)
            .collect();
        assert_eq!(members.len(), 10);
        assert_eq!(members.iter().filter(|l| **l == &"rare").count(), 2);
    }
}

#[test]
fn metrics_of_a_classifier() {
    let model = train_toy(&TrainConfig::default());
    let tests = [
        ("bag damaged in transit", "baggage"),
        ("delayed for hours", "delay"),
        ("thank you crew", "praise"),
        ("my suitcase was late", "baggage"),
    ];
    let gold: Vec<String> = tests.iter().map(|(_, l)| (*l).to_string()).collect();
    let predicted: Vec<String> = tests
        .iter()
        .map(|(t, _)| model.predict(t, None).unwrap().label)
        .collect();
    let e = Evaluation::new(&gold, &predicted);
    assert_eq!(e.len(), 4);
    let correct = gold.iter().zip(&predicted).filter(|(g, p)| g == p).count();
    assert_eq!(e.accuracy, correct as f64 / 4.0);
    let report = e.to_string();
    assert!(
        report.contains("macro-F1") && report.contains("confusion"),
        "{report}"
    );
    let json = serde_json::to_value(&e).unwrap();
    for key in ["accuracy", "macro_f1", "per_class", "confusion"] {
        assert!(json.get(key).is_some(), "{key} missing in {json}");
    }
}

/// 5-fold stratified cross-validation of airline sentiment (3 classes) on
/// the developer split, with VADER and generic cue evidence; the floor sits
/// a little under what this configuration reaches (see `examples/cv.rs`
/// for the full figures).
#[test]
fn airline_sentiment_cross_validation() {
    let path = crate::shared_data().join("airline/dev.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| {
        panic!(
            "{} ({e}): the evaluation data must be in ../shared/data",
            path.display()
        )
    });
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (ti, li) = (col("text"), col("airline_sentiment"));
    let (mut texts, mut labels) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record.unwrap();
        texts.push(record[ti].to_string());
        labels.push(record[li].to_string());
    }
    assert!(texts.len() > 5000);
    let evidence = RuleEvidence::new(EvidenceSet {
        vader: true,
        cx: false,
        cues: true,
        intents: false,
    })
    .unwrap();
    let dense: Vec<Vec<f32>> = texts.iter().map(|t| evidence.compute(t)).collect();
    // Lighter than the defaults so the test stays quick at opt-level 1.
    let cfg = TrainConfig {
        stack_folds: 3,
        epochs: 20,
        dense_names: evidence.names(),
        ..TrainConfig::default()
    };
    let folds = stratified_folds(&labels, 5, cfg.seed);
    let (mut gold, mut predicted) = (Vec::new(), Vec::new());
    for fold in 0..5 {
        let train: Vec<usize> = (0..texts.len()).filter(|&i| folds[i] != fold).collect();
        let tt: Vec<&str> = train.iter().map(|&i| texts[i].as_str()).collect();
        let tl: Vec<&str> = train.iter().map(|&i| labels[i].as_str()).collect();
        let td: Vec<Vec<f32>> = train.iter().map(|&i| dense[i].clone()).collect();
        let model = Classifier::train(&tt, &tl, Some(&td), &cfg).unwrap();
        for i in (0..texts.len()).filter(|&i| folds[i] == fold) {
            gold.push(labels[i].clone());
            predicted.push(model.predict(&texts[i], Some(&dense[i])).unwrap().label);
        }
    }
    let e = Evaluation::new(&gold, &predicted);
    assert!(e.macro_f1 > 0.765 && e.accuracy > 0.81, "{e}");
}
