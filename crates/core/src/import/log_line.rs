//! The clocks two logs keep inside the message, after the normaliser
//! (`super::normalise`) took off what stood before it: dmesg's (`[ 1978.206059]`,
//! `[Sep14 22:47]`, `[  +0.198420]`) and usbmuxd's own (`[13:23:46.121][3]`,
//! or `[3]` alone in its syslog mode).

/// The message of a kernel line: after a bare `kernel: ` tag and dmesg's
/// bracketed clock.
pub fn kernel_message(line: &str) -> &str {
    let rest = line.strip_prefix("kernel: ").unwrap_or(line);
    strip_bracket_clock(rest.trim_start())
}

/// usbmuxd's `[HH:MM:SS.mmm][level] ` prefix: the time of day in
/// milliseconds, the level, and the message after it.
pub fn usbmuxd_stamp(message: &str) -> Option<(u64, u8, &str)> {
    let rest = message.strip_prefix('[')?;
    let (clock, rest) = rest.split_once("][")?;
    let (level, text) = rest.split_once(']')?;
    let level: u8 = level.parse().ok()?;
    Some((time_of_day_ms(clock)?, level, text.trim_start()))
}

/// usbmuxd's syslog-mode `[level] ` prefix: the level and the message.
pub fn syslog_level(message: &str) -> Option<(u8, &str)> {
    let (level, text) = message.strip_prefix('[')?.split_once(']')?;
    if level.len() != 1 {
        return None;
    }
    Some((level.parse().ok()?, text.trim_start()))
}

/// `HH:MM:SS.mmm` (or `HH:MM:SS`) as milliseconds since midnight.
fn time_of_day_ms(clock: &str) -> Option<u64> {
    let (hms, ms) = match clock.split_once('.') {
        Some((hms, ms)) => (hms, ms),
        None => (clock, "0"),
    };
    let mut parts = hms.split(':');
    let mut total = 0u64;
    for _ in 0..3 {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        total = total * 60 + p.parse::<u64>().ok()?;
    }
    if parts.next().is_some() || ms.len() > 3 || !ms.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let ms: u64 = format!("{ms:0<3}").parse().ok()?;
    Some(total * 1000 + ms)
}

/// Drops dmesg's bracketed clock, whatever its form (`[ 12.3]`,
/// `[Sep14 22:47]`, `[  +0.000007]`).
fn strip_bracket_clock(s: &str) -> &str {
    let Some(rest) = s.strip_prefix('[') else {
        return s;
    };
    match rest.find(']') {
        Some(i) if i <= 32 => rest.get(i + 1..).unwrap_or("").trim_start(),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_clocks_are_dropped() {
        let m = "usb 1-2: USB disconnect, device number 18";
        for line in [
            format!("[82381.201401] {m}"),
            format!("[ 1978.206059] {m}"),
            format!("[Sep14 22:47] {m}"),
            format!("[  +0.198420] {m}"),
            format!("kernel: {m}"),
            m.to_string(),
        ] {
            assert_eq!(kernel_message(&line), m, "{line}");
        }
        assert_eq!(kernel_message("["), "[");
    }

    #[test]
    fn usbmuxd_prefixes_and_stamps() {
        let m = "[08:11:50.120][3] Using libusb 1.0.24";
        assert_eq!(
            usbmuxd_stamp(m),
            Some((
                8 * 3_600_000 + 11 * 60_000 + 50_120,
                3,
                "Using libusb 1.0.24"
            ))
        );
        assert_eq!(
            usbmuxd_stamp("[13:23:46.1][4] x").map(|s| s.0 % 1000),
            Some(100)
        );
        assert_eq!(usbmuxd_stamp("[14:34:"), None);
        assert_eq!(usbmuxd_stamp("[aa:bb:cc.ddd][1] x"), None);
        assert_eq!(usbmuxd_stamp("[99999999999999999999:00:00.000][1] x"), None);
        assert_eq!(
            syslog_level("[3] Removed device 1"),
            Some((3, "Removed device 1"))
        );
        assert_eq!(syslog_level("[12] x"), None);
    }
}
