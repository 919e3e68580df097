//! Package-manager recipes written from a release's checksums: a Homebrew
//! formula, a Scoop manifest, a winget manifest set, and the release copy of
//! install.sh. Every download address is derived from Cargo.toml's
//! `repository` (GitHub's release layout: `<repository>/releases/download/v<version>/<file>`),
//! the one place it is kept.

use super::{archive, Result, BIN};

pub struct Release<'a> {
    pub repository: &'a str,
    pub version: &'a str,
    pub description: &'a str,
    /// (file name, SHA-256 hex), as in SHA256SUMS.
    pub sums: &'a [(String, String)],
}

const MAC: &str = "universal-apple-darwin";
const LINUX_X64: &str = "x86_64-unknown-linux-musl";
const LINUX_ARM: &str = "aarch64-unknown-linux-musl";
const WINDOWS: &str = "x86_64-pc-windows-gnu";

impl Release<'_> {
    fn repo(&self) -> &str {
        self.repository.trim_end_matches('/')
    }

    /// (URL, SHA-256) of a target's archive, when the release has it.
    fn download(&self, target: &str) -> Option<(String, &str)> {
        let name = archive::name(target);
        let (_, hex) = self.sums.iter().find(|(n, _)| *n == name)?;
        Some((
            format!("{}/releases/download/v{}/{name}", self.repo(), self.version),
            hex,
        ))
    }

    /// Where install.sh fetches the newest release from.
    pub fn latest_download_base(&self) -> String {
        format!("{}/releases/latest/download", self.repo())
    }

    /// The repository's owner (`https://github.com/OWNER/NAME`), for winget's
    /// `Publisher.Package` identifier.
    fn owner(&self) -> Result<&str> {
        let path = self
            .repo()
            .split_once("://")
            .map_or(self.repo(), |(_, rest)| rest);
        let mut parts = path.split('/').skip(1);
        match (parts.next(), parts.next()) {
            (Some(owner), Some(_)) if !owner.is_empty() => Ok(owner),
            _ => Err(format!(
                "Cargo.toml's repository {:?} is not of the form https://HOST/OWNER/NAME",
                self.repository
            )
            .into()),
        }
    }
}

/// (path under dist/, contents) of every recipe the release's archives allow.
pub fn all(r: &Release) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    if let Some(formula) = homebrew(r) {
        out.push((format!("homebrew/{BIN}.rb"), formula));
    }
    if let Some(win) = r.download(WINDOWS) {
        out.push((format!("scoop/{BIN}.json"), scoop(r, &win)?));
        let id = format!("{}.{BIN}", r.owner()?);
        let dir = format!("winget/{id}/{}", r.version);
        for (suffix, text) in winget(r, &id, &win) {
            out.push((format!("{dir}/{id}{suffix}.yaml"), text));
        }
    }
    Ok(out)
}

fn homebrew(r: &Release) -> Option<String> {
    let block = |indent: &str, (url, sha): (String, &str)| {
        format!("{indent}url \"{url}\"\n{indent}sha256 \"{sha}\"\n")
    };
    let mut platforms = String::new();
    if let Some(mac) = r.download(MAC) {
        platforms += &format!("  on_macos do\n{}  end\n\n", block("    ", mac));
    }
    let intel = r.download(LINUX_X64);
    let arm = r.download(LINUX_ARM);
    if intel.is_some() || arm.is_some() {
        platforms += "  on_linux do\n";
        if let Some(d) = intel {
            platforms += &format!("    on_intel do\n{}    end\n", block("      ", d));
        }
        if let Some(d) = arm {
            platforms += &format!("    on_arm do\n{}    end\n", block("      ", d));
        }
        platforms += "  end\n\n";
    }
    if platforms.is_empty() {
        return None;
    }
    Some(format!(
        r##"# Written by `cargo xtask dist` for release {version}; do not edit.
class IphoneBackupCheck < Formula
  desc "{desc}"
  homepage "{repo}"
  version "{version}"
  license any_of: ["MIT", "Apache-2.0"]

{platforms}  def install
    bin.install "{BIN}"
    man1.install "man/{BIN}.1"
    bash_completion.install "completions/{BIN}.bash" => "{BIN}"
    zsh_completion.install "completions/_{BIN}"
    fish_completion.install "completions/{BIN}.fish"
  end

  test do
    assert_match version.to_s, shell_output("#{{bin}}/{BIN} --version")
  end
end
"##,
        version = r.version,
        desc = brew_desc(r.description),
        repo = r.repo(),
    ))
}

