//! Advocacy, moments of truth and ideas on a demo world (issue 13): what
//! the pipeline derives on ingest recovers what tce-synth planted.

use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;
use tce_advocacy::{ari::adjusted_rand_index, AuthorClass, IdeaStatus, MomentStatus, NetAdvocacy};
use tce_model::Model;
use tce_pipeline::{advocacy, Door, Pipeline};
use tce_store::{AdvocateQuery, IdeaQuery, MomentQuery, SqliteStore, Store};
use tce_synth::{generate, AdvocacyConfig, FollowUpKind, SynthConfig, Truth};

fn airline() -> Model {
    let t = tce_model::templates::template("airline").expect("airline template");
    Model::parse(t.toml, Path::new("tce.toml")).expect("template parses")
}

struct Demo {
    model: Model,
    truth: Truth,
    db: tempfile::TempDir,
}

/// One demo world ingested through the pipeline in file-sized batches.
fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let model = airline();
        let cfg = SynthConfig {
            signals: 40_000,
            days: 90,
            start: NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
            seed: 21,
            advocacy: AdvocacyConfig::on(),
            ..SynthConfig::default()
        };
        let (mut signals, mut labels, mut outcomes) = (Vec::new(), Vec::new(), Vec::new());
        let truth =
            generate(&model, &cfg, &mut signals, &mut labels, &mut outcomes).expect("world");
        let db = tempfile::tempdir().expect("dir");
        let mut store = SqliteStore::open(&db.path().join("tce.db")).expect("store");
        let pipeline = Pipeline::open(&model, Path::new("."), &mut store).expect("pipeline");
        let (parsed, rejects) =
            tce_ingest::parse_body(&signals, None, &Default::default(), &model, "signals.jsonl")
                .expect("parse");
        assert!(rejects.is_empty(), "{rejects:?}");
        for chunk in parsed.chunks(5_000) {
            let batch = pipeline.prepare_all(chunk.iter().map(|p| p.signal.clone()));
            pipeline
                .store(&mut store, &batch, Door::File)
                .expect("store");
        }
        Demo { model, truth, db }
    })
}

fn store(d: &Demo) -> SqliteStore {
    SqliteStore::open(&d.db.path().join("tce.db")).expect("store")
}

#[test]
fn planted_advocates_make_up_each_brands_top_of_the_ranking() {
    let d = demo();
    let store = store(d);
    let now = Utc.from_utc_datetime(&d.truth.end.and_hms_opt(23, 59, 59).expect("time"));
    for (brand, planted) in &d.truth.advocacy.advocates {
        // All planted advocates of a brand, old and new.
        let planted: HashSet<&str> = d
            .truth
            .advocates
            .iter()
            .filter(|a| &a.brand == brand)
            .map(|a| a.author.as_str())
            .chain(planted.iter().map(String::as_str))
            .collect();
        let rows = store
            .advocates(&AdvocateQuery {
                brand: Some(brand.clone()),
                limit: 200,
                ..AdvocateQuery::default()
            })
            .expect("advocates");
        let mut ranked: Vec<(f64, &str)> = rows
            .iter()
            .map(|r| (r.aggregate.score(now).value, r.author.as_str()))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let k = planted.len().min(20);
        let hits = ranked
            .iter()
            .take(k)
            .filter(|(_, a)| planted.contains(a))
            .count();
        let share = hits as f64 / k as f64;
        println!("{brand}: {hits} of the top {k} are planted advocates ({share:.2})");
        assert!(share >= 0.8, "{brand}: {hits}/{k}; top: {:?}", &ranked[..k]);
    }
}

