//! `explain`: a rule's page, or what the knowledge base says about an error
//! code or a pasted message, for people (text) or programs (JSON).

use std::io::{self, Write};

use serde::Serialize;

use super::catalogue::variant_lines;
use super::style::{paint, BOLD, DIM};
use crate::knowledge::Lookup;
use crate::rules::{self, Rule};

#[derive(Serialize)]
struct RulePage<'a> {
    id: &'a str,
    title: &'a str,
    variants: &'a [rules::Title],
    severity: &'a str,
    layer: &'a str,
    since: &'a str,
    docs: String,
    steps: Vec<String>,
}

#[derive(Serialize)]
struct Answer<'a> {
    query: &'a str,
    rule: Option<RulePage<'a>>,
    #[serde(flatten)]
    knowledge: &'a Lookup,
}

/// The answer as JSON: the rule's page (if `query` is a rule id) and the
/// knowledge matches.
pub fn json(
    query: &str,
    rule: Option<&'static Rule>,
    found: &Lookup,
    out: &mut dyn Write,
) -> io::Result<()> {
    let answer = Answer {
        query,
        rule: rule.map(page),
        knowledge: found,
    };
    serde_json::to_writer_pretty(&mut *out, &answer).map_err(super::json::io_error)?;
    writeln!(out)
}

/// The answer for people: a rule's page followed by the errors people see
/// for it, or the knowledge matches with their causes and fixes.
pub fn text(rule: Option<&'static Rule>, found: &Lookup, out: &mut dyn Write) -> io::Result<()> {
    if let Some(rule) = rule {
        render_rule(rule, out)?;
        if !found.is_empty() {
            writeln!(out)?;
            writeln!(out, "{}", paint(BOLD, "Errors people see for it"))?;
            for m in &found.matches {
                writeln!(out, "  · {} ({})", m.entry.title, m.entry.key)?;
            }
        }
        return Ok(());
    }
    for (i, m) in found.matches.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let e = m.entry;
        writeln!(out, "{}", paint(BOLD, e.title))?;
        let why: Vec<String> = m.reasons.iter().map(|r| r.describe()).collect();
        writeln!(
            out,
            "{}",
            paint(DIM, &format!("Matched: {}", why.join("; ")))
        )?;
        writeln!(out)?;
        writeln!(out, "{}", e.meaning)?;
        if !e.causes.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "Causes this tool checks for (iphone-backup-check explain <ID>):"
            )?;
            for c in e.causes {
                let title = c.rule().title;
                writeln!(out, "  · {c}  {title}")?;
            }
        }
        if !e.fixes.is_empty() {
            writeln!(out)?;
            writeln!(out, "Fixes")?;
            for (n, f) in e.fixes.iter().enumerate() {
                writeln!(out, "  {}. {}", n + 1, f.labelled())?;
            }
        }
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            paint(DIM, &format!("Sources: {}", e.sources.join(" · ")))
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "To see which cause applies here: iphone-backup-check diagnose"
    )
}

fn page(rule: &'static Rule) -> RulePage<'static> {
    RulePage {
        id: rule.id.as_str(),
        title: rule.title,
        variants: rule.variants,
        severity: rule.severity.as_str(),
        layer: rule.layer.as_str(),
        since: rule.since,
        docs: rule.docs_markdown(),
        steps: rule.steps.iter().map(|s| s.labelled()).collect(),
    }
}

fn render_rule(rule: &'static Rule, out: &mut dyn Write) -> io::Result<()> {
    let p = page(rule);
    writeln!(out, "{}", paint(BOLD, &format!("{} — {}", p.id, p.title)))?;
    writeln!(
        out,
        "{}",
        paint(
            DIM,
            &format!(
                "Severity: {} · Layer: {} · Since: {}",
                p.severity, p.layer, p.since
            )
        )
    )?;
    let variants = variant_lines(rule);
    if !variants.is_empty() {
        writeln!(out)?;
        writeln!(out, "Other titles its findings carry:")?;
        for v in variants {
            writeln!(out, "  · {v}")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", p.docs)?;
    if !p.steps.is_empty() {
        writeln!(out)?;
        writeln!(out, "## How to fix")?;
        for (i, s) in p.steps.iter().enumerate() {
            writeln!(out, "{}. {s}", i + 1)?;
        }
    }
    Ok(())
}
