use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// On Linux, usbmuxd keeps the pair records and its own identity
    /// (`SystemConfiguration.plist`) in `/var/lib/lockdown` and works there
    /// as the account it drops to (`usbmux` on Debian and Ubuntu). This
    /// check found that account unable to write the folder, or to read a
    /// record or the identity file, usually after a tool ran as root and
    /// left root-owned files behind.
    ///
    /// ## Why the backup fails
    /// usbmuxd answers every failed read of a record as "no record"
    /// (`ReadPairRecord` Result 2; usbmuxd `src/conf.c`,
    /// <https://github.com/libimobiledevice/usbmuxd/blob/master/src/conf.c>),
    /// so a phone that is paired looks unpaired to idevicebackup2; and a
    /// record it cannot write after the user taps Trust is lost, so the
    /// Trust prompt comes back on every plug-in. Re-pairing cannot fix it.
    ///
    /// ## Evidence used
    /// The owner and mode of the folder, of each `<UDID>.plist` and of
    /// `SystemConfiguration.plist`, against the account the running usbmuxd
    /// process uses (named from `/etc/passwd`, groups from `/etc/group`); `SystemConfiguration.plist`'s
    /// `SystemBUID` against the BUID the running daemon gives (`ReadBUID`).
    /// usbmuxd itself sets the folder
    /// to mode 2775 owned by that account when it starts
    /// (<https://github.com/libimobiledevice/usbmuxd/blob/master/src/main.c>).
    ///
    /// ## Known limitations
    /// Only while usbmuxd runs (it sets the folder's owner when it starts),
    /// and only for the system daemon at the default address. ACLs and
    /// SELinux labels are not read.
    pub static RULE = {
        id: RuleId::HostLockdownDirUnusable,
        title: "The iPhone connection service (usbmuxd) cannot use its pairing folder",
        layer: Layer::Host,
        severity: Severity::Blocker,
        hides: &[RuleId::TrustNotPaired],
        steps: &[
            texts::LINUX_LOCKDOWN_PERMS,
            Fix::new(Platforms::LINUX, "Then unplug and replug the iPhone, and run this check again."),
            Fix::new(Platforms::LINUX, "When copying pair records in by hand (from a Mac's /var/db/lockdown, where they are root-only), give them to usbmux: sudo chown usbmux:usbmux /var/lib/lockdown/*.plist"),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    let Some(dir) = s.host().and_then(|h| h.lockdown_dir.as_ref()) else {
        return;
    };
    // The folder is the system usbmuxd's: a daemon at another address
    // (--usbmuxd, USBMUXD_SOCKET_ADDRESS) keeps its records elsewhere.
    let system_daemon = s
        .probes
        .usbmuxd_address
        .as_ref()
        .is_none_or(|a| a.source == MuxAddressSource::Default);
    if !system_daemon {
        return;
    }
    let (Some(daemon), Some(mode), true) = (&dir.daemon, dir.mode, dir.exists) else {
        // No folder yet: usbmuxd creates it, with the right owner, when it starts.
        return;
    };
    let who = &daemon.name;
    let mut f = Finding::new(&RULE);
    let mut problems = 0;
    if !daemon.may(&mode, Access::Write, true) {
        problems += 1;
        f = f.evidence(format!(
            "{who} cannot write {} ({}): a record saved after Trust is lost, so the prompt comes back on every plug-in",
            dir.path,
            describe(&mode)
        ));
    } else if !daemon.may(&mode, Access::Read, true) {
        problems += 1;
        f = f.evidence(format!(
            "{who} cannot list {} ({})",
            dir.path,
            describe(&mode)
        ));
    }
    for file in &dir.files {
        if daemon.may(&file.mode, Access::Read, false)
            && (file.udid.is_some() || daemon.may(&file.mode, Access::Write, false))
        {
            continue;
        }
        problems += 1;
        match &file.udid {
            Some(udid) => {
                f = f.evidence(format!(
                    "{who} cannot read {udid}.plist ({}): usbmuxd answers ReadPairRecord for this phone with Result 2, as if there were no record",
                    describe(&file.mode)
                ))
            }
            None => {
                f = f.evidence(format!(
                    "{who} cannot read and write SystemConfiguration.plist ({}), which holds usbmuxd's identity (SystemBUID)",
                    describe(&file.mode)
                ))
            }
        }
    }
    let daemon_buid = s.probes.usbmuxd.value().and_then(|m| m.buid.as_deref());
    if let (Some(file), Some(live)) = (dir.system_buid.as_deref(), daemon_buid) {
        if file != live {
            problems += 1;
            f = f.evidence(format!(
                "usbmuxd answers ReadBUID with {live}, but SystemConfiguration.plist says {file}: it is not using its saved identity, so records made with the saved one no longer match"
            ));
        }
    }
    if problems > 0 {
        out.push(f.evidence(format!(
            "usbmuxd runs as {who} (uid {}, gid {})",
            daemon.uid, daemon.gid
        )));
    }
}

/// "owner uid 0, group 0, mode 0600".
fn describe(m: &FileMode) -> String {
    format!("owner uid {}, group {}, mode {:04o}", m.uid, m.gid, m.mode)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    const UDID: &str = "00008110-001A2B3C4D5E6F70";

    fn with_dir(mode: u32, files: Vec<LockdownFile>) -> Snapshot {
        world()
            .host(|h| {
                h.lockdown_dir = Some(LockdownDirObs {
                    path: "/var/lib/lockdown".into(),
                    exists: true,
                    mode: Some(FileMode {
                        uid: 102,
                        gid: 46,
                        mode,
                    }),
                    daemon: Some(Account {
                        name: "usbmux".into(),
                        uid: 102,
                        gid: 46,
                        groups: vec![],
                    }),
                    files,
                    system_buid: None,
                })
            })
            .build()
    }

    fn file(udid: Option<&str>, uid: u32, mode: u32) -> LockdownFile {
        LockdownFile {
            udid: udid.map(str::to_string),
            mode: FileMode {
                uid,
                gid: uid,
                mode,
            },
        }
    }

    #[test]
    fn a_record_the_daemon_cannot_read_is_not_no_record() {
        let s = with_dir(0o2775, vec![file(Some(UDID), 0, 0o600)]);
        let f = only(&s, &RULE);
        assert!(f.says("Result 2"), "{:?}", f.evidence);
        assert!(f.remediation[0].contains("chown -R usbmux:usbmux"));
        assert!(f.hides.contains(&RuleId::TrustNotPaired));
    }

    #[test]
    fn a_folder_the_daemon_cannot_write_loses_every_new_record() {
        let s = world()
            .host(|h| {
                h.lockdown_dir = Some(LockdownDirObs {
                    path: "/var/lib/lockdown".into(),
                    exists: true,
                    mode: Some(FileMode {
                        uid: 0,
                        gid: 0,
                        mode: 0o755,
                    }),
                    daemon: Some(Account {
                        name: "usbmux".into(),
                        uid: 102,
                        gid: 46,
                        groups: vec![],
                    }),
                    files: vec![],
                    system_buid: None,
                })
            })
            .build();
        let f = only(&s, &RULE);
        assert!(f.says("every plug-in"), "{:?}", f.evidence);
    }

    #[test]
    fn silent_when_usbmuxd_owns_everything_or_nothing_is_known() {
        let s = with_dir(
            0o2775,
            vec![file(Some(UDID), 102, 0o644), file(None, 102, 0o644)],
        );
        assert!(fired(&s, &RULE).is_empty());
        assert!(fired(&world().build(), &RULE).is_empty());
    }
}
