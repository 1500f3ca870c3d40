//! Advocacy and ideas behind the Store trait: what the pipeline writes in
//! the insert transaction reads back through the trait, changes are made
//! against the version read, merges move suggestions, and a failed
//! derivation leaves nothing behind.

use crate::fixtures;
use chrono::NaiveDate;
use tce_advocacy::score::Observation;
use tce_advocacy::{AuthorAggregate, Centroid, IdeaStatus, MomentKind, MomentStatus};
use tce_model::EnrichedSignal;
use tce_store::{
    AdvocateQuery, AuthorState, Derive, DeriveTx, Idea, IdeaEvent, IdeaQuery, IdeaSignal, Moment,
    MomentQuery, SqliteStore, Store, StoreError,
};

/// Writes one aggregate per signal's author, one idea per brand and one
/// moment per signal, through the transaction.
struct Write {
    fail: bool,
}

fn idea(brand: &str, at: chrono::DateTime<chrono::Utc>, terms: &[&str]) -> Idea {
    let terms: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
    Idea {
        id: 0,
        brand: brand.into(),
        own: true,
        label: terms.join(" "),
        centroid: Centroid::of(&terms),
        volume: 1,
        reach: 10,
        first_seen: at,
        last_seen: at,
        sentiment_sum: 0.1,
        touchpoints: Default::default(),
        representative: ("x".into(), "1".into(), "<b>please</b> add it".into()),
        status: IdeaStatus::New,
        shipped_at: None,
        merged_into: None,
        version: 1,
    }
}

impl Derive for Write {
    fn derive(
        &mut self,
        fresh: &[&EnrichedSignal],
        tx: &mut dyn DeriveTx,
    ) -> Result<(), StoreError> {
        let mut rows = Vec::new();
        let mut moments = Vec::new();
        for (n, s) in fresh.iter().enumerate() {
            let author = s.signal.author.clone().unwrap_or_default();
            // Two signals each: only authors with a class are ranked.
            let mut g = AuthorAggregate::default();
            g.observe(&Observation::of(s));
            g.observe(&Observation::of(s));
            let state = AuthorState {
                aggregate: g,
                period: None,
            };
            rows.push((("b".to_string(), format!("{author}-{n}")), state));
            moments.push(Moment {
                id: 0,
                brand: "b".into(),
                author: format!("{author}-{n}"),
                channel: s.signal.channel.clone(),
                external_id: s.signal.external_id.clone(),
                kind: MomentKind::TopRating,
                case_id: None,
                department: "marketing".into(),
                text: "hi".into(),
                status: MomentStatus::New,
                created_at: s.signal.created_at,
                sent_at: None,
                closed_at: None,
                shared_by: None,
            });
        }
        tx.save_author_states(&rows)?;
        let keys: Vec<_> = rows.iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(
            tx.author_aggregates(&keys)?.len(),
            keys.len(),
            "read back in the transaction"
        );
        tx.add_net_counts(&[(
            ("b".into(), NaiveDate::from_ymd_opt(2026, 3, 1).expect("d")),
            [3, 2, 1],
        )])?;
        let at = fresh[0].signal.created_at;
        let mut ideas = vec![
            idea("b", at, &["dark", "mod"]),
            idea("b", at, &["night", "mod"]),
        ];
        tx.save_ideas(&mut ideas)?;
        assert!(ideas.iter().all(|i| i.id > 0));
        tx.add_idea_signals(&[
            IdeaSignal {
                idea: ideas[0].id,
                channel: "x".into(),
                external_id: "s1".into(),
                at,
                terms: vec!["dark".into()],
            },
            IdeaSignal {
                idea: ideas[1].id,
                channel: "x".into(),
                external_id: "s2".into(),
                at,
                terms: vec!["night".into()],
            },
        ])?;
        tx.save_moments(&moments)?;
        // Saving the same moments again adds nothing (one per signal).
        tx.save_moments(&moments)?;
        if self.fail {
            return Err(StoreError::NoSuchCase(0));
        }
        Ok(())
    }
}

