//! The report for people: the verdict, what was checked, then the findings
//! by rank (grouped per phone when there are several), each with what was
//! seen and numbered steps, then the verdict again. Wrapped at word
//! boundaries to the width it is given; short by default (the first lines of
//! evidence and the first steps), everything with `-v`.

use std::io::{self, Write};

use super::style::{self, paint, BOLD, DIM, GREEN};
use super::{DeviceSummary, RankedFinding, Report};
use crate::format::{bytes, plural};
use crate::inert::{inert, Outside};
use crate::rules::{Layer, Severity, Verdict};
use crate::snapshot::{same_udid, BackupDirSource, Outcome, ProvenanceKind, Snapshot};

/// How much to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// How much to print and how wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub verbosity: Verbosity,
    /// Columns to wrap at.
    pub width: usize,
}

/// The width when stdout is not a terminal (files, pipes, golden files).
pub const DEFAULT_WIDTH: usize = 80;

/// Evidence lines and steps a finding shows without `-v`.
const SHORT_EVIDENCE: usize = 2;
const SHORT_STEPS: usize = 2;

impl Layout {
    /// The terminal's width when known (kept between 40 and 160 columns so
    /// a tiny or huge window still reads), else 80.
    pub fn new(verbosity: Verbosity, terminal_width: Option<usize>) -> Self {
        Self {
            verbosity,
            width: terminal_width.map_or(DEFAULT_WIDTH, |w| w.clamp(40, 160)),
        }
    }

    fn verbose(&self) -> bool {
        self.verbosity == Verbosity::Verbose
    }
}

/// `text` wrapped at word boundaries to `width`, the first line after
/// `first`, the others after `rest`. A word longer than a line (a path, a
/// UDID) stays whole on a line of its own rather than broken mid-word.
pub fn wrap(text: &str, first: &str, rest: &str, width: usize) -> Vec<String> {
    let options = textwrap::Options::new(width.max(20))
        .initial_indent(first)
        .subsequent_indent(rest)
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::wrap(text, options)
        .into_iter()
        .map(|l| l.trim_end().to_string())
        .collect()
}

fn put(out: &mut dyn Write, text: &str, first: &str, rest: &str, width: usize) -> io::Result<()> {
    for line in wrap(text, first, rest, width) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// "1 blocker, 3 notes": the counts that are not zero.
fn counts(report: &Report) -> String {
    let sum = &report.summary;
    let parts: Vec<String> = [
        (sum.blockers, "blocker", "blockers"),
        (sum.warnings, "warning", "warnings"),
        (sum.info, "note", "notes"),
    ]
    .iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| plural(*n, one, many))
    .collect();
    if parts.is_empty() {
        "no findings".into()
    } else {
        parts.join(", ")
    }
}

/// The verdict in one line, painted: printed first and again last.
fn verdict_line(report: &Report) -> String {
    let counts = counts(report);
    let unchecked = report.not_checked.len();
    match report.verdict {
        Verdict::Blocked => paint(style::RED, &format!("✗ Not ready: {counts}.")),
        Verdict::Incomplete => paint(
            style::YELLOW,
            &format!(
                "? Not finished: {} of the check did not finish; {counts} so far.",
                plural(unchecked, "part", "parts")
            ),
        ),
        Verdict::Warnings => paint(style::YELLOW, &format!("! Ready, with warnings: {counts}.")),
        Verdict::Ready => paint(GREEN, &format!("✓ Ready: {counts}.")),
    }
}

