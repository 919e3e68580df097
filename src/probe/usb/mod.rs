//! The USB probe: Apple devices on the bus, through an explicit libusb
//! context (the global-context helpers panic where libusb cannot start).

use std::time::Instant;

use crate::snapshot::{Failure, FailureKind, Outcome, UsbDevice, UsbObs};

const APPLE_VENDOR_ID: u16 = 0x05ac;

/// Enumerates Apple devices. Blocking; run it on a blocking thread.
pub fn probe() -> Outcome<UsbObs> {
    let started = Instant::now();
    let result = scan();
    let duration_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(value) => Outcome::Ok { duration_ms, value },
        Err(failure) => Outcome::Failed {
            duration_ms,
            failure,
        },
    }
}

fn scan() -> Result<UsbObs, Failure> {
    use rusb::UsbContext;
    let ctx = rusb::Context::new()
        .map_err(|e| Failure::new(kind_of(&e), format!("libusb could not start: {e}")))?;
    let list = ctx
        .devices()
        .map_err(|e| Failure::new(kind_of(&e), format!("libusb could not list devices: {e}")))?;
    let mut devices = Vec::new();
    for dev in list.iter() {
        let Ok(desc) = dev.device_descriptor() else {
            continue;
        };
        if desc.vendor_id() != APPLE_VENDOR_ID {
            continue;
        }
        devices.push(UsbDevice {
            bus: dev.bus_number(),
            address: dev.address(),
            port_chain: dev.port_numbers().unwrap_or_default(),
            vendor_id: desc.vendor_id(),
            product_id: desc.product_id(),
            speed_mbps: speed_mbps(dev.speed()),
            serial: None,
        });
    }
    Ok(UsbObs { devices })
}

fn kind_of(e: &rusb::Error) -> FailureKind {
    match e {
        rusb::Error::Access => FailureKind::AccessDenied,
        rusb::Error::NotFound
        | rusb::Error::NotSupported
        | rusb::Error::NoDevice
        | rusb::Error::Other => FailureKind::Unavailable,
        rusb::Error::Timeout => FailureKind::TimedOut,
        _ => FailureKind::Io,
    }
}

fn speed_mbps(s: rusb::Speed) -> Option<u32> {
    match s {
        rusb::Speed::Low => Some(1),
        rusb::Speed::Full => Some(12),
        rusb::Speed::High => Some(480),
        rusb::Speed::Super => Some(5000),
        rusb::Speed::SuperPlus => Some(10000),
        _ => None,
    }
}
