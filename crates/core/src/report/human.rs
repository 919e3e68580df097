//! The report for people: the verdict, what was checked, then the findings
//! by rank (grouped per phone when there are several), each with what was
//! seen and numbered steps, then the verdict again. Wrapped at word
//! boundaries to the width it is given; short by default (the first lines of
//! evidence and the first steps), everything with `-v`.

use std::io::{self, Write};

use super::checklist;
use super::style::{self, paint, BOLD, DIM, GREEN};
use super::view;
use super::{DeviceSummary, RankedFinding, Report};
use crate::format::plural;
use crate::inert::{inert, Outside};
use crate::rules::{Severity, Verdict};
use crate::snapshot::same_udid;

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

/// The verdict in one line, painted: printed first and again last.
fn verdict_line(report: &Report) -> String {
    let color = match report.verdict {
        Verdict::Blocked => style::RED,
        Verdict::Incomplete | Verdict::Warnings => style::YELLOW,
        Verdict::Ready => GREEN,
    };
    let text = format!(
        "{} {}",
        view::verdict_glyph(report.verdict),
        view::verdict_sentence(report)
    );
    paint(color, &text)
}

pub fn render(report: &Report, layout: &Layout, out: &mut dyn Write) -> io::Result<()> {
    if layout.verbosity == Verbosity::Quiet {
        return render_quiet(report, out);
    }
    let w = layout.width;
    let s = report.snapshot;
    put(out, &verdict_line(report), "", "  ", w)?;
    if s.interrupted {
        put(out, &paint(style::YELLOW, view::INTERRUPTED), "", "", w)?;
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
    if let Some(text) = view::source_line(report) {
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
    for row in checklist::rows(report, layout.verbose()) {
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
        put(out, view::RUN_AGAIN, "  ", "  ", w)?;
    }
    writeln!(out)?;

    let findings = &report.findings;
    if findings.is_empty() {
        let clear = view::all_clear(report);
        put(out, &paint(GREEN, clear), "", "", w)?;
    } else {
        let heading = view::findings_heading(findings.len());
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
        if let Some(more) = view::more_findings(report) {
            writeln!(out)?;
            put(out, &more, "", "  ", w)?;
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
