//! Classification metrics: accuracy, per-class precision/recall/F1, macro-F1
//! and the confusion matrix of gold against predicted labels.
//!
//! Conventions follow scikit-learn's `classification_report`: the classes are
//! the union of the gold and predicted labels, sorted; a precision (recall)
//! with nothing predicted (nothing gold) for its class is 0; macro-F1 is the
//! unweighted mean of the per-class F1 over those classes.
//!
//! Multi-label intents ([`IntentEvaluation`]) are scored one intent at a
//! time as yes/no decisions (precision, recall, F1, support of each), with
//! micro averages (pooled counts) and macro averages (mean over intents).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassMetrics {
    /// The class label.
    pub label: String,
    /// Correct predictions of the class / all predictions of it.
    pub precision: f64,
    /// Correct predictions of the class / its gold examples.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Number of gold examples of the class.
    pub support: u64,
}

/// Confusion matrix: `matrix[g][p]` counts examples of gold class
/// `labels[g]` predicted as `labels[p]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// The classes, sorted; rows are gold, columns predicted.
    pub labels: Vec<String>,
    /// Counts, one row per gold class.
    pub matrix: Vec<Vec<u64>>,
}

/// The evaluation of predicted labels against gold labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Share of examples whose prediction equals the gold label.
    pub accuracy: f64,
    /// Unweighted mean of the per-class F1.
    pub macro_f1: f64,
    /// One entry per class, in the order of `confusion.labels`.
    pub per_class: Vec<ClassMetrics>,
    /// The confusion matrix.
    pub confusion: Confusion,
}

impl Evaluation {
    /// Evaluates `predicted[i]` against `gold[i]`. Pairs beyond the shorter
    /// slice are ignored; with no pairs every figure is 0.
    pub fn new<S: AsRef<str>>(gold: &[S], predicted: &[S]) -> Evaluation {
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for label in gold.iter().chain(predicted) {
            index.entry(label.as_ref()).or_insert(0);
        }
        for (i, slot) in index.values_mut().enumerate() {
            *slot = i;
        }
        let labels: Vec<String> = index.keys().map(|l| (*l).to_string()).collect();
        let k = labels.len();
        let mut matrix = vec![vec![0u64; k]; k];
        let mut n = 0u64;
        for (g, p) in gold.iter().zip(predicted) {
            let (Some(&gi), Some(&pi)) = (index.get(g.as_ref()), index.get(p.as_ref())) else {
                continue;
            };
            matrix[gi][pi] += 1;
            n += 1;
        }
        let correct: u64 = (0..k).map(|i| matrix[i][i]).sum();
        let per_class: Vec<ClassMetrics> = labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let tp = matrix[i][i] as f64;
                let support: u64 = matrix[i].iter().sum();
                let predicted_as: u64 = matrix.iter().map(|row| row[i]).sum();
                let precision = ratio(tp, predicted_as as f64);
                let recall = ratio(tp, support as f64);
                ClassMetrics {
                    label: label.clone(),
                    precision,
                    recall,
                    f1: ratio(2.0 * precision * recall, precision + recall),
                    support,
                }
            })
            .collect();
        let macro_f1 = ratio(per_class.iter().map(|c| c.f1).sum(), k as f64);
        Evaluation {
            accuracy: ratio(correct as f64, n as f64),
            macro_f1,
            per_class,
            confusion: Confusion { labels, matrix },
        }
    }

    /// Number of evaluated examples.
    pub fn len(&self) -> u64 {
        self.confusion.matrix.iter().flatten().sum()
    }

    /// True when no example was evaluated.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `num / den`, or 0 when `den` is 0.
fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// A readable report: the headline figures, one line per class and the
/// confusion matrix (columns numbered like the rows).
impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.len();
        writeln!(
            f,
            "accuracy {:.4}   macro-F1 {:.4}   ({n} examples)",
            self.accuracy, self.macro_f1
        )?;
        let width = self
            .confusion
            .labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            .max(9)
            + 5;
        writeln!(f)?;
        writeln!(
            f,
            "{:<width$} {:>9} {:>9} {:>9} {:>9}",
            "class", "precision", "recall", "f1", "support"
        )?;
        for (i, c) in self.per_class.iter().enumerate() {
            let name = format!("{i:>2} {}", c.label);
            writeln!(
                f,
                "{name:<width$} {:>9.4} {:>9.4} {:>9.4} {:>9}",
                c.precision, c.recall, c.f1, c.support
            )?;
        }
        let k = self.per_class.len().max(1) as f64;
        let mean = |g: fn(&ClassMetrics) -> f64| self.per_class.iter().map(g).sum::<f64>() / k;
        writeln!(
            f,
            "{:<width$} {:>9.4} {:>9.4} {:>9.4} {:>9}",
            "   macro avg",
            mean(|c| c.precision),
            mean(|c| c.recall),
            self.macro_f1,
            n
        )?;
        writeln!(f)?;
        writeln!(f, "confusion (rows = gold, columns = predicted)")?;
        let cell = self
            .confusion
            .matrix
            .iter()
            .flatten()
            .max()
            .map_or(1, |m| m.to_string().len())
            .max(3);
        write!(f, "{:<width$}", "")?;
        for j in 0..self.confusion.labels.len() {
            write!(f, " {j:>cell$}")?;
        }
        writeln!(f)?;
        for (i, (label, row)) in self
            .confusion
            .labels
            .iter()
            .zip(&self.confusion.matrix)
            .enumerate()
        {
            write!(f, "{:<width$}", format!("{i:>2} {label}"))?;
            for count in row {
                write!(f, " {count:>cell$}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Precision, recall and F1 of one intent, scored as a yes/no decision
/// per example.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentMetrics {
    /// The intent id (`suggestion`, …).
    pub intent: String,
    /// True positives / all examples predicted to have the intent.
    pub precision: f64,
    /// True positives / all examples that have it (gold).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Number of gold examples with the intent.
    pub support: u64,
    /// Number of examples predicted to have it.
    pub predicted: u64,
    /// Examples both gold and predicted.
    pub true_positives: u64,
}

/// Averages over the intents of an [`IntentEvaluation`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Averages {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1 (micro: of the pooled precision and recall; macro: the mean F1).
    pub f1: f64,
}

/// The evaluation of multi-label intent predictions: one yes/no decision
/// per example and intent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentEvaluation {
    /// Number of examples.
    pub n: u64,
    /// One entry per intent, in the order asked for.
    pub intents: Vec<IntentMetrics>,
    /// Counts pooled over the intents.
    pub micro: Averages,
    /// Unweighted means over the intents (`macro` in JSON).
    #[serde(rename = "macro")]
    pub macro_avg: Averages,
}

impl IntentEvaluation {
    /// Scores `predicted[i]` against `gold[i]` (the intent ids each example
    /// has) for each of `intents`. Pairs beyond the shorter slice are
    /// ignored; ids not in `intents` are not scored.
    pub fn new<S: AsRef<str>, T: AsRef<str>>(
        intents: &[S],
        gold: &[Vec<T>],
        predicted: &[Vec<T>],
    ) -> IntentEvaluation {
        let has = |set: &[T], id: &str| set.iter().any(|x| x.as_ref() == id);
        let n = gold.len().min(predicted.len());
        let (mut tp_all, mut pred_all, mut gold_all) = (0u64, 0u64, 0u64);
        let per: Vec<IntentMetrics> = intents
            .iter()
            .map(|id| {
                let id = id.as_ref();
                let (mut tp, mut p, mut g) = (0u64, 0u64, 0u64);
                for (gs, ps) in gold.iter().zip(predicted) {
                    let (gi, pi) = (has(gs, id), has(ps, id));
                    tp += u64::from(gi && pi);
                    p += u64::from(pi);
                    g += u64::from(gi);
                }
                tp_all += tp;
                pred_all += p;
                gold_all += g;
                let precision = ratio(tp as f64, p as f64);
                let recall = ratio(tp as f64, g as f64);
                IntentMetrics {
                    intent: id.to_string(),
                    precision,
                    recall,
                    f1: ratio(2.0 * precision * recall, precision + recall),
                    support: g,
                    predicted: p,
                    true_positives: tp,
                }
            })
            .collect();
        let precision = ratio(tp_all as f64, pred_all as f64);
        let recall = ratio(tp_all as f64, gold_all as f64);
        let k = per.len() as f64;
        let mean = |f: fn(&IntentMetrics) -> f64| ratio(per.iter().map(f).sum(), k);
        IntentEvaluation {
            n: n as u64,
            micro: Averages {
                precision,
                recall,
                f1: ratio(2.0 * precision * recall, precision + recall),
            },
            macro_avg: Averages {
                precision: mean(|m| m.precision),
                recall: mean(|m| m.recall),
                f1: mean(|m| m.f1),
            },
            intents: per,
        }
    }
}

