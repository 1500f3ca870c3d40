//! Survey responses: an overall rating and one rating per lifecycle stage, with
//! planted key-driver weights.
//!
//! Within a response every stage rating is drawn independently (the brand's
//! stage quality, its drift and incidents only move the mean), and the overall
//! rating is `intercept + k·Σ √w_s·z_s + noise`, with `z_s` the observed stage
//! rating's deviation from the population mean in units of its spread around
//! the brand-day mean. Brand quality and drift move all stages of a brand
//! together, so across brands the stages correlate; within a brand and week
//! they are independent, and there the share of explained variance of each
//! stage — what a Shapley/LMG decomposition with brand × week fixed effects
//! reports — is w_s.

use crate::plan::{normal, World};
use rand::distributions::WeightedIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tce_model::RatingScale;

/// The scale of survey ratings (overall and stages): 0–10, fine enough that
/// rounding and the scale's ends hardly bend the linear driver model.
pub(crate) const SCALE: RatingScale = RatingScale::Nps10;
/// Mean stage rating of an average brand.
const STAGE_CENTRE: f64 = 6.4;
/// Stage-rating points per unit of quality.
const STAGE_SLOPE: f64 = 2.6;
/// Spread of a stage rating around its mean, before rounding.
const STAGE_NOISE: f64 = 2.0;
/// Overall rating of a response with average stage ratings.
pub(crate) const OVERALL_INTERCEPT: f64 = 6.0;
/// Spread of the overall rating explained by the stages.
pub(crate) const OVERALL_K: f64 = 1.4;
/// Spread of the overall rating not explained by the stages.
pub(crate) const OVERALL_NOISE: f64 = 0.6;
/// Draws used to estimate the population mean and spread of each stage rating.
const CALIBRATION_DRAWS: usize = 60_000;

/// The calibrated survey model.
#[derive(Debug, Clone)]
pub(crate) struct SurveyModel {
    /// Population mean of each stage rating.
    pub mean: Vec<f64>,
    /// Population standard deviation of each stage rating.
    pub sd: Vec<f64>,
    /// `k·√w_s / sd_within_s`: the overall rating's slope on each raw stage rating.
    pub slope: Vec<f64>,
}

fn stage_rating(mean: f64, rng: &mut ChaCha8Rng) -> u8 {
    (mean + STAGE_NOISE * normal(rng)).round().clamp(0.0, 10.0) as u8
}

impl SurveyModel {
    /// Estimates each stage rating's population mean and spread by simulating
    /// the same draws the generator makes (own stream, so the main one is untouched).
    pub(crate) fn calibrate(world: &World, seed: u64) -> SurveyModel {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0005_1A7E_CA11_B8A7);
        let n_stages = world.stages.len();
        let day_weights: Vec<f64> = world
            .budget
            .surveys
            .iter()
            .map(|&c| c as f64 + 1e-3)
            .collect();
        let day_pick = WeightedIndex::new(day_weights).ok();
        let mut sum = vec![0.0; n_stages];
        let mut sum_sq = vec![0.0; n_stages];
        // Two draws at the same mean: E[(r1 − r2)²] / 2 is the spread of a
        // rating around its brand-day mean, what remains once the analysis
        // removes brand and period effects.
        let mut within = vec![0.0; n_stages];
        for _ in 0..CALIBRATION_DRAWS {
            let b = rng.sample(&world.survey_brand_pick);
            let day = match &day_pick {
                Some(pick) => rng.sample(pick) as u32,
                None => rng.gen_range(0..world.days),
            };
            for s in 0..n_stages {
                let m = stage_mean(world, b, s, day);
                let r = f64::from(stage_rating(m, &mut rng));
                let r2 = f64::from(stage_rating(m, &mut rng));
                sum[s] += r;
                sum_sq[s] += r * r;
                within[s] += (r - r2).powi(2) / 2.0;
            }
        }
        let n = CALIBRATION_DRAWS as f64;
        let mean: Vec<f64> = sum.iter().map(|x| x / n).collect();
        let sd: Vec<f64> = sum_sq
            .iter()
            .zip(&mean)
            .map(|(sq, m)| (sq / n - m * m).max(1e-6).sqrt())
            .collect();
        let slope = world
            .stage_weights
            .iter()
            .zip(&within)
            .map(|(w, v)| OVERALL_K * w.sqrt() / (v / n).max(1e-6).sqrt())
            .collect();
        SurveyModel { mean, sd, slope }
    }

    /// Draws one response for brand `b` on `day`: stage ratings into `stages`,
    /// the overall rating returned.
    pub(crate) fn draw(
        &self,
        world: &World,
        b: usize,
        day: u32,
        rng: &mut ChaCha8Rng,
        stages: &mut Vec<u8>,
    ) -> u8 {
        stages.clear();
        let mut overall = OVERALL_INTERCEPT;
        for s in 0..world.stages.len() {
            let r = stage_rating(stage_mean(world, b, s, day), rng);
            stages.push(r);
            overall += self.slope[s] * (f64::from(r) - self.mean[s]);
        }
        overall += OVERALL_NOISE * normal(rng);
        overall.round().clamp(0.0, 10.0) as u8
    }
}

/// Mean rating of stage `s` for brand `b` on `day`.
fn stage_mean(world: &World, b: usize, s: usize, day: u32) -> f64 {
    let quality =
        world.stage_quality[b][s] + world.brands[b].drift(day) + world.stage_dip(b, s, day);
    STAGE_CENTRE + STAGE_SLOPE * quality
}

/// A survey rating mapped to CSAT 0–100 (its experience value −1…1 → 50·(ev+1)).
pub(crate) fn csat_points(rating: u8) -> f64 {
    let (lo, hi) = SCALE.range();
    let ev = (f64::from(rating) - lo) / (hi - lo) * 2.0 - 1.0;
    50.0 * (ev + 1.0)
}
