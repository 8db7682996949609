//! A token bucket, for the routes anyone may call.

use std::sync::Mutex;
use std::time::Instant;

/// A token bucket: `burst` at once, `per_second` sustained.
pub struct RateLimit {
    tokens: f64,
    at: Instant,
    burst: f64,
    per_second: f64,
}

impl RateLimit {
    pub fn new(burst: f64, per_second: f64) -> Mutex<RateLimit> {
        Mutex::new(RateLimit {
            tokens: burst,
            at: Instant::now(),
            burst,
            per_second,
        })
    }

    /// One request: false when over the rate.
    pub fn take(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.at).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.at = now;
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}
