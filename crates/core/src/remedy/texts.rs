//! Fix texts shared by several rules and `explain` entries. Each names its platform; menu
//! paths are the current ones, with the older iOS path where it differs.

use super::{Fix, Platforms};

const P: Platforms = Platforms::PHONE;
const M: Platforms = Platforms::MACOS;
const W: Platforms = Platforms::WINDOWS;
const L: Platforms = Platforms::LINUX;
const H: Platforms = Platforms::HOSTS;

// --- cable, port, restart -------------------------------------------------

pub const CABLE: Fix = Fix::new(
    H,
    "Swap the cable for one that carries data (Apple's, or MFi-certified). A worn or charge-only cable drops the link mid-backup.",
);
pub const PORT_DIRECT: Fix = Fix::new(
    H,
    "Plug the cable straight into a port on the computer itself, not a hub, dock, keyboard, monitor or front-panel port. Try another port.",
);
pub const PORT_CLEAN: Fix = Fix::new(
    P,
    "Shine a light into the phone's Lightning or USB-C port; lift out lint with a wooden toothpick, gently, then reconnect.",
);
pub const RESTART_PHONE: Fix = Fix::new(
    P,
    "Restart the iPhone: hold the side button and either volume button (iPhone X and later) or the side/top button alone (iPhone 8, SE and earlier), slide to power off, then turn it on.",
);
pub const RESTART_COMPUTER: Fix = Fix::new(
    H,
    "Restart the computer, then reconnect the unlocked phone.",
);

// --- lock, passcode, trust -------------------------------------------------

pub const UNLOCK: Fix = Fix::new(
    P,
    "Unlock the iPhone and leave it on the Home Screen until the backup is under way.",
);
pub const UNLOCK_AFTER_RESTART: Fix = Fix::new(
    P,
    "If the iPhone restarted since it was last unlocked, unlock it once by typing the passcode (after a restart Face ID and Touch ID are not accepted), then reconnect.",
);
pub const PASSCODE_AT_START: Fix = Fix::new(
    P,
    "iOS 16.1 and later (and 15.7.1) ask for the phone's passcode when a computer backup starts. Watch the phone and type it within about three minutes.",
);
pub const TAP_TRUST: Fix = Fix::new(
    P,
    "Unlock the phone, reconnect the cable, tap Trust on the \"Trust This Computer?\" alert and enter the passcode.",
);
pub const RESET_LOCATION_PRIVACY: Fix = Fix::new(
    P,
    "Make the phone forget every computer: Settings > General > Transfer or Reset iPhone > Reset > Reset Location & Privacy (iOS 14 and earlier: Settings > General > Reset > Reset Location & Privacy). App location and privacy permissions reset too. Reconnect and tap Trust.",
);
pub const LINUX_REPAIR: Fix = Fix::new(
    L,
    "Pair again: `idevicepair unpair`, reconnect, `idevicepair pair`, tap Trust on the phone, then `idevicepair validate`.",
);
pub const MAC_PAIR_RECORD: Fix = Fix::new(
    M,
    "Remove this Mac's record for the phone and trust again: `sudo rm /var/db/lockdown/<UDID>.plist`, reconnect, tap Trust.",
);
pub const WIN_PAIR_RECORD: Fix = Fix::new(
    W,
    "Quit iTunes / Apple Devices, rename the file named after the phone's UDID in C:\\ProgramData\\Apple\\Lockdown (add .old), reconnect and tap Trust.",
);
pub const WIN_LOCKDOWN_PERMS: Fix = Fix::new(
    W,
    "Check that C:\\ProgramData\\Apple\\Lockdown exists and your account can write to it; if a tool changed its owner or permissions, rename the folder and let Apple Mobile Device Service recreate it.",
);
pub const LINUX_LOCKDOWN_PERMS: Fix = Fix::new(
    L,
    "Give /var/lib/lockdown back to the account usbmuxd runs as (nothing is deleted): `sudo chown -R usbmux:usbmux /var/lib/lockdown && sudo chmod 2775 /var/lib/lockdown`, then `sudo systemctl restart usbmuxd`.",
);

pub const TRUST_MAC: Fix = Fix::new(
    M,
    "Open Finder, select the iPhone in the sidebar and click Trust; then tap Trust on the iPhone and enter its passcode. If no prompt appears, unplug the unlocked iPhone and plug it back in.",
);
pub const TRUST_WINDOWS: Fix = Fix::new(
    W,
    "Open the Apple Devices app (or iTunes), plug the unlocked iPhone in, click Continue if asked, then tap Trust on the iPhone and enter its passcode.",
);
pub const TRUST_LINUX: Fix = Fix::new(
    L,
    "Run `idevicepair pair` with the iPhone unlocked, tap Trust on the iPhone and enter its passcode; `idevicepair validate` confirms it.",
);

// --- software updates ---------------------------------------------------

