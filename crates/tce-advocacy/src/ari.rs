//! The adjusted Rand index (Hubert and Arabie, 1985) between two
//! clusterings of the same items: 1 for identical partitions, about 0 for
//! chance agreement. Tests score idea clusters against planted themes.

use std::collections::HashMap;
use std::hash::Hash;

fn pairs(n: u64) -> f64 {
    (n as f64) * (n as f64 - 1.0) / 2.0
}

/// ARI of two labelings of the same items (`a[i]` and `b[i]` label item
/// `i`); `None` if the lengths differ or there are fewer than two items.
pub fn adjusted_rand_index<A: Eq + Hash, B: Eq + Hash>(a: &[A], b: &[B]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 2 {
        return None;
    }
    let mut table: HashMap<(&A, &B), u64> = HashMap::new();
    let mut rows: HashMap<&A, u64> = HashMap::new();
    let mut cols: HashMap<&B, u64> = HashMap::new();
    for (x, y) in a.iter().zip(b) {
        *table.entry((x, y)).or_default() += 1;
        *rows.entry(x).or_default() += 1;
        *cols.entry(y).or_default() += 1;
    }
    let index: f64 = table.values().map(|&n| pairs(n)).sum();
    let sa: f64 = rows.values().map(|&n| pairs(n)).sum();
    let sb: f64 = cols.values().map(|&n| pairs(n)).sum();
    let expected = sa * sb / pairs(a.len() as u64);
    let max = (sa + sb) / 2.0;
    if (max - expected).abs() < f64::EPSILON {
        return Some(1.0);
    }
    Some((index - expected) / (max - expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_partitions_score_one_whatever_the_names() {
        let a = [0, 0, 1, 1, 2, 2];
        let b = ["x", "x", "y", "y", "z", "z"];
        assert!((adjusted_rand_index(&a, &b).unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn known_value() {
        // scikit-learn: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714
        let v = adjusted_rand_index(&[0, 0, 1, 1], &[0, 0, 1, 2]).unwrap();
        assert!((v - 0.571_428_571_4).abs() < 1e-9, "{v}");
        assert!(adjusted_rand_index(&[0], &[0]).is_none());
    }
}
