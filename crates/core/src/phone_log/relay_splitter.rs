//! `com.apple.syslog_relay` sends raw bytes with no framing: each message is
//! its text, a newline and a NUL byte (libimobiledevice's `idevicesyslog`
//! prints up to each NUL; the idevice crate reads up to `\n\0`). This turns
//! whatever chunks arrive into lines, in bounded memory whatever the relay
//! sends: a message longer than [`MAX_LINE`] is cut there and the rest
//! skipped up to its NUL; one that is not text is dropped.

/// The longest message kept, in bytes; the backup agent's longest lines
/// (iOS 5's MBDriveProperties) are about 1 KiB.
pub const MAX_LINE: usize = 4096;

#[derive(Debug, Default)]
pub struct RelaySplitter {
    buf: Vec<u8>,
    /// The current message passed MAX_LINE: skip to its NUL.
    skipping: bool,
    /// Messages cut or dropped so far.
    pub cut: u64,
}

impl RelaySplitter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one chunk; returns the messages it completed, each without its
    /// trailing newline. A multi-line message comes back as one string.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for (i, part) in chunk.split(|b| *b == 0).enumerate() {
            if i > 0 {
                // A NUL ended the message before `part`.
                self.finish(&mut out);
            }
            if self.skipping {
                continue;
            }
            let room = MAX_LINE.saturating_sub(self.buf.len());
            if part.len() > room {
                self.buf.extend_from_slice(&part[..room]);
                self.skipping = true;
                self.cut += 1;
            } else {
                self.buf.extend_from_slice(part);
            }
        }
        out
    }

    fn finish(&mut self, out: &mut Vec<String>) {
        let bytes = std::mem::take(&mut self.buf);
        self.skipping = false;
        if bytes.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&bytes);
        let control = text
            .chars()
            .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            .count();
        let replaced = text.chars().filter(|c| *c == '\u{fffd}').count();
        // Mostly binary: not a log message.
        if (control + replaced) * 8 > text.chars().count() {
            self.cut += 1;
            return;
        }
        let trimmed = text.trim_end_matches(['\n', '\r']);
        if !trimmed.is_empty() {
            out.push(trimmed.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_split_at_nul_across_chunks() {
        let mut s = RelaySplitter::new();
        assert!(s
            .push(b"Nov 30 05:33:32 BackupAgent2[1] <Notice>: one\n")
            .is_empty());
        let lines = s.push(b"\0Nov 30 05:33:33 BackupAgent2[1] <Notice>: two\n\0Nov");
        assert_eq!(
            lines,
            [
                "Nov 30 05:33:32 BackupAgent2[1] <Notice>: one",
                "Nov 30 05:33:33 BackupAgent2[1] <Notice>: two"
            ]
        );
        assert_eq!(s.push(b" 30 x\n\0"), ["Nov 30 x"]);
    }

    #[test]
    fn a_line_without_end_or_binary_costs_bounded_memory() {
        let mut s = RelaySplitter::new();
        for _ in 0..1000 {
            assert!(s.push(&[b'a'; 4096]).is_empty());
            assert!(s.buf.len() <= MAX_LINE);
        }
        let out = s.push(b"tail\0next\0");
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].len(), MAX_LINE);
        assert_eq!(out[1], "next");
        assert_eq!(s.cut, 1);
        let binary: Vec<u8> = (1u8..=255).chain([0]).collect();
        assert!(s.push(&binary).is_empty());
        assert_eq!(s.cut, 2);
        assert!(s.push(b"\0\0\0").is_empty());
    }
}
