//! Advocacy and ideas in SQLite (migration 0009).
//!
//! Author aggregates are numeric columns (migration 0011: written for
//! every author of every batch, so kept narrow); centroids are JSON in
//! their rows (their shape is `tce_advocacy`'s). Batch reads look keys up in fixed-size
//! chunks (padded by repeating the last key) so each statement is prepared
//! once per connection. Times are unix seconds.

use super::care::Tx;
use super::read::parse_day;
use crate::advocacy::{
    AdvocacyTx, AdvocateQuery, AuthorKey, AuthorRow, AuthorState, Idea, IdeaEvent, IdeaQuery,
    IdeaSignal, IdeaStatusCount, Moment, MomentCount, MomentQuery, NetRow, PeriodKey,
};
use crate::StoreError;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};
use rusqlite::{Statement, ToSql};
use std::collections::BTreeMap;
use tce_advocacy::{AuthorAggregate, Centroid, IdeaStatus, MomentKind, MomentStatus, PeriodCounts};

/// Keys per batch lookup.
const CHUNK: usize = 128;

fn corrupt(table: &'static str, column: &'static str, value: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table,
        column,
        value: value.to_string(),
    }
}

fn time(table: &'static str, column: &'static str, s: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(s, 0).ok_or_else(|| corrupt(table, column, s))
}

fn opt_time(
    table: &'static str,
    column: &'static str,
    s: Option<i64>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    s.map(|s| time(table, column, s)).transpose()
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn to_json<T: serde::Serialize>(table: &'static str, v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| corrupt(table, "json", e))
}

fn from_json<T: serde::de::DeserializeOwned>(
    table: &'static str,
    column: &'static str,
    s: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|_| corrupt(table, column, s))
}

/// Runs `sql` (with `?1` the fixed value and `?2…` the chunk's keys) over
/// `keys` in chunks of [`CHUNK`], padding the last chunk.
fn chunked<T>(
    conn: &Connection,
    sql_head: &str,
    sql_tail: &str,
    fixed: &[&dyn ToSql],
    keys: &[&str],
    mut each: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    if keys.is_empty() {
        return Ok(out);
    }
    let marks: Vec<String> = (0..CHUNK)
        .map(|i| format!("?{}", fixed.len() + i + 1))
        .collect();
    let sql = format!("{sql_head} ({}) {sql_tail}", marks.join(", "));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut vals: Vec<&dyn ToSql> = Vec::with_capacity(fixed.len() + CHUNK);
    for chunk in keys.chunks(CHUNK) {
        vals.clear();
        vals.extend_from_slice(fixed);
        for i in 0..CHUNK {
            let k = chunk.get(i).unwrap_or(&chunk[chunk.len() - 1]);
            vals.push(k);
        }
        let mut rows = stmt.query(vals.as_slice())?;
        while let Some(r) = rows.next()? {
            out.push(each(r)?);
        }
    }
    Ok(out)
}

fn group<K: Ord + Clone, V: Clone>(items: impl Iterator<Item = (K, V)>) -> BTreeMap<K, Vec<V>> {
    let mut m: BTreeMap<K, Vec<V>> = BTreeMap::new();
    for (k, v) in items {
        m.entry(k).or_default().push(v);
    }
    m
}

/// Columns an author row is written with ([`author_insert_sql`]).
const AUTHOR_WRITE_COLUMNS: usize = 22;

/// `INSERT OR REPLACE` of one author row, [`AUTHOR_WRITE_COLUMNS`] values.
fn author_insert_sql() -> String {
    let marks: Vec<String> = (1..=AUTHOR_WRITE_COLUMNS)
        .map(|c| format!("?{c}"))
        .collect();
    format!(
        "INSERT OR REPLACE INTO advocacy_authors (brand, author, signals, positive, negative, \
         complaints, churn, praise, recommends, experience_sum, followers, positive_days, \
         last_positive_day, first_at, last_at, class, base_score, period, p_signals, p_positive, \
         p_negative, p_churn) VALUES ({})",
        marks.join(", ")
    )
}

/// An author row's values as written (what is not a plain column of the
/// state computed once).
struct AuthorValues<'a> {
    brand: &'a str,
    author: &'a str,
    g: &'a AuthorAggregate,
    followers: i64,
    first_at: Option<i64>,
    last_at: Option<i64>,
    class: &'static str,
    base_score: f64,
    period: Option<String>,
    p: PeriodCounts,
}

