//! `--from -` with a terminal on standard input waits for a paste: say so,
//! and how to end it, instead of a silent cursor.

use std::io::Write;
use std::path::PathBuf;

use crate::env::HostEnv;

/// One line on stderr when one of the `--from` files is `-` and standard
/// input is a terminal.
pub fn paste_hint(from: &[PathBuf], env: &HostEnv, err: &mut dyn Write) -> std::io::Result<()> {
    if env.stdin_is_tty && from.iter().any(|p| p.as_os_str() == "-") {
        writeln!(err, "{}", hint(env.os))?;
    }
    Ok(())
}

fn hint(os: crate::snapshot::OsFamily) -> &'static str {
    if os == crate::snapshot::OsFamily::Windows {
        "Paste the text (a log, another tool's output), then press Enter, Ctrl-Z and Enter to end it."
    } else {
        "Paste the text (a log, another tool's output), then press Ctrl-D on an empty line to end it."
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::OsFamily;

    #[test]
    fn only_for_a_paste_on_a_terminal() {
        let tty = HostEnv {
            stdin_is_tty: true,
            os: OsFamily::Linux,
            ..Default::default()
        };
        let mut err = Vec::new();
        paste_hint(&["-".into()], &tty, &mut err).unwrap();
        assert!(String::from_utf8_lossy(&err).contains("Ctrl-D"));
        let mut err = Vec::new();
        paste_hint(&["log.txt".into()], &tty, &mut err).unwrap();
        assert!(err.is_empty());
        let piped = HostEnv::default();
        paste_hint(&["-".into()], &piped, &mut err).unwrap();
        assert!(err.is_empty());
        assert!(hint(OsFamily::Windows).contains("Ctrl-Z"));
    }
}
