//! `rules`: the catalogue, from the registry itself.

use std::io::{self, Write};

use serde::Serialize;

use crate::exit::ExitStatus;
use crate::report::style::{paint, BOLD, DIM};
use crate::rules::{Layer, Severity, RULES};

#[derive(Serialize)]
struct Entry {
    id: &'static str,
    title: &'static str,
    layer: Layer,
    severity: Severity,
    since: &'static str,
    hides: &'static [&'static str],
    docs: String,
}

pub fn run(json: bool, out: &mut dyn Write) -> io::Result<ExitStatus> {
    if json {
        let entries: Vec<Entry> = RULES
            .iter()
            .map(|r| Entry {
                id: r.id,
                title: r.title,
                layer: r.layer,
                severity: r.severity,
                since: r.since,
                hides: r.hides,
                docs: r.docs_markdown(),
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &entries).map_err(io::Error::other)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{}", paint(BOLD, &format!("{} rules", RULES.len())))?;
        for r in RULES {
            writeln!(out, "  {:<28} {:<8} {}", r.id, r.severity.as_str(), r.title)?;
        }
        writeln!(
            out,
            "{}",
            paint(DIM, "Details: iphone-backup-check explain <ID>")
        )?;
    }
    Ok(ExitStatus::Ready)
}
