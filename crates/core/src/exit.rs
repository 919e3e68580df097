//! Exit statuses: the verdict for scripts, without parsing output. Modelled
//! on the monitoring-plugin convention support desks already know.

use crate::rules::Verdict;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing above info (also: help, rules, explain, record written).
    Ready = 0,
    /// Warnings only.
    Warnings = 1,
    /// At least one blocker.
    Blocked = 2,
    /// The tool itself could not run: bad arguments, unreadable or invalid
    /// `--from` file, unwritable `-o`, unknown `explain` topic.
    CouldNotRun = 3,
    /// No blocker seen, but a layer that matters did not finish before the
    /// deadline: the check cannot say "ready".
    Incomplete = 4,
    /// Ctrl-C; what was probed so far is still reported.
    Interrupted = 130,
}

impl From<Verdict> for ExitStatus {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Ready => Self::Ready,
            Verdict::Warnings => Self::Warnings,
            Verdict::Blocked => Self::Blocked,
            Verdict::Incomplete => Self::Incomplete,
        }
    }
}

impl ExitStatus {
    /// The number the process exits with.
    pub const fn code(self) -> u8 {
        self as u8
    }
}

/// The table shown in `--help` and the README.
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0    ready: nothing above info
  1    warnings only
  2    at least one blocker
  3    the tool could not run: bad arguments, unreadable or invalid --from file,
       unwritable -o, unknown explain topic
  4    incomplete: no blocker seen, but a check that matters ran out of time
       (--timeout); the report says what was not checked
  130  interrupted (Ctrl-C); what was probed so far is still reported";

/// The table shown in `watch --help` and the README.
pub const WATCH_EXIT_STATUS_HELP: &str = "\
Exit status of watch:
  0    every phone connected at the end is ready, and none dropped off
  1    a phone dropped off while watched, or its latest diagnosis has warnings
  2    no phone connected at the end, usbmuxd gone, or a latest diagnosis
       has a blocker
  3    the tool could not run (bad arguments)
  130  interrupted (Ctrl-C); the summary is still printed";
