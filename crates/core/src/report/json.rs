//! The JSON report: one document on stdout, never coloured.

use std::io::Write;

use super::Report;

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    // serde_json writes a few bytes at a time; the streams below (the inert
    // filter, the colour stripper) are paid per write, so batch them
    // (issue 30: a report of thousands of phones).
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut out, report).map_err(io_error)?;
    writeln!(out)?;
    out.flush()
}

/// serde_json's error as an I/O error that keeps its kind, so a closed pipe
/// (`--json | head`) ends quietly like the text report does.
pub fn io_error(e: serde_json::Error) -> std::io::Error {
    match e.io_error_kind() {
        Some(kind) => std::io::Error::from(kind),
        None => std::io::Error::other(e),
    }
}