impl<'a> AuthorValues<'a> {
    fn of(
        brand: &'a str,
        author: &'a str,
        state: &'a AuthorState,
        period: Option<String>,
    ) -> AuthorValues<'a> {
        let g = &state.aggregate;
        AuthorValues {
            brand,
            author,
            g,
            followers: g.followers.min(i64::MAX as u64) as i64,
            first_at: g.first_at.map(|t| t.timestamp()),
            last_at: g.last_at.map(|t| t.timestamp()),
            class: g.class().as_str(),
            base_score: g.base_score(),
            period,
            p: state.period.map(|(_, p)| p).unwrap_or_default(),
        }
    }

    /// Binds the row's values from parameter `at` on (one-based), in the
    /// order of [`author_insert_sql`]'s columns.
    fn bind(&self, stmt: &mut Statement<'_>, at: usize) -> Result<(), StoreError> {
        for (i, p) in self.params().into_iter().enumerate() {
            stmt.raw_bind_parameter(at + i, p)?;
        }
        Ok(())
    }

    fn params(&self) -> [&dyn ToSql; AUTHOR_WRITE_COLUMNS] {
        let g = self.g;
        [
            &self.brand,
            &self.author,
            &g.signals,
            &g.positive,
            &g.negative,
            &g.complaints,
            &g.churn,
            &g.praise,
            &g.recommends,
            &g.experience_sum,
            &self.followers,
            &g.positive_days,
            &g.last_positive_day,
            &self.first_at,
            &self.last_at,
            &self.class,
            &self.base_score,
            &self.period,
            &self.p.signals,
            &self.p.positive,
            &self.p.negative,
            &self.p.churn,
        ]
    }
}

/// The columns [`author_state`] reads, in its order.
const AUTHOR_COLUMNS: &str =
    "brand, author, signals, positive, negative, complaints, churn, praise, \
     recommends, experience_sum, followers, positive_days, last_positive_day, first_at, last_at, \
     period, p_signals, p_positive, p_negative, p_churn";

fn author_state(r: &Row<'_>) -> Result<AuthorState, StoreError> {
    const T: &str = "advocacy_authors";
    let period: Option<String> = r.get(15)?;
    let aggregate = AuthorAggregate {
        signals: r.get(2)?,
        positive: r.get(3)?,
        negative: r.get(4)?,
        complaints: r.get(5)?,
        churn: r.get(6)?,
        praise: r.get(7)?,
        recommends: r.get(8)?,
        experience_sum: r.get(9)?,
        followers: r.get::<_, i64>(10)?.max(0) as u64,
        positive_days: r.get(11)?,
        last_positive_day: r.get(12)?,
        first_at: opt_time(T, "first_at", r.get(13)?)?,
        last_at: opt_time(T, "last_at", r.get(14)?)?,
    };
    let period = match period {
        Some(p) => Some((
            parse_day(T, "period", &p)?,
            PeriodCounts {
                signals: r.get(16)?,
                positive: r.get(17)?,
                negative: r.get(18)?,
                churn: r.get(19)?,
            },
        )),
        None => None,
    };
    Ok(AuthorState { aggregate, period })
}

const IDEA_COLUMNS: &str = "id, brand, own, label, centroid, volume, reach, first_seen, last_seen, \
     sentiment_sum, touchpoints, rep_channel, rep_id, rep_text, status, shipped_at, merged_into, version";

fn idea(r: &Row<'_>) -> Result<Idea, StoreError> {
    let centroid: String = r.get(4)?;
    let touchpoints: String = r.get(10)?;
    let status: String = r.get(14)?;
    Ok(Idea {
        id: r.get(0)?,
        brand: r.get(1)?,
        own: r.get::<_, i64>(2)? != 0,
        label: r.get(3)?,
        centroid: from_json::<Centroid>("ideas", "centroid", &centroid)?,
        volume: r.get::<_, i64>(5)?.max(0) as u64,
        reach: r.get::<_, i64>(6)?.max(0) as u64,
        first_seen: time("ideas", "first_seen", r.get(7)?)?,
        last_seen: time("ideas", "last_seen", r.get(8)?)?,
        sentiment_sum: r.get(9)?,
        touchpoints: from_json("ideas", "touchpoints", &touchpoints)?,
        representative: (r.get(11)?, r.get(12)?, r.get(13)?),
        status: status
            .parse::<IdeaStatus>()
            .map_err(|_| corrupt("ideas", "status", &status))?,
        shipped_at: opt_time("ideas", "shipped_at", r.get(15)?)?,
        merged_into: r.get(16)?,
        version: r.get::<_, i64>(17)?.max(0) as u64,
    })
}

const MOMENT_COLUMNS: &str = "id, brand, author, channel, external_id, kind, case_id, department, \
     text, status, created_at, sent_at, closed_at, shared_channel, shared_id";

