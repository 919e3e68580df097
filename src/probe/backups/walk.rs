//! The size walk: every file under a backup folder, links not followed,
//! depth bounded; with `--deep` it also notes each `xx/<fileID>` file.

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use super::db::{key_of, parse_id, Listed};

/// A backup is `<UDID>/xx/<fileID>`, and a torn one has
/// `<UDID>/Snapshot/xx/<fileID>`: nothing real is deeper than this.
pub const MAX_DEPTH: usize = 6;

#[derive(Debug, Default)]
pub struct Walked {
    pub bytes: u64,
    pub files: u64,
    /// Something was not counted: deadline, depth limit or unreadable folder.
    pub incomplete: bool,
    pub cut_by_deadline: bool,
    /// `xx/<fileID>` files directly under the backup, when asked for.
    pub listed: Vec<Listed>,
}

pub fn walk(root: PathBuf, collect: bool, deadline: Option<Instant>) -> Walked {
    let mut out = Walked::default();
    // (folder, depth, the first fileID byte when its files are `xx/<fileID>` blobs)
    let mut stack: Vec<(PathBuf, usize, Option<u8>)> = vec![(root, 0, None)];
    let mut seen: u64 = 0;
    while let Some((dir, depth, blob_dir)) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            out.incomplete = true;
            continue;
        };
        for entry in entries {
            seen += 1;
            if seen % 4096 == 0 && deadline.is_some_and(|d| Instant::now() >= d) {
                out.incomplete = true;
                out.cut_by_deadline = true;
                return out;
            }
            let Ok(entry) = entry else {
                out.incomplete = true;
                continue;
            };
            let Ok(kind) = entry.file_type() else {
                out.incomplete = true;
                continue;
            };
            if kind.is_dir() {
                if depth + 1 >= MAX_DEPTH {
                    out.incomplete = true;
                    continue;
                }
                let name = entry.file_name();
                let blob_dir = match name.to_str() {
                    Some(n)
                        if depth == 0
                            && collect
                            && n.len() == 2
                            && n.bytes().all(|b| b.is_ascii_hexdigit()) =>
                    {
                        u8::from_str_radix(n, 16).ok()
                    }
                    _ => None,
                };
                stack.push((entry.path(), depth + 1, blob_dir));
            } else if kind.is_file() {
                // Relative to the open folder, without following links.
                let Ok(meta) = entry.metadata() else {
                    out.incomplete = true;
                    continue;
                };
                out.files += 1;
                out.bytes = out.bytes.saturating_add(meta.len());
                if let Some(first) = blob_dir {
                    let name = entry.file_name();
                    match name.to_str().and_then(|n| parse_id(n.as_bytes())) {
                        Some(id) if id[0] == first => out.listed.push(Listed {
                            key: key_of(&id),
                            size: meta.len(),
                        }),
                        _ => {}
                    }
                }
            }
            // Symbolic links, sockets and the like are neither followed nor counted.
        }
    }
    out
}
