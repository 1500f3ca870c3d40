//! Early warning caused by stored signals (DESIGN C8, issue 12).
//!
//! Inside the insert transaction ([`AlertDerive`], composed after care):
//! every newly stored customer signal counts into its brand's series, the
//! series of the stages it speaks about and of its touchpoints, in the
//! `negative` detector (every brand: competitors' incidents become
//! "competitive" alerts) and, for a positive signal about an own brand, the
//! brand's `praise` detector (opportunities). Only the series a batch
//! touches are loaded and saved (their states are small and bounded), so a
//! restart continues where it stopped and a late signal updates its bucket
//! without re-alerting the past. Detector events become alerts: one alert per
//! incident, grouping the touchpoint's, its stage's and its brand's series,
//! routed by the most specific one to the department that owns the
//! touchpoint. A new alert (or one routed anew) is put in the webhook outbox
//! of its department in the same transaction; delivery happens elsewhere.
//!
//! Outside it: [`change`] (acknowledge, resolve), [`backtest`] (the detector
//! over the stored history, writing nothing) and [`examples`].

use chrono::{DateTime, Utc};
use rand::rngs::OsRng;
use rand::RngCore;
use rustc_hash::FxHashMap;
use serde_json::json;
use tce_alert::{
    group_incidents, AlertEvent, AlertKind, Change, Detector, EmergingTerm, Incident, SeriesId,
    SeriesKey, Settings, TermSettings, TermTracker, VolumeMeasure,
};
use tce_model::{EnrichedSignal, Model, SentimentLabel};
use tce_store::{
    kind_str, Alert, AlertMember, AlertScope, AlertStatus, DeriveTx, NewAlertEvent, NewDelivery,
    SignalQuery, Store, StoreError, Webhook,
};

/// The detector of negative signals (every brand).
pub const NEGATIVE: &str = "negative";
/// The detector of praise (own brands, brand-wide).
pub const PRAISE: &str = "praise";

/// What alert derivation did in one transaction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertCounts {
    /// Alerts raised.
    pub opened: u64,
    /// Alerts updated (a further anomalous bucket, a series joining).
    pub updated: u64,
    /// Alerts whose incident ended.
    pub closed: u64,
    /// Webhook deliveries queued.
    pub queued: u64,
}

/// The workspace's early-warning settings, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertSettings {
    /// Whether ingest runs the detector.
    pub enabled: bool,
    /// Whether praise raises opportunity alerts.
    pub opportunities: bool,
    /// The negative detector's settings (`[alerts]`).
    pub negative: Settings,
    /// The praise detector's: the same, counting every praise signal.
    pub praise: Settings,
    /// Webhook retries.
    pub retry: tce_alert::webhook::RetryPolicy,
    /// Timeout of one webhook attempt, seconds.
    pub timeout_secs: u32,
    /// The emerging-terms tracker of negative signals.
    pub terms: TermSettings,
}

impl AlertSettings {
    /// Detection off, every setting at its default.
    pub fn off(model: &Model) -> AlertSettings {
        AlertSettings {
            enabled: false,
            opportunities: false,
            negative: Settings::default(),
            praise: Settings {
                volume_of: VolumeMeasure::All,
                ..Settings::default()
            },
            retry: tce_alert::webhook::RetryPolicy {
                max_attempts: model.alerts.webhook_attempts,
                ..Default::default()
            },
            timeout_secs: model.alerts.webhook_timeout_secs,
            terms: TermSettings::default(),
        }
    }
}

/// `[alerts]` of tce.toml is not valid for the detector.
#[derive(Debug, thiserror::Error)]
#[error("[alerts] in tce.toml: {0}")]
pub struct AlertSettingsError(pub String);

/// The detector settings of a model: `[alerts]` as written, checked by
/// `tce_alert` (the error names the field).
pub fn settings(model: &Model) -> Result<AlertSettings, AlertSettingsError> {
    let table: toml::Table = model
        .alerts
        .detector
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let negative: Settings = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| AlertSettingsError(e.message().to_owned()))?;
    negative
        .validate()
        .map_err(|e| AlertSettingsError(e.to_string()))?;
    let praise = Settings {
        volume_of: VolumeMeasure::All,
        ..negative.clone()
    };
    Ok(AlertSettings {
        enabled: model.alerts.enabled,
        opportunities: model.alerts.opportunities,
        negative,
        praise,
        retry: tce_alert::webhook::RetryPolicy {
            max_attempts: model.alerts.webhook_attempts,
            base_delay_secs: u64::from(model.alerts.webhook_base_delay_secs),
            ..Default::default()
        },
        timeout_secs: model.alerts.webhook_timeout_secs,
        terms: TermSettings::default(),
    })
}