fn moment(r: &Row<'_>) -> Result<Moment, StoreError> {
    let kind: String = r.get(5)?;
    let status: String = r.get(9)?;
    let shared_channel: Option<String> = r.get(13)?;
    let shared_id: Option<String> = r.get(14)?;
    Ok(Moment {
        id: r.get(0)?,
        brand: r.get(1)?,
        author: r.get(2)?,
        channel: r.get(3)?,
        external_id: r.get(4)?,
        kind: kind
            .parse::<MomentKind>()
            .map_err(|_| corrupt("moments", "kind", &kind))?,
        case_id: r.get::<_, Option<i64>>(6)?.map(|c| c.max(0) as u64),
        department: r.get(7)?,
        text: r.get(8)?,
        status: status
            .parse::<MomentStatus>()
            .map_err(|_| corrupt("moments", "status", &status))?,
        created_at: time("moments", "created_at", r.get(10)?)?,
        sent_at: opt_time("moments", "sent_at", r.get(11)?)?,
        closed_at: opt_time("moments", "closed_at", r.get(12)?)?,
        shared_by: shared_channel.zip(shared_id),
    })
}

fn write_idea(conn: &Connection, i: &mut Idea) -> Result<(), StoreError> {
    let centroid = to_json("ideas", &i.centroid)?;
    let touchpoints = to_json("ideas", &i.touchpoints)?;
    let vals = params![
        i.brand,
        i64::from(i.own),
        i.label,
        centroid,
        i.volume as i64,
        i.reach as i64,
        i.first_seen.timestamp(),
        i.last_seen.timestamp(),
        i.sentiment_sum,
        touchpoints,
        i.representative.0,
        i.representative.1,
        i.representative.2,
        i.status.as_str(),
        i.shipped_at.map(|t| t.timestamp()),
        i.merged_into,
        i.version as i64,
    ];
    if i.id == 0 {
        conn.prepare_cached(
            "INSERT INTO ideas (brand, own, label, centroid, volume, reach, first_seen, last_seen, \
             sentiment_sum, touchpoints, rep_channel, rep_id, rep_text, status, shipped_at, merged_into, version) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        )?
        .execute(vals)?;
        i.id = conn.last_insert_rowid();
    } else {
        let mut stmt = conn.prepare_cached(
            "UPDATE ideas SET brand = ?1, own = ?2, label = ?3, centroid = ?4, volume = ?5, reach = ?6, \
             first_seen = ?7, last_seen = ?8, sentiment_sum = ?9, touchpoints = ?10, rep_channel = ?11, \
             rep_id = ?12, rep_text = ?13, status = ?14, shipped_at = ?15, merged_into = ?16, version = ?17 \
             WHERE id = ?18",
        )?;
        let mut v: Vec<Value> = vec![
            i.brand.clone().into(),
            i64::from(i.own).into(),
            i.label.clone().into(),
            centroid.into(),
            (i.volume as i64).into(),
            (i.reach as i64).into(),
            i.first_seen.timestamp().into(),
            i.last_seen.timestamp().into(),
            i.sentiment_sum.into(),
            touchpoints.into(),
            i.representative.0.clone().into(),
            i.representative.1.clone().into(),
            i.representative.2.clone().into(),
            i.status.as_str().to_string().into(),
        ];
        v.push(i.shipped_at.map(|t| t.timestamp()).into());
        v.push(i.merged_into.into());
        v.push((i.version as i64).into());
        v.push(i.id.into());
        stmt.execute(params_from_iter(v))?;
    }
    Ok(())
}

fn insert_idea_events(conn: &Connection, events: &[IdeaEvent]) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO idea_events (idea_id, at, actor, kind, from_status, to_status, note, other_idea) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for e in events {
        stmt.execute(params![
            e.idea,
            e.at.timestamp(),
            e.actor,
            e.kind,
            e.from.map(|s| s.as_str()),
            e.to.map(|s| s.as_str()),
            e.note,
            e.other,
        ])?;
    }
    Ok(())
}

