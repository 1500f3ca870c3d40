//! The read side every surface shares: API handlers, dashboard pages and the
//! HTML report all come here, and this module only calls `tce-insight` and
//! the store, so the three can never disagree with each other or the CLI.
//!
//! Whole-range computations are memoised in the server's cache when there is
//! a server (the report runs without one); see `state` for when a cached
//! value is recomputed.

use crate::dto::{JourneyCellDto, JourneyDto, JourneyStageDto};
use crate::error::ApiError;
use crate::state::AppState;
use std::collections::BTreeSet;
use std::sync::Arc;
use tce_insight::period::Period;
use tce_insight::scores::{self, BrandCard, By, Filter, ScoreQuery, ScoreReport};
use tce_insight::weights::{self, WeightOptions, Weights};
use tce_model::Model;
use tce_store::{SignalPage, SignalQuery, Store};

/// Insights over one store under one model.
pub struct Insights<'a> {
    /// The model.
    pub model: &'a Model,
    /// The store.
    pub store: &'a dyn Store,
    /// The server, for its cache.
    pub state: Option<&'a AppState>,
}

impl<'a> Insights<'a> {
    /// Without a cache.
    pub fn new(model: &'a Model, store: &'a dyn Store) -> Self {
        Insights {
            model,
            store,
            state: None,
        }
    }

