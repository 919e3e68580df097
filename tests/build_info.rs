//! `--version` and the JSON report's `tool` say which build ran: version,
//! commit, build date and target, the same in both (build.rs fixes them).

use assert_cmd::Command;

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("iphone-backup-check")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn version_names_version_commit_date_and_target() {
    let line = run(&["--version"]);
    let line = line.trim_end();
    let rest = line
        .strip_prefix(concat!(
            "iphone-backup-check ",
            env!("CARGO_PKG_VERSION"),
            " (commit "
        ))
        .unwrap_or_else(|| panic!("{line}"));
    let (commit, rest) = rest
        .split_once(", built ")
        .unwrap_or_else(|| panic!("{line}"));
    let (date, target) = rest.split_once(", ").unwrap_or_else(|| panic!("{line}"));
    assert_eq!(target, concat!(env!("IBC_BUILD_TARGET"), ")"), "{line}");
    assert!(
        date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-',
        "{line}"
    );

    // A git checkout (CI's fresh clone too) names its HEAD; only a tree
    // without git history may say "unknown".
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--show-toplevel", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8(o.stdout).unwrap());
    match head {
        Some(out)
            if std::path::Path::new(out.lines().next().unwrap())
                .canonicalize()
                .unwrap()
                == std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .canonicalize()
                    .unwrap()
                && std::env::var_os("IPHONE_BACKUP_CHECK_COMMIT").is_none() =>
        {
            let full = out.lines().nth(1).unwrap();
            assert!(
                commit.len() == 12 && full.starts_with(commit),
                "--version says commit {commit}, HEAD is {full}"
            );
        }
        _ => assert!(!commit.is_empty(), "{line}"),
    }
}

#[test]
fn json_tool_says_what_version_says() {
    let json = run(&[
        "diagnose",
        "--json",
        "--from",
        "fixtures/linux-stale-socket.json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let tool = &v["tool"];
    let line = run(&["--version"]);
    let target = tool["target"].as_str().unwrap();
    let date = tool["build_date"].as_str().unwrap();
    let commit = tool["commit"].as_str().unwrap_or("unknown");
    let expected = format!(
        "iphone-backup-check {} (commit {commit}, built {date}, {target})",
        tool["version"].as_str().unwrap()
    );
    assert_eq!(line.trim_end(), expected);
    assert_eq!(target, env!("IBC_BUILD_TARGET"));
}
