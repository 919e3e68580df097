//! lockdownd's framing (4-byte big-endian length + plist) over an in-memory
//! stream: any bytes a phone (or something pretending to be one) might send,
//! read as three answers in a row.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use iphone_backup_check::probe::lockdown::framing::PlistStream;
use iphone_backup_check::probe::Deadline;
use libfuzzer_sys::fuzz_target;
use tokio::io::AsyncWriteExt;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    runtime().block_on(async {
        let (client, mut server) = tokio::io::duplex(data.len() + 1);
        let _ = server.write_all(data).await;
        drop(server); // the phone hangs up after its bytes
        let mut stream = PlistStream::new(Box::new(client));
        let deadline = Deadline::after(Duration::from_secs(5));
        for what in ["QueryType", "GetValue", "StartSession"] {
            if stream.recv(what, deadline).await.is_err() {
                break;
            }
        }
    });
});
