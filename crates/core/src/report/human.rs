//! The report for people: what was checked, then the findings by rank, each
//! with what was seen and numbered steps, then a one-line verdict.

use std::io::{self, Write};

use super::checklist;
use super::style::{self, paint, BOLD, DIM, GREEN};
use super::view;
use super::Report;
use crate::inert::{inert, Outside};
use crate::rules::{Severity, Verdict};

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
        writeln!(out, "{}", paint(style::YELLOW, view::INTERRUPTED))?;
    }
    if let Some(cut) = &s.input_cut {
        writeln!(
            out,
            "{}",
            paint(style::YELLOW, &format!("Input cut: {}", inert(cut)))
        )?;
    }
    if let Some(line) = view::source_line(report) {
        writeln!(out, "{}", paint(DIM, &line))?;
    }
    writeln!(out, "{}", paint(BOLD, "What was checked"))?;
    for row in checklist::rows(report) {
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
        let clear = view::all_clear(report);
        writeln!(out, "{}", paint(GREEN, clear))?;
    } else {
        let heading = view::findings_heading(findings.len());
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
    let color = match report.verdict {
        Verdict::Blocked => style::RED,
        Verdict::Warnings => style::YELLOW,
        Verdict::Ready => GREEN,
    };
    let verdict = paint(color, &view::verdict_sentence(report));
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
