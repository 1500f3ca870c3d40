//! Per-token request rates (DESIGN §6: request sizes and rates are bounded).
//!
//! Every authenticated API request spends one cell of its token's bucket
//! (GCRA, the `governor` crate): a token may send `burst` requests at once
//! and `per_second` on average; past that it gets a 429 `rate_limited` with
//! `Retry-After`. A runaway script with one token cannot starve the others
//! or the dashboard. A server without authentication (loopback only) is not
//! limited.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;
use std::time::Duration;

/// How many requests a token may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per second, on average.
    pub per_second: u32,
    /// Requests that may come at once.
    pub burst: u32,
}

impl RateLimit {
    /// The default: 100 requests per second per token, bursts of 200 —
    /// 100,000 signals/s in batches of 1,000, well above what one machine
    /// stores, and far above what a person clicking through pages needs.
    pub const DEFAULT: RateLimit = RateLimit {
        per_second: 100,
        burst: 200,
    };

    /// `per_second` requests per second with bursts of twice that.
    pub fn per_second(per_second: u32) -> RateLimit {
        RateLimit {
            per_second,
            burst: per_second.saturating_mul(2),
        }
    }
}

/// The buckets of every token.
pub(crate) struct Limiter {
    buckets: DefaultKeyedRateLimiter<i64>,
    clock: DefaultClock,
}

impl std::fmt::Debug for Limiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limiter").finish_non_exhaustive()
    }
}

impl Limiter {
    /// Buckets for `limit` (a zero rate or burst counts as one).
    pub(crate) fn new(limit: RateLimit) -> Limiter {
        let nonzero = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_second(nonzero(limit.per_second)).allow_burst(nonzero(limit.burst));
        let clock = DefaultClock::default();
        Limiter {
            buckets: governor::RateLimiter::keyed(quota),
            clock,
        }
    }

    /// Spends one request of the token's bucket, or says how long to wait.
    pub(crate) fn check(&self, token_id: i64) -> Result<(), Duration> {
        self.buckets
            .check_key(&token_id)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_gets_its_burst_then_waits_and_others_are_unaffected() {
        let limiter = Limiter::new(RateLimit {
            per_second: 1,
            burst: 3,
        });
        for _ in 0..3 {
            assert_eq!(limiter.check(7), Ok(()));
        }
        let wait = limiter.check(7).expect_err("over the burst");
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert_eq!(limiter.check(8), Ok(()), "another token has its own bucket");
    }
}
