//! Reads only chosen values out of a property list, from its event stream.
//!
//! No tree of the whole plist is ever built: values outside the wanted paths
//! (Info.plist's IMEI and iTunes files, Manifest.plist's key bag) pass by as
//! events and are dropped at once. Nesting is bounded, so a hostile file
//! cannot exhaust the stack or memory through depth.

use std::io::Cursor;

use plist::stream::{BinaryReader, Event, Reader};

/// Deeper than any Apple backup plist; deeper input is refused.
const MAX_DEPTH: usize = 256;

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

/// Reads a plist of any format (XML, binary, ASCII), keeping the leaves for
/// which `want(path)` is true. Errors are the parser's words.
pub fn scan(bytes: &[u8], want: &dyn Fn(&[Seg]) -> bool) -> Result<Found, String> {
    run(Reader::new(Cursor::new(bytes)), want)
}

/// As [`scan`], for a binary plist only (faster: no format detection).
pub fn scan_binary(bytes: &[u8], want: &dyn Fn(&[Seg]) -> bool) -> Result<Found, String> {
    run(BinaryReader::new(Cursor::new(bytes)), want)
}

enum Frame {
    Dict { key: Option<String> },
    Array { next: u64 },
}

fn run<I>(events: I, want: &dyn Fn(&[Seg]) -> bool) -> Result<Found, String>
where
    I: Iterator<Item = Result<Event<'static>, plist::Error>>,
{
    let mut frames: Vec<Frame> = Vec::new();
    let mut path: Vec<Seg> = Vec::new();
    let mut found = Found::new();
    let mut root_seen = false;
    for event in events {
        let event = event.map_err(|e| e.to_string())?;
        // A dictionary expects a key first: strings in key position are keys.
        if let Some(Frame::Dict { key }) = frames.last_mut() {
            if key.is_none() {
                match event {
                    Event::String(s) => {
                        *key = Some(s.into_owned());
                        continue;
                    }
                    Event::EndCollection => {
                        end(&mut frames, &mut path);
                        continue;
                    }
                    _ => return Err("a dictionary key is not a string".into()),
                }
            }
        }
        if frames.is_empty() && root_seen {
            return Err("more than one value at the top level".into());
        }
        // The path of the value this event starts.
        let seg = match frames.last_mut() {
            Some(Frame::Dict { key }) => key.take().map(Seg::Key),
            Some(Frame::Array { next }) => {
                if matches!(event, Event::EndCollection) {
                    end(&mut frames, &mut path);
                    continue;
                }
                let i = *next;
                *next += 1;
                Some(Seg::Index(i))
            }
            None => None,
        };
        root_seen = true;
        let start = |frames: &mut Vec<Frame>, path: &mut Vec<Seg>, frame: Frame| {
            if frames.len() >= MAX_DEPTH {
                return Err(format!("nested more than {MAX_DEPTH} levels deep"));
            }
            // The root container has no path segment of its own.
            if let Some(s) = seg.clone() {
                path.push(s);
            }
            frames.push(frame);
            Ok(())
        };
        let scalar = match event {
            Event::StartDictionary(_) => {
                start(&mut frames, &mut path, Frame::Dict { key: None })?;
                continue;
            }
            Event::StartArray(_) => {
                start(&mut frames, &mut path, Frame::Array { next: 0 })?;
                continue;
            }
            Event::EndCollection => return Err("unbalanced end of collection".into()),
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
        return Err("the plist ends inside a collection".into());
    }
    if !root_seen {
        return Err("the plist holds no value".into());
    }
    Ok(found)
}

/// Closes the innermost container (the path has one segment per container
/// below the root).
fn end(frames: &mut Vec<Frame>, path: &mut Vec<Seg>) {
    frames.pop();
    if !frames.is_empty() {
        path.pop();
    }
}

/// The value at `keys` (dictionary keys only) in `found`.
pub fn get<'a>(found: &'a Found, keys: &[&str]) -> Option<&'a Scalar> {
    found
        .iter()
        .find(|(p, _)| {
            p.len() == keys.len()
                && p.iter()
                    .zip(keys)
                    .all(|(s, k)| matches!(s, Seg::Key(x) if x == k))
        })
        .map(|(_, v)| v)
}

