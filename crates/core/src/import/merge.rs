//! Several files given to `--from` make one diagnosis: what each says about
//! a layer is put together, so an `ideviceinfo` dump and a usbmuxd log of the
//! same phone are judged as one snapshot.

use crate::snapshot::{
    same_udid, DeviceObs, LockdownObs, Outcome, ProvenanceKind, SessionObs, Snapshot, UsbAccess,
    UsbDevice,
};

use super::UNNAMED_PHONE;

/// All of `parts` in one snapshot; `None` when there are none. Where two
/// parts saw the same layer, the first that looked at it wins, except for
/// lists (USB devices, phones, reported errors), which are joined.
pub fn merge(parts: Vec<Snapshot>) -> Option<Snapshot> {
    let mut parts = parts.into_iter();
    let mut into = parts.next()?;
    for part in parts {
        merge_one(&mut into, part);
    }
    Some(into)
}

fn merge_one(into: &mut Snapshot, part: Snapshot) {
    let p = &mut into.provenance;
    if part.provenance.kind == ProvenanceKind::Imported {
        p.kind = ProvenanceKind::Imported;
    }
    p.source = join(p.source.take(), part.provenance.source);
    p.notes = join(p.notes.take(), part.provenance.notes);
    p.redacted &= part.provenance.redacted;
    into.captured_at = into.captured_at.take().or(part.captured_at);
    into.interrupted |= part.interrupted;

    let probes = &mut into.probes;
    let theirs = part.probes;
    if let (Some(a), Some(b)) = (probes.usb.value_mut(), theirs.usb.value()) {
        for d in &b.devices {
            match a.devices.iter_mut().find(|x| same_usb_device(x, d)) {
                Some(x) => fill_usb_device(x, d),
                None => a.devices.push(d.clone()),
            }
        }
    } else {
        first_seen(&mut probes.usb, theirs.usb);
    }
    if let (Some(a), Some(b)) = (probes.usbmuxd.value_mut(), theirs.usbmuxd.value()) {
        for d in &b.devices {
            if !a.devices.iter().any(|x| same_udid(&x.udid, &d.udid)) {
                a.devices.push(d.clone());
            }
        }
    } else {
        first_seen(&mut probes.usbmuxd, theirs.usbmuxd);
    }
    probes.usbmuxd_address = probes.usbmuxd_address.take().or(theirs.usbmuxd_address);
    first_seen(&mut probes.host, theirs.host);
    first_seen(&mut probes.backups, theirs.backups);
    first_seen(&mut probes.mux_events, theirs.mux_events);
    match (&mut probes.windows, theirs.windows) {
        (Some(a), Some(b)) => first_seen(a, b),
        (a @ None, b) => *a = b,
        _ => {}
    }
    for device in theirs.devices {
        merge_device(&mut probes.devices, device);
    }
    probes.reported_errors.extend(theirs.reported_errors);
}

/// A phone already seen (same UDID) gains what it lacked. A phone a capture
/// could not name is taken to be the only phone the other files name, when
/// they name exactly one; otherwise it stays a phone of its own.
fn merge_device(devices: &mut Vec<DeviceObs>, device: DeviceObs) {
    let unnamed = |d: &DeviceObs| d.udid == UNNAMED_PHONE;
    let same = devices
        .iter()
        .position(|d| same_udid(&d.udid, &device.udid));
    let target = same.or_else(|| {
        let named: Vec<usize> = (0..devices.len())
            .filter(|&i| !unnamed(&devices[i]))
            .collect();
        let unnamed_here: Vec<usize> = (0..devices.len())
            .filter(|&i| unnamed(&devices[i]))
            .collect();
        match (unnamed(&device), named.as_slice(), unnamed_here.as_slice()) {
            (true, [only], _) => Some(*only),
            (false, [], [only]) => Some(*only),
            _ => None,
        }
    });
    let Some(i) = target else {
        devices.push(device);
        return;
    };
    let d = &mut devices[i];
    if unnamed(d) {
        d.udid = device.udid;
    }
    d.device_id = d.device_id.or(device.device_id);
    d.connection = d.connection.take().or(device.connection);
    first_seen(&mut d.pairing, device.pairing);
    match (d.lockdown.value_mut(), device.lockdown.value()) {
        (Some(a), Some(b)) => fill_lockdown(a, b),
        _ => first_seen(&mut d.lockdown, device.lockdown),
    }
    first_seen(&mut d.backup_service, device.backup_service);
    first_seen(&mut d.presence, device.presence);
}

