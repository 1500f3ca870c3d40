//! Headline KPIs (issue 10 §4): NPS and CSAT per brand, stage and period,
//! read from the store's rating rollups (never from a scan of signals).
//!
//! - **NPS** from ratings on the 0–10 scale (`nps10`): % promoters (9–10)
//!   − % detractors (0–6), with the interval of a difference of multinomial
//!   shares.
//! - **CSAT** from ratings on the five-point scales (`csat5` survey answers
//!   and `stars5` reviews): the top-two-box share (4–5), Wilson interval.
//! - **CES** is not computed: the model has no effort scale
//!   (`RatingScale` knows `stars5`, `csat5`, `nps10`), so no stored rating
//!   can be one.
//!
//! The overall KPIs use each signal's overall rating; a stage's use the
//! survey answers' ratings of that stage. A figure from fewer than
//! `[evidence] min_kpi_ratings` (default 30) ratings is marked `thin` ("too little evidence"): shown
//! greyed, never ranked. Signals of unknown brand belong to no brand.

use crate::period::Period;
use crate::InsightError;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;
use tce_analytics::kpi::{csat, nps, BoxCounts, Estimate};
use tce_model::{Model, RatingScale};
use tce_store::{RatingFilter, RatingRow, Store, UNKNOWN_BRAND};

/// What the KPIs mean, for every surface to print beside them.
pub const DEFINITIONS: &str = "NPS: % promoters (9–10) − % detractors (0–6) of 0–10 \
     likelihood-to-recommend ratings, 95% interval of a difference of multinomial shares; \
     CSAT: % of five-point ratings (survey CSAT and review stars) in the top two boxes (4–5), \
     95% Wilson interval; CES: not measured (no effort scale in the data)";

/// One KPI figure, rounded to 0.1 point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Kpi {
    /// NPS in points (−100…100) or CSAT in percent.
    pub value: f64,
    /// 95 % interval, same unit.
    pub ci: [f64; 2],
    /// Ratings behind it.
    pub n: u64,
    /// Fewer than `[evidence] min_kpi_ratings` ratings: too little evidence to rank.
    pub thin: bool,
}

impl Kpi {
    fn of(e: Estimate, min_ratings: u64) -> Kpi {
        Kpi {
            value: round1(e.value),
            ci: [round1(e.ci[0]), round1(e.ci[1])],
            n: e.n,
            thin: e.n < min_ratings,
        }
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// NPS and CSAT of one slice; `None` where it has no rating on the scale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct KpiSet {
    /// Net Promoter Score.
    pub nps: Option<Kpi>,
    /// CSAT (top-two-box share).
    pub csat: Option<Kpi>,
}

/// Rating counts of one slice, by kind of scale.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    nps: BoxCounts,
    five: BoxCounts,
}

impl Counts {
    fn add(&mut self, r: &RatingRow) {
        let c = BoxCounts {
            n: r.n,
            top: r.top,
            bottom: r.bottom,
        };
        match r.scale {
            RatingScale::Nps10 => self.nps.add(&c),
            RatingScale::Csat5 | RatingScale::Stars5 => self.five.add(&c),
        }
    }

    fn kpis(&self, min_ratings: u64) -> KpiSet {
        KpiSet {
            nps: nps(&self.nps).map(|e| Kpi::of(e, min_ratings)),
            csat: csat(&self.five).map(|e| Kpi::of(e, min_ratings)),
        }
    }
}

/// A stage's KPIs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageKpis {
    /// Stage id.
    pub stage: String,
    /// Its KPIs.
    #[serde(flatten)]
    pub kpis: KpiSet,
}

/// The KPIs of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodKpis {
    /// First day of the period.
    pub start: NaiveDate,
    /// Last day of the period.
    pub end: NaiveDate,
    /// Overall ratings.
    pub overall: KpiSet,
    /// Stages with ratings, in model order.
    pub stages: Vec<StageKpis>,
}

/// One brand's KPIs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrandKpis {
    /// Brand id.
    pub brand: String,
    /// Display name.
    pub name: String,
    /// The own brand?
    pub own: bool,
    /// Overall ratings over the whole range.
    pub overall: KpiSet,
    /// Stages with ratings over the whole range, in model order.
    pub stages: Vec<StageKpis>,
    /// Per period, oldest first (empty without a period).
    pub periods: Vec<PeriodKpis>,
}

/// The KPIs of every brand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiReport {
    /// First day with a rating in the range.
    pub from: Option<NaiveDate>,
    /// Last day with a rating in the range.
    pub to: Option<NaiveDate>,
    /// Period of the breakdown, if any.
    pub period: Option<Period>,
    /// Ratings a figure needs not to be `thin`.
    pub min_ratings: u64,
    /// What the figures mean.
    pub definitions: &'static str,
    /// Model brands (own first) with any rating.
    pub brands: Vec<BrandKpis>,
}

impl KpiReport {
    /// The KPIs of a brand.
    pub fn brand(&self, id: &str) -> Option<&BrandKpis> {
        self.brands.iter().find(|b| b.brand == id)
    }
}