pub fn render(report: &Report, layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    if layout.verbosity == Verbosity::Quiet {
        return render_quiet(report, out);
    }
    let w = layout.width;
    let s = report.snapshot;
    put(out, &verdict_line(report), "", "  ", w)?;
    if s.interrupted {
        put(
            out,
            &paint(
                style::YELLOW,
                "Interrupted: this report covers only what was probed before Ctrl-C.",
            ),
            "",
            "",
            w,
        )?;
    }
    if let Some(cut) = &s.input_cut {
        put(
            out,
            &paint(style::YELLOW, &format!("Input cut: {}", inert(cut))),
            "",
            "  ",
            w,
        )?;
    }
    if s.provenance.kind != ProvenanceKind::Live {
        let about = s
            .provenance
            .source
            .as_deref()
            .or(s.provenance.notes.as_deref())
            .unwrap_or("no source given");
        let text = match s.provenance.kind {
            ProvenanceKind::Imported => format!("Imported evidence: {}", Outside(about)),
            _ => format!("Replayed snapshot: {}", Outside(about)),
        };
        // The provenance can be long: its first lines, all of it with -v.
        let mut lines = wrap(&text, "", "  ", w.saturating_sub(2));
        if !layout.verbose() && lines.len() > 2 {
            lines.truncate(2);
            if let Some(last) = lines.last_mut() {
                last.push_str(" …");
            }
        }
        for l in lines {
            writeln!(out, "{}", paint(DIM, &l))?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", paint(BOLD, "What was checked"))?;
    for row in overview(report, layout) {
        let glyph = match row.worst {
            Some(sev) => paint(style::color(sev), style::glyph(sev)),
            None if row.ran => paint(GREEN, "✓"),
            None => paint(DIM, "–"),
        };
        let first = format!("  {glyph} {:<9} ", row.label);
        put(out, &inert(&row.text), &first, &" ".repeat(14), w)?;
        if layout.verbose() {
            if let Some(ms) = row.duration_ms {
                writeln!(out, "{}", paint(DIM, &format!("              {ms} ms")))?;
            }
        }
    }
    if !report.not_checked.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint(BOLD, "Not checked"))?;
        for n in report.not_checked {
            put(out, &format!("{}: {}", n.what, n.why), "  – ", "    ", w)?;
        }
        put(
            out,
            "Run the check again (a longer --timeout gives a slow phone or disk more time).",
            "  ",
            "  ",
            w,
        )?;
    }
    writeln!(out)?;

    let findings = &report.findings;
    if findings.is_empty() {
        // What another tool printed covers only what it looked at: say so,
        // rather than vouch for this computer.
        let clear = if !report.not_checked.is_empty() {
            "No problems found in what was checked."
        } else if s.provenance.kind == ProvenanceKind::Imported {
            "No problems found in the imported evidence: nothing in it stands in the way of a backup."
        } else {
            "No problems found: this computer is ready to back up the iPhone."
        };
        put(out, &paint(GREEN, clear), "", "", w)?;
    } else {
        let heading = if findings.len() == 1 {
            "1 finding:".to_string()
        } else {
            format!("{} findings, most likely cause first:", findings.len())
        };
        writeln!(out, "{}", paint(BOLD, &heading))?;
        let mut printed: Vec<&RankedFinding> = Vec::new();
        for group in groups(report) {
            if let Some(title) = &group.title {
                writeln!(out)?;
                put(out, &paint(BOLD, &format!("── {title}")), "", "   ", w)?;
            }
            for rf in group.findings {
                render_finding(report, rf, group.title.is_some(), &printed, layout, out)?;
                printed.push(rf);
            }
        }
    }
    if layout.verbose() && !report.suppressed.is_empty() {
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
            put(
                out,
                &format!("{}{dev}, hidden by {}", h.id, h.hidden_by),
                "  ",
                "    ",
                w,
            )?;
        }
    }
    writeln!(out)?;
    put(out, &verdict_line(report), "", "  ", w)?;
    if !findings.is_empty() {
        put(
            out,
            "More on any finding: iphone-backup-check explain <ID>; every line and step: -v",
            "",
            "  ",
            w,
        )?;
    }
    Ok(())
}

/// Findings of one phone, or of the computer, under a heading when the
/// report covers several phones.
struct Group<'r, 'a> {
    title: Option<String>,
    findings: Vec<&'r RankedFinding<'a>>,
}

/// One group when at most one phone has findings; else one per phone (in
/// the order of their first finding) and one for the computer.
fn groups<'r, 'a>(report: &'r Report<'a>) -> Vec<Group<'r, 'a>> {
    let mut phones: Vec<&str> = Vec::new();
    for rf in &report.findings {
        if let Some(d) = rf.finding.device.as_deref() {
            if !phones.iter().any(|p| same_udid(p, d)) {
                phones.push(d);
            }
        }
    }
    if phones.len() <= 1 {
        return vec![Group {
            title: None,
            findings: report.findings.iter().collect(),
        }];
    }
    let mut out: Vec<Group> = phones
        .iter()
        .map(|p| Group {
            title: Some(phone_label(report, p)),
            findings: report
                .findings
                .iter()
                .filter(|rf| {
                    rf.finding
                        .device
                        .as_deref()
                        .is_some_and(|d| same_udid(d, p))
                })
                .collect(),
        })
        .collect();
    let computer: Vec<_> = report
        .findings
        .iter()
        .filter(|rf| rf.finding.device.is_none())
        .collect();
    if !computer.is_empty() {
        out.push(Group {
            title: Some("This computer".into()),
            findings: computer,
        });
    }
    out
}