/// Homebrew's audit wants a short description without a trailing period
/// and not starting with an article or the name.
fn brew_desc(description: &str) -> String {
    let first = description.split(". ").next().unwrap_or(description);
    first
        .trim_end_matches('.')
        .replace('"', "'")
        .chars()
        .take(80)
        .collect()
}

fn scoop(r: &Release, (url, sha): &(String, &str)) -> Result<String> {
    let manifest = serde_json::json!({
        "version": r.version,
        "description": r.description,
        "homepage": r.repo(),
        "license": "MIT|Apache-2.0",
        "architecture": {
            "64bit": {
                "url": url,
                "hash": sha,
                "extract_dir": format!("{BIN}-{WINDOWS}"),
            }
        },
        "bin": format!("{BIN}.exe"),
        "notes": "Run: iphone-backup-check diagnose",
    });
    Ok(serde_json::to_string_pretty(&manifest)? + "\n")
}

/// winget's multi-file manifest (schema 1.6.0): version, installer, locale.
fn winget(r: &Release, id: &str, (url, sha): &(String, &str)) -> [(&'static str, String); 3] {
    let head = |kind: &str| {
        format!(
            "# yaml-language-server: $schema=https://aka.ms/winget-manifest.{kind}.1.6.0.schema.json\n\
             # Written by `cargo xtask dist` for release {version}; do not edit.\n\
             PackageIdentifier: {id}\n\
             PackageVersion: {version}\n",
            version = r.version
        )
    };
    let version = format!(
        "{}DefaultLocale: en-US\nManifestType: version\nManifestVersion: 1.6.0\n",
        head("version")
    );
    let installer = format!(
        "{}InstallerType: zip\n\
         NestedInstallerType: portable\n\
         NestedInstallerFiles:\n\
         - RelativeFilePath: {BIN}-{WINDOWS}\\{BIN}.exe\n  PortableCommandAlias: {BIN}\n\
         Installers:\n\
         - Architecture: x64\n  InstallerUrl: {url}\n  InstallerSha256: {sha}\n\
         ManifestType: installer\nManifestVersion: 1.6.0\n",
        head("installer"),
        sha = sha.to_uppercase(),
    );
    let locale = format!(
        "{}PackageLocale: en-US\n\
         Publisher: {owner}\n\
         PackageName: {BIN}\n\
         PackageUrl: {repo}\n\
         License: MIT OR Apache-2.0\n\
         ShortDescription: {desc}\n\
         Moniker: {BIN}\n\
         ManifestType: defaultLocale\nManifestVersion: 1.6.0\n",
        head("defaultLocale"),
        owner = id.split('.').next().unwrap_or(id),
        repo = r.repo(),
        desc = yaml_quote(r.description),
    );
    [
        ("", version),
        (".installer", installer),
        (".locale.en-US", locale),
    ]
}

/// A YAML double-quoted scalar (JSON's string syntax is valid YAML).
fn yaml_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The release copy of an install script (`install.sh`, `install.ps1`): the
/// repository's, with its built-in download address set. The line it sets
/// (`DEFAULT_BASE_URL=''` or `$DefaultBaseUrl = ''`) must be there, once.
pub fn install_script(script: &str, base: &str) -> Result<String> {
    for line in ["DEFAULT_BASE_URL=''", "$DefaultBaseUrl = ''"] {
        match script.matches(line).count() {
            0 => continue,
            1 => return Ok(script.replacen(line, &line.replace("''", &format!("'{base}'")), 1)),
            _ => break,
        }
    }
    Err(
        "an install script must hold DEFAULT_BASE_URL='' or $DefaultBaseUrl = '' exactly once"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository address for the tests only; no recipe in the project names one.
    const REPO: &str = "https://github.com/someone/iphone-backup-check";

    fn sums(targets: &[&str]) -> Vec<(String, String)> {
        targets
            .iter()
            .enumerate()
            .map(|(i, t)| (archive::name(t), format!("{i}").repeat(64)))
            .collect()
    }

    fn release(sums: &[(String, String)]) -> Release<'_> {
        Release {
            repository: REPO,
            version: "1.2.3",
            description: "Finds out why an iPhone will not back up. More words.",
            sums,
        }
    }

    #[test]
    fn the_formula_names_each_platform_it_has_with_its_checksum() {
        let s = sums(&[LINUX_X64, LINUX_ARM, MAC]);
        let f = homebrew(&release(&s)).unwrap();
        assert!(f.contains(&format!(
            "url \"{REPO}/releases/download/v1.2.3/iphone-backup-check-universal-apple-darwin.tar.gz\"\n    sha256 \"{}\"",
            "2".repeat(64)
        )), "{f}");
        assert!(f.contains("on_intel do") && f.contains("on_arm do"), "{f}");
        assert!(
            f.contains("desc \"Finds out why an iPhone will not back up\""),
            "{f}"
        );
        assert!(f.contains("#{bin}/iphone-backup-check --version"), "{f}");
        // No mac archive: no on_macos block, rather than a broken one.
        let s = sums(&[LINUX_X64]);
        let f = homebrew(&release(&s)).unwrap();
        assert!(!f.contains("on_macos") && !f.contains("on_arm"), "{f}");
        assert!(homebrew(&release(&sums(&[WINDOWS]))).is_none());
    }

    #[test]
    fn scoop_and_winget_point_at_the_zip_with_its_checksum() {
        let s = sums(&[LINUX_X64, WINDOWS]);
        let files = all(&release(&s)).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "homebrew/iphone-backup-check.rb",
                "scoop/iphone-backup-check.json",
                "winget/someone.iphone-backup-check/1.2.3/someone.iphone-backup-check.yaml",
                "winget/someone.iphone-backup-check/1.2.3/someone.iphone-backup-check.installer.yaml",
                "winget/someone.iphone-backup-check/1.2.3/someone.iphone-backup-check.locale.en-US.yaml",
            ]
        );
        let zip = format!(
            "{REPO}/releases/download/v1.2.3/iphone-backup-check-x86_64-pc-windows-gnu.zip"
        );
        let scoop: serde_json::Value = serde_json::from_str(&files[1].1).unwrap();
        assert_eq!(scoop["version"], "1.2.3");
        assert_eq!(scoop["architecture"]["64bit"]["url"], zip.as_str());
        assert_eq!(scoop["architecture"]["64bit"]["hash"], "1".repeat(64));
        let installer = &files[3].1;
        assert!(
            installer.contains(&format!("InstallerUrl: {zip}\n")),
            "{installer}"
        );
        assert!(installer.contains(&format!("InstallerSha256: {}\n", "1".repeat(64))));
        assert!(
            files[4].1.contains("ShortDescription: \"Finds out why"),
            "{}",
            files[4].1
        );
    }

    #[test]
    fn an_address_without_an_owner_is_refused() {
        let s = sums(&[WINDOWS]);
        let mut r = release(&s);
        r.repository = "https://example.org";
        assert!(all(&r).is_err());
    }

    #[test]
    fn the_release_install_script_gets_the_latest_download_address() {
        let repo_script =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../install.sh")).unwrap();
        let s = sums(&[LINUX_X64]);
        let out = install_script(&repo_script, &release(&s).latest_download_base()).unwrap();
        assert!(out.contains(&format!(
            "DEFAULT_BASE_URL='{REPO}/releases/latest/download'"
        )));
        let ps1 = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../install.ps1"))
            .unwrap();
        let out = install_script(&ps1, &release(&s).latest_download_base()).unwrap();
        assert!(out.contains(&format!(
            "$DefaultBaseUrl = '{REPO}/releases/latest/download'"
        )));
        assert!(install_script("no such line", "x").is_err());
    }
}
