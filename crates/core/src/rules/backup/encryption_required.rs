use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// A configuration profile on the phone forces its computer backups to
    /// be encrypted (`RequiresEncryption` in `com.apple.mobile.backup`).
    ///
    /// ## Why the backup fails
    /// An unencrypted backup is refused; Finder and iTunes then insist on a
    /// backup password, and "Encrypt local backup" cannot be turned off.
    /// Whoever does not know the password cannot restore the backup.
    ///
    /// ## Evidence used
    /// `RequiresEncryption` and `WillEncrypt` from `com.apple.mobile.backup`.
    pub static RULE = {
        id: RuleId::BackupEncryptionRequired,
        title: "A management profile forces encrypted backups",
        layer: Layer::Backup,
        severity: Severity::Warning,
        hides: &[RuleId::BackupEncrypted],
        steps: &[
            Fix::new(Platforms::MACOS, "In Finder, select the iPhone, tick \"Encrypt local backup\" and choose a password you will keep (in Keychain or a password manager)."),
            Fix::new(Platforms::WINDOWS, "In Apple Devices (or iTunes), under Backups tick \"Encrypt local backup\" and choose a password you will keep."),
            Fix::new(Platforms::LINUX, "Turn encryption on first: idevicebackup2 encryption on PASSWORD, then back up with idevicebackup2 backup DIR."),
            Fix::any("The profile comes from Settings > General > VPN & Device Management; only its administrator can lift the requirement."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    for (d, l) in s.answered_phones() {
        let Some(b) = l.backup.as_ref() else {
            continue;
        };
        if b.requires_encryption != Some(true) {
            continue;
        }
        let mut f = Finding::new(&RULE)
            .device(&d.udid)
            .evidence("RequiresEncryption: true (com.apple.mobile.backup)");
        if b.will_encrypt == Some(true) {
            f = f
                .evidence("WillEncrypt: true, so backups are already encrypted")
                .at_most(Severity::Info)
                .basis(Basis::Advice);
        } else {
            f = f.evidence("WillEncrypt: false: a backup password must be set first");
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn backup(requires: bool, will: bool) -> Snapshot {
        world()
            .phone()
            .lockdown(|l| {
                if let Some(b) = l.backup.as_mut() {
                    b.requires_encryption = Some(requires);
                    b.will_encrypt = Some(will);
                }
            })
            .build()
    }

    #[test]
    fn warns_until_encryption_is_on() {
        assert_eq!(
            only(&backup(true, false), &RULE).severity,
            Severity::Warning
        );
        assert_eq!(only(&backup(true, true), &RULE).severity, Severity::Info);
    }

    #[test]
    fn silent_without_requirement() {
        assert!(fired(&backup(false, true), &RULE).is_empty());
        assert!(fired(&world().phone().no_record().build(), &RULE).is_empty());
    }
}
