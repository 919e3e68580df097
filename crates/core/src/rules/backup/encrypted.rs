use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The last backup of this iPhone is encrypted (Manifest.plist
    /// `IsEncrypted`). The phone keeps the backup password and encrypts
    /// every later backup with it, whichever computer makes it.
    ///
    /// ## Why the backup fails
    /// It does not by itself: an encrypted backup runs like any other. But
    /// the password is asked to restore it and to turn encryption off or
    /// change the password, and a forgotten password blocks all three.
    /// Tools that cannot handle encryption may also stop with an error.
    ///
    /// ## Evidence used
    /// Manifest.plist `IsEncrypted` of the latest backup of each connected
    /// phone, or of the most recent backup when no phone is connected. Since
    /// iOS 10.2 an encrypted backup's Manifest.db is encrypted too, with a
    /// key kept wrapped in Manifest.plist `ManifestKey` (how pymobiledevice3
    /// and iOSbackup open it:
    /// <https://github.com/doronz88/pymobiledevice3/blob/master/pymobiledevice3/services/mobilebackup2.py>,
    /// <https://github.com/avibrazil/iOSbackup/blob/master/iOSbackup/__init__.py>):
    /// the check then only looks that Manifest.db is there and not empty,
    /// and never reads the key bag or the manifest key.
    ///
    /// ## Known limitations
    /// The password itself cannot be checked here. Whether the phone will
    /// encrypt its next backup is known for certain only from the phone
    /// (`WillEncrypt`, see the device checks). With `--deep` the files of an
    /// encrypted backup cannot be compared with their list, which is inside
    /// the encrypted Manifest.db.
    pub static RULE = {
        id: RuleId::BackupEncrypted,
        title: "Backups of this iPhone are encrypted",
        layer: Layer::Backup,
        severity: Severity::Info,
        basis: Basis::Advice,
        steps: &[
            texts::BACKUP_PASSWORD,
            texts::FORGOT_BACKUP_PASSWORD,
            Fix::any("Backups made with a lost password cannot be restored; once a new backup has finished, the old one can be deleted."),
            Fix::new(Platforms::LINUX, "idevicebackup2 backs up encrypted phones without the password; it is needed for: idevicebackup2 restore, and idevicebackup2 encryption off PASSWORD."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    let mut reported: Vec<String> = Vec::new();
    for (b, udid) in s.judged_backups() {
        if b.manifest.is_encrypted != Some(true) {
            continue;
        }
        let mut f = Finding::new(&RULE)
            .device(udid.clone())
            .evidence(format!("backup of {} in folder {}", b.label(), b.folder))
            .evidence("Manifest.plist: IsEncrypted = true");
        if let Some(d) = b.date() {
            f = f.evidence(format!("last backup: {d}"));
        }
        if b.manifest_db.encrypted && b.manifest_db.file.is_present() {
            let size = b
                .manifest_db
                .file
                .bytes
                .map_or(String::new(), |n| format!(" ({})", fmt::bytes(n)));
            f = f.evidence(format!(
                "Manifest.db{size} is encrypted as well, as in every encrypted backup since iOS 10.2: the check only looked that it is there and not empty; reading it needs the backup password"
            ));
            if b.deep.is_some() {
                f = f.evidence("--deep could not compare the backup's files with their list: the list is inside the encrypted Manifest.db");
            }
        }
        if s.will_encrypt(&udid) == Some(true) {
            f = f.evidence("the phone says WillEncrypt = true: the next backup is encrypted too");
        }
        reported.push(udid);
        out.push(f);
    }
    // A phone that will encrypt, with no encrypted backup here yet.
    for d in &s.probes.devices {
        if s.will_encrypt(&d.udid) == Some(true) && !reported.contains(&d.udid) {
            out.push(
                Finding::new(&RULE)
                    .device(d.udid.clone())
                    .evidence("the phone says WillEncrypt = true (com.apple.mobile.backup): its backups are encrypted with a password set on the phone")
                    .quoting(d.lockdown().and_then(|l| l.quote("WillEncrypt"))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::testing_backups::*;

    #[test]
    fn encrypted_backup_of_connected_phone_is_info() {
        let s = world()
            .phones(&[UDID_A])
            .backup(|b| b.manifest.is_encrypted = Some(true))
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Info);
        assert_eq!(f.device.as_deref(), Some(UDID_A));
        assert!(
            f.states("Manifest.plist: IsEncrypted = true"),
            "{:?}",
            f.evidence
        );
        assert!(f
            .remediation
            .iter()
            .any(|r| r.contains("Reset All Settings")));
    }

    #[test]
    fn an_encrypted_manifest_db_is_reported_here() {
        let mut b = encrypted_backup(UDID_A, "2026-08-27T01:52:12Z");
        b.deep = Some(DeepCheckObs {
            error: Some("Manifest.db is encrypted".into()),
            ..Default::default()
        });
        let s = world().phones(&[UDID_A]).backups(vec![b]).build();
        let f = only(&s, &RULE);
        assert!(
            f.says("Manifest.db (80.0 MB) is encrypted as well"),
            "{:?}",
            f.evidence
        );
        assert!(f.says("--deep could not compare"));
    }

    #[test]
    fn unencrypted_or_unknown_is_silent() {
        assert!(fired(&world().backup(|_| {}).build(), &RULE).is_empty());
        assert!(fired(
            &world().backup(|b| b.manifest.is_encrypted = None).build(),
            &RULE
        )
        .is_empty());
    }
}
