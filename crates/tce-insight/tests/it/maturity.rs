//! The maturity assessment's evidence from a real SQLite store: a
//! workspace built to contradict a claim, one built to back it.

use crate::figures::{model, signal, store, S};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::path::Path;
use tce_advocacy::{AuthorAggregate, Centroid, IdeaStatus, MomentKind, MomentStatus};
use tce_insight::maturity::{facts, ALERTS_OFF, NO_IDEAS};
use tce_maturity::{assess, template, Answers, Assessment, Catalog, EvidenceStatus, Metric};
use tce_model::{EnrichedSignal, Model};
use tce_store::{
    Alert, AlertKind, AlertScope, AlertStatus, Derive, DeriveTx, Idea, Moment, NewAlertEvent,
    SqliteStore, Store, StoreError,
};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn noon(d: &str) -> DateTime<Utc> {
    day(d).and_hms_opt(12, 0, 0).unwrap().and_utc()
}

/// Every item of an instrument answered with its highest choice.
fn all_top(catalog: &Catalog, instrument: &str) -> Answers {
    let mut text = String::new();
    for (_, item) in catalog.get(instrument).unwrap().items() {
        let top = &item.choices.last().unwrap().text;
        text.push_str(&format!(
            "[{instrument}.{}]\nanswer = {}\n\n",
            item.id,
            serde_json::to_string(top).unwrap()
        ));
    }
    Answers::parse(&text, Path::new("answers.toml"), catalog).unwrap()
}

/// Every item of the disciplines instrument answered `systematic`.
fn all_systematic(catalog: &Catalog) -> Answers {
    let text = template(catalog.get("disciplines").unwrap())
        .replace("answer = \"\"", "answer = \"systematic\"");
    Answers::parse(&text, Path::new("answers.toml"), catalog).unwrap()
}

/// Early warning, advocacy and ideas as the pipeline keeps them, written
/// into the store in an insert transaction.
#[derive(Default)]
struct Plant {
    alerts: Vec<Alert>,
    authors: Vec<((String, String), AuthorAggregate)>,
    moments: Vec<Moment>,
    ideas: Vec<Idea>,
}

impl Derive for Plant {
    fn derive(&mut self, _: &[&EnrichedSignal], tx: &mut dyn DeriveTx) -> Result<(), StoreError> {
        for a in &self.alerts {
            tx.insert_alert(
                a,
                &[NewAlertEvent {
                    at: a.opened_at,
                    change: "opened".into(),
                    actor: "detector".into(),
                    evidence: None,
                }],
            )?;
        }
        let states: Vec<_> = self
            .authors
            .iter()
            .map(|(k, g)| {
                let state = tce_store::AuthorState {
                    aggregate: g.clone(),
                    period: None,
                };
                (k.clone(), state)
            })
            .collect();
        tx.save_author_states(&states)?;
        tx.save_moments(&self.moments)?;
        tx.save_ideas(&mut self.ideas)
    }
}