#[test]
fn advocacy_written_in_the_insert_transaction_reads_back_and_changes_are_versioned() {
    let mut store = SqliteStore::open_in_memory().expect("store");
    let batch = fixtures::signals(3, 20);
    // A failing derivation stores nothing.
    assert!(store
        .insert_with(&batch, &[batch.len()], &mut Write { fail: true })
        .is_err());
    assert!(store
        .advocates(&AdvocateQuery::default())
        .expect("read")
        .is_empty());
    assert!(store.ideas(&IdeaQuery::default()).expect("read").is_empty());

    store
        .insert_with(&batch, &[batch.len()], &mut Write { fail: false })
        .expect("insert");
    let top = store
        .advocates(&AdvocateQuery {
            brand: Some("b".into()),
            limit: 5,
            ..AdvocateQuery::default()
        })
        .expect("advocates");
    assert_eq!(top.len(), 5);
    assert!(top
        .windows(2)
        .all(|w| w[0].aggregate.base_score() >= w[1].aggregate.base_score()));
    let net = store.net_advocacy(Some("b")).expect("net");
    assert_eq!(
        (net[0].eligible, net[0].advocates, net[0].detractors),
        (3, 2, 1)
    );
    assert_eq!(
        store
            .moments(&MomentQuery::default())
            .expect("moments")
            .len(),
        20
    );

    let ideas = store.ideas(&IdeaQuery::default()).expect("ideas");
    assert_eq!(ideas.len(), 2);
    let (a, b) = (ideas[0].clone(), ideas[1].clone());
    assert_eq!(
        a.representative.2, "<b>please</b> add it",
        "text kept as written"
    );
    // A change against an old version is refused; the current one goes in.
    let mut changed = a.clone();
    changed.status = IdeaStatus::UnderReview;
    changed.version += 1;
    let ev = IdeaEvent {
        idea: a.id,
        at: a.first_seen,
        actor: "ann".into(),
        kind: "status".into(),
        from: Some(IdeaStatus::New),
        to: Some(IdeaStatus::UnderReview),
        note: None,
        other: None,
    };
    assert!(matches!(
        store.change_ideas(
            &[(changed.clone(), a.version + 7)],
            std::slice::from_ref(&ev),
            &[]
        ),
        Err(StoreError::StaleRecord { .. })
    ));
    store
        .change_ideas(&[(changed.clone(), a.version)], &[ev], &[])
        .expect("change");
    assert_eq!(
        store.idea(a.id).expect("idea").expect("some").status,
        IdeaStatus::UnderReview
    );
    assert_eq!(store.idea_events(a.id).expect("events").len(), 1);
    // Merging moves the suggestions.
    let mut gone = b.clone();
    gone.merged_into = Some(a.id);
    gone.version += 1;
    store
        .change_ideas(&[(gone, b.version)], &[], &[(b.id, a.id)])
        .expect("merge");
    assert_eq!(store.idea_signals(a.id, 10).expect("signals").len(), 2);
    assert_eq!(store.ideas(&IdeaQuery::default()).expect("ideas").len(), 1);

    // Moments: a status change against the status read.
    let m = store
        .moments(&MomentQuery::default())
        .expect("moments")
        .remove(0);
    let mut sent = m.clone();
    sent.status = MomentStatus::Sent;
    sent.sent_at = Some(m.created_at);
    store.update_moment(&sent, MomentStatus::New).expect("sent");
    assert!(
        store.update_moment(&sent, MomentStatus::New).is_err(),
        "stale"
    );
    assert_eq!(
        store.moment(m.id).expect("m").expect("some").status,
        MomentStatus::Sent
    );
    let counts = store.moment_counts().expect("counts");
    assert_eq!(counts.iter().map(|c| c.count).sum::<u64>(), 20);
}