pub const UPDATE_IOS: Fix = Fix::new(
    P,
    "Update the iPhone: Settings > General > Software Update.",
);
pub const UPDATE_MAC: Fix = Fix::new(
    M,
    "Update macOS: System Settings > General > Software Update (macOS 12 and earlier: System Preferences > Software Update). Finder's iPhone support ships with macOS; on macOS 10.14 and earlier update iTunes too.",
);
pub const UPDATE_WINDOWS: Fix = Fix::new(
    W,
    "Update Windows (Settings > Windows Update) and the Apple Devices app or iTunes (Microsoft Store > Library > Get updates; iTunes from apple.com: Help > Check for Updates).",
);
pub const UPDATE_LINUX: Fix = Fix::new(
    L,
    "Update libimobiledevice, libusbmuxd, libplist and usbmuxd; distribution packages are often years old and new iOS releases need new code (build from git if needed).",
);

// --- disk space -----------------------------------------------------------

pub const HOST_SPACE_MAC: Fix = Fix::new(
    M,
    "Free space on the volume holding ~/Library/Application Support/MobileSync/Backup: delete old backups (Finder > the phone > General > Manage Backups) and empty the Trash. Finder's free figure includes purgeable space (local snapshots, caches) that macOS frees only when asked: a Finder backup can use it, an idevicebackup2 backup cannot.",
);
pub const HOST_SPACE_WINDOWS: Fix = Fix::new(
    W,
    "Free space on the drive holding the backup folder (%APPDATA%\\Apple Computer\\MobileSync\\Backup for iTunes from apple.com, %USERPROFILE%\\Apple\\MobileSync\\Backup for Apple Devices and Store iTunes). If that folder is a link to another drive, free space there. Delete old backups in Apple Devices (General > Manage Backups) or iTunes (Edit > Preferences > Devices).",
);
pub const HOST_SPACE_LINUX: Fix = Fix::new(
    L,
    "Check `df -h` for the folder given to idevicebackup2 and free space there, or back up to a bigger disk.",
);
pub const PHONE_SPACE: Fix = Fix::new(
    P,
    "Free space on the phone: Settings > General > iPhone Storage; offload or delete large apps and videos so a few GB are free.",
);

// --- iCloud, Wi-Fi, account, restrictions ---------------------------------

pub const ICLOUD_BACKUP_OFF: Fix = Fix::new(
    P,
    "Turn iCloud Backup off while the computer backs up: Settings > [your name] > iCloud > iCloud Backup (iOS 10.2 and earlier: Settings > iCloud > Backup). Turn it on again afterwards if you want both.",
);
pub const ICLOUD_STORAGE: Fix = Fix::new(
    P,
    "Check iCloud storage: Settings > [your name] > iCloud > Manage Account Storage (older iOS: Manage Storage). The free plan is 5 GB; delete old device backups there, buy more space, or back up to the computer instead.",
);
pub const WIFI: Fix = Fix::new(
    P,
    "For iCloud Backup or Wi-Fi sync, join a strong, stable Wi-Fi network (Settings > Wi-Fi) and keep the phone on power. For a computer backup, use the USB cable rather than Wi-Fi sync.",
);
pub const SCREEN_TIME: Fix = Fix::new(
    P,
    "Check restrictions: Settings > Screen Time > Content & Privacy Restrictions (iOS 11 and earlier: Settings > General > Restrictions); turn them off for the backup. Also look in Settings > General > VPN & Device Management (iOS 14 and earlier: Settings > General > Profiles) for a profile that blocks pairing or backups.",
);
pub const SIGN_OUT_IN: Fix = Fix::new(
    P,
    "Sign out of the Apple Account and back in: Settings > [your name] > Sign Out, restart the phone, sign in, then back up again.",
);
pub const FIND_MY_OFF: Fix = Fix::new(
    P,
    "Before restoring a backup to the phone, turn off Settings > [your name] > Find My > Find My iPhone.",
);

// --- other software on the computer ---------------------------------------

pub const ONE_TOOL: Fix = Fix::new(
    H,
    "Quit every other backup or sync tool (iMazing, Dr.Fone, AnyTrans, a second iTunes/Finder/Apple Devices window, another idevicebackup2) so one program talks to the phone.",
);
pub const SECURITY_SOFTWARE_WINDOWS: Fix = Fix::new(
    W,
    "Allow Apple Mobile Device Service and iTunes / Apple Devices in antivirus and firewall software, or pause it for the backup: it can block 127.0.0.1:27015 or the backup folder.",
);
pub const SECURITY_SOFTWARE_MAC: Fix = Fix::new(
    M,
    "Pause third-party security or cleaner tools that watch ~/Library/Application Support/MobileSync during the backup.",
);
pub const WINDOWS_AMDS: Fix = Fix::new(
    W,
    "Restart Apple Mobile Device Service: run services.msc, select Apple Mobile Device Service, Restart (Start if stopped). If it is missing, install or repair the Apple Devices app or iTunes.",
);
pub const LINUX_USBMUXD: Fix = Fix::new(
    L,
    "Restart usbmuxd: `sudo systemctl restart usbmuxd`, or stop it and run `sudo usbmuxd -f -v` in a terminal to watch what it does when the phone is plugged in; then reconnect the phone.",
);
pub const MAC_USBMUXD: Fix = Fix::new(
    M,
    "Restart usbmuxd, which is part of macOS: sudo launchctl kickstart -k system/com.apple.usbmuxd (or restart the Mac).",
);

