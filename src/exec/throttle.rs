//! The throttle of the MIGRATE engine (`--max-keys-per-sec`, `--max-bytes-per-sec`): one
//! token bucket per limit, shared by every worker, so that the limit holds for all parallel
//! batches together.
//!
//! A worker asks for a MIGRATE pipeline's keys (and estimated bytes) before sending it. The
//! bucket hands them out at once and goes into debt when it has too few tokens; the caller
//! then sleeps until the debt is paid back at the configured rate. Later callers queue behind
//! that debt, so the rate holds however many workers ask, and no worker spins. The bucket
//! holds at most [`BURST`] of budget, so a pause (a slot's SETSLOTs, a collision) is not made
//! up for by a burst; and the engine sizes each MIGRATE so that a pipeline costs at most
//! [`PIPELINE_BUDGET`], which keeps the source's and the target's stalls short and evenly
//! spread.
//!
//! The clock is injected ([`Clock`]), so that the arithmetic is tested without sleeping.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::rate::show_bytes_per_sec;

/// Most budget the bucket saves up while nobody asks.
const BURST: Duration = Duration::from_millis(100);
/// Budget of one pipeline of MIGRATEs: keys per MIGRATE are capped so that a pipeline of
/// them stays within it.
const PIPELINE_BUDGET: Duration = Duration::from_millis(100);

/// The limits asked for; `None` is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Limits {
    /// Keys per second over all batches.
    pub(crate) keys_per_sec: Option<u64>,
    /// Bytes per second over all batches (as the source's `MEMORY USAGE` counts them).
    pub(crate) bytes_per_sec: Option<u64>,
}

impl Limits {
    /// The limits of the options, where 0 means no limit.
    pub(crate) fn new(keys_per_sec: Option<u64>, bytes_per_sec: Option<u64>) -> Self {
        Limits {
            keys_per_sec: keys_per_sec.filter(|&n| n > 0),
            bytes_per_sec: bytes_per_sec.filter(|&n| n > 0),
        }
    }

    /// True when nothing is limited.
    pub(crate) fn unlimited(&self) -> bool {
        self.keys_per_sec.is_none() && self.bytes_per_sec.is_none()
    }

    /// `5000 keys/s and 10 MB/s`, for plans and progress.
    pub(crate) fn describe(&self) -> String {
        let keys = self.keys_per_sec.map(|n| format!("{n} keys/s"));
        let bytes = self.bytes_per_sec.map(show_bytes_per_sec);
        match (keys, bytes) {
            (Some(k), Some(b)) => format!("{k} and {b}"),
            (Some(one), None) | (None, Some(one)) => one,
            (None, None) => "no limit".to_string(),
        }
    }

    /// Keys per MIGRATE so that `depth` MIGRATEs of keys of about `key_bytes` bytes stay
    /// within [`PIPELINE_BUDGET`] of every limit (at least 1, at most `wanted`).
    pub(crate) fn keys_per_migrate(
        &self,
        wanted: usize,
        depth: usize,
        key_bytes: Option<u64>,
    ) -> usize {
        let budget = PIPELINE_BUDGET.as_secs_f64() / depth.max(1) as f64;
        let mut keys = wanted.max(1) as f64;
        if let Some(rate) = self.keys_per_sec {
            keys = keys.min(rate as f64 * budget);
        }
        if let (Some(rate), Some(size)) = (self.bytes_per_sec, key_bytes) {
            keys = keys.min(rate as f64 * budget / size.max(1) as f64);
        }
        (keys.floor() as usize).clamp(1, wanted.max(1))
    }
}

/// What the throttle did, for the report.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct ThrottleReport {
    /// The limit on keys per second, if any.
    pub(crate) keys_per_sec: Option<u64>,
    /// The limit on bytes per second, if any.
    pub(crate) bytes_per_sec: Option<u64>,
    /// Keys that went through the throttle.
    pub(crate) keys: u64,
    /// Estimated bytes that went through it.
    pub(crate) bytes: u64,
    /// Time the workers spent waiting for it, summed over the workers.
    pub(crate) waited_ms: u64,
}

/// Time as the throttle sees it: a monotonic clock and a way to wait.
trait Clock: Send + Sync {
    /// Time since some fixed start.
    fn now(&self) -> Duration;
    /// Waits `duration`.
    fn sleep(&self, duration: Duration);
}

