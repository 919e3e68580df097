//! What this binary is: version, commit, build date and target, as the build
//! script (`build.rs`) fixed them. `--version` prints them; JSON reports carry
//! them in `tool`.

use crate::report::Tool;

/// Abbreviated commit, empty when the build did not know it.
const COMMIT: &str = env!("IBC_BUILD_COMMIT");
/// `YYYY-MM-DD`, UTC.
const DATE: &str = env!("IBC_BUILD_DATE");
/// The Rust target triple.
const TARGET: &str = env!("IBC_BUILD_TARGET");

/// `--version`: `0.1.0 (commit 3eed140a1b2c, built 2026-12-07, x86_64-unknown-linux-musl)`.
pub const VERSION_LINE: &str = version_line();

const fn version_line() -> &'static str {
    // concat! takes literals only; the build script's values arrive through env!.
    if COMMIT.is_empty() {
        concat!(
            env!("CARGO_PKG_VERSION"),
            " (commit unknown, built ",
            env!("IBC_BUILD_DATE"),
            ", ",
            env!("IBC_BUILD_TARGET"),
            ")"
        )
    } else {
        concat!(
            env!("CARGO_PKG_VERSION"),
            " (commit ",
            env!("IBC_BUILD_COMMIT"),
            ", built ",
            env!("IBC_BUILD_DATE"),
            ", ",
            env!("IBC_BUILD_TARGET"),
            ")"
        )
    }
}

/// This build, for the JSON report's `tool`.
pub fn tool() -> Tool {
    let known = |s: &'static str| (!s.is_empty()).then_some(s);
    Tool {
        name: "iphone-backup-check",
        version: env!("CARGO_PKG_VERSION"),
        commit: known(COMMIT),
        build_date: known(DATE),
        target: known(TARGET),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_line_names_every_part_it_knows() {
        assert!(VERSION_LINE.starts_with(concat!(env!("CARGO_PKG_VERSION"), " (commit ")));
        assert!(VERSION_LINE.contains(&format!("built {DATE}, {TARGET})")));
        let t = tool();
        assert_eq!(t.target, Some(TARGET));
        assert_eq!(DATE.len(), "YYYY-MM-DD".len(), "{DATE}");
        if let Some(c) = t.commit {
            assert!(VERSION_LINE.contains(c));
            assert!(c.chars().all(|ch| ch.is_ascii_hexdigit()), "{c}");
        }
    }
}
