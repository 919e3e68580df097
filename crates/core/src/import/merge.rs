//! Several files given to `--from` make one diagnosis: what each says about
//! a layer is put together, so an `ideviceinfo` dump and a usbmuxd log of the
//! same phone are judged as one snapshot.

use crate::snapshot::{
    same_udid, DeviceObs, LockdownObs, Outcome, ProvenanceKind, SessionObs, Snapshot,
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
            if !a.devices.contains(d) {
                a.devices.push(d.clone());
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
}
