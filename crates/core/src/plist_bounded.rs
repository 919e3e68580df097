//! Plists from outside (usbmuxd, the phone, a backup folder, a pasted dump)
//! read with limits. Every plist this tool did not write goes through here:
//! [`parse_plist`] when the whole value is wanted, [`scan`] when only a few
//! leaves are (a backup's Info.plist holds the IMEI and whole iTunes files).
//!
//! Why not `plist::Value::from_reader` directly:
//! - nesting: dropping, cloning, comparing or serialising a `Value` recurses
//!   once per level, so 4 MiB of nested `<array>`s overflows the stack;
//! - sharing: a binary plist may reference one object many times, and each
//!   reference is expanded, so an array of two references to an array of two
//!   references to ... (a "billion laughs" in 300 bytes) grows without bound.
//!
//! One walk over the plist crate's event stream counts depth, values and the
//! bytes of strings and data, and stops at the first limit. Without shared
//! objects a plist has fewer values than bytes, and its strings and data take
//! at most twice its size (UTF-16 in binary plists grows by half as UTF-8), so
//! the budgets are set from the input's own length.

use std::io::Cursor;

use plist::stream::{BinaryReader, Event, Reader};
use plist::{Dictionary, Value};

/// Real plists nest a handful of levels (a ListDevices reply 4, Manifest.plist 5).
pub const MAX_DEPTH: usize = 64;

/// Why a plist was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlistError {
    #[error("not a plist ({0})")]
    Invalid(String),
    #[error("nested more than {MAX_DEPTH} levels deep")]
    TooDeep,
    #[error("expands to far more than its {0} bytes (objects referenced over and over)")]
    Expands(usize),
    #[error("a plist, but not a dictionary")]
    NotADictionary,
}

/// One step of a path into a plist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(u64),
}

/// A leaf value.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    Bool(bool),
    Int(Option<u64>, Option<i64>),
    /// RFC 3339, UTC.
    Date(String),
    Uid(u64),
    /// Data, reals: present, value not kept.
    Other,
}

impl Scalar {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Int(u, _) => *u,
            _ => None,
        }
    }

    /// A date, or a string that holds one (some tools write dates as text).
    pub fn as_date(&self) -> Option<String> {
        match self {
            Self::Date(d) => Some(d.clone()),
            Self::Str(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        }
    }
}

/// The wanted leaves, in document order.
pub type Found = Vec<(Vec<Seg>, Scalar)>;

/// Parses XML, binary or ASCII plist bytes within the limits.
pub fn parse_plist(bytes: &[u8]) -> Result<Value, PlistError> {
    scan(bytes, &|_| false)?;
    Value::from_reader(Cursor::new(bytes)).map_err(|e| PlistError::Invalid(e.to_string()))
}

/// [`parse_plist`], requiring a dictionary at the top (every message and
/// every backup metadata file is one).
pub fn parse_plist_dict(bytes: &[u8]) -> Result<Dictionary, PlistError> {
    match parse_plist(bytes)? {
        Value::Dictionary(d) => Ok(d),
        _ => Err(PlistError::NotADictionary),
    }
}

/// Reads a plist of any format, keeping only the leaves for which
/// `want(path)` is true; nothing else is ever built.
pub fn scan(bytes: &[u8], want: &dyn Fn(&[Seg]) -> bool) -> Result<Found, PlistError> {
    walk(
        Reader::new(Cursor::new(bytes)),
        want,
        Budget::for_input(bytes),
    )
}

/// As [`scan`], for a binary plist only (no format detection: `--deep` reads
/// a million of them).
pub fn scan_binary(bytes: &[u8], want: &dyn Fn(&[Seg]) -> bool) -> Result<Found, PlistError> {
    walk(
        BinaryReader::new(Cursor::new(bytes)),
        want,
        Budget::for_input(bytes),
    )
}

/// The value at `keys` (dictionary keys only) in `found`.
pub fn get<'a>(found: &'a Found, keys: &[&str]) -> Option<&'a Scalar> {
    found.iter().find(|(p, _)| is_path(p, keys)).map(|(_, v)| v)
}

/// True when `path` is exactly one of the listed key paths.
pub fn is_one_of(path: &[Seg], wanted: &[&[&str]]) -> bool {
    wanted.iter().any(|keys| is_path(path, keys))
}

fn is_path(path: &[Seg], keys: &[&str]) -> bool {
    path.len() == keys.len()
        && path
            .iter()
            .zip(keys)
            .all(|(s, k)| matches!(s, Seg::Key(x) if x == k))
}

struct Budget {
    size: usize,
    values_left: usize,
    payload_left: usize,
}

impl Budget {
    fn for_input(bytes: &[u8]) -> Self {
        Self {
            size: bytes.len(),
            values_left: bytes.len() + 16,
            payload_left: bytes.len().saturating_mul(2) + 1024,
        }
    }

