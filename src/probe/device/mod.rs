//! The device stage: after usbmuxd has listed the phones, each phone (or the
//! one `--udid` names) goes through pairing -> lockdownd -> backup service,
//! phones concurrently. Every step runs under the overall deadline and its
//! own per-operation deadline, whichever comes first.

pub mod connect;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use plist::Dictionary;

use crate::platform::mux_address::MuxEndpoint;
use crate::probe::deadline::Deadline;
use crate::probe::usbmuxd::{parse_device_list, MuxConnection};
use crate::probe::{lockdown, pairing};
use crate::snapshot::{
    same_udid, udid_key, DeviceObs, MuxConnection as Link, MuxDevice, Outcome, PresenceObs,
};

/// How long one request to the phone may take at most (10 s by default gives
/// 5 s): half the overall `--timeout`, so one stuck request leaves time for
/// the rest, and a slow phone given a long timeout gets long steps too.
pub fn per_operation(timeout: Duration) -> Duration {
    (timeout / 2).max(Duration::from_millis(500))
}

/// The overall deadline and the per-operation limit.
#[derive(Debug, Clone, Copy)]
pub struct Steps {
    overall: Deadline,
    per_op: Duration,
}

impl Steps {
    pub fn new(overall: Deadline, per_op: Duration) -> Self {
        Self { overall, per_op }
    }

    /// The deadline for the next operation.
    pub fn op(self) -> Deadline {
        Deadline::after(self.per_op.min(self.overall.remaining()))
    }

    pub fn overall_remaining(self) -> Duration {
        self.overall.remaining()
    }
}

/// What the device stage needs from the request.
#[derive(Debug, Clone)]
pub struct DeviceStage {
    pub endpoint: MuxEndpoint,
    pub request_trust: bool,
    pub daemon_buid: Option<String>,
    /// `<UDID>.plist` in the host lockdown folder, per phone.
    pub record_files: BTreeMap<String, PathBuf>,
    /// The host probe's answer to "is another program backing up?": None
    /// until it is known, then the program's name if one is.
    pub backing_up: tokio::sync::watch::Receiver<Option<Option<String>>>,
    /// Read a trusted phone's backup log for this long (None: never; zero:
    /// only while another program backs up, for `syslog::window::WHILE_BACKING_UP`).
    pub phone_log: Option<Duration>,
}

/// The phones to probe: one entry per UDID (USB preferred over Wi-Fi when a
/// phone is listed both ways), only the `--udid` one when given.
pub fn targets(listed: &[MuxDevice], udid: Option<&str>) -> Vec<MuxDevice> {
    let mut by_udid: BTreeMap<String, &MuxDevice> = BTreeMap::new();
    for d in listed {
        if udid.is_some_and(|u| !same_udid(u, &d.udid)) {
            continue;
        }
        let key = udid_key(&d.udid);
        let better = match by_udid.get(&key) {
            None => true,
            Some(seen) => seen.connection != Link::Usb && d.connection == Link::Usb,
        };
        if better {
            by_udid.insert(key, d);
        }
    }
    by_udid.into_values().cloned().collect()
}

/// Runs pairing -> lockdownd -> backup service for one phone.
pub async fn probe_one(stage: &DeviceStage, dev: &MuxDevice, steps: Steps) -> DeviceObs {
    let mut obs = DeviceObs {
        udid: dev.udid.clone(),
        device_id: Some(dev.device_id),
        connection: Some(dev.connection),
        ..Default::default()
    };
    let file = stage.record_files.get(&dev.udid).map(PathBuf::as_path);
    let mut pairing_obs = None;
    let pairing = async {
        let (o, secrets) = pairing::probe(&stage.endpoint, &dev.udid, file, steps.op()).await;
        pairing_obs = Some(o);
        secrets
    };
    let target = lockdown::Target {
        endpoint: &stage.endpoint,
        device_id: dev.device_id,
        udid: &dev.udid,
        request_trust: stage.request_trust,
        daemon_buid: stage.daemon_buid.as_deref(),
        backing_up: Some(&stage.backing_up),
    };
    let run = lockdown::probe(&target, pairing, steps).await;
    obs.pairing =
        pairing_obs.unwrap_or_else(|| Outcome::skipped("the pair record was not looked up"));
    obs.lockdown = run.obs;
    obs.backup_service = run.backup_service;
    if let Some(window) = log_window(stage, &obs) {
        obs.backup_log = Some(
            crate::probe::syslog::window::read(
                &stage.endpoint,
                dev.device_id,
                &dev.udid,
                file,
                window,
                steps,
            )
            .await,
        );
    }
    obs
}

