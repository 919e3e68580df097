//! Programs that back up or sync iPhones, by process name.

/// What a running process is, when it is a backup or sync tool. Names are
/// compared case-insensitively, with any `.exe` removed.
///
/// Left out on purpose: services that always run (Apple Mobile Device
/// Service, usbmuxd, AMPDevicesAgent), since their presence says nothing.
pub fn known_tool(process_name: &str) -> Option<&'static str> {
    let name = process_name.to_ascii_lowercase();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    let tool = match name {
        "applemobilebackup" => "Finder's backup agent",
        "mobiledeviceupdater" => "macOS device-support updater",
        "applemobilesync" | "applemobiledevicehelper" => "Apple's sync helper",
        "itunes" => "iTunes",
        "appledevices" | "apple devices" => "the Apple Devices app",
        "idevicebackup2" | "idevicebackup" => "idevicebackup2",
        "imazing" | "imazing mini" | "imazing cli" => "iMazing",
        "3utools" => "3uTools",
        "anytrans" => "AnyTrans",
        "copytrans" | "copytransshelbee" => "CopyTrans",
        "drfone" | "dr.fone" => "Dr.Fone",
        _ => return None,
    };
    Some(tool)
}

/// Whether the process is a backup under way (not merely an app that can
/// start one): Finder's backup agent runs only while it backs up, and
/// idevicebackup2 only for its command.
pub fn is_backing_up(process_name: &str) -> bool {
    let name = process_name.to_ascii_lowercase();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    matches!(
        name,
        "applemobilebackup" | "idevicebackup2" | "idevicebackup"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_names_on_each_platform() {
        assert_eq!(
            known_tool("AppleMobileBackup"),
            Some("Finder's backup agent")
        );
        assert_eq!(known_tool("iTunes.exe"), Some("iTunes"));
        assert_eq!(
            known_tool("AppleDevices.exe"),
            Some("the Apple Devices app")
        );
        assert_eq!(known_tool("idevicebackup2"), Some("idevicebackup2"));
    }

    #[test]
    fn only_a_backup_under_way_counts_as_backing_up() {
        assert!(is_backing_up("AppleMobileBackup"));
        assert!(is_backing_up("idevicebackup2"));
        assert!(!is_backing_up("iTunes.exe"));
        assert!(!is_backing_up("iMazing"));
    }

    #[test]
    fn ignores_always_running_services_and_others() {
        assert_eq!(known_tool("AppleMobileDeviceService.exe"), None);
        assert_eq!(known_tool("usbmuxd"), None);
        assert_eq!(known_tool("bash"), None);
    }
}