impl AdvocacyTx for Tx<'_> {
    fn author_aggregates(
        &mut self,
        keys: &[AuthorKey],
    ) -> Result<Vec<(AuthorKey, AuthorAggregate)>, StoreError> {
        Ok(self
            .author_states(keys)?
            .into_iter()
            .map(|(k, s)| (k, s.aggregate))
            .collect())
    }

    fn author_states(
        &mut self,
        keys: &[AuthorKey],
    ) -> Result<Vec<(AuthorKey, AuthorState)>, StoreError> {
        let keys: Vec<(&str, &str)> = keys.iter().map(|(b, a)| (b.as_str(), a.as_str())).collect();
        self.author_states_of(&keys)
    }

    fn author_states_of(
        &mut self,
        keys: &[(&str, &str)],
    ) -> Result<Vec<(AuthorKey, AuthorState)>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for (brand, authors) in group(keys.iter().copied()) {
            let rows = chunked(
                self.conn,
                &format!(
                    "SELECT {AUTHOR_COLUMNS} FROM advocacy_authors WHERE brand = ?1 AND author IN"
                ),
                "",
                &[&brand],
                &authors,
                |r| Ok((r.get::<_, String>(1)?, author_state(r)?)),
            )?;
            out.extend(rows.into_iter().map(|(a, g)| ((brand.to_string(), a), g)));
        }
        Ok(out)
    }

    fn save_author_states(&mut self, rows: &[(AuthorKey, AuthorState)]) -> Result<(), StoreError> {
        let rows: Vec<(&str, &str, &AuthorState)> = rows
            .iter()
            .map(|((b, a), s)| (b.as_str(), a.as_str(), s))
            .collect();
        self.save_author_states_of(&rows)
    }

    fn save_author_states_of(
        &mut self,
        rows: &[(&str, &str, &AuthorState)],
    ) -> Result<(), StoreError> {
        // A month's text once per distinct month, not once per row.
        let mut days: Vec<(NaiveDate, String)> = Vec::new();
        let values: Vec<AuthorValues<'_>> = rows
            .iter()
            .map(|&(brand, author, state)| {
                let period = state
                    .period
                    .map(|(d, _)| match days.iter().find(|(x, _)| *x == d) {
                        Some((_, s)) => s.clone(),
                        None => {
                            let s = day(d);
                            days.push((d, s.clone()));
                            s
                        }
                    });
                AuthorValues::of(brand, author, state, period)
            })
            .collect();
        // One row a statement: a multi-row INSERT OR REPLACE needs a
        // statement journal (measured: every page it changes copied to the
        // sub-journal), which costs more than the statements it saves.
        let mut stmt = self.conn.prepare_cached(&author_insert_sql())?;
        for v in &values {
            v.bind(&mut stmt, 1)?;
            stmt.raw_execute()?;
        }
        Ok(())
    }

    fn archived_periods(
        &mut self,
        keys: &[PeriodKey],
    ) -> Result<Vec<(PeriodKey, PeriodCounts)>, StoreError> {
        let keys: Vec<(&str, &str, NaiveDate)> = keys
            .iter()
            .map(|(b, a, p)| (b.as_str(), a.as_str(), *p))
            .collect();
        self.archived_periods_of(&keys)
    }

    fn archived_periods_of(
        &mut self,
        keys: &[(&str, &str, NaiveDate)],
    ) -> Result<Vec<(PeriodKey, PeriodCounts)>, StoreError> {
        let mut out = Vec::new();
        let groups = group(keys.iter().map(|&(b, a, p)| ((b, p), a)));
        for ((brand, period), authors) in groups {
            let rows = chunked(
                self.conn,
                "SELECT author, signals, positive, negative, churn FROM advocacy_periods \
                 WHERE brand = ?1 AND period = ?2 AND author IN",
                "",
                &[&brand, &day(period)],
                &authors,
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        PeriodCounts {
                            signals: r.get(1)?,
                            positive: r.get(2)?,
                            negative: r.get(3)?,
                            churn: r.get(4)?,
                        },
                    ))
                },
            )?;
            out.extend(
                rows.into_iter()
                    .map(|(a, g)| ((brand.to_string(), a, period), g)),
            );
        }
        Ok(out)
    }

    fn save_archived_periods(
        &mut self,
        rows: &[(PeriodKey, PeriodCounts)],
    ) -> Result<(), StoreError> {
        let rows: Vec<(&str, &str, NaiveDate, PeriodCounts)> = rows
            .iter()
            .map(|((b, a, d), p)| (b.as_str(), a.as_str(), *d, *p))
            .collect();
        self.save_archived_periods_of(&rows)
    }

    fn save_archived_periods_of(
        &mut self,
        rows: &[(&str, &str, NaiveDate, PeriodCounts)],
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT OR REPLACE INTO advocacy_periods (brand, period, author, signals, positive, \
             negative, churn) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut days: Option<(NaiveDate, String)> = None;
        for (brand, author, period, p) in rows {
            let d = match &days {
                Some((x, s)) if x == period => s.clone(),
                _ => {
                    let s = day(*period);
                    days = Some((*period, s.clone()));
                    s
                }
            };
            stmt.execute(params![
                brand, d, author, p.signals, p.positive, p.negative, p.churn
            ])?;
        }
        Ok(())
    }

    fn add_net_counts(
        &mut self,
        deltas: &[((String, NaiveDate), [i64; 3])],
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO advocacy_net (brand, period, eligible, advocates, detractors) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (brand, period) DO UPDATE SET eligible = eligible + excluded.eligible, \
             advocates = advocates + excluded.advocates, detractors = detractors + excluded.detractors",
        )?;
        for ((brand, period), [e, a, d]) in deltas {
            stmt.execute(params![brand, day(*period), e, a, d])?;
        }
        Ok(())
    }

    fn ideas_of(&mut self, brands: &[String]) -> Result<Vec<Idea>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {IDEA_COLUMNS} FROM ideas WHERE brand = ?1 AND merged_into IS NULL ORDER BY id"
        ))?;
        let mut out = Vec::new();
        for b in brands {
            let mut rows = stmt.query([b])?;
            while let Some(r) = rows.next()? {
                out.push(idea(r)?);
            }
        }
        Ok(out)
    }

    fn save_ideas(&mut self, ideas: &mut [Idea]) -> Result<(), StoreError> {
        for i in ideas {
            write_idea(self.conn, i)?;
        }
        Ok(())
    }

    fn add_idea_signals(&mut self, rows: &[IdeaSignal]) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT OR IGNORE INTO idea_signals (channel, external_id, idea_id, at, terms) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for s in rows {
            stmt.execute(params![
                s.channel,
                s.external_id,
                s.idea,
                s.at.timestamp(),
                s.terms.join(" ")
            ])?;
        }
        Ok(())
    }

    fn open_moments(&mut self, keys: &[AuthorKey]) -> Result<Vec<Moment>, StoreError> {
        let keys: Vec<(&str, &str)> = keys.iter().map(|(b, a)| (b.as_str(), a.as_str())).collect();
        self.open_moments_of(&keys)
    }

    fn open_moments_of(&mut self, keys: &[(&str, &str)]) -> Result<Vec<Moment>, StoreError> {
        let mut out = Vec::new();
        for (brand, authors) in group(keys.iter().copied()) {
            out.extend(chunked(
                self.conn,
                &format!(
                    "SELECT {MOMENT_COLUMNS} FROM moments WHERE status IN ('new', 'sent') AND brand = ?1 AND author IN"
                ),
                "",
                &[&brand],
                &authors,
                moment,
            )?);
        }
        out.sort_by_key(|m| m.id);
        out.dedup_by_key(|m| m.id);
        Ok(out)
    }

    fn save_moments(&mut self, moments: &[Moment]) -> Result<(), StoreError> {
        save_moments(self.conn, moments)
    }
}

