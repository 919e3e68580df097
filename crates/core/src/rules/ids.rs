//! Every rule id, in one table (as ruff's `codes.rs`): the compiler checks
//! each id a rule declares, hides or a test names, and the string a script
//! keys on is written once. Ids are a stable contract: never rename a row;
//! retire it (`retired.rs`) and add a new one.

use serde::{Serialize, Serializer};

macro_rules! rule_ids {
    ($($variant:ident => $id:literal,)*) => {
        /// A stable rule id (`layer.slug`), as scripts see it in `--json`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RuleId {
            $($variant,)*
        }

        impl RuleId {
            /// Every id, sorted by its text.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The id as scripts see it: `usb.no-device`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$variant => $id,)*
                }
            }

            /// The id whose text is `text`, if any.
            pub fn parse(text: &str) -> Option<RuleId> {
                match text {
                    $($id => Some(RuleId::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

rule_ids! {
    BackupServiceRefused => "backup-service.refused",
    BackupAgentFailed => "backup.agent-failed",
    BackupCorrupt => "backup.corrupt",
    BackupEncrypted => "backup.encrypted",
    BackupEncryptionRequired => "backup.encryption-required",
    BackupPasswordRejected => "backup.password-rejected",
    BackupStalled => "backup.stalled",
    BackupUnfinished => "backup.unfinished",
    BackupVeryLarge => "backup.very-large",
    ConnectionSlowReplies => "connection.slow-replies",
    ConnectionUnstable => "connection.unstable",
    DeviceBatteryLow => "device.battery-low",
    DeviceIosOutdated => "device.ios-outdated",
    DeviceLockdownUnreachable => "device.lockdown-unreachable",
    DeviceLocked => "device.locked",
    DevicePasscodePrompt => "device.passcode-prompt",
    DeviceRestricted => "device.restricted",
    DeviceSetupIncomplete => "device.setup-incomplete",
    DeviceStorageFull => "device.storage-full",
    HostBackupDirUnusable => "host.backup-dir-unusable",
    HostBackupDirVolatile => "host.backup-dir-volatile",
    HostBackupInProgress => "host.backup-in-progress",
    HostDescriptorLimit => "host.descriptor-limit",
    HostDiskSpace => "host.disk-space",
    HostLockdownDirUnusable => "host.lockdown-dir-unusable",
    HostOsOutdated => "host.os-outdated",
    IcloudBackupEnabled => "icloud.backup-enabled",
    IcloudBackupStale => "icloud.backup-stale",
    ReportedError => "reported.error",
    TrustDenied => "trust.denied",
    TrustDialogPending => "trust.dialog-pending",
    TrustNotPaired => "trust.not-paired",
    TrustResetOnDevice => "trust.reset-on-device",
    TrustSessionFailed => "trust.session-failed",
    UsbAccessDenied => "usb.access-denied",
    UsbDfuMode => "usb.dfu-mode",
    UsbHub => "usb.hub",
    UsbNoDevice => "usb.no-device",
    UsbRecoveryMode => "usb.recovery-mode",
    UsbSlowLink => "usb.slow-link",
    UsbUnavailable => "usb.unavailable",
    UsbmuxdAccessDenied => "usbmuxd.access-denied",
    UsbmuxdDeviceNotListed => "usbmuxd.device-not-listed",
    UsbmuxdNotRunning => "usbmuxd.not-running",
    UsbmuxdProtocolError => "usbmuxd.protocol-error",
    UsbmuxdStaleSocket => "usbmuxd.stale-socket",
    UsbmuxdUnresponsive => "usbmuxd.unresponsive",
    UsbmuxdWifiOnly => "usbmuxd.wifi-only",
}

impl RuleId {
    /// The rule registered under this id.
    pub fn rule(self) -> &'static super::Rule {
        super::RULES
            .iter()
            .copied()
            .find(|r| r.id == self)
            .expect("every RuleId has a rule in RULES (tests::every_id_is_registered)")
    }
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Ordered by text, as the registry and ties in ranking are.
impl Ord for RuleId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_is_registered_once_and_parses_back() {
        for id in RuleId::ALL {
            assert_eq!(RuleId::parse(id.as_str()), Some(*id));
            assert_eq!(
                super::super::RULES.iter().filter(|r| r.id == *id).count(),
                1,
                "{id}"
            );
        }
        assert_eq!(RuleId::ALL.len(), super::super::RULES.len());
        assert!(RuleId::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(RuleId::parse("usb.no-devices"), None);
    }
}
