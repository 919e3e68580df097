//! A writer that drops ANSI escape sequences, for when colour is off.

use std::io::{self, Write};

use anstream::adapter::StripBytes;

pub struct Plain<W: Write> {
    inner: W,
    state: StripBytes,
}

impl<W: Write> Plain<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            state: StripBytes::new(),
        }
    }
}

impl<W: Write> Write for Plain<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for printable in self.state.strip_next(buf) {
            self.inner.write_all(printable)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_colour_keeps_text() {
        let mut out = Vec::new();
        let styled = crate::report::style::paint(crate::report::style::RED, "✗ BLOCKER");
        Plain::new(&mut out).write_all(styled.as_bytes()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "✗ BLOCKER");
    }
}
