//! What usbmuxd's `Listen` feed reported while the probes ran (or while
//! `watch` followed it): phones attached, detached and paired, with the time
//! of each relative to the start of listening.

use serde::{Deserialize, Serialize};

use super::{Failure, MuxDevice, Quote};

/// One listening session: how long it lasted and what it saw.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListenObs {
    /// Who listened: the short window of `diagnose`, or `watch`.
    #[serde(default)]
    pub origin: ListenOrigin,
    /// How long the feed was followed, in milliseconds.
    pub window_ms: u64,
    /// The phones usbmuxd listed when listening started (`ListDevices`
    /// just before `Listen`); their initial `Attached` messages are not events.
    #[serde(default)]
    pub present_at_start: Vec<MuxDevice>,
    /// Plug events in the order they arrived.
    #[serde(default)]
    pub events: Vec<MuxEvent>,
    /// Why the feed ended before the window did (usbmuxd closed the
    /// connection, sent garbage, ...); None when it ran the whole window.
    #[serde(default)]
    pub ended_early: Option<Failure>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListenOrigin {
    /// The listen window that runs beside the other probes of `diagnose`.
    #[default]
    Diagnose,
    /// The events `watch` collected before it re-diagnosed a phone.
    Watch,
    /// usbmuxd's own log read by `--from`: its device add and remove lines.
    Log,
}

/// One message of the `Listen` feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MuxEvent {
    /// Milliseconds since listening started.
    pub at_ms: u64,
    pub kind: MuxEventKind,
    /// usbmuxd's DeviceID; a phone that re-enumerates gets a new one.
    pub device_id: u32,
    /// The phone's UDID: from the `Attached` properties, or for `Detached`
    /// and `Paired` (which carry only a DeviceID) from an earlier `Attached`
    /// or the device list; None when usbmuxd never said.
    #[serde(default)]
    pub udid: Option<String>,
    /// For `Attached`: the properties, as in a `ListDevices` entry.
    #[serde(default)]
    pub device: Option<MuxDevice>,
    /// The log line it was read from (`--from`); None for a live feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Quote>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MuxEventKind {
    Attached,
    Detached,
    Paired,
}

impl MuxEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Attached => "attached",
            Self::Detached => "detached",
            Self::Paired => "paired",
        }
    }
}

impl ListenObs {
    /// The events about one phone.
    pub fn events_for<'a>(&'a self, udid: &'a str) -> impl Iterator<Item = &'a MuxEvent> + 'a {
        self.events
            .iter()
            .filter(move |e| e.udid.as_deref() == Some(udid))
    }
}
