//! The free space a backup can use on the computer, from the two figures a
//! Mac gives: statvfs's, which leaves out APFS purgeable space, and the
//! "available capacity for important usage", which counts it (Finder's).
//!
//! Which one the phone gets depends on the program that backs it up. The
//! phone asks the computer for its free space (`DLMessageGetFreeDiskSpace`)
//! and goes ahead only when it exceeds the upload plus 128 MiB; when it does
//! not, it asks the computer to free the difference
//! (`DLMessagePurgeDiskSpace`; BackupAgent2's `_prepareFreeSpace`, quoted in
//! <https://github.com/doronz88/pymobiledevice3/pull/1886>). Apple's own
//! host software answers by having macOS purge (`CacheDeletePurgeSpaceWithInfo`
//! in DeviceLink.framework, <https://github.com/doronz88/pymobiledevice3/pull/1884>),
//! so a Finder backup can use the purgeable space; so can pymobiledevice3,
//! which reports the larger figure since
//! <https://github.com/doronz88/pymobiledevice3/pull/1770>. idevicebackup2
//! reports statvfs's figure and refuses the purge ("Operation not
//! supported", `tools/idevicebackup2.c`), so it can use only that.

/// Both figures, as the rules judge them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsableSpace {
    /// Free now (statvfs): what any program can use.
    pub free_now: u64,
    /// Purgeable space on top of it that macOS frees when asked: usable
    /// by Finder and pymobiledevice3, not by idevicebackup2. Zero where
    /// there is no second figure (Linux, Windows) or it is not larger.
    pub purgeable: u64,
}

impl UsableSpace {
    /// From statvfs's free bytes and, on a Mac, the capacity for important
    /// usage. A second figure below the first says nothing more (it may be
    /// read a moment later, or round differently) and is ignored.
    pub fn new(statvfs_free: u64, important: Option<u64>) -> Self {
        let purgeable = important.map_or(0, |i| i.saturating_sub(statvfs_free));
        Self {
            free_now: statvfs_free,
            purgeable,
        }
    }

    /// The most a backup can use: with the purgeable space freed, as
    /// Finder's backup does.
    pub fn at_most(&self) -> u64 {
        self.free_now.saturating_add(self.purgeable)
    }

    /// Whether `need` fits only once macOS frees purgeable space.
    pub fn fits_only_after_purge(&self, need: u64) -> bool {
        self.free_now < need && need <= self.at_most()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GB: u64 = 1_000_000_000;

    #[test]
    fn without_a_second_figure_free_is_free() {
        let s = UsableSpace::new(32 * GB, None);
        assert_eq!(
            (s.free_now, s.purgeable, s.at_most()),
            (32 * GB, 0, 32 * GB)
        );
        assert!(!s.fits_only_after_purge(40 * GB));
    }

    #[test]
    fn the_important_figure_adds_the_purgeable_space() {
        // The case in pymobiledevice3 #1769: ~32 GB free, ~90 GB purgeable.
        let s = UsableSpace::new(32 * GB, Some(122 * GB));
        assert_eq!((s.purgeable, s.at_most()), (90 * GB, 122 * GB));
        assert!(s.fits_only_after_purge(50 * GB));
        assert!(!s.fits_only_after_purge(20 * GB), "fits anyway");
        assert!(!s.fits_only_after_purge(130 * GB), "fits not at all");
    }

    #[test]
    fn a_smaller_second_figure_is_ignored() {
        let s = UsableSpace::new(32 * GB, Some(31 * GB));
        assert_eq!((s.purgeable, s.at_most()), (0, 32 * GB));
        let s = UsableSpace::new(u64::MAX, Some(u64::MAX));
        assert_eq!(s.at_most(), u64::MAX);
    }
}
