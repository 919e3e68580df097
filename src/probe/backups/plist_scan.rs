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
///
/// A million of these are read by `--deep`, so the three objects on the way
/// to `Size` are first looked up directly in the binary plist's offset table
/// ([`quick_mbfile_size`]); anything unexpected falls back to the full
/// `plist` event parser.
pub fn mbfile_size(blob: &[u8]) -> Option<u64> {
    quick_mbfile_size(blob).or_else(|| parsed_mbfile_size(blob))
}

/// Binary plist (`bplist00`) lookup of `$objects[$top.root].Size`, touching
/// only the objects on that path. Every read is bounds-checked; it answers
/// None for anything it does not fully understand.
pub fn quick_mbfile_size(blob: &[u8]) -> Option<u64> {
    let bp = Bplist::new(blob)?;
    let top = bp.dict_get(bp.top, b"$top")?;
    let root = bp.uid(bp.dict_get(top, b"root")?)?;
    let objects = bp.dict_get(bp.top, b"$objects")?;
    let file = bp.array_get(objects, root)?;
    bp.unsigned(bp.dict_get(file, b"Size")?)
}

struct Bplist<'a> {
    data: &'a [u8],
    offset_size: usize,
    ref_size: usize,
    count: u64,
    table: usize,
    top: u64,
}

impl<'a> Bplist<'a> {
    fn new(data: &'a [u8]) -> Option<Self> {
        if data.len() < 40 || !data.starts_with(b"bplist00") {
            return None;
        }
        let t = data.get(data.len() - 32..)?;
        let offset_size = usize::from(t[6]);
        let ref_size = usize::from(t[7]);
        let count = be(t.get(8..16)?)?;
        let top = be(t.get(16..24)?)?;
        let table = usize::try_from(be(t.get(24..32)?)?).ok()?;
        if !(1..=8).contains(&offset_size) || !(1..=8).contains(&ref_size) || top >= count {
            return None;
        }
        let table_len = usize::try_from(count).ok()?.checked_mul(offset_size)?;
        if table.checked_add(table_len)? > data.len() - 32 {
            return None;
        }
        Some(Self {
            data,
            offset_size,
            ref_size,
            count,
            table,
            top,
        })
    }

    /// Where object `i` starts.
    fn offset(&self, i: u64) -> Option<usize> {
        if i >= self.count {
            return None;
        }
        let at = self.table + usize::try_from(i).ok()? * self.offset_size;
        let off = usize::try_from(be(self.data.get(at..at + self.offset_size)?)?).ok()?;
        (off < self.table).then_some(off)
    }

    /// Marker nibbles and, for collections and strings, the length and where
    /// the content starts.
    fn header(&self, i: u64) -> Option<(u8, u64, usize)> {
        let off = self.offset(i)?;
        let marker = *self.data.get(off)?;
        let (kind, low) = (marker >> 4, marker & 0x0f);
        if low != 0x0f {
            return Some((kind, u64::from(low), off + 1));
        }
        // A longer length follows as an int object: 0x1n, 2^n bytes.
        let int_marker = *self.data.get(off + 1)?;
        if int_marker >> 4 != 1 || int_marker & 0x0f > 3 {
            return None;
        }
        let n = 1usize << (int_marker & 0x0f);
        let len = be(self.data.get(off + 2..off + 2 + n)?)?;
        Some((kind, len, off + 2 + n))
    }

    fn reference(&self, at: usize) -> Option<u64> {
        be(self.data.get(at..at.checked_add(self.ref_size)?)?)
    }

    /// The value reference for an ASCII `key` in dictionary object `dict`.
    fn dict_get(&self, dict: u64, key: &[u8]) -> Option<u64> {
        let (kind, len, start) = self.header(dict)?;
        if kind != 0xd {
            return None;
        }
        let len = usize::try_from(len).ok()?;
        for k in 0..len {
            let key_ref = self.reference(start.checked_add(k.checked_mul(self.ref_size)?)?)?;
            let (kk, klen, kstart) = self.header(key_ref)?;
            if kk == 0x5
                && usize::try_from(klen).ok()? == key.len()
                && self.data.get(kstart..kstart + key.len())? == key
            {
                let at = len.checked_add(k)?.checked_mul(self.ref_size)?;
                return self.reference(start.checked_add(at)?);
            }
        }
        None
    }

    fn array_get(&self, array: u64, index: u64) -> Option<u64> {
        let (kind, len, start) = self.header(array)?;
        if kind != 0xa || index >= len {
            return None;
        }
        let at = usize::try_from(index).ok()?.checked_mul(self.ref_size)?;
        self.reference(start.checked_add(at)?)
    }