/// Two files' view of one phone on the bus (a kernel log and usbmuxd's log
/// of the same plug): the same UDID, or the same ids at the same bus address.
fn same_usb_device(a: &UsbDevice, b: &UsbDevice) -> bool {
    match (&a.udid, &b.udid) {
        (Some(x), Some(y)) => same_udid(x, y),
        _ => {
            a.address != 0
                && (a.bus, a.address, a.vendor_id, a.product_id)
                    == (b.bus, b.address, b.vendor_id, b.product_id)
        }
    }
}

/// What the first file did not say about a device, from the second.
fn fill_usb_device(a: &mut UsbDevice, b: &UsbDevice) {
    a.speed = a.speed.or(b.speed);
    a.max_speed = a.max_speed.or(b.max_speed);
    a.usb_version = a.usb_version.or(b.usb_version);
    a.device_version = a.device_version.or(b.device_version);
    if a.udid.is_none() {
        a.udid.clone_from(&b.udid);
        a.serial.clone_from(&b.serial);
    }
    if a.port_chain.is_empty() {
        a.port_chain.clone_from(&b.port_chain);
    }
    if a.access == UsbAccess::NotTried {
        a.access = b.access.clone();
    }
}

/// Two captures of one phone's lockdownd (an `ideviceinfo -s` dump and an
/// `idevicebackup2` run that started the backup service): the first file's
/// values stay, what it lacked comes from the second, and a session either
/// file saw counts.
fn fill_lockdown(a: &mut LockdownObs, b: &LockdownObs) {
    let or = |x: &mut Option<String>, y: &Option<String>| {
        if x.is_none() {
            x.clone_from(y);
        }
    };
    or(&mut a.product_type, &b.product_type);
    or(&mut a.product_version, &b.product_version);
    or(&mut a.build_version, &b.build_version);
    or(&mut a.device_class, &b.device_class);
    or(&mut a.device_name, &b.device_name);
    or(&mut a.activation_state, &b.activation_state);
    a.password_protected = a.password_protected.or(b.password_protected);
    if a.backup.is_none() {
        a.backup.clone_from(&b.backup);
    }
    if a.session == SessionObs::NotAttempted {
        a.session = b.session.clone();
    }
}

/// Keeps `a` unless it did not look (`Skipped`) and `b` did.
fn first_seen<T>(a: &mut Outcome<T>, b: Outcome<T>) {
    if matches!(a, Outcome::Skipped { .. }) && !matches!(b, Outcome::Skipped { .. }) {
        *a = b;
    }
}

fn join(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) if a != b => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{import, Capture};

    #[test]
    fn an_unnamed_phone_joins_the_one_phone_another_file_names() {
        let info = import(&Capture::new(
            "info.txt",
            b"ProductType: iPhone9,1\nProductVersion: 13.3.1\nUniqueDeviceID: ***\n",
        ))
        .unwrap();
        let named = import(&Capture::new(
            "named.txt",
            b"ProductType: iPhone9,1\nBuildVersion: 17D50\nUniqueDeviceID: 00008101-000A\n",
        ))
        .unwrap();
        let s = merge(vec![info, named]).unwrap();
        assert_eq!(s.probes.devices.len(), 1, "{:?}", s.probes.devices);
        let d = &s.probes.devices[0];
        assert_eq!(d.udid, "00008101-000A");
        let l = d.lockdown().unwrap();
        assert_eq!(
            l.product_version.as_deref(),
            Some("13.3.1"),
            "first file's values kept"
        );
        assert_eq!(s.provenance.kind, ProvenanceKind::Imported);
        assert!(s
            .provenance
            .source
            .as_deref()
            .unwrap()
            .contains("named.txt"));
        assert!(merge(Vec::new()).is_none());
    }

    #[test]
    fn a_kernel_log_and_a_usbmuxd_log_of_one_plug_make_one_usb_device() {
        let dmesg = import(&Capture::new(
            "dmesg.txt",
            b"usb 1-24: new high-speed USB device number 24 using xhci_hcd\nusb 1-24: New USB device found, idVendor=05ac, idProduct=12a8\n",
        ))
        .unwrap();
        let log = import(&Capture::new(
            "usbmuxd.log",
            b"[17:12:05.080][4] Found new device with v/p 05ac:12a8 at 1-24\n[17:12:05.089][4] Got serial '6c5c7bacb9bc97243d007486b6cb37dfd836909c' for device 1-24\n",
        ))
        .unwrap();
        let s = merge(vec![dmesg, log]).unwrap();
        let devices = &s.probes.usb.value().unwrap().devices;
        assert_eq!(devices.len(), 1, "{devices:?}");
        assert_eq!(
            devices[0].udid.as_deref(),
            Some("6c5c7bacb9bc97243d007486b6cb37dfd836909c")
        );
        assert_eq!(devices[0].speed, Some(crate::snapshot::UsbSpeed::High));
    }
}
