//! One release archive: `iphone-backup-check-<target>/` holding the binary,
//! README, licences, `man/` and `completions/`. Entries are written in a fixed
//! order with fixed times and owners, so the same binary gives the same bytes.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use super::{Result, BIN};

/// The files the binary prints about itself, shipped beside it.
pub struct Docs {
    /// (file name, contents): the man page, then the completions.
    files: Vec<(&'static str, Vec<u8>)>,
}

/// Shells whose completion scripts ship, with the name each is installed as.
const COMPLETIONS: [(&str, &str); 4] = [
    ("bash", "iphone-backup-check.bash"),
    ("zsh", "_iphone-backup-check"),
    ("fish", "iphone-backup-check.fish"),
    ("powershell", "_iphone-backup-check.ps1"),
];
const MAN_PAGE: &str = "iphone-backup-check.1";

impl Docs {
    /// Runs `binary man` and `binary completions SHELL`.
    pub fn from_binary(binary: &Path) -> Result<Self> {
        let print = |args: &[&str]| -> Result<Vec<u8>> {
            let out = Command::new(binary).args(args).output()?;
            if !out.status.success() || out.stdout.is_empty() {
                return Err(format!("{} {args:?}: {}", binary.display(), out.status).into());
            }
            Ok(out.stdout)
        };
        let mut files = vec![(MAN_PAGE, print(&["man"])?)];
        for (shell, name) in COMPLETIONS {
            files.push((name, print(&["completions", shell])?));
        }
        Ok(Self { files })
    }

    /// The files, flat in `dir` (for cargo-deb's assets).
    pub fn write_to(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, bytes) in &self.files {
            std::fs::write(dir.join(name), bytes)?;
        }
        Ok(())
    }

    /// Path inside the archive's folder.
    fn place(name: &str) -> String {
        if name == MAN_PAGE {
            format!("man/{name}")
        } else {
            format!("completions/{name}")
        }
    }
}

/// The archive's file name for a target.
pub fn name(target: &str) -> String {
    if target.contains("windows") {
        format!("{BIN}-{target}.zip")
    } else {
        format!("{BIN}-{target}.tar.gz")
    }
}

/// Writes the archive of `target` into `dist`; returns its file name.
pub fn write(dist: &Path, target: &str, binary: &Path, docs: &Docs, repo: &Path) -> Result<String> {
    let top = format!("{BIN}-{target}");
    let exe_name = binary
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("binary has no file name")?;
    // (path in the archive, contents, executable)
    let mut entries: Vec<(String, Vec<u8>, bool)> =
        vec![(format!("{top}/{exe_name}"), std::fs::read(binary)?, true)];
    for file in ["README.md", "LICENSE-MIT", "LICENSE-APACHE"] {
        entries.push((
            format!("{top}/{file}"),
            std::fs::read(repo.join(file))?,
            false,
        ));
    }
    for (file, bytes) in &docs.files {
        entries.push((format!("{top}/{}", Docs::place(file)), bytes.clone(), false));
    }
    let name = name(target);
    let path = dist.join(&name);
    if name.ends_with(".zip") {
        write_zip(&path, &entries)?;
    } else {
        write_tar_gz(&path, &entries)?;
    }
    Ok(name)
}

fn write_tar_gz(path: &Path, entries: &[(String, Vec<u8>, bool)]) -> Result<()> {
    let gz =
        flate2::write::GzEncoder::new(std::fs::File::create(path)?, flate2::Compression::best());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    let mut dirs: Vec<String> = Vec::new();
    for (name, bytes, exe) in entries {
        // Directories first, so every extractor makes them with sane modes.
        let mut at = name.as_str();
        let mut parents = Vec::new();
        while let Some((parent, _)) = at.rsplit_once('/') {
            parents.push(parent.to_string());
            at = parent;
        }
        for dir in parents.into_iter().rev() {
            if !dirs.contains(&dir) {
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                h.set_mtime(0);
                tar.append_data(&mut h, format!("{dir}/"), std::io::empty())?;
                dirs.push(dir);
            }
        }
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(if *exe { 0o755 } else { 0o644 });
        h.set_mtime(0);
        tar.append_data(&mut h, name, bytes.as_slice())?;
    }
    tar.into_inner()?.finish()?.flush()?;
    Ok(())
}

fn write_zip(path: &Path, entries: &[(String, Vec<u8>, bool)]) -> Result<()> {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path)?);
    for (name, bytes, exe) in entries {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(if *exe { 0o755 } else { 0o644 });
        zip.start_file(name.as_str(), options)?;
        zip.write_all(bytes)?;
    }
    zip.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Docs {
        Docs {
            files: vec![
                (MAN_PAGE, b".TH X 1\n".to_vec()),
                ("iphone-backup-check.bash", b"complete\n".to_vec()),
            ],
        }
    }

    fn fake(dir: &Path, target: &str) -> String {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let bin = dir.join(if target.contains("windows") {
            "x.exe"
        } else {
            "x"
        });
        std::fs::write(&bin, b"\x7fELF not really").unwrap();
        write(dir, target, &bin, &docs(), &repo).unwrap()
    }

    #[test]
    fn a_tarball_holds_one_folder_with_an_executable_binary_and_the_docs() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let name = fake(dir, "x86_64-unknown-linux-musl");
        assert_eq!(name, "iphone-backup-check-x86_64-unknown-linux-musl.tar.gz");
        let file = std::fs::File::open(dir.join(&name)).unwrap();
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let mut seen = Vec::new();
        for e in tar.entries().unwrap() {
            let e = e.unwrap();
            let path = e.path().unwrap().to_string_lossy().to_string();
            let mode = e.header().mode().unwrap();
            if path.ends_with("/x") {
                assert_eq!(mode, 0o755);
            }
            seen.push(path);
        }
        let top = "iphone-backup-check-x86_64-unknown-linux-musl";
        for want in [
            format!("{top}/x"),
            format!("{top}/README.md"),
            format!("{top}/LICENSE-MIT"),
            format!("{top}/LICENSE-APACHE"),
            format!("{top}/man/iphone-backup-check.1"),
            format!("{top}/completions/iphone-backup-check.bash"),
        ] {
            assert!(seen.contains(&want), "{want} not in {seen:?}");
        }
        assert!(seen.iter().all(|p| p.starts_with(top)), "{seen:?}");
    }

    #[test]
    fn the_same_binary_gives_the_same_bytes() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (a, b) = (a.path(), b.path());
        for target in ["x86_64-unknown-linux-musl", "x86_64-pc-windows-gnu"] {
            let (na, nb) = (fake(a, target), fake(b, target));
            assert_eq!(
                std::fs::read(a.join(na)).unwrap(),
                std::fs::read(b.join(nb)).unwrap(),
                "{target}"
            );
        }
    }

    #[test]
    fn a_windows_zip_holds_the_exe() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let name = fake(dir, "x86_64-pc-windows-gnu");
        assert!(name.ends_with(".zip"));
        let mut zip = zip::ZipArchive::new(std::fs::File::open(dir.join(name)).unwrap()).unwrap();
        let exe = zip
            .by_name("iphone-backup-check-x86_64-pc-windows-gnu/x.exe")
            .unwrap();
        assert_eq!(exe.size(), b"\x7fELF not really".len() as u64);
    }
}
