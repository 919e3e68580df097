//! Reads a Listen observation as a per-phone history of drops and returns:
//! the one reading of "how often did it drop, and for how long was it up"
//! that `connection.unstable` and `watch`'s summary share.

use std::collections::{BTreeMap, HashMap};

use super::{ListenObs, MuxConnection, MuxEventKind};

/// What happened to one phone's connection while usbmuxd was followed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// When it dropped off (ms since listening started), with the DeviceID it had.
    pub drops: Vec<(u64, u32)>,
    /// When it came back (ms), with its new DeviceID and the one it had before.
    pub returns: Vec<(u64, u32, Option<u32>)>,
    /// It was gone when listening ended.
    pub gone_at_end: bool,
    /// The shortest time between coming back (or first appearing) and the
    /// next drop, when both were seen.
    pub shortest_connected_ms: Option<u64>,
}

impl History {
    pub fn unstable(&self) -> bool {
        !self.drops.is_empty() || !self.returns.is_empty()
    }
}

/// Per UDID, the USB phones' histories (Wi-Fi connections come and go by
/// design and are left out). Phones with no event at all are absent.
/// Detaches of a DeviceID nobody named are keyed by `DeviceID <n>`.
pub fn histories(obs: &ListenObs) -> BTreeMap<String, History> {
    let mut link: HashMap<u32, MuxConnection> = obs
        .present_at_start
        .iter()
        .map(|d| (d.device_id, d.connection))
        .collect();
    // The DeviceID each phone currently has, and when it (re)appeared.
    let mut current: HashMap<String, Option<u32>> = obs
        .present_at_start
        .iter()
        .map(|d| (d.udid.clone(), Some(d.device_id)))
        .collect();
    let mut last_seen_id: HashMap<String, u32> = obs
        .present_at_start
        .iter()
        .map(|d| (d.udid.clone(), d.device_id))
        .collect();
    let mut up_since: HashMap<String, u64> = HashMap::new();
    let mut out: BTreeMap<String, History> = BTreeMap::new();

    for e in &obs.events {
        if let Some(d) = &e.device {
            link.insert(e.device_id, d.connection);
        }
        if link.get(&e.device_id) == Some(&MuxConnection::Network) {
            continue;
        }
        let key = e
            .udid
            .clone()
            .unwrap_or_else(|| format!("DeviceID {}", e.device_id));
        match e.kind {
            MuxEventKind::Detached => {
                let h = out.entry(key.clone()).or_default();
                h.drops.push((e.at_ms, e.device_id));
                if let Some(since) = up_since.remove(&key) {
                    let up = e.at_ms.saturating_sub(since);
                    h.shortest_connected_ms =
                        Some(h.shortest_connected_ms.map_or(up, |s| s.min(up)));
                }
                current.insert(key.clone(), None);
                last_seen_id.insert(key, e.device_id);
            }
            MuxEventKind::Attached => {
                let before = last_seen_id.get(&key).copied();
                let was_known = before.is_some();
                let same_id_still_there = current.get(&key).copied().flatten() == Some(e.device_id);
                if was_known && !same_id_still_there {
                    out.entry(key.clone()).or_default().returns.push((
                        e.at_ms,
                        e.device_id,
                        before,
                    ));
                }
                current.insert(key.clone(), Some(e.device_id));
                last_seen_id.insert(key.clone(), e.device_id);
                up_since.insert(key, e.at_ms);
            }
            MuxEventKind::Paired => {}
        }
    }
    for (key, h) in &mut out {
        h.gone_at_end = current.get(key).copied().flatten().is_none();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{MuxDevice, MuxEvent};

    fn dev(id: u32, link: MuxConnection) -> MuxDevice {
        MuxDevice {
            device_id: id,
            udid: "U".into(),
            connection: link,
            ..Default::default()
        }
    }

    fn ev(at_ms: u64, kind: MuxEventKind, id: u32, link: MuxConnection) -> MuxEvent {
        MuxEvent {
            at_ms,
            kind,
            device_id: id,
            udid: Some("U".into()),
            device: (kind == MuxEventKind::Attached).then(|| dev(id, link)),
            quote: None,
        }
    }

    #[test]
    fn drop_and_return_with_new_id() {
        let obs = ListenObs {
            window_ms: 1500,
            present_at_start: vec![dev(3, MuxConnection::Usb)],
            events: vec![
                ev(400, MuxEventKind::Detached, 3, MuxConnection::Usb),
                ev(900, MuxEventKind::Attached, 4, MuxConnection::Usb),
                ev(1000, MuxEventKind::Detached, 4, MuxConnection::Usb),
                ev(1300, MuxEventKind::Attached, 5, MuxConnection::Usb),
            ],
            ..Default::default()
        };
        let h = &histories(&obs)["U"];
        assert_eq!(h.drops, vec![(400, 3), (1000, 4)]);
        assert_eq!(h.returns, vec![(900, 4, Some(3)), (1300, 5, Some(4))]);
        assert!(!h.gone_at_end);
        assert_eq!(h.shortest_connected_ms, Some(100));
    }

    #[test]
    fn a_new_phone_is_not_instability_and_wifi_is_ignored() {
        let obs = ListenObs {
            present_at_start: vec![MuxDevice {
                udid: "W".into(),
                ..dev(9, MuxConnection::Network)
            }],
            events: vec![
                ev(100, MuxEventKind::Attached, 3, MuxConnection::Usb),
                MuxEvent {
                    udid: Some("W".into()),
                    ..ev(200, MuxEventKind::Detached, 9, MuxConnection::Network)
                },
            ],
            ..Default::default()
        };
        assert!(histories(&obs).is_empty());
    }

    #[test]
    fn unnamed_detach_is_kept_and_gone_at_end() {
        let obs = ListenObs {
            events: vec![MuxEvent {
                udid: None,
                ..ev(50, MuxEventKind::Detached, 7, MuxConnection::Usb)
            }],
            ..Default::default()
        };
        let all = histories(&obs);
        let h = &all["DeviceID 7"];
        assert!(h.gone_at_end && h.unstable());
    }
}
