use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// A program that backs up or syncs iPhones was running when the check
    /// ran: Finder's backup agent, iTunes, the Apple Devices app,
    /// idevicebackup2, iMazing and the like.
    ///
    /// ## Why the backup fails
    /// The phone runs one backup at a time. A second tool asking for a backup
    /// is refused or waits; two tools in the same folder can also leave a
    /// backup half written.
    ///
    /// ## Evidence used
    /// The host probe's list of running processes, matched by name.
    ///
    /// ## Known limitations
    /// A tool sitting idle in the background counts too; the check cannot
    /// tell whether it is busy right now.
    pub static RULE = {
        id: "host.backup-in-progress",
        title: "Another backup or sync program is running",
        layer: Layer::Host,
        severity: Severity::Warning,
        steps: &[
            Fix::any("Let a running backup or update finish, or cancel it in the program that started it."),
            texts::ONE_TOOL,
            Fix::new(Platforms::MACOS, "MobileDeviceUpdater means macOS is installing support for a newer iPhone: let it finish, then back up."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    let Some(host) = s.host() else {
        return;
    };
    if host.running_tools.is_empty() {
        return;
    }
    let mut f = Finding::new(&RULE);
    for t in &host.running_tools {
        f = f.evidence(format!(
            "{} is running (process {}, pid {})",
            t.tool, t.process, t.pid
        ));
    }
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn lists_each_running_tool() {
        let s = world()
            .running(&[
                ("AppleMobileBackup", "Finder's backup agent", 812),
                ("iMazing", "iMazing", 90),
            ])
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.evidence.len(), 2);
        assert!(f.evidence[0].contains("Finder's backup agent"));
    }

    #[test]
    fn silent_when_none_running() {
        assert!(fired(&world().build(), &RULE).is_empty());
    }
}
