//! Sets of ids that several root causes hide, named for why they follow.

/// What only a trusted lockdownd session can tell or do: when trust itself is
/// broken these are consequences, not causes.
pub const NEEDS_TRUST: &[&str] = &[
    "backup-service.refused",
    "device.locked",
    "device.storage-full",
    "device.battery-low",
    "device.restricted",
    "trust.session-failed",
];

/// While the phone waits on a Trust answer, it refuses everything else.
pub const AWAITING_TRUST: &[&str] = &[
    "trust.not-paired",
    "backup-service.refused",
    "device.locked",
];

/// Without a working usbmuxd no phone can be listed, whatever the bus shows.
pub const NO_DAEMON: &[&str] = &["usb.no-device", "usbmuxd.device-not-listed"];

/// A phone in recovery or DFU mode is on the bus but not a phone usbmuxd serves.
pub const NOT_IN_NORMAL_MODE: &[&str] = &[
    "usb.no-device",
    "usbmuxd.device-not-listed",
    "usb.access-denied",
];

/// A phone in recovery or DFU mode with no phone in normal mode beside it:
/// usbmuxd serves no phone in those modes (and on Linux udev does not start
/// it for them), so the daemon's state cannot be what stops the backup. The
/// phone must leave recovery first; the daemon's findings are hidden.
pub const ONLY_PHONE_NOT_IN_NORMAL_MODE: &[&str] = &[
    "usb.no-device",
    "usbmuxd.device-not-listed",
    "usb.access-denied",
    "usbmuxd.not-running",
    "usbmuxd.stale-socket",
    "usbmuxd.access-denied",
    "usbmuxd.unresponsive",
    "usbmuxd.protocol-error",
];
