//! What the check is waiting for, on stderr while the probes run, so a hung
//! daemon or a slow phone is never a blank screen: a spinner with the time
//! so far and the deadline, and during `--request-trust` what to do on the
//! phone. Only when stderr is a terminal and not `-q`/`--json` (the caller
//! decides); cleared before the report is printed.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The spinner, or nothing when progress is not shown.
pub struct Waiting(Option<ProgressBar>);

impl Waiting {
    pub fn start(show: bool, timeout: Duration, request_trust: bool) -> Self {
        if !show {
            return Self(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {wide_msg} {elapsed}") {
            bar.set_style(style);
        }
        bar.set_message(message(timeout, request_trust));
        bar.enable_steady_tick(Duration::from_millis(120));
        Self(Some(bar))
    }

    /// Removes the spinner's line.
    pub fn finish(self) {
        if let Some(bar) = self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The line shown while waiting.
fn message(timeout: Duration, request_trust: bool) -> String {
    let limit = iphone_backup_core::format::secs(timeout.as_millis() as u64);
    if request_trust {
        format!(
            "Look at your iPhone: if it asks, tap Trust, then enter its passcode. Waiting up to {limit}…"
        )
    } else {
        format!("Checking USB, usbmuxd, the iPhone and this computer (at most {limit})…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_what_to_do_on_the_phone_when_asking_for_trust() {
        let m = message(Duration::from_secs(10), true);
        assert!(m.contains("tap Trust") && m.contains("passcode") && m.contains("10 s"));
        assert!(message(Duration::from_millis(2500), false).contains("2.5 s"));
    }
}
