//! The report for people: what was checked, then the findings by rank, each
//! with what was seen and numbered steps, then a one-line verdict.

use std::io::{self, Write};

use super::style::{self, paint, BOLD, DIM, GREEN};
use super::Report;
use crate::format::{bytes, plural};
use crate::inert::{inert, Outside};
use crate::rules::{Layer, Severity, Verdict};
use crate::snapshot::{BackupDirSource, Outcome, Snapshot};

/// How much to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

pub fn render(report: &Report, verbosity: Verbosity, out: &mut dyn Write) -> io::Result<()> {
    if verbosity == Verbosity::Quiet {
        return render_quiet(report, out);
    }
    let s = report.snapshot;
    if s.interrupted {
        writeln!(
            out,
            "{}",
            paint(
                style::YELLOW,
                "Interrupted: this report covers only what was probed before Ctrl-C."
            )
        )?;
    }
    if let Some(cut) = &s.input_cut {
        writeln!(
            out,
            "{}",
            paint(style::YELLOW, &format!("Input cut: {}", inert(cut)))
        )?;
    }
    if s.provenance.kind != crate::snapshot::ProvenanceKind::Live {
        let about = s
            .provenance
            .source
            .as_deref()
            .or(s.provenance.notes.as_deref())
            .unwrap_or("no source given");
        writeln!(
            out,
            "{}",
            paint(
                DIM,
                &match s.provenance.kind {
                    crate::snapshot::ProvenanceKind::Imported =>
                        format!("Imported evidence: {}", Outside(about)),
                    _ => format!("Replayed snapshot: {}", Outside(about)),
                }
            )
        )?;
    }
    writeln!(out, "{}", paint(BOLD, "What was checked"))?;
    for row in overview(report) {
        let glyph = match row.worst {
            Some(sev) => paint(style::color(sev), style::glyph(sev)),
            None if row.ran => paint(GREEN, "✓"),
            None => paint(DIM, "–"),
        };
        writeln!(out, "  {glyph} {:<9} {}", row.label, Outside(&row.text))?;
        if verbosity == Verbosity::Verbose {
            if let Some(ms) = row.duration_ms {
                writeln!(out, "    {}", paint(DIM, &format!("{} ms", ms)))?;
            }
        }
    }
    writeln!(out)?;

    let findings = &report.findings;
    if findings.is_empty() {
        // What another tool printed covers only what it looked at: say so,
        // rather than vouch for this computer.
        let clear = if s.provenance.kind == crate::snapshot::ProvenanceKind::Imported {
            "No problems found in the imported evidence: nothing in it stands in the way of a backup."
        } else {
            "No problems found: this computer is ready to back up the iPhone."
        };
        writeln!(out, "{}", paint(GREEN, clear))?;
    } else {
        let heading = if findings.len() == 1 {
            "1 finding:".to_string()
        } else {
            format!("{} findings, most likely cause first:", findings.len())
        };
        writeln!(out, "{}", paint(BOLD, &heading))?;
        for rf in findings {
            let f = rf.finding;
            writeln!(out)?;
            let sev = paint(
                style::color(f.severity),
                &format!("{} {}", style::glyph(f.severity), style::word(f.severity)),
            );
            writeln!(
                out,
                "{:<2} {sev}  {}  {}",
                rf.rank,
                paint(BOLD, &inert(&f.title)),
                paint(DIM, f.id.as_str())
            )?;
            if let Some(d) = &f.device {
                writeln!(out, "   iPhone {}", Outside(d))?;
            }
            if !f.evidence.is_empty() {
                writeln!(out, "   Seen")?;
                for e in f.evidence_lines() {
                    writeln!(out, "     · {}", Outside(&e))?;
                }
            }
            if !f.remediation.is_empty() {
                writeln!(out, "   Fix")?;
                for (i, step) in f.remediation.iter().enumerate() {
                    writeln!(out, "     {}. {}", i + 1, Outside(step))?;
                }
            }
        }
    }
    if verbosity == Verbosity::Verbose && !report.suppressed.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            paint(BOLD, "Hidden because a root cause explains them")
        )?;
        for h in report.suppressed {
            let dev = h
                .device
                .as_deref()
                .map(|d| format!(" ({})", Outside(d)))
                .unwrap_or_default();
            writeln!(out, "  {}{dev}, hidden by {}", h.id, h.hidden_by)?;
        }
    }
    writeln!(out)?;
    let sum = &report.summary;
    let counts = format!(
        "{}, {}, {}",
        plural(sum.blockers, "blocker", "blockers"),
        plural(sum.warnings, "warning", "warnings"),
        plural(sum.info, "note", "notes")
    );
    let verdict = match report.verdict {
        Verdict::Blocked => paint(style::RED, &format!("Not ready: {counts}.")),
        Verdict::Warnings => paint(style::YELLOW, &format!("Ready, with warnings: {counts}.")),
        Verdict::Ready => paint(GREEN, &format!("Ready: {counts}.")),
    };
    writeln!(out, "{verdict}")?;
    if !findings.is_empty() {
        writeln!(out, "More on any finding: iphone-backup-check explain <ID>")?;
    }
    Ok(())
}

