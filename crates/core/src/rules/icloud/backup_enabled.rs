use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// iCloud Backup is turned on for this phone (`CloudBackupEnabled`).
    ///
    /// ## Why the backup fails
    /// It does not stop a computer backup, but the two compete: while iCloud
    /// Backup is on, Finder and iTunes offer "Back up to iCloud" by default,
    /// an iCloud backup running on Wi-Fi slows the phone down, and the free
    /// 5 GB iCloud tier fills up quickly, leaving "iCloud Backup failed"
    /// notices that people take for the computer backup failing.
    ///
    /// ## Evidence used
    /// `CloudBackupEnabled` and `LastCloudBackupDate` from
    /// `com.apple.mobile.backup`.
    pub static RULE = {
        id: RuleId::IcloudBackupEnabled,
        title: "iCloud Backup is on",
        layer: Layer::Icloud,
        severity: Severity::Info,
        basis: Basis::Advice,
        steps: &[
            Fix::new(Platforms::MACOS, "In Finder, select the iPhone and choose \"Back up all of the data on your iPhone to this Mac\"."),
            Fix::new(Platforms::WINDOWS, "In Apple Devices (or iTunes), under Backups choose \"This computer\"."),
            texts::ICLOUD_BACKUP_OFF,
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
        if b.cloud_backup_enabled != Some(true) {
            continue;
        }
        let mut f = Finding::new(&RULE)
            .device(&d.udid)
            .evidence("CloudBackupEnabled: true (com.apple.mobile.backup)");
        if let Some(date) = &b.last_cloud_backup_date {
            f = f.evidence(format!("last iCloud backup: {date}"));
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_when_on() {
        let s = world()
            .phone()
            .lockdown(|l| {
                if let Some(b) = l.backup.as_mut() {
                    b.cloud_backup_enabled = Some(true);
                    b.last_cloud_backup_date = Some("2024-03-01T02:00:00Z".into());
                }
            })
            .build();
        let f = only(&s, &RULE);
        assert_eq!(f.evidence_lines().len(), 2);
    }

    #[test]
    fn silent_when_off() {
        assert!(fired(&world().phone().build(), &RULE).is_empty());
    }
}
