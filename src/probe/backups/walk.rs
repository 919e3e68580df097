//! The size walk: every file under a backup folder, links not followed,
//! depth bounded; with `--deep` it also notes each `xx/<fileID>` file.

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// A folder still to read: path, depth below the backup, and the first
/// fileID byte when its files are `xx/<fileID>` blobs.
type Task = (PathBuf, usize, Option<u8>);

/// Walks the backup under `root`. The top folder is read here; its
/// subfolders (the 256 `xx/` folders) are shared out to a few threads, since
/// the time goes into one `statx` per file and the kernel serves those in
/// parallel.
pub fn walk(root: PathBuf, collect: bool, deadline: Option<Instant>) -> Walked {
    let mut top = Walked::default();
    let mut tasks: Vec<Task> = Vec::new();
    let mut seen = 0u64;
    if !visit(
        &(root, 0, None),
        collect,
        deadline,
        &mut top,
        &mut tasks,
        &mut seen,
    ) {
        return top;
    }
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4)
        .min(tasks.len().max(1));
    let next = AtomicUsize::new(0);
    let parts: Vec<Walked> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Walked::default();
                    let mut seen = 0u64;
                    let mut stack: Vec<Task> = Vec::new();
                    while let Some(task) = tasks.get(next.fetch_add(1, Ordering::Relaxed)) {
                        stack.push(task.clone());
                        while let Some(t) = stack.pop() {
                            if !visit(&t, collect, deadline, &mut out, &mut stack, &mut seen) {
                                return out;
                            }
                        }
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| Walked {
                    incomplete: true,
                    ..Default::default()
                })
            })
            .collect()
    });
    let total: usize = parts.iter().map(|p| p.listed.len()).sum();
    top.listed.reserve_exact(total);
    for mut p in parts {
        top.bytes = top.bytes.saturating_add(p.bytes);
        top.files += p.files;
        top.incomplete |= p.incomplete;
        top.cut_by_deadline |= p.cut_by_deadline;
        top.listed.append(&mut p.listed);
    }
    top
}

/// Reads one folder: counts its files, queues its subfolders. False when
/// the deadline passed.
fn visit(
    task: &Task,
    collect: bool,
    deadline: Option<Instant>,
    out: &mut Walked,
    stack: &mut Vec<Task>,
    seen: &mut u64,
) -> bool {
    let (dir, depth, blob_dir) = (&task.0, task.1, task.2);
    let Ok(entries) = fs::read_dir(dir) else {
        out.incomplete = true;
        return true;
    };
    for entry in entries {
        *seen += 1;
        if *seen % 4096 == 0 && deadline.is_some_and(|d| Instant::now() >= d) {
            out.incomplete = true;
            out.cut_by_deadline = true;
            return false;
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
    true
}
