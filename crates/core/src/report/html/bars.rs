//! The phone's used space beside this computer's free space, as bars on one
//! scale, with the range the next backup may need: whether it fits is seen
//! at a glance. Each bar is an SVG that stretches to the page's width; its
//! figures are HTML text beside it, so they stay readable on a phone.

use std::fmt::Write as _;

use super::escape::html as esc;
use crate::format::bytes;
use crate::report::space::{spaces, Space};
use crate::report::Report;

pub(super) fn section(report: &Report, out: &mut String) {
    let all: Vec<Space> = spaces(report).into_iter().filter(Space::is_known).collect();
    if all.is_empty() {
        return;
    }
    let _ = writeln!(out, "<section id=\"space\">\n<h2>Space</h2>");
    // As many phones as get a chain drawn (issue 30: thousands of phones
    // drew thousands of bars).
    let drawn = crate::report::chain::MAX_CHAINS;
    for sp in all.iter().take(drawn) {
        if let Some(p) = &sp.phone {
            let _ = writeln!(out, "<h3>{}</h3>", esc(p));
        }
        let scale = sp.scale() as f64;
        let pct = |n: u64| (n as f64 / scale * 100.0).clamp(0.0, 100.0);
        let _ = writeln!(out, "<div class=\"bars\">");
        if let Some(used) = sp.phone_used {
            bar(
                out,
                "Used on the iPhone",
                &bytes(used),
                &[("used", 0.0, pct(used))],
            );
        }
        if let Some(free) = sp.free_now {
            let mut label = bytes(free);
            let mut parts = vec![("free", 0.0, pct(free))];
            if sp.purgeable > 0 {
                label = format!(
                    "{label}, {} with purgeable space",
                    bytes(free.saturating_add(sp.purgeable))
                );
                parts.push((
                    "purgeable",
                    pct(free),
                    pct(free.saturating_add(sp.purgeable)),
                ));
            }
            if let Some(total) = sp.volume_total {
                label = format!("{label} (of {})", bytes(total));
            }
            bar(out, "Free on this computer", &label, &parts);
        }
        if let Some(e) = &sp.estimate {
            bar(
                out,
                "The next backup needs",
                &format!("{} to {}", bytes(e.low), bytes(e.high)),
                &[("low", 0.0, pct(e.low)), ("high", pct(e.low), pct(e.high))],
            );
            let _ = writeln!(
                out,
                "<p class=\"muted\">Estimated from {}.</p>",
                esc(&e.basis)
            );
        } else {
            let _ = writeln!(
                out,
                "<p class=\"muted\">The size of the next backup is not known: no finished backup of this phone here, and its used space was not read.</p>"
            );
        }
        let _ = writeln!(out, "</div>");
    }
    if all.len() > drawn {
        let _ = writeln!(
            out,
            "<p>… and {}.</p>",
            crate::format::plural(all.len() - drawn, "more phone", "more phones")
        );
    }
    let _ = writeln!(out, "</section>");
}

/// One labelled bar: segments (class, from %, to %) on a full-width track.
fn bar(out: &mut String, label: &str, figure: &str, parts: &[(&str, f64, f64)]) {
    let _ = write!(
        out,
        "<div><div class=\"bar-label\"><span>{label}</span><strong>{figure}</strong></div>\
<svg class=\"bar\" viewBox=\"0 0 100 4\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{label}: {figure}\">\
<rect class=\"track\" x=\"0\" y=\"0\" width=\"100\" height=\"4\"/>"
    );
    for (class, from, to) in parts {
        let _ = write!(
            out,
            "<rect class=\"{class}\" x=\"{from:.2}\" y=\"0\" width=\"{:.2}\" height=\"4\"/>",
            (to - from).max(0.0)
        );
    }
    let _ = writeln!(out, "</svg></div>");
}
