//! The command line, declared with clap's derive API.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "iphone-backup-check",
    version = crate::build_info::VERSION_LINE,
    about = "Finds out why an iPhone will not back up to this computer, with the evidence and the fix.",
    long_about = "Looks at every layer between this computer and the iPhone (USB bus, usbmuxd, pairing, \
the phone's lockdownd and backup service, this computer's disk and OS, previous backups) and prints \
the causes it finds, most likely first, each with what it saw and the steps that fix it. \
It only reads: it never pairs, never writes to the phone, the pair records or the backup folder.",
    after_help = TOP_EXAMPLES,
    after_long_help = TOP_LONG_HELP,
    arg_required_else_help = true,
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to use colour: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,

    /// More detail: probe timings, hidden findings; twice for debug logs on stderr.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Only the findings' ids and titles; nothing when ready.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Diagnose why a backup fails, stalls or never starts.
    #[command(after_help = DIAGNOSE_EXAMPLES, after_long_help = DIAGNOSE_LONG_HELP)]
    Diagnose(DiagnoseArgs),
    /// Capture what the probes see into a file, for a bug report or a fixture.
    #[command(after_help = RECORD_EXAMPLES)]
    Record(RecordArgs),
    /// What each layer sees of each phone, side by side.
    #[command(after_help = DEVICES_EXAMPLES, after_long_help = DEVICES_LONG_HELP)]
    Devices(DevicesArgs),
    /// The catalogue of rules this tool can report.
    #[command(after_help = RULES_EXAMPLES)]
    Rules(RulesArgs),
    /// What a rule, an error code or an error message means, and what fixes it.
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
    /// Follow plug, unplug, pairing, lock and trust changes live; re-diagnose a phone when it settles.
    #[command(after_help = WATCH_EXAMPLES, after_long_help = WATCH_LONG_HELP)]
    Watch(WatchArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Example:\n  iphone-backup-check completions bash > ~/.local/share/bash-completion/completions/iphone-backup-check"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): the tool's, or one command's; --dir writes them all.
    #[command(after_help = MAN_EXAMPLES)]
    Man(ManArgs),
}

/// Which man page, or where to write them all.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (diagnose, record, devices, rules,
    /// explain, watch, completions, man) [default: the tool's own page].
    #[arg(value_name = "COMMAND", conflicts_with = "dir")]
    pub command: Option<String>,

    /// Write one page per command into this folder
    /// (iphone-backup-check.1, iphone-backup-check-diagnose.1, ...).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

const TOP_EXAMPLES: &str = "\
Examples:
  iphone-backup-check diagnose                 check this computer and the iPhone
  iphone-backup-check diagnose --json          the same, for a script
  iphone-backup-check devices                  the phones each layer sees
  iphone-backup-check explain 0xE8000084       what an error code means
  iphone-backup-check diagnose --from log.txt  judge a log or another tool's output";

const TOP_LONG_HELP: &str = concat!(
    "Examples:
  iphone-backup-check diagnose                 check this computer and the iPhone
  iphone-backup-check diagnose --json          the same, for a script
  iphone-backup-check devices                  the phones each layer sees
  iphone-backup-check explain 0xE8000084       what an error code means
  iphone-backup-check diagnose --from log.txt  judge a log or another tool's output
  iphone-backup-check man diagnose | man -l -  every option of a command

",
    "Exit status:
  0    ready: nothing above info
  1    warnings only
  2    at least one blocker
  3    the tool could not run: bad arguments, unreadable or invalid --from file,
       unwritable -o, unknown explain topic
  4    incomplete: no blocker seen, but a check that matters ran out of time
       (--timeout); the report says what was not checked
  130  interrupted (Ctrl-C); what was probed so far is still reported"
);

const DIAGNOSE_EXAMPLES: &str = "\
Examples:
  iphone-backup-check diagnose
  iphone-backup-check diagnose --udid 00008130-001A2B3C4D5E801E --timeout 30
  iphone-backup-check diagnose --backup-dir /mnt/backups/iphone      (Linux)
  iphone-backup-check diagnose --request-trust      (show the Trust prompt)
  iphone-backup-check diagnose --json | jq .verdict
  iphone-backup-check diagnose -o report.html      (for a ticket; private details masked)
  iphone-backup-check diagnose -o report.md        (for a GitHub issue or a forum post)
  idevicebackup2 backup ~/b 2>&1 | iphone-backup-check diagnose --from -";

