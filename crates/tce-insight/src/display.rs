//! How figures are written, for every surface (CLI, dashboard, report): one
//! rounding rule for scores, one money format. A figure shown in two places
//! is formatted here once, so it reads the same everywhere.

/// A score 0–100 (or a score change) rounded to the 0.01 the JSON carries,
/// then to one decimal, half away from zero: 53.75 and 53.7499999 both show
/// "53.8", whichever of the two a surface holds.
pub fn score(v: f64) -> String {
    format!("{:.1}", round1(v))
}

/// [`score`] or "–" when there is none.
pub fn score_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), score)
}

/// A change in score points with its sign ("+1.3", "-0.4").
pub fn change(v: f64) -> String {
    format!("{:+.1}", round1(v))
}

/// [`change`] or "–" when there is none.
pub fn change_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), change)
}

fn round1(v: f64) -> f64 {
    let two = (v * 100.0).round() / 100.0;
    let one = (two * 10.0).round() / 10.0;
    if one == 0.0 {
        0.0
    } else {
        one
    }
}

/// A money amount, whole units with thousands separators after the currency
/// code: "USD 185,874,000", "EUR −1,000".
pub fn money(v: f64, currency: &str) -> String {
    format!("{currency} {}", grouped(v))
}

/// A whole number with thousands separators ("1,234,567"; "−1,000").
pub fn grouped(v: f64) -> String {
    let whole = if v.is_finite() { v.abs().round() } else { 0.0 };
    let digits = format!("{whole:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 && whole > 0.0 {
        format!("−{out}")
    } else {
        out
    }
}

/// A share 0–1 as a percentage with one decimal ("91.0%").
pub fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rounding_for_scores() {
        for (v, want) in [
            (53.75, "53.8"),
            (53.749_999_9, "53.8"),
            (53.744, "53.7"),
            (0.04, "0.0"),
            (100.0, "100.0"),
        ] {
            assert_eq!(score(v), want, "{v}");
        }
        assert_eq!(change(-0.04), "+0.0");
        assert_eq!(change(-1.25), "-1.3");
        assert_eq!(change(2.0), "+2.0");
    }

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(185_874_000.4, "USD"), "USD 185,874,000");
        assert_eq!(money(999.0, "USD"), "USD 999");
        assert_eq!(money(-1000.0, "EUR"), "EUR −1,000");
        assert_eq!(money(0.2, "EUR"), "EUR 0");
    }
}
