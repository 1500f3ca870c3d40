//! The world is well-formed: exact counts, our JSONL schema, every channel and
//! brand present, deterministic, and the planted incidents, advocates and
//! author reach look like what they claim to be.

use crate::{airline, build, labels_by_id, model, raw, World};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use tce_model::templates::TEMPLATES;

#[test]
fn same_seed_same_bytes_other_seed_other_world() {
    let m = model("airline");
    let a = raw(&m, 4_000, 7);
    let b = raw(&m, 4_000, 7);
    assert!(a.0 == b.0, "signals differ for the same seed");
    assert!(a.1 == b.1, "labels differ for the same seed");
    assert!(a.2 == b.2, "outcomes differ for the same seed");
    assert_eq!(a.3, b.3, "truth differs for the same seed");
    let c = raw(&m, 4_000, 8);
    assert!(a.0 != c.0, "another seed gives the same signals");
    assert_ne!(a.3.touchpoint_quality, c.3.touchpoint_quality);
}

#[test]
fn writes_exactly_the_requested_number() {
    let w = airline();
    assert_eq!(w.signals.len() as u64, crate::N);
    assert_eq!(w.labels.len() as u64, crate::N);
    assert_eq!(w.truth.counts.signals, crate::N);
    assert_eq!(w.truth.counts.by_brand.values().sum::<u64>(), crate::N);
    assert_eq!(w.truth.counts.by_channel.values().sum::<u64>(), crate::N);
    for n in [0, 1, 7, 999] {
        let (s, l, _, t) = raw(&w.model, n, 3);
        assert_eq!(s.iter().filter(|&&b| b == b'\n').count() as u64, n);
        assert_eq!(
            l.iter().filter(|&&b| b == b'\n').count() as u64,
            n + 1,
            "header + rows"
        );
        assert_eq!(t.counts.signals, n);
    }
}