/// A KPI request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KpiQuery {
    /// First day, inclusive.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    pub to: Option<NaiveDate>,
    /// One brand only.
    pub brand: Option<String>,
    /// Per-period breakdown.
    pub period: Option<Period>,
}

/// Slice counts: overall and per stage.
#[derive(Debug, Clone, Default)]
struct SliceCounts {
    overall: Counts,
    stages: BTreeMap<String, Counts>,
}

impl SliceCounts {
    fn add(&mut self, r: &RatingRow) {
        if r.stage.is_empty() {
            self.overall.add(r);
        } else {
            self.stages.entry(r.stage.clone()).or_default().add(r);
        }
    }

    fn stage_kpis(&self, model: &Model) -> Vec<StageKpis> {
        model
            .stages
            .iter()
            .filter_map(|s| {
                let c = self.stages.get(&s.id)?;
                Some(StageKpis {
                    stage: s.id.clone(),
                    kpis: c.kpis(model.evidence.min_kpi_ratings),
                })
            })
            .collect()
    }
}

fn period_end(p: Period, start: NaiveDate) -> NaiveDate {
    match p {
        Period::Day => start,
        Period::Week => start + Duration::days(6),
        Period::Month => {
            let next = start + Duration::days(32);
            Period::Month.start(next) - Duration::days(1)
        }
    }
}