/// One line per intent, then the micro and macro averages.
impl fmt::Display for IntentEvaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .intents
            .iter()
            .map(|m| m.intent.chars().count())
            .max()
            .unwrap_or(0)
            .max(9)
            + 2;
        writeln!(
            f,
            "{:<width$} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "intent", "precision", "recall", "f1", "support", "predicted"
        )?;
        for m in &self.intents {
            writeln!(
                f,
                "{:<width$} {:>9.4} {:>9.4} {:>9.4} {:>9} {:>9}",
                m.intent, m.precision, m.recall, m.f1, m.support, m.predicted
            )?;
        }
        if self.intents.len() > 1 {
            for (name, a) in [("micro avg", &self.micro), ("macro avg", &self.macro_avg)] {
                writeln!(
                    f,
                    "{name:<width$} {:>9.4} {:>9.4} {:>9.4}",
                    a.precision, a.recall, a.f1
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// gold:      a a a b b c
    /// predicted: a a b b c c
    /// a: tp 2, predicted 2, support 3 → P 1, R 2/3, F1 0.8
    /// b: tp 1, predicted 2, support 2 → P 1/2, R 1/2, F1 1/2
    /// c: tp 1, predicted 2, support 1 → P 1/2, R 1, F1 2/3
    #[test]
    fn hand_computed_figures() {
        let gold = ["a", "a", "a", "b", "b", "c"];
        let pred = ["a", "a", "b", "b", "c", "c"];
        let e = Evaluation::new(&gold, &pred);
        assert!((e.accuracy - 4.0 / 6.0).abs() < 1e-12);
        let f1: Vec<f64> = e.per_class.iter().map(|c| c.f1).collect();
        assert!((f1[0] - 0.8).abs() < 1e-12);
        assert!((f1[1] - 0.5).abs() < 1e-12);
        assert!((f1[2] - 2.0 / 3.0).abs() < 1e-12);
        assert!((e.macro_f1 - (0.8 + 0.5 + 2.0 / 3.0) / 3.0).abs() < 1e-12);
        assert_eq!(e.per_class[0].recall, 2.0 / 3.0);
        assert_eq!(e.per_class[1].precision, 0.5);
        assert_eq!(
            e.per_class.iter().map(|c| c.support).collect::<Vec<_>>(),
            [3, 2, 1]
        );
        assert_eq!(e.confusion.labels, ["a", "b", "c"]);
        assert_eq!(e.confusion.matrix, [[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
        assert_eq!(e.len(), 6);
    }

    /// A label only ever predicted is a class with support 0 and F1 0, and
    /// counts in macro-F1 (as in scikit-learn).
    #[test]
    fn predicted_only_label_counts() {
        let e = Evaluation::new(&["x", "x"], &["x", "y"]);
        assert_eq!(e.confusion.labels, ["x", "y"]);
        assert_eq!(e.per_class[1].support, 0);
        assert_eq!(e.per_class[1].f1, 0.0);
        // x: P 1, R 1/2, F1 2/3; y: 0.
        assert!((e.macro_f1 - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn empty_input_is_all_zero() {
        let e = Evaluation::new::<&str>(&[], &[]);
        assert_eq!((e.accuracy, e.macro_f1), (0.0, 0.0));
        assert!(e.is_empty());
        assert!(e.to_string().contains("0 examples"));
    }

    #[test]
    fn serialises_with_stable_keys() {
        let e = Evaluation::new(&["a".to_string()], &["a".to_string()]);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["accuracy"], 1.0);
        assert_eq!(json["macro_f1"], 1.0);
        assert_eq!(json["per_class"][0]["label"], "a");
        assert_eq!(json["confusion"]["labels"][0], "a");
        assert_eq!(json["confusion"]["matrix"][0][0], 1);
    }

    /// gold:      {s} {s,q} {} {q} {s}
    /// predicted: {s} {s}   {s} {} {q}
    /// s: tp 2, predicted 3, support 3 → P 2/3, R 2/3, F1 2/3
    /// q: tp 0, predicted 1, support 2 → P 0, R 0, F1 0
    /// micro: tp 2, predicted 4, gold 5 → P 1/2, R 2/5, F1 4/9
    #[test]
    fn intents_hand_computed() {
        let v = |x: &[&'static str]| x.to_vec();
        let gold = [v(&["s"]), v(&["s", "q"]), v(&[]), v(&["q"]), v(&["s"])];
        let pred = [v(&["s"]), v(&["s"]), v(&["s"]), v(&[]), v(&["q"])];
        let e = IntentEvaluation::new(&["s", "q"], &gold, &pred);
        assert_eq!(e.n, 5);
        let s = &e.intents[0];
        assert_eq!((s.true_positives, s.predicted, s.support), (2, 3, 3));
        assert!((s.precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.f1 - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!((e.intents[1].f1, e.intents[1].support), (0.0, 2));
        assert!((e.micro.precision - 0.5).abs() < 1e-12);
        assert!((e.micro.recall - 0.4).abs() < 1e-12);
        assert!((e.micro.f1 - 4.0 / 9.0).abs() < 1e-12);
        assert!((e.macro_avg.f1 - 1.0 / 3.0).abs() < 1e-12);
        let text = e.to_string();
        assert!(
            text.contains("micro avg") && text.starts_with("intent"),
            "{text}"
        );
    }
}
