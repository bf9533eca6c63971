//! Where the core's times (`chrono::DateTime<Utc>`) and the hosts' (`SystemTime`: Kotlin
//! `java.time.Instant`) meet, once for every binding.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

/// A core time as a `SystemTime` (chrono's range fits in `SystemTime` on the platforms the
/// bindings target; a value that would not saturates at the epoch instead of panicking).
pub fn to_system(at: DateTime<Utc>) -> SystemTime {
    let secs = at.timestamp();
    let nanos = at.timestamp_subsec_nanos();
    if secs >= 0 {
        UNIX_EPOCH
            .checked_add(Duration::new(secs.unsigned_abs(), nanos))
            .unwrap_or(UNIX_EPOCH)
    } else {
        UNIX_EPOCH
            .checked_sub(Duration::from_secs(secs.unsigned_abs()))
            .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(nanos))))
            .unwrap_or(UNIX_EPOCH)
    }
}

/// A host's `SystemTime` as a core time; `None` outside chrono's range (e.g. `Instant.MAX`).
pub fn from_system(at: SystemTime) -> Option<DateTime<Utc>> {
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs())
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, after.subsec_nanos())),
        Err(before) => {
            let before = before.duration();
            i64::try_from(before.as_secs()).ok().and_then(|s| {
                let (secs, nanos) = if before.subsec_nanos() == 0 {
                    (-s, 0)
                } else {
                    (-s - 1, 1_000_000_000 - before.subsec_nanos())
                };
                DateTime::from_timestamp(secs, nanos)
            })
        }
    }
}

/// A core time as uniffi names it (its custom type, lowered to `SystemTime`).
#[cfg(feature = "uniffi")]
pub type UtcTime = DateTime<Utc>;

// The records' times cross uniffi as `SystemTime` (Kotlin `java.time.Instant`).
#[cfg(feature = "uniffi")]
uniffi::custom_type!(UtcTime, SystemTime, {
    remote,
    lower: |at| to_system(at),
    try_lift: |at| from_system(at)
        .ok_or_else(|| uniffi::deps::anyhow::anyhow!("instant out of the supported range")),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_before_and_after_the_epoch() {
        for at in [
            "2026-01-05T09:00:00.123456789Z",
            "1969-12-31T23:59:59.5Z",
            "1900-01-01T00:00:00Z",
        ] {
            let t: DateTime<Utc> = at.parse().unwrap();
            assert_eq!(from_system(to_system(t)), Some(t), "{at}");
        }
        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 2);
        assert_eq!(from_system(far), None);
    }
}
