use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// usbmuxd lists the phone as a Network device and not over USB: it is
    /// reachable through "Show this iPhone when on Wi-Fi" (Wi-Fi sync) only.
    ///
    /// ## Why the backup fails
    /// Wi-Fi backups are slow and are dropped when the phone or computer
    /// sleeps, changes network, or the phone locks; a first backup over
    /// Wi-Fi often never finishes. If a cable is plugged in, the phone not
    /// showing up over USB points at the cable, port or USB layer.
    ///
    /// ## Evidence used
    /// ConnectionType of each usbmuxd device entry for the phone.
    pub static RULE = {
        id: "usbmuxd.wifi-only",
        title: "The iPhone is reachable over Wi-Fi only",
        layer: Layer::Usbmuxd,
        severity: Severity::Warning,
        steps: &[
            Fix::any("Connect the iPhone with a USB cable (ideally the one that came with it) directly to the computer, and unlock it."),
            Fix::any("If it is already plugged in, try another cable and port: a charge-only cable carries no data."),
        ],
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    let listed = s.mux_devices();
    let mut seen: Vec<&str> = Vec::new();
    for d in listed {
        if seen.contains(&d.udid.as_str()) {
            continue;
        }
        seen.push(&d.udid);
        let entries: Vec<&MuxDevice> = listed
            .iter()
            .filter(|e| same_udid(&e.udid, &d.udid))
            .collect();
        if entries
            .iter()
            .any(|e| e.connection != MuxConnection::Network)
        {
            continue;
        }
        out.push(Finding::new(&RULE).device(&d.udid).evidence(format!(
            "usbmuxd lists it with ConnectionType Network only (DeviceID {})",
            d.device_id
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn net(udid: &str, id: u32) -> MuxDevice {
        MuxDevice {
            connection: MuxConnection::Network,
            product_id: None,
            location_id: None,
            connection_speed: None,
            ..usb_phone(udid, id)
        }
    }

    #[test]
    fn fires_for_network_only_phones() {
        let s = world().mux_ok(vec![net("A", 4), usb_phone("B", 5)]).build();
        let f = only(&s, &RULE);
        assert_eq!(f.device.as_deref(), Some("A"));
    }

    #[test]
    fn silent_when_also_on_usb() {
        let s = world().mux_ok(vec![net("A", 4), usb_phone("A", 5)]).build();
        assert!(fired(&s, &RULE).is_empty());
        assert!(fired(&world().phone().build(), &RULE).is_empty());
    }
}