fn save_moments(conn: &Connection, moments: &[Moment]) -> Result<(), StoreError> {
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO moments (brand, author, channel, external_id, kind, case_id, department, text, \
         status, created_at, sent_at, closed_at, shared_channel, shared_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    let mut update = conn.prepare_cached(
        "UPDATE moments SET status = ?1, sent_at = ?2, closed_at = ?3, shared_channel = ?4, shared_id = ?5 \
         WHERE id = ?6",
    )?;
    for m in moments {
        let (sc, si) = match &m.shared_by {
            Some((c, i)) => (Some(c.as_str()), Some(i.as_str())),
            None => (None, None),
        };
        if m.id == 0 {
            insert.execute(params![
                m.brand,
                m.author,
                m.channel,
                m.external_id,
                m.kind.as_str(),
                m.case_id.map(|c| c as i64),
                m.department,
                m.text,
                m.status.as_str(),
                m.created_at.timestamp(),
                m.sent_at.map(|t| t.timestamp()),
                m.closed_at.map(|t| t.timestamp()),
                sc,
                si,
            ])?;
        } else {
            update.execute(params![
                m.status.as_str(),
                m.sent_at.map(|t| t.timestamp()),
                m.closed_at.map(|t| t.timestamp()),
                sc,
                si,
                m.id
            ])?;
        }
    }
    Ok(())
}

pub(super) fn advocates(
    conn: &Connection,
    q: &AdvocateQuery,
) -> Result<Vec<AuthorRow>, StoreError> {
    let limit = if q.limit == 0 {
        50
    } else {
        q.limit.min(10_000)
    } as i64;
    let order = if q.ascending { "ASC" } else { "DESC" };
    // Only authors with a class are ranked (the partial indexes' rows).
    let sql = match &q.brand {
        Some(_) => format!(
            "SELECT {AUTHOR_COLUMNS} FROM advocacy_authors WHERE brand = ?1 AND signals >= 2 \
             ORDER BY base_score {order}, author LIMIT ?2"
        ),
        None => format!(
            "SELECT {AUTHOR_COLUMNS} FROM advocacy_authors WHERE signals >= 2 \
             ORDER BY base_score {order}, brand, author LIMIT ?2"
        ),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let brand = q.brand.clone().unwrap_or_default();
    let mut rows = stmt.query(params![brand, limit])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(AuthorRow {
            brand: r.get(0)?,
            author: r.get(1)?,
            aggregate: author_state(r)?.aggregate,
        });
    }
    Ok(out)
}

pub(super) fn author(
    conn: &Connection,
    brand: &str,
    author: &str,
) -> Result<Option<AuthorAggregate>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {AUTHOR_COLUMNS} FROM advocacy_authors WHERE brand = ?1 AND author = ?2"
    ))?;
    super::first_row(&mut stmt, params![brand, author], |r| {
        Ok(author_state(r)?.aggregate)
    })
}

