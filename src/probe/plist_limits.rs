//! Plists from outside (usbmuxd, the phone, a backup folder) read with
//! limits. Every probe that parses a plist it did not write goes through
//! [`parse_plist`].
//!
//! Why not `plist::Value::from_reader` directly:
//! - nesting: the plist crate builds values without recursion, but dropping,
//!   cloning, comparing or serialising a `Value` recurses once per level, so
//!   a 4 MiB reply of nested `<array>`s overflows the stack (found by
//!   `tests/bad_input.rs`);
//! - sharing: a binary plist may reference one object many times. Each
//!   reference is expanded, so an array of two references to an array of two
//!   references to ... (a "billion laughs" in 300 bytes) grows without bound.
//!
//! The check walks the event stream once, counting depth, events and the
//! bytes of strings and data, and stops at the first limit; only a plist
//! inside all of them is built.

use std::cell::Cell;
use std::fmt;
use std::io::Cursor;

use plist::{Dictionary, Value};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Real plists nest a handful of levels (a ListDevices reply 4, Manifest.plist 5).
pub const MAX_DEPTH: usize = 64;

/// Why a plist was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlistError {
    #[error("not a plist ({0})")]
    Invalid(String),
    #[error("nested more than {MAX_DEPTH} levels deep")]
    TooDeep,
    #[error("expands to far more than its {0} bytes (shared objects)")]
    Expands(usize),
    #[error("a plist, but not a dictionary")]
    NotADictionary,
}

/// Parses XML, binary or ASCII plist bytes within the limits above.
pub fn parse_plist(bytes: &[u8]) -> Result<Value, PlistError> {
    check(bytes)?;
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

/// Walks the plist once through serde, building nothing, and stops at the
/// first limit. (The plist crate's event stream and `Deserializer` are not
/// public in its stable API, hence `from_bytes` with a thread-local budget.)
fn check(bytes: &[u8]) -> Result<(), PlistError> {
    LIMITS.with(|limits| {
        // Without shared objects a plist has fewer values than bytes, and its
        // strings and data (UTF-16 in binary plists becomes at most 1.5 times
        // longer as UTF-8) take at most twice its size.
        limits.size.set(bytes.len());
        limits.values_left.set(bytes.len() + 16);
        limits
            .payload_left
            .set(bytes.len().saturating_mul(2) + 1024);
        limits.refused.set(None);
    });
    let result = plist::from_bytes::<Checked>(bytes);
    let refused = LIMITS.with(|limits| limits.refused.take());
    match (result, refused) {
        (_, Some(why)) => Err(why),
        (Ok(Checked), None) => Ok(()),
        (Err(e), None) => Err(PlistError::Invalid(e.to_string())),
    }
}

struct Limits {
    size: Cell<usize>,
    values_left: Cell<usize>,
    payload_left: Cell<usize>,
    refused: Cell<Option<PlistError>>,
}

thread_local! {
    static LIMITS: Limits = const {
        Limits {
            size: Cell::new(0),
            values_left: Cell::new(0),
            payload_left: Cell::new(0),
            refused: Cell::new(None),
        }
    };
}

/// A plist that passed the walk.
struct Checked;

impl<'de> de::Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        LIMITS.with(|limits| Walk { limits, depth: 0 }.deserialize(d))?;
        Ok(Checked)
    }
}

struct Walk<'a> {
    limits: &'a Limits,
    depth: usize,
}

impl Walk<'_> {
    fn refuse<E: de::Error>(&self, why: PlistError) -> E {
        let message = why.to_string();
        self.limits.refused.set(Some(why));
        E::custom(message)
    }

    /// Counts one value carrying `payload` bytes of string or data.
    fn value<E: de::Error>(&self, payload: usize) -> Result<(), E> {
        let l = self.limits;
        match (
            l.values_left.get().checked_sub(1),
            l.payload_left.get().checked_sub(payload),
        ) {
            (Some(v), Some(p)) => {
                l.values_left.set(v);
                l.payload_left.set(p);
                Ok(())
            }
            _ => Err(self.refuse(PlistError::Expands(l.size.get()))),
        }
    }

    fn child<E: de::Error>(&self) -> Result<Walk<'_>, E> {
        if self.depth >= MAX_DEPTH {
            return Err(self.refuse(PlistError::TooDeep));
        }
        Ok(Walk {
            limits: self.limits,
            depth: self.depth + 1,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a plist value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.value(0)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.value(0)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.value(0)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.value(0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.value(v.len())
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<(), E> {
        self.value(v.len())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.value(0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.value(0)?;
        while seq.next_element_seed(self.child()?)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.value(0)?;
        while map.next_key_seed(self.child()?)?.is_some() {
            map.next_value_seed(self.child()?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested_xml(levels: usize) -> Vec<u8> {
        let mut s = String::from("<?xml version=\"1.0\"?><plist version=\"1.0\">");
        s.push_str(&"<array>".repeat(levels));
        s.push_str(&"</array>".repeat(levels));
        s.push_str("</plist>");
        s.into_bytes()
    }

    /// A binary plist: object i is an array holding object i+1 twice; the
    /// last is a string. 2^levels strings once expanded.
    fn shared_bplist(levels: u8) -> Vec<u8> {
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
        // a small shared plist is fine
        assert!(parse_plist(&shared_bplist(2)).is_ok());
    }

    #[test]
    fn refuses_deep_nesting_without_overflowing() {
        assert_eq!(
            parse_plist(&nested_xml(MAX_DEPTH + 1)),
            Err(PlistError::TooDeep)
        );
        assert_eq!(parse_plist(&nested_xml(300_000)), Err(PlistError::TooDeep));
    }

    #[test]
    fn refuses_exponential_sharing_quickly() {
        let bomb = shared_bplist(40);
        assert!(bomb.len() < 400);
        let started = std::time::Instant::now();
        assert_eq!(parse_plist(&bomb), Err(PlistError::Expands(bomb.len())));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn refuses_garbage_and_non_dictionaries() {
        let got = parse_plist(b"<?xml version=\"1.0\"?><plist><dict><key>a</key>");
        assert!(matches!(got, Err(PlistError::Invalid(_))), "{got:?}");
        let mut xml = Vec::new();
        plist::to_writer_xml(&mut xml, &Value::from("s")).unwrap();
        assert_eq!(parse_plist_dict(&xml), Err(PlistError::NotADictionary));
    }
}
