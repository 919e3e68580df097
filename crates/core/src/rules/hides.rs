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

/// A phone in recovery or DFU mode with no phone in normal mode beside it:
/// usbmuxd serves no phone in those modes (and on Linux udev does not start
/// it for them), so the daemon's state cannot be what stops the backup. The
/// phone must leave recovery first; the daemon's findings are hidden.
pub const ONLY_PHONE_NOT_IN_NORMAL_MODE: &[RuleId] = &[
    RuleId::UsbNoDevice,
    RuleId::UsbmuxdDeviceNotListed,
    RuleId::UsbAccessDenied,
    RuleId::UsbmuxdNotRunning,
    RuleId::UsbmuxdStaleSocket,
    RuleId::UsbmuxdAccessDenied,
    RuleId::UsbmuxdUnresponsive,
    RuleId::UsbmuxdProtocolError,
];