    /// The value for `key` from the server's cache, or `compute` it. The
    /// closure gets the insights to compute with; it may run later on
    /// another thread (a background refresh), hence `'static`.
    fn memo<V, F>(&self, key: String, compute: F) -> Result<Arc<V>, ApiError>
    where
        V: Send + Sync + 'static,
        F: Fn(&Insights<'_>) -> Result<V, ApiError> + Send + Sync + 'static,
    {
        match self.state {
            Some(state) => {
                state.cached(key, self.store, move |st: &AppState, store: &dyn Store| {
                    let model = Arc::clone(st.model());
                    compute(&Insights {
                        model: &model,
                        store,
                        state: Some(st),
                    })
                })
            }
            None => compute(self).map(Arc::new),
        }
    }

    /// Stage weights and channel influence of a range (no bootstrap: what
    /// the TCE index uses).
    pub fn weights(&self, filter: &Filter) -> Result<Arc<Weights>, ApiError> {
        let (from, to) = (filter.from, filter.to);
        self.memo(format!("weights {from:?} {to:?}"), move |ins| {
            Ok(weights::weights(
                ins.model,
                ins.store,
                WeightOptions {
                    bootstrap: 0,
                    from,
                    to,
                },
            )?)
        })
    }

    /// Weights with bootstrap intervals (not cached unless `bootstrap` is 0).
    pub fn weights_with_intervals(
        &self,
        filter: &Filter,
        bootstrap: usize,
    ) -> Result<Arc<Weights>, ApiError> {
        if bootstrap == 0 {
            return self.weights(filter);
        }
        Ok(Arc::new(weights::weights(
            self.model,
            self.store,
            WeightOptions {
                bootstrap,
                from: filter.from,
                to: filter.to,
            },
        )?))
    }

    /// Brand cards of the filter (all brands when it names none).
    pub fn cards(&self, filter: &Filter) -> Result<Arc<Vec<BrandCard>>, ApiError> {
        let f = filter.clone();
        self.memo(format!("cards {filter:?}"), move |ins| {
            let w = ins.weights(&f)?;
            Ok(scores::scorecards(ins.model, ins.store, &f, &w)?)
        })
    }

    /// The card of one brand.
    pub fn card(&self, filter: &Filter, brand: &str) -> Result<Option<BrandCard>, ApiError> {
        let all = Filter {
            brand: None,
            ..filter.clone()
        };
        Ok(self.cards(&all)?.iter().find(|c| c.brand == brand).cloned())
    }

    /// A score table.
    pub fn score(&self, q: &ScoreQuery) -> Result<Arc<ScoreReport>, ApiError> {
        let query = q.clone();
        self.memo(format!("score {q:?}"), move |ins| {
            // As `tce score`: only the TCE index depends on the stage weights.
            let w = if query.by == By::Brand {
                ins.weights(&query.filter)?
            } else {
                Arc::new(weights::configured(ins.model))
            };
            Ok(scores::score(ins.model, ins.store, &query, &w)?)
        })
    }

    /// The TCE index per brand and week.
    pub fn weekly_index(&self, filter: &Filter) -> Result<Arc<ScoreReport>, ApiError> {
        self.score(&ScoreQuery {
            by: By::Brand,
            period: Some(Period::Week),
            filter: filter.clone(),
        })
    }

    /// The finance view (elasticities, what-if, revenue at risk).
    pub fn finance(
        &self,
        filter: &Filter,
        what_if: f64,
    ) -> Result<Arc<tce_insight::finance::FinanceReport>, ApiError> {
        let f = filter.clone();
        self.memo(format!("finance {filter:?} {what_if}"), move |ins| {
            Ok(tce_insight::finance::finance(
                ins.model, ins.store, &f, what_if,
            )?)
        })
    }

    /// The days with data inside the filter's range.
    pub fn coverage(
        &self,
        filter: &Filter,
    ) -> Result<Arc<Option<tce_insight::period::Coverage>>, ApiError> {
        let f = filter.clone();
        self.memo(format!("coverage {filter:?}"), move |ins| {
            Ok(scores::coverage(ins.store, &f)?)
        })
    }

    /// The brand a view shows when none is asked for: the own brand, else
    /// the first of the model.
    pub fn default_brand(&self) -> Option<String> {
        self.model
            .own_brand()
            .or_else(|| self.model.brands.first())
            .map(|b| b.id.clone())
    }
}

/// The journey matrix of a card; with a scope, only those touchpoints (and
/// no stage scores, which would summarise touchpoints outside it).
pub fn journey(model: &Model, card: &BrandCard, scope: Option<&BTreeSet<String>>) -> JourneyDto {
    let stages = model
        .stages
        .iter()
        .filter_map(|s| {
            let score = card.stages.iter().find(|x| x.stage == s.id);
            let cells: Vec<JourneyCellDto> = model
                .touchpoints_of(&s.id)
                .filter(|t| scope.is_none_or(|sc| sc.contains(&t.id)))
                .map(|t| {
                    let ts = card.touchpoints.iter().find(|x| x.touchpoint == t.id);
                    JourneyCellDto {
                        touchpoint: t.id.clone(),
                        name: t.name.clone(),
                        department: t.department.clone(),
                        tes: ts.map_or(0.0, |x| x.tes),
                        raw_score: ts.and_then(|x| x.raw_score),
                        n: ts.map_or(0, |x| x.n),
                        net_sentiment: ts.and_then(|x| x.net_sentiment),
                        complaints: ts.map_or(0, |x| x.complaints),
                    }
                })
                .collect();
            if scope.is_some() && cells.is_empty() {
                return None;
            }
            Some(JourneyStageDto {
                stage: s.id.clone(),
                name: s.name.clone(),
                score: if scope.is_some() {
                    None
                } else {
                    score.and_then(|x| x.score)
                },
                n: if scope.is_some() {
                    cells.iter().map(|c| c.n).sum()
                } else {
                    score.map_or(0, |x| x.n)
                },
                touchpoints: cells,
            })
        })
        .collect();
    JourneyDto {
        brand: card.brand.clone(),
        name: card.name.clone(),
        tce_index: if scope.is_some() {
            None
        } else {
            card.tce_index
        },
        weights_source: card.weights_source.into(),
        stages,
    }
}

/// Rows the scoped scan reads per store page.
const SCAN_PAGE: usize = 200;
/// Store pages one scoped request may scan before it returns a short page.
const SCAN_PAGES: usize = 25;

/// A page of signals, limited to a touchpoint scope when there is one.
///
/// Without a scope this is the store's page. With one, the store's pages are
/// scanned and filtered; the cursor then is `<skip>.<store cursor>`: the
/// store page to re-read and how many of its rows were already consumed.
pub fn signal_page(
    store: &dyn Store,
    mut query: SignalQuery,
    cursor: Option<&str>,
    scope: Option<&BTreeSet<String>>,
) -> Result<SignalPage, ApiError> {
    let Some(scope) = scope else {
        query.cursor = cursor.map(str::to_string);
        return Ok(store.signals(&query)?);
    };
    if let Some(t) = &query.touchpoint {
        if !scope.contains(t) {
            return Err(ApiError::Forbidden(format!(
                "touchpoint {t:?} belongs to another department"
            )));
        }
    }
    let want = query.effective_limit();
    let (mut skip, mut store_cursor) = match cursor {
        None => (0usize, None),
        Some(c) => {
            let (skip, rest) = c
                .split_once('.')
                .ok_or_else(|| ApiError::InvalidCursor(c.to_string()))?;
            let skip: usize = skip
                .parse()
                .map_err(|_| ApiError::InvalidCursor(c.to_string()))?;
            (skip, (!rest.is_empty()).then(|| rest.to_string()))
        }
    };
    query.limit = SCAN_PAGE;
    let mut items = Vec::new();
    for _ in 0..SCAN_PAGES {
        query.cursor = store_cursor.clone();
        let page = store.signals(&query)?;
        let rows = page.items.len();
        for (i, s) in page.items.into_iter().enumerate().skip(skip) {
            let visible = s
                .signal
                .enrichment
                .touchpoints
                .iter()
                .any(|t| scope.contains(&t.touchpoint));
            if visible {
                items.push(s);
                if items.len() == want {
                    let next = if i + 1 < rows || page.next_cursor.is_some() {
                        Some(format!("{}.{}", i + 1, store_cursor.unwrap_or_default()))
                    } else {
                        None
                    };
                    return Ok(SignalPage {
                        items,
                        next_cursor: next,
                    });
                }
            }
        }
        skip = 0;
        match page.next_cursor {
            Some(c) => store_cursor = Some(c),
            None => {
                return Ok(SignalPage {
                    items,
                    next_cursor: None,
                })
            }
        }
    }
    Ok(SignalPage {
        items,
        next_cursor: Some(format!("0.{}", store_cursor.unwrap_or_default())),
    })
}