/// The real clock.
struct SystemClock {
    start: Instant,
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// One token bucket that may go into debt: `tokens` below 0 is time others must wait.
#[derive(Debug)]
struct Bucket {
    /// Tokens per second.
    rate: f64,
    /// Most tokens saved up.
    capacity: f64,
    tokens: f64,
    /// When `tokens` was last brought up to date.
    last: Duration,
}

impl Bucket {
    /// A full bucket of `rate` tokens per second.
    fn new(rate: u64, now: Duration) -> Self {
        let rate = rate.max(1) as f64;
        let capacity = rate * BURST.as_secs_f64();
        Bucket {
            rate,
            capacity,
            tokens: capacity,
            last: now,
        }
    }

    /// Takes `cost` tokens at `now`; returns how long the taker must wait before using them.
    fn reserve(&mut self, now: Duration, cost: f64) -> Duration {
        if now > self.last {
            let earned = (now - self.last).as_secs_f64() * self.rate;
            self.tokens = (self.tokens + earned).min(self.capacity);
            self.last = now;
        }
        self.tokens -= cost;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }
}

/// The buckets of each limit.
#[derive(Debug)]
struct Buckets {
    keys: Option<Bucket>,
    bytes: Option<Bucket>,
}

/// A rate limit shared by every worker of a migration.
pub(crate) struct Throttle {
    limits: Limits,
    buckets: Mutex<Buckets>,
    clock: Box<dyn Clock>,
    keys: AtomicU64,
    bytes: AtomicU64,
    waited_us: AtomicU64,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Throttle {
    /// A throttle on the real clock; `None` when `limits` limit nothing.
    pub(crate) fn new(limits: Limits) -> Option<Self> {
        let clock = SystemClock {
            start: Instant::now(),
        };
        Self::with_clock(limits, Box::new(clock))
    }

    /// A throttle on `clock`; `None` when `limits` limit nothing.
    fn with_clock(limits: Limits, clock: Box<dyn Clock>) -> Option<Self> {
        if limits.unlimited() {
            return None;
        }
        let now = clock.now();
        let buckets = Buckets {
            keys: limits.keys_per_sec.map(|r| Bucket::new(r, now)),
            bytes: limits.bytes_per_sec.map(|r| Bucket::new(r, now)),
        };
        Some(Throttle {
            limits,
            buckets: Mutex::new(buckets),
            clock,
            keys: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            waited_us: AtomicU64::new(0),
        })
    }

    /// The limits.
    pub(crate) fn limits(&self) -> Limits {
        self.limits
    }

    /// Takes `keys` keys and `bytes` bytes from the buckets and returns how long to wait
    /// before sending them (the longer of the two limits' waits), without waiting.
    fn reserve(&self, keys: u64, bytes: u64) -> Duration {
        let now = self.clock.now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let by_keys = buckets
            .keys
            .as_mut()
            .map_or(Duration::ZERO, |b| b.reserve(now, keys as f64));
        let by_bytes = buckets
            .bytes
            .as_mut()
            .map_or(Duration::ZERO, |b| b.reserve(now, bytes as f64));
        drop(buckets);
        self.keys.fetch_add(keys, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        by_keys.max(by_bytes)
    }

    /// Takes `keys` keys and `bytes` bytes, waiting as long as the limits require; returns
    /// the time waited.
    pub(crate) fn acquire(&self, keys: u64, bytes: u64) -> Duration {
        let wait = self.reserve(keys, bytes);
        if !wait.is_zero() {
            self.clock.sleep(wait);
            let us = u64::try_from(wait.as_micros()).unwrap_or(u64::MAX);
            self.waited_us.fetch_add(us, Ordering::Relaxed);
        }
        wait
    }

    /// What went through so far, for the report.
    pub(crate) fn report(&self) -> ThrottleReport {
        ThrottleReport {
            keys_per_sec: self.limits.keys_per_sec,
            bytes_per_sec: self.limits.bytes_per_sec,
            keys: self.keys.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            waited_ms: self.waited_us.load(Ordering::Relaxed) / 1000,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// A clock that moves only when told to (or when someone sleeps on it).
    #[derive(Clone, Default)]
    struct FakeClock {
        now: Arc<Mutex<Duration>>,
    }

    impl FakeClock {
        fn advance(&self, by: Duration) {
            *self.now.lock().unwrap() += by;
        }
    }

    impl Clock for FakeClock {
        fn now(&self) -> Duration {
            *self.now.lock().unwrap()
        }

        fn sleep(&self, duration: Duration) {
            self.advance(duration);
        }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn throttle(keys: Option<u64>, bytes: Option<u64>) -> (Throttle, FakeClock) {
        let clock = FakeClock::default();
        let t = Throttle::with_clock(Limits::new(keys, bytes), Box::new(clock.clone()))
            .expect("limited");
        (t, clock)
    }

    #[test]
    fn zero_or_absent_limits_nothing() {
        assert!(Limits::new(None, None).unlimited());
        assert!(Limits::new(Some(0), Some(0)).unlimited());
        assert!(Throttle::new(Limits::new(Some(0), None)).is_none());
        assert_eq!(Limits::new(Some(0), None).describe(), "no limit");
    }

    #[test]
    fn the_burst_is_free_then_the_rate_holds() {
        let (t, _) = throttle(Some(10_000), None);
        // 100 ms of budget is saved up at the start.
        assert_eq!(t.reserve(1000, 0), Duration::ZERO);
        // The next 1000 keys are 100 ms of debt, the next 1000 another 100 ms behind.
        assert_eq!(t.reserve(1000, 0), ms(100));
        assert_eq!(t.reserve(1000, 0), ms(200));
    }

    #[test]
    fn debt_is_paid_back_over_time() {
        let (t, clock) = throttle(Some(1000), None);
        assert_eq!(t.reserve(100, 0), Duration::ZERO);
        assert_eq!(t.reserve(500, 0), ms(500));
        clock.advance(ms(500));
        assert_eq!(t.reserve(100, 0), ms(100));
        // An idle second refills the bucket only up to the burst.
        clock.advance(ms(1100));
        assert_eq!(t.reserve(100, 0), Duration::ZERO);
        assert_eq!(t.reserve(1, 0), ms(1));
    }

    #[test]
    fn many_callers_together_get_the_rate() {
        let (t, clock) = throttle(Some(5000), None);
        // 16 workers taking 125 keys each, waiting their turn, for 20 000 keys in all: the
        // clock must show about 20 000 / 5000 = 4 s (less the 100 ms burst).
        let mut sent = 0u64;
        while sent < 20_000 {
            for _ in 0..16 {
                t.acquire(125, 0);
                sent += 125;
            }
        }
        let took = clock.now();
        assert!(took >= ms(3_850) && took <= ms(3_950), "{took:?}");
        let report = t.report();
        assert_eq!(report.keys, 20_000);
        assert_eq!(report.keys_per_sec, Some(5000));
        assert!(report.waited_ms >= 3_850, "{report:?}");
    }

    #[test]
    fn the_slower_limit_decides() {
        // 10 000 keys/s and 100 KB/s: keys of 100 bytes are limited by the bytes (1000/s).
        let (t, _) = throttle(Some(10_000), Some(100_000));
        assert_eq!(t.reserve(100, 10_000), Duration::ZERO);
        assert_eq!(t.reserve(100, 10_000), ms(100));
        // Keys of 1 byte: the key limit decides.
        let (t, _) = throttle(Some(10_000), Some(100_000));
        assert_eq!(t.reserve(1000, 1000), Duration::ZERO);
        assert_eq!(t.reserve(1000, 1000), ms(100));
    }

    #[test]
    fn migrates_are_sized_to_the_pipeline_budget() {
        let keys = Limits::new(Some(10_000), None);
        // 10 000 keys/s, 100 ms per pipeline of 8: 125 keys per MIGRATE.
        assert_eq!(keys.keys_per_migrate(1000, 8, None), 125);
        assert_eq!(keys.keys_per_migrate(50, 8, None), 50);
        assert_eq!(
            Limits::new(Some(10), None).keys_per_migrate(1000, 8, None),
            1
        );
        let bytes = Limits::new(None, Some(8_000_000));
        // 8 MB/s, 100 ms per 8 MIGRATEs: 100 KB per MIGRATE; of 1 KB keys, 100.
        assert_eq!(bytes.keys_per_migrate(1000, 8, Some(1000)), 100);
        assert_eq!(bytes.keys_per_migrate(1000, 8, None), 1000);
        assert_eq!(bytes.keys_per_migrate(1000, 8, Some(10_000_000)), 1);
    }

    #[test]
    fn limits_read_well() {
        assert_eq!(Limits::new(Some(5000), None).describe(), "5000 keys/s");
        assert_eq!(
            Limits::new(Some(5000), Some(10_000_000)).describe(),
            "5000 keys/s and 10 MB/s"
        );
        assert_eq!(Limits::new(None, Some(65_536)).describe(), "64 KiB/s");
    }
}
