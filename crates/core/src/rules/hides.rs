//! Sets of ids that several root causes hide, named for why they follow.

use super::RuleId;

/// What only a trusted lockdownd session can tell or do: when trust itself is
/// broken these are consequences, not causes.
pub const NEEDS_TRUST: &[RuleId] = &[
    RuleId::BackupServiceRefused,
    RuleId::DeviceLocked,
    RuleId::DeviceStorageFull,
    RuleId::DeviceBatteryLow,
    RuleId::DeviceRestricted,
    RuleId::TrustSessionFailed,
];

/// While the phone waits on a Trust answer, it refuses everything else.
pub const AWAITING_TRUST: &[RuleId] = &[
    RuleId::TrustNotPaired,
    RuleId::BackupServiceRefused,
    RuleId::DeviceLocked,
];

/// Without a working usbmuxd no phone can be listed, whatever the bus shows.
pub const NO_DAEMON: &[RuleId] = &[RuleId::UsbNoDevice, RuleId::UsbmuxdDeviceNotListed];

/// A phone in recovery or DFU mode is on the bus but not a phone usbmuxd serves.
pub const NOT_IN_NORMAL_MODE: &[RuleId] = &[
    RuleId::UsbNoDevice,
    RuleId::UsbmuxdDeviceNotListed,
    RuleId::UsbAccessDenied,
];
