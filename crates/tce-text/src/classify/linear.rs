//! One-vs-rest linear SVMs over one hashed feature view.
//!
//! Training is dual coordinate descent for the L2-regularised, squared-hinge
//! (L2-loss) SVM, the solver of LIBLINEAR (Hsieh et al., ICML 2008), with a
//! per-example cost so small classes can weigh more. A constant feature
//! gives the bias. The example order of each epoch comes from a seeded
//! generator, so a seed fixes the result bit for bit.
//!
//! A feature's value is `tf · idf`, divided by the text's norm
//! `sqrt(Σ tf · idf²)`: the L2 norm of the text as a bag of occurrences
//! (each occurrence one unit vector scaled by its idf). Prediction thus
//! sums over the hashed occurrences directly, without grouping repeats
//! first; on short texts, where repeats are rare, it is as accurate as
//! sublinear tf with the plain L2 norm (measured on the airline tweets). A trained
//! [`View`] keeps, per hash bucket, the idf then one weight per class in one
//! row of bfloat16 numbers (the upper half of an `f32`: 8 significant bits,
//! ample for the weights of a sum over hundreds of features), so scoring a
//! feature touches one cache line and the tables stay small enough for the
//! cache — prediction is bound by memory latency, not arithmetic.

use super::rng::SplitMix;

/// `f32` → bfloat16, rounding to nearest (ties to even).
pub(crate) fn to_bf16(x: f32) -> u16 {
    let bits = x.to_bits();
    let round = 0x7fff + ((bits >> 16) & 1);
    (bits.wrapping_add(round) >> 16) as u16
}

/// bfloat16 → `f32` (exact).
#[inline]
pub(crate) fn from_bf16(h: u16) -> f32 {
    f32::from_bits(u32::from(h) << 16)
}

/// `(bucket, count)` pairs of one text, each bucket once.
pub(crate) type Counts = Vec<(u32, u32)>;

/// Training settings of one view.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SvmParams {
    /// Cost of a margin violation (inverse regularisation strength).
    pub c: f32,
    /// Most passes over the data.
    pub epochs: u32,
    /// Stop when the projected-gradient spread falls under this.
    pub tolerance: f32,
    /// Weight features by inverse document frequency.
    pub idf: bool,
}

/// The examples of one view.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TrainSet<'a> {
    /// Features of every text.
    pub counts: &'a [Counts],
    /// Class of every text.
    pub classes_of: &'a [usize],
    /// Weight of every text.
    pub cost: &'a [f32],
    /// Number of classes.
    pub classes: usize,
    /// Hash bits of the features.
    pub bits: u8,
}

/// A trained linear model over one hashed view.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct View {
    pub(crate) bits: u8,
    pub(crate) classes: usize,
    /// `2^bits` rows of `1 + classes` bfloat16 numbers: feature scale
    /// (idf), then the class weights.
    pub(crate) table: Vec<u16>,
    /// One bias per class.
    pub(crate) bias: Vec<f32>,
    /// Feature scale of buckets no training text had (bfloat16).
    pub(crate) default_scale: u16,
}

impl View {
    /// An all-zero view whose every bucket has scale `scale` (bfloat16).
    pub(crate) fn empty(bits: u8, classes: usize, scale: u16) -> View {
        let stride = classes + 1;
        let mut table = vec![0u16; (1usize << bits) * stride];
        for row in table.chunks_exact_mut(stride) {
            row[0] = scale;
        }
        View {
            bits,
            classes,
            table,
            bias: vec![0.0; classes],
            default_scale: scale,
        }
    }

    /// Numbers per row.
    pub(crate) fn stride(&self) -> usize {
        self.classes + 1
    }

    /// Writes the class scores of one text, given as its bucket ids with
    /// repeats, into `out` (`classes` long).
    pub(crate) fn score(&self, ids: &[u32], out: &mut [f32]) {
        let stride = self.stride();
        out.iter_mut().for_each(|o| *o = 0.0);
        let mut norm2 = 0.0f32;
        for &id in ids {
            let at = id as usize * stride;
            let Some(row) = self.table.get(at..at + stride) else {
                continue;
            };
            let idf = from_bf16(row[0]);
            norm2 += idf * idf;
            for (o, &w) in out.iter_mut().zip(&row[1..]) {
                *o += idf * from_bf16(w);
            }
        }
        self.finish(norm2, out);
    }

    /// [`View::score`] of a text given as `(bucket, count)` pairs.
    pub(crate) fn score_counts(&self, counts: &[(u32, u32)], out: &mut [f32]) {
        let stride = self.stride();
        out.iter_mut().for_each(|o| *o = 0.0);
        let mut norm2 = 0.0f32;
        for &(id, count) in counts {
            let at = id as usize * stride;
            let Some(row) = self.table.get(at..at + stride) else {
                continue;
            };
            let (tf, idf) = (count as f32, from_bf16(row[0]));
            norm2 += tf * idf * idf;
            for (o, &w) in out.iter_mut().zip(&row[1..]) {
                *o += tf * idf * from_bf16(w);
            }
        }
        self.finish(norm2, out);
    }

