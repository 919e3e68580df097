//! Windows facts as pure functions of what the Windows APIs return, so the
//! naming and parsing is tested on any machine. The binary crate's `win32`
//! module makes the calls (`RtlGetVersion`, the Service Control Manager, the
//! registry) and hands the raw answers in here.

use crate::snapshot::{AppSource, AppleProduct, AppleSoftware, ServiceStartType, ServiceState};

/// The name of the service that is usbmuxd on Windows (iTunes and the Apple
/// Devices app install it; it listens on 127.0.0.1:27015).
pub const MOBILE_DEVICE_SERVICE: &str = "Apple Mobile Device Service";

/// The first build of Windows 11. Windows 11 still reports major version 10.
pub const WINDOWS_11_FIRST_BUILD: u32 = 22000;

/// The version part of "Windows 10 (build 19045)": the marketing version
/// first (what `host.os-outdated` compares), then the build.
///
/// `major`/`minor` come from `RtlGetVersion` (10.0 for Windows 10 and 11);
/// when they are unknown (0) the build alone decides, as it does for older
/// registries that lack `CurrentMajorVersionNumber`.
pub fn version_label(major: u32, minor: u32, build: u32) -> String {
    let name = marketing_version(major, minor, build);
    if build == 0 {
        name
    } else {
        format!("{name} (build {build})")
    }
}

/// "11", "10", "8.1", "8", "7", "Vista", or "major.minor" for anything else.
pub fn marketing_version(major: u32, minor: u32, build: u32) -> String {
    let by_build = || match build {
        b if b >= WINDOWS_11_FIRST_BUILD => Some("11"),
        b if b >= 10240 => Some("10"),
        b if b >= 9600 => Some("8.1"),
        b if b >= 9200 => Some("8"),
        b if b >= 7600 => Some("7"),
        b if b >= 6000 => Some("Vista"),
        _ => None,
    };
    let known = match (major, minor) {
        (10, 0) if build >= WINDOWS_11_FIRST_BUILD => Some("11"),
        (10, 0) => Some("10"),
        (6, 3) => Some("8.1"),
        (6, 2) => Some("8"),
        (6, 1) => Some("7"),
        (6, 0) => Some("Vista"),
        (0, _) => by_build(),
        _ => None,
    };
    match known {
        Some(n) => n.to_string(),
        None if major == 0 => "unknown version".to_string(),
        None => format!("{major}.{minor}"),
    }
}

/// A path as people write it: `\\?\C:\x` becomes `C:\x` and
/// `\\?\UNC\server\share` becomes `\\server\share`. `std::fs::canonicalize`
/// returns the verbatim form on Windows.
pub fn strip_verbatim(path: &str) -> String {
    if let Some(rest) = path.strip_prefix(r"\\?\UNC\") {
        return format!(r"\\{rest}");
    }
    match path.strip_prefix(r"\\?\") {
        // Only a drive path loses its prefix: `\\?\Volume{…}\` has no other form.
        Some(rest) if rest.as_bytes().get(1) == Some(&b':') => rest.to_string(),
        _ => path.to_string(),
    }
}

/// `dwCurrentState` of a `SERVICE_STATUS`.
pub fn service_state(current_state: u32) -> ServiceState {
    match current_state {
        1 => ServiceState::Stopped,
        2 => ServiceState::StartPending,
        3 => ServiceState::StopPending,
        4 => ServiceState::Running,
        5 => ServiceState::ContinuePending,
        6 => ServiceState::PausePending,
        7 => ServiceState::Paused,
        _ => ServiceState::Unknown,
    }
}

/// `dwStartType` of a `QUERY_SERVICE_CONFIGW`.
pub fn service_start_type(start_type: u32) -> Option<ServiceStartType> {
    Some(match start_type {
        0 => ServiceStartType::Boot,
        1 => ServiceStartType::System,
        2 => ServiceStartType::Automatic,
        3 => ServiceStartType::Manual,
        4 => ServiceStartType::Disabled,
        _ => return None,
    })
}