/// The brand a signal counts for, if the model knows it.
fn brand_of<'a>(model: &'a Model, s: &EnrichedSignal) -> Option<&'a tce_model::Brand> {
    let b = s
        .enrichment
        .brand
        .as_deref()
        .or(s.signal.brand.as_deref())?;
    model.brand(b)
}

/// The series one signal counts in: its brand, each stage it speaks about,
/// each touchpoint (with its stage); `f` is called with each key's parts.
fn for_each_series<'s>(
    brand: &'s str,
    touchpoints: impl Iterator<Item = (&'s str, &'s str)> + Clone,
    mut f: impl FnMut(&'s str, Option<&'s str>, Option<&'s str>),
) {
    f(brand, None, None);
    let mut stages: Vec<&str> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (tp, stage) in touchpoints {
        if seen.contains(&tp) {
            continue;
        }
        seen.push(tp);
        f(brand, Some(stage), Some(tp));
        if !stages.contains(&stage) {
            stages.push(stage);
            f(brand, Some(stage), None);
        }
    }
}

fn key(brand: &str, stage: Option<&str>, tp: Option<&str>) -> SeriesKey {
    SeriesKey {
        brand: brand.to_owned(),
        stage: stage.map(str::to_owned),
        touchpoint: tp.map(str::to_owned),
    }
}

type Parts<'s> = (&'s str, Option<&'s str>, Option<&'s str>);

/// One detector's series within a batch.
struct Batch<'s> {
    ids: FxHashMap<Parts<'s>, usize>,
    keys: Vec<SeriesKey>,
}

impl<'s> Batch<'s> {
    fn new() -> Self {
        Batch {
            ids: FxHashMap::default(),
            keys: Vec::new(),
        }
    }

    fn index(&mut self, parts: Parts<'s>) -> usize {
        let next = self.keys.len();
        *self.ids.entry(parts).or_insert_with(|| {
            self.keys.push(key(parts.0, parts.1, parts.2));
            next
        })
    }
}

/// Derives alerts from newly stored signals (see the module docs).
pub(crate) struct AlertDerive<'m> {
    pub(crate) model: &'m Model,
    pub(crate) settings: &'m AlertSettings,
    pub(crate) counts: AlertCounts,
}

/// A batch's detector work: what it observes, planned from the signals, and
/// the states it continues, read in the transaction. [`AlertWork::run`] is
/// pure, so it runs on a thread of its own while care and advocacy use the
/// transaction; [`AlertDerive::save`] writes what it computed.
pub(crate) struct AlertWork<'s> {
    negative: Detector,
    /// (time, range of `neg_ids`, negative) per signal, in time order.
    neg_obs: Vec<(i64, usize, usize, bool)>,
    /// The negative detector's series of each observation.
    neg_ids: Vec<SeriesId>,
    praise: Option<Detector>,
    /// (time, series) per praise signal, in time order.
    praise_obs: Vec<(i64, SeriesId)>,
    terms: TermTracker,
    term_keys: Vec<SeriesKey>,
    term_ids: Vec<usize>,
    /// (time, range of `term_ids`, text) per negative signal, in time order.
    docs: Vec<(i64, usize, usize, &'s str)>,
    max_ts: i64,
}

