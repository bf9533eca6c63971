//! Where "now" comes from: a [`FixedClock`] for tests and replays (the default is the system
//! clock).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::time::{from_system, to_system};

/// A clock that stays where it is put, for tests: pass it to `PortalBuilder.clock`, then move it
/// with `set` or `advance`.
#[derive(uniffi::Object)]
pub struct FixedClock {
    pub(crate) inner: Arc<portail::FixedClock>,
}

#[uniffi::export]
impl FixedClock {
    /// A clock showing `now`.
    #[uniffi::constructor]
    pub fn new(now: SystemTime) -> crate::Result<Arc<Self>> {
        crate::call(|| {
            Ok(Arc::new(FixedClock {
                inner: Arc::new(portail::FixedClock::new(from_system(now, "now")?)),
            }))
        })
    }

    /// The time it shows.
    pub fn now(&self) -> crate::Result<SystemTime> {
        crate::call(|| Ok(to_system(portail::Clock::now(&*self.inner))))
    }

    /// Move it to `now`.
    pub fn set(&self, now: SystemTime) -> crate::Result<()> {
        crate::call(|| {
            self.inner.set(from_system(now, "now")?);
            Ok(())
        })
    }

    /// Move it forward by `by` (a `kotlin.time.Duration` is not a `java.time.Duration`: pass
    /// `java.time.Duration.ofMinutes(15)`).
    pub fn advance(&self, by: Duration) -> crate::Result<()> {
        crate::call(|| {
            let by = chrono::Duration::from_std(by)
                .map_err(|_| portail::Error::invalid("by", "duration out of range"))?;
            let now = portail::Clock::now(&*self.inner);
            let next = now
                .checked_add_signed(by)
                .ok_or_else(|| portail::Error::invalid("by", "moves the clock out of range"))?;
            self.inner.set(next);
            Ok(())
        })
    }
}
