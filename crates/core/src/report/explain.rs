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

/// How a rule's page is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageFormat {
    /// For the terminal: headings as bold lines, paragraphs wrapped to the
    /// width, lists with bullets, no Markdown marks.
    Terminal { width: usize },
    /// The Markdown source (`explain --markdown`).
    Markdown,
}

/// The answer for people at 80 columns: a rule's page followed by the
/// errors people see for it, or the knowledge matches with their causes
/// and fixes.
pub fn text(rule: Option<&'static Rule>, found: &Lookup, out: &mut dyn Write) -> io::Result<()> {
    text_as(
        rule,
        found,
        PageFormat::Terminal {
            width: super::human::DEFAULT_WIDTH,
        },
        out,
    )
}

/// [`text`] with the rule's page in `format`.
pub fn text_as(
    rule: Option<&'static Rule>,
    found: &Lookup,
    format: PageFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    if let Some(rule) = rule {
        match format {
            PageFormat::Markdown => render_rule(rule, out)?,
            PageFormat::Terminal { width } => render_rule_for_terminal(rule, width, out)?,
        }
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
        if !e.causes.rules().is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "Causes this tool checks for (iphone-backup-check explain <ID>):"
            )?;
            for c in e.causes.rules() {
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

/// Writes one line of a page: `first` before the text, `rest` before each
/// line it wraps onto (the Markdown form does not wrap).
type PutLine<'a> = dyn Fn(&mut dyn Write, &str, &str, &str) -> io::Result<()> + 'a;

/// The lines both forms of a rule's page open with: id and title, severity,
/// and the other titles its findings carry.
fn write_header(
    rule: &'static Rule,
    p: &RulePage,
    put: &PutLine,
    out: &mut dyn Write,
) -> io::Result<()> {
    put(
        out,
        &paint(BOLD, &format!("{} — {}", p.id, p.title)),
        "",
        "  ",
    )?;
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
            put(out, &v, "  · ", "    ")?;
        }
    }
    Ok(())
}

fn render_rule(rule: &'static Rule, out: &mut dyn Write) -> io::Result<()> {
    let p = page(rule);
    let put = |out: &mut dyn Write, text: &str, first: &str, _rest: &str| -> io::Result<()> {
        writeln!(out, "{first}{text}")
    };
    write_header(rule, &p, &put, out)?;
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

fn render_rule_for_terminal(
    rule: &'static Rule,
    width: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let p = page(rule);
    let put = |out: &mut dyn Write, text: &str, first: &str, rest: &str| -> io::Result<()> {
        for line in super::human::wrap(text, first, rest, width) {
            writeln!(out, "{line}")?;
        }
        Ok(())
    };
    write_header(rule, &p, &put, out)?;
    let mut after_heading = false;
    for block in blocks(&p.docs) {
        match &block {
            Block::Heading(h) => {
                writeln!(out)?;
                writeln!(out, "{}", paint(BOLD, h))?;
            }
            Block::Paragraph(t) => {
                if !after_heading {
                    writeln!(out)?;
                }
                put(out, t, "  ", "  ")?;
            }
            Block::Item(t) => put(out, t, "  · ", "    ")?,
        }
        after_heading = matches!(block, Block::Heading(_));
    }
    if !p.steps.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint(BOLD, "How to fix"))?;
        for (i, s) in p.steps.iter().enumerate() {
            put(out, s, &format!("  {}. ", i + 1), "     ")?;
        }
    }
    Ok(())
}

/// A piece of a rule's Markdown page, as the terminal shows it.
#[derive(Debug, PartialEq, Eq)]
enum Block {
    Heading(String),
    Paragraph(String),
    Item(String),
}

/// The pages' Markdown (headings, paragraphs, `-` lists, `code`) as blocks
/// of plain text: the marks go, the words stay.
fn blocks(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut item: Option<Vec<&str>> = None;
    fn flush(out: &mut Vec<Block>, para: &mut Vec<&str>, item: &mut Option<Vec<&str>>) {
        if !para.is_empty() {
            out.push(Block::Paragraph(plain(&para.join(" "))));
            para.clear();
        }
        if let Some(i) = item.take() {
            out.push(Block::Item(plain(&i.join(" "))));
        }
    }
    for line in md.lines() {
        let t = line.trim();
        if t.is_empty() {
            flush(&mut out, &mut para, &mut item);
        } else if let Some(h) = t.strip_prefix('#') {
            flush(&mut out, &mut para, &mut item);
            out.push(Block::Heading(plain(h.trim_start_matches('#').trim())));
        } else if let Some(rest) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            flush(&mut out, &mut para, &mut item);
            item = Some(vec![rest]);
        } else if let Some(i) = item.as_mut() {
            i.push(t);
        } else {
            para.push(t);
        }
    }
    flush(&mut out, &mut para, &mut item);
    out
}

/// Markdown's inline marks removed: `code` and **bold** keep their words.
fn plain(text: &str) -> String {
    text.replace('`', "").replace("**", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> Lookup {
        Lookup {
            query: String::new(),
            matches: vec![],
        }
    }

    #[test]
    fn a_rule_page_on_the_terminal_has_no_markdown_marks_and_fits() {
        for rule in rules::RULES {
            let mut out = Vec::new();
            text(Some(rule), &none(), &mut out).unwrap();
            let page = crate::report::style::unpainted(&String::from_utf8(out).unwrap());
            assert!(!page.contains("## "), "{}: {page}", rule.id);
            assert!(page.contains("What it means"), "{}", rule.id);
            // Lines longer than 80 columns only for a single word (a URL).
            for l in page.lines() {
                assert!(
                    l.chars().count() <= 80 || !l.trim().contains(' '),
                    "{}: {l}",
                    rule.id
                );
            }
        }
    }

    #[test]
    fn markdown_when_asked() {
        let rule = rules::by_id("trust.reset-on-device");
        let mut out = Vec::new();
        text_as(rule, &none(), PageFormat::Markdown, &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("## What it means"));
    }

    #[test]
    fn blocks_join_wrapped_lines_and_keep_lists() {
        let b = blocks("## What it means\nOne `code`\nline.\n\n- a\n  b\n- c");
        assert_eq!(
            b,
            [
                Block::Heading("What it means".into()),
                Block::Paragraph("One code line.".into()),
                Block::Item("a b".into()),
                Block::Item("c".into()),
            ]
        );
    }
}
