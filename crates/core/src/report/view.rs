//! The sentences every report format says the same way: the verdict, the
//! all-clear, what was not checked, where the evidence came from. Text,
//! Markdown and HTML take them from here so a diagnosis tells the same truth
//! wherever it is shown: a check that did not finish is "not finished" in
//! each of them, never "ready".

use super::Report;
use crate::format::plural;
use crate::inert::Outside;
use crate::rules::Verdict;
use crate::snapshot::ProvenanceKind;

/// Said first when Ctrl-C cut the probing short.
pub const INTERRUPTED: &str = "Interrupted: this report covers only what was probed before Ctrl-C.";

/// Said after the list of what was not checked.
pub const RUN_AGAIN: &str =
    "Run the check again (a longer --timeout gives a slow phone or disk more time).";

/// "1 blocker, 3 notes": the counts that are not zero.
pub fn counts(report: &Report) -> String {
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

/// The verdict's mark: ✗ not ready, ? not finished, ! warnings, ✓ ready.
pub fn verdict_glyph(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Blocked => "✗",
        Verdict::Incomplete => "?",
        Verdict::Warnings => "!",
        Verdict::Ready => "✓",
    }
}

/// The verdict as a heading: "Not ready to back up", "Check not finished".
pub fn verdict_title(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Blocked => "Not ready to back up",
        Verdict::Incomplete => "Check not finished",
        Verdict::Warnings => "Ready to back up, with warnings",
        Verdict::Ready => "Ready to back up",
    }
}

/// The verdict with its counts: "Not ready: 1 blocker, 2 notes." or "Not
/// finished: 1 part of the check did not finish; 2 notes so far."
pub fn verdict_sentence(report: &Report) -> String {
    let counts = counts(report);
    match report.verdict {
        Verdict::Blocked => format!("Not ready: {counts}."),
        Verdict::Incomplete => format!(
            "Not finished: {} of the check did not finish; {counts} so far.",
            plural(report.not_checked.len(), "part", "parts")
        ),
        Verdict::Warnings => format!("Ready, with warnings: {counts}."),
        Verdict::Ready => format!("Ready: {counts}."),
    }
}

/// What stands in place of the findings when there are none. What was not
/// checked, or what another tool printed, covers only what was looked at:
/// say so, rather than vouch for this computer.
pub fn all_clear(report: &Report) -> &'static str {
    if !report.not_checked.is_empty() {
        "No problems found in what was checked."
    } else if report.snapshot.provenance.kind == ProvenanceKind::Imported {
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

/// Which build wrote the report: "iphone-backup-check 0.1.0 (commit
/// 3eed140a1b2c)", so whoever reads a shared report knows what to compare.
pub fn tool_line(report: &Report) -> String {
    let t = &report.tool;
    match t.commit {
        Some(c) => format!("{} {} (commit {c})", t.name, t.version),
        None => format!("{} {}", t.name, t.version),
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

/// "and 12 more findings, not listed (...)", when the report left some
/// out ([`crate::rules::MAX_FINDINGS`]); None when every finding is listed.
pub fn more_findings(report: &Report) -> Option<String> {
    (report.more_findings > 0).then(|| {
        format!(
            "and {} not listed: a report lists at most {} findings, {} about one phone (the summary above counts them all)",
            crate::format::plural(report.more_findings, "more finding", "more findings"),
            crate::rules::MAX_FINDINGS,
            crate::rules::MAX_FINDINGS_PER_PHONE
        )
    })
}
