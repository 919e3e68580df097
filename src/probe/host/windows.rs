//! Windows only: Apple Mobile Device Service from the Service Control
//! Manager, and which Apple software is installed. Blocking, read-only.

use std::time::Instant;

use crate::platform::windows::MOBILE_DEVICE_SERVICE;
use crate::snapshot::{Outcome, WindowsHostObs};

pub fn probe() -> Outcome<WindowsHostObs> {
    let started = Instant::now();
    let mobile_device_service = crate::win32::query_service(MOBILE_DEVICE_SERVICE);
    let (apple_software, software_error) = crate::win32::apple_software();
    Outcome::Ok {
        duration_ms: started.elapsed().as_millis() as u64,
        value: WindowsHostObs {
            mobile_device_service,
            apple_software,
            software_error,
        },
    }
}