#[test]
fn net_advocacy_orders_brands_as_the_planted_world_does() {
    let d = demo();
    let store = store(d);
    let mut totals: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    for r in store.net_advocacy(None).expect("net") {
        let t = totals.entry(r.brand).or_default();
        t[0] += r.eligible;
        t[1] += r.advocates;
        t[2] += r.detractors;
    }
    let mut by_net: Vec<(String, f64)> = totals
        .iter()
        .map(|(b, t)| {
            let n = NetAdvocacy::of(t[0], t[1], t[2]).expect("eligible authors");
            println!(
                "{b}: net advocacy {:.1} [{:.1}, {:.1}] over {} author-months; planted quality {:.3}",
                n.value, n.low, n.high, n.eligible, d.truth.advocacy.brand_quality[b]
            );
            (b.clone(), n.value)
        })
        .collect();
    by_net.sort_by(|a, b| a.1.total_cmp(&b.1));
    // Net advocacy counts authors, not signals: the planted figure applies
    // the same rule to the planted labels (brand_quality, the mean planted
    // experience per signal, is printed beside it).
    let mut by_quality: Vec<(&String, &f64)> = d.truth.advocacy.net_advocacy.iter().collect();
    by_quality.sort_by(|a, b| a.1.total_cmp(b.1));
    println!("planted net advocacy: {by_quality:?}");
    let net_order: Vec<&str> = by_net.iter().map(|(b, _)| b.as_str()).collect();
    let quality_order: Vec<&str> = by_quality.iter().map(|(b, _)| b.as_str()).collect();
    assert_eq!(net_order, quality_order);
}

#[test]
fn idea_clusters_recover_the_planted_themes() {
    let d = demo();
    let store = store(d);
    let mut idea_of: HashMap<(String, String), i64> = HashMap::new();
    for idea in store
        .ideas(&IdeaQuery {
            limit: 10_000,
            ..IdeaQuery::default()
        })
        .expect("ideas")
    {
        for s in store.idea_signals(idea.id, 100_000).expect("signals") {
            idea_of.insert((s.channel, s.external_id), idea.id);
        }
    }
    let (mut planted, mut found) = (Vec::new(), Vec::new());
    let mut missing = 0;
    for (n, theme) in d.truth.advocacy.ideas.iter().enumerate() {
        for s in &theme.signals {
            match idea_of.get(&(s.channel.clone(), s.id.clone())) {
                Some(&i) => {
                    planted.push(n);
                    found.push(i);
                }
                None => missing += 1,
            }
        }
    }
    let total = planted.len() + missing;
    let ari = adjusted_rand_index(&planted, &found).expect("items");
    println!(
        "ARI {ari:.3} over {} planted suggestions clustered ({missing} of {total} not detected as suggestions)",
        planted.len()
    );
    assert!(ari >= 0.8, "ARI {ari}");
    assert!(
        missing as f64 <= 0.3 * total as f64,
        "{missing} of {total} missed"
    );
    // Labels come from the themes' words.
    let top = store
        .ideas(&IdeaQuery {
            own: Some(true),
            limit: 5,
            ..IdeaQuery::default()
        })
        .expect("ideas");
    assert!(!top.is_empty());
    for i in &top {
        println!("idea {} ({}): {} x{}", i.id, i.brand, i.label, i.volume);
        assert!(!i.label.is_empty());
    }
}

#[test]
fn moments_of_truth_follow_answered_cases_with_a_positive_follow_up() {
    let d = demo();
    let store = store(d);
    let moments = store
        .moments(&MomentQuery {
            limit: 10_000,
            ..MomentQuery::default()
        })
        .expect("moments");
    let by_signal: HashMap<(&str, &str), &tce_store::Moment> = moments
        .iter()
        .map(|m| ((m.channel.as_str(), m.external_id.as_str()), m))
        .collect();
    let thanks: Vec<_> = d
        .truth
        .care
        .follow_ups
        .iter()
        .filter(|f| f.kind == FollowUpKind::Thanks)
        .collect();
    assert!(thanks.len() >= 10, "the world plants thank-yous");
    let hit = thanks
        .iter()
        .filter(|f| {
            by_signal
                .get(&(f.channel.as_str(), f.id.as_str()))
                .is_some_and(|m| {
                    m.kind == tce_advocacy::MomentKind::ResolvedCase && m.case_id.is_some()
                })
        })
        .count();
    println!(
        "{hit} of {} planted thank-yous after an answer are moments of truth",
        thanks.len()
    );
    assert!(
        hit as f64 >= 0.8 * thanks.len() as f64,
        "{hit}/{}",
        thanks.len()
    );
    assert!(moments
        .iter()
        .any(|m| m.kind == tce_advocacy::MomentKind::TopRating));
    assert!(moments.iter().all(|m| m.department == "marketing"));
    assert!(moments
        .iter()
        .all(|m| d.model.brand(&m.brand).is_some_and(|b| b.own)));
}

