//! Every fixture's HTML report opened in a real browser (Debian's chromium,
//! headless): no request leaves the page, the DOM holds each finding's id
//! and title, and nothing is wider than the window at 390 pixels (a phone)
//! and 1280 pixels (a desktop).
//!
//! The reports are framed by a harness page (the reports themselves allow
//! no script) whose script measures each frame and writes what it found
//! into its own DOM, which `--dump-dom` prints. Chromium's network log
//! (`--log-net-log`) lists every URL the browser loaded.
//!
//! Without chromium the test says so and skips; under CI (`CI` set) it
//! fails instead: `.ci/run` installs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use iphone_backup_check::build_info::tool;
use iphone_backup_check::inert::inert;
use iphone_backup_check::report::markdown::Written;
use iphone_backup_check::report::{html, Report};
use iphone_backup_check::rules;
use iphone_backup_check::snapshot::parse_snapshot_bytes;

fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-headless-shell", "chromium-browser"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// A title as the browser shows it: a backtick span is a `<code>` element.
fn shown(s: &str) -> String {
    let text = inert(s).into_owned();
    if text.matches('`').count() % 2 == 0 {
        text.replace('`', "")
    } else {
        text
    }
}

/// Runs chromium headless on `url` with a fresh profile, killing it after
/// a generous deadline (a hang guard, not a timing target).
fn chromium(bin: &Path, profile: &Path, width: u32, netlog: &Path, url: &str) -> String {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-default-apps",
            "--allow-file-access-from-files",
            "--hide-scrollbars",
            "--virtual-time-budget=10000",
            // The browser's own clock check (clients2.google.com/time).
            "--disable-features=NetworkTimeServiceQuerying",
            // And should anything still try, no name resolves: no traffic
            // leaves this machine; the attempt is in the network log.
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={width},900"))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg("--dump-dom")
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 300 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The harness: one frame per report at the width under test, and a script
/// that writes, per frame, its width, its document's width and the
/// findings its DOM holds.
fn harness(files: &[(String, PathBuf)], control: &Path, width: u32) -> String {
    let mut page = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>body{margin:0}iframe{border:0;display:block;height:600px}</style></head><body>\n");
    for (i, (_, path)) in files.iter().enumerate() {
        page.push_str(&format!(
            "<iframe class=\"report\" id=\"f{i}\" width=\"{width}\" src=\"file://{}\"></iframe>\n",
            path.display()
        ));
    }
    // The control: a page that does load something, to show the log sees it.
    page.push_str(&format!(
        "<iframe src=\"file://{}\"></iframe>\n",
        control.display()
    ));
    page.push_str(
        r#"<pre id="result"></pre><script>
window.addEventListener('load', () => {
  const out = [];
  for (const f of document.querySelectorAll('iframe.report')) {
    const d = f.contentDocument;
    const wide = [];
    for (const e of d.body.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if (r.right > d.documentElement.clientWidth + 1 && wide.length < 5) wide.push(e.tagName + '.' + e.className.baseVal + e.className);
    }
    out.push({
      frame: f.id,
      viewport: d.documentElement.clientWidth,
      scroll: d.documentElement.scrollWidth,
      wide,
      csp: !!d.querySelector('meta[http-equiv="Content-Security-Policy"]'),
      findings: [...d.querySelectorAll('article.finding')].map(a => [a.dataset.rule, a.querySelector('.title').textContent]),
    });
  }
  document.getElementById('result').textContent = JSON.stringify(out);
});
</script></body></html>"#,
    );
    page
}

#[test]
fn each_fixtures_html_report_loads_nothing_holds_its_findings_and_fits_the_window() {
    let Some(bin) = browser() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is missing; under CI the browser test must run (.ci/run installs it)"
        );
        eprintln!("SKIPPED: the HTML browser test needs chromium (apt-get install chromium); set CI to make this a failure");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut expected = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir("fixtures")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
        .collect();
    names.sort();
    for path in names {
        let s = parse_snapshot_bytes(&std::fs::read(&path).unwrap()).unwrap();
        let d = rules::diagnose(&s, None);
        let page = html::render(
            &Report::new(&s, &d, 0, tool()),
            &Written {
                date: Some("2026-12-07 17:20 UTC".into()),
            },
        );
        // Nothing in the page could load anything, even without the policy.
        for needle in [
            "src=", "href=", "url(", "@import", "<script", "<link", "<img", "<iframe", "<object",
            "<embed",
        ] {
            assert!(!page.contains(needle), "{}: {needle}", path.display());
        }
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let out = dir.path().join(format!("{name}.html"));
        std::fs::write(&out, page).unwrap();
        expected.push(
            d.findings
                .iter()
                .map(|f| (f.id.to_string(), shown(&f.title)))
                .collect::<Vec<_>>(),
        );
        files.push((name, out));
    }

    // A page that makes a request, as a report must not: the network log
    // has to show it, or the check below proves nothing.
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        format!("<!DOCTYPE html><img src=\"{CONTROL_URL}\">"),
    )
    .unwrap();

    for width in [390, 1280] {
        let page = dir.path().join(format!("harness-{width}.html"));
        std::fs::write(&page, harness(&files, &control, width)).unwrap();
        let profile = tempfile::tempdir().unwrap();
        let netlog = dir.path().join(format!("net-{width}.json"));
        let url = format!("file://{}", page.display());
        let dom = chromium(&bin, profile.path(), width, &netlog, &url);
        let start = dom.find("<pre id=\"result\">").expect("the harness ran") + 17;
        let end = start + dom[start..].find("</pre>").unwrap();
        let json = dom[start..end]
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        let frames: Vec<serde_json::Value> =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
        assert_eq!(frames.len(), files.len(), "every report was framed");
        for (i, frame) in frames.iter().enumerate() {
            let name = &files[i].0;
            assert!(frame["csp"].as_bool().unwrap(), "{name}: no policy");
            let viewport = frame["viewport"].as_u64().unwrap();
            let scroll = frame["scroll"].as_u64().unwrap();
            assert!(
                viewport > 0 && viewport <= width as u64,
                "{name}: {viewport}"
            );
            assert!(
                scroll <= viewport,
                "{name} at {width} px: {scroll} px wide in a {viewport} px window; too wide: {}",
                frame["wide"]
            );
            let found: Vec<(String, String)> = frame["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap().to_string(),
                        p[1].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            assert_eq!(found, expected[i], "{name}: the findings in the DOM");
        }
        // Every URL the browser touched is the harness or a report.
        let log = std::fs::read_to_string(&netlog).unwrap();
        let log: serde_json::Value = serde_json::from_str(&log)
            .or_else(|_| {
                serde_json::from_str(&format!("{}]}}", log.trim_end().trim_end_matches(',')))
            })
            .expect("chromium's network log");
        let urls = page_requests(&log);
        assert!(
            urls.iter().any(|u| u == CONTROL_URL),
            "the network log does not show the control page's request: {urls:?}"
        );
        let ours: Vec<String> = files
            .iter()
            .map(|(_, p)| format!("file://{}", p.display()))
            .chain([
                url.clone(),
                format!("file://{}", control.display()),
                CONTROL_URL.into(),
            ])
            .collect();
        for u in urls {
            assert!(ours.contains(&u), "a request left a report: {u}");
        }
    }
}

/// What the control page asks for; nothing resolves, so nothing is sent.
const CONTROL_URL: &str = "http://control.invalid/pixel.png";

/// The URLs of the requests pages under `file://` started (the browser's
/// own, such as its update checks, are not the pages').
fn page_requests(log: &serde_json::Value) -> Vec<String> {
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64();
    log["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .filter(|e| e["type"].as_u64() == start_job)
                .filter(|e| {
                    e["params"]["network_isolation_key"]
                        .as_str()
                        .is_some_and(|k| k.starts_with("file://"))
                })
                .filter_map(|e| e["params"]["url"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