const DIAGNOSE_LONG_HELP: &str = concat!(
    "Examples:
  iphone-backup-check diagnose
  iphone-backup-check diagnose --udid 00008130-001A2B3C4D5E801E --timeout 30
  iphone-backup-check diagnose --backup-dir /mnt/backups/iphone      (Linux)
  iphone-backup-check diagnose --request-trust      (show the Trust prompt)
  iphone-backup-check diagnose --json | jq .verdict
  iphone-backup-check diagnose -o report.html      (for a ticket; private details masked)
  iphone-backup-check diagnose -o report.md        (for a GitHub issue or a forum post)
  idevicebackup2 backup ~/b 2>&1 | iphone-backup-check diagnose --from -

",
    "Exit status:
  0    ready: nothing above info
  1    warnings only
  2    at least one blocker
  3    the tool could not run: bad arguments, unreadable or invalid --from file,
       unwritable -o, unknown explain topic
  4    incomplete: no blocker seen, but a check that matters ran out of time
       (--timeout); the report says what was not checked
  130  interrupted (Ctrl-C); what was probed so far is still reported"
);

const RECORD_EXAMPLES: &str = "\
Examples:
  iphone-backup-check record                   (writes iphone-backup-check-snapshot.json)
  iphone-backup-check record -o bug.json --udid 00008130-001A2B3C4D5E801E
  iphone-backup-check record --from usbmuxd.log -o - > shareable.json";

const DEVICES_EXAMPLES: &str = "\
Examples:
  iphone-backup-check devices
  iphone-backup-check devices --json | jq '.[].name'";

const DEVICES_LONG_HELP: &str = "\
Examples:
  iphone-backup-check devices
  iphone-backup-check devices --json | jq '.[].name'

Exit status of devices:
  0    the table was printed (whatever it shows)
  3    the tool could not run (bad arguments, unusable --usbmuxd address)
  4    usbmuxd did not answer (hung, refused, not the usbmux protocol): the list may be missing phones
  130  interrupted (Ctrl-C)";

const RULES_EXAMPLES: &str = "\
Examples:
  iphone-backup-check rules
  iphone-backup-check rules --json | jq -r '.[].id'";

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  iphone-backup-check explain trust.reset-on-device
  iphone-backup-check explain 0xE8000084
  iphone-backup-check explain MBErrorDomain 208
  iphone-backup-check explain \"the iPhone could not be backed up because it was disconnected\"";

const WATCH_EXAMPLES: &str = "\
Examples:
  iphone-backup-check watch
  iphone-backup-check watch --udid 00008130-001A2B3C4D5E801E --stall 300
  iphone-backup-check watch --json --duration 600 > events.ndjson";

const WATCH_LONG_HELP: &str = concat!(
    "Examples:
  iphone-backup-check watch
  iphone-backup-check watch --udid 00008130-001A2B3C4D5E801E --stall 300
  iphone-backup-check watch --json --duration 600 > events.ndjson

",
    "Exit status of watch:
  0    every phone connected at the end is ready, and none dropped off
  1    a phone dropped off while watched, or its latest diagnosis has warnings
  2    no phone connected at the end, usbmuxd gone, or a latest diagnosis
       has a blocker
  3    the tool could not run (bad arguments)
  130  interrupted (Ctrl-C); the summary is still printed"
);

const MAN_EXAMPLES: &str = "\
Examples:
  iphone-backup-check man | man -l -
  iphone-backup-check man diagnose | man -l -
  iphone-backup-check man --dir /usr/local/share/man/man1";

/// Options that choose what the probes look at.
#[derive(Debug, Clone, Args)]
pub struct ProbeArgs {
    /// Only this phone (its UDID).
    #[arg(long, value_name = "UDID")]
    pub udid: Option<String>,

    /// The backup folder to check, instead of this platform's default.
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,

