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
        // Its console script (Linux names the process after the script).
        "pymobiledevice3" => PYMOBILEDEVICE3,
        _ => return None,
    };
    Some(tool)
}

const PYMOBILEDEVICE3: &str = "pymobiledevice3";

/// A tool known by its command line: pymobiledevice3 runs in Python, so its
/// process is named after the interpreter (`python3`, `Python`) or its
/// console script, and only the arguments say what it is and whether it is
/// backing up: `backup2 backup` and `backup2 restore` take the phone's sync
/// lock (`/com.apple.itunes.lock_sync`, pymobiledevice3's
/// `services/mobilebackup2.py`) as idevicebackup2 does. Returns the tool
/// and whether it is backing up or restoring now.
pub fn known_by_command<S: AsRef<str>>(
    process_name: &str,
    args: &[S],
) -> Option<(&'static str, bool)> {
    let name = process_name.to_ascii_lowercase();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let is_pmd3 = |a: &&str| {
        let base = a.rsplit(['/', '\\']).next().unwrap_or(a);
        let base = base.strip_suffix(".exe").unwrap_or(base);
        base.eq_ignore_ascii_case(PYMOBILEDEVICE3)
    };
    let at = if name == PYMOBILEDEVICE3 {
        args.iter().position(is_pmd3).unwrap_or(0)
    } else if name.starts_with("python") {
        // `python -m pymobiledevice3 ...` or `python /path/to/pymobiledevice3
        // ...`; a bare word elsewhere is an argument to something else
        // (`python -m pip install pymobiledevice3`).
        (1..args.len()).find(|&i| {
            is_pmd3(&args[i]) && (args[i - 1] == "-m" || args[i].contains(['/', '\\']))
        })?
    } else {
        return None;
    };
    // The subcommand words after the program: `backup2 backup ...`.
    let words: Vec<&str> = args
        .iter()
        .skip(at + 1)
        .filter(|a| !a.starts_with('-'))
        .copied()
        .collect();
    let backing_up = matches!(words.as_slice(), ["backup2", "backup" | "restore", ..]);
    Some((PYMOBILEDEVICE3, backing_up))
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
    fn pymobiledevice3_is_known_by_its_command_line() {
        let backup = [
            "/usr/bin/python3",
            "-m",
            "pymobiledevice3",
            "backup2",
            "backup",
            "--full",
            "/b",
        ];
        assert_eq!(
            known_by_command("python3", &backup),
            Some((PYMOBILEDEVICE3, true))
        );
        let script = [
            "/home/a/.local/bin/pymobiledevice3",
            "backup2",
            "restore",
            "/b",
        ];
        assert_eq!(
            known_by_command("pymobiledevice3", &script),
            Some((PYMOBILEDEVICE3, true))
        );
        let info = [
            "/usr/bin/python3",
            "/home/a/.local/bin/pymobiledevice3",
            "lockdown",
            "info",
        ];
        assert_eq!(
            known_by_command("Python", &info),
            Some((PYMOBILEDEVICE3, false))
        );
        let win = [
            "C:\\Py\\Scripts\\pymobiledevice3.exe",
            "backup2",
            "backup",
            "D:\\b",
        ];
        assert_eq!(
            known_by_command("pymobiledevice3.exe", &win),
            Some((PYMOBILEDEVICE3, true))
        );
        assert_eq!(
            known_by_command("python3", &["python3", "-m", "http.server"]),
            None
        );
        assert_eq!(known_by_command("bash", &["bash", "pymobiledevice3"]), None);
        let pip = ["python3", "-m", "pip", "install", "pymobiledevice3"];
        assert_eq!(known_by_command("python3", &pip), None);
        assert_eq!(known_tool("pymobiledevice3"), Some(PYMOBILEDEVICE3));
    }

    #[test]
    fn ignores_always_running_services_and_others() {
        assert_eq!(known_tool("AppleMobileDeviceService.exe"), None);
        assert_eq!(known_tool("usbmuxd"), None);
        assert_eq!(known_tool("bash"), None);
    }
}