    fn uid(&self, i: u64) -> Option<u64> {
        let off = self.offset(i)?;
        let marker = *self.data.get(off)?;
        if marker >> 4 != 0x8 {
            return None;
        }
        let n = usize::from(marker & 0x0f) + 1;
        if n > 8 {
            return None;
        }
        be(self.data.get(off + 1..off + 1 + n)?)
    }

    fn unsigned(&self, i: u64) -> Option<u64> {
        let off = self.offset(i)?;
        let marker = *self.data.get(off)?;
        if marker >> 4 != 0x1 {
            return None;
        }
        let n = 1usize << (marker & 0x0f).min(4);
        let bytes = self.data.get(off + 1..off + 1 + n)?;
        match n {
            // 8-byte integers are signed; negative sizes are not sizes.
            8 => be(bytes).filter(|v| *v <= i64::MAX as u64),
            16 => {
                let (hi, lo) = bytes.split_at(8);
                (be(hi)? == 0).then(|| be(lo)).flatten()
            }
            _ => be(bytes),
        }
    }
}

/// A big-endian unsigned integer of 1 to 8 bytes.
fn be(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    Some(bytes.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b)))
}

/// The same lookup through the `plist` event parser.
pub fn parsed_mbfile_size(blob: &[u8]) -> Option<u64> {
    let want = |p: &[Seg]| match p {
        [Seg::Key(top), Seg::Key(root)] => top == "$top" && root == "root",
        [Seg::Key(objects), Seg::Index(_), Seg::Key(size)] => {
            objects == "$objects" && size == "Size"
        }
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
        let want = |p: &[Seg]| {
            is_one_of(
                p,
                &[&["Device Name"], &["Lockdown", "ProductVersion"], &["When"]],
            )
        };
        let found = scan(XML.as_bytes(), &want).expect("parses");
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
    fn quick_lookup_agrees_with_the_parser_and_never_panics() {
        for (size, path) in [
            (0u64, ""),
            (1, "a"),
            (255, "x"),
            (70_000, "Media/DCIM/100APPLE/IMG_0001.HEIC"),
            (u64::from(u32::MAX) + 5, "big"),
        ] {
            let blob = crate::probe::backups::synth::mbfile_blob(size, path);
            assert_eq!(quick_mbfile_size(&blob), Some(size), "{size}");
            assert_eq!(parsed_mbfile_size(&blob), Some(size), "{size}");
        }
        // Every truncation and many single-byte corruptions: no panic, and
        // whenever both answer they agree.
        let blob = crate::probe::backups::synth::mbfile_blob(4242, "Library/Preferences/x.plist");
        for cut in 0..blob.len() {
            let _ = mbfile_size(&blob[..cut]);
        }
        for i in 0..blob.len() {
            for v in [0u8, 0x0f, 0x7f, 0xff] {
                let mut b = blob.clone();
                b[i] = v;
                if let (Some(q), Some(p)) = (quick_mbfile_size(&b), parsed_mbfile_size(&b)) {
                    assert_eq!(q, p, "byte {i} = {v}");
                }
            }
        }
    }

    #[test]
    fn absurd_collection_lengths_are_refused() {
        let blob = crate::probe::backups::synth::mbfile_blob(7, "p");
        // Turn every dictionary and array marker into "length follows" with
        // an 8-byte length of u64::MAX, wherever such a marker byte occurs.
        for i in 0..blob.len().saturating_sub(10) {
            if matches!(blob[i] >> 4, 0xa | 0xd) {
                let mut b = blob[..i + 1].to_vec();
                b[i] |= 0x0f;
                b.push(0x13);
                b.extend([0xff; 8]);
                b.extend(&blob[i + 1..]);
                let _ = quick_mbfile_size(&b);
                let _ = mbfile_size(&b);
            }
        }
        // A length in the header of the top dictionary that overflows.
        let mut b = blob.clone();
        let len = b.len();
        b[len - 16..len - 8].copy_from_slice(&[0xff; 8]);
        assert_eq!(quick_mbfile_size(&b), None);
    }

    #[test]
    fn mbfile_size_reads_the_root_object() {
        let blob = crate::probe::backups::synth::mbfile_blob(12345, "Library/x");
        assert_eq!(mbfile_size(&blob), Some(12345));
        assert_eq!(mbfile_size(b"bplist00junk"), None);
    }
}
