//! The usbmuxd reply parser (`read_reply`) over an in-memory stream: any
//! bytes a daemon (or something pretending to be one) might send, then the
//! ListDevices reader on whatever parses.
#![no_main]

use std::sync::OnceLock;

use iphone_backup_check::probe::transport::mux_client::read_reply;
use iphone_backup_check::probe::usbmuxd::parse_device_list;
use libfuzzer_sys::fuzz_target;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    runtime().block_on(async {
        let mut stream = data;
        // Two replies in a row, as the probe reads ListDevices then ReadBUID.
        if let Ok(reply) = read_reply(&mut stream, "ListDevices").await {
            let _ = parse_device_list(&reply);
            let _ = read_reply(&mut stream, "ReadBUID").await;
        }
    });
});
