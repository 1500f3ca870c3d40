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

/// Fill colour of a 0–100 score: red below 50, yellow at 50, green above.
pub fn score_color(score: Option<f64>) -> String {
    match score {
        None => "#e5e7eb".to_string(),
        Some(s) => {
            let t = ((s - 20.0) / 60.0).clamp(0.0, 1.0);
            let hue = 5.0 + t * 125.0;
            format!(
                "hsl({hue:.0},62%,{:.0}%)",
                62.0 + 8.0 * (1.0 - (t - 0.5).abs() * 2.0)
            )
        }
    }
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

/// A sparkline of a weekly series; gaps where a value is missing.
pub fn sparkline(title: &str, points: &[(String, Option<f64>)]) -> Markup {
    let (w, h, pad) = (160.0, 36.0, 4.0);
    let values: Vec<f64> = points.iter().filter_map(|(_, v)| *v).collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = points.len().max(2) as f64 - 1.0;
    let xy = |i: usize, v: f64| {
        (
            pad + i as f64 / n * (w - 2.0 * pad),
            h - pad - (v - lo) / span * (h - 2.0 * pad),
        )
    };
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
/// colour = score.
pub fn journey_heatmap(title: &str, columns: &[HeatColumn]) -> Markup {
    let (cw, ch, gap, head) = (168.0, 44.0, 6.0, 46.0);
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
                    (short(&col.label, 22))
                }
                text x=(f1(x + cw / 2.0)) y="36" text-anchor="middle" font-size="12" fill="#475569" {
                    "stage score " (col.score.map_or("–".to_string(), f1))
                }
                @for (j, cell) in col.cells.iter().enumerate() {
                    @let y = head + j as f64 * (ch + gap);
                    g {
                        title { (cell.tooltip) }
                        rect.pt x=(f1(x)) y=(f1(y)) width=(cw) height=(ch) rx="5"
                            fill=(score_color(cell.score)) stroke="#cbd5e1" {}
                        text x=(f1(x + 8.0)) y=(f1(y + 18.0)) font-size="12" { (short(&cell.label, 24)) }
                        text x=(f1(x + 8.0)) y=(f1(y + 35.0)) font-size="12" font-weight="600" {
                            (cell.score.map_or("no evidence".to_string(), |s| format!("TES {} · n {}", f1(s), cell.n)))
                        }
                    }
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
                    (short(c, 12))
                }
            }
            @for (i, r) in rows.iter().enumerate() {
                @let y = head + i as f64 * ch;
                text x=(f1(lw - 8.0)) y=(f1(y + ch / 2.0 + 4.0)) text-anchor="end" font-size="12" { (short(r, 24)) }
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

/// Grouped vertical bars on a 0–100 axis: one group per label, one bar per series.
pub fn grouped_bars(title: &str, groups: &[String], series: &[Series]) -> Markup {
    let (left, top, ph, bw) = (36.0, 30.0, 220.0, 16.0);
    let gw = (series.len().max(1) as f64) * bw + 18.0;
    let w = left + groups.len() as f64 * gw + 10.0;
    let h = top + ph + 46.0;
    let y = |v: f64| top + ph - v.clamp(0.0, 100.0) / 100.0 * ph;
    html! {
        svg.chart.bars xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {} {}", f1(w), f1(h)))
            width=(f1(w)) height=(f1(h)) role="img" {
            title { (title) }
            @for t in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line x1=(left) x2=(f1(w - 6.0)) y1=(f1(y(t))) y2=(f1(y(t))) stroke="#e2e8f0" {}
                text x=(f1(left - 4.0)) y=(f1(y(t) + 4.0)) text-anchor="end" font-size="10" fill="#64748b" { (t) }
            }
            @for (g, label) in groups.iter().enumerate() {
                @let gx = left + 9.0 + g as f64 * gw;
                @for (s, ser) in series.iter().enumerate() {
                    @if let Some(Some(v)) = ser.values.get(g) {
                        rect.pt x=(f1(gx + s as f64 * bw)) y=(f1(y(*v))) width=(bw - 2.0)
                            height=(f1(top + ph - y(*v))) fill=(series_color(s)) {
                            title { (ser.name) " — " (label) ": " (f1(*v)) }
                        }
                    }
                }
                text x=(f1(gx + (gw - 18.0) / 2.0)) y=(f1(top + ph + 16.0)) text-anchor="middle" font-size="11" {
                    (short(label, 18))
                }
            }
            @for (s, ser) in series.iter().enumerate() {
                @let lx = left + s as f64 * 130.0;
                rect x=(f1(lx)) y="6" width="12" height="12" fill=(series_color(s)) {}
                text x=(f1(lx + 16.0)) y="16" font-size="12" { (short(&ser.name, 16)) }
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
}

/// Importance–performance matrix: scatter with lines at the means and the
/// four quadrants labelled.
pub fn quadrant(title: &str, points: &[ScatterPoint], mean_x: f64, mean_y: f64) -> Markup {
    let (w, h, l, r, t, b) = (720.0, 440.0, 54.0, 20.0, 20.0, 44.0);
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
    html! {
        svg.chart.scatter xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {w} {h}"))
            width=(w) height=(h) role="img" {
            title { (title) }
            rect x=(l) y=(t) width=(w - l - r) height=(h - t - b) fill="#f8fafc" stroke="#cbd5e1" {}
            line x1=(f1(sx(mean_x))) x2=(f1(sx(mean_x))) y1=(t) y2=(h - b) stroke="#94a3b8" stroke-dasharray="4 3" {}
            line x1=(l) x2=(w - r) y1=(f1(sy(mean_y))) y2=(f1(sy(mean_y))) stroke="#94a3b8" stroke-dasharray="4 3" {}
            text x=(w - r - 6.0) y=(h - b - 8.0) text-anchor="end" font-size="13" fill="#b91c1c" font-weight="600" { "fix first" }
            text x=(w - r - 6.0) y=(t + 16.0) text-anchor="end" font-size="13" fill="#047857" font-weight="600" { "keep up" }
            text x=(l + 6.0) y=(h - b - 8.0) font-size="13" fill="#64748b" font-weight="600" { "low priority" }
            text x=(l + 6.0) y=(t + 16.0) font-size="13" fill="#64748b" font-weight="600" { "possible overkill" }
            text x=(f1((l + w - r) / 2.0)) y=(h - 10.0) text-anchor="middle" font-size="12" { "importance (share of total weight) →" }
            text x="14" y=(f1((t + h - b) / 2.0)) text-anchor="middle" font-size="12"
                transform=(format!("rotate(-90 14 {})", f1((t + h - b) / 2.0))) { "performance (TES) →" }
            @for p in points {
                g {
                    title { (p.tooltip) }
                    circle.pt cx=(f1(sx(p.x))) cy=(f1(sy(p.y))) r="5"
                        fill=(if p.urgent { "#dc2626" } else { "#2563eb" }) fill-opacity="0.85" {}
                    text x=(f1(sx(p.x) + 7.0)) y=(f1(sy(p.y) + 4.0)) font-size="11" fill="#334155" { (short(&p.label, 20)) }
                }
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
                    text x=(f1(lw - 8.0)) y=(f1(y + bh / 2.0 + 4.0)) text-anchor="end" font-size="12" { (short(&bar.label, 34)) }
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
    html! {
        svg.chart.intervals xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {} {}", f1(w), f1(h)))
            width=(f1(w)) height=(f1(h)) role="img" {
            title { (title) }
            line x1=(f1(sx(0.0))) x2=(f1(sx(0.0))) y1="4" y2=(f1(h - 26.0)) stroke="#94a3b8" stroke-dasharray="3 3" {}
            text x=(f1(sx(0.0))) y=(f1(h - 10.0)) text-anchor="middle" font-size="11" fill="#64748b" { "0 " (unit) }
            @for (k, it) in items.iter().enumerate() {
                @let y = 14.0 + k as f64 * rh;
                g {
                    title { (it.tooltip) }
                    text x=(f1(lw - 8.0)) y=(f1(y + 4.0)) text-anchor="end" font-size="12" { (short(&it.label, 22)) }
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
    fn colours() {
        assert_eq!(score_color(None), "#e5e7eb");
        assert!(score_color(Some(10.0)).starts_with("hsl(5,"));
        assert!(score_color(Some(95.0)).starts_with("hsl(130,"));
        assert_eq!(short("abcdef", 4), "abc…");
        assert_eq!(short("abc", 4), "abc");
    }
}
