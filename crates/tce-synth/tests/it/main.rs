//! Integration tests: the generated world is well-formed, deterministic, and
//! its planted truth is recoverable by the analyses the product runs.
// Test helpers are shared between modules, not a public API, and may panic.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod advocacy;
mod care;
mod recognised;
mod recovery;
mod world;

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;
use tce_model::Model;
use tce_synth::{generate, SynthConfig, Truth};

/// Signals in the shared test world: enough for the recovery checks, fast to make.
const N: u64 = 30_000;

/// A generated world, parsed.
pub struct World {
    pub model: Model,
    pub signals: Vec<serde_json::Value>,
    pub raw: Vec<u8>,
    pub labels: Vec<LabelRow>,
    pub outcomes: Vec<OutcomeRow>,
    pub truth: Truth,
}

/// One row of labels.csv.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct LabelRow {
    pub id: String,
    pub text: String,
    pub sentiment: String,
    pub touchpoint: String,
    pub brand: String,
}

/// One row of outcomes.csv.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct OutcomeRow {
    pub period: chrono::NaiveDate,
    pub brand: String,
    pub revenue: f64,
    pub customers: u64,
    pub return_visits: u64,
}

pub fn model(template: &str) -> Model {
    let t = tce_model::templates::template(template).expect("known template");
    Model::parse(t.toml, Path::new(t.name)).expect("template parses")
}

pub fn raw(model: &Model, signals: u64, seed: u64) -> (Vec<u8>, Vec<u8>, Vec<u8>, Truth) {
    let cfg = SynthConfig {
        signals,
        seed,
        ..SynthConfig::default()
    };
    let (mut s, mut l, mut o) = (Vec::new(), Vec::new(), Vec::new());
    let truth = generate(model, &cfg, &mut s, &mut l, &mut o).expect("generates");
    (s, l, o, truth)
}

pub fn build(template: &str, signals: u64, seed: u64) -> World {
    let model = model(template);
    let (raw, l, o, truth) = raw(&model, signals, seed);
    let signals = raw
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("every line is JSON"))
        .collect();
    let labels = csv::Reader::from_reader(l.as_slice())
        .deserialize()
        .collect::<Result<Vec<LabelRow>, _>>()
        .expect("labels.csv parses");
    let outcomes = csv::Reader::from_reader(o.as_slice())
        .deserialize()
        .collect::<Result<Vec<OutcomeRow>, _>>()
        .expect("outcomes.csv parses");
    World {
        model,
        signals,
        raw,
        labels,
        outcomes,
        truth,
    }
}

/// The shared airline world (built once per test binary).
pub fn airline() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| build("airline", N, 42))
}

/// Labels by signal id.
pub fn labels_by_id(w: &World) -> HashMap<&str, &LabelRow> {
    w.labels.iter().map(|l| (l.id.as_str(), l)).collect()
}
