use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// This computer refused to open another file or connection for the
    /// check: "Too many open files". The limit is this process's (`ulimit
    /// -n`, often 256 on macOS and 1024 on Linux) or the whole system's; a
    /// program holding thousands of files or sockets open can use it up.
    /// It says nothing about usbmuxd, the phone or the backup folder: the
    /// check could not look at them.
    ///
    /// ## Why the backup fails
    /// A backup opens thousands of files; a backup tool started under the
    /// same limit fails the same way, with errors that blame the phone or
    /// the disk.
    ///
    /// ## Evidence used
    /// An error another tool printed, read by `--from`, whose `explain`
    /// entry names this cause ("Too many open files"), quoted with its file
    /// and line.
    ///
    /// A probe failed with `descriptor-limit` (EMFILE or ENFILE when it
    /// connected to usbmuxd, the phone or opened the backup folder), or the
    /// backup folder's access check failed with "Too many open files" (then
    /// `host.backup-dir-unusable` does not blame the folder).
    pub static RULE = {
        id: RuleId::HostDescriptorLimit,
        title: "This computer's limit of open files stopped the check",
        layer: Layer::Host,
        severity: Severity::Warning,
        hides: hides::NO_DAEMON,
        steps: &[texts::RAISE_FILE_LIMIT, texts::QUIT_FILE_HOLDERS],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
    let p = &s.probes;
    let mut all: Vec<(String, Option<&Failure>)> = vec![
        ("usbmuxd".into(), p.usbmuxd.failure()),
        ("the USB bus".into(), p.usb.failure()),
        ("this computer".into(), p.host.failure()),
        ("the backup folder".into(), p.backups.failure()),
        ("usbmuxd's plug events".into(), p.mux_events.failure()),
    ];
    for d in &p.devices {
        all.push((
            format!("the pair record of {}", d.udid),
            d.pairing.failure(),
        ));
        all.push((format!("iPhone {}", d.udid), d.lockdown.failure()));
        all.push((
            format!("the backup service of iPhone {}", d.udid),
            d.backup_service.failure(),
        ));
    }
    // The host probe keeps the backup folder's error as the OS worded it.
    let folder_error = s
        .host()
        .and_then(|h| h.backup_dir.error.as_ref())
        .filter(|e| is_limit_message(e))
        .map(|e| Failure::new(FailureKind::DescriptorLimit, e.clone()));
    all.push(("the backup folder's access".into(), folder_error.as_ref()));
    let mut seen = all.into_iter().filter_map(|(what, f)| {
        f.filter(|f| f.kind == FailureKind::DescriptorLimit)
            .map(|f| (what, f))
    });
    let Some((what, failure)) = seen.next() else {
        return;
    };
    let mut f = Finding::new(&RULE).evidence(format!("looking at {what}: {}", failure.message));
    for (what, failure) in seen.take(5) {
        f = f.evidence(format!("looking at {what}: {}", failure.message));
    }
    out.push(f);
}

/// Whether an error the OS worded is EMFILE or ENFILE ("Too many open
/// files", "... in system"; Rust prints the C library's words, untranslated).
pub fn is_limit_message(message: &str) -> bool {
    message.to_ascii_lowercase().contains("too many open files")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_a_descriptor_limit_and_not_running_does_not() {
        let s = world().mux_failed(FailureKind::DescriptorLimit).build();
        let f = only(&s, &RULE);
        assert!(f.says("looking at usbmuxd"), "{f:?}");
        let not_running = crate::rules::by_id("usbmuxd.not-running").unwrap();
        assert!(fired(&s, not_running).is_empty());
    }

    #[test]
    fn the_backup_folder_unreadable_on_the_limit_is_this_rule_not_the_folder() {
        let mut s = world().mux_failed(FailureKind::NotFound).build();
        if let Outcome::Ok { value, .. } = &mut s.probes.host {
            value.backup_dir.path = Some("/b".into());
            value.backup_dir.exists = true;
            value.backup_dir.is_dir = true;
            value.backup_dir.readable = Some(false);
            value.backup_dir.error = Some("Too many open files (os error 24)".into());
        }
        assert!(only(&s, &RULE).says("the backup folder's access"));
        let unusable = crate::rules::by_id("host.backup-dir-unusable").unwrap();
        assert!(fired(&s, unusable).is_empty());
    }

    #[test]
    fn silent_when_the_daemon_is_simply_missing() {
        assert!(fired(&world().mux_failed(FailureKind::NotFound).build(), &RULE).is_empty());
    }
}
