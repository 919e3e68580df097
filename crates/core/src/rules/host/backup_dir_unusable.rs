use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The folder backups go to cannot be used as it is: it is a file, a
    /// link to a drive or folder that is gone, or this user cannot read or
    /// write it.
    ///
    /// ## Why the backup fails
    /// Finder, iTunes, Apple Devices and idevicebackup2 write the backup
    /// there; when they cannot, the backup fails at once or near the end,
    /// often with a vague "an error occurred".
    ///
    /// ## Evidence used
    /// The host probe's look at the folder: exists, is a folder, readable,
    /// writable (checked with access(2), nothing is written), link and
    /// whether its target exists.
    ///
    /// ## Known limitations
    /// On macOS a terminal without Full Disk Access cannot read the default
    /// folder although Finder can; that case is reported as a warning about
    /// this check, not as a broken folder.
    pub static RULE = {
        id: RuleId::HostBackupDirUnusable,
        title: "The backup folder cannot be used",
        variants: &[NO_FULL_DISK_ACCESS],
        layer: Layer::Host,
        severity: Severity::Blocker,
        hides: &[RuleId::BackupCorrupt, RuleId::BackupUnfinished, RuleId::HostDiskSpace],
        steps: &[
            Fix::new(Platforms::WINDOWS, "If the folder was moved to another drive with a junction (mklink /J), connect that drive or recreate the junction to a folder that exists."),
            Fix::new(Platforms::MACOS, "If the folder was moved to an external disk with a symbolic link, connect that disk (or remove the link so Finder recreates the folder)."),
            Fix::any("Give your user read and write access to the folder."),
        ],
        since: "0.1.0",
        check,
    }
}

const NO_FULL_DISK_ACCESS: Title = Title {
    when: "on macOS, when the default folder cannot be read by this check",
    text: "This check cannot read the backup folder (Full Disk Access)",
};

fn check(s: &Snapshot, out: &mut Findings) {
    let Some(host) = s.host() else {
        return;
    };
    let dir = &host.backup_dir;
    let Some(path) = dir.path.as_deref() else {
        return;
    };
    let f = Finding::new(&RULE).evidence(format!("backup folder: {path}"));
    if dir.is_link && dir.target_exists == Some(false) {
        let target = dir.link_target.as_deref().unwrap_or("an unknown target");
        out.push(f.evidence(format!("it is a link to {target}, which does not exist")));
        return;
    }
    if !dir.exists {
        if dir.source == BackupDirSource::Flag {
            out.push(
                f.at_most(Severity::Warning)
                    .evidence("it does not exist")
                    .step(format!("Check the path given to --backup-dir: {path}")),
            );
        }
        return; // the default folder is created by the first backup
    }
    if !dir.is_dir {
        out.push(f.evidence("it is a file, not a folder"));
        return;
    }
    // Reading it failed on this computer's limit of open files: the folder
    // is not the cause (`host.descriptor-limit` says what is; issue 30).
    if dir
        .error
        .as_deref()
        .is_some_and(super::descriptor_limit::is_limit_message)
    {
        return;
    }
    if dir.readable == Some(false)
        && s.os_family() == OsFamily::Macos
        && dir.source == BackupDirSource::Default
    {
        out.push(
            f.title(&NO_FULL_DISK_ACCESS)
                .at_most(Severity::Warning)
                .confidence(Confidence::Likely)
                .evidence(dir.error.clone().unwrap_or_else(|| "reading it was refused".into()))
                .step("Give your terminal Full Disk Access (System Settings > Privacy & Security > Full Disk Access), then run the check again. Finder itself is not affected."),
        );
        return;
    }
    let mut problems = Vec::new();
    if dir.readable == Some(false) {
        problems.push("this user cannot read it");
    }
    if dir.writable == Some(false) {
        problems.push("this user cannot write to it");
    }
    if problems.is_empty() {
        return;
    }
    let mut f = f.evidence(problems.join("; "));
    if let Some(e) = &dir.error {
        f = f.evidence(e.clone());
    }
    if s.os_family() == OsFamily::Linux {
        f = f.step(format!("Check the owner and mode: ls -ld '{path}'"));
    }
    out.push(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn dangling_link_is_a_blocker() {
        let s = world()
            .backup_dir(|d| {
                d.exists = false;
                d.is_link = true;
                d.link_target = Some("E:\\Backup".into());
                d.target_exists = Some(false);
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert!(f.says("E:\\Backup"));
    }

    #[test]
    fn unwritable_folder_fires() {
        let s = world().backup_dir(|d| d.writable = Some(false)).build();
        assert!(only(&s, &RULE).says("cannot write"));
    }

    #[test]
    fn missing_default_folder_is_fine_but_missing_flag_folder_is_not() {
        assert!(fired(&world().backup_dir(|d| d.exists = false).build(), &RULE).is_empty());
        let s = world()
            .backup_dir(|d| {
                d.exists = false;
                d.source = BackupDirSource::Flag;
            })
            .build();
        assert_eq!(only(&s, &RULE).severity, Severity::Warning);
    }

    #[test]
    fn macos_full_disk_access_is_a_warning_about_the_check() {
        let s = world()
            .os(OsFamily::Macos, "14.6")
            .backup_dir(|d| {
                d.readable = Some(false);
                d.error = Some("Operation not permitted (os error 1)".into());
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.title.contains("Full Disk Access"));
    }

    #[test]
    fn healthy_folder_is_silent() {
        assert!(fired(&world().build(), &RULE).is_empty());
    }
}
