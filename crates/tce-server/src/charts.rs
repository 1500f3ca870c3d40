//! Charts as inline SVG, made on the server.
//!
//! The charts are small and specific (a journey heat-map with tooltips, a
//! quadrant with labelled regions), so they are written with the same
//! `maud` templates as the pages rather than with a plotting crate: every
//! label and tooltip goes through maud's escaping, so hostile text cannot
//! break out of an SVG `<text>` or `<title>`. Every data mark carries the
//! class `pt`, which the browser test counts.

use maud::{html, Markup};

/// One decimal, for coordinates and labels.
fn f1(x: f64) -> String {
    format!("{x:.1}")
}

/// Fill colour of a 0–100 score, as [`score_legend`] states it: red below
/// 50, green from 50, deeper the further from 50 (full depth 30 points
/// away); grey without evidence. Only two hues, so no score reads as
/// "orange" or "yellow" against a legend that names red and green.
pub fn score_color(score: Option<f64>) -> String {
    match score {
        None => "#e5e7eb".to_string(),
        Some(s) if s < 50.0 => {
            let t = ((50.0 - s) / 30.0).clamp(0.0, 1.0);
            format!("hsl(0,72%,{:.0}%)", 88.0 - 26.0 * t)
        }
        Some(s) => {
            let t = ((s - 50.0) / 30.0).clamp(0.0, 1.0);
            format!("hsl(140,48%,{:.0}%)", 88.0 - 30.0 * t)
        }
    }
}

/// The legend of [`score_color`], as HTML beside the chart.
pub fn score_legend() -> Markup {
    let swatch = |score: Option<f64>| {
        html! { span.swatch style=(format!("background:{}", score_color(score))) {} }
    };
    html! {
        p.legend {
            "Colour: " (swatch(Some(20.0))) (swatch(Some(40.0))) " red below 50 (deeper = lower) · "
            (swatch(Some(60.0))) (swatch(Some(80.0))) " green from 50 (deeper = higher) · "
            (swatch(None)) " no evidence"
        }
    }
}

/// Estimated width in px of a label in the dashboard's sans-serif font:
/// 0.6 em a character (0.65 bold), a little wider than the average glyph,
/// so labels laid out with it keep clear of each other.
pub fn text_width(label: &str, size: f64, bold: bool) -> f64 {
    label.chars().count() as f64 * size * if bold { 0.65 } else { 0.6 }
}

/// `label`, shortened with "…" to fit `max_px` (see [`text_width`]).
pub fn fit(label: &str, max_px: f64, size: f64, bold: bool) -> String {
    let per = size * if bold { 0.65 } else { 0.6 };
    short(label, ((max_px / per).floor() as usize).max(2))
}

/// `label` broken at spaces into at most `lines` lines that fit `max_px`
/// each; what does not fit the last line is shortened with "…".
pub fn wrap(label: &str, max_px: f64, size: f64, bold: bool, lines: usize) -> Vec<String> {
    let per = size * if bold { 0.65 } else { 0.6 };
    let n = ((max_px / per).floor() as usize).max(2);
    let mut out: Vec<String> = Vec::new();
    let mut words = label.split_whitespace().peekable();
    while let Some(word) = words.next() {
        if out.len() + 1 >= lines.max(1) {
            let mut rest = vec![word.to_string()];
            rest.extend(words.map(str::to_string));
            out.push(short(&rest.join(" "), n));
            return out;
        }
        let mut line = word.to_string();
        while let Some(next) = words.peek() {
            if line.chars().count() + 1 + next.chars().count() > n {
                break;
            }
            line.push(' ');
            line.push_str(next);
            words.next();
        }
        out.push(short(&line, n));
    }
    out
}

/// Tick values for an axis from `lo` to `hi`: multiples of a round step
/// (1, 2 or 5 × 10^k), about `count` of them.
pub fn ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater)
        || !lo.is_finite()
        || !hi.is_finite()
    {
        return vec![lo];
    }
    let raw = (hi - lo) / count.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A tick label: as many decimals as the step needs.