#[test]
fn workflows_refuse_invalid_transitions() {
    let d = demo();
    let mut store = store(d);
    let now = Utc::now();
    let idea = store
        .ideas(&IdeaQuery {
            limit: 1,
            ..IdeaQuery::default()
        })
        .expect("ideas")
        .remove(0);
    let e = advocacy::set_idea_status(
        &mut store,
        idea.id,
        None,
        IdeaStatus::Shipped,
        None,
        "ann",
        now,
    )
    .expect_err("new → shipped is refused");
    assert!(
        e.to_string()
            .contains("cannot move idea from new to shipped"),
        "{e}"
    );
    let reviewed = advocacy::set_idea_status(
        &mut store,
        idea.id,
        Some(idea.version),
        IdeaStatus::UnderReview,
        Some("looking into it".into()),
        "ann",
        now,
    )
    .expect("new → under review");
    // A stale version is refused.
    assert!(advocacy::set_idea_status(
        &mut store,
        idea.id,
        Some(idea.version),
        IdeaStatus::Planned,
        None,
        "bob",
        now
    )
    .is_err());
    let events = store.idea_events(idea.id).expect("events");
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(reviewed.status, IdeaStatus::UnderReview);

    let m = store
        .moments(&MomentQuery {
            statuses: vec![MomentStatus::New],
            limit: 1,
            ..MomentQuery::default()
        })
        .expect("moments")
        .remove(0);
    assert!(advocacy::mark_moment(&mut store, m.id, MomentStatus::Shared, now).is_err());
    let sent = advocacy::mark_moment(&mut store, m.id, MomentStatus::Sent, now).expect("sent");
    assert_eq!(sent.status, MomentStatus::Sent);
    assert!(advocacy::mark_moment(&mut store, m.id, MomentStatus::New, now).is_err());
    assert!(store
        .author_standing(&m.brand, &m.author)
        .expect("standing")
        .is_some());
    let _ = AuthorClass::Advocate;
}

#[test]
fn a_known_detractors_complaint_ranks_higher_in_care() {
    let model = airline();
    let mut store = SqliteStore::open_in_memory().expect("store");
    let pipeline = Pipeline::open(&model, Path::new("."), &mut store).expect("pipeline");
    let post = |id: &str, author: &str, channel: &str, day: u32, text: &str| tce_model::Signal {
        channel: channel.into(),
        external_id: id.into(),
        brand: None,
        author: Some(author.into()),
        author_followers: Some(8_000),
        created_at: Utc
            .with_ymd_and_hms(2026, 3, day, 10, 0, 0)
            .single()
            .expect("time"),
        text: text.into(),
        rating: None,
        stage_ratings: Vec::new(),
        in_reply_to: None,
        url: None,
        lang: None,
    };
    // @hater's history: repeated negative posts about SkyWay.
    let history: Vec<_> = (1..=3)
        .map(|d| {
            post(
                &format!("h{d}"),
                "@hater",
                "x",
                d,
                "@SkyWayAir lost my bag again, terrible service, never again",
            )
        })
        .collect();
    let batch = pipeline.prepare_all(history);
    pipeline
        .store(&mut store, &batch, Door::File)
        .expect("store");
    let standing = store
        .author_standing("skyway", "@hater")
        .expect("read")
        .expect("kept");
    assert!(standing.influential_detractor(), "{standing:?}");

    let text = "@SkyWayAir the check-in queue was awful and the staff rude";
    let batch = pipeline.prepare_all([
        post("c1", "@hater", "facebook", 20, text),
        post("c2", "@someone", "facebook", 20, text),
    ]);
    pipeline
        .store(&mut store, &batch, Door::File)
        .expect("store");
    let page = store
        .cases(&tce_store::CaseQuery {
            limit: 100,
            ..Default::default()
        })
        .expect("cases");
    let case_of = |author: &str| {
        page.items
            .iter()
            .find(|c| c.author.as_deref() == Some(author) && c.channel == "facebook")
            .expect("a case")
    };
    let (hater, someone) = (case_of("@hater"), case_of("@someone"));
    assert!(
        (hater.priority.score - someone.priority.score - tce_care::rules::KNOWN_DETRACTOR_POINTS)
            .abs()
            < 1e-9
            || hater.priority.score >= 100.0,
        "{:?} vs {:?}",
        hater.priority,
        someone.priority
    );
    assert!(hater
        .priority
        .factors
        .iter()
        .any(|f| f.factor == tce_care::Factor::KnownDetractor));
    assert!(!someone
        .priority
        .factors
        .iter()
        .any(|f| f.factor == tce_care::Factor::KnownDetractor));
}

