//! The Windows version from `RtlGetVersion`, which, unlike `GetVersionExW`,
//! is not capped at 6.2 for programs without a compatibility manifest.

use windows_sys::Wdk::System::SystemServices::RtlGetVersion;
use windows_sys::Win32::System::SystemInformation::OSVERSIONINFOW;

use crate::platform::windows::version_label;

/// What Windows reports about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OsVersion {
    pub major: u32,
    pub minor: u32,
    pub build: u32,
}

impl OsVersion {
    /// "10 (build 19045)", "11 (build 22631)": the marketing version first.
    pub fn label(self) -> String {
        version_label(self.major, self.minor, self.build)
    }

    /// "10.0.19045", the kernel's own numbering.
    pub fn kernel(self) -> String {
        format!("{}.{}.{}", self.major, self.minor, self.build)
    }
}

pub fn os_version() -> Option<OsVersion> {
    let mut info = OSVERSIONINFOW {
        dwOSVersionInfoSize: std::mem::size_of::<OSVERSIONINFOW>() as u32,
        ..Default::default()
    };
    // SAFETY: `info` is a valid OSVERSIONINFOW with its size field set, as
    // the call requires; it only writes into that struct.
    let status = unsafe { RtlGetVersion(&mut info) };
    if status != 0 {
        tracing::debug!(status, "RtlGetVersion failed");
        return None;
    }
    Some(OsVersion {
        major: info.dwMajorVersion,
        minor: info.dwMinorVersion,
        build: info.dwBuildNumber,
    })
}
