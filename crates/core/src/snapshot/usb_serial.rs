//! What a USB serial string and descriptor say about a phone, shared by the
//! USB probe and the importers that read other tools' USB listings, so a
//! UDID or a boot ROM tag reads the same whichever saw it.

use super::{BootInfo, UsbSpeed};

/// The fastest speed a bcdUSB value promises: 3.x super speed, 2.x high.
pub fn max_speed_from_bcd(bcd: u16) -> Option<UsbSpeed> {
    match bcd >> 8 {
        0x03.. => Some(UsbSpeed::Super),
        0x02 => Some(UsbSpeed::High),
        0x01 => Some(UsbSpeed::Full),
        _ => None,
    }
}

/// The UDID a normal-mode serial string carries: 40 hex digits as they are,
/// 24 hex digits (chip id + ECID) with the dash usbmuxd puts after the chip id.
pub fn udid_from_serial(serial: &str) -> Option<String> {
    let s = serial.trim();
    if !s.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match s.len() {
        40 => Some(s.to_string()),
        24 => Some(format!("{}-{}", &s[..8], &s[8..])),
        _ => None,
    }
}

/// The UDID of an A12-or-later phone in recovery or DFU mode: since the A12
/// the UDID is the chip id and the ECID (`0000CPID-ECID`). Older phones'
/// UDIDs are hashes that the boot serial cannot give.
pub fn udid_from_boot(boot: &BootInfo) -> Option<String> {
    let cpid = boot.cpid.as_deref()?;
    let ecid = boot.ecid.as_deref()?;
    let chip = u32::from_str_radix(cpid, 16).ok()?;
    let hex = |s: &str| !s.is_empty() && s.len() <= 16 && s.chars().all(|c| c.is_ascii_hexdigit());
    if !(0x8020..0x8900).contains(&chip) || !hex(ecid) {
        return None;
    }
    Some(format!("0000{chip:04X}-{:0>16}", ecid.to_ascii_uppercase()))
}

/// Parses a recovery or DFU serial string such as
/// `SDOM:01 CPID:8110 CPRV:11 BDID:0A ECID:001244D7790B58A1 SRTG:[iBoot-6338.0.0.200.19]`.
/// Returns None when no known field is present.
pub fn parse_boot_serial(serial: &str) -> Option<BootInfo> {
    let mut info = BootInfo::default();
    for token in serial.split_whitespace() {
        let Some((key, value)) = token.split_once(':') else {
            continue;
        };
        let value = value.trim_start_matches('[').trim_end_matches(']');
        if value.is_empty() {
            continue;
        }
        let slot = match key.to_ascii_uppercase().as_str() {
            "CPID" => &mut info.cpid,
            "BDID" => &mut info.bdid,
            "ECID" => &mut info.ecid,
            "SRTG" => &mut info.srtg,
            _ => continue,
        };
        *slot = Some(value.to_string());
    }
    (info != BootInfo::default()).then_some(info)
}
