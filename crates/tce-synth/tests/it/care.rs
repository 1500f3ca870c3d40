//! The care side of the world: the own brand's replies to its customers'
//! complaints and questions, customers' follow-ups and churn threats, all
//! as truth.json says — so care metrics can be checked against it.

use crate::{airline, build, labels_by_id, model, raw, World};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use tce_model::templates::TEMPLATES;
use tce_synth::{
    generate, CareConfig, FollowUpKind, Joins, ReplyCategory, SynthConfig, SynthError, Truth,
};

fn at(s: &Value) -> DateTime<Utc> {
    s["created_at"]
        .as_str()
        .expect("created_at")
        .parse()
        .expect("RFC 3339")
}

/// Signals by (channel, id).
fn by_key(w: &World) -> HashMap<(&str, &str), &Value> {
    w.signals
        .iter()
        .map(|s| {
            (
                (s["channel"].as_str().unwrap(), s["id"].as_str().unwrap()),
                s,
            )
        })
        .collect()
}

/// Every brand handle of the model (without `@`, lower case) → (brand id, own).
fn handles(w: &World) -> HashMap<String, (&str, bool)> {
    w.model
        .brands
        .iter()
        .flat_map(|b| {
            b.handles.iter().map(move |h| {
                (
                    h.trim_start_matches('@').to_ascii_lowercase(),
                    (b.id.as_str(), b.own),
                )
            })
        })
        .collect()
}

fn handle_brand<'a>(
    hs: &'a HashMap<String, (&str, bool)>,
    author: &str,
) -> Option<&'a (&'a str, bool)> {
    hs.get(&author.trim_start_matches('@').to_ascii_lowercase())
}