pub(super) fn net_advocacy(
    conn: &Connection,
    brand: Option<&str>,
) -> Result<Vec<NetRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT brand, period, eligible, advocates, detractors FROM advocacy_net \
         WHERE ?1 IS NULL OR brand = ?1 ORDER BY brand, period",
    )?;
    let mut rows = stmt.query([brand])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let p: String = r.get(1)?;
        out.push(NetRow {
            brand: r.get(0)?,
            period: parse_day("advocacy_net", "period", &p)?,
            eligible: r.get::<_, i64>(2)?.max(0) as u64,
            advocates: r.get::<_, i64>(3)?.max(0) as u64,
            detractors: r.get::<_, i64>(4)?.max(0) as u64,
        });
    }
    Ok(out)
}

pub(super) fn ideas(conn: &Connection, q: &IdeaQuery) -> Result<Vec<Idea>, StoreError> {
    let limit = if q.limit == 0 {
        200
    } else {
        q.limit.min(10_000)
    } as i64;
    let statuses: Vec<&str> = q.statuses.iter().map(|s| s.as_str()).collect();
    let status_list = if statuses.is_empty() {
        String::new()
    } else {
        format!(
            " AND status IN ({})",
            statuses
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let sql = format!(
        "SELECT {IDEA_COLUMNS} FROM ideas WHERE merged_into IS NULL AND (?1 IS NULL OR brand = ?1) \
         AND (?2 IS NULL OR own = ?2){status_list} ORDER BY volume DESC, id LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![q.brand, q.own.map(i64::from), limit])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(idea(r)?);
    }
    Ok(out)
}

pub(super) fn idea_by_id(conn: &Connection, id: i64) -> Result<Option<Idea>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {IDEA_COLUMNS} FROM ideas WHERE id = ?1"))?;
    super::first_row(&mut stmt, [id], idea)
}

pub(super) fn idea_signals(
    conn: &Connection,
    id: i64,
    limit: usize,
) -> Result<Vec<IdeaSignal>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT channel, external_id, idea_id, at, terms FROM idea_signals WHERE idea_id = ?1 \
         ORDER BY at DESC LIMIT ?2",
    )?;
    let mut rows = stmt.query(params![id, limit.max(1) as i64])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let terms: String = r.get(4)?;
        out.push(IdeaSignal {
            channel: r.get(0)?,
            external_id: r.get(1)?,
            idea: r.get(2)?,
            at: time("idea_signals", "at", r.get(3)?)?,
            terms: terms.split_whitespace().map(str::to_string).collect(),
        });
    }
    Ok(out)
}

pub(super) fn idea_events(conn: &Connection, id: i64) -> Result<Vec<IdeaEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT idea_id, at, actor, kind, from_status, to_status, note, other_idea FROM idea_events \
         WHERE idea_id = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([id])?;
    let mut out = Vec::new();
    let status = |s: Option<String>| -> Result<Option<IdeaStatus>, StoreError> {
        s.map(|s| s.parse().map_err(|_| corrupt("idea_events", "status", &s)))
            .transpose()
    };
    while let Some(r) = rows.next()? {
        out.push(IdeaEvent {
            idea: r.get(0)?,
            at: time("idea_events", "at", r.get(1)?)?,
            actor: r.get(2)?,
            kind: r.get(3)?,
            from: status(r.get(4)?)?,
            to: status(r.get(5)?)?,
            note: r.get(6)?,
            other: r.get(7)?,
        });
    }
    Ok(out)
}

fn check_version(conn: &Connection, id: i64, expected: u64) -> Result<(), StoreError> {
    let current: Option<i64> = conn
        .prepare_cached("SELECT version FROM ideas WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    match current {
        None => Err(StoreError::NoSuchRecord { what: "idea", id }),
        Some(v) if v as u64 != expected => Err(StoreError::StaleRecord {
            what: "idea",
            id,
            expected,
            current: v.max(0) as u64,
        }),
        Some(_) => Ok(()),
    }
}

/// Stores a user's change to ideas (each against the version they saw) with
/// its events, and moves suggestions between them (`moves`: from idea, to
/// idea), in one transaction.
pub(super) fn change_ideas(
    conn: &mut Connection,
    ideas: &[(Idea, u64)],
    events: &[IdeaEvent],
    moves: &[(i64, i64)],
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    for (i, expected) in ideas {
        if i.id != 0 {
            check_version(&tx, i.id, *expected)?;
        }
    }
    let mut stored = Vec::new();
    for (i, _) in ideas {
        let mut i = i.clone();
        write_idea(&tx, &mut i)?;
        stored.push(i);
    }
    for (from, to) in moves {
        tx.execute(
            "UPDATE idea_signals SET idea_id = ?2 WHERE idea_id = ?1",
            params![from, to],
        )?;
    }
    insert_idea_events(&tx, events)?;
    tx.commit()?;
    Ok(())
}

