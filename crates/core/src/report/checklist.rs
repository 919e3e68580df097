//! The checklist: one row per layer that was looked at (USB, usbmuxd, the
//! phones, this computer, the backups), what it showed in plain words and
//! the worst finding on it, so a row's mark never disagrees with the
//! findings. The text, Markdown and HTML reports all show these rows.

use super::Report;
use crate::format::{bytes, plural};
use crate::rules::{Layer, Severity};
use crate::snapshot::{same_udid, BackupDirSource, Outcome, Snapshot};

/// "iTunes 12.13.2.3, Apple Devices 1.2405.9.0 (Microsoft Store)": the apps
/// a Windows user backs up with (the driver package is left out).
fn apple_apps(software: &[crate::snapshot::AppleSoftware]) -> String {
    let apps: Vec<String> = software
        .iter()
        .filter(|a| a.product != crate::snapshot::AppleProduct::MobileDeviceSupport)
        .map(|a| a.describe())
        .collect();
    if apps.is_empty() {
        "no iTunes or Apple Devices app found".into()
    } else {
        apps.join(", ")
    }
}

/// One layer as the checklist shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// "USB", "usbmuxd", "iPhone", "Computer", ...
    pub label: String,
    /// What it showed, or why it was not checked.
    pub text: String,
    /// Its probe finished (and vouches for what it looked at).
    pub ran: bool,
    /// The most severe finding on this layer, if any.
    pub worst: Option<Severity>,
    pub duration_ms: Option<u64>,
}

fn row<T>(label: &str, o: &Outcome<T>, ok_text: impl FnOnce(&T) -> String) -> Row {
    let text = match o {
        Outcome::Ok { value, .. } => ok_text(value),
        Outcome::Failed { failure, .. } => failure.message.clone(),
        Outcome::Skipped { because } => format!("not checked: {because}"),
    };
    Row {
        label: label.into(),
        text,
        ran: o.is_ok(),
        worst: None,
        duration_ms: o.duration_ms(),
    }
}

/// The worst finding among `layers` (for one phone, or any), so a row's
/// glyph never disagrees with the findings.
fn worst_of<'r>(
    report: &'r Report,
    layers: &[Layer],
    device: Option<&str>,
) -> Option<&'r crate::rules::Finding> {
    report
        .findings
        .iter()
        .map(|rf| rf.finding)
        .filter(|f| {
            layers.contains(&f.layer)
                && device.is_none_or(|d| f.device.as_deref().is_some_and(|fd| same_udid(fd, d)))
        })
        .max_by_key(|f| f.severity)
}

/// Sets a row's glyph from the findings of its layers; a row that was not
/// probed but has a finding (a pasted error) says what the finding says
/// instead of "not checked".
fn judge(row: &mut Row, report: &Report, layers: &[Layer], device: Option<&str>) {
    if let Some(f) = worst_of(report, layers, device) {
        row.worst = Some(f.severity);
        if !row.ran && row.duration_ms.is_none() {
            row.text = format!("from the evidence: {}", f.title);
        }
    }
}

/// The rows, in the order of the layers from the bus to the backups. Plain
/// words; `verbose` adds the system's own messages and the phones' UDIDs.
/// At most this many phones get a row of their own.
pub const MAX_PHONE_ROWS: usize = 20;

