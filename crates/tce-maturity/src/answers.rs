//! Answers files: one table per item (`[instrument.item]`) with its
//! `choices`, lowest level first, and the `answer` chosen among them. The
//! template is written here; parsing checks every answer against the
//! instruments and reports each problem with file, line and field.

use crate::error::MaturityError;
use crate::instrument::{Catalog, Instrument};
use crate::tree::{self, Node, Reader, Table};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Valid answers: instrument id → item id → the chosen choice's text. Built
/// by [`Answers::parse`] or a finished [`crate::Session`], so every answer is
/// one of its item's choices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Answers {
    pub(crate) instruments: BTreeMap<String, BTreeMap<String, String>>,
}

impl Answers {
    /// Reads an answers file and checks it against the catalog.
    pub fn load(path: &Path, catalog: &Catalog) -> Result<Answers, MaturityError> {
        let src = std::fs::read_to_string(path).map_err(|source| MaturityError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Answers::parse(&src, path, catalog)
    }

    /// Parses answers text; `path` is for error messages. Every item of an
    /// instrument that appears in the file must be answered.
    pub fn parse(src: &str, path: &Path, catalog: &Catalog) -> Result<Answers, MaturityError> {
        let root = tree::parse(src, path)?;
        let mut r = Reader::new(src);
        let mut answers = Answers::default();
        if root.is_empty() {
            r.issue(
                0,
                "answers",
                "no instrument is answered: write the template with `tce assess template`",
            );
        }
        for (key, value) in &root {
            let Some(instrument) = catalog.get(key.get_ref()) else {
                let hint = catalog
                    .suggest(key.get_ref())
                    .map(|s| format!(": did you mean {s:?}?"))
                    .unwrap_or_default();
                let known: Vec<&str> = catalog
                    .instruments()
                    .iter()
                    .map(|i| i.id.as_str())
                    .collect();
                r.issue(
                    key.span().start,
                    key.get_ref().clone(),
                    format!("unknown instrument{hint} (known: {})", known.join(", ")),
                );
                continue;
            };
            let Some(table) = r.as_table(value, key.get_ref().clone()) else {
                continue;
            };
            let chosen = read_instrument_answers(&mut r, &table, instrument);
            answers.instruments.insert(instrument.id.clone(), chosen);
        }
        r.finish(path)?;
        Ok(answers)
    }

    /// The choice text answered for an item.
    pub fn get(&self, instrument: &str, item: &str) -> Option<&str> {
        self.instruments
            .get(instrument)?
            .get(item)
            .map(String::as_str)
    }

    /// The instruments answered.
    pub fn instruments(&self) -> impl Iterator<Item = &str> {
        self.instruments.keys().map(String::as_str)
    }
}

const ITEM_KEYS: [&str; 2] = ["choices", "answer"];

fn read_instrument_answers(
    r: &mut Reader,
    table: &Table,
    instrument: &Instrument,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (key, value) in table.entries {
        let field = table.field(key.get_ref());
        let Some((_, item)) = instrument.item(key.get_ref()) else {
            let ids = instrument.items().map(|(_, i)| i.id.as_str());
            let hint = crate::did_you_mean(key.get_ref(), ids)
                .map(|s| format!(": did you mean {s:?}?"))
                .unwrap_or_default();
            r.issue(
                key.span().start,
                field,
                format!("unknown item of instrument {:?}{hint}", instrument.id),
            );
            continue;
        };
        let Some(it) = r.as_table(value, field.clone()) else {
            continue;
        };
        r.deny_unknown(&it, &ITEM_KEYS);
        // `choices` is there for the person answering; only its type is checked.
        let _ = r.strings(&it, "choices", false);
        let Some(answer) = it.get("answer") else {
            r.issue(it.offset, it.field("answer"), "missing answer");
            continue;
        };
        let Node::Str(given) = answer.get_ref() else {
            r.issue(
                answer.span().start,
                it.field("answer"),
                format!(
                    "expected a string (one of the choices), found {}",
                    answer.get_ref().kind()
                ),
            );
            continue;
        };
        let given = given.trim();
        if given.is_empty() {
            r.issue(
                answer.span().start,
                it.field("answer"),
                "missing answer: set it to one of the choices",
            );
            continue;
        }
        let texts = item.choices.iter().map(|c| c.text.as_str());
        let found = item.choices.iter().find(|c| c.text == given).or_else(|| {
            item.choices
                .iter()
                .find(|c| c.text.to_lowercase() == given.to_lowercase())
        });
        match found {
            Some(c) => {
                out.insert(item.id.clone(), c.text.clone());
            }
            None => {
                let hint = crate::did_you_mean(given, texts.clone())
                    .map(|s| format!(": did you mean {s:?}?"))
                    .unwrap_or_default();
                r.issue(
                    answer.span().start,
                    it.field("answer"),
                    format!(
                        "{given:?} is not one of the choices{hint} (choices: {})",
                        texts
                            .map(|t| format!("{t:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
    }
    for (_, item) in instrument.items() {
        if table.get(&item.id).is_none() {
            r.issue(
                table.offset,
                table.field(&item.id),
                "missing answer: the item is not in the file",
            );
        }
    }
    out
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn header() -> String {
    "# tce maturity assessment: answers.\n\
     # Set each `answer` to one of its `choices`, which go from the lowest level to\n\
     # the highest, then run `tce assess --answers FILE`.\n"
        .to_string()
}

fn section(instrument: &Instrument, out: &mut String) {
    let rule = "#".repeat(78);
    let levels: Vec<&str> = instrument.levels.iter().map(|l| l.name.as_str()).collect();
    let _ = writeln!(out, "\n{rule}\n# {} ({})", instrument.name, instrument.id);
    let _ = writeln!(out, "# Levels, lowest first: {}", levels.join(" → "));
    let _ = writeln!(out, "# Source: {}\n{rule}", instrument.source);
    for area in &instrument.areas {
        let _ = writeln!(out, "\n# ── {} ──", area.name);
        for item in &area.items {
            let _ = writeln!(out, "\n[{}.{}]", instrument.id, item.id);
            let _ = writeln!(out, "# {}", item.text);
            out.push_str("choices = [\n");
            for c in &item.choices {
                let level = instrument
                    .levels
                    .get(c.level)
                    .map_or("", |l| l.name.as_str());
                let _ = writeln!(out, "    {}, # {level}", quoted(&c.text));
            }
            out.push_str("]\nanswer = \"\"\n");
        }
    }
}

/// The answers template of one instrument: every item as a table with its
/// `choices` (lowest level first, each with its level in a comment) and
/// `answer = ""` to be set to one of them.
pub fn template(instrument: &Instrument) -> String {
    let mut out = header();
    section(instrument, &mut out);
    out
}

/// The answers template of every instrument in the catalog, in its order.
pub fn template_all(catalog: &Catalog) -> String {
    let mut out = header();
    for instrument in catalog.instruments() {
        section(instrument, &mut out);
    }
    out
}
