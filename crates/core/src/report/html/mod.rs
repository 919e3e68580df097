//! The HTML report, for a support ticket: one self-contained page (inline
//! CSS and SVG, no script, no request: its Content-Security-Policy forbids
//! every load) that reads on a phone and a desktop, in light and dark, and
//! prints. Beyond the text report it draws what text cannot: the chain of
//! layers from this computer to the phone and where it breaks, the phone's
//! used space beside this computer's free space with the next backup's
//! estimate, and the phone's backups on a time line.

mod bars;
mod chain;
pub mod escape;
mod timeline;

use std::fmt::Write as _;

use super::markdown::Written;
use super::style;
use super::{checklist, names, view, Report};
use crate::rules::{Severity, Verdict};
use escape::{html as esc, html_text as text};

/// Every load forbidden: no script, no image, font, frame or connection;
/// only the page's own inline style.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'";

const CSS: &str = include_str!("page.css");

/// Evidence longer than this many lines is folded after the first few.
const FOLD_AFTER: usize = 6;

/// The report as one HTML document.
pub fn render(report: &Report, written: &Written) -> String {
    let s = report.snapshot;
    let mut out = String::with_capacity(32 * 1024);
    let title = view::verdict_title(report.verdict);
    let class = match report.verdict {
        Verdict::Blocked => "blocked",
        Verdict::Incomplete => "incomplete",
        Verdict::Warnings => "warnings",
        Verdict::Ready => "ready",
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
<meta name=\"referrer\" content=\"no-referrer\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"color-scheme\" content=\"light dark\">\n\
<title>iPhone backup check: {title}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n"
    );
    let _ = writeln!(out, "<header>\n<h1>iPhone backup check: {title}</h1>");
    if s.provenance.redacted {
        let _ = writeln!(out, "<p class=\"privacy\"><strong>Private details masked.</strong> UDIDs, serial numbers, device names and home-folder paths are replaced by placeholders such as <code>&lt;udid-1&gt;</code>.</p>");
    } else {
        let _ = writeln!(out, "<p class=\"privacy open\"><strong>Not redacted.</strong> This report shows UDIDs, serial numbers, device names and paths as they are. Write it with <code>--redact</code> before sharing it outside your organisation.</p>");
    }
    if s.interrupted {
        let _ = writeln!(
            out,
            "<p class=\"verdict warnings\">{}</p>",
            view::INTERRUPTED
        );
    }
    let _ = writeln!(
        out,
        "<p class=\"verdict {class}\" id=\"verdict\">{} {}</p>",
        view::verdict_glyph(report.verdict),
        view::verdict_sentence(report)
    );
    if let Some(line) = view::source_line(report) {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", text(&line));
    }
    let _ = writeln!(out, "</header>");

    chain::section(report, &mut out);
    checklist_section(report, &mut out);
    not_checked_section(report, &mut out);
    findings_section(report, &mut out);
    bars::section(report, &mut out);
    timeline::section(report, &mut out);

    let date = written
        .date
        .as_deref()
        .map(|d| format!(" on {}", esc(d)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "<footer>Written by {}{date}. Backed up with {} on this computer. \
More on any finding: <code>iphone-backup-check explain ID</code>.</footer>\n</main>\n</body>\n</html>",
        esc(&view::tool_line(report)),
        names::backup_program(s),
    );
    out
}

fn checklist_section(report: &Report, out: &mut String) {
    let _ = writeln!(out, "<section id=\"checklist\">\n<h2>What was checked</h2>\n<table>\n<thead><tr><th><span class=\"sr\">State</span></th><th>Layer</th><th>What it showed</th></tr></thead>\n<tbody>");
    for row in checklist::rows(report, false) {
        let mark = match row.worst {
            Some(sev) => format!(
                "<span class=\"sev-{}\" title=\"{}\">{}</span>",
                severity_class(sev),
                style::word(sev).to_lowercase(),
                style::glyph(sev)
            ),
            None if row.ran => "<span class=\"ok\" title=\"checked\">✓</span>".into(),
            None => "<span class=\"muted\" title=\"not checked\">–</span>".into(),
        };
        let _ = writeln!(
            out,
            "<tr><td>{mark}</td><td>{}</td><td>{}</td></tr>",
            esc(&row.label),
            text(&row.text)
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>\n</section>");
}

/// What did not finish, so nobody reads "nothing wrong" into it.
fn not_checked_section(report: &Report, out: &mut String) {
    if report.not_checked.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"not-checked\">\n<h2>Not checked</h2>\n<ul>"
    );
    for n in report.not_checked {
        let _ = writeln!(out, "<li>{}: {}</li>", esc(&n.what), esc(&n.why));
    }
    let _ = writeln!(out, "</ul>\n<p>{}</p>\n</section>", text(view::RUN_AGAIN));
}

fn findings_section(report: &Report, out: &mut String) {
    let s = report.snapshot;
    let _ = writeln!(out, "<section id=\"findings\">");
    if report.findings.is_empty() {
        let _ = writeln!(
            out,
            "<h2>Findings</h2>\n<p class=\"{}\">{}</p>\n</section>",
            if report.not_checked.is_empty() {
                "ok"
            } else {
                "muted"
            },
            view::all_clear(report)
        );
        return;
    }
    let _ = writeln!(
        out,
        "<h2>{}</h2>",
        view::findings_heading(report.findings.len()).trim_end_matches(':')
    );
    for rf in &report.findings {
        let f = rf.finding;
        let sev = severity_class(f.severity);
        let _ = writeln!(
            out,
            "<article class=\"finding {sev}\" id=\"finding-{}\" data-rule=\"{}\">",
            rf.rank, f.id
        );
        let _ = writeln!(
            out,
            "<h3><span class=\"rank\">{}</span> <span class=\"sev-{sev}\">{} {}</span>: <span class=\"title\">{}</span></h3>",
            rf.rank,
            style::glyph(f.severity),
            capitalised(style::word(f.severity)),
            text(&f.title)
        );
        let _ = writeln!(out, "<p class=\"muted\"><code>{}</code>", f.id);
        if let Some(d) = &f.device {
            let _ = write!(out, " · iPhone: {}", esc(&names::phone(s, d)));
        }
        let _ = writeln!(out, "</p>");
        let evidence = f.evidence_lines();
        if !evidence.is_empty() {
            let _ = writeln!(out, "<h4>Seen</h4>\n<ul>");
            let open = if evidence.len() > FOLD_AFTER + 2 {
                FOLD_AFTER
            } else {
                evidence.len()
            };
            for e in &evidence[..open] {
                let _ = writeln!(out, "<li>{}</li>", text(e));
            }
            let _ = writeln!(out, "</ul>");
            if open < evidence.len() {
                let _ = writeln!(
                    out,
                    "<details><summary>{} more lines seen</summary>\n<ul>",
                    evidence.len() - open
                );
                for e in &evidence[open..] {
                    let _ = writeln!(out, "<li>{}</li>", text(e));
                }
                let _ = writeln!(out, "</ul>\n</details>");
            }
        }
        if !f.remediation.is_empty() {
            let _ = writeln!(out, "<h4>Fix</h4>\n<ol>");
            for step in &f.remediation {
                let _ = writeln!(out, "<li>{}</li>", text(step));
            }
            let _ = writeln!(out, "</ol>");
        }
        let _ = writeln!(
            out,
            "<p class=\"muted\">More: <code>{}</code></p>\n</article>",
            esc(&rf.docs)
        );
    }
    if let Some(more) = view::more_findings(report) {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", text(&more));
    }
    let _ = writeln!(out, "</section>");
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Blocker => "blocker",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn capitalised(word: &str) -> String {
    let lower = word.to_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => lower,
    }
}
