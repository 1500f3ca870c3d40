//! Emerging terms: a new phrase in complaints is reported once it has
//! support and rises far above its baseline; everyday words are not.

use tce_alert::terms::{document_terms, tokenize};
use tce_alert::{EmergingTerm, SeriesKey, TermSettings, TermTracker};

const T0: i64 = 1_767_571_200;
const W: i64 = 21_600;

fn doc(words: &[String]) -> Vec<&str> {
    words.iter().map(String::as_str).collect()
}

#[test]
fn documents_become_words_and_bigrams_without_stopwords() {
    let words = tokenize("My bag got a LOST TAG at belt 5, and it's still not there!");
    assert_eq!(
        document_terms(&doc(&words)),
        ["bag", "bag got", "belt", "belt 5", "got", "lost", "lost tag", "tag"]
    );
}

#[test]
fn a_new_complaint_phrase_emerges_and_routine_words_do_not() {
    let key = SeriesKey {
        brand: "acme".into(),
        touchpoint: Some("baggage".into()),
        stage: None,
    };
    let mut t = TermTracker::new(TermSettings::default()).expect("valid");
    let mut out: Vec<EmergingTerm> = Vec::new();
    let routine = [
        "the flight was delayed again",
        "delayed flight and rude staff",
        "my bag arrived late",
        "staff were rude at the desk",
    ];
    // Ten days of routine complaints, four windows a day, eight a window.
    for w in 0..40 {
        for i in 0..8 {
            let words = tokenize(routine[(i + w as usize) % routine.len()]);
            t.observe(&key, T0 + w * W + i as i64 * 60, &doc(&words), &mut out);
        }
    }
    assert_eq!(out, vec![], "nothing new in routine complaints");
    // Then a window where six people lose their bags at belt 5.
    for i in 0..8 {
        let text = if i < 6 {
            "lost tag on my bag at belt 5"
        } else {
            routine[i % 4]
        };
        let words = tokenize(text);
        t.observe(&key, T0 + 40 * W + i as i64 * 60, &doc(&words), &mut out);
    }
    t.advance(T0 + 41 * W, &mut out);
    let terms: Vec<&str> = out.iter().map(|e| e.term.as_str()).collect();
    for expected in ["belt 5", "lost tag", "lost"] {
        assert!(terms.contains(&expected), "{expected} in {terms:?}");
    }
    // An alert opening a little later still finds them (the series keeps
    // its recent windows' terms, for a bounded number of windows only).
    let recent = |t: &TermTracker| -> Vec<String> {
        t.series(&key)
            .map(|s| s.recent(T0 + 39 * W).map(|e| e.term.clone()).collect())
            .unwrap_or_default()
    };
    assert!(recent(&t).iter().any(|x| x == "belt 5"), "{:?}", recent(&t));
    for w in 41..(41 + tce_alert::terms::RECENT_WINDOWS) {
        let words = tokenize(routine[0]);
        t.observe(&key, T0 + w * W, &doc(&words), &mut Vec::new());
    }
    t.advance(
        T0 + (41 + tce_alert::terms::RECENT_WINDOWS) * W,
        &mut Vec::new(),
    );
    assert!(
        !recent(&t).iter().any(|x| x == "belt 5"),
        "forgotten after the recent windows: {:?}",
        recent(&t)
    );
    assert!(!terms.contains(&"bag"), "bag is routine: {terms:?}");
    let lost_tag = out.iter().find(|e| e.term == "lost tag");
    assert!(lost_tag.is_some_and(|e| e.count == 6
        && e.documents == 8
        && e.ratio > 3.0
        && e.window_start == T0 + 40 * W));
}

#[test]
fn the_vocabulary_is_bounded() {
    let key = SeriesKey {
        brand: "acme".into(),
        touchpoint: None,
        stage: None,
    };
    let settings = TermSettings {
        max_terms: 100,
        ..TermSettings::default()
    };
    let mut t = TermTracker::new(settings).expect("valid");
    let mut out = Vec::new();
    for i in 0..5000 {
        let words = vec![format!("word{i}"), format!("other{i}")];
        t.observe(&key, T0 + i, &doc(&words), &mut out);
    }
    assert!(t.states().all(|s| s.len() <= 100));
    let saved = serde_json::to_string(&t.states().collect::<Vec<_>>()).expect("serialises");
    assert!(saved.len() < 20_000, "{}", saved.len());
}

#[test]
fn a_restart_continues_and_late_documents_feed_the_baseline_only() {
    let key = SeriesKey {
        brand: "acme".into(),
        touchpoint: None,
        stage: None,
    };
    let mut t = TermTracker::new(TermSettings::default()).expect("valid");
    let mut out = Vec::new();
    let routine = tokenize("the app crashed at login");
    for w in 0..20 {
        for i in 0..6 {
            t.observe(&key, T0 + w * W + i * 60, &doc(&routine), &mut out);
        }
    }
    // A late burst for a closed window: no report, now or later.
    let late = tokenize("refund never arrived");
    for i in 0..10 {
        t.observe(&key, T0 + 3 * W + i, &doc(&late), &mut out);
    }
    let saved = serde_json::to_string(&t.states().collect::<Vec<_>>()).expect("serialises");
    let mut t = TermTracker::restore(
        TermSettings::default(),
        serde_json::from_str(&saved).expect("deserialises"),
    )
    .expect("valid");
    // After the restart a new phrase emerges in the current window; the
    // late burst, in a window already closed, is never reported.
    let fresh = tokenize("gate 12 closed early");
    for i in 0..6 {
        t.observe(&key, T0 + 20 * W + i * 60, &doc(&fresh), &mut out);
    }
    t.advance(T0 + 21 * W, &mut out);
    let terms: Vec<&str> = out.iter().map(|e| e.term.as_str()).collect();
    assert!(terms.contains(&"gate 12"), "{terms:?}");
    assert!(!terms.iter().any(|t| t.contains("refund")), "{terms:?}");
}

/// A word seen once weighs less than the prior after a half-life: it is
/// forgotten, so the saved state holds the recent vocabulary only.
#[test]
fn a_term_seen_once_is_forgotten_after_its_half_life() {
    let key = SeriesKey::brand("acme");
    let mut t = TermTracker::new(TermSettings::default()).expect("valid");
    let mut out = Vec::new();
    let once = tokenize("zeppelin xylophone quokka");
    t.observe(&key, T0, &doc(&once), &mut out);
    let routine = tokenize("the flight was delayed again");
    let len_after = |t: &TermTracker| t.series(&key).map_or(0, |s| s.len());
    for w in 1..=4 {
        t.observe(&key, T0 + w * W, &doc(&routine), &mut out);
    }
    assert!(len_after(&t) > 3, "still remembered after a day");
    // Seven days (the half-life) and more of routine complaints.
    for w in 5..40 {
        t.observe(&key, T0 + w * W, &doc(&routine), &mut out);
    }
    assert_eq!(
        len_after(&t),
        document_terms(&doc(&routine)).len(),
        "only the routine terms are kept"
    );
}
