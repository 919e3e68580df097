//! The Markdown report, for a GitHub issue or a forum post: the verdict and
//! the checklist first as a short table, the chain of layers, then each
//! finding with its evidence (long evidence folded in `<details>`) and its
//! numbered steps, and at the end the tool's version and the date.
//!
//! Whatever the diagnosis, it stays under GitHub's 65,536-character limit
//! for an issue body: when it would not, evidence is shortened step by step
//! (then steps point to `explain`, then findings of one rule are grouped);
//! no finding is ever left out.

pub mod escape;

use std::collections::HashMap;
use std::fmt::Write as _;

use super::style;
use super::{chain, checklist, names, view, Report};
use crate::format::plural;
use crate::rules::RuleId;
use escape::{markdown as esc, markdown_text as text};

/// GitHub refuses an issue body or comment longer than this (characters).
pub const GITHUB_LIMIT: usize = 65_536;

/// What a shared report says about itself that the snapshot does not hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// When the report was written, as the caller's clock said ("2026-12-07
    /// 17:20 UTC"); the core reads no clock.
    pub date: Option<String>,
}

/// How much of the evidence fits: each level shows less.
#[derive(Debug, Clone, Copy)]
struct Budget {
    /// Evidence lines shown per finding (the rest counted).
    lines: usize,
    /// Characters shown of one evidence line.
    line_chars: usize,
    /// Characters shown of a title.
    title_chars: usize,
    /// Remediation steps shown; otherwise "explain ID" gives them.
    steps: bool,
    /// One line per rule instead of one section per finding.
    grouped: bool,
    /// Checklist rows shown (the rest counted).
    rows: usize,
}

const BUDGETS: &[Budget] = &[
    Budget {
        lines: usize::MAX,
        line_chars: usize::MAX,
        title_chars: usize::MAX,
        steps: true,
        grouped: false,
        rows: usize::MAX,
    },
    Budget {
        lines: 20,
        line_chars: 1000,
        title_chars: 300,
        steps: true,
        grouped: false,
        rows: 40,
    },
    Budget {
        lines: 6,
        line_chars: 300,
        title_chars: 200,
        steps: true,
        grouped: false,
        rows: 20,
    },
    Budget {
        lines: 2,
        line_chars: 160,
        title_chars: 160,
        steps: true,
        grouped: false,
        rows: 12,
    },
    Budget {
        lines: 0,
        line_chars: 0,
        title_chars: 160,
        steps: true,
        grouped: false,
        rows: 12,
    },
    Budget {
        lines: 0,
        line_chars: 0,
        title_chars: 120,
        steps: false,
        grouped: false,
        rows: 12,
    },
    Budget {
        lines: 0,
        line_chars: 0,
        title_chars: 120,
        steps: false,
        grouped: true,
        rows: 12,
    },
];

/// Evidence longer than this many lines is folded after the first few.
const FOLD_AFTER: usize = 4;

/// The report as one Markdown document.
pub fn render(report: &Report, written: &Written) -> String {
    // A margin for line endings a browser may turn into CR LF on paste.
    let limit = GITHUB_LIMIT - GITHUB_LIMIT / 16;
    let mut phone_names = HashMap::new();
    for f in &report.findings {
        if let Some(d) = &f.finding.device {
            phone_names
                .entry(d.clone())
                .or_insert_with(|| names::phone(report.snapshot, d));
        }
    }
    let parts = Parts {
        rows: checklist::rows(report, false),
        chains: chain::chains(report),
        phone_names,
    };
    let mut last = String::new();
    for budget in BUDGETS {
        last = render_with(report, written, &parts, budget);
        if last.chars().count() + last.lines().count() <= limit {
            return last;
        }
    }
    last
}

/// What every attempt shows the same, worked out once.
struct Parts {
    rows: Vec<checklist::Row>,
    chains: chain::Chains,
    /// Each finding's phone as people know it, by the finding's UDID.
    phone_names: HashMap<String, String>,
}