    fn finish(&self, norm2: f32, out: &mut [f32]) {
        let inv = if norm2 > 0.0 {
            norm2.sqrt().recip()
        } else {
            0.0
        };
        for (o, b) in out.iter_mut().zip(&self.bias) {
            *o = *o * inv + b;
        }
    }

    /// Trains one binary SVM per class on the texts `rows` of `data`.
    pub(crate) fn train(data: &TrainSet<'_>, rows: &[usize], params: SvmParams, seed: u64) -> View {
        let TrainSet {
            counts,
            classes_of,
            cost,
            classes,
            bits,
        } = *data;
        let dim = 1usize << bits;
        // Inverse document frequency over the training rows (smoothed, as
        // scikit-learn's `TfidfTransformer`): unseen buckets get the largest.
        let n = rows.len() as f32;
        let max_idf = if params.idf {
            (1.0 + n).ln() + 1.0
        } else {
            1.0
        };
        let mut view = View::empty(bits, classes, to_bf16(max_idf));
        let stride = view.stride();
        if params.idf {
            let mut df = vec![0u32; dim];
            for &r in rows {
                for &(id, _) in &counts[r] {
                    df[id as usize] += 1;
                }
            }
            for (row, &d) in view.table.chunks_exact_mut(stride).zip(&df) {
                row[0] = to_bf16(((1.0 + n) / (1.0 + d as f32)).ln() + 1.0);
            }
        }
        // Trained on the scales prediction will use.
        let x = Csr::new(counts, rows, |id| {
            from_bf16(view.table[id as usize * stride])
        });
        let mut w = vec![0.0f32; dim + 1];
        let mut rng = SplitMix::new(seed);
        for class in 0..classes {
            let y: Vec<f32> = rows
                .iter()
                .map(|&r| if classes_of[r] == class { 1.0 } else { -1.0 })
                .collect();
            let c: Vec<f32> = rows.iter().map(|&r| params.c * cost[r]).collect();
            w.iter_mut().for_each(|v| *v = 0.0);
            dual_cd(&x, &y, &c, &mut w, params, &mut rng);
            for (row, &wk) in view.table.chunks_exact_mut(stride).zip(&w) {
                row[1 + class] = to_bf16(wk);
            }
            view.bias[class] = w[dim];
        }
        view
    }
}

/// Compressed sparse rows of normalised feature values.
struct Csr {
    start: Vec<usize>,
    index: Vec<u32>,
    value: Vec<f32>,
}

impl Csr {
    fn new(counts: &[Counts], rows: &[usize], scale: impl Fn(u32) -> f32) -> Csr {
        let nnz = rows.iter().map(|&r| counts[r].len()).sum();
        let mut csr = Csr {
            start: Vec::with_capacity(rows.len() + 1),
            index: Vec::with_capacity(nnz),
            value: Vec::with_capacity(nnz),
        };
        csr.start.push(0);
        for &r in rows {
            let from = csr.value.len();
            let mut norm2 = 0.0;
            for &(id, count) in &counts[r] {
                let (tf, idf) = (count as f32, scale(id));
                csr.index.push(id);
                csr.value.push(tf * idf);
                norm2 += tf * idf * idf;
            }
            let norm = norm2.sqrt();
            if norm > 0.0 {
                csr.value[from..].iter_mut().for_each(|v| *v /= norm);
            }
            csr.start.push(csr.value.len());
        }
        csr
    }

    fn rows(&self) -> usize {
        self.start.len() - 1
    }

    fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let (a, b) = (self.start[i], self.start[i + 1]);
        (&self.index[a..b], &self.value[a..b])
    }
}

/// Dual coordinate descent for `min ½‖w‖² + Σ cᵢ max(0, 1 − yᵢ w·xᵢ)²`;
/// `w` has one more entry than the features: the bias (constant feature 1).
fn dual_cd(x: &Csr, y: &[f32], c: &[f32], w: &mut [f32], p: SvmParams, rng: &mut SplitMix) {
    let n = x.rows();
    let bias = w.len() - 1;
    let diag: Vec<f32> = c.iter().map(|&ci| 0.5 / ci.max(1e-12)).collect();
    let qd: Vec<f32> = (0..n)
        .map(|i| x.row(i).1.iter().map(|v| v * v).sum::<f32>() + 1.0 + diag[i])
        .collect();
    let mut alpha = vec![0.0f32; n];
    let mut order: Vec<usize> = (0..n).collect();
    for _ in 0..p.epochs {
        rng.shuffle(&mut order);
        let (mut max_pg, mut min_pg) = (f32::NEG_INFINITY, f32::INFINITY);
        for &i in &order {
            let (idx, val) = x.row(i);
            let mut dot = w[bias];
            for (&j, &v) in idx.iter().zip(val) {
                dot += w[j as usize] * v;
            }
            let g = y[i] * dot - 1.0 + diag[i] * alpha[i];
            let pg = if alpha[i] == 0.0 { g.min(0.0) } else { g };
            max_pg = max_pg.max(pg);
            min_pg = min_pg.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (old - g / qd[i]).max(0.0);
                let d = (alpha[i] - old) * y[i];
                for (&j, &v) in idx.iter().zip(val) {
                    w[j as usize] += d * v;
                }
                w[bias] += d;
            }
        }
        if max_pg - min_pg <= p.tolerance {
            break;
        }
    }
}
