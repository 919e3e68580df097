//! USB hotplug through libusb, where it works: an explicit `Context` first
//! (the global-context helpers panic where libusb cannot start, as in
//! containers), then `has_hotplug`. Anything short of that is a notice, and
//! `watch` follows usbmuxd alone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusb::UsbContext;
use serde_json::{json, Value};
use tokio::sync::mpsc;

const APPLE_VENDOR_ID: u16 = 0x05ac;

/// One hotplug notice: arrived (true) or left, and what libusb said about it.
pub type UsbEvent = (bool, Value);

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
    tx: mpsc::UnboundedSender<UsbEvent>,
}

fn describe(device: &rusb::Device<rusb::Context>) -> Value {
    let desc = device.device_descriptor().ok();
    let product_id = desc.as_ref().map(|d| d.product_id());
    let mode = match product_id {
        Some(0x1290..=0x12af) => "normal",
        Some(0x1280..=0x1283) => "recovery",
        Some(0x1227) => "dfu",
        Some(0x1222) => "wtf",
        _ => "other",
    };
    json!({
        "bus": device.bus_number(),
        "address": device.address(),
        "product_id": product_id,
        "mode": mode,
        "description": format!(
            "bus {} address {}, product {}, {mode} mode",
            device.bus_number(),
            device.address(),
            product_id.map(|p| format!("0x{p:04x}")).unwrap_or_else(|| "?".into())
        ),
    })
}

impl rusb::Hotplug<rusb::Context> for Callback {
    fn device_arrived(&mut self, device: rusb::Device<rusb::Context>) {
        let _ = self.tx.send((true, describe(&device)));
    }
    fn device_left(&mut self, device: rusb::Device<rusb::Context>) {
        let _ = self.tx.send((false, describe(&device)));
    }
}

/// Starts following USB hotplug for Apple devices, or says why it cannot.
pub fn start(tx: mpsc::UnboundedSender<UsbEvent>) -> Result<Hotplug, String> {
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
