//! Reading a file whose holes cost nothing: a sparse file (a disk image, a
//! pre-allocated log) reads as the zeros it holds, but the zeros of a hole
//! are written by us instead of being fetched from the kernel page by page,
//! so `--from` on a 1 GiB sparse file takes as long as its data.

use std::fs::File;
use std::io::Read;

/// A `Read` over a file that asks the OS where its data lies
/// (`SEEK_DATA`/`SEEK_HOLE`) and fills holes itself.
pub struct HoleSkipping {
    file: File,
    pos: u64,
    /// The current run: zeros up to `data`, then file bytes up to `hole`.
    data: u64,
    hole: u64,
    /// The OS cannot say where holes are: read everything.
    plain: bool,
}

impl HoleSkipping {
    pub fn new(file: File) -> Self {
        Self {
            file,
            pos: 0,
            data: 0,
            hole: 0,
            plain: false,
        }
    }

    /// Where the next data and the hole after it lie, from `pos`.
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    fn locate(&mut self) -> std::io::Result<()> {
        use rustix::fs::{seek, SeekFrom};
        let end = self.file.metadata()?.len();
        match seek(&self.file, SeekFrom::Data(self.pos)) {
            Ok(data) => {
                self.data = data;
                self.hole = seek(&self.file, SeekFrom::Hole(data)).unwrap_or(end);
                seek(&self.file, SeekFrom::Start(data))?;
            }
            // In a hole that runs to the end of the file.
            Err(rustix::io::Errno::NXIO) => {
                self.data = end;
                self.hole = end;
            }
            Err(_) => self.plain = true,
        }
        Ok(())
    }

    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    fn locate(&mut self) -> std::io::Result<()> {
        self.plain = true;
        Ok(())
    }
}

impl Read for HoleSkipping {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if !self.plain && self.pos >= self.hole {
            self.locate()?;
        }
        if self.plain {
            return self.file.read(buf);
        }
        if self.pos < self.data {
            let n = buf
                .len()
                .min(usize::try_from(self.data - self.pos).unwrap_or(usize::MAX));
            buf[..n].fill(0);
            self.pos += n as u64;
            return Ok(n);
        }
        if self.pos >= self.hole {
            return Ok(0); // the end of the file
        }
        let room = usize::try_from(self.hole - self.pos).unwrap_or(usize::MAX);
        let n = buf.len().min(room);
        let n = self.file.read(&mut buf[..n])?;
        if n == 0 {
            // The file shrank while being read: stop here.
            self.hole = self.pos;
            self.data = self.pos;
            return Ok(0);
        }
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Seek, SeekFrom, Write};

    #[test]
    fn a_sparse_file_reads_as_its_bytes() {
        let dir = std::env::temp_dir().join(format!("ibc-holes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("sparse.log");
        let mut f = File::create(&path).unwrap();
        f.write_all(b"start\n").unwrap();
        f.seek(SeekFrom::Start(8 << 20)).unwrap();
        f.write_all(b"middle\n").unwrap();
        f.set_len(20 << 20).unwrap();
        drop(f);
        let mut read = Vec::new();
        HoleSkipping::new(File::open(&path).unwrap())
            .read_to_end(&mut read)
            .unwrap();
        let expected = std::fs::read(&path).unwrap();
        assert_eq!(read.len(), expected.len());
        assert!(read == expected, "same bytes as a plain read");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