fn render_quiet(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for rf in &report.findings {
        let f = rf.finding;
        if f.severity == Severity::Info {
            continue;
        }
        let dev = f
            .device
            .as_deref()
            .map(|d| format!(" [{}]", Outside(d)))
            .unwrap_or_default();
        writeln!(
            out,
            "{} {}  {}{dev}",
            paint(style::color(f.severity), style::glyph(f.severity)),
            f.id,
            Outside(&f.title)
        )?;
    }
    Ok(())
}

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

struct Row {
    label: String,
    text: String,
    ran: bool,
    worst: Option<Severity>,
    duration_ms: Option<u64>,
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

fn overview(report: &Report) -> Vec<Row> {
    let s: &Snapshot = report.snapshot;
    let worst = |layers: &[Layer], device: Option<&str>| {
        report
            .findings
            .iter()
            .map(|rf| rf.finding)
            .filter(|f| {
                layers.contains(&f.layer) && (device.is_none() || f.device.as_deref() == device)
            })
            .map(|f| f.severity)
            .max()
    };
    let mut rows = Vec::new();

    let mut usb = row("USB", &s.probes.usb, |u| {
        format!(
            "{} on the bus",
            plural(u.devices.len(), "Apple device", "Apple devices")
        )
    });
    usb.worst = worst(&[Layer::Usb], None);
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
    if matches!(s.probes.usbmuxd, Outcome::Failed { .. }) && !addr.is_empty() {
        mux.text = format!("{addr}: {}", mux.text);
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
    mux.worst = if listened.is_some() {
        worst(&[Layer::Usbmuxd], None)
    } else {
        worst(&[Layer::Usbmuxd, Layer::Connection], None)
    };
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
        let what = match obs.origin {
            crate::snapshot::ListenOrigin::Log => format!("usbmuxd's log covers {secs}"),
            _ => format!("followed usbmuxd's plug events for {secs}"),
        };
        let mut link = row("Link", &s.probes.mux_events, |_| {
            if drops == 0 {
                format!("{what}: no drop")
            } else {
                format!("{what}: {}", plural(drops, "drop", "drops"))
            }
        });
        link.worst = worst(&[Layer::Connection], None);
        rows.push(link);
    }

    for d in &report.devices {
        let mut text = d.udid.clone();
        if let Some(p) = &d.product_type {
            text.push_str(&format!(", {p}"));
        }
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
        let device_layers = [
            Layer::Trust,
            Layer::Device,
            Layer::BackupService,
            Layer::Icloud,
        ];
        rows.push(Row {
            label: "iPhone".into(),
            text,
            ran: true,
            worst: worst(&device_layers, Some(&d.udid)),
            duration_ms: None,
        });
    }

    let mut host = row("Computer", &s.probes.host, |h| {
        let os = [h.os.name.as_deref(), h.os.version.as_deref()]
            .iter()
            .flatten()
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let dir = match (&h.backup_dir.path, h.backup_dir.source) {
            (None, BackupDirSource::None) => {
                "no default backup folder on this OS (use --backup-dir)".to_string()
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
    host.worst = worst(&[Layer::Host], None);
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
    backups.worst = worst(&[Layer::Backup], None);
    rows.push(backups);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::world;
    use crate::snapshot::Outcome;

    /// A backups check the deadline cut short is not shown as done (✓).
    #[test]
    fn a_backups_check_cut_short_is_not_a_tick() {
        let mut s = world().backup(|_| {}).build();
        let render = |s: &Snapshot| {
            let d = crate::rules::diagnose(s, None);
            let tool = crate::report::Tool {
                name: "iphone-backup-check",
                version: "0",
                commit: None,
                build_date: None,
                target: None,
            };
            let r = Report::new(s, &d, 0, tool);
            let mut out = Vec::new();
            render(&r, Verbosity::Normal, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            text.lines()
                .find(|l| l.contains("Backups"))
                .unwrap()
                .to_string()
        };
        assert!(render(&s).contains('✓'), "{}", render(&s));
        if let Outcome::Ok { value, .. } = &mut s.probes.backups {
            value.cut_short = true;
        }
        let line = render(&s);
        assert!(!line.contains('✓') && line.contains("deadline"), "{line}");
    }
}
