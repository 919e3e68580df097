//! `diagnose --from FILE`: parse any bytes as a snapshot; whatever parses is
//! then redacted, diagnosed by every rule and rendered as text and JSON.
#![no_main]

use iphone_backup_check::report::{self, human::Verbosity, Report};
use iphone_backup_check::build_info;
use iphone_backup_check::{rules, snapshot};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(snap) = snapshot::parse_snapshot(data) else {
        return;
    };
    let redacted = snapshot::redact::redact(&snap, Some("/home/someone"));
    for s in [&snap, &redacted] {
        let diagnosis = rules::diagnose(s, None);
        let report = Report::new(s, &diagnosis, 0, build_info::tool());
        let mut out = Vec::new();
        let _ = report::json::render(&report, &mut out);
        out.clear();
        let _ = report::human::render(&report, Verbosity::Verbose, &mut out);
    }
});
