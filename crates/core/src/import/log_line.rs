//! The prefixes logs put before a message: syslog and journal (`Nov 26
//! 14:05:35 host kernel:`, `usbmuxd[4297]:`), dmesg's clock (`[ 1978.206059]`,
//! `[Sep14 22:47]`, `[  +0.198420]`) and usbmuxd's own (`[13:23:46.121][3]`).
//! Importers match on the message, so a line reads the same whichever way it
//! was collected.

/// The message of a kernel line: after `kernel:` when a syslog or journal
/// prefix is there, and after dmesg's bracketed clock.
pub fn kernel_message(line: &str) -> &str {
    let rest = match line.find(" kernel: ") {
        Some(i) => line.get(i + " kernel: ".len()..).unwrap_or(""),
        None => line.strip_prefix("kernel: ").unwrap_or(line),
    };
    strip_bracket_clock(rest.trim_start())
}

/// The message of a usbmuxd line: after a syslog or journal `usbmuxd[PID]:`
/// (or `usbmuxd:`) prefix when there is one.
pub fn usbmuxd_message(line: &str) -> &str {
    for tag in ["usbmuxd[", "usbmuxd: "] {
        let Some(i) = line.find(tag) else {
            continue;
        };
        let after = line.get(i + tag.len()..).unwrap_or("");
        if tag == "usbmuxd: " {
            return after;
        }
        if let Some(j) = after.find("]: ") {
            let pid = after.get(..j).unwrap_or("");
            if !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) {
                return after.get(j + 3..).unwrap_or("");
            }
        }
    }
    line
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
    fn kernel_prefixes_are_dropped() {
        let m = "usb 1-2: USB disconnect, device number 18";
        for line in [
            format!("Nov 26 14:05:35 mobile kernel: [82381.201401] {m}"),
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
        let line = "Mär 19 08:11:50 localhost usbmuxd[4297]: [08:11:50.120][3] Using libusb 1.0.24";
        let m = usbmuxd_message(line);
        assert_eq!(m, "[08:11:50.120][3] Using libusb 1.0.24");
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
        assert_eq!(usbmuxd_message("usbmuxd[x]: y"), "usbmuxd[x]: y");
    }
}
