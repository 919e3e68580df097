use std::collections::{HashMap, HashSet};

use crate::rules::prelude::*;
use crate::snapshot::udid_key;

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
    /// A phone that has not been on a cable for about a month stops
    /// accepting Wi-Fi backups until it is connected by USB once: iMazing
    /// reports this as "no contact for more than 30 days, pairing expired"
    /// (<https://imazing.com/guides/backup-automatic-backups-have-stopped-working>).
    ///
    /// ## Evidence used
    /// ConnectionType of each usbmuxd device entry for the phone; its
    /// `LastiTunesBackupDate` (the last computer backup, the closest date
    /// the phone gives to its last contact with a computer) against when this check ran.
    ///
    /// ## Known limitations
    /// The phone does not say when it last saw a cable; that the pairing
    /// expired after 30 days is an inference from the last computer backup.
    pub static RULE = {
        id: RuleId::UsbmuxdWifiOnly,
        title: "The iPhone is reachable over Wi-Fi only",
        variants: &[PAIRING_EXPIRED],
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

const PAIRING_EXPIRED: Title = Title {
    when: "seen over Wi-Fi only, and the last computer backup is more than 30 days old",
    text: "The iPhone's Wi-Fi sync has probably expired: connect it by cable once",
};
const EXPIRY_DAYS: i64 = 30;

fn check(s: &Snapshot, out: &mut Findings) {
    let listed = s.mux_devices();
    // Whether each phone (any spelling) is listed other than over the
    // network: one pass, for a daemon listing thousands (issue 30).
    let mut cabled: HashMap<String, bool> = HashMap::new();
    for e in listed {
        *cabled.entry(udid_key(&e.udid)).or_default() |= e.connection != MuxConnection::Network;
    }
    let mut seen: HashSet<&str> = HashSet::new();
    for d in listed {
        if !seen.insert(&d.udid) {
            continue;
        }
        if !d.udid.is_empty() && cabled.get(&udid_key(&d.udid)).copied().unwrap_or(false) {
            continue;
        }
        let mut f = Finding::new(&RULE).device(&d.udid).evidence(format!(
            "usbmuxd lists it with ConnectionType Network only (DeviceID {})",
            d.device_id
        ));
        let last = s
            .device(&d.udid)
            .and_then(|o| o.lockdown())
            .and_then(|l| l.backup.as_ref())
            .and_then(|b| b.last_itunes_backup_date.as_deref());
        let age = last
            .zip(s.captured_at.as_deref())
            .and_then(|(l, now)| crate::dates::days_between(l, now));
        if let (Some(days), Some(last)) = (age, last) {
            if days > EXPIRY_DAYS {
                f = f
                    .title(&PAIRING_EXPIRED)
                    .confidence(Confidence::Likely)
                    .evidence(format!(
                        "its last computer backup was {days} days before this check ({last}); after about 30 days without a cable a phone stops Wi-Fi backups until it is plugged in once"
                    ));
            }
        }
        out.push(f);
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
    fn a_month_without_a_computer_backup_means_the_wifi_pairing_expired() {
        let mut s = world()
            .phone()
            .lockdown(|l| {
                if let Some(b) = l.backup.as_mut() {
                    b.last_itunes_backup_date = Some("2026-09-01T10:00:00Z".into());
                }
            })
            .mux_ok(vec![net(crate::rules::testing_device::UDID, 4)])
            .build();
        s.captured_at = Some("2026-12-03T08:00:00Z".into());
        let f = only(&s, &RULE);
        assert_eq!(f.title, PAIRING_EXPIRED.text);
        assert!(f.says("92 days"), "{:?}", f.evidence);
    }

    #[test]
    fn silent_when_also_on_usb() {
        let s = world().mux_ok(vec![net("A", 4), usb_phone("A", 5)]).build();
        assert!(fired(&s, &RULE).is_empty());
        assert!(fired(&world().phone().build(), &RULE).is_empty());
    }
}