/// An entry of `…\CurrentVersion\Uninstall` (the Apple installers'), by its
/// `DisplayName`.
pub fn product_from_uninstall_name(display_name: &str) -> Option<AppleProduct> {
    let name = display_name.trim();
    if name.eq_ignore_ascii_case("iTunes") {
        Some(AppleProduct::Itunes)
    } else if name.eq_ignore_ascii_case("Apple Mobile Device Support") {
        Some(AppleProduct::MobileDeviceSupport)
    } else {
        None
    }
}

/// The parts of a package full name, `Name_Version_Arch_ResourceId_PublisherId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFullName<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub arch: &'a str,
    pub publisher_id: &'a str,
}

/// Splits a package full name, the key names under the per-user AppModel
/// repository (`AppleInc.iTunes_12131.4.46001.0_x64__nzyj5cx40ttqa`).
pub fn parse_package_full_name(full: &str) -> Option<PackageFullName<'_>> {
    let mut parts = full.split('_');
    let name = parts.next().filter(|s| !s.is_empty())?;
    let version = parts.next().filter(|s| is_package_version(s))?;
    let arch = parts.next()?;
    let _resource_id = parts.next()?;
    let publisher_id = parts.next().filter(|s| !s.is_empty())?;
    if parts.next().is_some() {
        return None;
    }
    Some(PackageFullName {
        name,
        version,
        arch,
        publisher_id,
    })
}

fn is_package_version(s: &str) -> bool {
    let fields: Vec<&str> = s.split('.').collect();
    fields.len() == 4
        && fields
            .iter()
            .all(|f| !f.is_empty() && f.len() <= 5 && f.bytes().all(|b| b.is_ascii_digit()))
}

/// Apple's Microsoft Store publisher id (`CN=…` of Apple Inc., hashed).
pub const APPLE_STORE_PUBLISHER_ID: &str = "nzyj5cx40ttqa";

