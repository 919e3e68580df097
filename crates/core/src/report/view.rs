//! The sentences every report format says the same way: the verdict, the
//! all-clear, where the evidence came from. Text, Markdown and HTML take
//! them from here so a diagnosis reads alike wherever it is shown.

use super::Report;
use crate::format::plural;
use crate::inert::Outside;
use crate::rules::Verdict;
use crate::snapshot::ProvenanceKind;

/// Said first when Ctrl-C cut the probing short.
pub const INTERRUPTED: &str = "Interrupted: this report covers only what was probed before Ctrl-C.";

/// "Not ready: 1 blocker, 0 warnings, 2 notes."
pub fn verdict_sentence(report: &Report) -> String {
    let sum = &report.summary;
    let counts = format!(
        "{}, {}, {}",
        plural(sum.blockers, "blocker", "blockers"),
        plural(sum.warnings, "warning", "warnings"),
        plural(sum.info, "note", "notes")
    );
    match report.verdict {
        Verdict::Blocked => format!("Not ready: {counts}."),
        Verdict::Warnings => format!("Ready, with warnings: {counts}."),
        Verdict::Ready => format!("Ready: {counts}."),
    }
}

/// What stands in place of the findings when there are none. What another
/// tool printed covers only what it looked at: say so, rather than vouch
/// for this computer.
pub fn all_clear(report: &Report) -> &'static str {
    if report.snapshot.provenance.kind == ProvenanceKind::Imported {
        "No problems found in the imported evidence: nothing in it stands in the way of a backup."
    } else {
        "No problems found: this computer is ready to back up the iPhone."
    }
}

/// "Replayed snapshot: ..." or "Imported evidence: ..."; None for a live probe.
pub fn source_line(report: &Report) -> Option<String> {
    let p = &report.snapshot.provenance;
    let about = p
        .source
        .as_deref()
        .or(p.notes.as_deref())
        .unwrap_or("no source given");
    match p.kind {
        ProvenanceKind::Live => None,
        ProvenanceKind::Imported => Some(format!("Imported evidence: {}", Outside(about))),
        _ => Some(format!("Replayed snapshot: {}", Outside(about))),
    }
}

/// "1 finding:" or "3 findings, most likely cause first:".
pub fn findings_heading(n: usize) -> String {
    if n == 1 {
        "1 finding:".to_string()
    } else {
        format!("{n} findings, most likely cause first:")
    }
}
