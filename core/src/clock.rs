//! Where "now" comes from: [`SystemClock`] in production, [`FixedClock`] in tests.
//!
//! | implementation | use |
//! |---|---|
//! | [`SystemClock`] | the real time |
//! | [`FixedClock`] | a settable time for tests and replays |
//! | any `Fn() -> DateTime<Utc>` | a host's own clock |

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// A source of the current time. Object-safe: held as `Arc<dyn Clock>`.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system's real time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stays where it is put, for tests.
///
/// ```
/// use portail::{Clock, FixedClock};
/// use chrono::{Duration, TimeZone, Utc};
/// let clock = FixedClock::new(Utc.with_ymd_and_hms(2019, 3, 8, 16, 55, 15).unwrap());
/// clock.advance(Duration::minutes(15));
/// assert_eq!(clock.now().to_rfc3339(), "2019-03-08T17:10:15+00:00");
/// ```
#[derive(Debug)]
pub struct FixedClock {
    now: Mutex<DateTime<Utc>>,
}

impl FixedClock {
    /// A clock showing `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        FixedClock {
            now: Mutex::new(now),
        }
    }

    /// Move the clock to `now`.
    pub fn set(&self, now: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) = now;
    }

    /// Move the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<F> Clock for F
where
    F: Fn() -> DateTime<Utc> + Send + Sync,
{
    fn now(&self) -> DateTime<Utc> {
        self()
    }
}
