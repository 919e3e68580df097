//! Feed messages turned into events, the one way the diagnose window and
//! `watch` both read them: the initial `Attached` burst of phones already
//! there is not an event, and `Detached` / `Paired` (which carry only a
//! DeviceID) are named from what was seen before.

use std::collections::{HashMap, HashSet};

use super::ListenMessage;
use crate::snapshot::{MuxDevice, MuxEvent, MuxEventKind};

#[derive(Debug, Clone)]
pub struct EventTracker {
    names: HashMap<u32, String>,
    initial: HashSet<u32>,
}

impl EventTracker {
    pub fn new(present: &[MuxDevice]) -> Self {
        Self {
            names: present
                .iter()
                .map(|d| (d.device_id, d.udid.clone()))
                .collect(),
            initial: present.iter().map(|d| d.device_id).collect(),
        }
    }

    /// The event for a message received `at_ms` after listening started;
    /// None for the initial burst and unknown message types.
    pub fn event(&mut self, msg: ListenMessage, at_ms: u64) -> Option<MuxEvent> {
        match msg {
            ListenMessage::Attached(device) => {
                self.names.insert(device.device_id, device.udid.clone());
                if self.initial.remove(&device.device_id) {
                    return None;
                }
                Some(MuxEvent {
                    at_ms,
                    kind: MuxEventKind::Attached,
                    device_id: device.device_id,
                    udid: Some(device.udid.clone()),
                    device: Some(device),
                    quote: None,
                })
            }
            ListenMessage::Detached { device_id } => {
                self.initial.remove(&device_id);
                Some(MuxEvent {
                    at_ms,
                    kind: MuxEventKind::Detached,
                    device_id,
                    udid: self.names.get(&device_id).cloned(),
                    device: None,
                    quote: None,
                })
            }
            ListenMessage::Paired { device_id } => Some(MuxEvent {
                at_ms,
                kind: MuxEventKind::Paired,
                device_id,
                udid: self.names.get(&device_id).cloned(),
                device: None,
                quote: None,
            }),
            ListenMessage::Other(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracker_drops_the_initial_burst_and_names_detaches() {
        let phone = MuxDevice {
            device_id: 3,
            udid: "U1".into(),
            ..Default::default()
        };
        let mut t = EventTracker::new(std::slice::from_ref(&phone));
        assert!(t.event(ListenMessage::Attached(phone.clone()), 1).is_none());
        let gone = t
            .event(ListenMessage::Detached { device_id: 3 }, 400)
            .unwrap();
        assert_eq!(gone.kind, MuxEventKind::Detached);
        assert_eq!(gone.udid.as_deref(), Some("U1"));
        let back = t
            .event(
                ListenMessage::Attached(MuxDevice {
                    device_id: 4,
                    ..phone.clone()
                }),
                900,
            )
            .unwrap();
        assert_eq!(
            (back.kind, back.device_id, back.at_ms),
            (MuxEventKind::Attached, 4, 900)
        );
        let unknown = t
            .event(ListenMessage::Detached { device_id: 77 }, 950)
            .unwrap();
        assert_eq!(unknown.udid, None);
        assert!(t.event(ListenMessage::Other("X".into()), 1000).is_none());
    }
}