fn render_with(report: &Report, written: &Written, parts: &Parts, budget: &Budget) -> String {
    let s = report.snapshot;
    let mut out = String::new();
    let title = view::verdict_title(report.verdict);
    let _ = writeln!(out, "## iPhone backup check: {title}\n");
    if s.provenance.redacted {
        let _ = writeln!(out, "> [!NOTE]\n> **Private details masked.** UDIDs, serial numbers, device names and home-folder paths are replaced by placeholders such as `<udid-1>`.\n");
    } else {
        let _ = writeln!(out, "> [!WARNING]\n> **Not redacted.** This report shows UDIDs, serial numbers, device names and paths as they are. Write it with `--redact` before sharing it publicly.\n");
    }
    if s.interrupted {
        let _ = writeln!(out, "**{}**\n", view::INTERRUPTED);
    }
    let _ = writeln!(
        out,
        "**{} {}**\n",
        view::verdict_glyph(report.verdict),
        view::verdict_sentence(report)
    );
    if let Some(line) = view::source_line(report) {
        let _ = writeln!(out, "{}\n", text(&cut(&line, 300)));
    }

    // The checklist as a short table.
    let rows = &parts.rows;
    let _ = writeln!(out, "| | Checked | What it showed |\n| :-: | --- | --- |");
    for row in rows.iter().take(budget.rows) {
        let mark = match row.worst {
            Some(sev) => format!("{} {}", style::glyph(sev), style::word(sev).to_lowercase()),
            None if row.ran => "✓".to_string(),
            None => "–".to_string(),
        };
        let _ = writeln!(
            out,
            "| {mark} | {} | {} |",
            esc(&row.label),
            text(&cut(&row.text, 300))
        );
    }
    if rows.len() > budget.rows {
        let _ = writeln!(
            out,
            "| | | … and {} more |",
            plural(rows.len() - budget.rows, "row", "rows")
        );
    }
    out.push('\n');
    not_checked(report, &mut out, budget);

    // Where the chain from this computer to the phone breaks.
    let chains = &parts.chains.drawn;
    for c in chains.iter().take(budget.rows) {
        let who = c
            .phone
            .as_deref()
            .map(|p| format!(" ({})", esc(p)))
            .unwrap_or_default();
        let _ = writeln!(out, "**Computer → iPhone{who}:** {}  ", c.one_line());
    }
    let phones = chains.len() + parts.chains.not_drawn;
    if phones > budget.rows {
        let _ = writeln!(
            out,
            "… and {}  ",
            plural(phones - budget.rows, "more phone", "more phones")
        );
    }
    out.push('\n');

    let findings = &report.findings;
    if findings.is_empty() {
        let _ = writeln!(out, "{}\n", view::all_clear(report));
    } else if budget.grouped {
        grouped(report, &mut out, budget);
    } else {
        let _ = writeln!(
            out,
            "### {}\n",
            view::findings_heading(findings.len()).trim_end_matches(':')
        );
        for rf in findings {
            let f = rf.finding;
            let _ = writeln!(
                out,
                "#### {}. {} {}: {} (`{}`)\n",
                rf.rank,
                style::glyph(f.severity),
                style::word(f.severity).to_lowercase(),
                text(&cut(&f.title, budget.title_chars)),
                f.id
            );
            if let Some(d) = &f.device {
                let name = parts.phone_names.get(d).map_or(d.as_str(), String::as_str);
                let _ = writeln!(out, "iPhone: {}\n", esc(name));
            }
            evidence(&mut out, &f.evidence_lines(), budget);
            if budget.steps && !f.remediation.is_empty() {
                let _ = writeln!(out, "**Fix**\n");
                for (i, step) in f.remediation.iter().enumerate() {
                    let _ = writeln!(out, "{}. {}", i + 1, text(step));
                }
                out.push('\n');
            }
            let _ = writeln!(out, "More: `{}`\n", rf.docs);
        }
    }
    if let Some(more) = view::more_findings(report) {
        let _ = writeln!(out, "*{}*\n", esc(&more));
    }
    if budget.lines < usize::MAX {
        let _ = writeln!(out, "*Shortened to fit GitHub's {GITHUB_LIMIT}-character limit: some evidence is left out. The HTML or JSON report (`--format html`, `--json`) has all of it.*\n");
    }
    let date = written
        .date
        .as_deref()
        .map(|d| format!(" on {}", d))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<sub>Written by {}{date}. Backed up with {} on this computer.</sub>",
        esc(&view::tool_line(report)),
        names::backup_program(s),
    );
    out
}