    /// Counts one value carrying `payload` bytes of string or data.
    fn take(&mut self, payload: usize) -> Result<(), PlistError> {
        match (
            self.values_left.checked_sub(1),
            self.payload_left.checked_sub(payload),
        ) {
            (Some(v), Some(p)) => {
                self.values_left = v;
                self.payload_left = p;
                Ok(())
            }
            _ => Err(PlistError::Expands(self.size)),
        }
    }
}

enum Frame {
    Dict { key: Option<String> },
    Array { next: u64 },
}

fn walk<I>(
    events: I,
    want: &dyn Fn(&[Seg]) -> bool,
    mut budget: Budget,
) -> Result<Found, PlistError>
where
    I: Iterator<Item = Result<Event<'static>, plist::Error>>,
{
    let invalid = |why: &str| PlistError::Invalid(why.to_string());
    let mut frames: Vec<Frame> = Vec::new();
    let mut path: Vec<Seg> = Vec::new();
    let mut found = Found::new();
    let mut root_seen = false;
    for event in events {
        let event = event.map_err(|e| PlistError::Invalid(e.to_string()))?;
        budget.take(match &event {
            Event::String(s) => s.len(),
            Event::Data(d) => d.len(),
            _ => 0,
        })?;
        // A dictionary expects a key first: strings in key position are keys.
        if let Some(Frame::Dict { key }) = frames.last_mut() {
            if key.is_none() {
                match event {
                    Event::String(s) => {
                        *key = Some(s.into_owned());
                        continue;
                    }
                    Event::EndCollection => {
                        close(&mut frames, &mut path);
                        continue;
                    }
                    _ => return Err(invalid("a dictionary key is not a string")),
                }
            }
        }
        if frames.is_empty() && root_seen {
            return Err(invalid("more than one value at the top level"));
        }
        // The path segment of the value this event starts.
        let seg = match frames.last_mut() {
            Some(Frame::Dict { key }) => key.take().map(Seg::Key),
            Some(Frame::Array { next }) => {
                if matches!(event, Event::EndCollection) {
                    close(&mut frames, &mut path);
                    continue;
                }
                let i = *next;
                *next += 1;
                Some(Seg::Index(i))
            }
            None => None,
        };
        root_seen = true;
        let frame = match event {
            Event::StartDictionary(_) => Some(Frame::Dict { key: None }),
            Event::StartArray(_) => Some(Frame::Array { next: 0 }),
            _ => None,
        };
        if let Some(frame) = frame {
            if frames.len() >= MAX_DEPTH {
                return Err(PlistError::TooDeep);
            }
            // The root container has no path segment of its own.
            if let Some(s) = seg {
                path.push(s);
            }
            frames.push(frame);
            continue;
        }
        let scalar = match event {
            Event::EndCollection => return Err(invalid("unbalanced end of collection")),
            Event::String(s) => Scalar::Str(s.into_owned()),
            Event::Boolean(b) => Scalar::Bool(b),
            Event::Integer(i) => Scalar::Int(i.as_unsigned(), i.as_signed()),
            Event::Date(d) => Scalar::Date(d.to_xml_format()),
            Event::Uid(u) => Scalar::Uid(u.get()),
            _ => Scalar::Other,
        };
        // Leaf: the root path (for a scalar root) is empty.
        let mut leaf = path.clone();
        if let Some(s) = seg {
            leaf.push(s);
        }
        if want(&leaf) {
            found.push((leaf, scalar));
        }
    }
    if !frames.is_empty() {
        return Err(invalid("the plist ends inside a collection"));
    }
    if !root_seen {
        return Err(invalid("the plist holds no value"));
    }
    Ok(found)
}

/// Closes the innermost container (the path has one segment per container
/// below the root).
fn close(frames: &mut Vec<Frame>, path: &mut Vec<Seg>) {
    frames.pop();
    if !frames.is_empty() {
        path.pop();
    }
}

/// Hostile plists for tests, here and in the probes' tests.
#[cfg(any(test, feature = "test-plists"))]
pub mod hostile {
    /// Nested `<array>`s, `levels` deep.
    pub fn nested_xml(levels: usize) -> Vec<u8> {
        let mut s = String::from("<?xml version=\"1.0\"?><plist version=\"1.0\">");
        s.push_str(&"<array>".repeat(levels));
        s.push_str(&"</array>".repeat(levels));
        s.push_str("</plist>");
        s.into_bytes()
    }

