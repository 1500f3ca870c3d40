//! Integration tests of the maturity assessment: shipped instruments, answers
//! files, evidence, roadmap, trend and the interactive session.

// Helpers shared by the tests fail loudly, like the tests themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod answers;
mod evidence;
mod hostile;
mod instruments;
mod roadmap;
mod session;

use chrono::NaiveDate;
use std::fmt::Write as _;
use std::path::Path;
use tce_maturity::{assess, Answers, Assessment, Catalog, Facts};

pub(crate) fn catalog() -> Catalog {
    Catalog::builtin().unwrap_or_else(|e| panic!("a shipped instrument is invalid:\n{e}"))
}

pub(crate) fn day(d: &str) -> NaiveDate {
    NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
}

/// An answers file answering `picks` (item, level id) of one instrument with
/// the item's first choice at that level; every other item of the instrument
/// gets `rest` (a level id).
pub(crate) fn answers_file(
    catalog: &Catalog,
    instrument: &str,
    picks: &[(&str, &str)],
    rest: &str,
) -> String {
    let inst = catalog.get(instrument).unwrap();
    let mut out = String::new();
    for (_, item) in inst.items() {
        let level = picks
            .iter()
            .find(|(i, _)| *i == item.id)
            .map_or(rest, |(_, l)| *l);
        let index = inst
            .level_index(level)
            .unwrap_or_else(|| panic!("no level {level}"));
        let choice = item.choices.iter().find(|c| c.level == index).unwrap();
        writeln!(
            out,
            "[{instrument}.{}]\nanswer = {}\n",
            item.id,
            toml::Value::String(choice.text.clone())
        )
        .unwrap();
    }
    out
}

/// Parses answers and assesses them on a fixed day.
pub(crate) fn assess_text(catalog: &Catalog, src: &str, facts: &Facts) -> Assessment {
    let answers = Answers::parse(src, Path::new("answers.toml"), catalog)
        .unwrap_or_else(|e| panic!("answers refused:\n{e}"));
    assess(catalog, &answers, facts, day("2026-12-01"))
}
