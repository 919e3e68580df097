//! `devices`: what each layer sees of each phone, side by side.

use std::io::{self, Write};

use serde::Serialize;

use crate::report::style::{paint, BOLD};
use crate::snapshot::{MuxConnection, Snapshot};

/// One row per phone any layer saw.
#[derive(Debug, Serialize)]
pub struct DeviceRow {
    pub udid: String,
    /// What usbmuxd lists: usb, network, or absent.
    pub usbmuxd: String,
    pub usb: String,
    pub pair_record: String,
    pub lockdown: String,
}

pub fn rows(s: &Snapshot) -> Vec<DeviceRow> {
    let usb_state = match &s.probes.usb {
        crate::snapshot::Outcome::Ok { .. } => "not seen",
        _ => "bus not readable",
    };
    s.mux_devices()
        .iter()
        .map(|d| {
            let dev = s.device(&d.udid);
            DeviceRow {
                udid: d.udid.clone(),
                usbmuxd: match d.connection {
                    MuxConnection::Usb => "usb",
                    MuxConnection::Network => "network",
                    MuxConnection::Other => "other",
                }
                .into(),
                usb: usb_state.into(),
                pair_record: dev.map_or("not probed".into(), |d| d.pairing.status().into()),
                lockdown: dev.map_or("not probed".into(), |d| d.lockdown.status().into()),
            }
        })
        .collect()
}

pub fn run(s: &Snapshot, json: bool, out: &mut dyn Write) -> io::Result<()> {
    let rows = rows(s);
    if json {
        serde_json::to_writer_pretty(&mut *out, &rows).map_err(io::Error::other)?;
        return writeln!(out);
    }
    if rows.is_empty() {
        return writeln!(
            out,
            "No phone seen by usbmuxd. Run `iphone-backup-check diagnose` to find out why."
        );
    }
    writeln!(
        out,
        "{}",
        paint(
            BOLD,
            &format!(
                "{:<42} {:<9} {:<17} {:<12} {}",
                "UDID", "usbmuxd", "USB", "pair record", "lockdownd"
            )
        )
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<42} {:<9} {:<17} {:<12} {}",
            r.udid, r.usbmuxd, r.usb, r.pair_record, r.lockdown
        )?;
    }
    Ok(())
}