    /// A binary plist: object i is an array holding object i+1 twice; the
    /// last is a 64-byte string. 2^levels strings once expanded, in a few
    /// hundred bytes.
    pub fn shared_object_bomb(levels: u8) -> Vec<u8> {
        let mut out = b"bplist00".to_vec();
        let mut offsets = Vec::new();
        for i in 0..levels {
            offsets.push(out.len() as u8);
            out.extend_from_slice(&[0xA2, i + 1, i + 1]);
        }
        offsets.push(out.len() as u8);
        out.extend_from_slice(&[0x5F, 0x10, 0x40]);
        out.extend_from_slice(&[b'x'; 64]);
        let table = out.len() as u64;
        out.extend_from_slice(&offsets);
        let mut trailer = [0u8; 32];
        trailer[6] = 1; // offset size
        trailer[7] = 1; // ref size
        trailer[8..16].copy_from_slice(&u64::from(levels + 1).to_be_bytes());
        trailer[24..32].copy_from_slice(&table.to_be_bytes());
        out.extend_from_slice(&trailer);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::hostile::{nested_xml, shared_object_bomb};
    use super::*;

    #[test]
    fn reads_ordinary_plists() {
        let mut d = Dictionary::new();
        d.insert("DeviceList".into(), Value::Array(vec![Value::from(1u64)]));
        let mut xml = Vec::new();
        plist::to_writer_xml(&mut xml, &d).unwrap();
        assert_eq!(parse_plist_dict(&xml).unwrap(), d);
        let mut bin = Vec::new();
        plist::to_writer_binary(&mut bin, &d).unwrap();
        assert_eq!(parse_plist_dict(&bin).unwrap(), d);
        assert_eq!(parse_plist(&nested_xml(MAX_DEPTH)).map(|_| ()), Ok(()));
        // A little sharing is fine.
        assert!(parse_plist(&shared_object_bomb(2)).is_ok());
        assert_eq!(scan(&shared_object_bomb(3), &|_| true).unwrap().len(), 8);
    }

    #[test]
    fn refuses_deep_nesting_without_overflowing() {
        assert_eq!(
            parse_plist(&nested_xml(MAX_DEPTH + 1)),
            Err(PlistError::TooDeep)
        );
        assert_eq!(parse_plist(&nested_xml(300_000)), Err(PlistError::TooDeep));
        assert_eq!(
            scan(&nested_xml(300_000), &|_| true),
            Err(PlistError::TooDeep)
        );
    }

    #[test]
    fn refuses_exponential_sharing() {
        let bomb = shared_object_bomb(40);
        assert!(bomb.len() < 400);
        assert_eq!(parse_plist(&bomb), Err(PlistError::Expands(bomb.len())));
        assert_eq!(
            scan_binary(&bomb, &|_| false),
            Err(PlistError::Expands(bomb.len()))
        );
    }

    #[test]
    fn refuses_garbage_and_non_dictionaries() {
        let got = parse_plist(b"<?xml version=\"1.0\"?><plist><dict><key>a</key>");
        assert!(matches!(got, Err(PlistError::Invalid(_))), "{got:?}");
        let mut xml = Vec::new();
        plist::to_writer_xml(&mut xml, &Value::from("s")).unwrap();
        assert_eq!(parse_plist_dict(&xml), Err(PlistError::NotADictionary));
        assert!(matches!(scan(b"", &|_| true), Err(PlistError::Invalid(_))));
        assert!(matches!(
            scan(b"\x00\xff garbage", &|_| true),
            Err(PlistError::Invalid(_))
        ));
    }

    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>Device Name</key><string>Alice</string>
<key>IMEI</key><string>350000000000000</string>
<key>Lockdown</key><dict><key>ProductVersion</key><string>17.5</string></dict>
<key>List</key><array><string>a</string><dict><key>Size</key><integer>5</integer></dict></array>
<key>When</key><date>2024-06-05T18:32:09Z</date>
</dict></plist>"#;

    #[test]
    fn keeps_only_wanted_paths() {
        let want = |p: &[Seg]| {
            is_one_of(
                p,
                &[&["Device Name"], &["Lockdown", "ProductVersion"], &["When"]],
            )
        };
        let found = scan(XML.as_bytes(), &want).unwrap();
        assert_eq!(found.len(), 3);
        assert_eq!(
            get(&found, &["Device Name"]).and_then(Scalar::as_str),
            Some("Alice")
        );
        assert_eq!(
            get(&found, &["Lockdown", "ProductVersion"]).and_then(Scalar::as_str),
            Some("17.5")
        );
        assert_eq!(
            get(&found, &["When"]).and_then(Scalar::as_date).as_deref(),
            Some("2024-06-05T18:32:09Z")
        );
        assert!(get(&found, &["IMEI"]).is_none());
    }

    #[test]
    fn array_indices_are_counted() {
        let want = |p: &[Seg]| matches!(p, [Seg::Key(k), Seg::Index(1), Seg::Key(s)] if k == "List" && s == "Size");
        let found = scan(XML.as_bytes(), &want).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.as_u64(), Some(5));
    }
}
