//! The one place where chrono times and `SystemTime` (Kotlin `java.time.Instant`) meet.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

use crate::PortailError;

/// A core time as a `SystemTime` (always representable: chrono's range fits in `SystemTime` on
/// the platforms this binding targets; out-of-range values saturate instead of panicking).
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

/// An optional core time as an optional `SystemTime`.
pub fn to_system_opt(at: Option<DateTime<Utc>>) -> Option<SystemTime> {
    at.map(to_system)
}

/// A `SystemTime` from the host as a core time; `field` names the argument if it is out of
/// chrono's range (e.g. `Instant.MAX`).
pub fn from_system(at: SystemTime, field: &str) -> Result<DateTime<Utc>, PortailError> {
    let converted = match at.duration_since(UNIX_EPOCH) {
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
    };
    converted.ok_or_else(|| {
        PortailError::from(portail::Error::invalid(
            field,
            "instant out of the supported range",
        ))
    })
}

/// An optional host time as an optional core time.
pub fn from_system_opt(
    at: Option<SystemTime>,
    field: &str,
) -> Result<Option<DateTime<Utc>>, PortailError> {
    at.map(|t| from_system(t, field)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn round_trips() {
        for at in [
            Utc.with_ymd_and_hms(2019, 3, 8, 16, 55, 15).unwrap(),
            Utc.with_ymd_and_hms(1960, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::nanoseconds(5),
            DateTime::from_timestamp(0, 0).unwrap(),
        ] {
            assert_eq!(from_system(to_system(at), "at").unwrap(), at);
        }
    }

    #[test]
    fn out_of_range_is_invalid_input() {
        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 4);
        let e = from_system(far, "now").unwrap_err();
        assert!(
            matches!(e, PortailError::InvalidInput { ref field, .. } if field.as_deref() == Some("now"))
        );
    }
}
