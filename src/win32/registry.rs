//! Which Apple software is installed, from the registry, read-only: the
//! uninstall entries Apple's installers write (iTunes, Apple Mobile Device
//! Support), and the user's Microsoft Store packages (iTunes, Apple Devices),
//! whose key names carry their versions.

use std::ffi::OsStr;

use windows_sys::Win32::Foundation::{ERROR_MORE_DATA, ERROR_NO_MORE_ITEMS, ERROR_SUCCESS};
use windows_sys::Win32::System::Registry::{
    RegCloseKey, RegEnumKeyExW, RegGetValueW, RegOpenKeyExW, HKEY, HKEY_CURRENT_USER,
    HKEY_LOCAL_MACHINE, KEY_ENUMERATE_SUB_KEYS, KEY_QUERY_VALUE, KEY_WOW64_32KEY, KEY_WOW64_64KEY,
    REG_SAM_FLAGS, RRF_RT_REG_SZ,
};

use super::{from_wide, wide};
use crate::platform::windows::{product_from_uninstall_name, software_from_package};
use crate::snapshot::{AppSource, AppleSoftware};

const UNINSTALL: &str = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall";
const STORE_PACKAGES: &str = r"Software\Classes\Local Settings\Software\Microsoft\Windows\CurrentVersion\AppModel\Repository\Packages";
/// Enough for any real machine; a registry with more keys is not walked further.
const MAX_SUBKEYS: u32 = 20_000;
/// Key names are at most 255 characters.
const KEY_NAME_UNITS: usize = 256;
/// Display names and versions longer than this are not Apple's.
const VALUE_UNITS: usize = 512;

/// Closes a registry key when dropped.
struct Key(HKEY);

impl Key {
    fn open(root: HKEY, path: &str, view: REG_SAM_FLAGS) -> Result<Self, std::io::Error> {
        let path_w = wide(OsStr::new(path)).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "the key path holds a NUL")
        })?;
        let mut key: HKEY = std::ptr::null_mut();
        // SAFETY: `root` is a predefined key; `path_w` is NUL-terminated and
        // outlives the call; `key` is a valid out-pointer; read rights only.
        let rc = unsafe {
            RegOpenKeyExW(
                root,
                path_w.as_ptr(),
                0,
                KEY_ENUMERATE_SUB_KEYS | KEY_QUERY_VALUE | view,
                &mut key,
            )
        };
        if rc != ERROR_SUCCESS {
            return Err(std::io::Error::from_raw_os_error(rc as i32));
        }
        Ok(Self(key))
    }

    /// The names of the key's subkeys, at most MAX_SUBKEYS.
    fn subkeys(&self) -> Vec<String> {
        let mut names = Vec::new();
        let mut buf = [0u16; KEY_NAME_UNITS];
        for index in 0..MAX_SUBKEYS {
            let mut len = buf.len() as u32;
            // SAFETY: `self.0` is an open key with KEY_ENUMERATE_SUB_KEYS;
            // `buf` is writable for `len` units; the optional class and time
            // pointers are null, as allowed.
            let rc = unsafe {
                RegEnumKeyExW(
                    self.0,
                    index,
                    buf.as_mut_ptr(),
                    &mut len,
                    std::ptr::null(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
            };
            match rc {
                ERROR_SUCCESS => {
                    let len = (len as usize).min(buf.len());
                    names.push(String::from_utf16_lossy(&buf[..len]));
                }
                // A name longer than any real one: skip it.
                ERROR_MORE_DATA => continue,
                ERROR_NO_MORE_ITEMS => break,
                _ => break,
            }
        }
        names
    }

    /// A string value of a subkey, None when absent or not a string.
    fn string(&self, subkey: &str, value: &str) -> Option<String> {
        let subkey_w = wide(OsStr::new(subkey))?;
        let value_w = wide(OsStr::new(value))?;
        let mut buf = [0u16; VALUE_UNITS];
        let mut bytes = std::mem::size_of_val(&buf) as u32;
        // SAFETY: `self.0` is an open key with KEY_QUERY_VALUE; both names are
        // NUL-terminated; `buf` is writable for `bytes` bytes; RRF_RT_REG_SZ
        // makes the call NUL-terminate what it writes, or fail.
        let rc = unsafe {
            RegGetValueW(
                self.0,
                subkey_w.as_ptr(),
                value_w.as_ptr(),
                RRF_RT_REG_SZ,
                std::ptr::null_mut(),
                buf.as_mut_ptr().cast(),
                &mut bytes,
            )
        };
        (rc == ERROR_SUCCESS)
            .then(|| from_wide(&buf))
            .filter(|s| !s.is_empty())
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: the key was opened by RegOpenKeyExW and is closed once, here.
        unsafe {
            RegCloseKey(self.0);
        }
    }
}

/// iTunes, Apple Devices and Apple Mobile Device Support as installed, or
/// why the registry could not be read at all.
pub fn apple_software() -> (Vec<AppleSoftware>, Option<String>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for view in [KEY_WOW64_64KEY, KEY_WOW64_32KEY] {
        match Key::open(HKEY_LOCAL_MACHINE, UNINSTALL, view) {
            Ok(key) => {
                for sub in key.subkeys() {
                    let Some(product) = key
                        .string(&sub, "DisplayName")
                        .and_then(|n| product_from_uninstall_name(&n))
                    else {
                        continue;
                    };
                    found.push(AppleSoftware {
                        product,
                        source: AppSource::AppleInstaller,
                        version: key.string(&sub, "DisplayVersion"),
                    });
                }
            }
            Err(e) => errors.push(format!("{UNINSTALL}: {e}")),
        }
    }
    // No packages key at all is normal on a machine without Store apps.
    if let Ok(key) = Key::open(HKEY_CURRENT_USER, STORE_PACKAGES, 0) {
        found.extend(
            key.subkeys()
                .iter()
                .filter_map(|n| software_from_package(n)),
        );
    }
    found.sort_by(|a, b| (a.product, a.source, &a.version).cmp(&(b.product, b.source, &b.version)));
    found.dedup();
    // Both views failing means the registry could not be read: say so.
    let error = (errors.len() == 2).then(|| errors.join("; "));
    (found, error)
}