    /// usbmuxd's address: UNIX:/path, /path or host:port
    /// [default: USBMUXD_SOCKET_ADDRESS, else /var/run/usbmuxd, or 127.0.0.1:27015 on Windows]
    #[arg(long, value_name = "ADDR")]
    pub usbmuxd: Option<String>,

    /// Give up on anything that has not answered after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0, value_parser = parse_timeout)]
    pub timeout: f64,

    /// Keep following usbmuxd's plug and unplug events at least this many seconds,
    /// to catch a phone that drops off (default: only while the other checks run;
    /// `watch` follows for as long as you like).
    #[arg(long, value_name = "SECS", default_value_t = 0.0, value_parser = parse_listen)]
    pub listen: f64,

    /// Check every file of the last backups against Manifest.db (a few seconds per
    /// million files; give a slow disk a longer --timeout).
    #[arg(long)]
    pub deep: bool,

    /// Ask the phone to show its Trust prompt when this computer has no pair record.
    /// The only option that may change anything: a pair record is saved only if you tap Trust.
    #[arg(long)]
    pub request_trust: bool,
}

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    #[command(flatten)]
    pub probe: ProbeArgs,

    /// Print the report as JSON (the documented contract in docs/report.schema.json);
    /// the same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// The report's format: text, json, markdown (a GitHub issue or a forum post)
    /// or html (one self-contained page for a support ticket). Default: from the
    /// extension of `-o` (.md, .html, .json), else text.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ReportFormat>,

    /// Write the report to this file instead of standard output ("-" for standard
    /// output). A Markdown or HTML report written to a file is redacted unless
    /// `--no-redact` is given.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Diagnose evidence instead of probing this computer: a snapshot written
    /// by `record`, or another tool's output (see `--help`); `-` reads
    /// standard input (a paste). Repeat it to judge several files as one.
    #[arg(long, value_name = "FILE", long_help = FROM_HELP)]
    pub from: Vec<PathBuf>,

    /// Mask UDIDs, serial numbers, device names, pairing ids and home paths.
    #[arg(long, conflicts_with = "no_redact")]
    pub redact: bool,

    /// Keep UDIDs, serial numbers, names and paths in a Markdown or HTML report
    /// written with `-o` (those are redacted by default, being made to be shared).
    #[arg(long)]
    pub no_redact: bool,
}

/// What `diagnose` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Markdown,
    Html,
}

impl ReportFormat {
    /// The format a file name asks for by its extension, if any.
    pub fn from_extension(path: &std::path::Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "md" | "markdown" => Some(Self::Markdown),
            "html" | "htm" => Some(Self::Html),
            "json" => Some(Self::Json),
            "txt" | "text" => Some(Self::Text),
            _ => None,
        }
    }
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub probe: ProbeArgs,

    /// Where to write the snapshot ("-" for standard output).
    #[arg(
        short,
        long,
        value_name = "FILE",
        default_value = "iphone-backup-check-snapshot.json"
    )]
    pub output: PathBuf,

    /// Keep UDIDs, serial numbers, names and paths (recordings are redacted by default).
    #[arg(long)]
    pub no_redact: bool,

    /// Turn evidence into a snapshot instead of probing this computer (a
    /// support desk making a paste shareable); repeatable, `-` reads standard
    /// input.
    #[arg(long, value_name = "FILE", long_help = FROM_HELP)]
    pub from: Vec<PathBuf>,
}

/// What `--from` reads, for `--help`.
const FROM_HELP: &str = "Read evidence instead of probing this computer: a snapshot written by \
`record`, or the output of another tool, recognised by its content (the list is the one \
`iphone-backup-check diagnose --from` prints when it recognises nothing). `-` reads standard \
input (a paste). Repeat it (`--from usbmuxd.log --from ideviceinfo.txt`) to judge several files \
as one. Nothing live is probed.";

#[derive(Debug, Args)]
pub struct DevicesArgs {
    #[command(flatten)]
    pub probe: ProbeArgs,

    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Only this phone (its UDID).
    #[arg(long, value_name = "UDID")]
    pub udid: Option<String>,

    /// usbmuxd's address: UNIX:/path, /path or host:port
    /// [default: USBMUXD_SOCKET_ADDRESS, else /var/run/usbmuxd, or 127.0.0.1:27015 on Windows]
    #[arg(long, value_name = "ADDR")]
    pub usbmuxd: Option<String>,

