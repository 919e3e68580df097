//! USB hotplug through libusb, where it works: an explicit `Context` first
//! (the global-context helpers panic where libusb cannot start, as in
//! containers), then `has_hotplug`. Anything short of that is a notice, and
//! `watch` follows usbmuxd alone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusb::UsbContext;
use tokio::sync::mpsc;

use crate::snapshot::APPLE_VENDOR_ID;
use crate::watch::UsbNotice;

/// Keeps the event thread running; dropping it stops the thread.
pub struct Hotplug {
    stop: Arc<AtomicBool>,
}

impl Drop for Hotplug {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

struct Callback {
    tx: mpsc::UnboundedSender<UsbNotice>,
}

fn notice(device: &rusb::Device<rusb::Context>, arrived: bool) -> UsbNotice {
    UsbNotice {
        arrived,
        bus: device.bus_number(),
        address: device.address(),
        product_id: device.device_descriptor().ok().map(|d| d.product_id()),
    }
}

impl rusb::Hotplug<rusb::Context> for Callback {
    fn device_arrived(&mut self, device: rusb::Device<rusb::Context>) {
        let _ = self.tx.send(notice(&device, true));
    }
    fn device_left(&mut self, device: rusb::Device<rusb::Context>) {
        let _ = self.tx.send(notice(&device, false));
    }
}

/// Starts following USB hotplug for Apple devices, or says why it cannot.
pub fn start(tx: mpsc::UnboundedSender<UsbNotice>) -> Result<Hotplug, String> {
    let ctx = rusb::Context::new().map_err(|e| format!("libusb could not start ({e})"))?;
    // Safe to ask now that a context could start; a panic would still only be a notice.
    let has = std::panic::catch_unwind(rusb::has_hotplug).unwrap_or(false);
    if !has {
        return Err("this libusb has no hotplug support".into());
    }
    let registration = rusb::HotplugBuilder::new()
        .vendor_id(APPLE_VENDOR_ID)
        .enumerate(false)
        .register(&ctx, Box::new(Callback { tx }))
        .map_err(|e| format!("libusb refused the hotplug registration ({e})"))?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::Builder::new()
        .name("usb-hotplug".into())
        .spawn(move || {
            let _registration = registration;
            while !flag.load(Ordering::SeqCst) {
                if ctx.handle_events(Some(Duration::from_millis(500))).is_err() {
                    std::thread::sleep(Duration::from_millis(500));
                }
            }
        })
        .map_err(|e| format!("cannot start the hotplug thread ({e})"))?;
    Ok(Hotplug { stop })
}
