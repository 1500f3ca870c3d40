//! Headline KPIs from rating counts (issue 10 §4): Net Promoter Score and
//! CSAT, each with its n and a 95 % interval.
//!
//! - **NPS** on the 0–10 likelihood-to-recommend scale: the share of
//!   promoters (9–10) minus the share of detractors (0–6), in points
//!   (−100…100). Its interval is the normal one of a difference of two
//!   shares of one multinomial sample: with shares `p` (promoters) and `d`
//!   (detractors), `Var(p − d) = (p + d − (p − d)²) / n`.
//! - **CSAT** on five-point scales: the top-two-box share (4–5) in percent,
//!   with the Wilson score interval (correct near 0 and 100 %, unlike the
//!   normal one).
//!
//! Pure: counts in, figures out.

use serde::Serialize;

/// The normal quantile of a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Counts of ratings on one scale: all, top box, bottom box.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BoxCounts {
    /// Ratings.
    pub n: u64,
    /// In the top box (promoters on 0–10, 4–5 on five points).
    pub top: u64,
    /// In the bottom box (detractors on 0–10, 1–2 on five points).
    pub bottom: u64,
}

impl BoxCounts {
    /// Adds `o` into `self`.
    pub fn add(&mut self, o: &BoxCounts) {
        self.n += o.n;
        self.top += o.top;
        self.bottom += o.bottom;
    }
}

/// A KPI value with its interval, both on the KPI's own scale (points).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The KPI.
    pub value: f64,
    /// 95 % interval.
    pub ci: [f64; 2],
    /// Ratings behind it.
    pub n: u64,
}

/// The Wilson score interval of a share `k / n` (as fractions 0…1).
pub fn wilson(k: u64, n: u64, z: f64) -> Option<[f64; 2]> {
    if n == 0 || k > n {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    Some([(centre - half).max(0.0), (centre + half).min(1.0)])
}

/// Net Promoter Score of counts on the 0–10 scale (`top` = promoters,
/// `bottom` = detractors); `None` without ratings.
pub fn nps(c: &BoxCounts) -> Option<Estimate> {
    if c.n == 0 || c.top + c.bottom > c.n {
        return None;
    }
    let n = c.n as f64;
    let (p, d) = (c.top as f64 / n, c.bottom as f64 / n);
    let diff = p - d;
    let se = ((p + d - diff * diff).max(0.0) / n).sqrt();
    Some(Estimate {
        value: 100.0 * diff,
        ci: [
            (100.0 * (diff - Z95 * se)).max(-100.0),
            (100.0 * (diff + Z95 * se)).min(100.0),
        ],
        n: c.n,
    })
}

/// CSAT of counts on a five-point scale: the top-two-box share in percent
/// with its Wilson interval; `None` without ratings.
pub fn csat(c: &BoxCounts) -> Option<Estimate> {
    let [lo, hi] = wilson(c.top, c.n, Z95)?;
    Some(Estimate {
        value: 100.0 * c.top as f64 / c.n as f64,
        ci: [100.0 * lo, 100.0 * hi],
        n: c.n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn nps_of_hand_counted_answers() {
        // 10 answers: 9, 10, 10, 9, 8, 7, 6, 3, 0, 10 → 5 promoters, 3
        // detractors: NPS = 50 − 30 = 20. p = .5, d = .3:
        // Var = (.8 − .04) / 10 = .076, se = .27568, ± 1.96·se = ± 54.03 pts.
        let e = nps(&BoxCounts {
            n: 10,
            top: 5,
            bottom: 3,
        })
        .unwrap();
        assert!(close(e.value, 20.0));
        let half = 100.0 * Z95 * (0.076f64).sqrt();
        assert!(
            close(e.ci[0], 20.0 - half) && close(e.ci[1], 20.0 + half),
            "{e:?}"
        );
        assert!((half - 54.03).abs() < 0.01);
        // All promoters: 100 with no spread, never beyond the scale.
        let all = nps(&BoxCounts {
            n: 4,
            top: 4,
            bottom: 0,
        })
        .unwrap();
        assert_eq!((all.value, all.ci), (100.0, [100.0, 100.0]));
        assert_eq!(nps(&BoxCounts::default()), None);
    }

    #[test]
    fn csat_uses_wilson_intervals() {
        // 8 of 10 in the top two boxes: 80 %, Wilson [49.0 %, 94.3 %].
        let e = csat(&BoxCounts {
            n: 10,
            top: 8,
            bottom: 1,
        })
        .unwrap();
        assert!(close(e.value, 80.0));
        assert!(
            (e.ci[0] - 49.02).abs() < 0.01 && (e.ci[1] - 94.33).abs() < 0.01,
            "{e:?}"
        );
        // 0 of 5: the interval still has width (Wald's would be [0, 0]).
        let none = csat(&BoxCounts {
            n: 5,
            top: 0,
            bottom: 5,
        })
        .unwrap();
        assert_eq!(none.value, 0.0);
        assert!(none.ci[0] == 0.0 && none.ci[1] > 40.0, "{none:?}");
        assert_eq!(csat(&BoxCounts::default()), None);
    }
}