/// A workspace from before migration 0011 (aggregates as JSON) keeps its
/// authors and their months: the columns are filled from the JSON, and the
/// months move to the archive the derivation reads late months from.
#[test]
fn json_aggregates_of_schema_10_are_converted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tce.db");
    let store = SqliteStore::open(&path).expect("open");
    store
        .connection()
        .execute_batch(
            r#"DROP TABLE advocacy_authors; DROP TABLE advocacy_periods; DROP INDEX ideas_status;
            DROP TABLE derive_cursor; DROP TABLE care_timing_daily;
            CREATE TABLE advocacy_authors (brand TEXT NOT NULL, author TEXT NOT NULL,
                class TEXT NOT NULL, base_score REAL NOT NULL, signals INTEGER NOT NULL,
                aggregate TEXT NOT NULL, PRIMARY KEY (brand, author)) WITHOUT ROWID;
            CREATE TABLE advocacy_periods (brand TEXT NOT NULL, period TEXT NOT NULL,
                author TEXT NOT NULL, aggregate TEXT NOT NULL,
                PRIMARY KEY (brand, period, author)) WITHOUT ROWID;
            INSERT INTO advocacy_authors VALUES ('b', 'ann', 'advocate', 9.5, 3,
                '{"signals":3,"positive":3,"negative":0,"complaints":0,"churn":0,"praise":1,"recommends":1,"experience_sum":2.1,"followers":1500,"positive_days":2,"last_positive_day":20500,"first_at":"2026-02-01T10:00:00Z","last_at":"2026-03-02T08:30:00Z"}');
            INSERT INTO advocacy_periods VALUES ('b', '2026-03-01', 'ann',
                '{"signals":2,"positive":2,"negative":0,"complaints":0,"churn":0,"praise":1,"recommends":1,"experience_sum":1.4,"followers":1500,"positive_days":1,"last_positive_day":20500,"first_at":"2026-03-01T10:00:00Z","last_at":"2026-03-02T08:30:00Z"}');
            PRAGMA user_version = 10;"#,
        )
        .expect("back to schema 10");
    drop(store);
    let mut store = SqliteStore::open(&path).expect("migrate");
    let g = store
        .author_standing("b", "ann")
        .expect("read")
        .expect("kept");
    assert_eq!(
        (
            g.signals,
            g.positive,
            g.praise,
            g.recommends,
            g.followers,
            g.positive_days
        ),
        (3, 3, 1, 1, 1500, 2)
    );
    assert_eq!(g.last_positive_day, Some(20500));
    assert_eq!(
        g.last_at.map(|t| t.to_rfc3339()),
        Some("2026-03-02T08:30:00+00:00".to_string())
    );
    assert!((g.experience_sum - 2.1).abs() < 1e-9);
    let top = store
        .advocates(&AdvocateQuery::default())
        .expect("advocates");
    assert_eq!(top.len(), 1, "ranked: it has a class");

    struct Read(Vec<(tce_store::PeriodKey, tce_advocacy::PeriodCounts)>);
    impl Derive for Read {
        fn derive(
            &mut self,
            _: &[&EnrichedSignal],
            tx: &mut dyn DeriveTx,
        ) -> Result<(), StoreError> {
            let march = NaiveDate::from_ymd_opt(2026, 3, 1).expect("d");
            self.0 = tx.archived_periods(&[("b".into(), "ann".into(), march)])?;
            Ok(())
        }
    }
    let mut read = Read(Vec::new());
    let batch = fixtures::signals(1, 1);
    store.insert_with(&batch, &[1], &mut read).expect("insert");
    assert_eq!(read.0.len(), 1);
    assert_eq!(
        (
            read.0[0].1.signals,
            read.0[0].1.positive,
            read.0[0].1.negative
        ),
        (2, 2, 0)
    );
}

/// Writes authors of given classes and ideas of given statuses.
struct Counted;

fn standing(positive: u32, negative: u32) -> AuthorState {
    AuthorState {
        aggregate: AuthorAggregate {
            signals: positive + negative,
            positive,
            negative,
            ..AuthorAggregate::default()
        },
        period: None,
    }
}

impl Derive for Counted {
    fn derive(
        &mut self,
        fresh: &[&EnrichedSignal],
        tx: &mut dyn DeriveTx,
    ) -> Result<(), StoreError> {
        let key = |b: &str, a: &str| (b.to_string(), a.to_string());
        tx.save_author_states(&[
            (key("acme", "ann"), standing(3, 0)),
            (key("acme", "bob"), standing(2, 1)),
            (key("acme", "cid"), standing(0, 2)),
            (key("acme", "dee"), standing(1, 0)),
            (key("rival", "ann"), standing(4, 0)),
            (key("zeta", "eve"), standing(1, 1)),
        ])?;
        let at = fresh[0].signal.created_at;
        let mut ideas = Vec::new();
        for (own, status) in [
            (true, IdeaStatus::New),
            (true, IdeaStatus::Planned),
            (true, IdeaStatus::Planned),
            (true, IdeaStatus::Shipped),
            (true, IdeaStatus::Declined),
            (false, IdeaStatus::Planned),
        ] {
            let mut i = idea(if own { "acme" } else { "rival" }, at, &["dark", "mod"]);
            i.own = own;
            i.status = status;
            ideas.push(i);
        }
        tx.save_ideas(&mut ideas)?;
        // A merged idea is no longer counted.
        let mut merged = idea("acme", at, &["night"]);
        merged.status = IdeaStatus::UnderReview;
        merged.merged_into = Some(ideas[0].id);
        tx.save_ideas(std::slice::from_mut(&mut merged))
    }
}