/// True when `path` is exactly one of the listed key paths.
pub fn is_one_of(path: &[Seg], wanted: &[&[&str]]) -> bool {
    wanted.iter().any(|keys| {
        path.len() == keys.len()
            && path
                .iter()
                .zip(keys.iter())
                .all(|(s, k)| matches!(s, Seg::Key(x) if x == k))
    })
}

/// The `Size` recorded in a Manifest.db `file` column: an NSKeyedArchiver
/// binary plist whose `$top` → `root` points into `$objects` at an MBFile
/// dictionary holding `Size`.
pub fn mbfile_size(blob: &[u8]) -> Option<u64> {
    let want = |p: &[Seg]| match p {
        [Seg::Key(top), Seg::Key(root)] => top == "$top" && root == "root",
        [Seg::Key(objects), Seg::Index(_), Seg::Key(size)] => objects == "$objects" && size == "Size",
        _ => false,
    };
    let found = scan_binary(blob, &want).ok()?;
    let root = found.iter().find_map(|(p, v)| match (p.as_slice(), v) {
        ([Seg::Key(t), _], Scalar::Uid(u)) if t == "$top" => Some(*u),
        _ => None,
    });
    let sizes = found.iter().filter_map(|(p, v)| match p.as_slice() {
        [_, Seg::Index(i), _] => v.as_u64().map(|s| (*i, s)),
        _ => None,
    });
    let mut first = None;
    for (i, s) in sizes {
        if Some(i) == root {
            return Some(s);
        }
        first.get_or_insert(s);
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let want = |p: &[Seg]| is_one_of(p, &[&["Device Name"], &["Lockdown", "ProductVersion"], &["When"]]);
        let found = scan(XML.as_bytes(), &want).expect("parses");
        assert_eq!(found.len(), 3);
        assert_eq!(get(&found, &["Device Name"]).and_then(Scalar::as_str), Some("Alice"));
        assert_eq!(get(&found, &["Lockdown", "ProductVersion"]).and_then(Scalar::as_str), Some("17.5"));
        assert_eq!(get(&found, &["When"]).and_then(Scalar::as_date).as_deref(), Some("2024-06-05T18:32:09Z"));
        assert!(get(&found, &["IMEI"]).is_none());
    }

    #[test]
    fn array_indices_are_counted() {
        let want = |p: &[Seg]| matches!(p, [Seg::Key(l), Seg::Index(1), Seg::Key(s)] if l == "List" && s == "Size");
        let found = scan(XML.as_bytes(), &want).expect("parses");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.as_u64(), Some(5));
    }

    #[test]
    fn garbage_and_depth_are_errors_not_panics() {
        let none = |_: &[Seg]| true;
        assert!(scan(b"", &none).is_err());
        assert!(scan(b"not a plist at all \x00\xff", &none).is_err());
        assert!(scan(b"bplist00\x00\x01", &none).is_err());
        let deep = format!(
            r#"<?xml version="1.0"?><plist version="1.0">{}{}</plist>"#,
            "<array>".repeat(10_000),
            "</array>".repeat(10_000)
        );
        let err = scan(deep.as_bytes(), &none).expect_err("too deep");
        assert!(err.contains("nested"), "{err}");
    }

    #[test]
    fn mbfile_size_reads_the_root_object() {
        let blob = crate::probe::backups::synth::mbfile_blob(12345, "Library/x");
        assert_eq!(mbfile_size(&blob), Some(12345));
        assert_eq!(mbfile_size(b"bplist00junk"), None);
    }
}