/// Every record follows the schema and refers only to ids of the model.
fn check_schema(w: &World) {
    let m = &w.model;
    let channels: HashSet<&str> = m.channels.iter().map(|c| c.id.as_str()).collect();
    let brands: HashSet<&str> = m.brands.iter().map(|b| b.id.as_str()).collect();
    let stages: Vec<&str> = m.stages.iter().map(|s| s.id.as_str()).collect();
    let touchpoints: HashSet<&str> = m.touchpoints.iter().map(|t| t.id.as_str()).collect();
    let start: DateTime<Utc> = w.truth.start.and_hms_opt(0, 0, 0).unwrap().and_utc();
    let end: DateTime<Utc> = (w.truth.end + chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let mut ids = HashSet::new();
    for (i, s) in w.signals.iter().enumerate() {
        let field = |k: &str| {
            s.get(k)
                .unwrap_or_else(|| panic!("line {}: no {k}: {s}", i + 1))
        };
        let id = field("id").as_str().expect("id is a string");
        assert!(ids.insert(id.to_string()), "duplicate id {id}");
        assert!(channels.contains(field("channel").as_str().unwrap()), "{s}");
        let text = field("text").as_str().unwrap();
        let len = text.chars().count();
        assert!((40..=280).contains(&len), "text of {len} chars: {text:?}");
        let at = field("created_at").as_str().unwrap();
        assert!(at.ends_with('Z'), "{at}");
        let at: DateTime<Utc> = at.parse().expect("RFC 3339");
        assert!(at >= start && at < end, "{at} outside the world");
        assert!(!field("author").as_str().unwrap().is_empty());
        assert_eq!(field("lang"), "en");
        if let Some(b) = s.get("brand") {
            assert!(brands.contains(b.as_str().unwrap()), "{s}");
        }
        if let Some(r) = s.get("rating") {
            let r = r.as_f64().unwrap();
            let (lo, hi) = match s["rating_scale"].as_str().expect("rating has a scale") {
                "stars5" | "csat5" => (1.0, 5.0),
                "nps10" => (0.0, 10.0),
                other => panic!("unknown scale {other}"),
            };
            assert!((lo..=hi).contains(&r), "{s}");
            if let Some(sr) = s.get("stage_ratings") {
                let sr = sr.as_object().expect("stage_ratings is an object");
                let keys: Vec<&str> = sr.keys().map(String::as_str).collect();
                let mut want = stages.clone();
                want.sort_unstable();
                let mut got = keys.clone();
                got.sort_unstable();
                assert_eq!(got, want, "a survey rates every stage");
                assert!(sr
                    .values()
                    .all(|v| (lo..=hi).contains(&v.as_f64().unwrap())));
            }
        }
        if let Some(f) = s.get("author_followers") {
            assert!(f.as_u64().is_some(), "{s}");
        }
    }
    // Replies point at an earlier signal.
    let mut seen = HashSet::new();
    for s in &w.signals {
        if let Some(parent) = s.get("in_reply_to") {
            assert!(
                seen.contains(parent.as_str().unwrap()),
                "reply before its parent: {s}"
            );
        }
        seen.insert(s["id"].as_str().unwrap());
    }
    for l in &w.labels {
        assert!(["negative", "neutral", "positive"].contains(&l.sentiment.as_str()));
        assert!(
            l.touchpoint.is_empty() || touchpoints.contains(l.touchpoint.as_str()),
            "{l:?}"
        );
        assert!(brands.contains(l.brand.as_str()));
    }
    let by_id = labels_by_id(w);
    for s in &w.signals {
        let l = by_id[s["id"].as_str().unwrap()];
        assert_eq!(
            l.text,
            s["text"].as_str().unwrap(),
            "label text is the signal text"
        );
        if let Some(b) = s.get("brand") {
            assert_eq!(b.as_str().unwrap(), l.brand);
        }
    }
}

fn check_coverage(w: &World) {
    let channels: HashSet<&str> = w
        .signals
        .iter()
        .map(|s| s["channel"].as_str().unwrap())
        .collect();
    for c in &w.model.channels {
        assert!(
            channels.contains(c.id.as_str()),
            "channel {} has no signals",
            c.id
        );
    }
    let brands: HashSet<&str> = w.labels.iter().map(|l| l.brand.as_str()).collect();
    for b in &w.model.brands {
        assert!(
            brands.contains(b.id.as_str()),
            "brand {} has no signals",
            b.id
        );
    }
    let social: HashSet<&str> = w
        .model
        .channels
        .iter()
        .filter(|c| c.social)
        .map(|c| c.id.as_str())
        .collect();
    let social_share = w
        .signals
        .iter()
        .filter(|s| social.contains(s["channel"].as_str().unwrap()))
        .count() as f64
        / w.signals.len() as f64;
    assert!(
        social_share > 0.6,
        "social channels carry most of the volume: {social_share}"
    );
    let surveys = w
        .signals
        .iter()
        .filter(|s| s.get("stage_ratings").is_some())
        .count() as f64;
    assert!(
        (surveys / w.signals.len() as f64 - 0.10).abs() < 0.01,
        "surveys ~10%"
    );
}

#[test]
fn records_follow_the_schema() {
    check_schema(airline());
}

#[test]
fn every_channel_and_brand_appears() {
    check_coverage(airline());
}

#[test]
fn works_for_every_template() {
    for t in TEMPLATES {
        let w = build(t.name, 6_000, 11);
        check_schema(&w);
        check_coverage(&w);
        assert!(
            w.truth.incidents.len() >= 3,
            "{}: incidents planted",
            t.name
        );
        assert_eq!(w.truth.stage_weights.len(), w.model.stages.len());
        let q = &w.truth.touchpoint_quality;
        assert_eq!(q.len(), w.model.brands.len());
        for (brand, tps) in q {
            let values: Vec<f64> = tps.values().copied().collect();
            let hi = values.iter().cloned().fold(f64::MIN, f64::max);
            let lo = values.iter().cloned().fold(f64::MAX, f64::min);
            assert!(
                hi - lo >= 0.8,
                "{}: {brand} quality spread {}",
                t.name,
                hi - lo
            );
            let distinct: HashSet<u64> = values.iter().map(|v| v.to_bits()).collect();
            assert_eq!(
                distinct.len(),
                values.len(),
                "{}: {brand} has tied qualities",
                t.name
            );
            assert!(values.iter().all(|v| (-1.0..=1.0).contains(v)));
        }
    }
}

#[test]
fn truth_is_consistent() {
    let t = &airline().truth;
    let sum: f64 = t.stage_weights.values().sum();
    assert!((sum - 1.0).abs() < 1e-9);
    let mut w: Vec<f64> = t.stage_weights.values().copied().collect();
    w.sort_by(f64::total_cmp);
    assert!(
        w.windows(2).all(|p| p[1] - p[0] > 0.02),
        "weights clearly distinct: {w:?}"
    );
    let shares: f64 = t.brand_shares.values().sum();
    assert!((shares - 1.0).abs() < 1e-3);
    assert_eq!(t.elasticity.revenue_per_csat_point, 0.0014);
    assert!((3..=5).contains(&t.incidents.len()));
    assert!(!t.advocates.is_empty() && t.advocates.len() <= 20);
    let json = serde_json::to_string(t).unwrap();
    let back: tce_synth::Truth = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, t);
}