/// What [`AlertWork::run`] computed: the detectors' events and the states
/// to save.
pub(crate) struct AlertRun {
    events: Vec<(&'static str, AlertEvent)>,
    negative: Detector,
    praise: Option<Detector>,
    terms: TermTracker,
    emerged: Vec<EmergingTerm>,
}

impl AlertWork<'_> {
    /// Feeds the batch to the detectors and the emerging-terms tracker,
    /// each advanced to the batch's latest time. Pure: no I/O, no clock.
    pub(crate) fn run(self) -> AlertRun {
        let AlertWork {
            mut negative,
            neg_obs,
            neg_ids,
            mut praise,
            praise_obs,
            mut terms,
            term_keys,
            term_ids,
            docs,
            max_ts,
        } = self;
        let mut events: Vec<(&'static str, AlertEvent)> = Vec::new();
        let mut out = Vec::new();
        for &(ts, a, b, neg) in &neg_obs {
            for &id in neg_ids.get(a..b).unwrap_or_default() {
                negative.observe(id, ts, neg, &mut out);
            }
        }
        negative.advance(max_ts, &mut out);
        events.extend(out.drain(..).map(|e| (NEGATIVE, e)));
        if let Some(d) = praise.as_mut() {
            for &(ts, id) in &praise_obs {
                d.observe(id, ts, true, &mut out);
            }
            d.advance(max_ts, &mut out);
            events.extend(out.drain(..).map(|e| (PRAISE, e)));
        }
        let mut emerged = Vec::new();
        for &(ts, a, b, text) in &docs {
            let words = tce_alert::terms::text_terms(text);
            for &i in term_ids.get(a..b).unwrap_or_default() {
                if let Some(key) = term_keys.get(i) {
                    terms.observe_terms(key, ts, &words, &mut emerged);
                }
            }
        }
        terms.advance(max_ts, &mut emerged);
        AlertRun {
            events,
            negative,
            praise,
            terms,
            emerged,
        }
    }
}

impl AlertDerive<'_> {
    /// Plans a batch's detector work and reads the states it continues
    /// (`None`: nothing to observe).
    pub(crate) fn load<'s>(
        &self,
        fresh: &[&'s EnrichedSignal],
        tx: &mut dyn DeriveTx,
    ) -> Result<Option<AlertWork<'s>>, StoreError> {
        if !self.settings.enabled || fresh.is_empty() {
            return Ok(None);
        }
        let model = self.model;
        // (time, series indexes of the batch, negative) per signal, for each detector.
        let mut neg = Batch::new();
        let mut praise = Batch::new();
        let mut neg_obs: Vec<(i64, usize, usize, bool)> = Vec::with_capacity(fresh.len());
        let mut praise_obs: Vec<(i64, usize)> = Vec::new();
        let mut neg_idx: Vec<usize> = Vec::with_capacity(fresh.len() * 4);
        // Emerging terms: the brand's series and its touchpoints' (every
        // signal's, so their windows close; negative ones are documents).
        let mut term_series = Batch::new();
        let mut term_ids: Vec<usize> = Vec::with_capacity(fresh.len() * 2);
        let mut docs: Vec<(i64, usize, usize, &'s str)> = Vec::new();
        let mut max_ts = i64::MIN;
        for &s in fresh {
            if s.enrichment.brand_post {
                continue;
            }
            let Some(brand) = brand_of(model, s) else {
                continue;
            };
            let ts = s.signal.created_at.timestamp();
            max_ts = max_ts.max(ts);
            let negative = s.enrichment.sentiment_label == SentimentLabel::Negative;
            let first = neg_idx.len();
            let tps = s
                .enrichment
                .touchpoints
                .iter()
                .map(|t| (t.touchpoint.as_str(), t.stage.as_str()));
            for_each_series(brand.id.as_str(), tps, |b, st, tp| {
                neg_idx.push(neg.index((b, st, tp)));
            });
            neg_obs.push((ts, first, neg_idx.len(), negative));
            let first_term = term_ids.len();
            term_ids.push(term_series.index((brand.id.as_str(), None, None)));
            for t in &s.enrichment.touchpoints {
                let parts = (
                    brand.id.as_str(),
                    Some(t.stage.as_str()),
                    Some(t.touchpoint.as_str()),
                );
                let i = term_series.index(parts);
                // A touchpoint matched twice is still one document.
                if !term_ids.get(first_term..).unwrap_or_default().contains(&i) {
                    term_ids.push(i);
                }
            }
            if negative {
                docs.push((ts, first_term, term_ids.len(), s.signal.text.as_str()));
            }
            if self.settings.opportunities
                && brand.own
                && s.enrichment.sentiment_label == SentimentLabel::Positive
            {
                praise_obs.push((ts, praise.index((brand.id.as_str(), None, None))));
            }
        }
        if neg_obs.is_empty() {
            return Ok(None);
        }
        neg_obs.sort_by_key(|o| o.0);
        praise_obs.sort_by_key(|o| o.0);
        docs.sort_by_key(|d| d.0);

        let mut negative = restore(tx, NEGATIVE, &self.settings.negative, &neg.keys)?;
        let ids: Vec<SeriesId> = neg.keys.iter().map(|k| negative.series_id(k)).collect();
        let neg_ids = neg_idx.into_iter().map(|i| ids[i]).collect();
        if self.settings.opportunities {
            // Own brands' praise: every own brand touched by the batch
            // advances, so quiet hours close as zeros.
            for &s in fresh {
                if let Some(b) = brand_of(model, s).filter(|b| b.own && !s.enrichment.brand_post) {
                    praise.index((b.id.as_str(), None, None));
                }
            }
        }
        let (praise, praise_obs) = if praise.keys.is_empty() {
            (None, Vec::new())
        } else {
            let mut d = restore(tx, PRAISE, &self.settings.praise, &praise.keys)?;
            let ids: Vec<SeriesId> = praise.keys.iter().map(|k| d.series_id(k)).collect();
            let obs = praise_obs.into_iter().map(|(ts, i)| (ts, ids[i])).collect();
            (Some(d), obs)
        };
        let saved = tx.term_states(&term_series.keys)?;
        let terms = TermTracker::restore(self.settings.terms.clone(), saved).map_err(|e| {
            StoreError::Corrupt {
                table: "alert_series",
                column: "state",
                value: e.to_string(),
            }
        })?;
        Ok(Some(AlertWork {
            negative,
            neg_obs,
            neg_ids,
            praise,
            praise_obs,
            terms,
            term_keys: term_series.keys,
            term_ids,
            docs,
            max_ts,
        }))
    }