impl Plant {
    /// Writes it in the transaction of a batch that repeats the store's
    /// first signal (`signals[0]`): a duplicate, so nothing else changes.
    fn into(mut self, store: &mut SqliteStore, model: &Model, signals: &[S<'_>]) {
        let again = [signal(model, 0, &signals[0])];
        let summary = store.insert_with(&again, &[1], &mut self).unwrap();
        assert_eq!(summary[0].inserted, 0, "a duplicate");
    }

    /// An alert of `scope` raised at `opened` (its incident began two hours
    /// before), taken up `ack_hours` later (acknowledged) or never.
    fn alert(&mut self, scope: AlertScope, opened: DateTime<Utc>, ack_hours: Option<i64>) {
        let acknowledged_at = ack_hours.map(|h| opened + Duration::hours(h));
        self.alerts.push(Alert {
            id: 0,
            scope,
            kind: AlertKind::Volume,
            brand: if scope == AlertScope::Competitive {
                "bluejet".into()
            } else {
                "skyway".into()
            },
            stage: Some("airport".into()),
            touchpoint: Some("baggage".into()),
            department: (scope != AlertScope::Competitive).then(|| "baggage".to_string()),
            window_start: opened - Duration::hours(2),
            window_end: opened,
            span_secs: 3600,
            observed: 30,
            expected: 4.0,
            interval: (1, 9),
            p_value: 1e-9,
            severity: 6,
            active: false,
            status: if acknowledged_at.is_some() {
                AlertStatus::Acknowledged
            } else {
                AlertStatus::Open
            },
            opened_at: opened,
            updated_at: opened,
            ended_at: None,
            acknowledged_by: acknowledged_at.map(|_| "ana".to_string()),
            acknowledged_at,
            resolved_by: None,
            resolved_at: None,
            version: 1,
            members: Vec::new(),
            examples: Vec::new(),
            terms: Vec::new(),
        });
    }

    /// `n` authors of `brand` with `positive` and `negative` signals.
    fn authors(&mut self, brand: &str, n: usize, positive: u32, negative: u32) {
        for i in 0..n {
            let g = AuthorAggregate {
                signals: positive + negative,
                positive,
                negative,
                ..AuthorAggregate::default()
            };
            let key = (
                brand.to_string(),
                format!("{brand}-{positive}-{negative}-{i}"),
            );
            self.authors.push((key, g));
        }
    }

    /// `n` moments of truth on `at` with `status`.
    fn moments(&mut self, at: DateTime<Utc>, status: MomentStatus, n: usize) {
        for _ in 0..n {
            let k = self.moments.len();
            self.moments.push(Moment {
                id: 0,
                brand: "skyway".into(),
                author: format!("m{k}"),
                channel: "x".into(),
                external_id: format!("moment-{k}"),
                kind: MomentKind::TopRating,
                case_id: None,
                department: "marketing".into(),
                text: "Would you share?".into(),
                status,
                created_at: at,
                sent_at: (status != MomentStatus::New).then_some(at),
                closed_at: matches!(status, MomentStatus::Shared | MomentStatus::Declined)
                    .then_some(at),
                shared_by: None,
            });
        }
    }

    /// `n` ideas of `brand` with `status`.
    fn ideas(&mut self, brand: &str, own: bool, status: IdeaStatus, n: usize) {
        for _ in 0..n {
            let at = noon("2026-05-01");
            let terms = vec![format!("term{}", self.ideas.len())];
            self.ideas.push(Idea {
                id: 0,
                brand: brand.into(),
                own,
                label: terms.join(" "),
                centroid: Centroid::of(&terms),
                volume: 1,
                reach: 10,
                first_seen: at,
                last_seen: at,
                sentiment_sum: 0.0,
                touchpoints: Default::default(),
                representative: ("x".into(), "1".into(), "please add it".into()),
                status,
                shipped_at: None,
                merged_into: None,
                version: 1,
            });
        }
    }
}

/// The contradictions of one area, as text.
fn contradictions(a: &Assessment, instrument: &str, area: &str) -> Vec<String> {
    a.area(instrument, area)
        .unwrap()
        .contradictions
        .iter()
        .map(|c| c.text.clone())
        .collect()
}

/// The evidence of one item: (metric, status, message).
fn item_evidence(
    a: &Assessment,
    instrument: &str,
    area: &str,
    item: &str,
) -> Vec<(Metric, EvidenceStatus, String)> {
    a.area(instrument, area)
        .unwrap()
        .evidence
        .iter()
        .filter(|e| e.item == item)
        .map(|e| (e.metric, e.status, e.message.clone()))
        .collect()
}

const STAGE_TOUCHPOINTS: [&str; 6] = [
    "network_routes",
    "brand_reputation",
    "promotions",
    "booking",
    "baggage",
    "contact_center",
];

#[test]
fn evidence_contradicts_a_claim_the_workspace_does_not_back() {
    let model = model();
    // Old data, social only, two stages heard.
    let signals: Vec<S<'_>> = ["booking", "baggage"]
        .iter()
        .map(|tp| S {
            brand: "skyway",
            channel: "x",
            day: day("2026-06-01"),
            touchpoint: tp,
            ev: -0.4,
            followers: 10,
        })
        .collect();
    let mut store = store(&model, &signals);
    // The window is 2026-03-04..2026-06-01. Four alerts of the window are
    // work; one was acknowledged, three days after it was raised. The
    // competitor's alert and an alert before the window do not count.
    let mut plant = Plant::default();
    for (d, ack) in [
        ("2026-05-10", Some(72)),
        ("2026-05-11", None),
        ("2026-05-12", None),
        ("2026-05-13", None),
    ] {
        plant.alert(AlertScope::Own, noon(d), ack);
    }
    plant.alert(AlertScope::Competitive, noon("2026-05-14"), None);
    plant.alert(AlertScope::Own, noon("2026-02-01"), Some(1));
    // Nobody speaks for SkyWay; the competitor has advocates.
    plant.authors("skyway", 3, 0, 3);
    plant.authors("skyway", 2, 1, 0);
    plant.authors("bluejet", 5, 3, 0);
    // Eight invitations in the window's months, none shared; a share in
    // January is before them.
    plant.moments(noon("2026-05-20"), MomentStatus::Sent, 6);
    plant.moments(noon("2026-05-20"), MomentStatus::Declined, 2);
    plant.moments(noon("2026-01-20"), MomentStatus::Shared, 1);
    // One of six own ideas decided; the competitor's do not count.
    plant.ideas("skyway", true, IdeaStatus::Planned, 1);
    plant.ideas("skyway", true, IdeaStatus::New, 4);
    plant.ideas("skyway", true, IdeaStatus::UnderReview, 1);
    plant.ideas("bluejet", false, IdeaStatus::Shipped, 3);
    plant.into(&mut store, &model, &signals);

    let facts = facts(&model, &store, day("2026-09-01")).unwrap();
    assert_eq!(facts.get(Metric::DataAgeDays).unwrap().value, 92.0);
    let acked = facts.get(Metric::AlertsAcknowledgedShare).unwrap();
    assert_eq!(
        (acked.count, acked.total, acked.n),
        (Some(1), Some(4), Some(4))
    );
    assert_eq!(acked.period.as_deref(), Some("2026-03-04..2026-06-01"));
    let hours = facts.get(Metric::AlertAckHours).unwrap();
    assert_eq!((hours.value, hours.n), (72.0, Some(1)));
    assert_eq!(hours.period.as_deref(), Some("2026-03-04..2026-06-01"));
    assert_eq!(facts.get(Metric::AdvocatesIdentified).unwrap().value, 0.0);
    let mot = facts.get(Metric::MomentOfTruthConversion).unwrap();
    assert_eq!((mot.count, mot.total, mot.n), (Some(0), Some(8), Some(8)));
    assert_eq!(mot.period.as_deref(), Some("2026-03-01..2026-06-01"));
    let ideas = facts.get(Metric::IdeasDecidedShare).unwrap();
    assert_eq!((ideas.count, ideas.total), (Some(1), Some(6)));
    let covered = facts.get(Metric::StagesCoveredShare).unwrap();
    assert_eq!((covered.count, covered.total), (Some(0), Some(6)));
    assert_eq!(facts.get(Metric::TouchpointsOwnedShare).unwrap().value, 1.0);
    assert_eq!(facts.get(Metric::OutcomesImported).unwrap().value, 0.0);
    assert_eq!(
        facts.get(Metric::StageWeightsDerivedShare).unwrap().value,
        0.0
    );
    assert!(facts.get(Metric::FirstResponseP90SlaRatio).is_none());

    let catalog = Catalog::builtin().unwrap();
    let a = assess(
        &catalog,
        &all_systematic(&catalog),
        &facts,
        day("2026-09-01"),
    );
    let area = a.area("disciplines", "customer_understanding").unwrap();
    let texts: Vec<&str> = area
        .contradictions
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(
        texts,
        vec![
            "answered 'systematic' for customer understanding, but only 0 of 6 stages are heard through both social and non-social channels",
            "answered 'systematic' for customer understanding, but the newest data is 92 days old",
        ]
    );
    let measurement = a.area("disciplines", "measurement").unwrap();
    assert!(
        measurement
            .contradictions
            .iter()
            .any(|c| c.text.contains("0 of 6 stage weights are derived")
                && c.text.contains("no outcomes are imported")),
        "{:?}",
        measurement.contradictions
    );
    // Design and governance rest on ideas and alerts.
    assert_eq!(
        contradictions(&a, "disciplines", "design"),
        vec!["answered 'systematic' for design, but only 1 of 6 customer ideas have a decided status"]
    );
    assert!(
        contradictions(&a, "disciplines", "governance").contains(
            &"answered 'systematic' for governance, but only 1 of 4 early-warning alerts were acknowledged"
                .to_string()
        ),
        "{:?}",
        contradictions(&a, "disciplines", "governance")
    );

    // The orientation's top answers: alerts, advocates and ideas contradict.
    let o = assess(
        &catalog,
        &all_top(&catalog, "orientation"),
        &facts,
        day("2026-09-01"),
    );
    use EvidenceStatus::Contradicts;
    assert_eq!(
        item_evidence(&o, "orientation", "systems", "systems_warning"),
        vec![
            (
                Metric::AlertsAcknowledgedShare,
                Contradicts,
                "only 1 of 4 alerts were acknowledged".into()
            ),
            (
                Metric::AlertAckHours,
                Contradicts,
                "alerts take 72.0 h to be acknowledged".into()
            ),
        ]
    );
    assert_eq!(
        item_evidence(&o, "orientation", "marketing_brand", "brand_advocates"),
        vec![
            (
                Metric::AdvocatesIdentified,
                Contradicts,
                "no advocates have been identified".into()
            ),
            (
                Metric::MomentOfTruthConversion,
                Contradicts,
                "only 0% of moment-of-truth invitations led to a share".into()
            ),
        ]
    );
    assert_eq!(
        contradictions(&o, "orientation", "marketing_brand").len(),
        1
    );
    assert_eq!(
        item_evidence(&o, "orientation", "culture_leadership", "leaders_ideas")[0],
        (
            Metric::IdeasDecidedShare,
            Contradicts,
            "only 1 of 6 customer ideas have a decided status".into()
        )
    );
}

#[test]
fn evidence_backs_a_claim_the_workspace_supports() {
    let model = model();
    // Fresh data on every stage from a social and a non-social channel.
    let mut signals = Vec::new();
    for tp in STAGE_TOUCHPOINTS {
        for channel in ["x", "survey"] {
            signals.push(S {
                brand: "skyway",
                channel,
                day: day("2026-08-31"),
                touchpoint: tp,
                ev: 0.3,
                followers: 10,
            });
        }
    }
    let mut store = store(&model, &signals);
    // The window is 2026-06-03..2026-08-31: five alerts, all acknowledged
    // within hours (median 2 h); twelve SkyWay advocates; four of ten
    // invitations shared; four of five ideas decided.
    let mut plant = Plant::default();
    for (d, h) in [
        ("2026-07-01", 1),
        ("2026-07-08", 2),
        ("2026-07-15", 2),
        ("2026-08-01", 3),
        ("2026-08-20", 6),
    ] {
        plant.alert(AlertScope::Own, noon(d), Some(h));
    }
    plant.alert(AlertScope::Opportunity, noon("2026-08-25"), Some(1));
    plant.authors("skyway", 12, 3, 1);
    plant.authors("skyway", 2, 1, 1);
    plant.moments(noon("2026-08-10"), MomentStatus::Shared, 4);
    plant.moments(noon("2026-08-10"), MomentStatus::Sent, 4);
    plant.moments(noon("2026-07-10"), MomentStatus::Declined, 2);
    plant.moments(noon("2026-08-30"), MomentStatus::New, 3);
    plant.ideas("skyway", true, IdeaStatus::Planned, 2);
    plant.ideas("skyway", true, IdeaStatus::Shipped, 1);
    plant.ideas("skyway", true, IdeaStatus::Declined, 1);
    plant.ideas("skyway", true, IdeaStatus::New, 1);
    plant.into(&mut store, &model, &signals);

    let facts = facts(&model, &store, day("2026-09-01")).unwrap();
    assert_eq!(facts.get(Metric::DataAgeDays).unwrap().value, 1.0);
    assert_eq!(facts.get(Metric::StagesCoveredShare).unwrap().value, 1.0);
    let acked = facts.get(Metric::AlertsAcknowledgedShare).unwrap();
    assert_eq!((acked.count, acked.total), (Some(6), Some(6)));
    let hours = facts.get(Metric::AlertAckHours).unwrap();
    assert_eq!((hours.value, hours.n), (2.0, Some(6)));
    let advocates = facts.get(Metric::AdvocatesIdentified).unwrap();
    assert_eq!((advocates.value, advocates.n), (12.0, Some(12)));
    let mot = facts.get(Metric::MomentOfTruthConversion).unwrap();
    assert_eq!((mot.count, mot.total), (Some(4), Some(10)));
    assert_eq!(mot.period.as_deref(), Some("2026-06-01..2026-08-31"));
    let ideas = facts.get(Metric::IdeasDecidedShare).unwrap();
    assert_eq!(
        (ideas.count, ideas.total, ideas.n),
        (Some(4), Some(5), Some(5))
    );

    let catalog = Catalog::builtin().unwrap();
    let a = assess(
        &catalog,
        &all_systematic(&catalog),
        &facts,
        day("2026-09-01"),
    );
    let area = a.area("disciplines", "customer_understanding").unwrap();
    assert!(area.contradictions.is_empty(), "{:?}", area.contradictions);
    let statuses: Vec<(Metric, EvidenceStatus)> =
        area.evidence.iter().map(|e| (e.metric, e.status)).collect();
    assert_eq!(
        statuses,
        vec![
            (Metric::StagesCoveredShare, EvidenceStatus::Supports),
            (Metric::DataAgeDays, EvidenceStatus::Supports),
        ]
    );
    for area in ["design", "governance"] {
        assert!(
            contradictions(&a, "disciplines", area).is_empty(),
            "{area}: {:?}",
            contradictions(&a, "disciplines", area)
        );
    }
    assert_eq!(
        item_evidence(&a, "disciplines", "design", "design_from_feedback"),
        vec![(
            Metric::IdeasDecidedShare,
            EvidenceStatus::Supports,
            "4 of 5 customer ideas have a decided status".into()
        ),]
    );

    // The orientation's and the checklist's top answers: backed.
    let o = assess(
        &catalog,
        &all_top(&catalog, "orientation"),
        &facts,
        day("2026-09-01"),
    );
    for area in ["systems", "marketing_brand", "culture_leadership"] {
        assert!(
            contradictions(&o, "orientation", area).is_empty(),
            "{area}: {:?}",
            contradictions(&o, "orientation", area)
        );
    }
    let supports = |a: &Assessment, instrument: &str, area: &str, item: &str| -> Vec<Metric> {
        item_evidence(a, instrument, area, item)
            .into_iter()
            .filter(|e| e.1 == EvidenceStatus::Supports)
            .map(|e| e.0)
            .collect()
    };
    assert_eq!(
        supports(&o, "orientation", "systems", "systems_warning"),
        vec![Metric::AlertsAcknowledgedShare]
    );
    assert_eq!(
        supports(&o, "orientation", "marketing_brand", "brand_advocates"),
        vec![Metric::MomentOfTruthConversion]
    );
    assert_eq!(
        supports(&o, "orientation", "culture_leadership", "leaders_ideas"),
        vec![Metric::IdeasDecidedShare]
    );
    let r = assess(
        &catalog,
        &all_top(&catalog, "readiness"),
        &facts,
        day("2026-09-01"),
    );
    assert_eq!(
        item_evidence(&r, "readiness", "advocacy", "advocacy"),
        vec![(
            Metric::AdvocatesIdentified,
            EvidenceStatus::Supports,
            "12 advocates have been identified".into()
        ),]
    );
    assert!(contradictions(&r, "readiness", "moments_of_truth").is_empty());
}

#[test]
fn evidence_is_not_measured_only_when_there_is_nothing() {
    let mut model = model();
    model.alerts.enabled = false;
    let signals = [S {
        brand: "skyway",
        channel: "x",
        day: day("2026-08-31"),
        touchpoint: "baggage",
        ev: 0.3,
        followers: 10,
    }];
    let mut store = store(&model, &signals);
    let f = facts(&model, &store, day("2026-09-01")).unwrap();
    assert_eq!(f.reason(Metric::AlertsAcknowledgedShare), Some(ALERTS_OFF));
    assert_eq!(f.reason(Metric::AlertAckHours), Some(ALERTS_OFF));
    assert_eq!(f.get(Metric::AdvocatesIdentified).unwrap().value, 0.0);
    assert_eq!(
        f.reason(Metric::MomentOfTruthConversion),
        Some("no moments of truth in 2026-06-01..2026-08-31")
    );
    assert_eq!(f.reason(Metric::IdeasDecidedShare), Some(NO_IDEAS));

    // Alerts kept from before early warning was turned off still count;
    // moments not yet sent and competitors' ideas are not evidence.
    let mut plant = Plant::default();
    plant.alert(AlertScope::Own, noon("2026-08-01"), None);
    plant.moments(noon("2026-08-10"), MomentStatus::New, 2);
    plant.ideas("bluejet", false, IdeaStatus::Planned, 2);
    plant.into(&mut store, &model, &signals);
    let f = facts(&model, &store, day("2026-09-01")).unwrap();
    let acked = f.get(Metric::AlertsAcknowledgedShare).unwrap();
    assert_eq!((acked.count, acked.total), (Some(0), Some(1)));
    assert_eq!(
        f.reason(Metric::AlertAckHours),
        Some("none of the 1 alerts raised in 2026-06-03..2026-08-31 was acknowledged")
    );
    assert_eq!(
        f.reason(Metric::MomentOfTruthConversion),
        Some("no invitation sent for the 2 moments of truth in 2026-06-01..2026-08-31")
    );
    assert_eq!(f.reason(Metric::IdeasDecidedShare), Some(NO_IDEAS));

    model.alerts.enabled = true;
    let empty = store_with_nothing(&model);
    let f = facts(&model, &empty, day("2026-09-01")).unwrap();
    assert_eq!(
        f.reason(Metric::AlertsAcknowledgedShare),
        Some("no alerts raised in 2026-06-04..2026-09-01")
    );
}

fn store_with_nothing(model: &Model) -> SqliteStore {
    store(model, &[])
}

#[test]
fn every_assessment_is_kept_and_its_answers_read_back() {
    let model = model();
    let mut store = store(&model, &[]);
    let catalog = Catalog::builtin().unwrap();
    let answers = all_systematic(&catalog);
    let now = chrono::Utc::now();
    for d in ["2026-09-01", "2026-08-01", "2026-09-01"] {
        tce_insight::maturity::assess_and_keep(&model, &mut store, &catalog, &answers, day(d), now)
            .unwrap();
    }
    let kept = tce_insight::maturity::kept(&store).unwrap();
    let days: Vec<NaiveDate> = kept.iter().map(|k| k.assessment.date).collect();
    assert_eq!(
        days,
        vec![day("2026-08-01"), day("2026-09-01"), day("2026-09-01")]
    );
    let latest = tce_insight::maturity::latest(&store).unwrap().unwrap();
    assert_eq!(latest.id, kept[2].id);
    let again = Answers::parse(&latest.answers, Path::new("kept.toml"), &catalog).unwrap();
    assert_eq!(again, answers);
}