/// Whether `text` contains `phrase` at word boundaries (case-insensitive).
fn has_phrase(text: &str, phrase: &str) -> bool {
    let text = text.to_ascii_lowercase();
    let phrase = phrase.to_ascii_lowercase();
    text.match_indices(&phrase).any(|(i, _)| {
        let before = text[..i].chars().last();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

#[test]
fn texts_name_their_touchpoint_and_brand() {
    let w = airline();
    let by_id = labels_by_id(w);
    let phrases: HashMap<&str, &Vec<String>> = w
        .model
        .touchpoints
        .iter()
        .map(|t| (t.id.as_str(), &t.phrases))
        .collect();
    let names: HashMap<&str, Vec<String>> = w
        .model
        .brands
        .iter()
        .map(|b| {
            let mut n: Vec<String> = b.aliases.clone();
            n.push(b.name.clone());
            n.extend(
                b.handles
                    .iter()
                    .map(|h| h.trim_start_matches('@').to_string()),
            );
            (b.id.as_str(), n)
        })
        .collect();
    let (mut with_tp, mut named_tp) = (0, 0);
    let (mut no_brand, mut named_brand) = (0, 0);
    for s in &w.signals {
        let l = by_id[s["id"].as_str().unwrap()];
        if !l.touchpoint.is_empty() {
            with_tp += 1;
            if phrases[l.touchpoint.as_str()]
                .iter()
                .any(|p| has_phrase(&l.text, p))
            {
                named_tp += 1;
            }
        }
        if s.get("brand").is_none() {
            no_brand += 1;
            if names[l.brand.as_str()]
                .iter()
                .any(|n| has_phrase(&l.text, n))
            {
                named_brand += 1;
            }
        }
    }
    assert!(
        named_tp as f64 / with_tp as f64 > 0.95,
        "{named_tp}/{with_tp} name their touchpoint"
    );
    assert!(
        named_brand as f64 / no_brand as f64 > 0.9,
        "{named_brand}/{no_brand} name their brand"
    );
    // Most public posts leave brand detection to the text.
    let posts = w.truth.counts.posts as f64;
    assert!(
        no_brand as f64 / posts > 0.8,
        "{no_brand} of {posts} posts have no brand field"
    );
}

#[test]
fn followers_are_heavy_tailed() {
    let w = airline();
    let mut by_author: BTreeMap<&str, u64> = BTreeMap::new();
    for s in &w.signals {
        if let Some(f) = s.get("author_followers") {
            by_author.insert(s["author"].as_str().unwrap(), f.as_u64().unwrap());
        }
    }
    let mut f: Vec<u64> = by_author.values().copied().collect();
    f.sort_unstable();
    let median = f[f.len() / 2];
    let under_500 = f.iter().filter(|&&x| x < 500).count() as f64 / f.len() as f64;
    assert!(
        median < 500 && under_500 > 0.6,
        "median {median}, under 500: {under_500}"
    );
    assert!(
        f.iter().any(|&x| x > 100_000),
        "some authors reach over 100k"
    );
}

#[test]
fn advocates_post_repeatedly_and_positively() {
    let w = airline();
    let by_id = labels_by_id(w);
    for a in &w.truth.advocates {
        let posts: Vec<&Value> = w
            .signals
            .iter()
            .filter(|s| s["author"] == a.author.as_str())
            .collect();
        assert_eq!(posts.len() as u64, a.posts, "{}", a.author);
        assert!(a.posts >= 3);
        for p in posts {
            let l = by_id[p["id"].as_str().unwrap()];
            assert_eq!(l.brand, a.brand);
            assert_eq!(l.sentiment, "positive", "{}", l.text);
        }
    }
}

#[test]
fn incidents_are_spikes_of_complaints() {
    let w = airline();
    for inc in &w.truth.incidents {
        // Negative signals about the brand and touchpoint per day.
        let mut per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
        let by_id = labels_by_id(w);
        for s in &w.signals {
            let l = by_id[s["id"].as_str().unwrap()];
            if l.brand == inc.brand && l.touchpoint == inc.touchpoint && l.sentiment == "negative" {
                let day: DateTime<Utc> = s["created_at"].as_str().unwrap().parse().unwrap();
                *per_day.entry(day.date_naive()).or_default() += 1;
            }
        }
        let inside: u64 = per_day.range(inc.start..=inc.end).map(|(_, n)| n).sum();
        let days_in = (inc.end - inc.start).num_days() as f64 + 1.0;
        let outside: u64 = per_day.values().sum::<u64>() - inside;
        let days_out = f64::from(w.truth.days) - days_in;
        let rate_in = inside as f64 / days_in;
        let rate_out = outside as f64 / days_out;
        assert!(inc.extra_signals > 0);
        assert!(
            rate_in > 3.0 * rate_out,
            "{} {}: {rate_in}/day during, {rate_out}/day otherwise",
            inc.brand,
            inc.touchpoint
        );
    }
}

/// A small hand-written model: the generator needs nothing beyond the schema.
const TINY: &str = r#"
[[stages]]
id = "operations"
[[stages]]
id = "support"

[[departments]]
id = "ops"

[[touchpoints]]
id = "delivery"
stage = "operations"
department = "ops"
phrases = ["delivery", "parcel", "late"]

[[touchpoints]]
id = "helpdesk"
stage = "support"
department = "ops"
phrases = ["helpdesk", "ticket", "on hold"]

[[channels]]
id = "phone"
name = "Phone line"

[[channels]]
id = "forms"
name = "Contact forms"

[[brands]]
id = "acme"
name = "Acme"
own = true
"#;

#[test]
fn works_for_a_minimal_model_without_social_channels() {
    let model = tce_model::Model::parse(TINY, std::path::Path::new("tiny.toml")).unwrap();
    for n in [0, 50, 5_000] {
        let (s, l, o, t) = raw(&model, n, 5);
        let lines: Vec<Value> = s
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(lines.len() as u64, n);
        assert_eq!(t.counts.signals, n);
        assert_eq!(l.iter().filter(|&&b| b == b'\n').count() as u64, n + 1);
        assert!(
            lines.iter().all(|s| s["brand"] == "acme"),
            "own systems carry the brand"
        );
        assert_eq!(t.stage_weights.len(), 2);
        if n > 0 {
            assert!(!o.is_empty());
        }
    }
}