    /// Saves what [`AlertWork::run`] computed and turns its events into
    /// alerts, their events and deliveries.
    pub(crate) fn save(&mut self, run: AlertRun, tx: &mut dyn DeriveTx) -> Result<(), StoreError> {
        let AlertRun {
            events,
            negative,
            praise,
            mut terms,
            emerged,
        } = run;
        let states: Vec<_> = negative.states().iter().collect();
        tx.save_series_states(NEGATIVE, &states)?;
        if let Some(d) = &praise {
            let states: Vec<_> = d.states().iter().collect();
            tx.save_series_states(PRAISE, &states)?;
        }
        let states: Vec<_> = terms.states().collect();
        tx.save_term_states(&states)?;
        if events.is_empty() && emerged.is_empty() {
            return Ok(());
        }
        self.apply(events, &terms, &emerged, tx)
    }

    /// Turns detector events into alerts, their events and deliveries.
    fn apply(
        &mut self,
        events: Vec<(&'static str, AlertEvent)>,
        terms: &TermTracker,
        emerged: &[EmergingTerm],
        tx: &mut dyn DeriveTx,
    ) -> Result<(), StoreError> {
        let mut brands: Vec<&str> = events
            .iter()
            .map(|(_, e)| e.incident.series.brand.as_str())
            .chain(emerged.iter().map(|t| t.series.brand.as_str()))
            .collect();
        brands.sort_unstable();
        brands.dedup();
        let mut alerts = tx.active_alerts(&brands)?;
        // Which alerts changed, with their events and whether to deliver.
        let mut changed: Vec<(usize, Vec<NewAlertEvent>, bool)> = Vec::new();
        let mut webhooks: Option<Vec<Webhook>> = None;
        for (detector, e) in events {
            let inc = &e.incident;
            let at = time(e.bucket_end);
            let found = alerts.iter().position(|a| {
                a.kind == inc.kind
                    && a.members.iter().any(|m| {
                        m.detector == detector && m.series == inc.series && m.start == inc.start
                    })
            });
            let (idx, created) = match (found, e.change) {
                (Some(i), _) => (i, false),
                (None, Change::Closed) => continue,
                (None, _) => {
                    let scope = self.scope(detector, &inc.series.brand);
                    let related = alerts.iter().position(|a| {
                        a.active
                            && a.kind == inc.kind
                            && a.scope == scope
                            && a.brand == inc.series.brand
                            && a.members.iter().any(|m| {
                                m.detector == detector
                                    && (m.series.covers(&inc.series)
                                        || inc.series.covers(&m.series))
                            })
                    });
                    match related {
                        Some(i) => {
                            alerts[i].members.push(member(detector, inc));
                            (i, false)
                        }
                        None => {
                            alerts.push(self.new_alert(detector, scope, &e));
                            (alerts.len() - 1, true)
                        }
                    }
                }
            };
            let alert = &mut alerts[idx];
            let department_before = alert.department.clone();
            if let Some(m) = alert
                .members
                .iter_mut()
                .find(|m| m.detector == detector && m.series == inc.series && m.start == inc.start)
            {
                m.end = inc.end;
                m.active = e.change != Change::Closed;
            }
            // The most specific series routes the alert and gives its figures.
            let specific = alert
                .members
                .iter()
                .max_by_key(|m| (m.series.specificity(), std::cmp::Reverse(m.start)))
                .map(|m| m.series.clone());
            if let Some(s) = &specific {
                alert.stage = s.stage.clone();
                alert.touchpoint = s.touchpoint.clone();
                alert.department = self.department(alert.scope, s);
            }
            if specific.as_ref() == Some(&inc.series) && e.change != Change::Closed {
                alert.span_secs = e.span_secs;
                alert.observed = e.observed;
                alert.expected = e.expected;
                alert.interval = e.interval;
            }
            alert.severity = alert.severity.max(inc.severity);
            alert.p_value = alert.p_value.min(inc.min_p);
            alert.window_start = alert
                .members
                .iter()
                .map(|m| m.start)
                .min()
                .map_or(alert.window_start, time);
            alert.window_end = alert
                .members
                .iter()
                .map(|m| m.end)
                .max()
                .map_or(alert.window_end, time);
            let was_active = alert.active;
            alert.active = alert.members.iter().any(|m| m.active);
            alert.updated_at = at;
            let change = if created {
                "opened"
            } else if was_active && !alert.active {
                alert.ended_at = Some(at);
                "closed"
            } else {
                "updated"
            };
            let rerouted = !created && alert.department != department_before;
            let event = NewAlertEvent {
                at,
                change: change.into(),
                actor: "detector".into(),
                evidence: Some(tce_store::AlertEvidence {
                    start: time(e.bucket_end - e.span_secs),
                    end: time(e.bucket_end),
                    observed: e.observed,
                    expected: e.expected,
                    interval: e.interval,
                    p_value: e.p_value,
                    severity: e.severity,
                }),
            };
            match changed.iter_mut().find(|c| c.0 == idx) {
                Some(c) => {
                    c.1.push(event);
                    c.2 |= created || rerouted;
                }
                None => changed.push((idx, vec![event], created || rerouted)),
            }
            match change {
                "opened" => self.counts.opened += 1,
                "closed" => self.counts.closed += 1,
                _ => self.counts.updated += 1,
            }
        }
        // Emerging terms of the brand's (and the alert's touchpoint's)
        // negative signals since just before the alert's window.
        for (idx, alert) in alerts.iter_mut().enumerate() {
            let touched = changed.iter().any(|c| c.0 == idx);
            if !(alert.active || touched) || alert.scope == AlertScope::Opportunity {
                continue;
            }
            let window_secs = i64::from(self.settings.terms.window_secs);
            if attach_terms(alert, terms, emerged, window_secs) && !touched {
                changed.push((idx, Vec::new(), false));
            }
        }
        let mut outbox = Vec::new();
        for (idx, events, deliver) in changed {
            let alert = &mut alerts[idx];
            alert.version += 1;
            if alert.id == 0 {
                alert.id = tx.insert_alert(alert, &events)?;
            } else {
                tx.save_alert(alert, &events)?;
            }
            if deliver {
                let hooks = match &webhooks {
                    Some(h) => h,
                    None => webhooks.insert(tx.webhooks()?),
                };
                let event_type = if events.iter().any(|e| e.change == "opened") {
                    "alert.opened"
                } else {
                    "alert.routed"
                };
                for h in hooks
                    .iter()
                    .filter(|h| h.department.is_none() || h.department == alert.department)
                {
                    outbox.push(NewDelivery {
                        webhook_id: h.id,
                        message_id: message_id(),
                        event_type: event_type.into(),
                        payload: alert_payload(self.model, alert, event_type, h.slack),
                        created_at: alert.updated_at,
                    });
                }
            }
        }
        if !outbox.is_empty() {
            self.counts.queued += outbox.len() as u64;
            tx.enqueue(&outbox)?;
        }
        Ok(())
    }

    fn scope(&self, detector: &str, brand: &str) -> AlertScope {
        if detector == PRAISE {
            AlertScope::Opportunity
        } else if self.model.brand(brand).is_some_and(|b| b.own) {
            AlertScope::Own
        } else {
            AlertScope::Competitive
        }
    }

    fn department(&self, scope: AlertScope, series: &SeriesKey) -> Option<String> {
        department(self.model, scope, series)
    }

    fn new_alert(&self, detector: &str, scope: AlertScope, e: &AlertEvent) -> Alert {
        let inc = &e.incident;
        let at = time(e.bucket_end);
        Alert {
            id: 0,
            scope,
            kind: inc.kind,
            brand: inc.series.brand.clone(),
            stage: inc.series.stage.clone(),
            touchpoint: inc.series.touchpoint.clone(),
            department: self.department(scope, &inc.series),
            window_start: time(inc.start),
            window_end: time(inc.end),
            span_secs: e.span_secs,
            observed: e.observed,
            expected: e.expected,
            interval: e.interval,
            p_value: inc.min_p,
            severity: inc.severity,
            active: true,
            status: AlertStatus::Open,
            opened_at: at,
            updated_at: at,
            ended_at: None,
            acknowledged_by: None,
            acknowledged_at: None,
            resolved_by: None,
            resolved_at: None,
            version: 0,
            members: vec![member(detector, inc)],
            examples: Vec::new(),
            terms: Vec::new(),
        }
    }
}

/// Most emerging terms an alert carries.
const MAX_ALERT_TERMS: usize = 10;

/// Adds to an alert the terms that emerged in its brand's negative signals
/// and its touchpoint's, in windows from one window before its start to its
/// end, the window still open included (strongest first, at most
/// [`MAX_ALERT_TERMS`]); whether any was new. `emerged` are the terms of
/// the windows the batch closed (a batch may span more windows than a
/// series keeps).
fn attach_terms(
    alert: &mut Alert,
    terms: &TermTracker,
    emerged: &[EmergingTerm],
    window_secs: i64,
) -> bool {
    let since = alert.window_start.timestamp() - window_secs;
    let until = alert.window_end.timestamp();
    let brand = SeriesKey::brand(&alert.brand);
    let touchpoint = alert.touchpoint.as_ref().map(|tp| SeriesKey {
        brand: alert.brand.clone(),
        stage: alert.stage.clone(),
        touchpoint: Some(tp.clone()),
    });
    let keys: Vec<SeriesKey> = [Some(brand), touchpoint].into_iter().flatten().collect();
    let mut found: Vec<EmergingTerm> = keys
        .iter()
        .filter_map(|k| terms.series(k))
        .flat_map(|s| s.recent(since).cloned())
        .chain(keys.iter().flat_map(|k| terms.emerging_now(k)))
        .chain(emerged.iter().filter(|t| keys.contains(&t.series)).cloned())
        .filter(|t| t.window_end > since && t.window_start < until)
        .collect();
    found.sort_by(|a, b| a.p_value.total_cmp(&b.p_value).then(a.term.cmp(&b.term)));
    let mut added = false;
    for t in found {
        if alert.terms.len() >= MAX_ALERT_TERMS {
            break;
        }
        if !alert.terms.contains(&t.term) {
            alert.terms.push(t.term.clone());
            added = true;
        }
    }
    added
}

/// Who owns an alert on a series: the touchpoint's department (else care's
/// triage department) for an own brand, the opportunity department for
/// praise, nobody for a competitor.
pub fn department(model: &Model, scope: AlertScope, series: &SeriesKey) -> Option<String> {
    match scope {
        AlertScope::Competitive => None,
        AlertScope::Opportunity => Some(model.alerts.opportunity_department.clone()),
        AlertScope::Own => Some(
            series
                .touchpoint
                .as_deref()
                .and_then(|t| model.touchpoint(t))
                .map_or_else(
                    || model.care.triage_department.clone(),
                    |t| t.department.clone(),
                ),
        ),
    }
}

fn member(detector: &str, inc: &Incident) -> AlertMember {
    AlertMember {
        detector: detector.to_owned(),
        series: inc.series.clone(),
        start: inc.start,
        end: inc.end,
        active: true,
    }
}

fn restore(
    tx: &mut dyn DeriveTx,
    detector: &str,
    settings: &Settings,
    keys: &[SeriesKey],
) -> Result<Detector, StoreError> {
    let states = tx.series_states(detector, keys)?;
    match Detector::restore(settings.clone(), states) {
        Ok(d) => Ok(d),
        Err(error) => {
            // Settings changed (another bucket length): the saved baselines
            // cannot continue; learn again rather than fail ingest.
            tracing::warn!(message = "Alert detector state discarded.", detector, %error);
            Detector::new(settings.clone()).map_err(|e| StoreError::Corrupt {
                table: "alert_series",
                column: "state",
                value: e.to_string(),
            })
        }
    }
}

fn time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// A fresh `webhook-id`: `msg_` and 16 random bytes in hex.
pub fn message_id() -> String {
    let mut b = [0u8; 16];
    OsRng.fill_bytes(&mut b);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("msg_{hex}")
}

/// The JSON of an alert as the API, `--json` and webhooks show it.
pub fn alert_json(alert: &Alert) -> serde_json::Value {
    let ts = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    json!({
        "id": alert.id,
        "kind": kind_str(alert.kind),
        "scope": alert.scope.as_str(),
        "brand": alert.brand,
        "stage": alert.stage,
        "touchpoint": alert.touchpoint,
        "department": alert.department,
        "window": { "start": ts(alert.window_start), "end": ts(alert.window_end) },
        "span_secs": alert.span_secs,
        "observed": alert.observed,
        "expected": (alert.expected * 100.0).round() / 100.0,
        "interval": [alert.interval.0, alert.interval.1],
        "p_value": alert.p_value,
        "severity": alert.severity,
        "active": alert.active,
        "status": alert.status.as_str(),
        "opened_at": ts(alert.opened_at),
        "updated_at": ts(alert.updated_at),
        "ended_at": alert.ended_at.map(ts),
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": alert.acknowledged_at.map(ts),
        "resolved_by": alert.resolved_by,
        "resolved_at": alert.resolved_at.map(ts),
        "version": alert.version,
        "series": alert.members.iter().map(|m| json!({
            "detector": m.detector,
            "brand": m.series.brand,
            "stage": m.series.stage,
            "touchpoint": m.series.touchpoint,
            "active": m.active,
        })).collect::<Vec<_>>(),
        "terms": alert.terms,
    })
}

/// One line saying what an alert is about, for people (Slack, CLI).
pub fn headline(model: &Model, alert: &Alert) -> String {
    let brand = model
        .brand(&alert.brand)
        .map_or(alert.brand.as_str(), |b| b.name.as_str());
    let place = alert
        .touchpoint
        .as_deref()
        .map(|t| model.touchpoint(t).map_or(t, |t| t.name.as_str()))
        .or_else(|| {
            alert.stage.as_deref().map(|s| {
                model
                    .stages
                    .iter()
                    .find(|x| x.id == s)
                    .map_or(s, |x| x.name.as_str())
            })
        });
    let what = match (alert.scope, alert.kind) {
        (AlertScope::Opportunity, _) => "surge of praise",
        (_, AlertKind::Volume) => "surge of complaints",
        (_, AlertKind::Negativity) => "rise in negativity",
    };
    let scope = match alert.scope {
        AlertScope::Competitive => " (competitor)",
        _ => "",
    };
    match place {
        Some(p) => format!(
            "{brand}{scope}: {what} about {p} — {} observed, {:.1} expected, severity {}",
            alert.observed, alert.expected, alert.severity
        ),
        None => format!(
            "{brand}{scope}: {what} — {} observed, {:.1} expected, severity {}",
            alert.observed, alert.expected, alert.severity
        ),
    }
}

/// The body of a webhook delivery about an alert: the event JSON
/// (`type`, `timestamp`, `data`), or Slack's `text` plus blocks.
pub fn alert_payload(model: &Model, alert: &Alert, event_type: &str, slack: bool) -> String {
    if slack {
        let text = format!("[tce alert #{}] {}", alert.id, headline(model, alert));
        json!({
            "text": text,
            "blocks": [
                { "type": "section", "text": { "type": "mrkdwn", "text": text } },
                { "type": "context", "elements": [ { "type": "mrkdwn", "text": format!(
                    "{} · department {} · window from {}",
                    kind_str(alert.kind),
                    alert.department.as_deref().unwrap_or("none"),
                    alert.window_start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ) } ] }
            ]
        })
        .to_string()
    } else {
        json!({
            "type": event_type,
            "timestamp": alert.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "data": alert_json(alert),
        })
        .to_string()
    }
}

/// Why an alert change was refused.
#[derive(Debug, thiserror::Error)]
pub enum AlertChangeError {
    /// No such alert.
    #[error("no alert {0}")]
    NotFound(i64),
    /// The transition is not allowed.
    #[error("alert {id} is {from}: it cannot become {to}")]
    NotAllowed {
        /// The alert.
        id: i64,
        /// Its status.
        from: AlertStatus,
        /// The status asked for.
        to: AlertStatus,
    },
    /// The store failed (or the alert changed meanwhile).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Acknowledges or resolves an alert (open → acknowledged → resolved; open
/// → resolved), as `actor` at `now`. Returns the changed alert.
pub fn change(
    store: &mut dyn Store,
    id: i64,
    to: AlertStatus,
    actor: &str,
    now: DateTime<Utc>,
    expected_version: Option<u64>,
) -> Result<Alert, AlertChangeError> {
    let mut alert = store.alert(id)?.ok_or(AlertChangeError::NotFound(id))?;
    let from = alert.status;
    let allowed = matches!(
        (from, to),
        (AlertStatus::Open, AlertStatus::Acknowledged)
            | (AlertStatus::Open, AlertStatus::Resolved)
            | (AlertStatus::Acknowledged, AlertStatus::Resolved)
    );
    if !allowed {
        return Err(AlertChangeError::NotAllowed { id, from, to });
    }
    let version = expected_version.unwrap_or(alert.version);
    alert.status = to;
    alert.updated_at = now;
    alert.version += 1;
    match to {
        AlertStatus::Acknowledged => {
            alert.acknowledged_by = Some(actor.to_owned());
            alert.acknowledged_at = Some(now);
        }
        AlertStatus::Resolved => {
            alert.resolved_by = Some(actor.to_owned());
            alert.resolved_at = Some(now);
        }
        AlertStatus::Open => {}
    }
    store.change_alert(
        &alert,
        version,
        &NewAlertEvent {
            at: now,
            change: to.as_str().into(),
            actor: actor.to_owned(),
            evidence: None,
        },
    )?;
    Ok(alert)
}

/// Example signals of an alert: its series' negative (praise: positive)
/// signals in its window, the most reached first.
pub fn examples(
    store: &dyn Store,
    alert: &Alert,
    n: usize,
) -> Result<Vec<tce_store::StoredSignal>, StoreError> {
    let praise = alert.scope == AlertScope::Opportunity;
    let q = SignalQuery {
        brand: Some(alert.brand.clone()),
        touchpoint: alert.touchpoint.clone(),
        stage: if alert.touchpoint.is_none() {
            alert.stage.clone()
        } else {
            None
        },
        max_sentiment: (!praise).then_some(-0.05),
        min_sentiment: praise.then_some(0.05),
        from: Some(alert.window_start),
        to: Some(alert.window_end),
        limit: 500,
        ..SignalQuery::default()
    };
    let mut items = store.signals(&q)?.items;
    items.sort_by_key(|s| std::cmp::Reverse(s.signal.signal.author_followers.unwrap_or(0)));
    items.truncate(n);
    Ok(items)
}

/// An alert a backtest would have raised.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestAlert {
    /// Own, competitive or opportunity.
    pub scope: AlertScope,
    /// The incident of the group's most specific series.
    pub incident: Incident,
    /// When it would have opened (the close of its opening bucket).
    pub opened_at: i64,
    /// Series incidents grouped into it.
    pub grouped: usize,
    /// The department it would have gone to.
    pub department: Option<String>,
}

/// What a backtest over the stored history found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Backtest {
    /// Signals read.
    pub signals: u64,
    /// Series seen.
    pub series: usize,
    /// Alerts, by opening time.
    pub alerts: Vec<BacktestAlert>,
}

