//! `SHA256SUMS`: one `<hex>  <file name>` line per artifact, the format
//! `sha256sum -c` and `shasum -a 256 -c` check.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::Result;

pub const SUMS: &str = "SHA256SUMS";

/// Files that are artifacts: archives and packages (not the recipes or
/// scripts written from the sums).
fn is_artifact(name: &str) -> bool {
    [".tar.gz", ".zip", ".deb", ".rpm"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// Hashes every artifact in `dist` and writes `SHA256SUMS`; returns
/// (file name, hex digest), sorted by name.
pub fn write_sums(dist: &Path) -> Result<Vec<(String, String)>> {
    let mut sums = Vec::new();
    for entry in std::fs::read_dir(dist)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        if entry.file_type()?.is_file() && is_artifact(&name) {
            sums.push((name, sha256_file(&entry.path())?));
        }
    }
    if sums.is_empty() {
        return Err(format!("no archive or package in {}", dist.display()).into());
    }
    sums.sort();
    std::fs::write(dist.join(SUMS), render(&sums))?;
    Ok(sums)
}

pub fn render(sums: &[(String, String)]) -> String {
    sums.iter()
        .map(|(name, hex)| format!("{hex}  {name}\n"))
        .collect()
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut hasher = Sha256::new();
    std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok(format!("{:x}", hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_cover_the_artifacts_only_in_sha256sum_format() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.tar.gz"), b"abc").unwrap();
        std::fs::write(dir.path().join("b.zip"), b"").unwrap();
        std::fs::write(dir.path().join("install.sh"), b"#!/bin/sh").unwrap();
        let sums = write_sums(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(SUMS)).unwrap();
        // The published digests of "abc" and of nothing (FIPS 180-2 test vectors).
        assert_eq!(
            text,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.tar.gz\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  b.zip\n"
        );
        assert_eq!(sums.len(), 2);
    }
}