    /// The backup folder the re-diagnoses check, instead of this platform's default.
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,

    /// Deadline of each re-diagnosis, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0, value_parser = parse_timeout)]
    pub timeout: f64,

    /// Print one JSON object per line (NDJSON): {"type", "time", "data"}.
    #[arg(long)]
    pub json: bool,

    /// Stop after this many seconds [default: until Ctrl-C].
    #[arg(long, value_name = "SECS", value_parser = parse_duration)]
    pub duration: Option<f64>,

    /// Seconds without plug events before a phone is diagnosed again.
    #[arg(long, value_name = "SECS", default_value_t = 2.0, value_parser = parse_settle)]
    pub settle: f64,

    /// Re-check a settled phone this often for lock and trust changes (0: never).
    #[arg(long, value_name = "SECS", default_value_t = 15.0, value_parser = parse_recheck)]
    pub recheck: f64,

    /// A running backup whose phone logs no progress for this many seconds
    /// is reported as stalled. With -v the phone's raw backup log lines are
    /// printed too.
    #[arg(long, value_name = "SECS", default_value_t = 120.0, value_parser = parse_stall)]
    pub stall: f64,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print JSON.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,

    /// Print the Markdown catalogue (docs/rules.md is this output).
    #[arg(long, hide = true)]
    pub markdown: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule id (trust.reset-on-device), an error code (0xE8000084, -402620383,
    /// "MBErrorDomain 208", "error 54") or part of an error message.
    // A negative code (-19, -402620383) is a topic, not an option.
    #[arg(
        required = true,
        num_args = 1..,
        value_name = "TOPIC",
        allow_negative_numbers = true
    )]
    pub topic: Vec<String>,

    /// Print JSON.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,

    /// Print a rule's page as Markdown (for a wiki or a ticket).
    #[arg(long)]
    pub markdown: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

fn parse_listen(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(0.0..=600.0).contains(&v) {
        return Err("--listen must be between 0 and 600 seconds".into());
    }
    Ok(v)
}

fn parse_timeout(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(0.1..=600.0).contains(&v) {
        return Err("the timeout must be between 0.1 and 600 seconds".into());
    }
    Ok(v)
}

fn seconds_in(s: &str, range: std::ops::RangeInclusive<f64>, what: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !range.contains(&v) {
        return Err(format!(
            "{what} must be between {} and {} seconds",
            range.start(),
            range.end()
        ));
    }
    Ok(v)
}

fn parse_duration(s: &str) -> Result<f64, String> {
    seconds_in(s, 0.1..=31_536_000.0, "the duration")
}

fn parse_settle(s: &str) -> Result<f64, String> {
    seconds_in(s, 0.1..=600.0, "the settle time")
}

fn parse_stall(s: &str) -> Result<f64, String> {
    seconds_in(s, 1.0..=86_400.0, "the stall time")
}

fn parse_recheck(s: &str) -> Result<f64, String> {
    let v = seconds_in(s, 0.0..=86_400.0, "the re-check interval")?;
    if v > 0.0 && v < 1.0 {
        return Err("the re-check interval must be 0 (never) or at least 1 second".into());
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_tables_say_what_exit_h_says() {
        // The concat!-built help repeats the tables of `exit`, which the
        // README shows too: keep them one text.
        assert!(TOP_LONG_HELP.ends_with(crate::exit::EXIT_STATUS_HELP));
        assert!(DIAGNOSE_LONG_HELP.ends_with(crate::exit::EXIT_STATUS_HELP));
        assert!(WATCH_LONG_HELP.ends_with(crate::exit::WATCH_EXIT_STATUS_HELP));
    }

    #[test]
    fn watch_second_bounds() {
        assert!(parse_duration("2.5").is_ok());
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("inf").is_err());
        assert!(parse_settle("nan").is_err());
        assert!(parse_recheck("0").is_ok());
        assert!(parse_recheck("0.5").is_err());
        assert!(parse_recheck("-1").is_err());
    }

    #[test]
    fn timeout_bounds() {
        assert!(parse_timeout("3").is_ok());
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("nan").is_err());
        assert!(parse_timeout("1e9").is_err());
    }
}
