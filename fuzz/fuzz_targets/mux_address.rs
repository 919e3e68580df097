//! `--usbmuxd ADDR` and `USBMUXD_SOCKET_ADDRESS`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(endpoint) = iphone_backup_check::platform::mux_address::parse_mux_address(s) {
            let _ = endpoint.display();
        }
    }
});
