//! The usbmuxd reply parser (`read_reply`) over an in-memory stream: any
//! bytes a daemon (or something pretending to be one) might send.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut stream = data;
        // Two replies in a row, as a client reading a second answer would.
        if let Ok(reply) =
            iphone_backup_check::probe::usbmuxd::connection::read_reply(&mut stream, "ListDevices")
                .await
        {
            let _ = iphone_backup_check::probe::usbmuxd::parse_device_list(&reply);
            let _ = iphone_backup_check::probe::usbmuxd::connection::read_reply(
                &mut stream,
                "ReadBUID",
            )
            .await;
        }
    });
});