/// How long to read the phone's backup log, if at all: only a trusted
/// phone, for the listen window asked for, or briefly while another program
/// backs up.
fn log_window(stage: &DeviceStage, obs: &DeviceObs) -> Option<Duration> {
    let asked = stage.phone_log?;
    if !obs.trusted() {
        return None;
    }
    if !asked.is_zero() {
        return Some(asked);
    }
    let backing_up = stage.backing_up.borrow().clone().flatten().is_some();
    backing_up.then_some(crate::probe::syslog::window::WHILE_BACKING_UP)
}

/// Lists the phones again after probing, to see who vanished or re-enumerated
/// (a new DeviceID means the phone dropped off the bus and came back).
pub async fn presence(
    endpoint: &MuxEndpoint,
    udids: &[String],
    steps: Steps,
) -> Vec<Outcome<PresenceObs>> {
    let started = std::time::Instant::now();
    let listed = async {
        let mut conn = MuxConnection::connect(endpoint, steps.op()).await?;
        let reply = conn
            .request("ListDevices", Dictionary::new(), steps.op())
            .await?;
        parse_device_list(&reply)
    }
    .await;
    let duration_ms = started.elapsed().as_millis() as u64;
    udids
        .iter()
        .map(|u| match &listed {
            Ok(list) => {
                let found = targets(list, Some(u));
                Outcome::Ok {
                    duration_ms,
                    value: PresenceObs {
                        still_listed: !found.is_empty(),
                        device_id_after: found.first().map(|d| d.device_id),
                    },
                }
            }
            Err(f) => Outcome::Failed {
                duration_ms,
                failure: f.clone(),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(udid: &str, id: u32, connection: Link) -> MuxDevice {
        MuxDevice {
            device_id: id,
            udid: udid.into(),
            connection,
            ..Default::default()
        }
    }

    #[test]
    fn one_target_per_phone_usb_preferred_and_filtered() {
        let listed = [
            dev("A", 7, Link::Network),
            dev("A", 3, Link::Usb),
            dev("B", 9, Link::Network),
        ];
        let t = targets(&listed, None);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].device_id, 3);
        assert_eq!(t[1].connection, Link::Network);
        let only_b = targets(&listed, Some("b"));
        assert_eq!(only_b.len(), 1);
        assert!(targets(&listed, Some("C")).is_empty());
    }

    #[test]
    fn udid_option_matches_a_phone_listed_without_its_dash() {
        // Apple's usbmuxd lists new-style UDIDs without the dash.
        let listed = [
            dev("00008130001A2B3C4D5E801E", 4, Link::Usb),
            dev("00008130-001A2B3C4D5E801E", 9, Link::Network),
        ];
        let t = targets(&listed, Some("00008130-001a2b3c4d5e801e"));
        assert_eq!(t.len(), 1, "one phone, listed twice: {t:?}");
        assert_eq!(t[0].device_id, 4);
    }

    #[tokio::test(start_paused = true)]
    async fn op_deadline_is_the_earlier_of_the_two() {
        let steps = Steps::new(
            Deadline::after(Duration::from_secs(2)),
            per_operation(Duration::from_secs(10)),
        );
        assert!(steps.op().remaining() <= Duration::from_secs(2));
        let steps = Steps::new(
            Deadline::after(Duration::from_secs(60)),
            per_operation(Duration::from_secs(10)),
        );
        assert!(steps.op().remaining() <= Duration::from_secs(5));
        assert_eq!(
            per_operation(Duration::from_secs(30)),
            Duration::from_secs(15)
        );
    }
}
