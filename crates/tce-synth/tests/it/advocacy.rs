//! Issue 13: planted advocates per brand (more for better brands), idea
//! themes with their suggestions, top ratings — all listed in the truth,
//! the total still exact, and nothing planted unless asked.

use crate::model;
use std::collections::{HashMap, HashSet};
use tce_synth::{generate, AdvocacyConfig, SynthConfig};

#[test]
fn advocates_ideas_and_top_ratings_are_planted_and_listed() {
    let model = model("airline");
    let cfg = SynthConfig {
        signals: 20_000,
        seed: 7,
        days: 90,
        advocacy: AdvocacyConfig::on(),
        ..SynthConfig::default()
    };
    let (mut s, mut l, mut o) = (Vec::new(), Vec::new(), Vec::new());
    let truth = generate(&model, &cfg, &mut s, &mut l, &mut o).unwrap();
    let lines: Vec<serde_json::Value> = s
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, 20_000, "the total stays exact");
    let a = &truth.advocacy;
    assert_eq!(a.advocates.len(), model.brands.len());
    // Better brands get at least as many advocates.
    let mut by_quality: Vec<(&String, f64)> =
        a.brand_quality.iter().map(|(b, q)| (b, *q)).collect();
    by_quality.sort_by(|x, y| x.1.total_cmp(&y.1));
    let counts: Vec<usize> = by_quality
        .iter()
        .map(|(b, _)| a.advocates[*b].len())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] <= w[1]),
        "{by_quality:?} {counts:?}"
    );
    assert!(counts.iter().all(|&c| c >= 3), "{counts:?}");
    // Each planted suggestion is in the signals, by its brand, in the theme's words.
    let by_id: HashMap<(&str, &str), &serde_json::Value> = lines
        .iter()
        .map(|v| {
            (
                (v["channel"].as_str().unwrap(), v["id"].as_str().unwrap()),
                v,
            )
        })
        .collect();
    assert_eq!(a.ideas.len(), model.brands.len() * 4);
    let mut n = 0;
    for theme in &a.ideas {
        assert!(theme.signals.len() >= 4, "{}", theme.theme);
        for sig in &theme.signals {
            let v = by_id[&(sig.channel.as_str(), sig.id.as_str())];
            assert!(v["text"].as_str().unwrap().len() > 10);
            n += 1;
        }
    }
    assert_eq!(truth.counts.idea_signals, n);
    let themes: HashSet<&str> = a.ideas.iter().map(|t| t.theme.as_str()).collect();
    assert!(themes.len() >= 4);
    assert!(!a.top_ratings.is_empty());
    for r in &a.top_ratings {
        let v = by_id[&(r.channel.as_str(), r.id.as_str())];
        let top = if v["rating_scale"] == "nps10" {
            10.0
        } else {
            5.0
        };
        assert_eq!(v["rating"].as_f64(), Some(top), "{v}");
    }
    // Off by default: nothing planted, the truth section empty.
    let (mut s2, mut l2, mut o2) = (Vec::new(), Vec::new(), Vec::new());
    let plain = SynthConfig {
        signals: 5_000,
        ..SynthConfig::default()
    };
    let t2 = generate(&model, &plain, &mut s2, &mut l2, &mut o2).unwrap();
    assert!(t2.advocacy.ideas.is_empty() && t2.counts.idea_signals == 0);
}
