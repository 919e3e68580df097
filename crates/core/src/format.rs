//! Small pure formatters shared by rules, reports and `watch`, so numbers
//! read the same everywhere.

/// Bytes in decimal units, as Finder and Windows Explorer show them ("3.1 GB").
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "kB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} bytes");
    }
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// "1 phone", "2 phones".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Seconds with at most two decimals and the unit: "0.4 s", "12 s", "1.23 s".
pub fn secs(ms: u64) -> String {
    let s = format!("{:.2}", ms as f64 / 1000.0);
    format!("{} s", s.trim_end_matches('0').trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_in_decimal_units() {
        assert_eq!(bytes(0), "0 bytes");
        assert_eq!(bytes(999), "999 bytes");
        assert_eq!(bytes(3_100_000_000), "3.1 GB");
        assert_eq!(bytes(494_384_795_648), "494 GB");
        assert_eq!(bytes(u64::MAX), "18446744 TB");
    }

    #[test]
    fn seconds_with_at_most_two_decimals() {
        assert_eq!(secs(400), "0.4 s");
        assert_eq!(secs(12_000), "12 s");
        assert_eq!(secs(1234), "1.23 s");
        assert_eq!(secs(0), "0 s");
    }

    #[test]
    fn plural_words() {
        assert_eq!(plural(1, "phone", "phones"), "1 phone");
        assert_eq!(plural(0, "phone", "phones"), "0 phones");
    }
}
