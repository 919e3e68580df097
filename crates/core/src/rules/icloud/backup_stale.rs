use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// iCloud Backup is on, but the phone's last iCloud backup is old. iCloud
    /// backs up by itself only while the phone is on Wi-Fi, on power and
    /// locked; a phone that is never all three at once never backs up there,
    /// whatever the setting says.
    ///
    /// ## Why the backup fails
    /// People rely on a backup that is not being made; and Apple deletes the
    /// iCloud backup of a phone that has not backed up to iCloud for 180
    /// days (<https://support.apple.com/en-om/guide/icloud/mm085db3a8d6/icloud>).
    ///
    /// ## Evidence used
    /// `CloudBackupEnabled` and `LastCloudBackupDate` from
    /// `com.apple.mobile.backup`, against when this check ran. More than a
    /// week is stale; more than 150 days is close to the deletion.
    pub static RULE = {
        id: RuleId::IcloudBackupStale,
        title: "The last iCloud backup is old",
        variants: &[NEAR_DELETION],
        layer: Layer::Icloud,
        severity: Severity::Warning,
        steps: &[
            Fix::any("Leave the iPhone on Wi-Fi and on its charger, locked, overnight: iCloud backs up only then. Or start one now: Settings > [your name] > iCloud > iCloud Backup > Back Up Now."),
            texts::ICLOUD_STORAGE,
            Fix::any("Meanwhile make a computer backup: a local one does not depend on iCloud."),
        ],
        since: "0.1.0",
        check,
    }
}

const NEAR_DELETION: Title = Title {
    when: "the last iCloud backup is more than 150 days old",
    text: "The iPhone's iCloud backup is old enough to be deleted soon",
};

const STALE_DAYS: i64 = 7;
const NEAR_DELETION_DAYS: i64 = 150;

fn check(s: &Snapshot, out: &mut Findings) {
    let Some(now) = s.captured_at.as_deref() else {
        return;
    };
    for (d, l) in s.answered_phones() {
        let Some(b) = l.backup.as_ref() else { continue };
        if b.cloud_backup_enabled != Some(true) {
            continue;
        }
        let Some(last) = b.last_cloud_backup_date.as_deref() else {
            continue;
        };
        let Some(days) = crate::dates::days_between(last, now) else {
            continue;
        };
        if days < STALE_DAYS {
            continue;
        }
        let mut f = Finding::new(&RULE)
            .device(&d.udid)
            .evidence(format!(
                "iCloud Backup is on, and the last iCloud backup was {days} days before this check ({last})"
            ));
        if days >= NEAR_DELETION_DAYS {
            f = f
                .title(&NEAR_DELETION)
                .evidence("Apple deletes an iCloud backup after 180 days without a new one");
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn last_cloud(date: &str) -> Snapshot {
        let date = date.to_string();
        let mut s = world()
            .phone()
            .lockdown(move |l| {
                if let Some(b) = l.backup.as_mut() {
                    b.cloud_backup_enabled = Some(true);
                    b.last_cloud_backup_date = Some(date);
                }
            })
            .build();
        s.captured_at = Some("2026-12-03T08:00:00Z".into());
        s
    }

    #[test]
    fn weeks_without_an_icloud_backup_warn_and_near_180_days_say_deletion() {
        let f = only(&last_cloud("2026-11-01T06:00:00Z"), &RULE);
        assert!(f.says("32 days"), "{:?}", f.evidence);
        assert_eq!(f.title, RULE.title);
        let f = only(&last_cloud("2026-05-01T06:00:00Z"), &RULE);
        assert_eq!(f.title, NEAR_DELETION.text);
    }

    #[test]
    fn a_recent_backup_or_no_clock_is_silent() {
        assert!(fired(&last_cloud("2026-12-02T03:00:00Z"), &RULE).is_empty());
        let mut s = last_cloud("2026-01-01T00:00:00Z");
        s.captured_at = None;
        assert!(fired(&s, &RULE).is_empty());
    }
}
