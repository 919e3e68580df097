//! `explain`: a rule's documentation (error codes and messages join with the
//! knowledge base).

use std::io::{self, Write};

use serde::Serialize;

use crate::exit::ExitStatus;
use crate::report::style::{paint, BOLD, DIM};
use crate::rules;

#[derive(Serialize)]
struct RulePage<'a> {
    kind: &'static str,
    id: &'a str,
    title: &'a str,
    severity: &'a str,
    layer: &'a str,
    docs: String,
    steps: Vec<String>,
}

pub fn run(
    topic: &str,
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let topic = topic.trim();
    if let Some(rule) = rules::by_id(topic) {
        let steps: Vec<String> = rule
            .steps
            .iter()
            .map(|s| format!("{}{}", s.on.label(), s.text))
            .collect();
        if json {
            let page = RulePage {
                kind: "rule",
                id: rule.id,
                title: rule.title,
                severity: rule.severity.as_str(),
                layer: rule.layer.as_str(),
                docs: rule.docs_markdown(),
                steps,
            };
            serde_json::to_writer_pretty(&mut *out, &page).map_err(io::Error::other)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{}",
                paint(BOLD, &format!("{} — {}", rule.id, rule.title))
            )?;
            writeln!(
                out,
                "{}",
                paint(
                    DIM,
                    &format!(
                        "Severity: {} · Layer: {} · Since: {}",
                        rule.severity.as_str(),
                        rule.layer.as_str(),
                        rule.since
                    )
                )
            )?;
            writeln!(out)?;
            writeln!(out, "{}", rule.docs_markdown())?;
            if !steps.is_empty() {
                writeln!(out)?;
                writeln!(out, "## How to fix")?;
                for (i, s) in steps.iter().enumerate() {
                    writeln!(out, "{}. {s}", i + 1)?;
                }
            }
        }
        return Ok(ExitStatus::Ready);
    }
    writeln!(
        err,
        "iphone-backup-check: nothing known about '{topic}'. `iphone-backup-check rules` lists the rule ids; \
`iphone-backup-check diagnose` looks at this computer and the phone."
    )?;
    Ok(ExitStatus::CouldNotRun)
}