/// Net advocacy per month does not depend on arrival order: a world
/// ingested newest batch first (every earlier month arrives late, after the
/// authors' later months) gives the same counters and ranking as one
/// ingested in time order.
#[test]
fn net_advocacy_is_the_same_whatever_order_months_arrive_in() {
    let model = airline();
    let cfg = SynthConfig {
        signals: 12_000,
        days: 120,
        start: NaiveDate::from_ymd_opt(2026, 1, 5).expect("date"),
        seed: 5,
        advocacy: AdvocacyConfig::on(),
        ..SynthConfig::default()
    };
    let (mut signals, mut labels, mut outcomes) = (Vec::new(), Vec::new(), Vec::new());
    generate(&model, &cfg, &mut signals, &mut labels, &mut outcomes).expect("world");
    let (parsed, _) =
        tce_ingest::parse_body(&signals, None, &Default::default(), &model, "signals.jsonl")
            .expect("parse");
    let ingest = |reverse: bool| {
        let mut store = SqliteStore::open_in_memory().expect("store");
        let pipeline = Pipeline::open(&model, Path::new("."), &mut store).expect("pipeline");
        let mut chunks: Vec<_> = parsed.chunks(1_000).collect();
        if reverse {
            chunks.reverse();
        }
        for chunk in chunks {
            let batch = pipeline.prepare_all(chunk.iter().map(|p| p.signal.clone()));
            pipeline
                .store(&mut store, &batch, Door::File)
                .expect("store");
        }
        let net = store.net_advocacy(None).expect("net");
        // The overall counts of the top authors (their consistency, positive
        // days, is counted as signals arrive, so the order may move it).
        let top = store
            .advocates(&AdvocateQuery {
                limit: 40,
                ..AdvocateQuery::default()
            })
            .expect("advocates");
        let top: BTreeMap<(String, String), (u32, u32, u32, u32)> = top
            .into_iter()
            .map(|r| {
                let g = r.aggregate;
                (
                    (r.brand, r.author),
                    (g.signals, g.positive, g.negative, g.churn),
                )
            })
            .collect();
        (net, top, store)
    };
    let (net, top, _) = ingest(false);
    assert!(net.len() >= 8, "several brands and months: {}", net.len());
    assert!(net.iter().any(|r| r.eligible > 0));
    let (late_net, _, late) = ingest(true);
    assert_eq!(late_net, net);
    for ((brand, author), counts) in &top {
        let g = late
            .author_standing(brand, author)
            .expect("read")
            .expect("kept");
        assert_eq!((g.signals, g.positive, g.negative, g.churn), *counts);
    }
}