/// Computes the KPIs.
pub fn kpis(model: &Model, store: &dyn Store, q: &KpiQuery) -> Result<KpiReport, InsightError> {
    let min = model.evidence.min_kpi_ratings;
    let rows = store.rating_rollups(&RatingFilter {
        from: q.from,
        to: q.to,
        brand: q.brand.clone(),
        stage: None,
    })?;
    let mut whole: BTreeMap<&str, SliceCounts> = BTreeMap::new();
    let mut by_period: BTreeMap<(&str, NaiveDate), SliceCounts> = BTreeMap::new();
    let (mut first, mut last) = (None::<NaiveDate>, None::<NaiveDate>);
    for r in &rows {
        if r.brand == UNKNOWN_BRAND {
            continue;
        }
        first = Some(first.map_or(r.day, |f| f.min(r.day)));
        last = Some(last.map_or(r.day, |l| l.max(r.day)));
        whole.entry(r.brand.as_str()).or_default().add(r);
        if let Some(p) = q.period {
            by_period
                .entry((r.brand.as_str(), p.start(r.day)))
                .or_default()
                .add(r);
        }
    }
    let order = model
        .brands
        .iter()
        .filter(|b| b.own)
        .chain(model.brands.iter().filter(|b| !b.own));
    let mut brands = Vec::new();
    for b in order {
        let Some(counts) = whole.get(b.id.as_str()) else {
            continue;
        };
        let periods = match q.period {
            Some(p) => by_period
                .range((b.id.as_str(), NaiveDate::MIN)..=(b.id.as_str(), NaiveDate::MAX))
                .map(|((_, start), c)| PeriodKpis {
                    start: *start,
                    end: period_end(p, *start),
                    overall: c.overall.kpis(min),
                    stages: c.stage_kpis(model),
                })
                .collect(),
            None => Vec::new(),
        };
        brands.push(BrandKpis {
            brand: b.id.clone(),
            name: b.name.clone(),
            own: b.own,
            overall: counts.overall.kpis(min),
            stages: counts.stage_kpis(model),
            periods,
        });
    }
    Ok(KpiReport {
        from: first,
        to: last,
        period: q.period,
        min_ratings: min,
        definitions: DEFINITIONS,
        brands,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use std::path::Path;
    use tce_model::{EnrichedSignal, Enrichment, Rating, SentimentLabel, Signal, StageRating};
    use tce_store::SqliteStore;

    fn model() -> Model {
        let t = tce_model::templates::template("airline").unwrap();
        Model::parse(t.toml, Path::new("airline.toml")).unwrap()
    }

    /// A signal of `brand` on `day` (of March 2026) with an overall rating
    /// and stage ratings on the same scale.
    fn rated(
        i: usize,
        brand: Option<&str>,
        day: u32,
        channel: &str,
        scale: RatingScale,
        overall: f64,
        stages: &[(&str, f64)],
    ) -> EnrichedSignal {
        let created_at: DateTime<Utc> = format!("2026-03-{day:02}T10:00:00Z").parse().unwrap();
        let rating = Rating::new(overall, scale).unwrap();
        EnrichedSignal {
            signal: Signal {
                channel: channel.into(),
                external_id: format!("s{i}"),
                brand: brand.map(str::to_string),
                author: None,
                author_followers: None,
                created_at,
                text: "rated".into(),
                rating: Some(rating),
                stage_ratings: stages
                    .iter()
                    .map(|(s, v)| StageRating {
                        stage: s.to_string(),
                        rating: Rating::new(*v, scale).unwrap(),
                    })
                    .collect(),
                in_reply_to: None,
                url: None,
                lang: None,
            },
            enrichment: Enrichment {
                engine: "test".into(),
                sentiment: 0.0,
                sentiment_label: SentimentLabel::Neutral,
                intents: Vec::new(),
                touchpoints: Vec::new(),
                brand: brand.map(str::to_string),
                priority: 0.0,
                experience_value: rating.experience_value(),
                brand_post: false,
            },
        }
    }

    /// NPS and CSAT equal the values counted by hand on a small fixture,
    /// per brand, stage and week; unknown-brand ratings count for no brand.
    #[test]
    fn nps_and_csat_equal_hand_computed_values() {
        let mut signals = Vec::new();
        // SkyWay surveys (0–10): overall 10, 9, 9, 8, 7, 6, 3, 0 — 3
        // promoters, 3 detractors of 8 → NPS 0. Week of 2 March: the first
        // four (10, 9, 9, 8) → NPS 75; week of 9 March: 7, 6, 3, 0 → −75.
        // Their operations ratings: 10, 10, 2, 5, 9, 9, 9, 8 → 5 promoters,
        // 2 detractors of 8 → NPS 37.5.
        let overall = [10.0, 9.0, 9.0, 8.0, 7.0, 6.0, 3.0, 0.0];
        let ops = [10.0, 10.0, 2.0, 5.0, 9.0, 9.0, 9.0, 8.0];
        for (i, (o, s)) in overall.iter().zip(ops).enumerate() {
            let day = if i < 4 { 3 } else { 10 };
            signals.push(rated(
                i,
                Some("skyway"),
                day,
                "survey",
                RatingScale::Nps10,
                *o,
                &[("operations", s)],
            ));
        }
        // SkyWay reviews (stars): 5, 4, 4, 3, 1 → 3 of 5 in the top two
        // boxes → CSAT 60 %; plus a csat5 survey 5 → 4 of 6 = 66.7 %.
        for (i, v) in [5.0, 4.0, 4.0, 3.0, 1.0].into_iter().enumerate() {
            signals.push(rated(
                100 + i,
                Some("skyway"),
                4,
                "tripadvisor",
                RatingScale::Stars5,
                v,
                &[],
            ));
        }
        signals.push(rated(
            200,
            Some("skyway"),
            11,
            "email",
            RatingScale::Csat5,
            5.0,
            &[],
        ));
        // Unknown brand: ten detractors that must not move anyone's NPS.
        for i in 0..10 {
            signals.push(rated(
                300 + i,
                None,
                5,
                "survey",
                RatingScale::Nps10,
                0.0,
                &[],
            ));
        }
        // BlueJet: one promoter.
        signals.push(rated(
            400,
            Some("bluejet"),
            5,
            "survey",
            RatingScale::Nps10,
            10.0,
            &[],
        ));

        let mut store = SqliteStore::open_in_memory().unwrap();
        store.insert(&signals).unwrap();
        let model = model();
        let report = kpis(
            &model,
            &store,
            &KpiQuery {
                period: Some(Period::Week),
                ..KpiQuery::default()
            },
        )
        .unwrap();
        let ids: Vec<&str> = report.brands.iter().map(|b| b.brand.as_str()).collect();
        assert_eq!(ids, ["skyway", "bluejet"]);
        let sky = report.brand("skyway").unwrap();
        let n = sky.overall.nps.unwrap();
        assert_eq!((n.value, n.n, n.thin), (0.0, 8, true));
        // Var = (6/8 − 0) / 8 → half-width 1.96 · √(0.09375) = 60.0 pts.
        assert_eq!(n.ci, [-60.0, 60.0]);
        let c = sky.overall.csat.unwrap();
        assert_eq!((c.value, c.n), (66.7, 6));
        assert_eq!(sky.stages.len(), 1);
        assert_eq!(sky.stages[0].stage, "operations");
        assert_eq!(sky.stages[0].kpis.nps.unwrap().value, 37.5);
        assert_eq!(sky.stages[0].kpis.csat, None);
        let weeks: Vec<(String, f64)> = sky
            .periods
            .iter()
            .map(|p| (p.start.to_string(), p.overall.nps.unwrap().value))
            .collect();
        assert_eq!(
            weeks,
            [
                ("2026-03-02".to_string(), 75.0),
                ("2026-03-09".to_string(), -75.0)
            ]
        );
        assert_eq!(sky.periods[0].end.to_string(), "2026-03-08");
        // Stars only that week: 60 %.
        assert_eq!(sky.periods[0].overall.csat.unwrap().value, 60.0);
        let blue = report.brand("bluejet").unwrap();
        assert_eq!(blue.overall.nps.unwrap().value, 100.0);
        assert_eq!(report.from.unwrap().to_string(), "2026-03-03");
        assert_eq!(report.to.unwrap().to_string(), "2026-03-11");

        // A date range keeps only its days: the second week alone.
        let late = kpis(
            &model,
            &store,
            &KpiQuery {
                from: NaiveDate::from_ymd_opt(2026, 3, 9),
                brand: Some("skyway".into()),
                ..KpiQuery::default()
            },
        )
        .unwrap();
        assert_eq!(late.brands.len(), 1);
        assert_eq!(late.brands[0].overall.nps.unwrap().value, -75.0);
        assert_eq!(late.brands[0].overall.csat.unwrap().value, 100.0);
    }
}
