//! `explain`: what a rule id, an error code or a pasted error message means,
//! the rules that cover its causes, and the fixes for each platform.

use std::io::{self, Write};

use serde::Serialize;

use crate::exit::ExitStatus;
use crate::knowledge::{self, Lookup, Platforms};
use crate::report::style::{paint, BOLD, DIM};
use crate::rules::{self, Rule};

/// How many knowledge entries to show for one query.
const MAX_SHOWN: usize = 3;

#[derive(Serialize)]
struct RulePage<'a> {
    id: &'a str,
    title: &'a str,
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
    knowledge: Lookup,
}

pub fn run(
    topic: &str,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let topic = topic.trim();
    let rule = rules::by_id(topic);
    let mut found = knowledge::lookup(topic);
    found.matches.truncate(MAX_SHOWN);
    if rule.is_none() && found.is_empty() {
        writeln!(
            err,
            "iphone-backup-check: nothing known about '{}'. `iphone-backup-check rules` lists the rule ids; \
`iphone-backup-check diagnose` looks at this computer and the phone for the cause.",
            shorten(topic)
        )?;
        return Ok(ExitStatus::CouldNotRun);
    }
    if json {
        let answer = Answer {
            query: topic,
            rule: rule.map(page),
            knowledge: found,
        };
        serde_json::to_writer_pretty(&mut *out, &answer).map_err(io::Error::other)?;
        writeln!(out)?;
        return Ok(ExitStatus::Ready);
    }
    if let Some(rule) = rule {
        render_rule(rule, out)?;
        if !found.is_empty() {
            writeln!(out)?;
            writeln!(out, "{}", paint(BOLD, "Errors people see for it"))?;
            for m in &found.matches {
                writeln!(out, "  · {} ({})", m.entry.title, m.entry.key)?;
            }
        }
        return Ok(ExitStatus::Ready);
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
                let title = rules::by_id(c).map_or("", |r| r.title);
                writeln!(out, "  · {c}  {title}")?;
            }
        }
        if !e.fixes.is_empty() {
            writeln!(out)?;
            writeln!(out, "Fixes")?;
            for (n, f) in e.fixes.iter().enumerate() {
                writeln!(out, "  {}. {}{}", n + 1, label(f.platforms), f.text)?;
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
    )?;
    Ok(ExitStatus::Ready)
}

fn page(rule: &'static Rule) -> RulePage<'static> {
    RulePage {
        id: rule.id,
        title: rule.title,
        severity: rule.severity.as_str(),
        layer: rule.layer.as_str(),
        since: rule.since,
        docs: rule.docs_markdown(),
        steps: rule
            .steps
            .iter()
            .map(|s| format!("{}{}", s.on.label(), s.text))
            .collect(),
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

/// "On Windows: ", "On the iPhone: ", or nothing for every platform.
fn label(p: Platforms) -> String {
    if p == Platforms::ALL || p == Platforms::HOSTS {
        return String::new();
    }
    let names: Vec<&str> = p
        .names()
        .into_iter()
        .map(|n| match n {
            "macos" => "macOS",
            "windows" => "Windows",
            "linux" => "Linux",
            _ => "the iPhone",
        })
        .collect();
    format!("On {}: ", names.join(" or "))
}

/// Echoes at most 80 characters of what the user typed.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}
