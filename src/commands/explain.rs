//! `explain`: what a rule id, an error code or a pasted error message means,
//! the rules that cover its causes, and the fixes for each platform.

use std::io::{self, Write};

use crate::exit::ExitStatus;
use crate::knowledge;
use crate::report::explain;
use crate::rules;

/// How many knowledge entries to show for one query.
const MAX_SHOWN: usize = 3;

/// How the answer is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Markdown,
    Terminal { width: usize },
}

pub fn run(
    topic: &str,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<ExitStatus> {
    let topic = topic.trim();
    if let Some(old) = rules::retired(topic) {
        let now = old
            .replaced_by
            .map_or("no rule reports it any more".to_string(), |n| {
                format!("`iphone-backup-check explain {n}` covers it now")
            });
        writeln!(
            out,
            "{} was retired in {}: {}. {now}.",
            old.id, old.since, old.why
        )?;
        return Ok(ExitStatus::Ready);
    }
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
    match format {
        Format::Json => explain::json(topic, rule, &found, out)?,
        Format::Markdown => explain::text_as(rule, &found, explain::PageFormat::Markdown, out)?,
        Format::Terminal { width } => {
            explain::text_as(rule, &found, explain::PageFormat::Terminal { width }, out)?
        }
    }
    Ok(ExitStatus::Ready)
}

/// Echoes at most 80 characters of what the user typed.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}
