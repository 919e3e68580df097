//! The shape of one `explain` entry: what an error means, which rule ids cover
//! its causes, and the fixes per platform.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

pub use crate::remedy::{Fix, Platforms};
use crate::rules::RuleId;

/// Where a numeric code comes from. The same small number means different
/// things in different domains, so every code carries one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Domain {
    /// Apple's MobileDevice framework (iTunes, Finder, the Apple Devices app,
    /// Xcode): 32-bit codes shown as `0xE8000084`, `-402653052` or `3892314244`.
    MobileDevice,
    /// The small numbers of iTunes / Finder alerts: "error 54", "(-54)", "(4013)".
    Itunes,
    /// `MBErrorDomain`, the phone's backup agent. idevicebackup2 and
    /// pymobiledevice3 print the same numbers as `ErrorCode N`.
    MbError,
    /// libimobiledevice `lockdownd_error_t`, version 1.2 and later (`-19`, `-21`, ...).
    Lockdown,
    /// libimobiledevice `lockdownd_error_t` of the 1.1.x releases (a different numbering).
    LockdownLegacy,
    /// libimobiledevice `mobilebackup2_error_t`, the host side of idevicebackup2
    /// ("version exchange, error code -1", "Could not receive from mobilebackup2 (-4)").
    MobileBackup2,
    /// DeviceLink status codes the computer sends the phone during a backup
    /// (`DLMessageStatusResponse`; idevicebackup2 turns a failed file
    /// operation into -6 not found ... -15 disk full, -13 "Multi status").
    /// The same small numbers are lockdownd and mobilebackup2 codes, so these
    /// match only when the query names DeviceLink or the status response.
    DeviceLink,
}

impl Domain {
    pub const ALL: [Domain; 7] = [
        Domain::MobileDevice,
        Domain::Itunes,
        Domain::MbError,
        Domain::Lockdown,
        Domain::LockdownLegacy,
        Domain::MobileBackup2,
        Domain::DeviceLink,
    ];

    /// Stable name used in JSON and in lookup explanations.
    pub const fn name(self) -> &'static str {
        match self {
            Domain::MobileDevice => "mobiledevice",
            Domain::Itunes => "itunes",
            Domain::MbError => "mberrordomain",
            Domain::Lockdown => "lockdownd",
            Domain::LockdownLegacy => "lockdownd-1.1",
            Domain::MobileBackup2 => "mobilebackup2",
            Domain::DeviceLink => "devicelink",
        }
    }

    /// The domain [`Domain::name`] spells `name`.
    pub fn from_name(name: &str) -> Option<Domain> {
        Domain::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Human label for reports.
    pub const fn label(self) -> &'static str {
        match self {
            Domain::MobileDevice => "Apple MobileDevice (iTunes, Finder, Apple Devices)",
            Domain::Itunes => "iTunes / Finder alert",
            Domain::MbError => "MBErrorDomain (the phone's backup agent)",
            Domain::Lockdown => "libimobiledevice lockdownd",
            Domain::LockdownLegacy => "libimobiledevice 1.1.x lockdownd",
            Domain::MobileBackup2 => "libimobiledevice mobilebackup2 (host side)",
            Domain::DeviceLink => "DeviceLink status the computer sent the phone",
        }
    }
}

impl Serialize for Domain {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// One error number in one domain. MobileDevice codes are stored as their
/// unsigned 32-bit value (`0xE8000084`); everything else as the signed number
/// the tool prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    pub domain: Domain,
    pub value: i64,
}

