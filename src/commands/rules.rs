//! `rules`: the catalogue, from the registry itself.

use std::io::{self, Write};

use crate::exit::ExitStatus;
use crate::report::catalogue;

pub fn run(json: bool, out: &mut dyn Write) -> io::Result<ExitStatus> {
    if json {
        catalogue::json(out)?;
    } else {
        catalogue::text(out)?;
    }
    Ok(ExitStatus::Ready)
}
