use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// The phone's last backup is very large: hundreds of thousands of files
    /// or a Manifest.db of hundreds of megabytes. Before such a phone sends
    /// its first file it spends minutes preparing, and at the end it sends
    /// the whole Manifest.db at once.
    ///
    /// ## Why the backup fails
    /// Tools that give up when the phone is silent for 30 seconds
    /// (libimobiledevice's idevicebackup2 waits 30 s per message) fail with
    /// "Could not receive from mobilebackup2 (-4)" right after "Requesting
    /// backup", or at the very end
    /// (<https://github.com/libimobiledevice/libimobiledevice/issues/1413>,
    /// <https://github.com/libimobiledevice/libimobiledevice/issues/1660>,
    /// <https://github.com/libimobiledevice/libimobiledevice/issues/1707>).
    /// Finder and iTunes wait longer.
    ///
    /// ## Evidence used
    /// The number of files in Manifest.db (or in the folder) and the size of
    /// Manifest.db of the phone's last backup; 300 000 files or 300 MB.
    pub static RULE = {
        id: RuleId::BackupVeryLarge,
        title: "The iPhone's backups are very large",
        layer: Layer::Backup,
        severity: Severity::Info,
        steps: &[
            Fix::any("Expect a long pause before the first file and at the end; do not cancel while the progress seems stuck."),
            Fix::new(Platforms::LINUX, "idevicebackup2 gives up after 30 s of silence (\"Could not receive from mobilebackup2 (-4)\"): use a current libimobiledevice or pymobiledevice3, or back up with Finder or iTunes, which wait longer."),
            Fix::any("Fewer files make every backup faster: offload or delete large photo libraries and message attachments the phone keeps locally."),
        ],
        since: "0.1.0",
        check,
    }
}

const MANY_FILES: u64 = 300_000;
const LARGE_MANIFEST: u64 = 300 * 1000 * 1000;

fn check(s: &Snapshot, out: &mut Findings) {
    for (b, udid) in s.judged_backups() {
        let files = b.manifest_db.file_count.or(b.files_on_disk);
        let manifest = b.manifest_db.file.bytes;
        let many = files.filter(|n| *n >= MANY_FILES);
        let big = manifest.filter(|n| *n >= LARGE_MANIFEST);
        if many.is_none() && big.is_none() {
            continue;
        }
        let mut f = Finding::new(&RULE).device(&udid);
        if let Some(n) = many {
            f = f.evidence(format!("the last backup ({}) has {n} files", b.label()));
        }
        if let Some(n) = big {
            f = f.evidence(format!("its Manifest.db is {}", fmt::bytes(n)));
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;
    use crate::rules::testing_backups::finished_backup;

    #[test]
    fn hundreds_of_thousands_of_files_or_a_huge_manifest_are_noted() {
        let mut b = finished_backup("00008110-001A2B3C4D5E6F70", "2026-11-01T00:00:00Z");
        b.manifest_db.file_count = Some(812_000);
        b.manifest_db.file.bytes = Some(1_100_000_000);
        let s = world().backups(vec![b]).build();
        let f = only(&s, &RULE);
        assert!(f.says("812000 files"), "{:?}", f.evidence);
        assert!(f.says("GB"), "{:?}", f.evidence);
    }

    #[test]
    fn an_ordinary_backup_is_not_large() {
        let mut b = finished_backup("00008110-001A2B3C4D5E6F70", "2026-11-01T00:00:00Z");
        b.manifest_db.file_count = Some(40_000);
        b.manifest_db.file.bytes = Some(30_000_000);
        assert!(fired(&world().backups(vec![b]).build(), &RULE).is_empty());
    }
}