// --- backups on disk ------------------------------------------------------

pub const MOVE_BACKUP_MAC: Fix = Fix::new(
    M,
    "Move the damaged backup aside rather than deleting it: in ~/Library/Application Support/MobileSync/Backup rename the folder named after the phone's UDID (add .old), then Back Up Now in Finder.",
);
pub const MOVE_BACKUP_WINDOWS: Fix = Fix::new(
    W,
    "Move the damaged backup aside: in the MobileSync\\Backup folder (%APPDATA%\\Apple Computer\\ or %USERPROFILE%\\Apple\\) rename the folder named after the phone's UDID (add .old), then back up again.",
);
pub const MOVE_BACKUP_LINUX: Fix = Fix::new(
    L,
    "Give idevicebackup2 a fresh folder, or rename the <UDID> folder inside the old one: an empty Manifest.plist or an unfinished Status.plist there makes the phone refuse an incremental backup.",
);
pub const BACKUP_PASSWORD: Fix = Fix::new(
    H,
    "Enter the backup password set for this phone (Finder / iTunes / Apple Devices: \"Encrypt local backup\"; idevicebackup2: `encryption on|off PASSWORD`, `changepw`).",
);
pub const FORGOT_BACKUP_PASSWORD: Fix = Fix::new(
    P,
    "If the backup password is lost (iOS 11 and later): Settings > General > Transfer or Reset iPhone > Reset > Reset All Settings (iOS 14 and earlier: Settings > General > Reset > Reset All Settings). Data stays; the password goes; old encrypted backups stay unreadable.",
);

// --- phone state ----------------------------------------------------------

pub const CHARGE: Fix = Fix::new(
    P,
    "Charge the phone before starting and keep it on a port or charger that really supplies power for the whole backup.",
);
pub const LEAVE_RECOVERY: Fix = Fix::new(
    P,
    "A phone in recovery or DFU mode cannot be backed up. Force-restart it (iPhone 8 and later: press volume up, press volume down, hold the side button). In Finder / iTunes choose Update, never Restore, if you want to keep data.",
);
pub const FINISH_SETUP: Fix = Fix::new(
    P,
    "Finish the setup assistant on the phone (language, Wi-Fi, activation, passcode) until the Home Screen appears, then back up.",
);
pub const HOTSPOT_OFF: Fix = Fix::new(
    P,
    "Turn off Personal Hotspot (Settings > Personal Hotspot) while backing up: on Linux the ipheth network driver can hold the phone's USB configuration.",
);
pub const LONGER_TIMEOUT: Fix = Fix::new(
    H,
    "Run the check again with a longer --timeout (for example --timeout 60): a busy or slow phone may answer late.",
);
/// For a phone that answered too late: more time first, then the link.
pub const SLOW_ANSWER_STEPS: &[Fix] = &[LONGER_TIMEOUT, PORT_DIRECT, CABLE];
/// "Too many open files": the process's or the system's limit of open
/// files (rule `host.descriptor-limit`, `explain "too many open files"`).
pub const RAISE_FILE_LIMIT: Fix = Fix::new(
    L.union(M),
    "See the limit with ulimit -n; raise it for this terminal (ulimit -n 4096) and run the check or the backup again from it.",
);
pub const QUIT_FILE_HOLDERS: Fix = Fix::new(
    H,
    "Quit programs that hold many files or connections open, then run the check or the backup again.",
);
pub const DIAGNOSE: Fix = Fix::new(
    H,
    "Run `iphone-backup-check diagnose` with the phone connected and unlocked: it tests each layer and names the one that fails.",
);
pub const REBOOT_AFTER_RESTORE: Fix = Fix::new(
    L,
    "After `idevicebackup2 restore`, let the phone reboot (do not pass --no-reboot) before any further restore.",
);
pub const MAC_FULL_DISK_ACCESS: Fix = Fix::new(
    M,
    "Give the tool that reads backups (Terminal, iTerm, a backup app) Full Disk Access: System Settings > Privacy & Security > Full Disk Access (macOS 12 and earlier: System Preferences > Security & Privacy > Privacy > Full Disk Access), then quit and reopen it. Finder itself needs nothing.",
);
pub const LINUX_UDEV: Fix = Fix::new(
    L,
    "Let your user reach the phone's USB device: install usbmuxd's udev rules (39-usbmuxd.rules; libirecovery's for recovery/DFU tools), run `sudo udevadm control --reload`, replug the phone; or run the tool through usbmuxd instead of raw USB.",
);