/// What did not finish, so nobody reads "nothing wrong" into it.
fn not_checked(report: &Report, out: &mut String, budget: &Budget) {
    let all = report.not_checked;
    if all.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Not checked\n");
    for n in all.iter().take(budget.rows) {
        let _ = writeln!(
            out,
            "- {}: {}",
            esc(&cut(&n.what, 300)),
            esc(&cut(&n.why, 300))
        );
    }
    if all.len() > budget.rows {
        let _ = writeln!(
            out,
            "- … and {} more",
            plural(all.len() - budget.rows, "part", "parts")
        );
    }
    let _ = writeln!(out, "\n{}\n", text(view::RUN_AGAIN));
}

/// The evidence lines of one finding: the first few as a list, the rest
/// folded in `<details>`, each cut to the budget.
fn evidence(out: &mut String, lines: &[String], budget: &Budget) {
    if lines.is_empty() {
        return;
    }
    if budget.lines == 0 {
        let _ = writeln!(
            out,
            "*{} seen (left out to fit).*\n",
            plural(lines.len(), "evidence line", "evidence lines")
        );
        return;
    }
    let _ = writeln!(out, "**Seen**\n");
    let shown = lines.len().min(budget.lines);
    let open = if shown > FOLD_AFTER + 1 {
        FOLD_AFTER
    } else {
        shown
    };
    for l in &lines[..open] {
        let _ = writeln!(out, "- {}", text(&cut(l, budget.line_chars)));
    }
    out.push('\n');
    if shown > open {
        let _ = writeln!(
            out,
            "<details><summary>{} more</summary>\n",
            plural(lines.len() - open, "line", "lines")
        );
        for l in &lines[open..shown] {
            let _ = writeln!(out, "- {}", text(&cut(l, budget.line_chars)));
        }
        if lines.len() > shown {
            let _ = writeln!(
                out,
                "- *… {} left out to fit*",
                plural(lines.len() - shown, "line", "lines")
            );
        }
        let _ = writeln!(out, "\n</details>\n");
    } else if lines.len() > shown {
        let _ = writeln!(
            out,
            "*… {} left out to fit*\n",
            plural(lines.len() - shown, "line", "lines")
        );
    }
}

/// The most compact form: one line per rule, with the ranks and phones of
/// its findings, so every finding is still counted.
fn grouped(report: &Report, out: &mut String, budget: &Budget) {
    let _ = writeln!(
        out,
        "### {} findings, grouped by rule\n",
        report.findings.len()
    );
    let mut seen: Vec<RuleId> = Vec::new();
    for rf in &report.findings {
        let f = rf.finding;
        if seen.contains(&f.id) {
            continue;
        }
        seen.push(f.id);
        let same: Vec<_> = report
            .findings
            .iter()
            .filter(|o| o.finding.id == f.id)
            .collect();
        let ranks = if same.len() == 1 {
            format!("rank {}", rf.rank)
        } else {
            format!(
                "{} findings, ranks {} to {}",
                same.len(),
                rf.rank,
                same.last().map_or(rf.rank, |l| l.rank)
            )
        };
        let _ = writeln!(
            out,
            "- {} **{}** (`{}`): {ranks}. More: `{}`",
            style::glyph(f.severity),
            text(&cut(&f.title, budget.title_chars)),
            f.id,
            rf.docs
        );
    }
    out.push('\n');
}

/// At most `max` characters of raw text, with "…" when cut (before
/// escaping, so no escape or code span is cut in two).
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
