//! The `Size` of a backed-up file, from its Manifest.db `file` column (an
//! NSKeyedArchiver binary plist). `--deep` reads a million of these, so the
//! common shape is read straight from the binary plist's offset table; any
//! other goes through the bounded event walk.

use crate::plist_bounded::{scan_binary, Scalar, Seg};

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
