//! usbmux framing: a 16-byte little-endian header (length including the header, version,
//! message type, tag) followed by the payload.
//!
//! The size cap is Debian usbmuxd 1.1.1's input buffer (`CMD_BUF_SIZE` 0x10000): a longer
//! request makes it close the connection, and so does the simulator. Nothing is allocated
//! from a length on the wire beyond that cap.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

pub const HEADER_LEN: u32 = 16;
/// Largest request accepted (header included), as in usbmuxd 1.1.1.
pub const MAX_PACKET: u32 = 0x10000;

/// Binary protocol result message.
pub const MSG_RESULT: u32 = 1;
/// Binary protocol connect request.
pub const MSG_CONNECT: u32 = 2;
/// Binary protocol listen request.
pub const MSG_LISTEN: u32 = 3;
/// Binary protocol device-added event.
pub const MSG_DEVICE_ADD: u32 = 4;
/// Binary protocol device-removed event.
pub const MSG_DEVICE_REMOVE: u32 = 5;
/// Plist message (version 1).
pub const MSG_PLIST: u32 = 8;

pub const RESULT_OK: u32 = 0;
pub const RESULT_BADCOMMAND: u32 = 1;
pub const RESULT_BADDEV: u32 = 2;
pub const RESULT_CONNREFUSED: u32 = 3;
pub const RESULT_BADVERSION: u32 = 6;
/// `ENOENT`, sent by usbmuxd when it has no pair record.
pub const RESULT_ENOENT: u32 = 2;
/// `EINVAL`, sent by usbmuxd for a request without a record id.
pub const RESULT_EINVAL: u32 = 22;

/// A parsed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub length: u32,
    pub version: u32,
    pub message: u32,
    pub tag: u32,
}

impl Header {
    pub fn parse(b: &[u8; 16]) -> Header {
        let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        Header {
            length: word(0),
            version: word(4),
            message: word(8),
            tag: word(12),
        }
    }
}

/// What reading one request produced.
#[derive(Debug)]
pub enum Incoming {
    Packet(Header, Vec<u8>),
    /// Header length above [`MAX_PACKET`].
    TooLong(Header),
    /// Header length below 16.
    TooShort(Header),
    /// The peer closed the connection (possibly mid-header or mid-payload).
    Closed,
    /// No complete request within the deadline.
    TimedOut,
}

/// Reads one request. `idle` bounds the wait for the header, `body` the wait for the payload.
pub async fn read_request<R: AsyncRead + Unpin>(
    r: &mut R,
    idle: Duration,
    body: Duration,
) -> Incoming {
    let mut hdr = [0u8; 16];
    match tokio::time::timeout(idle, r.read_exact(&mut hdr)).await {
        Err(_) => return Incoming::TimedOut,
        Ok(Err(_)) => return Incoming::Closed,
        Ok(Ok(_)) => {}
    }
    let h = Header::parse(&hdr);
    if h.length > MAX_PACKET {
        return Incoming::TooLong(h);
    }
    if h.length < HEADER_LEN {
        return Incoming::TooShort(h);
    }
    let mut payload = vec![0u8; (h.length - HEADER_LEN) as usize];
    match tokio::time::timeout(body, r.read_exact(&mut payload)).await {
        Err(_) => Incoming::TimedOut,
        Ok(Err(_)) => Incoming::Closed,
        Ok(Ok(_)) => Incoming::Packet(h, payload),
    }
}

/// Encodes one packet.
pub fn encode(version: u32, message: u32, tag: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + payload.len());
    out.extend_from_slice(&(HEADER_LEN + payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&message.to_le_bytes());
    out.extend_from_slice(&tag.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Encodes a plist message (version 1, message 8) with an XML payload, as usbmuxd does.
pub fn encode_plist(tag: u32, dict: &plist::Dictionary) -> Vec<u8> {
    encode(1, MSG_PLIST, tag, &xml_bytes(dict))
}

/// A `Result` answer in the protocol the client speaks (XML plist after any plist request,
/// binary before).
pub fn encode_result(plist_client: bool, tag: u32, number: u32) -> Vec<u8> {
    if plist_client {
        let mut d = plist::Dictionary::new();
        d.insert("MessageType".into(), "Result".into());
        d.insert("Number".into(), plist::Value::Integer(number.into()));
        encode_plist(tag, &d)
    } else {
        encode(0, MSG_RESULT, tag, &number.to_le_bytes())
    }
}

/// XML serialisation of a dictionary.
pub fn xml_bytes(dict: &plist::Dictionary) -> Vec<u8> {
    let mut out = Vec::new();
    // Serialising an in-memory dictionary to a Vec cannot fail.
    let _ = plist::Value::Dictionary(dict.clone()).to_writer_xml(&mut out);
    out
}

/// Parses a request payload the way usbmuxd 1.1.1 does: XML plists only, and the top level
/// must be a dictionary.
pub fn parse_xml_dict(payload: &[u8]) -> Result<plist::Dictionary, &'static str> {
    if payload.starts_with(b"bplist") {
        return Err("<binary-plist>");
    }
    let trimmed = payload
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &payload[i..])
        .unwrap_or(&[]);
    if !trimmed.starts_with(b"<") {
        return Err("<unparseable-plist>");
    }
    match plist::Value::from_reader_xml(std::io::Cursor::new(payload)) {
        Ok(plist::Value::Dictionary(d)) => Ok(d),
        Ok(_) => Err("<non-dictionary-plist>"),
        Err(_) => Err("<unparseable-plist>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip() {
        let p = encode(1, MSG_PLIST, 7, b"abc");
        let h = Header::parse(p[..16].try_into().unwrap());
        assert_eq!(
            h,
            Header {
                length: 19,
                version: 1,
                message: 8,
                tag: 7
            }
        );
    }

    #[test]
    fn only_xml_dictionaries_parse() {
        let mut d = plist::Dictionary::new();
        d.insert("MessageType".into(), "ListDevices".into());
        assert!(parse_xml_dict(&xml_bytes(&d)).is_ok());
        let mut bin = Vec::new();
        plist::Value::Dictionary(d)
            .to_writer_binary(&mut bin)
            .unwrap();
        assert_eq!(parse_xml_dict(&bin), Err("<binary-plist>"));
        assert_eq!(parse_xml_dict(b"\x00\x01"), Err("<unparseable-plist>"));
        let arr = b"<?xml version=\"1.0\"?><plist version=\"1.0\"><array/></plist>";
        assert_eq!(parse_xml_dict(arr), Err("<non-dictionary-plist>"));
    }

    #[test]
    fn results_are_binary_until_the_client_speaks_plist() {
        assert_eq!(
            encode_result(false, 3, 6),
            encode(0, MSG_RESULT, 3, &6u32.to_le_bytes())
        );
        let xml = encode_result(true, 3, 6);
        let d: plist::Dictionary = plist::from_bytes(&xml[16..]).unwrap();
        assert_eq!(d["Number"].as_unsigned_integer(), Some(6));
    }

    #[tokio::test]
    async fn lengths_are_capped_before_allocation() {
        let mut huge: &[u8] = &[0xf0, 0xff, 0xff, 0xff, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0];
        let d = std::time::Duration::from_secs(1);
        assert!(matches!(
            read_request(&mut huge, d, d).await,
            Incoming::TooLong(_)
        ));
        let mut short: &[u8] = &[4, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0];
        assert!(matches!(
            read_request(&mut short, d, d).await,
            Incoming::TooShort(_)
        ));
        let mut cut: &[u8] = &[40, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, b'<'];
        assert!(matches!(
            read_request(&mut cut, d, d).await,
            Incoming::Closed
        ));
    }
}
