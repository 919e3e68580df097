//! Where a fix applies: one of the three host systems, or the iPhone itself.

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use crate::snapshot::OsFamily;

/// A small set of places a fix applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Platforms(u8);

impl Platforms {
    /// macOS: Finder (10.15 and later) or iTunes (10.14 and earlier).
    pub const MACOS: Platforms = Platforms(1);
    /// Windows: iTunes or the Apple Devices app.
    pub const WINDOWS: Platforms = Platforms(1 << 1);
    /// Linux: usbmuxd + libimobiledevice (idevicebackup2, idevicepair).
    pub const LINUX: Platforms = Platforms(1 << 2);
    /// On the iPhone itself (Settings): applies whatever the computer runs.
    pub const PHONE: Platforms = Platforms(1 << 3);
    /// Every computer.
    pub const HOSTS: Platforms = Platforms(0b0111);
    /// Everywhere.
    pub const ALL: Platforms = Platforms(0b1111);

    const NAMES: [(Platforms, &'static str, &'static str); 4] = [
        (Platforms::MACOS, "macos", "macOS"),
        (Platforms::WINDOWS, "windows", "Windows"),
        (Platforms::LINUX, "linux", "Linux"),
        (Platforms::PHONE, "iphone", "the iPhone"),
    ];

    pub const fn union(self, other: Platforms) -> Platforms {
        Platforms(self.0 | other.0)
    }
    pub const fn contains(self, other: Platforms) -> bool {
        other.0 != 0 && self.0 & other.0 == other.0
    }
    pub const fn intersects(self, other: Platforms) -> bool {
        self.0 & other.0 != 0
    }
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The host system's own bit.
    pub const fn of(os: OsFamily) -> Platforms {
        match os {
            OsFamily::Macos => Platforms::MACOS,
            OsFamily::Windows => Platforms::WINDOWS,
            OsFamily::Linux => Platforms::LINUX,
            OsFamily::Other => Platforms::HOSTS,
        }
    }

    /// Whether a fix for these places helps a person at a computer running
    /// `os`: steps on the phone always do, and on an unknown system every
    /// step is kept (labelled, see [`Platforms::label`]).
    pub const fn applies_on(self, os: OsFamily) -> bool {
        match os {
            OsFamily::Other => !self.is_empty(),
            _ => self.intersects(Platforms::of(os).union(Platforms::PHONE)),
        }
    }

    /// Stable names for JSON, in a fixed order.
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .filter(|(p, ..)| self.contains(*p))
            .map(|(_, n, _)| *n)
            .collect()
    }

    /// "On Windows: ", "On the iPhone: ", or nothing when it applies to every
    /// computer.
    pub fn label(self) -> String {
        if self.contains(Platforms::HOSTS) || self.is_empty() {
            return String::new();
        }
        let names: Vec<&str> = Self::NAMES
            .iter()
            .filter(|(p, ..)| self.contains(*p))
            .map(|(.., label)| *label)
            .collect();
        format!("On {}: ", names.join(" or "))
    }
}

impl std::ops::BitOr for Platforms {
    type Output = Platforms;
    fn bitor(self, rhs: Platforms) -> Platforms {
        self.union(rhs)
    }
}

impl Serialize for Platforms {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let names = self.names();
        let mut seq = s.serialize_seq(Some(names.len()))?;
        for n in names {
            seq.serialize_element(n)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_combine_and_test_membership() {
        let mw = Platforms::MACOS | Platforms::WINDOWS;
        assert!(mw.contains(Platforms::MACOS) && mw.contains(Platforms::WINDOWS));
        assert!(!mw.contains(Platforms::LINUX));
        assert!(Platforms::HOSTS.contains(mw) && !Platforms::HOSTS.contains(Platforms::PHONE));
        assert_eq!(
            Platforms::ALL.names(),
            ["macos", "windows", "linux", "iphone"]
        );
        assert!(Platforms::default().is_empty());
        assert!(!Platforms::default().contains(Platforms::default()));
    }

    #[test]
    fn phone_steps_apply_on_every_computer_and_host_steps_on_their_own() {
        for os in [
            OsFamily::Macos,
            OsFamily::Windows,
            OsFamily::Linux,
            OsFamily::Other,
        ] {
            assert!(Platforms::PHONE.applies_on(os), "{os:?}");
            assert!(Platforms::HOSTS.applies_on(os), "{os:?}");
        }
        assert!(Platforms::WINDOWS.applies_on(OsFamily::Windows));
        assert!(!Platforms::WINDOWS.applies_on(OsFamily::Linux));
        assert!(!Platforms::MACOS.applies_on(OsFamily::Windows));
        assert!(Platforms::LINUX.applies_on(OsFamily::Other));
    }

    #[test]
    fn labels_name_the_places_unless_every_computer() {
        assert_eq!(Platforms::ALL.label(), "");
        assert_eq!(Platforms::HOSTS.label(), "");
        assert_eq!(Platforms::PHONE.label(), "On the iPhone: ");
        assert_eq!(
            (Platforms::MACOS | Platforms::LINUX).label(),
            "On macOS or Linux: "
        );
    }
}
