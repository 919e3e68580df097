//! The usbmux plist frame, both ways: a 16-byte little-endian header (length,
//! version 1, message 8, tag) and a plist body. The request/reply connection
//! and the `Listen` feed read frames with different timing; what a frame is,
//! and what makes one unacceptable, is decided here once.

use plist::Dictionary;

use crate::plist_bounded::{parse_plist_dict, PlistError};
use crate::snapshot::{Failure, FailureKind};

pub const HEADER_LEN: usize = 16;
const PLIST_MESSAGE: u32 = 8;
const PLIST_VERSION: u32 = 1;

/// A request frame carrying `fields` as an XML plist (Debian's usbmuxd
/// answers XML requests only).
pub fn encode(fields: &Dictionary, tag: u32) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    plist::to_writer_xml(&mut body, fields)
        .map_err(|e| Failure::new(FailureKind::Io, format!("encode request: {e}")))?;
    let len = u32::try_from(body.len() + HEADER_LEN)
        .map_err(|_| Failure::new(FailureKind::Io, "request too large"))?;
    let mut frame = Vec::with_capacity(body.len() + HEADER_LEN);
    for word in [len, PLIST_VERSION, PLIST_MESSAGE, tag] {
        frame.extend_from_slice(&word.to_le_bytes());
    }
    frame.extend_from_slice(&body);
    Ok(frame)
}

/// Checks a header before its length is trusted; the body's length, at most
/// `cap - HEADER_LEN`. `what` names the frame in evidence ("reply to
/// ListDevices", "a Listen message").
pub fn body_len(header: &[u8; HEADER_LEN], cap: u32, what: &str) -> Result<usize, Failure> {
    let word =
        |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let (len, version, message) = (word(0), word(4), word(8));
    if version != PLIST_VERSION || message != PLIST_MESSAGE {
        return Err(Failure::new(
            FailureKind::ProtocolError,
            format!(
                "{what} is not a usbmux plist message (version {version}, message {message}); it starts with {}",
                preview(header)
            ),
        ));
    }
    if (len as usize) < HEADER_LEN || len > cap {
        return Err(Failure::new(
            FailureKind::ProtocolError,
            format!("{what} announces {len} bytes; refusing anything over {cap}"),
        ));
    }
    Ok(len as usize - HEADER_LEN)
}

/// The body as a dictionary, within the bounded-plist limits.
pub fn parse_body(body: &[u8], what: &str) -> Result<Dictionary, Failure> {
    parse_plist_dict(body).map_err(|e| match e {
        PlistError::Invalid(e) => Failure::new(
            FailureKind::ProtocolError,
            format!(
                "{what} is not a plist ({e}); it starts with {}",
                preview(body)
            ),
        ),
        e => Failure::new(
            FailureKind::ProtocolError,
            format!("{what} is refused: {e}"),
        ),
    })
}

/// The first bytes of a frame, printable, for evidence.
fn preview(bytes: &[u8]) -> String {
    let shown: String = bytes
        .iter()
        .take(16)
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    format!("\"{shown}\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plist_bounded::hostile::shared_object_bomb;

    #[test]
    fn encodes_header_little_endian() {
        let f = encode(&Dictionary::new(), 7).unwrap();
        assert_eq!(
            u32::from_le_bytes([f[0], f[1], f[2], f[3]]) as usize,
            f.len()
        );
        assert_eq!(&f[4..16], &[1, 0, 0, 0, 8, 0, 0, 0, 7, 0, 0, 0]);
        let header: [u8; HEADER_LEN] = f[..HEADER_LEN].try_into().unwrap();
        assert_eq!(
            body_len(&header, 1 << 20, "x").unwrap(),
            f.len() - HEADER_LEN
        );
        assert!(parse_body(&f[HEADER_LEN..], "x").unwrap().is_empty());
    }

    #[test]
    fn refuses_other_messages_and_absurd_lengths() {
        let mut header = [0u8; HEADER_LEN];
        header[..4].copy_from_slice(&100u32.to_le_bytes());
        header[4] = 2;
        header[8] = 8;
        let e = body_len(&header, 1 << 20, "reply to ListDevices").unwrap_err();
        assert!(e.message.contains("version 2"), "{}", e.message);
        header[4] = 1;
        header[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = body_len(&header, 1 << 20, "a Listen message").unwrap_err();
        assert!(
            e.message
                .starts_with("a Listen message announces 4294967295"),
            "{}",
            e.message
        );
        header[..4].copy_from_slice(&3u32.to_le_bytes());
        assert!(body_len(&header, 1 << 20, "x").is_err());
    }

    #[test]
    fn a_shared_object_bomb_is_refused_not_expanded() {
        let e = parse_body(&shared_object_bomb(40), "a Listen message").unwrap_err();
        assert_eq!(e.kind, FailureKind::ProtocolError);
        assert!(
            e.message.contains("referenced over and over"),
            "{}",
            e.message
        );
    }
}