/// How a person knows the phone with this UDID: its name and model when
/// lockdownd told them, else "iPhone <UDID>".
fn phone_label(report: &Report, udid: &str) -> String {
    let label = report
        .devices
        .iter()
        .find(|d| same_udid(&d.udid, udid))
        .map_or_else(|| format!("iPhone {udid}"), DeviceSummary::label);
    inert(&label).to_string()
}

fn render_finding(
    report: &Report,
    rf: &RankedFinding,
    grouped: bool,
    printed: &[&RankedFinding],
    layout: &Layout,
    out: &mut dyn Write,
) -> io::Result<()> {
    let w = layout.width;
    let f = rf.finding;
    writeln!(out)?;
    let sev = paint(
        style::color(f.severity),
        &format!("{} {}", style::glyph(f.severity), style::word(f.severity)),
    );
    let head = format!(
        "{sev}  {}  {}",
        paint(BOLD, &inert(&f.title)),
        paint(DIM, f.id.as_str())
    );
    put(out, &head, &format!("{:<2} ", rf.rank), "   ", w)?;
    if let (Some(d), false) = (&f.device, grouped) {
        // One phone: name it only when the checklist does not already.
        if report.devices.len() != 1 || layout.verbose() {
            put(out, &phone_label(report, d), "   ", "   ", w)?;
        }
    }
    let lines = f.evidence_lines();
    let (evidence, more_evidence) = shown(&lines, SHORT_EVIDENCE, layout);
    for e in evidence {
        put(out, &inert(e), "   · ", "     ", w)?;
    }
    if more_evidence > 0 {
        writeln!(
            out,
            "{}",
            paint(
                DIM,
                &format!("     (+{} with -v)", plural(more_evidence, "line", "lines"))
            )
        )?;
    }
    if f.remediation.is_empty() {
        return Ok(());
    }
    // The same advice for another phone: said once.
    if let Some(same) = printed
        .iter()
        .find(|p| p.finding.id == f.id && p.finding.remediation == f.remediation)
    {
        put(
            out,
            &format!("Fix: the same steps as finding {} above.", same.rank),
            "   ",
            "   ",
            w,
        )?;
        return Ok(());
    }
    writeln!(out, "   Fix")?;
    let (steps, more_steps) = shown(&f.remediation, SHORT_STEPS, layout);
    for (i, step) in steps.iter().enumerate() {
        put(out, &inert(step), &format!("   {}. ", i + 1), "      ", w)?;
    }
    if more_steps > 0 {
        put(
            out,
            &paint(
                DIM,
                &format!(
                    "(+{} if these do not help: -v, or iphone-backup-check explain {})",
                    plural(more_steps, "step", "steps"),
                    f.id
                ),
            ),
            "      ",
            "      ",
            w,
        )?;
    }
    Ok(())
}

/// The first `n` lines (all of them with -v) and how many were left out.
fn shown<'l>(lines: &'l [String], n: usize, layout: &Layout) -> (&'l [String], usize) {
    if layout.verbose() || lines.len() <= n + 1 {
        (lines, 0)
    } else {
        (&lines[..n], lines.len() - n)
    }
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
    for n in report.not_checked {
        writeln!(out, "? not checked: {} ({})", n.what, n.why)?;
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

fn overview(report: &Report, layout: &Layout) -> Vec<Row> {
    let s: &Snapshot = report.snapshot;
    let mut rows = Vec::new();

    let mut usb = row("USB", &s.probes.usb, |u| {
        format!(
            "{} on the bus",
            plural(u.devices.len(), "Apple device", "Apple devices")
        )
    });
    if let Outcome::Failed { failure, .. } = &s.probes.usb {
        usb.text = if layout.verbose() {
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
        mux.text = if layout.verbose() {
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
    for d in &report.devices {
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
        if layout.verbose() || (d.name.is_some() && report.devices.len() > 1) {
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
    judge(&mut backups, report, &[Layer::Backup], None);
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
            render(
                &r,
                &Layout {
                    verbosity: Verbosity::Normal,
                    width: DEFAULT_WIDTH,
                },
                &mut out,
            )
            .unwrap();
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
