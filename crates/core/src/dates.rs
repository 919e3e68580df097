//! Ages from the dates the probes recorded (RFC 3339, as plist dates and
//! `captured_at` are written): rules read no clock, so "how old" is always
//! measured against the snapshot's own `captured_at`.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Whole days from `earlier` to `later`; None when either is not a date.
pub fn days_between(earlier: &str, later: &str) -> Option<i64> {
    let a = OffsetDateTime::parse(earlier.trim(), &Rfc3339).ok()?;
    let b = OffsetDateTime::parse(later.trim(), &Rfc3339).ok()?;
    Some((b - a).whole_days())
}

/// Seconds since 1970 of an RFC 3339 date, to place it on a time line;
/// None when it is not one.
pub fn unix_seconds(date: &str) -> Option<i64> {
    OffsetDateTime::parse(date.trim(), &Rfc3339)
        .ok()
        .map(|d| d.unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_between_two_plist_dates() {
        assert_eq!(
            days_between("2026-11-01T06:42:41Z", "2026-12-03T08:00:00Z"),
            Some(32)
        );
        assert_eq!(
            days_between("2026-12-03T08:00:00Z", "2026-12-01T08:00:00Z"),
            Some(-2)
        );
        assert_eq!(days_between("681028961", "2026-12-03T08:00:00Z"), None);
        assert_eq!(days_between("", ""), None);
    }
}
