//! Dotted version strings ("16.7.12", "10.15.7", "10 (19045)") compared as
//! numbers, tolerant of the junk real devices and hosts report.

use std::cmp::Ordering;

/// The major version of a dotted version string ("16.7.12" → 16).
pub fn major(version: &str) -> Option<u32> {
    numeric_parts(version).first().and_then(|p| p.parse().ok())
}

/// Compares dotted versions numerically: "16.7.12" > "16.7.2", "16.7" ==
/// "16.7.0". Tolerant of junk: leading text is skipped ("iOS 18.1"), each
/// component counts only its leading digits ("10 (19045)" → 10), parsing
/// stops at the first component without digits, and a string with no
/// digits compares as 0. Never panics, never overflows.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let (pa, pb) = (numeric_parts(a), numeric_parts(b));
    let len = pa.len().max(pb.len());
    for i in 0..len {
        let x = pa.get(i).copied().unwrap_or("0");
        let y = pb.get(i).copied().unwrap_or("0");
        let ord = compare_digits(x, y);
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// Leading-digit runs of each dotted component, from the first digit on.
fn numeric_parts(v: &str) -> Vec<&str> {
    let start = match v.find(|c: char| c.is_ascii_digit()) {
        Some(i) => i,
        None => return Vec::new(),
    };
    let mut parts = Vec::new();
    for comp in v[start..].split('.') {
        let end = comp
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(comp.len());
        if end == 0 {
            break;
        }
        parts.push(&comp[..end]);
        if end < comp.len() {
            // "7 (20H)" ends the version; don't read digits after the junk.
            break;
        }
    }
    parts
}

/// Compares two all-digit strings as numbers of any length.
fn compare_digits(x: &str, y: &str) -> Ordering {
    let x = x.trim_start_matches('0');
    let y = y.trim_start_matches('0');
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_ordering() {
        use Ordering::*;
        assert_eq!(compare_versions("16.7.12", "16.7.2"), Greater);
        assert_eq!(compare_versions("16.7.2", "16.7.12"), Less);
        assert_eq!(compare_versions("16.7", "16.7.0"), Equal);
        assert_eq!(compare_versions("16.7.0.0", "16.7"), Equal);
        assert_eq!(compare_versions("17.0", "16.7.12"), Greater);
        assert_eq!(compare_versions("9.3.5", "10.0"), Less);
        assert_eq!(compare_versions("10.13", "10.11.6"), Greater);
        assert_eq!(compare_versions("26.7.1", "27.0.1"), Less);
        assert_eq!(compare_versions("018.01", "18.1"), Equal);
        // Sorting a list gives numeric, not lexical, order.
        let mut v = vec!["16.10", "16.9.1", "16.1", "9.0", "16.7.12", "16.7.2"];
        v.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(v, ["9.0", "16.1", "16.7.2", "16.7.12", "16.9.1", "16.10"]);
    }

    #[test]
    fn version_comparison_tolerates_junk() {
        use Ordering::*;
        assert_eq!(compare_versions("iOS 18.1", "18.1"), Equal);
        assert_eq!(compare_versions("10 (19045)", "10"), Equal);
        assert_eq!(compare_versions("11 (26100)", "10"), Greater);
        assert_eq!(compare_versions("16.7.12 (20H)", "16.7.12"), Equal);
        assert_eq!(compare_versions("18.2b3", "18.2"), Equal);
        assert_eq!(compare_versions("16..7", "16"), Equal);
        assert_eq!(compare_versions("", ""), Equal);
        assert_eq!(compare_versions("garbage", "0"), Equal);
        assert_eq!(compare_versions("", "0.0.1"), Less);
        assert_eq!(compare_versions("1.-2", "1"), Equal);
        // Huge components neither overflow nor panic.
        let huge = "99999999999999999999999999999999.1";
        assert_eq!(compare_versions(huge, "18"), Greater);
        assert_eq!(compare_versions(huge, huge), Equal);
        for s in [
            "",
            ".",
            "...",
            "é.ü",
            "\u{0}",
            "1.2.3.4.5.6.7.8.9",
            "-1",
            " 1 . 2 ",
        ] {
            let _ = compare_versions(s, "16.7.12");
            let _ = compare_versions("16.7.12", s);
            let _ = major(s);
        }
        assert_eq!(major("16.7.12"), Some(16));
        assert_eq!(major("no digits"), None);
        assert_eq!(major("99999999999999999999"), None);
    }
}