pub(super) fn moments(conn: &Connection, q: &MomentQuery) -> Result<Vec<Moment>, StoreError> {
    let limit = if q.limit == 0 {
        100
    } else {
        q.limit.min(10_000)
    } as i64;
    let mut sql = format!("SELECT {MOMENT_COLUMNS} FROM moments WHERE (?1 IS NULL OR brand = ?1)");
    if !q.statuses.is_empty() {
        let list: Vec<String> = q
            .statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        sql.push_str(&format!(" AND status IN ({})", list.join(", ")));
    }
    let mut vals: Vec<Value> = vec![q.brand.clone().into(), limit.into()];
    if let Some(deps) = &q.departments {
        let marks: Vec<String> = (0..deps.len()).map(|i| format!("?{}", i + 3)).collect();
        if marks.is_empty() {
            return Ok(Vec::new());
        }
        sql.push_str(&format!(" AND department IN ({})", marks.join(", ")));
        vals.extend(deps.iter().map(|d| Value::from(d.clone())));
    }
    sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?2");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(vals))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(moment(r)?);
    }
    Ok(out)
}

pub(super) fn moment_by_id(conn: &Connection, id: i64) -> Result<Option<Moment>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {MOMENT_COLUMNS} FROM moments WHERE id = ?1"
    ))?;
    super::first_row(&mut stmt, [id], moment)
}

/// Stores a moment's new status if it still has `expected` (else stale).
pub(super) fn update_moment(
    conn: &mut Connection,
    m: &Moment,
    expected: MomentStatus,
) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    let current: Option<String> = tx
        .prepare_cached("SELECT status FROM moments WHERE id = ?1")?
        .query_row([m.id], |r| r.get(0))
        .optional()?;
    match current {
        None => {
            return Err(StoreError::NoSuchRecord {
                what: "moment",
                id: m.id,
            })
        }
        Some(s) if s != expected.as_str() => {
            return Err(StoreError::StaleRecord {
                what: "moment",
                id: m.id,
                expected: 0,
                current: 0,
            })
        }
        Some(_) => {}
    }
    save_moments(&tx, std::slice::from_ref(m))?;
    tx.commit()?;
    Ok(())
}

pub(super) fn moment_counts(conn: &Connection) -> Result<Vec<MomentCount>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT channel, strftime('%Y-%m-01', created_at, 'unixepoch') AS month, status, count(*) \
         FROM moments GROUP BY channel, month, status ORDER BY channel, month, status",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let p: String = r.get(1)?;
        let s: String = r.get(2)?;
        out.push(MomentCount {
            channel: r.get(0)?,
            period: parse_day("moments", "period", &p)?,
            status: s.parse().map_err(|_| corrupt("moments", "status", &s))?,
            count: r.get::<_, i64>(3)?.max(0) as u64,
        });
    }
    Ok(out)
}

pub(super) fn author_class_counts(
    conn: &Connection,
    class: tce_advocacy::AuthorClass,
) -> Result<Vec<(String, u64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT brand, count(*) FROM advocacy_authors INDEXED BY advocacy_authors_class \
         WHERE class = ?1 AND signals >= 2 GROUP BY brand ORDER BY brand",
    )?;
    let mut rows = stmt.query([class.as_str()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64));
    }
    Ok(out)
}

pub(super) fn idea_status_counts(conn: &Connection) -> Result<Vec<IdeaStatusCount>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT own, status, count(*) FROM ideas INDEXED BY ideas_status \
         WHERE merged_into IS NULL GROUP BY own, status ORDER BY own, status",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let s: String = r.get(1)?;
        out.push(IdeaStatusCount {
            own: r.get::<_, i64>(0)? != 0,
            status: s.parse().map_err(|_| corrupt("ideas", "status", &s))?,
            count: r.get::<_, i64>(2)?.max(0) as u64,
        });
    }
    Ok(out)
}

/// Splits suggestions off an idea into a new one (see `Store::split_idea`).
pub(super) fn split_idea(
    conn: &mut Connection,
    source: &Idea,
    expected: u64,
    part: &Idea,
    signals: &[(String, String)],
    events: &[IdeaEvent],
) -> Result<i64, StoreError> {
    let tx = conn.transaction()?;
    check_version(&tx, source.id, expected)?;
    let mut s = source.clone();
    write_idea(&tx, &mut s)?;
    let mut p = part.clone();
    p.id = 0;
    write_idea(&tx, &mut p)?;
    {
        let mut stmt = tx.prepare_cached(
            "UPDATE idea_signals SET idea_id = ?4 \
             WHERE channel = ?1 AND external_id = ?2 AND idea_id = ?3",
        )?;
        for (channel, external_id) in signals {
            if stmt.execute(params![channel, external_id, source.id, p.id])? != 1 {
                // Moved away (or never there) since the caller read the idea.
                return Err(StoreError::StaleRecord {
                    what: "idea",
                    id: source.id,
                    expected,
                    current: expected,
                });
            }
        }
    }
    let new_id = |id: i64| if id == 0 { p.id } else { id };
    let events: Vec<IdeaEvent> = events
        .iter()
        .map(|e| IdeaEvent {
            idea: new_id(e.idea),
            other: e.other.map(new_id),
            ..e.clone()
        })
        .collect();
    insert_idea_events(&tx, &events)?;
    tx.commit()?;
    Ok(p.id)
}