/// Everything truth.care claims holds in the written signals and labels.
fn check_care(w: &World) {
    let t = &w.truth;
    let care = &t.care;
    let signals = by_key(w);
    let labels = labels_by_id(w);
    let hs = handles(w);
    let care_channels: HashSet<&str> = w
        .model
        .channels
        .iter()
        .filter(|c| c.care)
        .map(|c| c.id.as_str())
        .collect();
    let own: HashSet<&str> = w
        .model
        .brands
        .iter()
        .filter(|b| b.own)
        .map(|b| b.id.as_str())
        .collect();
    let window = chrono::Duration::seconds((w.model.care.thread_window_hours * 3600.0) as i64);

    // Replies: own-brand handle, same channel, in reply to an own-brand
    // customer post, after it, with the first-response time as written.
    let mut answered = HashSet::new();
    for r in &care.replies {
        let customer = signals[&(r.channel.as_str(), r.customer_id.as_str())];
        let reply = signals[&(r.channel.as_str(), r.reply_id.as_str())];
        assert!(care_channels.contains(r.channel.as_str()), "{r:?}");
        assert!(own.contains(r.brand.as_str()), "{r:?}");
        assert_eq!(care.handles[&r.brand], r.reply_author);
        assert_eq!(reply["author"], r.reply_author.as_str());
        assert_eq!(
            handle_brand(&hs, &r.reply_author),
            Some(&(r.brand.as_str(), true)),
            "replies come from the own brand's handles"
        );
        assert_eq!(reply["in_reply_to"], r.customer_id.as_str());
        assert_eq!(reply["channel"], customer["channel"]);
        assert_eq!(reply["brand"], r.brand.as_str());
        assert!(reply.get("rating").is_none());
        assert_eq!(customer["author"], r.customer_author.as_str());
        assert!(handle_brand(&hs, &r.customer_author).is_none());
        assert_eq!(labels[r.customer_id.as_str()].brand, r.brand, "{r:?}");
        let (c_at, r_at) = (at(customer), at(reply));
        assert_eq!(c_at, r.customer_created_at);
        assert_eq!(r_at, r.reply_created_at);
        assert!(r_at > c_at, "{r:?}");
        assert_eq!((r_at - c_at).num_seconds(), r.first_response_secs);
        let band = match r.category {
            ReplyCategory::Within => care.within_min_secs..=care.within_max_secs,
            ReplyCategory::Late => care.late_min_secs..=care.late_max_secs,
        };
        assert!(band.contains(&r.first_response_secs), "{r:?}");
        // A brand reply is labelled, but as the brand speaking about nothing in particular.
        let l = labels[r.reply_id.as_str()];
        assert_eq!(
            (l.sentiment.as_str(), l.touchpoint.as_str()),
            ("neutral", "")
        );
        assert!(
            answered.insert((r.channel.as_str(), r.customer_id.as_str())),
            "one reply per customer post: {r:?}"
        );
    }

    // Every post by any brand handle is a listed reply: competitors' handles
    // write nothing, and nothing else comes from the own brand's.
    let listed: HashSet<(&str, &str)> = care
        .replies
        .iter()
        .map(|r| (r.channel.as_str(), r.reply_id.as_str()))
        .collect();
    let mut by_handles = 0;
    for s in &w.signals {
        let author = s["author"].as_str().unwrap();
        if let Some((brand, own_brand)) = handle_brand(&hs, author) {
            by_handles += 1;
            assert!(own_brand, "competitor {brand} wrote {s}");
            assert!(
                listed.contains(&(s["channel"].as_str().unwrap(), s["id"].as_str().unwrap())),
                "unlisted brand post {s}"
            );
        }
    }
    assert_eq!(by_handles, care.replies.len());

    // Unanswered complaints: own brand, care channel, no brand reply to them.
    let replied_to: HashSet<(&str, &str)> = w
        .signals
        .iter()
        .filter(|s| handle_brand(&hs, s["author"].as_str().unwrap()).is_some())
        .map(|s| {
            (
                s["channel"].as_str().unwrap(),
                s["in_reply_to"].as_str().unwrap(),
            )
        })
        .collect();
    for n in &care.never {
        assert!(
            signals.contains_key(&(n.channel.as_str(), n.id.as_str())),
            "{n:?}"
        );
        assert!(care_channels.contains(n.channel.as_str()));
        assert!(own.contains(labels[n.id.as_str()].brand.as_str()));
        assert!(
            !replied_to.contains(&(n.channel.as_str(), n.id.as_str())),
            "{n:?}"
        );
        assert!(!answered.contains(&(n.channel.as_str(), n.id.as_str())));
    }
    // Conversations start with a complaint or a question.
    for (channel, id) in answered.iter().copied().chain(
        care.never
            .iter()
            .map(|n| (n.channel.as_str(), n.id.as_str())),
    ) {
        let s = signals[&(channel, id)];
        let l = labels[id];
        assert!(
            l.sentiment == "negative" || s["text"].as_str().unwrap().contains('?'),
            "neither complaint nor question: {s}"
        );
        assert!(s.get("in_reply_to").is_none(), "{s}");
        // ... and say which brand they are about.
        let b = w.model.brand(&l.brand).expect("a model brand");
        let text = s["text"].as_str().unwrap().to_lowercase();
        let named = std::iter::once(&b.name)
            .chain(&b.aliases)
            .chain(&b.handles)
            .any(|n| text.contains(&n.trim_start_matches('@').to_lowercase()));
        assert!(s.get("brand").is_some() || named, "brand not named: {s}");
    }

    // Follow-ups: the same customer on the same channel, joined by reply-to
    // the brand's reply or by the same-author window.
    let reply_of: HashMap<&str, &tce_synth::CareReply> = care
        .replies
        .iter()
        .map(|r| (r.customer_id.as_str(), r))
        .collect();
    for f in &care.follow_ups {
        let s = signals[&(f.channel.as_str(), f.id.as_str())];
        let customer = signals[&(f.channel.as_str(), f.customer_id.as_str())];
        assert_eq!(s["author"], f.author.as_str());
        assert_eq!(customer["author"], f.author.as_str());
        assert_eq!(at(s), f.created_at);
        assert!(f.created_at > at(customer));
        assert_eq!(
            labels[f.id.as_str()].brand,
            labels[f.customer_id.as_str()].brand
        );
        let want = if f.kind == FollowUpKind::Thanks {
            "positive"
        } else {
            "negative"
        };
        assert_eq!(labels[f.id.as_str()].sentiment, want, "{f:?}");
        match f.joins {
            Joins::ReplyTo => {
                let r = reply_of[f.customer_id.as_str()];
                assert_eq!(f.in_reply_to.as_deref(), Some(r.reply_id.as_str()));
                assert_eq!(s["in_reply_to"], r.reply_id.as_str());
                assert!(f.created_at > r.reply_created_at);
                assert!(matches!(
                    f.kind,
                    FollowUpKind::Thanks | FollowUpKind::Unhappy | FollowUpKind::Churn
                ));
            }
            Joins::SameAuthor => {
                assert!(s.get("in_reply_to").is_none() && f.in_reply_to.is_none());
                assert!(f.created_at - at(customer) <= window, "{f:?}");
                // A chaser comes while no answer has come yet.
                if let Some(r) = reply_of.get(f.customer_id.as_str()) {
                    assert!(f.created_at < r.reply_created_at, "{f:?}");
                }
                assert!(matches!(
                    f.kind,
                    FollowUpKind::StillWaiting | FollowUpKind::StillWaitingChurn
                ));
            }
        }
    }
    // The customer of a conversation writes nothing but it.
    let mut conversation_of: HashMap<&str, &str> = HashMap::new();
    for (channel, id) in answered.iter().copied().chain(
        care.never
            .iter()
            .map(|n| (n.channel.as_str(), n.id.as_str())),
    ) {
        let author = signals[&(channel, id)]["author"].as_str().unwrap();
        assert!(
            conversation_of.insert(author, id).is_none(),
            "{author} twice"
        );
    }
    let follow_ids: HashSet<&str> = care.follow_ups.iter().map(|f| f.id.as_str()).collect();
    for s in &w.signals {
        let author = s["author"].as_str().unwrap();
        let id = s["id"].as_str().unwrap();
        if let Some(first) = conversation_of.get(author) {
            assert!(
                *first == id || follow_ids.contains(id),
                "{author} also wrote {s}"
            );
        }
    }

    // Churn threats: own-brand customers on care-able channels.
    for c in &care.churn_threats {
        let s = signals[&(c.channel.as_str(), c.id.as_str())];
        assert!(care_channels.contains(c.channel.as_str()));
        assert!(own.contains(labels[c.id.as_str()].brand.as_str()));
        assert!(handle_brand(&hs, s["author"].as_str().unwrap()).is_none());
    }
    for f in &care.follow_ups {
        if matches!(
            f.kind,
            FollowUpKind::Churn | FollowUpKind::StillWaitingChurn
        ) {
            assert!(care.churn_threats.iter().any(|c| c.id == f.id), "{f:?}");
        }
    }

    // Replies and follow-ups name no touchpoint: they are labelled with
    // none, and a brand's "please DM us" must not feed a contact touchpoint.
    let phrases: Vec<String> = w
        .model
        .touchpoints
        .iter()
        .flat_map(|t| t.phrases.iter().map(|p| p.to_lowercase()))
        .collect();
    let names_phrase = |text: &str| {
        let text = text.to_lowercase();
        phrases.iter().find(|p| {
            text.match_indices(p.as_str()).any(|(i, _)| {
                let before = text[..i].chars().last();
                let after = text[i + p.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            })
        })
    };
    for id in care
        .replies
        .iter()
        .map(|r| (r.channel.as_str(), r.reply_id.as_str()))
        .chain(
            care.follow_ups
                .iter()
                .map(|f| (f.channel.as_str(), f.id.as_str())),
        )
    {
        let text = signals[&id]["text"].as_str().unwrap();
        assert_eq!(names_phrase(text), None, "{text}");
        assert!((40..=280).contains(&text.chars().count()), "{text}");
    }

    // Counts add up.
    let n = &care.counts;
    let within = care
        .replies
        .iter()
        .filter(|r| r.category == ReplyCategory::Within)
        .count() as u64;
    assert_eq!(n.within, within);
    assert_eq!(n.late, care.replies.len() as u64 - within);
    assert_eq!(n.never, care.never.len() as u64);
    assert_eq!(n.conversations, n.within + n.late + n.never);
    assert_eq!(n.replies, care.replies.len() as u64);
    assert_eq!(n.follow_ups, care.follow_ups.len() as u64);
    assert_eq!(n.churn_threats, care.churn_threats.len() as u64);
    assert_eq!(t.counts.brand_replies, n.replies);
    assert_eq!(t.counts.follow_ups, n.follow_ups);
    assert_eq!(t.counts.signals, w.signals.len() as u64);
}

#[test]
fn planted_replies_follow_ups_and_churn_threats_are_as_the_truth_says() {
    let w = airline();
    check_care(w);
    let care = &w.truth.care;
    assert_eq!(care.handles["skyway"], "@SkyWaySupport");
    let n = &care.counts;
    assert!(n.conversations > 500, "{n:?}");
    assert!(n.within > 0 && n.late > 0 && n.never > 0, "{n:?}");
    assert!(n.follow_ups > 0 && n.churn_threats > 0, "{n:?}");
    // The planted mix (55 % within, 25 % late, 20 % never).
    let share = |x: u64| x as f64 / n.conversations as f64;
    assert!((share(n.within) - 0.55).abs() < 0.06, "{n:?}");
    assert!((share(n.late) - 0.25).abs() < 0.06, "{n:?}");
    for kind in [
        FollowUpKind::Thanks,
        FollowUpKind::Unhappy,
        FollowUpKind::Churn,
        FollowUpKind::StillWaiting,
        FollowUpKind::StillWaitingChurn,
    ] {
        assert!(
            care.follow_ups.iter().any(|f| f.kind == kind),
            "no {kind:?} follow-up"
        );
    }
    let channels: HashSet<&str> = care.replies.iter().map(|r| r.channel.as_str()).collect();
    for c in ["x", "facebook", "instagram"] {
        assert!(channels.contains(c), "no replies on {c}");
    }
    for c in ["survey", "tripadvisor", "call_center", "email", "web"] {
        assert!(!channels.contains(c), "replies on {c}");
    }
}

#[test]
fn every_template_gets_its_care_side() {
    for t in TEMPLATES {
        let w = build(t.name, 8_000, 11);
        check_care(&w);
        assert!(w.truth.care.counts.replies > 0, "{}: no replies", t.name);
        let own = w.model.brands.iter().find(|b| b.own).expect("an own brand");
        let handle = &w.truth.care.handles[&own.id];
        assert!(own.handles.contains(handle), "{}: {handle}", t.name);
    }
}

#[test]
fn care_is_deterministic_and_counted_in_the_total() {
    let m = model("airline");
    let a = raw(&m, 5_000, 9);
    let b = raw(&m, 5_000, 9);
    assert!(a.0 == b.0 && a.1 == b.1, "same seed, same bytes");
    assert_eq!(a.3.care, b.3.care);
    assert!(a.3.care.counts.replies > 0);
    assert_eq!(a.0.iter().filter(|&&c| c == b'\n').count(), 5_000);
}

#[test]
fn signals_stay_in_time_order_with_replies_and_follow_ups() {
    let w = airline();
    let times: Vec<DateTime<Utc>> = w.signals.iter().map(at).collect();
    assert!(
        times.windows(2).all(|p| p[0] <= p[1]),
        "signals are sorted by time"
    );
}

#[test]
fn care_config_shapes_the_answers() {
    let m = model("airline");
    let run = |care: CareConfig| {
        let cfg = SynthConfig {
            signals: 6_000,
            seed: 3,
            care,
            ..SynthConfig::default()
        };
        let (mut s, mut l, mut o) = (Vec::new(), Vec::new(), Vec::new());
        generate(&m, &cfg, &mut s, &mut l, &mut o).map(|t| (t, s))
    };
    // Always answered within ten minutes, no follow-ups.
    let (t, s) = run(CareConfig {
        within_percent: 100,
        late_percent: 0,
        follow_up_percent: 0,
        within_max_minutes: 10,
        ..CareConfig::default()
    })
    .unwrap();
    assert_eq!(s.iter().filter(|&&c| c == b'\n').count(), 6_000);
    let n = &t.care.counts;
    assert_eq!((n.late, n.follow_ups), (0, 0));
    assert!(
        n.never <= 2,
        "only posts in the last minutes go unanswered: {n:?}"
    );
    assert!(t.care.replies.iter().all(|r| r.first_response_secs <= 600));
    // Never answered.
    let (t, _) = run(CareConfig {
        within_percent: 0,
        late_percent: 0,
        ..CareConfig::default()
    })
    .unwrap();
    assert_eq!(t.care.counts.replies, 0);
    assert!(t.care.counts.never > 0);
    assert!(t
        .care
        .follow_ups
        .iter()
        .all(|f| f.joins == Joins::SameAuthor));
    // Nonsense is refused, naming the field.
    for bad in [
        CareConfig {
            within_percent: 80,
            late_percent: 30,
            ..CareConfig::default()
        },
        CareConfig {
            within_max_minutes: 1,
            ..CareConfig::default()
        },
        CareConfig {
            late_min_hours: 10,
            late_max_hours: 5,
            ..CareConfig::default()
        },
    ] {
        match run(bad) {
            Err(SynthError::Config(msg)) => assert!(msg.starts_with("care:"), "{msg}"),
            other => panic!("accepted: {:?}", other.map(|x| x.0.care.counts)),
        }
    }
}

#[test]
fn truth_files_without_care_still_load() {
    let t = &airline().truth;
    let mut v = serde_json::to_value(t).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("care");
    let counts = o["counts"].as_object_mut().unwrap();
    counts.remove("brand_replies");
    counts.remove("follow_ups");
    let old: Truth = serde_json::from_value(v).unwrap();
    assert_eq!(old.care, tce_synth::CareTruth::default());
    assert_eq!(old.counts.brand_replies, 0);
    assert_eq!(old.incidents, t.incidents);
}
