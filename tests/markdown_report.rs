//! The Markdown report read back as GitHub reads it: every fixture's report
//! parsed with a CommonMark renderer (pulldown-cmark, with GitHub's tables)
//! and checked for its structure; outside text that looks like markup
//! renders as itself; any diagnosis, however large, fits in an issue body.

use iphone_backup_check::build_info::tool;
use iphone_backup_check::inert::inert;
use iphone_backup_check::report::markdown::{render, Written, GITHUB_LIMIT};
use iphone_backup_check::report::{checklist, style, Report};
use iphone_backup_check::rules::{self, Diagnosis, Finding, RULES};
use iphone_backup_check::snapshot::{parse_snapshot_bytes, MuxDevice, Snapshot};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

fn written() -> Written {
    Written {
        date: Some("2026-12-07 17:20 UTC".into()),
    }
}

fn fixtures() -> Vec<(String, Snapshot)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("fixtures").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let s = parse_snapshot_bytes(&std::fs::read(&path).unwrap()).unwrap();
        out.push((path.file_name().unwrap().to_string_lossy().to_string(), s));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// What a reader sees of a document: its blocks, in order, with their text.
#[derive(Debug, Default)]
struct Read {
    /// (level, text) of every heading.
    headings: Vec<(HeadingLevel, String)>,
    /// Rows of every table, header included, as cell texts.
    tables: Vec<Vec<Vec<String>>>,
    /// Items of every numbered list, as texts.
    numbered: Vec<Vec<String>>,
    /// Raw HTML the document holds (tags the renderer passes through).
    html: Vec<String>,
    /// Text of every paragraph.
    paragraphs: Vec<String>,
}

fn read(md: &str) -> Read {
    let mut r = Read::default();
    let mut text = String::new();
    let mut lists: Vec<Option<Vec<String>>> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(md, opts) {
        match event {
            Event::Start(Tag::Heading { .. })
            | Event::Start(Tag::Paragraph)
            | Event::Start(Tag::TableCell)
            | Event::Start(Tag::Item) => text.clear(),
            Event::End(TagEnd::Heading(level)) => r.headings.push((level, text.clone())),
            Event::End(TagEnd::Paragraph) => r.paragraphs.push(text.clone()),
            Event::Start(Tag::Table(_)) => r.tables.push(Vec::new()),
            Event::End(TagEnd::TableCell) => row.push(text.clone()),
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                r.tables.last_mut().unwrap().push(std::mem::take(&mut row))
            }
            Event::Start(Tag::List(first)) => lists.push(first.map(|_| Vec::new())),
            Event::End(TagEnd::List(_)) => {
                if let Some(Some(items)) = lists.pop() {
                    r.numbered.push(items);
                }
            }
            Event::End(TagEnd::Item) => {
                if let Some(Some(items)) = lists.last_mut() {
                    items.push(text.clone());
                }
            }
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::Html(h) | Event::InlineHtml(h) => r.html.push(h.to_string()),
            _ => {}
        }
    }
    r
}

/// A title as it reads once rendered: a backtick span shows its content.
fn shown(s: &str) -> String {
    let text = inert(s).into_owned();
    if text.matches('`').count() % 2 == 0 {
        text.replace('`', "")
    } else {
        text
    }
}

/// The HTML a report may carry: the folds around long evidence and the
/// small print; nothing from outside.
fn only_own_html(r: &Read, name: &str) {
    for h in &r.html {
        let allowed = ["<details><summary>", "</details>", "<sub>", "</sub>"];
        let h = h.trim();
        assert!(
            allowed.iter().any(|a| h.starts_with(a) || h == *a),
            "{name}: raw HTML in the report: {h:?}"
        );
    }
}

#[test]
fn every_fixture_reads_as_verdict_checklist_then_findings_with_steps() {
    for (name, s) in fixtures() {
        let d = rules::diagnose(&s, None);
        let report = Report::new(&s, &d, 0, tool());
        let md = render(&report, &written());
        assert!(md.chars().count() < GITHUB_LIMIT, "{name}");
        let r = read(&md);
        // The verdict first, as the document's heading.
        let (level, first) = &r.headings[0];
        assert_eq!(*level, HeadingLevel::H2, "{name}");
        assert!(
            first.starts_with("iPhone backup check: "),
            "{name}: {first}"
        );
        // Then the checklist, one row per layer under a header.
        let rows = checklist::rows(&report, false);
        let table = &r.tables[0];
        assert_eq!(table[0], ["", "Checked", "What it showed"], "{name}");
        assert_eq!(table.len(), rows.len() + 1, "{name}");
        for (cells, row) in table[1..].iter().zip(&rows) {
            assert_eq!(cells[1], row.label, "{name}");
            assert_eq!(cells[2], shown(&row.text), "{name}");
        }
        // Each finding a heading with its rank, severity, title and id,
        // and its steps a numbered list.
        let finding_headings: Vec<&String> = r
            .headings
            .iter()
            .filter(|(l, _)| *l == HeadingLevel::H4)
            .map(|(_, t)| t)
            .collect();
        assert_eq!(finding_headings.len(), d.findings.len(), "{name}");
        let mut steps = r.numbered.iter();
        for (i, f) in d.findings.iter().enumerate() {
            let want = format!(
                "{}. {} {}: {} ({})",
                i + 1,
                style::glyph(f.severity),
                style::word(f.severity).to_lowercase(),
                shown(&f.title),
                f.id
            );
            assert_eq!(finding_headings[i], &want, "{name}");
            if !f.remediation.is_empty() {
                let list = steps.next().expect("a numbered list of steps");
                let want: Vec<String> = f.remediation.iter().map(|s| shown(s)).collect();
                assert_eq!(list, &want, "{name}: steps of {}", f.id);
            }
        }
        only_own_html(&r, &name);
        // Said at the top whether identifiers are masked.
        assert!(
            r.paragraphs
                .iter()
                .take(3)
                .any(|p| p.contains("Private details masked") || p.contains("Not redacted")),
            "{name}"
        );
    }
}