fn class_and_status_counts(store: &mut dyn Store) {
    use tce_advocacy::AuthorClass;
    assert!(store
        .author_class_counts(AuthorClass::Advocate)
        .expect("empty")
        .is_empty());
    assert!(store.idea_status_counts().expect("empty").is_empty());
    let batch = fixtures::signals(5, 3);
    store
        .insert_with(&batch, &[batch.len()], &mut Counted)
        .expect("insert");
    assert_eq!(
        store
            .author_class_counts(AuthorClass::Advocate)
            .expect("advocates"),
        vec![("acme".to_string(), 2), ("rival".to_string(), 1)]
    );
    assert_eq!(
        store
            .author_class_counts(AuthorClass::Detractor)
            .expect("detractors"),
        vec![("acme".to_string(), 1)]
    );
    // Only authors with a class are counted (the index holds no others).
    assert!(store
        .author_class_counts(AuthorClass::TooFew)
        .expect("too few")
        .is_empty());
    let counts: Vec<(bool, IdeaStatus, u64)> = store
        .idea_status_counts()
        .expect("ideas")
        .into_iter()
        .map(|c| (c.own, c.status, c.count))
        .collect();
    let mut want = vec![
        (false, IdeaStatus::Planned, 1),
        (true, IdeaStatus::Declined, 1),
        (true, IdeaStatus::New, 1),
        (true, IdeaStatus::Planned, 2),
        (true, IdeaStatus::Shipped, 1),
    ];
    let mut got = counts.clone();
    got.sort_by_key(|c| (c.0, c.1.as_str()));
    want.sort_by_key(|c| (c.0, c.1.as_str()));
    assert_eq!(got, want, "{counts:?}");
}

#[test]
fn authors_per_class_and_ideas_per_status_are_counted() {
    class_and_status_counts(&mut SqliteStore::open_in_memory().expect("memory"));
    let dir = tempfile::tempdir().expect("tempdir");
    class_and_status_counts(&mut SqliteStore::open(&dir.path().join("tce.db")).expect("open"));
}

/// Writes the standings of an author last seen before a cutoff and of one
/// seen after it, each with an archived month before the cutoff.
struct Standings {
    cutoff: chrono::DateTime<chrono::Utc>,
}

impl Derive for Standings {
    fn derive(
        &mut self,
        _fresh: &[&EnrichedSignal],
        tx: &mut dyn DeriveTx,
    ) -> Result<(), StoreError> {
        let standing_at = |at: chrono::DateTime<chrono::Utc>| {
            let mut s = fixtures::signals(13, 1).remove(0);
            s.signal.created_at = at;
            let mut g = AuthorAggregate::default();
            g.observe(&Observation::of(&s));
            g.observe(&Observation::of(&s));
            AuthorState {
                aggregate: g,
                period: None,
            }
        };
        let day = chrono::Duration::days(1);
        tx.save_author_states(&[
            (
                ("acme".into(), "gone".into()),
                standing_at(self.cutoff - day),
            ),
            (
                ("acme".into(), "still".into()),
                standing_at(self.cutoff + day),
            ),
        ])?;
        let old_month = NaiveDate::from_ymd_opt(2026, 1, 1).expect("month");
        let counts = tce_advocacy::PeriodCounts {
            signals: 2,
            positive: 2,
            negative: 0,
            churn: 0,
        };
        tx.save_archived_periods(&[
            (("acme".into(), "gone".into(), old_month), counts),
            (("acme".into(), "still".into(), old_month), counts),
        ])
    }
}

/// Reads what the purge left of [`Standings`].
struct Left {
    authors: usize,
    months: usize,
}

impl Derive for Left {
    fn derive(
        &mut self,
        _fresh: &[&EnrichedSignal],
        tx: &mut dyn DeriveTx,
    ) -> Result<(), StoreError> {
        let keys = [
            ("acme".to_string(), "gone".to_string()),
            ("acme".to_string(), "still".to_string()),
        ];
        self.authors = tx.author_states(&keys)?.len();
        let old_month = NaiveDate::from_ymd_opt(2026, 1, 1).expect("month");
        let months: Vec<_> = keys
            .iter()
            .map(|(b, a)| (b.clone(), a.clone(), old_month))
            .collect();
        self.months = tx.archived_periods(&months)?.len();
        Ok(())
    }
}

#[test]
fn a_purge_takes_the_standings_of_authors_with_no_signal_left() {
    let mut store = SqliteStore::open_in_memory().expect("memory");
    let batch = fixtures::signals(11, 4);
    let cutoff_day = batch
        .iter()
        .map(|s| s.signal.created_at)
        .max()
        .expect("signals")
        .date_naive()
        + chrono::Duration::days(1);
    let cutoff = cutoff_day.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    store
        .insert_with(&batch, &[batch.len()], &mut Standings { cutoff })
        .expect("insert");
    let done = store.purge_before(cutoff_day).expect("purge");
    assert_eq!(done.signals, 4, "every signal predates the cutoff");
    assert_eq!(done.authors, 1, "{done:?}");
    let mut left = Left {
        authors: 0,
        months: 0,
    };
    let later: Vec<EnrichedSignal> = fixtures::signals(12, 1)
        .into_iter()
        .map(|mut s| {
            s.signal.created_at = cutoff + chrono::Duration::days(2);
            s
        })
        .collect();
    store
        .insert_with(&later, &[later.len()], &mut left)
        .expect("insert later");
    assert_eq!(
        (left.authors, left.months),
        (1, 0),
        "the standing with signals after the cutoff stays; months before it go"
    );
}