pub fn rows(report: &Report, verbose: bool) -> Vec<Row> {
    let s: &Snapshot = report.snapshot;
    let mut rows = Vec::new();
    let mut rows_after_phones = None;

    let mut usb = row("USB", &s.probes.usb, |u| {
        format!(
            "{} on the bus",
            plural(u.devices.len(), "Apple device", "Apple devices")
        )
    });
    if let Outcome::Failed { failure, .. } = &s.probes.usb {
        usb.text = if verbose {
            format!("cannot read the USB bus here ({})", failure.message)
        } else {
            "cannot read the USB bus on this computer".to_string()
        };
    }
    judge(&mut usb, report, &[Layer::Usb], None);
    rows.push(usb);

    let addr = s
        .probes
        .usbmuxd_address
        .as_ref()
        .map(|a| a.display.clone())
        .unwrap_or_default();
    let mut mux = row("usbmuxd", &s.probes.usbmuxd, |m| {
        format!(
            "running at {}, lists {}",
            m.address.display,
            plural(m.devices.len(), "phone", "phones")
        )
    });
    if let Outcome::Failed { failure, .. } = &s.probes.usbmuxd {
        let at = if addr.is_empty() {
            "its address".to_string()
        } else {
            addr.clone()
        };
        // Plain words first; the system's own message only with -v (and
        // always in the findings' evidence and --json).
        let plain = match failure.kind {
            crate::snapshot::FailureKind::NotFound => format!("not running (nothing at {at})"),
            crate::snapshot::FailureKind::Refused => {
                format!("not answering at {at} (connection refused)")
            }
            crate::snapshot::FailureKind::AccessDenied => {
                format!("this user may not use it ({at})")
            }
            crate::snapshot::FailureKind::TimedOut => {
                format!("no answer at {at} before the deadline")
            }
            crate::snapshot::FailureKind::ProtocolError => {
                format!("something at {at} answered, but not as usbmuxd does")
            }
            _ => format!("{at}: {}", failure.message),
        };
        mux.text = if verbose {
            format!("{plain}: {}", failure.message)
        } else {
            plain
        };
    }
    // On Windows usbmuxd is a service: say what the Service Control Manager
    // says about it when nothing answered.
    if let (Some(w), Outcome::Failed { .. }) = (s.windows(), &s.probes.usbmuxd) {
        let svc = &w.mobile_device_service;
        mux.text = format!("{}; {} is {}", mux.text, svc.name, svc.describe());
    }
    // The Listen window has its own row when it ran; older snapshots
    // without it keep connection findings on the usbmuxd row.
    let listened = s.probes.mux_events.value();
    if listened.is_some() {
        judge(&mut mux, report, &[Layer::Usbmuxd], None);
    } else {
        judge(&mut mux, report, &[Layer::Usbmuxd, Layer::Connection], None);
    }
    rows.push(mux);
    if let Some(obs) = listened {
        let drops = obs
            .events
            .iter()
            .filter(|e| e.kind == crate::snapshot::MuxEventKind::Detached)
            .count();
        let secs = if obs.window_ms < 1000 {
            format!("{} ms", obs.window_ms)
        } else {
            format!("{:.1} s", obs.window_ms as f64 / 1000.0)
        };
        let mut link = row("Link", &s.probes.mux_events, |_| {
            let what = match obs.origin {
                crate::snapshot::ListenOrigin::Log => "usbmuxd's log shows",
                _ => "the phone stayed connected:",
            };
            match (drops, obs.origin) {
                (0, crate::snapshot::ListenOrigin::Log) => format!("{what} no drop ({secs})"),
                (0, _) => format!("{what} no drop while checking ({secs})"),
                (n, _) => format!(
                    "{}: dropped off during the check ({secs})",
                    plural(n, "drop", "drops")
                ),
            }
        });
        judge(&mut link, report, &[Layer::Connection], None);
        rows.push(link);
    }

    let device_layers = [
        Layer::Trust,
        Layer::Device,
        Layer::BackupService,
        Layer::Icloud,
    ];
    // One row per phone up to a screenful; the rest in one row (issue 30:
    // a daemon listing thousands of phones).
    if report.devices.len() > MAX_PHONE_ROWS {
        let more = report.devices.len() - MAX_PHONE_ROWS;
        rows_after_phones = Some(Row {
            label: "iPhone".into(),
            text: format!(
                "and {} not listed here (the findings count them; iphone-backup-check devices lists every phone)",
                plural(more, "more phone", "more phones")
            ),
            ran: false,
            worst: None,
            duration_ms: None,
        });
    }
    for d in report.devices.iter().take(MAX_PHONE_ROWS) {
        let mut text = d.label();
        if let Some(v) = &d.ios_version {
            text.push_str(&format!(", iOS {v}"));
        }
        text.push_str(&format!(
            ", over {}",
            if d.connection == "usb" {
                "USB"
            } else {
                "Wi-Fi"
            }
        ));
        if verbose || (d.name.is_some() && report.devices.len() > 1) {
            text.push_str(&format!("; UDID {}", d.udid));
            if let Some(p) = &d.product_type {
                text.push_str(&format!(", {p}"));
            }
        }
        let mut phone = Row {
            label: "iPhone".into(),
            text,
            ran: true,
            worst: None,
            duration_ms: None,
        };
        judge(&mut phone, report, &device_layers, Some(&d.udid));
        rows.push(phone);
    }
    rows.extend(rows_after_phones);

    let mut host = row("Computer", &s.probes.host, |h| {
        let os = h.os.describe();
        let dir = match (&h.backup_dir.path, h.backup_dir.source) {
            (None, BackupDirSource::None) => {
                "no backup folder checked: this OS has no default one (use --backup-dir)"
                    .to_string()
            }
            (None, _) => "no backup folder".to_string(),
            (Some(p), _) => match &h.backup_dir.volume {
                Some(v) => match v.important_free_bytes.filter(|i| *i > v.free_bytes) {
                    // macOS: Finder's figure, counting purgeable space, too.
                    Some(i) => format!(
                        "backup folder {p} ({} free, {} counting purgeable space)",
                        bytes(v.free_bytes),
                        bytes(i)
                    ),
                    None => format!("backup folder {p} ({} free)", bytes(v.free_bytes)),
                },
                None => format!("backup folder {p}"),
            },
        };
        match s.windows() {
            Some(w) => format!("{os}; {}; {dir}", apple_apps(&w.apple_software)),
            None => format!("{os}; {dir}"),
        }
    });
    // No backup folder looked at: not a tick.
    if s.host().is_some_and(|h| h.backup_dir.path.is_none()) {
        host.ran = false;
    }
    judge(&mut host, report, &[Layer::Host], None);
    rows.push(host);

    let mut backups = row("Backups", &s.probes.backups, |b| {
        plural(b.backups.len(), "backup", "backups") + " in the folder"
    });
    // Cut short by the deadline: what was not read is not vouched for (no ✓).
    if let Some(b) = s.probes.backups.value().filter(|b| b.cut_short) {
        backups.ran = false;
        backups.text = format!(
            "{}: the deadline stopped the check before the end (not every backup, or not all of one, was read; a longer --timeout reads more)",
            plural(b.backups.len(), "backup", "backups") + " read"
        );
    }
    // More subfolders than the check reads: the rest were not looked at.
    if let Some(b) = s.probes.backups.value().filter(|b| b.not_read > 0) {
        backups.ran = false;
        backups.text = format!(
            "{}, {} not read{}",
            plural(b.backups.len(), "backup", "backups") + " read",
            plural(b.not_read as usize, "subfolder", "subfolders"),
            match (b.cut_short, b.limit) {
                (true, _) =>
                    " (the deadline came first; a longer --timeout reads more)".to_string(),
                (false, Some(max)) => format!(" (the check reads at most {max})"),
                (false, None) => String::new(),
            }
        );
    }
    judge(&mut backups, report, &[Layer::Backup], None);
    rows.push(backups);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::world;

    fn backups_row(s: &Snapshot) -> Row {
        let d = crate::rules::diagnose(s, None);
        let r = Report::new(s, &d, 0, crate::report::TEST_TOOL);
        rows(&r, false)
            .into_iter()
            .find(|r| r.label == "Backups")
            .unwrap()
    }

    /// A backups check the deadline cut short is not shown as done.
    #[test]
    fn a_backups_check_cut_short_is_not_a_tick() {
        let mut s = world().backup(|_| {}).build();
        let row = backups_row(&s);
        assert!(row.ran && row.worst.is_none(), "{row:?}");
        if let Outcome::Ok { value, .. } = &mut s.probes.backups {
            value.cut_short = true;
        }
        let row = backups_row(&s);
        assert!(!row.ran && row.text.contains("deadline"), "{row:?}");
    }
}
