//! Business outcomes (DESIGN C10): a CSV with columns `period` (the first
//! day, YYYY-MM-DD), `brand`, `revenue` and optionally `customers` and
//! `return_visits`. One reader for `tce outcomes import` and `tce demo`.
//!
//! Like the signal readers, a bad row is a [`Reject`] with file, line and
//! reason and never stops the file; only a header without the required
//! columns is an [`IngestError`].

use crate::{IngestError, Reject};
use chrono::NaiveDate;
use std::io::Read;
use std::path::Path;
use tce_model::Model;

/// Columns an outcomes CSV must have.
pub const REQUIRED: [&str; 3] = ["period", "brand", "revenue"];
/// Columns an outcomes CSV may have.
pub const OPTIONAL: [&str; 2] = ["customers", "return_visits"];

/// A business outcome of one brand over the period starting on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Brand id of the model.
    pub brand: String,
    /// Revenue.
    pub revenue: f64,
    /// Number of customers, when known.
    pub customers: Option<f64>,
    /// Return visits, when known.
    pub return_visits: Option<f64>,
}

/// What an outcomes file held: the rows that parsed and the ones that did not.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Outcomes {
    /// Rows that parsed, in file order.
    pub rows: Vec<Outcome>,
    /// Rows that did not, with their line and reason.
    pub rejects: Vec<Reject>,
}

/// Reads an outcomes CSV file.
pub fn read_outcomes_file(path: &Path, model: &Model) -> Result<Outcomes, IngestError> {
    let file = std::fs::File::open(path)?;
    read_outcomes(
        std::io::BufReader::new(file),
        &path.display().to_string(),
        model,
    )
}

/// Reads an outcomes CSV; `source` names it in rejects.
pub fn read_outcomes<R: Read>(
    input: R,
    source: &str,
    model: &Model,
) -> Result<Outcomes, IngestError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| IngestError::CsvHeader(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(period), Some(brand), Some(revenue)) = (col("period"), col("brand"), col("revenue"))
    else {
        return Err(IngestError::OutcomesHeader { found: headers });
    };
    let (customers, visits) = (col("customers"), col("return_visits"));
    let mut out = Outcomes::default();
    for rec in rdr.records() {
        let (line, parsed) = match rec {
            Ok(rec) => {
                let line = rec.position().map_or(0, csv::Position::line);
                let row = row(&rec, (period, brand, revenue, customers, visits), model);
                (line, row.map_err(|reason| (reason, raw(&rec))))
            }
            Err(e) => (
                e.position().map_or(0, csv::Position::line),
                Err((format!("bad CSV: {e}"), String::new())),
            ),
        };
        match parsed {
            Ok(o) => out.rows.push(o),
            Err((reason, raw)) => out.rejects.push(Reject {
                source: source.to_string(),
                line,
                reason,
                raw,
            }),
        }
    }
    Ok(out)
}

type Columns = (usize, usize, usize, Option<usize>, Option<usize>);

fn row(
    rec: &csv::StringRecord,
    (period, brand, revenue, customers, visits): Columns,
    model: &Model,
) -> Result<Outcome, String> {
    let get = |c: usize| rec.get(c).unwrap_or("").trim();
    let num = |c: Option<usize>, name: &str| -> Result<Option<f64>, String> {
        match c.map(get) {
            None | Some("") => Ok(None),
            Some(v) => match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                _ => Err(format!("{name} {v:?} is not a number ≥ 0")),
            },
        }
    };
    let p = get(period);
    let period_start = NaiveDate::parse_from_str(p, "%Y-%m-%d").map_err(|_| {
        format!(
            "period {p:?} is not a day YYYY-MM-DD (the first day of the period, e.g. 2026-03-02)"
        )
    })?;
    let b = get(brand);
    let brand = model
        .resolve_brand(b)
        .ok_or_else(|| crate::record::unknown_brand(b, model))?
        .to_string();
    let revenue = num(Some(revenue), "revenue")?.ok_or("revenue is empty")?;
    Ok(Outcome {
        period_start,
        brand,
        revenue,
        customers: num(customers, "customers")?,
        return_visits: num(visits, "return_visits")?,
    })
}

fn raw(rec: &csv::StringRecord) -> String {
    rec.iter().collect::<Vec<_>>().join(",")
}
