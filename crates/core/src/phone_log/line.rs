//! One syslog line in the shape the phone's relay sends it and
//! `idevicesyslog` prints it:
//!
//! ```text
//! Nov 30 05:33:32 iPhone BackupAgent2[4308] <Notice>: Need extra space on host: …
//! Nov 30 05:33:32 BackupAgent2(Accounts)[4308] <Notice>: …      (newer idevicesyslog hides the name)
//! Jan 21 02:17:34 unknown BackupAgent2[142] <Warning>: INFO: …  (iOS 5)
//! ```
//!
//! A fixed 15-character time ("Mmm dd hh:mm:ss", no year), the device name
//! (optional), `process(subsystem)[pid]`, an optional `<Level>:` and the
//! message. libimobiledevice's `idevicesyslog` reads the same layout (the
//! time is bytes 0–15, then the name, then `process[pid]`).

/// A parsed line; borrows from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLine<'a> {
    /// "Nov 30 05:33:32".
    pub time: &'a str,
    /// The process name, without its subsystem ("BackupAgent2").
    pub process: &'a str,
    /// "Accounts" in `BackupAgent2(Accounts)[4308]`.
    pub subsystem: Option<&'a str>,
    pub pid: Option<u32>,
    /// "Notice", "Warning", "Error", "Debug".
    pub level: Option<&'a str>,
    pub message: &'a str,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The line's parts, or None when it is not a syslog line (a continuation
/// line of a multi-line message, idevicesyslog's `[connected:…]`, a shell
/// prompt).
pub fn parse(line: &str) -> Option<LogLine<'_>> {
    let time = line.get(0..15)?;
    if !is_time(time) {
        return None;
    }
    let rest = line.get(15..)?.strip_prefix(' ')?;
    let (first, after_first) = rest.split_once(' ').unwrap_or((rest, ""));
    let (proc_token, after) = if is_process_token(first) {
        (first, after_first)
    } else {
        // `first` is the device name.
        let (second, after_second) = after_first.split_once(' ').unwrap_or((after_first, ""));
        if !is_process_token(second) {
            return None;
        }
        (second, after_second)
    };
    let (name_part, pid_part) = proc_token.split_once('[')?;
    let pid = pid_part.strip_suffix(']')?.parse().ok();
    let (process, subsystem) = match name_part.split_once('(') {
        Some((p, sub)) => (p, sub.strip_suffix(')')),
        None => (name_part, None),
    };
    if process.is_empty() {
        return None;
    }
    let (level, message) = match after.strip_prefix('<').and_then(|a| a.split_once(">:")) {
        Some((lvl, msg)) if lvl.len() <= 10 && lvl.chars().all(|c| c.is_ascii_alphabetic()) => {
            (Some(lvl), msg.strip_prefix(' ').unwrap_or(msg))
        }
        _ => (None, after),
    };
    Some(LogLine {
        time,
        process,
        subsystem,
        pid,
        level,
        message,
    })
}

fn is_time(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 15
        && t.get(0..3).is_some_and(|m| MONTHS.contains(&m))
        && b[3] == b' '
        && (b[4] == b' ' || b[4].is_ascii_digit())
        && b[5].is_ascii_digit()
        && b[6] == b' '
        && b[9] == b':'
        && b[12] == b':'
        && [7, 8, 10, 11, 13, 14]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
}

/// `name[pid]` or `name(subsystem)[pid]`.
fn is_process_token(t: &str) -> bool {
    t.len() > 3 && t.ends_with(']') && t.contains('[')
}

/// Seconds since the start of the year for a line's time (29 days per
/// February; only differences between nearby lines are used). None when it
/// is not a time.
pub fn seconds_of_year(time: &str) -> Option<u64> {
    if !is_time(time) {
        return None;
    }
    const DAYS_BEFORE: [u64; 12] = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335];
    let month = MONTHS.iter().position(|m| Some(*m) == time.get(0..3))?;
    let num = |r: std::ops::Range<usize>| time.get(r)?.trim().parse::<u64>().ok();
    let day = num(4..6)?;
    let (h, m, s) = (num(7..9)?, num(10..12)?, num(13..15)?);
    Some(((DAYS_BEFORE[month] + day.saturating_sub(1)) * 24 + h) * 3600 + m * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_shapes_of_the_real_captures() {
        let l = parse("Dec  3 22:34:14 iPhone BackupAgent2[302] <Notice>: Not backed up (explicit): <private>").unwrap();
        assert_eq!(
            (l.time, l.process, l.pid, l.level, l.message),
            (
                "Dec  3 22:34:14",
                "BackupAgent2",
                Some(302),
                Some("Notice"),
                "Not backed up (explicit): <private>"
            )
        );
        let l = parse("Nov 30 05:33:53 BackupAgent2(Accounts)[4308] <Notice>: \"x\"").unwrap();
        assert_eq!((l.process, l.subsystem), ("BackupAgent2", Some("Accounts")));
        let l =
            parse("Jan 21 02:17:34 unknown BackupAgent2[142] <Warning>: WARNING: Starting backup")
                .unwrap();
        assert_eq!(l.message, "WARNING: Starting backup");
    }

    #[test]
    fn other_text_is_not_a_line() {
        for t in [
            "",
            "\t*** First throw call stack:",
            "[connected:00008030-0018155822E2802E]",
            "Nov 30 05:33:32",
            "Nov 30 05:33:32 ",
            "Foo 30 05:33:32 x y[1] <Notice>: m",
            "Nov 30 05:33:32 name with spaces[1] <Notice>: m",
            "Nov 30 05:33:32 []",
        ] {
            assert!(parse(t).is_none(), "{t:?}");
        }
        // Multi-byte characters where the time should be: no panic.
        assert!(parse("ééééééééééééééééééé").is_none());
    }

    #[test]
    fn seconds_between_lines() {
        let a = seconds_of_year("Nov 30 05:33:32").unwrap();
        let b = seconds_of_year("Nov 30 05:33:53").unwrap();
        assert_eq!(b - a, 21);
        assert!(seconds_of_year("Dec  1 00:00:00").unwrap() > b);
        assert_eq!(seconds_of_year("nope"), None);
    }
}
