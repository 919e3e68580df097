//! The chain of layers as boxes with arrows between them, each marked ✓, !,
//! ✗ or not checked by an inline SVG icon and its word.

use std::fmt::Write as _;

use super::escape::html as esc;
use crate::report::chain::{chains, LinkState};
use crate::report::Report;

pub(super) fn section(report: &Report, out: &mut String) {
    let _ = writeln!(
        out,
        "<section id=\"chain\">\n<h2>From this computer to the iPhone</h2>"
    );
    let chains = chains(report);
    for c in chains.drawn {
        match &c.phone {
            Some(p) => {
                let _ = writeln!(out, "<h3>{}</h3>", esc(p));
            }
            None => {
                let _ = writeln!(out, "<h3>No phone found</h3>");
            }
        }
        let _ = writeln!(
            out,
            "<ol class=\"chain\" aria-label=\"layers from this computer to the phone\">"
        );
        for l in &c.links {
            let class = match l.state {
                LinkState::Passed => "passed",
                LinkState::Warning => "warning",
                LinkState::Broken => "broken",
                LinkState::NotChecked => "not-checked",
            };
            let finding = l
                .finding
                .map(|id| format!(" <code>{id}</code>"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<li class=\"{class}\"><span class=\"name\">{} {}</span><span class=\"detail\">{}: {}{finding}</span></li>",
                icon(l.state),
                esc(l.label),
                l.state.word(),
                esc(&l.detail),
            );
        }
        let _ = writeln!(out, "</ol>");
    }
    if chains.not_drawn > 0 {
        let _ = writeln!(
            out,
            "<p>… and {} (the checklist and the findings name them).</p>",
            crate::format::plural(chains.not_drawn, "more phone", "more phones")
        );
    }
    let _ = writeln!(out, "</section>");
}

/// A small icon in the link's colour; its meaning is in the word beside it.
fn icon(state: LinkState) -> &'static str {
    match state {
        LinkState::Passed => "<svg class=\"icon\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><circle cx=\"8\" cy=\"8\" r=\"7.5\" fill=\"currentColor\"/><path d=\"M4.5 8.3l2.3 2.3 4.7-5\" fill=\"none\" stroke=\"#fff\" stroke-width=\"2\"/></svg>",
        LinkState::Warning => "<svg class=\"icon\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><path d=\"M8 .8l7.4 13.6H.6z\" fill=\"currentColor\"/><path d=\"M8 5.5v4.5M8 11.5v1.5\" stroke=\"#fff\" stroke-width=\"1.8\"/></svg>",
        LinkState::Broken => "<svg class=\"icon\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><circle cx=\"8\" cy=\"8\" r=\"7.5\" fill=\"currentColor\"/><path d=\"M5 5l6 6M11 5l-6 6\" stroke=\"#fff\" stroke-width=\"2\"/></svg>",
        LinkState::NotChecked => "<svg class=\"icon\" viewBox=\"0 0 16 16\" aria-hidden=\"true\"><circle cx=\"8\" cy=\"8\" r=\"6.5\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" stroke-dasharray=\"2.5 2\"/></svg>",
    }
}
