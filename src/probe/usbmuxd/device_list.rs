//! Reading usbmuxd's `ListDevices` reply, keeping the raw fields.

use plist::{Dictionary, Value};

use crate::snapshot::{Failure, FailureKind, MuxConnection, MuxDevice};

/// Turns a `ListDevices` reply into device entries. Entries without a
/// DeviceID or serial are skipped; a reply without `DeviceList` is a
/// protocol error (a `Result` code instead means the daemon refused).
pub fn parse_device_list(reply: &Dictionary) -> Result<Vec<MuxDevice>, Failure> {
    let Some(list) = reply.get("DeviceList").and_then(Value::as_array) else {
        let why = match reply.get("Result").and_then(Value::as_unsigned_integer) {
            Some(code) => {
                format!("usbmuxd answered ListDevices with Result {code} instead of a device list")
            }
            None => "usbmuxd's reply to ListDevices has no DeviceList".to_string(),
        };
        return Err(Failure::new(FailureKind::ProtocolError, why));
    };
    let mut devices: Vec<MuxDevice> = list.iter().filter_map(parse_entry).collect();
    devices.sort_by(|a, b| a.udid.cmp(&b.udid).then(a.device_id.cmp(&b.device_id)));
    Ok(devices)
}

pub(crate) fn parse_entry(entry: &Value) -> Option<MuxDevice> {
    let entry = entry.as_dictionary()?;
    let props = entry
        .get("Properties")
        .and_then(Value::as_dictionary)
        .unwrap_or(entry);
    let uint = |k: &str| props.get(k).and_then(Value::as_unsigned_integer);
    let device_id = entry
        .get("DeviceID")
        .and_then(Value::as_unsigned_integer)
        .or_else(|| uint("DeviceID"))
        .and_then(|v| u32::try_from(v).ok())?;
    let udid = props
        .get("SerialNumber")
        .and_then(Value::as_string)?
        .to_string();
    let connection = match props.get("ConnectionType").and_then(Value::as_string) {
        Some("USB") => MuxConnection::Usb,
        Some("Network") => MuxConnection::Network,
        _ => MuxConnection::Other,
    };
    Some(MuxDevice {
        device_id,
        udid,
        connection,
        product_id: uint("ProductID").and_then(|v| u16::try_from(v).ok()),
        location_id: uint("LocationID").and_then(|v| u32::try_from(v).ok()),
        connection_speed: uint("ConnectionSpeed"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(xml: &str) -> Dictionary {
        plist::from_bytes(xml.as_bytes()).unwrap()
    }

    // Shape of the entries as Debian's usbmuxd 1.1.1 sends them; values from
    // a published usbmuxd -v log (product 0x12a8, location 0x...,
    // https://github.com/libimobiledevice/usbmuxd/issues/172), UDID fake.
    const TWO: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>DeviceList</key><array>
<dict><key>DeviceID</key><integer>3</integer><key>MessageType</key><string>Attached</string>
<key>Properties</key><dict><key>ConnectionSpeed</key><integer>480000000</integer>
<key>ConnectionType</key><string>USB</string><key>DeviceID</key><integer>3</integer>
<key>LocationID</key><integer>336592896</integer><key>ProductID</key><integer>4776</integer>
<key>SerialNumber</key><string>00008101-000A1B2C3D4E5F60</string></dict></dict>
<dict><key>DeviceID</key><integer>9</integer><key>Properties</key><dict>
<key>ConnectionType</key><string>Network</string><key>DeviceID</key><integer>9</integer>
<key>SerialNumber</key><string>00008030-00112233445566AA</string></dict></dict>
<dict><key>Properties</key><dict><key>SerialNumber</key><string>no-device-id</string></dict></dict>
</array></dict></plist>"#;

    #[test]
    fn keeps_raw_fields_and_skips_broken_entries() {
        let devices = parse_device_list(&reply(TWO)).unwrap();
        assert_eq!(devices.len(), 2);
        let usb = devices.iter().find(|d| d.device_id == 3).unwrap();
        assert_eq!(usb.connection, MuxConnection::Usb);
        assert_eq!(usb.product_id, Some(0x12a8));
        assert_eq!(usb.connection_speed, Some(480_000_000));
        assert_eq!(usb.location_id, Some(336_592_896));
        let net = devices.iter().find(|d| d.device_id == 9).unwrap();
        assert_eq!(net.connection, MuxConnection::Network);
        assert_eq!(net.product_id, None);
    }

    #[test]
    fn result_code_instead_of_list_is_a_protocol_error() {
        let err = parse_device_list(&reply(
            r#"<plist version="1.0"><dict><key>Result</key><integer>1</integer></dict></plist>"#,
        ))
        .unwrap_err();
        assert_eq!(err.kind, FailureKind::ProtocolError);
        assert!(err.message.contains("Result 1"));
    }
}
