//! A service's state and start type from the Service Control Manager, asked
//! with query rights only (any user has them for Apple's service).

use std::ffi::OsStr;

use windows_sys::Win32::Foundation::{
    GetLastError, ERROR_INVALID_HANDLE, ERROR_SERVICE_DOES_NOT_EXIST,
};
use windows_sys::Win32::System::Services::{
    CloseServiceHandle, OpenSCManagerW, OpenServiceW, QueryServiceConfigW, QueryServiceStatus,
    QUERY_SERVICE_CONFIGW, SC_HANDLE, SC_MANAGER_CONNECT, SERVICE_QUERY_CONFIG,
    SERVICE_QUERY_STATUS, SERVICE_STATUS,
};

use super::{last_error, wide};
use crate::platform::windows::{service_start_type, service_state};
use crate::snapshot::{ServiceObs, ServiceState};

/// The largest configuration the SCM returns (its documented limit).
const CONFIG_BUFFER_BYTES: usize = 8 * 1024;

/// Closes an SCM handle when dropped.
struct Handle(SC_HANDLE);

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle came from OpenSCManagerW / OpenServiceW, is not
        // null (checked on creation) and is closed once, here.
        unsafe {
            CloseServiceHandle(self.0);
        }
    }
}

/// The state of the service named `name` (its key name).
pub fn query_service(name: &str) -> ServiceObs {
    query_service_attempt(name, 0)
}

/// Wine's service manager can hand out a handle before its database is up
/// (OpenServiceW then fails with ERROR_INVALID_HANDLE): ask once more.
fn query_service_attempt(name: &str, attempt: u32) -> ServiceObs {
    let mut obs = ServiceObs {
        name: name.to_string(),
        ..Default::default()
    };
    let Some(name_w) = wide(OsStr::new(name)) else {
        obs.error = Some("the service name holds a NUL".into());
        return obs;
    };
    // SAFETY: null machine and database names mean this computer's active
    // database; SC_MANAGER_CONNECT asks for nothing more than a lookup.
    let scm = unsafe { OpenSCManagerW(std::ptr::null(), std::ptr::null(), SC_MANAGER_CONNECT) };
    if scm.is_null() {
        obs.error = Some(format!(
            "the Service Control Manager could not be opened: {}",
            last_error()
        ));
        return obs;
    }
    let scm = Handle(scm);
    // SAFETY: `scm.0` is an open SCM handle; `name_w` is NUL-terminated and
    // outlives the call; the rights asked are query-only.
    let svc = unsafe {
        OpenServiceW(
            scm.0,
            name_w.as_ptr(),
            SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG,
        )
    };
    if svc.is_null() {
        // SAFETY: reads the thread's last error, set by the failed call.
        let code = unsafe { GetLastError() };
        if code == ERROR_SERVICE_DOES_NOT_EXIST {
            obs.state = ServiceState::NotInstalled;
        } else if code == ERROR_INVALID_HANDLE && attempt == 0 {
            drop(scm);
            std::thread::sleep(std::time::Duration::from_millis(200));
            return query_service_attempt(name, 1);
        } else {
            obs.error = Some(std::io::Error::from_raw_os_error(code as i32).to_string());
        }
        return obs;
    }
    let svc = Handle(svc);
    let mut status = SERVICE_STATUS::default();
    // SAFETY: `svc.0` is open with SERVICE_QUERY_STATUS; `status` is a valid
    // SERVICE_STATUS the call fills.
    if unsafe { QueryServiceStatus(svc.0, &mut status) } != 0 {
        obs.state = service_state(status.dwCurrentState);
    } else {
        obs.error = Some(format!("its status could not be read: {}", last_error()));
    }
    // u64 elements: the buffer is aligned for the struct at its start.
    let mut buf = vec![0u64; CONFIG_BUFFER_BYTES / 8];
    let mut needed = 0u32;
    let config = buf.as_mut_ptr().cast::<QUERY_SERVICE_CONFIGW>();
    // SAFETY: `svc.0` is open with SERVICE_QUERY_CONFIG; `config` points to
    // CONFIG_BUFFER_BYTES writable, 8-aligned bytes, the size passed (the
    // SCM's maximum), so the struct and the strings it points to fit.
    let ok = unsafe { QueryServiceConfigW(svc.0, config, CONFIG_BUFFER_BYTES as u32, &mut needed) };
    if ok != 0 {
        // SAFETY: the call succeeded, so the buffer's start holds an
        // initialised QUERY_SERVICE_CONFIGW; only a u32 field is read.
        let start_type = unsafe { (*config).dwStartType };
        obs.start_type = service_start_type(start_type);
    } else {
        tracing::debug!(error = %last_error(), needed, "QueryServiceConfigW failed");
    }
    obs
}