fn tick_label(v: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s.trim_start_matches(['-', '0', '.']).is_empty() {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

/// The date in a label (its first `YYYY-MM-DD`), written "5 Jan 2026".
pub fn date_of(label: &str) -> Option<String> {
    let idx: Vec<usize> = label.char_indices().map(|(i, _)| i).collect();
    idx.iter().find_map(|&i| {
        let piece = label.get(i..i + 10)?;
        // Exactly DDDD-DD-DD: chrono alone would read " 2026-02-2" (the
        // space and nine characters before the real date) as 2 February.
        let shaped = piece.bytes().enumerate().all(|(k, b)| match k {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
        if !shaped {
            return None;
        }
        chrono::NaiveDate::parse_from_str(piece, "%Y-%m-%d")
            .ok()
            .map(|d| d.format("%-d %b %Y").to_string())
    })
}

/// Fill colour of a share 0–1: white to deep blue.
pub fn share_color(share: f64) -> String {
    let t = share.clamp(0.0, 1.0).sqrt();
    format!("hsl(215,70%,{:.0}%)", 97.0 - t * 52.0)
}

/// Colours of series (brands), the own brand first.
pub const SERIES: [&str; 8] = [
    "#2563eb", "#f97316", "#10b981", "#a855f7", "#ef4444", "#0ea5e9", "#eab308", "#64748b",
];

fn series_color(i: usize) -> &'static str {
    SERIES.get(i % SERIES.len()).copied().unwrap_or("#64748b")
}

/// Shortens a label to `n` characters.
pub fn short(label: &str, n: usize) -> String {
    if label.chars().count() <= n {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(n.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// A sparkline of a weekly series; gaps where a value is missing. The
/// highest and lowest values stand at the left, the first and last dates
/// of the points' labels under the line.
pub fn sparkline(title: &str, points: &[(String, Option<f64>)]) -> Markup {
    let (w, h, left, top, bottom, right) = (210.0, 46.0, 32.0, 5.0, 31.0, 6.0);
    let values: Vec<f64> = points.iter().filter_map(|(_, v)| *v).collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = points.len().max(2) as f64 - 1.0;
    let xy = |i: usize, v: f64| {
        (
            left + i as f64 / n * (w - left - right),
            bottom - (v - lo) / span * (bottom - top),
        )
    };
    let first = points.first().and_then(|(l, _)| date_of(l));
    let last = points.last().and_then(|(l, _)| date_of(l));
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .filter_map(|(i, (_, v))| v.map(|v| xy(i, v)))
        .map(|(x, y)| format!("{},{}", f1(x), f1(y)))
        .collect();
    html! {
        svg.chart.spark xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {w} {h}"))
            width=(w) height=(h) role="img" {
            title { (title) }
            @if !values.is_empty() {
                text x=(left - 4.0) y=(f1(top + 4.0)) text-anchor="end" font-size="9" fill="#64748b" { (f1(hi)) }
                @if hi > lo { text x=(left - 4.0) y=(f1(bottom + 2.0)) text-anchor="end" font-size="9" fill="#64748b" { (f1(lo)) } }
            }
            line x1=(left) x2=(w - right) y1=(bottom + 3.0) y2=(bottom + 3.0) stroke="#e2e8f0" {}
            @if let Some(d) = &first { text x=(left) y=(h - 3.0) font-size="9" fill="#64748b" { (d) } }
            @if points.len() > 1 { @if let Some(d) = &last { text x=(w - right) y=(h - 3.0) text-anchor="end" font-size="9" fill="#64748b" { (d) } } }
            polyline points=(path.join(" ")) fill="none" stroke="#2563eb" stroke-width="1.5" {}
            @for (i, (label, v)) in points.iter().enumerate() {
                @if let Some(v) = v {
                    @let (x, y) = xy(i, *v);
                    circle.pt cx=(f1(x)) cy=(f1(y)) r="2" fill="#2563eb" {
                        title { (label) ": " (f1(*v)) }
                    }
                }
            }
        }
    }
}

/// A cell of the journey heat-map.
#[derive(Debug, Clone)]
pub struct HeatCell {
    /// Label shown in the cell.
    pub label: String,
    /// Score 0–100 (colour); `None` when there is no evidence.
    pub score: Option<f64>,
    /// Signals behind the score.
    pub n: u64,
    /// Tooltip.
    pub tooltip: String,
    /// Where a click on the cell goes (the signals behind it).
    pub href: Option<String>,
}

/// A column of the journey heat-map: a stage and its touchpoints.
#[derive(Debug, Clone)]
pub struct HeatColumn {
    /// Stage label.
    pub label: String,
    /// Stage score (shown under the label).
    pub score: Option<f64>,
    /// Touchpoint cells, top to bottom.
    pub cells: Vec<HeatCell>,
}

/// The journey map: stages left to right, their touchpoints top to bottom,
/// colour = score ([`score_legend`]). Long names wrap onto two lines and are
/// shortened past that; the full name is in the cell's tooltip.
pub fn journey_heatmap(title: &str, columns: &[HeatColumn]) -> Markup {
    let (cw, ch, gap, head) = (168.0, 58.0, 6.0, 46.0);
    let rows = columns
        .iter()
        .map(|c| c.cells.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let w = columns.len().max(1) as f64 * (cw + gap) + gap;
    let h = head + rows as f64 * (ch + gap) + gap;
    html! {
        svg.chart.heat xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {} {}", f1(w), f1(h)))
            width=(f1(w)) height=(f1(h)) role="img" {
            title { (title) }
            @for (i, col) in columns.iter().enumerate() {
                @let x = gap + i as f64 * (cw + gap);
                text x=(f1(x + cw / 2.0)) y="18" text-anchor="middle" font-weight="600" font-size="13" {
                    title { (col.label) }
                    (fit(&col.label, cw - 8.0, 13.0, true))
                }
                text x=(f1(x + cw / 2.0)) y="36" text-anchor="middle" font-size="12" fill="#475569" {
                    "stage score " (col.score.map_or("–".to_string(), tce_insight::display::score))
                }
                @for (j, cell) in col.cells.iter().enumerate() {
                    @let y = head + j as f64 * (ch + gap);
                    @let tile = html! {
                        g {
                            title { (cell.tooltip) }
                            rect.pt x=(f1(x)) y=(f1(y)) width=(cw) height=(ch) rx="5"
                                fill=(score_color(cell.score)) stroke="#cbd5e1" {}
                            @for (k, line) in wrap(&cell.label, cw - 16.0, 12.0, false, 2).iter().enumerate() {
                                text x=(f1(x + 8.0)) y=(f1(y + 17.0 + k as f64 * 15.0)) font-size="12" { (line) }
                            }
                            text x=(f1(x + 8.0)) y=(f1(y + 50.0)) font-size="12" font-weight="600" {
                                (cell.score.map_or("no evidence".to_string(), |s| format!("TES {} · n {}", tce_insight::display::score(s), cell.n)))
                            }
                        }
                    };
                    @if let Some(href) = &cell.href { a href=(href) { (tile) } } @else { (tile) }
                }
            }
        }
    }
}

/// A matrix of shares (0–1): rows × columns, colour = share.
pub fn share_matrix(
    title: &str,
    rows: &[String],
    cols: &[String],
    value: impl Fn(usize, usize) -> Option<f64>,
    tooltip: impl Fn(usize, usize) -> String,
) -> Markup {
    let (lw, cw, ch, head) = (170.0, 92.0, 34.0, 40.0);
    let w = lw + cols.len() as f64 * cw + 8.0;
    let h = head + rows.len() as f64 * ch + 8.0;
    html! {
        svg.chart.matrix xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {} {}", f1(w), f1(h)))
            width=(f1(w)) height=(f1(h)) role="img" {
            title { (title) }
            @for (j, c) in cols.iter().enumerate() {
                text x=(f1(lw + j as f64 * cw + cw / 2.0)) y="26" text-anchor="middle" font-size="12" font-weight="600" {
                    title { (c) }
                    (fit(c, cw - 6.0, 12.0, true))
                }
            }
            @for (i, r) in rows.iter().enumerate() {
                @let y = head + i as f64 * ch;
                text x=(f1(lw - 8.0)) y=(f1(y + ch / 2.0 + 4.0)) text-anchor="end" font-size="12" { title { (r) } (fit(r, lw - 14.0, 12.0, false)) }
                @for (j, _) in cols.iter().enumerate() {
                    @let x = lw + j as f64 * cw;
                    @let v = value(i, j);
                    g {
                        title { (tooltip(i, j)) }
                        rect.pt x=(f1(x + 1.0)) y=(f1(y + 1.0)) width=(cw - 2.0) height=(ch - 2.0)
                            fill=(v.map_or("#f1f5f9".to_string(), share_color)) {}
                        text x=(f1(x + cw / 2.0)) y=(f1(y + ch / 2.0 + 4.0)) text-anchor="middle" font-size="12"
                            fill=(if v.unwrap_or(0.0) > 0.45 { "#fff" } else { "#0f172a" }) {
                            (v.map_or("–".to_string(), |v| format!("{:.0}%", v * 100.0)))
                        }
                    }
                }
            }
        }
    }
}

/// A series of grouped bars.
#[derive(Debug, Clone)]
pub struct Series {
    /// Name in the legend.
    pub name: String,
    /// One value per group (`None` = no bar).
    pub values: Vec<Option<f64>>,
}

/// Grouped vertical bars on a 0–100 axis: one group per label, one bar per
/// series. The legend wraps onto more rows when the names need it; group
/// labels wrap onto two lines.
pub fn grouped_bars(title: &str, groups: &[String], series: &[Series]) -> Markup {
    let (left, ph, bw) = (48.0, 220.0, 16.0);
    let gw = (series.len().max(1) as f64 * bw + 18.0).max(104.0);
    let w = (left + groups.len() as f64 * gw + 10.0).max(360.0);
    // Legend: items left to right, a new row when the next one would not fit.
    let mut legend: Vec<(f64, f64, String)> = Vec::new();
    let (mut lx, mut ly) = (left, 6.0);
    for ser in series {
        let name = fit(&ser.name, 220.0, 12.0, false);
        let iw = 16.0 + text_width(&name, 12.0, false) + 18.0;
        if lx + iw > w - 6.0 && lx > left {
            lx = left;
            ly += 18.0;
        }
        legend.push((lx, ly, name));
        lx += iw;
    }
    let top = ly + 30.0;
    let h = top + ph + 52.0;
    let y = |v: f64| top + ph - v.clamp(0.0, 100.0) / 100.0 * ph;
    html! {
        svg.chart.bars xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {} {}", f1(w), f1(h)))
            width=(f1(w)) height=(f1(h)) role="img" {
            title { (title) }
            @for t in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line x1=(left) x2=(f1(w - 6.0)) y1=(f1(y(t))) y2=(f1(y(t))) stroke="#e2e8f0" {}
                text x=(f1(left - 4.0)) y=(f1(y(t) + 4.0)) text-anchor="end" font-size="10" fill="#64748b" { (t) }
            }
            text x="12" y=(f1(top + ph / 2.0)) text-anchor="middle" font-size="11" fill="#475569"
                transform=(format!("rotate(-90 12 {})", f1(top + ph / 2.0))) { "score (0–100)" }
            @for (g, label) in groups.iter().enumerate() {
                @let gx = left + g as f64 * gw + (gw - series.len() as f64 * bw) / 2.0;
                @for (s, ser) in series.iter().enumerate() {
                    @if let Some(Some(v)) = ser.values.get(g) {
                        rect.pt x=(f1(gx + s as f64 * bw)) y=(f1(y(*v))) width=(bw - 2.0)
                            height=(f1(top + ph - y(*v))) fill=(series_color(s)) {
                            title { (ser.name) " — " (label) ": " (f1(*v)) }
                        }
                    }
                }
                g {
                    title { (label) }
                    @for (k, line) in wrap(label, gw - 8.0, 11.0, false, 2).iter().enumerate() {
                        text x=(f1(left + g as f64 * gw + gw / 2.0)) y=(f1(top + ph + 16.0 + k as f64 * 14.0))
                            text-anchor="middle" font-size="11" { (line) }
                    }
                }
            }
            @for (s, (lx, ly, name)) in legend.iter().enumerate() {
                rect x=(f1(*lx)) y=(f1(*ly)) width="12" height="12" fill=(series_color(s)) {}
                text x=(f1(lx + 16.0)) y=(f1(ly + 10.0)) font-size="12" { (name) }
            }
        }
    }
}

/// A point of the importance–performance scatter.
#[derive(Debug, Clone)]
pub struct ScatterPoint {
    /// Short label drawn beside the point.
    pub label: String,
    /// Importance (x).
    pub x: f64,
    /// Performance (y, 0–100).
    pub y: f64,
    /// Tooltip.
    pub tooltip: String,
    /// In the fix-first quadrant (drawn red).
    pub urgent: bool,
    /// Where a click on the point goes (the signals behind it).
    pub href: Option<String>,
}

/// A box in chart coordinates: x0, y0, x1, y1.
type Rect = (f64, f64, f64, f64);

fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// The box of a text of `size` px with its baseline at `y`, starting at `x`
/// (`anchor` start), ending at it (end) or centred on it (middle).
fn text_box(x: f64, y: f64, width: f64, size: f64, anchor: &str) -> Rect {
    let x0 = match anchor {
        "end" => x - width,
        "middle" => x - width / 2.0,
        _ => x,
    };
    (x0, y - size, x0 + width, y + size * 0.35)
}

/// A label placed beside a point: position, anchor and text.
struct Placed {
    x: f64,
    y: f64,
    anchor: &'static str,
    text: String,
}

/// Places labels beside points so that none overlaps another, a point or
/// a fixed box (`taken`), and all stay inside `inside`: for each point the
/// first free position of eight (right, left, above, below, the corners),
/// then of the rows two and three above and below, with the full label,
/// then shortened ones; a label with no free place is left out (the point's
/// tooltip and the table still name it).
fn place_labels(
    points: &[(f64, f64, String)],
    size: f64,
    inside: Rect,
    mut taken: Vec<Rect>,
) -> Vec<Option<Placed>> {
    let r = 6.0;
    taken.extend(points.iter().map(|(x, y, _)| (x - r, y - r, x + r, y + r)));
    let mut out = Vec::with_capacity(points.len());
    for (px, py, label) in points {
        let mut chosen = None;
        'texts: for text in [label.clone(), short(label, 16), short(label, 10)] {
            let tw = text_width(&text, size, false);
            let mut candidates: Vec<(f64, f64, &'static str)> = vec![
                (px + 8.0, py + size * 0.35, "start"),
                (px - 8.0, py + size * 0.35, "end"),
                (*px, py - 8.0, "middle"),
                (*px, py + 8.0 + size, "middle"),
                (px + 6.0, py - 6.0, "start"),
                (px + 6.0, py + 6.0 + size, "start"),
                (px - 6.0, py - 6.0, "end"),
                (px - 6.0, py + 6.0 + size, "end"),
            ];
            // Then further away, a row at a time, on either side.
            for k in [2.0, -2.0, 3.0, -3.0] {
                let y = py + size * 0.35 + k * (size + 2.0);
                candidates.push((px + 8.0, y, "start"));
                candidates.push((px - 8.0, y, "end"));
            }
            for (x, y, anchor) in candidates {
                let b = text_box(x, y, tw, size, anchor);
                let within =
                    b.0 >= inside.0 && b.1 >= inside.1 && b.2 <= inside.2 && b.3 <= inside.3;
                let own = (px - r, py - r, px + r, py + r);
                if within && !taken.iter().any(|t| *t != own && overlaps(*t, b)) {
                    taken.push(b);
                    chosen = Some(Placed {
                        x,
                        y,
                        anchor,
                        text: text.clone(),
                    });
                    break 'texts;
                }
            }
        }
        out.push(chosen);
    }
    out
}

/// Importance–performance matrix: scatter with lines at the means, the four
/// quadrants named (standard IPA: concentrate here = "fix first", keep up
/// the good work, possible overkill, low priority), axes with ticks, labels
/// placed so they neither overlap nor leave the plot.
pub fn quadrant(title: &str, points: &[ScatterPoint], mean_x: f64, mean_y: f64) -> Markup {
    let (w, h, l, r, t, b) = (760.0, 460.0, 62.0, 24.0, 22.0, 54.0);
    let max_x = points
        .iter()
        .map(|p| p.x)
        .fold(mean_x * 2.0, f64::max)
        .max(1e-9)
        * 1.08;
    let (min_y, max_y) = points
        .iter()
        .fold((mean_y - 5.0, mean_y + 5.0), |(lo, hi), p| {
            (lo.min(p.y), hi.max(p.y))
        });
    let (min_y, max_y) = ((min_y - 3.0).max(0.0), (max_y + 3.0).min(100.0));
    let sx = |x: f64| l + x / max_x * (w - l - r);
    let sy = |y: f64| t + (max_y - y) / (max_y - min_y).max(1e-9) * (h - t - b);
    let xt = ticks(0.0, max_x * 100.0, 6);
    let xstep = xt.get(1).zip(xt.first()).map_or(1.0, |(a, b)| a - b);
    let yt = ticks(min_y, max_y, 6);
    let ystep = yt.get(1).zip(yt.first()).map_or(1.0, |(a, b)| a - b);
    let corners = [
        (w - r - 6.0, h - b - 8.0, "end", "fix first", "#b91c1c"),
        (
            w - r - 6.0,
            t + 16.0,
            "end",
            "keep up the good work",
            "#047857",
        ),
        (l + 6.0, h - b - 8.0, "start", "low priority", "#64748b"),
        (l + 6.0, t + 16.0, "start", "possible overkill", "#64748b"),
    ];
    let taken: Vec<Rect> = corners
        .iter()
        .map(|(x, y, a, s, _)| text_box(*x, *y, text_width(s, 13.0, true), 13.0, a))
        .collect();
    let at: Vec<(f64, f64, String)> = points
        .iter()
        .map(|p| (sx(p.x), sy(p.y), p.label.clone()))
        .collect();
    let labels = place_labels(
        &at,
        11.0,
        (l + 2.0, t + 2.0, w - r - 2.0, h - b - 2.0),
        taken,
    );
    html! {
        svg.chart.scatter xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {w} {h}"))
            width=(w) height=(h) role="img" {
            title { (title) }
            rect x=(l) y=(t) width=(w - l - r) height=(h - t - b) fill="#f8fafc" stroke="#cbd5e1" {}
            @for v in &xt {
                line x1=(f1(sx(v / 100.0))) x2=(f1(sx(v / 100.0))) y1=(h - b) y2=(h - b + 4.0) stroke="#94a3b8" {}
                text x=(f1(sx(v / 100.0))) y=(h - b + 16.0) text-anchor="middle" font-size="10" fill="#64748b" { (tick_label(*v, xstep)) "%" }
            }
            @for v in &yt {
                line x1=(l - 4.0) x2=(l) y1=(f1(sy(*v))) y2=(f1(sy(*v))) stroke="#94a3b8" {}
                text x=(l - 6.0) y=(f1(sy(*v) + 3.5)) text-anchor="end" font-size="10" fill="#64748b" { (tick_label(*v, ystep)) }
            }
            line x1=(f1(sx(mean_x))) x2=(f1(sx(mean_x))) y1=(t) y2=(h - b) stroke="#94a3b8" stroke-dasharray="4 3" {}
            line x1=(l) x2=(w - r) y1=(f1(sy(mean_y))) y2=(f1(sy(mean_y))) stroke="#94a3b8" stroke-dasharray="4 3" {}
            @for (x, y, anchor, label, colour) in corners {
                text x=(f1(x)) y=(f1(y)) text-anchor=(anchor) font-size="13" fill=(colour) font-weight="600" { (label) }
            }
            text x=(f1((l + w - r) / 2.0)) y=(h - 12.0) text-anchor="middle" font-size="12" { "importance (share of the total weight, %) →" }
            text x="16" y=(f1((t + h - b) / 2.0)) text-anchor="middle" font-size="12"
                transform=(format!("rotate(-90 16 {})", f1((t + h - b) / 2.0))) { "performance (TES, 0–100) →" }
            @for (p, placed) in points.iter().zip(&labels) {
                @let mark = html! {
                    g {
                        title { (p.tooltip) }
                        circle.pt cx=(f1(sx(p.x))) cy=(f1(sy(p.y))) r="5"
                            fill=(if p.urgent { "#dc2626" } else { "#2563eb" }) fill-opacity="0.85" {}
                        @if let Some(pl) = placed {
                            text x=(f1(pl.x)) y=(f1(pl.y)) text-anchor=(pl.anchor) font-size="11" fill="#334155" { (pl.text) }
                        }
                    }
                };
                @if let Some(href) = &p.href { a href=(href) { (mark) } } @else { (mark) }
            }
        }
    }
}

/// A horizontal bar.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Label at the left.
    pub label: String,
    /// Length.
    pub value: f64,
    /// Text at the bar's end.
    pub value_label: String,
    /// Tooltip.
    pub tooltip: String,
}

/// Horizontal bars scaled to the largest value.
pub fn hbars(title: &str, bars: &[Bar]) -> Markup {
    let (lw, bw, bh) = (230.0, 380.0, 24.0);
    let w = lw + bw + 110.0;
    let h = bars.len() as f64 * (bh + 6.0) + 10.0;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max).max(1e-9);
    html! {
        svg.chart.hbars xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {} {}", f1(w), f1(h)))
            width=(f1(w)) height=(f1(h)) role="img" {
            title { (title) }
            @for (i, bar) in bars.iter().enumerate() {
                @let y = 6.0 + i as f64 * (bh + 6.0);
                @let len = (bar.value.max(0.0) / max * bw).max(1.0);
                g {
                    title { (bar.tooltip) }
                    text x=(f1(lw - 8.0)) y=(f1(y + bh / 2.0 + 4.0)) text-anchor="end" font-size="12" { (fit(&bar.label, lw - 14.0, 12.0, false)) }
                    rect.pt x=(lw) y=(f1(y)) width=(f1(len)) height=(bh) rx="3" fill="#2563eb" {}
                    text x=(f1(lw + len + 6.0)) y=(f1(y + bh / 2.0 + 4.0)) font-size="12" { (bar.value_label) }
                }
            }
        }
    }
}

/// An estimate with its interval.
#[derive(Debug, Clone)]
pub struct Interval {
    /// Label at the left.
    pub label: String,
    /// Point estimate.
    pub estimate: f64,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
    /// Tooltip.
    pub tooltip: String,
}

/// Point estimates with whiskers for their intervals, on an axis through 0.
pub fn intervals(title: &str, unit: &str, items: &[Interval]) -> Markup {
    let (lw, pw, rh) = (150.0, 460.0, 34.0);
    let w = lw + pw + 80.0;
    let h = items.len() as f64 * rh + 40.0;
    let lo = items.iter().map(|i| i.lo).fold(0.0, f64::min);
    let hi = items.iter().map(|i| i.hi).fold(0.0, f64::max);
    let span = (hi - lo).max(1e-9) * 1.1;
    let base = lo - (span / 1.1 - (hi - lo)).max(0.0) / 2.0 - span * 0.05;
    let sx = |v: f64| lw + (v - base) / span * pw;
    let axis = ticks(base, base + span, 6);
    let step = axis.get(1).zip(axis.first()).map_or(1.0, |(a, b)| a - b);
    html! {
        svg.chart.intervals xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {} {}", f1(w), f1(h)))
            width=(f1(w)) height=(f1(h)) role="img" {
            title { (title) }
            line x1=(f1(sx(0.0))) x2=(f1(sx(0.0))) y1="4" y2=(f1(h - 26.0)) stroke="#94a3b8" stroke-dasharray="3 3" {}
            line x1=(lw) x2=(f1(lw + pw)) y1=(f1(h - 26.0)) y2=(f1(h - 26.0)) stroke="#94a3b8" {}
            @for v in &axis {
                line x1=(f1(sx(*v))) x2=(f1(sx(*v))) y1=(f1(h - 26.0)) y2=(f1(h - 22.0)) stroke="#94a3b8" {}
                text x=(f1(sx(*v))) y=(f1(h - 10.0)) text-anchor="middle" font-size="10" fill="#64748b" { (tick_label(*v, step)) (unit) }
            }
            @for (k, it) in items.iter().enumerate() {
                @let y = 14.0 + k as f64 * rh;
                g {
                    title { (it.tooltip) }
                    text x=(f1(lw - 8.0)) y=(f1(y + 4.0)) text-anchor="end" font-size="12" { (fit(&it.label, lw - 14.0, 12.0, false)) }
                    line x1=(f1(sx(it.lo))) x2=(f1(sx(it.hi))) y1=(f1(y)) y2=(f1(y)) stroke="#1e3a8a" stroke-width="2" {}
                    line x1=(f1(sx(it.lo))) x2=(f1(sx(it.lo))) y1=(f1(y - 6.0)) y2=(f1(y + 6.0)) stroke="#1e3a8a" stroke-width="2" {}
                    line x1=(f1(sx(it.hi))) x2=(f1(sx(it.hi))) y1=(f1(y - 6.0)) y2=(f1(y + 6.0)) stroke="#1e3a8a" stroke-width="2" {}
                    circle.pt cx=(f1(sx(it.estimate))) cy=(f1(y)) r="5" fill="#2563eb" {}
                    text x=(f1(sx(it.hi) + 8.0)) y=(f1(y + 4.0)) font-size="11" fill="#334155" {
                        (format!("{:+.2}{unit}", it.estimate))
                    }
                }
            }
        }
    }
}

/// A sentiment gauge −1…1 for one signal, its text in the tooltip.
pub fn sentiment_gauge(compound: f64, tooltip: &str) -> Markup {
    let (w, h) = (80.0, 12.0);
    let mid = w / 2.0;
    let x = mid + compound.clamp(-1.0, 1.0) * mid;
    let (left, width) = if x < mid {
        (x, mid - x)
    } else {
        (mid, x - mid)
    };
    let fill = if compound >= 0.05 {
        "#10b981"
    } else if compound <= -0.05 {
        "#ef4444"
    } else {
        "#94a3b8"
    };
    html! {
        svg.gauge xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {w} {h}")) width=(w) height=(h) role="img" {
            title { (tooltip) }
            rect x="0" y="0" width=(w) height=(h) fill="#f1f5f9" {}
            rect.pt x=(f1(left)) y="1" width=(f1(width.max(1.0))) height=(h - 2.0) fill=(fill) {}
            line x1=(mid) x2=(mid) y1="0" y2=(h) stroke="#475569" {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "</svg><script>alert(\"x\")</script>'&";

    #[test]
    fn labels_and_tooltips_are_escaped() {
        let charts = [
            sparkline(
                HOSTILE,
                &[(HOSTILE.into(), Some(1.0)), (HOSTILE.into(), Some(2.0))],
            ),
            journey_heatmap(
                HOSTILE,
                &[HeatColumn {
                    label: HOSTILE.into(),
                    score: Some(40.0),
                    cells: vec![HeatCell {
                        label: HOSTILE.into(),
                        score: Some(40.0),
                        n: 3,
                        tooltip: HOSTILE.into(),
                        href: Some(HOSTILE.into()),
                    }],
                }],
            ),
            share_matrix(
                HOSTILE,
                &[HOSTILE.into()],
                &[HOSTILE.into()],
                |_, _| Some(0.5),
                |_, _| HOSTILE.into(),
            ),
            grouped_bars(
                HOSTILE,
                &[HOSTILE.into()],
                &[Series {
                    name: HOSTILE.into(),
                    values: vec![Some(50.0)],
                }],
            ),
            quadrant(
                HOSTILE,
                &[ScatterPoint {
                    label: HOSTILE.into(),
                    x: 0.1,
                    y: 50.0,
                    tooltip: HOSTILE.into(),
                    urgent: true,
                    href: Some(HOSTILE.into()),
                }],
                0.1,
                50.0,
            ),
            hbars(
                HOSTILE,
                &[Bar {
                    label: HOSTILE.into(),
                    value: 1.0,
                    value_label: HOSTILE.into(),
                    tooltip: HOSTILE.into(),
                }],
            ),
            intervals(
                HOSTILE,
                "%",
                &[Interval {
                    label: HOSTILE.into(),
                    estimate: 1.0,
                    lo: 0.5,
                    hi: 1.5,
                    tooltip: HOSTILE.into(),
                }],
            ),
            sentiment_gauge(-0.5, HOSTILE),
        ];
        for c in charts {
            let s = c.into_string();
            assert_eq!(s.matches("</svg>").count(), 1, "{s}");
            assert!(!s.contains("<script"), "{s}");
            assert!(s.contains("&lt;/svg&gt;&lt;script&gt;"), "{s}");
            assert!(s.contains("class=\"pt\""), "{s}");
        }
    }

    #[test]
    fn colours_match_the_legend() {
        // The legend says red below 50, green from 50: one hue each side.
        assert_eq!(score_color(None), "#e5e7eb");
        for (score, hue) in [
            (0.0, "hsl(0,"),
            (29.4, "hsl(0,"),
            (49.9, "hsl(0,"),
            (50.0, "hsl(140,"),
            (53.7, "hsl(140,"),
            (100.0, "hsl(140,"),
        ] {
            assert!(
                score_color(Some(score)).starts_with(hue),
                "{score}: {}",
                score_color(Some(score))
            );
        }
        // Deeper the further from 50.
        assert_ne!(score_color(Some(29.4)), score_color(Some(45.0)));
        assert_eq!(short("abcdef", 4), "abc…");
        assert_eq!(short("abc", 4), "abc");
    }

    #[test]
    fn long_names_wrap_instead_of_being_cut() {
        let check = |label: &str, px: f64, lines: usize, expect: &[&str]| {
            assert_eq!(wrap(label, px, 12.0, false, lines), expect, "{label}");
        };
        check(
            "Fares, deals & promotions",
            152.0,
            2,
            &["Fares, deals &", "promotions"],
        );
        check("Baggage", 152.0, 2, &["Baggage"]);
        check(
            "Seats & cabin product",
            152.0,
            2,
            &["Seats & cabin product"],
        );
        check(
            "a very long touchpoint name that will never fit two lines",
            100.0,
            2,
            &["a very long", "touchpoint n…"],
        );
        check("one two three", 40.0, 1, &["one …"]);
    }

    #[test]
    fn trend_dates_come_from_the_label_whole() {
        assert_eq!(
            date_of("week of 2026-02-23 (partial)").as_deref(),
            Some("23 Feb 2026")
        );
        assert_eq!(date_of("2026-08-24").as_deref(), Some("24 Aug 2026"));
        assert_eq!(date_of("week 9"), None);
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(ticks(0.0, 100.0, 4), vec![0.0, 50.0, 100.0]);
        assert_eq!(ticks(31.0, 72.0, 5), vec![40.0, 50.0, 60.0, 70.0]);
        assert_eq!(ticks(0.0, 16.2, 6), vec![0.0, 5.0, 10.0, 15.0]);
        assert_eq!(tick_label(0.05, 0.05), "0.05");
        assert_eq!(tick_label(-0.0, 1.0), "0");
    }

    #[test]
    fn quadrant_labels_do_not_overlap_or_leave_the_plot() {
        // Eight touchpoints on top of each other, one at the right edge.
        let mut points: Vec<(f64, f64, String)> = (0..8)
            .map(|i| {
                (
                    300.0 + i as f64 * 3.0,
                    200.0 + i as f64 * 2.0,
                    format!("Touchpoint number {i}"),
                )
            })
            .collect();
        points.push((695.0, 100.0, "Seats & cabin product".into()));
        let inside = (60.0, 20.0, 736.0, 406.0);
        let placed = place_labels(&points, 11.0, inside, Vec::new());
        let boxes: Vec<Rect> = placed
            .iter()
            .flatten()
            .map(|p| text_box(p.x, p.y, text_width(&p.text, 11.0, false), 11.0, p.anchor))
            .collect();
        assert!(
            boxes.len() >= 5,
            "most labels find a place: {}",
            boxes.len()
        );
        for (i, a) in boxes.iter().enumerate() {
            assert!(
                a.0 >= inside.0 && a.2 <= inside.2 && a.1 >= inside.1 && a.3 <= inside.3,
                "{a:?}"
            );
            for b in &boxes[i + 1..] {
                assert!(!overlaps(*a, *b), "{a:?} overlaps {b:?}");
            }
        }
        // The one at the edge keeps its whole name, on its left.
        let edge = placed[8].as_ref().expect("placed");
        assert_eq!(
            (edge.text.as_str(), edge.anchor),
            ("Seats & cabin product", "end")
        );
    }
}