/// Retention (inside `purge_before`'s transaction, after the signals went):
/// the moments and idea suggestions of signals created before `cutoff_ts`
/// go with them; an idea whose representative post was purged takes its
/// oldest remaining suggestion instead (an empty text when none remains).
/// Ideas keep their counts, like a rollup of what customers asked.
/// Returns the moments deleted.
pub(super) fn purge_before(conn: &Connection, cutoff_ts: i64) -> Result<u64, StoreError> {
    conn.execute("DELETE FROM moments WHERE created_at < ?1", [cutoff_ts])?;
    // An author's standing is personal data derived from their signals:
    // when none of them is left, it goes too; archived months that ended
    // before the cutoff go for everyone (a standing still in use keeps its
    // totals, which name no signal).
    let authors = conn.execute(
        "DELETE FROM advocacy_authors WHERE last_at < ?1",
        [cutoff_ts],
    )?;
    let month = DateTime::from_timestamp(cutoff_ts, 0)
        .map(tce_advocacy::score::month_of)
        .unwrap_or_default();
    conn.execute(
        "DELETE FROM advocacy_periods WHERE period < ?1",
        [day(month)],
    )?;
    conn.execute("DELETE FROM idea_signals WHERE at < ?1", [cutoff_ts])?;
    let orphaned: Vec<i64> = conn
        .prepare(
            "SELECT id FROM ideas WHERE rep_text != '' AND NOT EXISTS \
             (SELECT 1 FROM signals s WHERE s.channel = ideas.rep_channel AND s.external_id = ideas.rep_id)",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut oldest = conn.prepare(
        "SELECT s.channel, s.external_id, s.text FROM idea_signals i \
         JOIN signals s ON s.channel = i.channel AND s.external_id = i.external_id \
         WHERE i.idea_id = ?1 ORDER BY i.at, i.channel, i.external_id LIMIT 1",
    )?;
    for id in orphaned {
        let rep: Option<(String, String, String)> = oldest
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        match rep {
            Some((channel, external_id, text)) => conn.execute(
                "UPDATE ideas SET rep_channel = ?2, rep_id = ?3, rep_text = ?4 WHERE id = ?1",
                params![id, channel, external_id, text],
            )?,
            None => conn.execute("UPDATE ideas SET rep_text = '' WHERE id = ?1", [id])?,
        };
    }
    Ok(authors as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn state(n: u32) -> AuthorState {
        let at = Utc.with_ymd_and_hms(2026, 3, 1 + n % 20, 9, 0, 0).unwrap();
        AuthorState {
            aggregate: AuthorAggregate {
                signals: 1 + n % 4,
                positive: n % 3,
                negative: n % 2,
                complaints: n % 5,
                churn: u32::from(n.is_multiple_of(7)),
                praise: n % 2,
                recommends: n % 3,
                experience_sum: f64::from(n) / 8.0,
                followers: u64::from(n) * 10,
                positive_days: n % 3,
                last_positive_day: (!n.is_multiple_of(3)).then_some(20_000 + n as i32),
                first_at: Some(at),
                last_at: Some(at),
            },
            period: match n % 3 {
                0 => None,
                1 => Some((
                    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                    PeriodCounts {
                        signals: n % 4,
                        positive: 1,
                        negative: 0,
                        churn: n % 2,
                    },
                )),
                _ => Some((
                    NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
                    PeriodCounts::default(),
                )),
            },
        }
    }

    /// Rows written read back as written, and writing them again replaces
    /// them.
    #[test]
    fn author_states_written_read_back() {
        let store = crate::SqliteStore::open_in_memory().unwrap();
        let mut tx = Tx {
            conn: &store.conn,
            next_id: None,
            aggregates: Default::default(),
        };
        let n = 75;
        let mut rows: Vec<(AuthorKey, AuthorState)> = (0..n)
            .map(|i| {
                let key = (format!("b{}", i % 2), format!("a{i:03}"));
                (key, state(i))
            })
            .collect();
        for round in 0..2 {
            tx.save_author_states(&rows).unwrap();
            let keys: Vec<AuthorKey> = rows.iter().map(|(k, _)| k.clone()).collect();
            let mut got = tx.author_states(&keys).unwrap();
            got.sort_by(|a, b| a.0.cmp(&b.0));
            let mut want = rows.clone();
            want.sort_by(|a, b| a.0.cmp(&b.0));
            assert_eq!(got, want, "round {round}");
            for (i, (_, s)) in rows.iter_mut().enumerate() {
                *s = state(i as u32 + 5);
            }
        }
        let count: i64 = store
            .conn
            .query_row("SELECT count(*) FROM advocacy_authors", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, i64::from(n));
    }
}
