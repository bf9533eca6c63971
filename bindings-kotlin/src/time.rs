//! Host times (`SystemTime`, Kotlin `java.time.Instant`) given as arguments, through the
//! contract's conversions (`portail::ffi::time`), with the argument named when one is out of
//! range.

use std::time::SystemTime;

use chrono::{DateTime, Utc};

/// A core time as a `SystemTime` (the contract's conversion).
pub use portail::ffi::time::to_system;

/// An optional core time as an optional `SystemTime`.
pub fn to_system_opt(at: Option<DateTime<Utc>>) -> Option<SystemTime> {
    at.map(to_system)
}

/// A `SystemTime` from the host as a core time; `field` names the argument if it is out of
/// chrono's range (e.g. `Instant.MAX`).
pub fn from_system(at: SystemTime, field: &str) -> portail::Result<DateTime<Utc>> {
    portail::ffi::time::from_system(at)
        .ok_or_else(|| portail::Error::invalid(field, "instant out of the supported range"))
}

/// An optional host time as an optional core time.
pub fn from_system_opt(
    at: Option<SystemTime>,
    field: &str,
) -> portail::Result<Option<DateTime<Utc>>> {
    at.map(|t| from_system(t, field)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::time::{Duration, UNIX_EPOCH};

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
        assert!(matches!(e, portail::Error::InvalidInput { ref field, .. } if field == "now"));
    }
}
