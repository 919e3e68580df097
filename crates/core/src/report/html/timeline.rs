//! The phone's backups on a time line: a mark per backup at its date,
//! coloured and shaped by what became of it (finished, unfinished,
//! damaged), with a list below giving each one's date, state and size.

use std::fmt::Write as _;

use super::escape::html as esc;
use crate::format::bytes;
use crate::report::names;
use crate::report::timeline::{backups, BackupKind, BackupMark};
use crate::report::Report;

/// The drawing's width in SVG units; it scales to the page.
const WIDTH: f64 = 600.0;
const MARGIN: f64 = 40.0;

pub(super) fn section(report: &Report, out: &mut String) {
    let s = report.snapshot;
    let phones = names::phones(s);
    let groups: Vec<(Option<String>, Vec<BackupMark>)> = if phones.is_empty() {
        vec![(None, backups(report, None))]
    } else {
        phones
            .iter()
            .map(|u| (Some(names::phone(s, u)), backups(report, Some(u))))
            .collect()
    };
    if groups.iter().all(|(_, b)| b.is_empty()) {
        return;
    }
    let _ = writeln!(
        out,
        "<section id=\"backups\">\n<h2>Backups in the folder</h2>"
    );
    for (phone, marks) in groups {
        if marks.is_empty() {
            continue;
        }
        if let Some(p) = phone {
            let _ = writeln!(out, "<h3>{}</h3>", esc(&p));
        }
        drawing(out, &marks);
        let _ = writeln!(out, "<ul class=\"legend\">");
        for kind in [
            BackupKind::Finished,
            BackupKind::Unfinished,
            BackupKind::Damaged,
            BackupKind::Unknown,
        ] {
            if marks.iter().any(|m| m.kind == kind) {
                let _ = writeln!(
                    out,
                    "<li><span class=\"dot {}\"></span>{}</li>",
                    class(kind),
                    kind.word()
                );
            }
        }
        let _ = writeln!(out, "</ul>\n<ul>");
        for m in &marks {
            let size = m
                .size
                .map(|b| format!(", {}", bytes(b)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<li><strong>{}</strong>: {} {}{size} <span class=\"muted\">({})</span></li>",
                esc(m
                    .date
                    .as_deref()
                    .map_or("no date", |d| d.get(..10).unwrap_or(d))),
                m.kind.word(),
                esc(&m.label),
                esc(&m.folder)
            );
        }
        let _ = writeln!(out, "</ul>");
    }
    let _ = writeln!(out, "</section>");
}

fn drawing(out: &mut String, marks: &[BackupMark]) {
    let dated: Vec<(i64, &BackupMark)> = marks.iter().filter_map(|m| Some((m.at?, m))).collect();
    if dated.is_empty() {
        return;
    }
    let first = dated.iter().map(|(t, _)| *t).min().unwrap_or(0);
    let last = dated.iter().map(|(t, _)| *t).max().unwrap_or(0);
    let x = |t: i64| {
        if last == first {
            WIDTH / 2.0
        } else {
            MARGIN + (t - first) as f64 / (last - first) as f64 * (WIDTH - 2.0 * MARGIN)
        }
    };
    let _ = write!(
        out,
        "<svg class=\"timeline\" viewBox=\"0 0 {WIDTH} 70\" role=\"img\" aria-label=\"{} on a time line\">\
<line class=\"axis\" x1=\"10\" y1=\"30\" x2=\"{}\" y2=\"30\"/>",
        dated.len(),
        WIDTH - 10.0
    );
    for (t, m) in &dated {
        let cx = x(*t);
        let _ = write!(
            out,
            "<g class=\"{}\"><title>{}</title>",
            class(m.kind),
            esc(&format!(
                "{}: {}",
                m.date.as_deref().unwrap_or(""),
                m.kind.word()
            ))
        );
        let _ = match m.kind {
            BackupKind::Damaged => write!(out, "<path d=\"M{:.1} 22l8 8-8 8-8-8z\"/>", cx),
            BackupKind::Unfinished => write!(out, "<path d=\"M{:.1} 21a9 9 0 0 1 0 18z\"/><circle cx=\"{cx:.1}\" cy=\"30\" r=\"8\" fill=\"none\" stroke=\"currentColor\"/>", cx),
            _ => write!(out, "<circle cx=\"{cx:.1}\" cy=\"30\" r=\"8\"/>"),
        };
        let _ = write!(out, "</g>");
    }
    // Dates under the first and the last mark only: more would overlap.
    let mut labelled: Vec<(i64, &BackupMark)> = vec![dated[0]];
    if dated.len() > 1 {
        labelled.push(dated[dated.len() - 1]);
    }
    for (i, (t, m)) in labelled.iter().enumerate() {
        let anchor = match (labelled.len(), i) {
            (1, _) => "middle",
            (_, 0) => "start",
            _ => "end",
        };
        let cx = x(*t);
        let tx = match anchor {
            "start" => (cx - 8.0).max(2.0),
            "end" => (cx + 8.0).min(WIDTH - 2.0),
            _ => cx,
        };
        let day = m.date.as_deref().map_or("", |d| d.get(..10).unwrap_or(d));
        let _ = write!(
            out,
            "<text x=\"{tx:.1}\" y=\"58\" text-anchor=\"{anchor}\">{}</text>",
            esc(day)
        );
    }
    let _ = writeln!(out, "</svg>");
}

fn class(kind: BackupKind) -> &'static str {
    match kind {
        BackupKind::Finished => "finished",
        BackupKind::Unfinished => "unfinished",
        BackupKind::Damaged => "damaged",
        BackupKind::Unknown => "unknown",
    }
}