#[test]
fn a_moments_invitation_is_the_workspaces_template_with_the_brands_share_link() {
    let t = tce_model::templates::template("airline").expect("airline template");
    let src = t.toml.replacen(
        "id = \"skyway\"\n",
        "id = \"skyway\"\nshare_link = \"https://skyway.example/love\"\n",
        1,
    ) + "\n[advocacy]\ninvitation = \"Thank you {author}! Tell your friends about {brand}: {link}\"\n";
    let model = Model::parse(&src, Path::new("tce.toml")).expect("model parses");
    let mut store = SqliteStore::open_in_memory().expect("store");
    let pipeline = Pipeline::open(&model, Path::new("."), &mut store).expect("pipeline");
    let review = |id: &str, author: &str, text: &str| tce_model::Signal {
        channel: "tripadvisor".into(),
        external_id: id.into(),
        brand: None,
        author: Some(author.into()),
        author_followers: Some(10),
        created_at: Utc
            .with_ymd_and_hms(2026, 3, 4, 10, 0, 0)
            .single()
            .expect("time"),
        text: text.into(),
        rating: Some(tce_model::Rating {
            value: 5.0,
            scale: tce_model::RatingScale::Stars5,
        }),
        stage_ratings: Vec::new(),
        in_reply_to: None,
        url: Some(format!("https://reviews.example/{id}")),
        lang: None,
    };
    let batch = pipeline.prepare_all([
        review(
            "r1",
            "@ann",
            "SkyWay was wonderful, friendly crew and on time",
        ),
        review(
            "r2",
            "@bob",
            "City Hop was wonderful, friendly crew and on time",
        ),
    ]);
    pipeline
        .store(&mut store, &batch, Door::File)
        .expect("store");
    let moments = store
        .moments(&MomentQuery {
            limit: 10,
            ..MomentQuery::default()
        })
        .expect("moments");
    let texts: Vec<(&str, &str)> = moments
        .iter()
        .map(|m| (m.author.as_str(), m.text.as_str()))
        .collect();
    // Only the own brand's top rating is a moment, and its invitation is
    // the workspace's template with SkyWay's share link, not the review's.
    assert_eq!(
        texts,
        [(
            "@ann",
            "Thank you @ann! Tell your friends about SkyWay Airlines: https://skyway.example/love"
        )]
    );
}

#[test]
fn retention_purge_takes_the_moments_and_suggestions_of_purged_signals() {
    let model = airline();
    let mut store = SqliteStore::open_in_memory().expect("store");
    let pipeline = Pipeline::open(&model, Path::new("."), &mut store).expect("pipeline");
    let post = |id: &str, day: u32, text: &str, five_stars: bool| tce_model::Signal {
        channel: "tripadvisor".into(),
        external_id: id.into(),
        brand: None,
        author: Some(format!("@author-{id}")),
        author_followers: Some(100),
        created_at: Utc
            .with_ymd_and_hms(2026, 3, day, 10, 0, 0)
            .single()
            .expect("time"),
        text: text.into(),
        rating: five_stars.then_some(tce_model::Rating {
            value: 5.0,
            scale: tce_model::RatingScale::Stars5,
        }),
        stage_ratings: Vec::new(),
        in_reply_to: None,
        url: None,
        lang: None,
    };
    let batch = pipeline.prepare_all([
        post(
            "old-praise",
            4,
            "SkyWay was wonderful, friendly crew and on time",
            true,
        ),
        post(
            "old-idea",
            4,
            "SkyWay please add vegan meals on long flights",
            false,
        ),
        post(
            "new-idea",
            20,
            "SkyWay please add vegan meals on long haul flights",
            false,
        ),
    ]);
    pipeline
        .store(&mut store, &batch, Door::File)
        .expect("store");
    let all = MomentQuery {
        limit: 10,
        ..MomentQuery::default()
    };
    assert_eq!(store.moments(&all).expect("moments").len(), 1);
    let ideas = store.ideas(&IdeaQuery::default()).expect("ideas");
    assert_eq!(ideas.len(), 1, "{ideas:?}");
    let idea = &ideas[0];
    assert_eq!(
        (idea.volume, idea.representative.1.as_str()),
        (2, "old-idea")
    );

    store
        .purge_before(NaiveDate::from_ymd_opt(2026, 3, 10).expect("day"))
        .expect("purge");
    // The purged signals' moment and suggestion are gone; the idea keeps
    // its count and shows a suggestion that is still stored.
    assert!(store.moments(&all).expect("moments").is_empty());
    let kept: Vec<String> = store
        .idea_signals(idea.id, 10)
        .expect("suggestions")
        .into_iter()
        .map(|s| s.external_id)
        .collect();
    assert_eq!(kept, ["new-idea"]);
    let after = store.idea(idea.id).expect("read").expect("idea");
    assert_eq!(after.volume, 2);
    assert_eq!(
        after.representative,
        (
            "tripadvisor".to_string(),
            "new-idea".to_string(),
            "SkyWay please add vegan meals on long haul flights".to_string()
        )
    );
}