impl Code {
    pub const fn new(domain: Domain, value: i64) -> Code {
        Code { domain, value }
    }
    /// A MobileDevice code from its hex form.
    pub const fn amd(value: u32) -> Code {
        Code {
            domain: Domain::MobileDevice,
            value: value as i64,
        }
    }
    pub const fn itunes(value: i64) -> Code {
        Code::new(Domain::Itunes, value)
    }
    pub const fn mb(value: i64) -> Code {
        Code::new(Domain::MbError, value)
    }
    pub const fn lockdown(value: i64) -> Code {
        Code::new(Domain::Lockdown, value)
    }
    pub const fn lockdown_legacy(value: i64) -> Code {
        Code::new(Domain::LockdownLegacy, value)
    }
    pub const fn mb2(value: i64) -> Code {
        Code::new(Domain::MobileBackup2, value)
    }
    pub const fn dl(value: i64) -> Code {
        Code::new(Domain::DeviceLink, value)
    }

    /// The code as people usually see it: `0xE8000084 (-402653052)`, `-19`, `208`.
    pub fn display(&self) -> String {
        match self.domain {
            Domain::MobileDevice => {
                let u = self.value as u32;
                format!("0x{:08X} ({})", u, u as i32)
            }
            _ => self.value.to_string(),
        }
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Code", 3)?;
        st.serialize_field("domain", &self.domain)?;
        st.serialize_field("value", &self.value)?;
        st.serialize_field("display", &self.display())?;
        st.end()
    }
}

/// One thing `explain` knows: an error code, a message people paste, or a
/// cause the seed articles name.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Entry {
    /// Stable slug, e.g. `mb-208-device-locked`.
    pub key: &'static str,
    pub title: &'static str,
    pub codes: &'static [Code],
    /// Lower-case message fragments people paste.
    pub phrases: &'static [&'static str],
    pub meaning: &'static str,
    /// Stable rule ids from DESIGN.md whose findings cover the causes, and
    /// how a reported error picks one of them.
    pub causes: Causes,
    pub fixes: &'static [Fix],
    /// Public http(s) URLs; never a path only this project's authors have.
    pub sources: &'static [&'static str],
}

/// The causes an entry's error can stand for, and how much the error alone
/// says about which one it was. A reported error becomes a finding of the
/// cause it picks (`diagnose --from`); `explain` lists them all.
#[derive(Debug, Clone, Copy)]
pub enum Causes {
    /// One cause, or a few with the likeliest first: the first one the rest
    /// of the snapshot does not rule out is taken.
    Ranked(&'static [RuleId]),
    /// Words of the message decide between the causes: the first pair whose
    /// text (in [`super::lookup::normalize`]'s form; "" is any message) the
    /// message holds names the cause for certain. Without them, as `Ranked`.
    Worded {
        words: &'static [(&'static str, RuleId)],
        ranked: &'static [RuleId],
    },
    /// A generic failure ("could not be backed up because an error
    /// occurred"): so many causes that the error alone claims none, and it is
    /// shown as reported unless the snapshot itself shows one of them.
    Generic(&'static [RuleId]),
}

impl Causes {
    /// Every cause, in the entry's order.
    pub const fn rules(&self) -> &'static [RuleId] {
        match self {
            Causes::Ranked(rules) | Causes::Generic(rules) => rules,
            Causes::Worded { ranked, .. } => ranked,
        }
    }

    /// The cause the words of `normalized` (a message in
    /// [`super::lookup::normalize`]'s form) decide on, if any.
    pub fn decided_by(&self, normalized: &str) -> Option<RuleId> {
        match self {
            Causes::Worded { words, .. } => words
                .iter()
                .find(|(text, _)| normalized.contains(text))
                .map(|(_, rule)| *rule),
            Causes::Ranked(_) | Causes::Generic(_) => None,
        }
    }

    /// Whether the error alone may name a cause.
    pub const fn is_generic(&self) -> bool {
        matches!(self, Causes::Generic(_))
    }
}

impl Serialize for Causes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.rules().serialize(s)
    }
}

impl Entry {
    /// The fixes that apply to a platform (fixes for the phone always apply).
    pub fn fixes_for(&self, platform: Platforms) -> impl Iterator<Item = &'static Fix> + '_ {
        self.fixes
            .iter()
            .filter(move |f| f.platforms.intersects(platform.union(Platforms::PHONE)))
    }
}
