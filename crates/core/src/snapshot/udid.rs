//! One UDID, several spellings. A new-style UDID (iPhone XS and later) is
//! `00008130-001A2B3C4D5E801E`: lockdownd, backup folder names and the
//! lockdown folder's file names keep the dash, while Apple's usbmuxd on macOS
//! and Windows and the USB serial number drop it, and case varies between
//! tools. Every comparison of two UDIDs goes through here.

/// Whether two spellings name the same phone (dash and case ignored).
///
/// Compared byte by byte without building the keys: rules and reports call
/// this for every pair of phones and backups they match, thousands of times
/// on a big snapshot (issue 30).
pub fn same_udid(a: &str, b: &str) -> bool {
    // By bytes: '-' and ASCII letters never occur inside a multi-byte
    // character, so this is the comparison of the two keys.
    fn key(s: &str) -> impl Iterator<Item = u8> + '_ {
        s.bytes()
            .filter(|c| *c != b'-')
            .map(|c| c.to_ascii_lowercase())
    }
    !a.is_empty() && key(a).eq(key(b))
}

/// The comparable form: no dash, lower case.
pub fn udid_key(udid: &str) -> String {
    udid.chars()
        .filter(|c| *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The spellings a file named after this phone may have, the given one
/// first: a 24-digit new-style UDID with and without its dash after the
/// eighth digit. Old 40-digit UDIDs have one spelling.
pub fn udid_spellings(udid: &str) -> Vec<String> {
    let mut out = vec![udid.to_string()];
    let bare: String = udid.chars().filter(|c| *c != '-').collect();
    if bare.len() == 24 && bare.chars().all(|c| c.is_ascii_hexdigit()) {
        for s in [format!("{}-{}", &bare[..8], &bare[8..]), bare] {
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udids_match_across_spellings() {
        assert!(same_udid(
            "00008101-00094C9B56A76363",
            "0000810100094c9b56a76363"
        ));
        assert!(!same_udid("", ""));
        assert!(!same_udid("00008101-0009", "00008101-0008"));
        let old = "c28d82f1df2580e648ad0225461d5592b8558bf7";
        assert!(same_udid(old, &old.to_uppercase()));
    }

    #[test]
    fn a_new_style_udid_has_a_dashed_and_a_bare_spelling() {
        assert_eq!(
            udid_spellings("00008130001A2B3C4D5E801E"),
            ["00008130001A2B3C4D5E801E", "00008130-001A2B3C4D5E801E"]
        );
        assert_eq!(
            udid_spellings("00008130-001A2B3C4D5E801E"),
            ["00008130-001A2B3C4D5E801E", "00008130001A2B3C4D5E801E"]
        );
        let old = "c28d82f1df2580e648ad0225461d5592b8558bf7";
        assert_eq!(udid_spellings(old), [old]);
    }
}