/// Text from outside that looks like markup: a device name, a quoted line.
const HOSTILE: &[&str] = &[
    "<img src=x onerror=alert(1)> **bold** @everyone #12 | cell",
    "[click](javascript:alert(1)) ![x](http://e.invalid/x.png)",
    "1. not a list\n# not a heading\r\n> not a quote",
    "`unclosed code and \u{1b}[31mred\u{1b}[0m \u{202e}txet desrever",
    "$x^2$ ~~struck~~ _under_ \\ back\\slash &amp; <details>",
];

#[test]
fn outside_text_renders_as_itself() {
    let s = Snapshot::new(Default::default());
    let mut findings = Vec::new();
    for (i, h) in HOSTILE.iter().enumerate() {
        findings.push(
            Finding::new(RULES[i])
                .titled(h.to_string())
                .evidence(*h)
                .evidence(format!("quoted: {h}")),
        );
    }
    let d = Diagnosis {
        verdict: rules::Verdict::Blocked,
        summary: Default::default(),
        findings,
        suppressed: Vec::new(),
        not_checked: Vec::new(),
        more_findings: 0,
    };
    let report = Report::new(&s, &d, 2, tool());
    let md = render(&report, &written());
    let r = read(&md);
    only_own_html(&r, "hostile");
    for (i, h) in HOSTILE.iter().enumerate() {
        let want = inert(h);
        let heading = &r
            .headings
            .iter()
            .filter(|(l, _)| *l == HeadingLevel::H4)
            .nth(i)
            .unwrap()
            .1;
        assert!(heading.contains(&shown(h)), "{heading:?} lacks {want:?}");
        assert!(!md.contains('\u{1b}') && !md.contains('\u{202e}'));
    }
    // Nothing became a link, an image, emphasis or a list but ours.
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for e in Parser::new_ext(&md, opts) {
        if let Event::Start(tag) = e {
            assert!(
                !matches!(
                    tag,
                    Tag::Link { .. } | Tag::Image { .. } | Tag::Emphasis | Tag::Strikethrough
                ),
                "{tag:?} in\n{md}"
            );
        }
    }
}

/// A snapshot no real computer makes: thousands of phones, none paired,
/// each with long evidence. The report still fits in a GitHub issue, and
/// every finding is still in it.
#[test]
fn any_diagnosis_fits_in_a_github_issue_cutting_evidence_never_findings() {
    let mut s =
        parse_snapshot_bytes(&std::fs::read("fixtures/device-not-paired.json").unwrap()).unwrap();
    let one = s.probes.devices[0].clone();
    let mux = s.probes.usbmuxd.value_mut().unwrap();
    let listed: MuxDevice = mux.devices[0].clone();
    for n in 0..400 {
        let udid = format!("00008030-{n:016X}");
        let mut d = one.clone();
        d.udid = udid.clone();
        s.probes.devices.push(d);
        let mut m = listed.clone();
        m.udid = udid;
        m.device_id = n + 100;
        mux.devices.push(m);
    }
    let d = rules::diagnose(&s, None);
    // A report lists at most rules::MAX_FINDINGS and counts the rest.
    assert!(
        d.findings.len() + d.more_findings > 400,
        "{} + {}",
        d.findings.len(),
        d.more_findings
    );
    let report = Report::new(&s, &d, 2, tool());
    let md = render(&report, &written());
    assert!(
        md.chars().count() < GITHUB_LIMIT,
        "{} characters",
        md.chars().count()
    );
    for f in &d.findings {
        assert!(md.contains(&format!("`{}`", f.id)), "{} left out", f.id);
    }
    // Every finding counted, none dropped silently.
    assert!(
        md.contains(&format!("{} findings", d.findings.len())),
        "{md}"
    );
    assert!(
        md.contains(&format!("and {} more findings not listed", d.more_findings)),
        "{md}"
    );

    // Fewer findings with huge evidence: every finding keeps its own
    // section and its steps; only evidence is cut.
    let long = "x".repeat(5000);
    let findings: Vec<Finding> = (0..60)
        .map(|i| {
            let mut f = Finding::new(RULES[i % RULES.len()]);
            for _ in 0..200 {
                f = f.evidence(long.clone());
            }
            f
        })
        .collect();
    let d = Diagnosis {
        verdict: rules::Verdict::Blocked,
        summary: Default::default(),
        findings,
        suppressed: Vec::new(),
        not_checked: Vec::new(),
        more_findings: 0,
    };
    let report = Report::new(&s, &d, 2, tool());
    let md = render(&report, &written());
    assert!(
        md.chars().count() < GITHUB_LIMIT,
        "{} characters",
        md.chars().count()
    );
    let r = read(&md);
    let sections = r
        .headings
        .iter()
        .filter(|(l, _)| *l == HeadingLevel::H4)
        .count();
    assert_eq!(sections, 60);
    assert!(
        md.contains("Shortened to fit GitHub"),
        "says evidence was cut"
    );
}