/// Runs the workspace's detectors over the stored signals created in
/// `[from, to)` (of one brand), oldest first, from empty states; writes
/// nothing. Incidents are grouped like the live alerts.
pub fn backtest(
    store: &dyn Store,
    model: &Model,
    settings: &AlertSettings,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    brand: Option<&str>,
) -> Result<Backtest, BacktestRunError> {
    let mut neg = Detector::new(settings.negative.clone())?;
    let mut praise = Detector::new(settings.praise.clone())?;
    let mut ids: FxHashMap<SeriesKey, SeriesId> = FxHashMap::default();
    let mut praise_ids: FxHashMap<String, SeriesId> = FxHashMap::default();
    let mut neg_events = Vec::new();
    let mut praise_events = Vec::new();
    let mut scratch: Vec<SeriesId> = Vec::new();
    let mut last = i64::MIN;
    let n = store.alert_observations(from, to, brand, &mut |o| {
        let Some(b) = model.brand(o.brand) else {
            return;
        };
        last = last.max(o.at);
        let negative = o.sentiment_label == "negative";
        scratch.clear();
        let tps = o.touchpoints.iter().map(|(t, s)| (t.as_str(), s.as_str()));
        for_each_series(b.id.as_str(), tps, |br, st, tp| {
            let k = key(br, st, tp);
            let id = match ids.get(&k) {
                Some(id) => *id,
                None => {
                    let id = neg.series_id(&k);
                    ids.insert(k, id);
                    id
                }
            };
            scratch.push(id);
        });
        for &id in &scratch {
            neg.observe(id, o.at, negative, &mut neg_events);
        }
        if settings.opportunities && b.own && o.sentiment_label == "positive" {
            let id = *praise_ids
                .entry(b.id.clone())
                .or_insert_with(|| praise.series_id(&SeriesKey::brand(&b.id)));
            praise.observe(id, o.at, true, &mut praise_events);
        }
    })?;
    if last > i64::MIN {
        neg.advance(last, &mut neg_events);
        praise.advance(last, &mut praise_events);
    }
    let mut alerts = Vec::new();
    for (detector, events) in [(NEGATIVE, neg_events), (PRAISE, praise_events)] {
        let opened: Vec<(i64, Incident)> = events
            .into_iter()
            .filter(|e| e.change == Change::Opened)
            .map(|e| (e.bucket_end, e.incident))
            .collect();
        // Grouping needs each incident's full window: take the last state
        // of each (its closing or latest event) by re-running is costly, so
        // group on the opening windows extended to a day, which is how long
        // the day scale keeps one burst in view.
        let widened: Vec<Incident> = opened
            .iter()
            .map(|(_, i)| Incident {
                end: i.end.max(i.start + 86_400),
                ..i.clone()
            })
            .collect();
        let group = group_incidents(&widened);
        for (i, (at, inc)) in opened.iter().enumerate() {
            if group[i] != i {
                continue;
            }
            let scope = if detector == PRAISE {
                AlertScope::Opportunity
            } else if model.brand(&inc.series.brand).is_some_and(|b| b.own) {
                AlertScope::Own
            } else {
                AlertScope::Competitive
            };
            let first = group
                .iter()
                .enumerate()
                .filter(|(_, g)| **g == i)
                .map(|(j, _)| opened[j].0)
                .min()
                .unwrap_or(*at);
            alerts.push(BacktestAlert {
                scope,
                department: department(model, scope, &inc.series),
                incident: inc.clone(),
                opened_at: first,
                grouped: group.iter().filter(|g| **g == i).count(),
            });
        }
    }
    alerts.sort_by_key(|a| (a.opened_at, a.incident.series.clone()));
    Ok(Backtest {
        signals: n,
        series: ids.len() + praise_ids.len(),
        alerts,
    })
}

/// Why a backtest could not run.
#[derive(Debug, thiserror::Error)]
pub enum BacktestRunError {
    /// Settings not valid.
    #[error("[alerts] in tce.toml: {0}")]
    Settings(#[from] tce_alert::SettingsError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