/// An Apple app from the Microsoft Store, from its package full name.
pub fn software_from_package(full: &str) -> Option<AppleSoftware> {
    let p = parse_package_full_name(full)?;
    if !p
        .publisher_id
        .eq_ignore_ascii_case(APPLE_STORE_PUBLISHER_ID)
    {
        return None;
    }
    let product = match p.name {
        n if n.eq_ignore_ascii_case("AppleInc.iTunes") => AppleProduct::Itunes,
        n if n.eq_ignore_ascii_case("AppleInc.AppleDevices") => AppleProduct::AppleDevices,
        _ => return None,
    };
    Some(AppleSoftware {
        product,
        source: AppSource::MicrosoftStore,
        version: Some(p.version.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_windows_by_version_and_build() {
        assert_eq!(version_label(10, 0, 19045), "10 (build 19045)");
        assert_eq!(version_label(10, 0, 22631), "11 (build 22631)");
        assert_eq!(version_label(10, 0, 22000), "11 (build 22000)");
        assert_eq!(version_label(10, 0, 21999), "10 (build 21999)");
        assert_eq!(version_label(6, 1, 7601), "7 (build 7601)");
        assert_eq!(version_label(6, 3, 9600), "8.1 (build 9600)");
        assert_eq!(version_label(6, 2, 9200), "8 (build 9200)");
        assert_eq!(version_label(6, 0, 6002), "Vista (build 6002)");
    }

    #[test]
    fn an_unknown_major_version_is_named_from_the_build_not_windows_0() {
        // What sysinfo printed under Wine's default Windows 7 ("Windows 0 (7601)").
        assert_eq!(version_label(0, 0, 7601), "7 (build 7601)");
        assert_eq!(version_label(0, 0, 19045), "10 (build 19045)");
        assert_eq!(version_label(0, 0, 26100), "11 (build 26100)");
        assert_eq!(version_label(0, 0, 0), "unknown version");
        assert_eq!(version_label(5, 1, 2600), "5.1 (build 2600)");
    }

    #[test]
    fn the_marketing_version_comes_first_for_the_os_outdated_comparison() {
        let label = version_label(10, 0, 22631);
        assert_eq!(label.split_whitespace().next(), Some("11"));
    }

    #[test]
    fn verbatim_prefixes_are_removed_for_people() {
        assert_eq!(
            strip_verbatim(r"\\?\C:\Users\ann\Apple\MobileSync\Backup"),
            r"C:\Users\ann\Apple\MobileSync\Backup"
        );
        assert_eq!(
            strip_verbatim(r"\\?\UNC\nas\share\Backup"),
            r"\\nas\share\Backup"
        );
        assert_eq!(strip_verbatim(r"C:\x"), r"C:\x");
        assert_eq!(strip_verbatim(r"\\?\Volume{1234}\"), r"\\?\Volume{1234}\");
        assert_eq!(strip_verbatim(r"\\?\"), r"\\?\");
        assert_eq!(strip_verbatim(""), "");
    }

    #[test]
    fn service_codes_map_to_states() {
        assert_eq!(service_state(1), ServiceState::Stopped);
        assert_eq!(service_state(4), ServiceState::Running);
        assert_eq!(service_state(99), ServiceState::Unknown);
        assert_eq!(service_start_type(4), Some(ServiceStartType::Disabled));
        assert_eq!(service_start_type(2), Some(ServiceStartType::Automatic));
        assert_eq!(service_start_type(3), Some(ServiceStartType::Manual));
        assert_eq!(service_start_type(9), None);
    }

    #[test]
    fn uninstall_entries_of_apple_installers() {
        assert_eq!(
            product_from_uninstall_name("iTunes"),
            Some(AppleProduct::Itunes)
        );
        assert_eq!(
            product_from_uninstall_name(" Apple Mobile Device Support "),
            Some(AppleProduct::MobileDeviceSupport)
        );
        assert_eq!(product_from_uninstall_name("Apple Software Update"), None);
        assert_eq!(product_from_uninstall_name("iTunes Helper"), None);
    }

    #[test]
    fn store_packages_of_apple() {
        let s =
            software_from_package("AppleInc.iTunes_12131.4.46001.0_x64__nzyj5cx40ttqa").unwrap();
        assert_eq!(s.product, AppleProduct::Itunes);
        assert_eq!(s.source, AppSource::MicrosoftStore);
        assert_eq!(s.version.as_deref(), Some("12131.4.46001.0"));
        let d =
            software_from_package("AppleInc.AppleDevices_1.2405.9.0_x64__nzyj5cx40ttqa").unwrap();
        assert_eq!(d.product, AppleProduct::AppleDevices);
        // Another publisher using Apple's package name is not Apple's app.
        assert!(software_from_package("AppleInc.iTunes_1.0.0.0_x64__abcdefghijklm").is_none());
        assert!(
            software_from_package("Microsoft.WindowsStore_22405.1401.0.0_x64__8wekyb3d8bbwe")
                .is_none()
        );
    }

    #[test]
    fn malformed_package_names_are_rejected_not_misread() {
        for bad in [
            "",
            "AppleInc.iTunes",
            "AppleInc.iTunes_1.0_x64__nzyj5cx40ttqa",
            "AppleInc.iTunes_a.b.c.d_x64__nzyj5cx40ttqa",
            "AppleInc.iTunes_1.0.0.0_x64__",
            "AppleInc.iTunes_1.0.0.0_x64__nzyj5cx40ttqa_extra",
            "_1.0.0.0_x64__nzyj5cx40ttqa",
            "AppleInc.iTunes_999999.0.0.0_x64__nzyj5cx40ttqa",
        ] {
            assert!(parse_package_full_name(bad).is_none(), "{bad}");
        }
        let p = parse_package_full_name("A_1.2.3.4_neutral_~_pub").unwrap();
        assert_eq!((p.name, p.arch, p.publisher_id), ("A", "neutral", "pub"));
    }
}
