//! The one place that strips what people and tools put around a message,
//! so every importer reads the message however it was pasted.
//!
//! Two steps. [`clean`] makes the text of a paste what the tool printed:
//! UTF-16 (a Windows paste) decoded, CR and CRLF made line breaks, terminal
//! control codes dropped (never echoed back), HTML entities of a web copy
//! decoded, Markdown quote markers and fences removed and the indentation
//! common to a block taken off (a 4-space code block, a quoted excerpt).
//! Quotes show this text. Then [`message`] finds where the message of one
//! clean line starts: after syslog and journal prefixes (short, short-iso,
//! short-precise, month names in any language), ISO-8601 and CI runner
//! stamps, macOS `log show` / Console columns, bracketed Windows tool
//! stamps and levels, and shell prompts. It only skips a prefix, so the
//! message is a slice of the quoted line. usbmuxd's own `[HH:MM:SS.mmm][N]`
//! and dmesg's `[ 12.3]` stay: their readers take the clock from them.
//!
//! Every loop here moves forward through the line, and each prefix is
//! bounded in length, so no run of `[`, `>`, `:` or digits costs more than
//! a pass over it.

use std::borrow::Cow;

/// What [`message`] found before the message of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Prefix {
    /// Bytes of the clean line before the message.
    pub len: usize,
    /// The time of day the prefix gave, in milliseconds since midnight
    /// (a syslog, journal, ISO or CI stamp).
    pub clock_ms: Option<u64>,
    /// The prefix was a shell prompt: the message is a command someone typed.
    pub prompt: bool,
    /// Where the last syslog-style stamp with a process tag begins:
    /// readers of the phone's log take the process from it.
    pub log_start: Option<usize>,
}

/// The text of a paste as the tool printed it (see the module docs), with
/// the same number of lines as the input has line breaks (a fence line
/// becomes an empty line), so line numbers stay those of the paste.
pub fn clean(bytes: &[u8]) -> String {
    clean_until(bytes, &|| false)
}

/// [`clean`], ending early (after the line it is on) once `stop` says so:
/// the text is then the paste's first lines. One pass to count quote
/// markers, one to write: nothing is kept per line, so the memory is the
/// text's size whatever the number of lines.
pub fn clean_until(bytes: &[u8], stop: &dyn Fn() -> bool) -> String {
    // UTF-16 is decoded whole; UTF-8 (most pastes) is decoded a line at a
    // time, so the paste is never copied whole before it is cleaned.
    let utf16 = match bytes {
        [0xFF, 0xFE, rest @ ..] => Some(utf16(rest, u16::from_le_bytes)),
        [0xFE, 0xFF, rest @ ..] => Some(utf16(rest, u16::from_be_bytes)),
        _ => None,
    };
    let src: &[u8] = match (&utf16, bytes) {
        (Some(text), _) => text.as_bytes(),
        (None, [0xEF, 0xBB, 0xBF, rest @ ..]) => rest,
        (None, _) => bytes,
    };
    // A lone CR is a line break too; a CR before LF is dropped.
    let lines = || {
        src.split(|b| *b == b'\n')
            .flat_map(|l| l.strip_suffix(b"\r").unwrap_or(l).split(|b| *b == b'\r'))
            .map(clean_raw_line)
    };
    // Quote markers are stripped only when most lines carry them: a log
    // line that happens to start with `>` is not a quote.
    let (mut non_empty, mut markers) = (0usize, 0usize);
    for (i, l) in lines().enumerate() {
        if i % STOP_EVERY == 0 && stop() {
            break;
        }
        let t = l.trim_start();
        non_empty += usize::from(!t.trim_end().is_empty());
        markers += usize::from(t.starts_with('>') && !t.starts_with(">>>"));
    }
    let unquote = non_empty > 0 && markers * 2 >= non_empty;
    let mut out = String::with_capacity(src.len());
    // The block being written (the text inside one fence, or everything
    // outside fences): where it starts in `out` and the indentation all its
    // non-empty lines share, taken off when it ends.
    let mut block: Option<(usize, usize)> = Some((0, usize::MAX));
    let mut fence: Option<(char, usize)> = None;
    for (i, l) in lines().enumerate() {
        if i % STOP_EVERY == 0 && i > 0 && stop() {
            break;
        }
        if i > 0 {
            out.push('\n');
        }
        let l: &str = if unquote {
            &l[quote_marker_len(&l)..]
        } else {
            &l
        };
        let t = l.trim_start();
        let run = |c: char| t.chars().take_while(|x| *x == c).count();
        let opens = ['`', '~'].into_iter().find(|c| run(*c) >= 3);
        let is_fence = match (fence, opens) {
            (None, Some(c)) => {
                fence = Some((c, run(c)));
                true
            }
            (Some((c, n)), _) if run(c) >= n && t.trim_end().chars().all(|x| x == c) => {
                fence = None;
                true
            }
            _ => false,
        };
        if is_fence {
            if let Some((start, indent)) = block.take() {
                dedent_tail(&mut out, start, indent);
            }
            // A fence line becomes an empty line.
            continue;
        }
        let (_, indent) = block.get_or_insert((out.len(), usize::MAX));
        if !l.trim().is_empty() {
            *indent = (*indent).min(l.len() - l.trim_start_matches([' ', '\t']).len());
        }
        out.push_str(l);
    }
    if let Some((start, indent)) = block {
        dedent_tail(&mut out, start, indent);
    }
    out
}

/// Lines between two looks at `stop`.
const STOP_EVERY: usize = 1024;

const MAX_CLEAN_LINE: usize = 1 << 20;

/// Where the message of a clean line starts, and what stood before it.
pub fn message(line: &str) -> Prefix {
    let mut p = Prefix::default();
    // Every prefix ends in a space or a tab, or is a bracket: a line with
    // none (one word, noise) has none, at the cost of a byte search.
    let b = line.as_bytes();
    if !b.starts_with(b"[") && !b.contains(&b' ') && !b.contains(&b'\t') {
        return p;
    }
    // A prefix may stand on another (a CI stamp before a journal line): a
    // few rounds, each moving forward.
    for _ in 0..4 {
        let rest = &line[p.len..];
        let stamp = stamp_prefix(rest).or_else(|| pid_tag(rest).map(|n| (n, None, true)));
        let tagged = stamp.is_some_and(|(_, _, tagged)| tagged);
        let step = stamp
            .map(|(n, c, _)| (n, c, false))
            .or_else(|| prompt_prefix(rest).map(|n| (n, None, true)))
            .or_else(|| bracket_prefix(rest).map(|(n, c)| (n, c, false)));
        let Some((n, clock, prompt)) = step else {
            break;
        };
        if n == 0 {
            break;
        }
        if tagged {
            p.log_start = Some(p.len);
        }
        p.len += n;
        p.clock_ms = clock.or(p.clock_ms);
        p.prompt |= prompt;
    }
    p
}

/// One line of raw bytes (no line break in it) as clean text: cut at
/// `MAX_CLEAN_LINE` (no line worth reading is longer than 1 MiB, a one-line
/// JSON document is far shorter: a 100 MB line costs no more than that),
/// read as UTF-8 with invalid bytes as U+FFFD and NULs as spaces, then
/// [`clean_line`].
fn clean_raw_line(raw: &[u8]) -> Cow<'_, str> {
    let mut end = raw.len().min(MAX_CLEAN_LINE);
    // Not inside a character: back to its first byte.
    while end < raw.len() && end > 0 && raw[end] & 0xC0 == 0x80 {
        end -= 1;
    }
    let text = String::from_utf8_lossy(&raw[..end]);
    let text = if text.as_bytes().contains(&0) {
        Cow::Owned(text.replace('\0', " "))
    } else {
        text
    };
    match text {
        Cow::Borrowed(t) => clean_line(t),
        Cow::Owned(t) => Cow::Owned(clean_line(&t).into_owned()),
    }
}

fn utf16(bytes: &[u8], word: fn([u8; 2]) -> u16) -> String {
    let words = bytes.chunks_exact(2).map(|c| word([c[0], c[1]]));
    char::decode_utf16(words)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// One line without terminal control codes (ANSI colours, cursor moves,
/// OSC titles, their 8-bit C1 forms; other C0 and C1 codes but tab) and
/// with HTML entities decoded. A sequence goes whole, with its parameters:
/// what is left reads as the screen showed it (`\x1b[31mERROR` is `ERROR`,
/// never `[31mERROR`).
fn clean_line(line: &str) -> Cow<'_, str> {
    let b = line.as_bytes();
    // C1 codes are U+0080..U+009F: 0xC2 then 0x80..0x9F in UTF-8.
    let has_control = b
        .iter()
        .zip(b.iter().skip(1).chain([&0]))
        .any(|(&c, &next)| {
            c < 0x20 && c != b'\t' || c == 0x7f || c == 0xC2 && (0x80..0xA0).contains(&next)
        });
    let has_entity = b.contains(&b'&');
    if !has_control && !has_entity {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // 8-bit CSI; DCS, SOS, OSC, PM, APC (strings up to BEL or ST).
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\t' => out.push('\t'),
            c if (c as u32) < 0x20 || c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) => {}
            '&' => out.push_str(entity(&mut chars)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Skips the rest of an escape sequence after its ESC: CSI (`[ ... final`),
/// a string (OSC `]`, DCS `P`, SOS `X`, PM `^`, APC `_`, up to BEL or ST),
/// or the one character of a two-byte escape.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        _ => {}
    }
}

/// A CSI's parameters and intermediates, up to and with its final byte.
fn skip_csi(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            break;
        }
    }
}

/// A control string, up to and with its end: BEL, ST (`ESC \` or U+009C).
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                chars.next();
                break;
            }
            _ => {}
        }
    }
}

/// The text of an HTML entity after its `&` (consumed only when it is one
/// this knows); `&` itself otherwise.
fn entity(chars: &mut Chars<'_>) -> &'static str {
    const NAMED: &[(&str, &str)] = &[
        ("gt;", ">"),
        ("lt;", "<"),
        ("amp;", "&"),
        ("quot;", "\""),
        ("apos;", "'"),
        ("#39;", "'"),
        ("#x27;", "'"),
        ("nbsp;", " "),
        ("#62;", ">"),
        ("#60;", "<"),
    ];
    let ahead: String = chars.clone().take(6).collect();
    for (name, text) in NAMED {
        if ahead.starts_with(name) {
            for _ in 0..name.chars().count() {
                chars.next();
            }
            return text;
        }
    }
    "&"
}

/// Bytes of the `>` markers (each with one optional space after it) that
/// open a line, after up to three spaces of indentation.
fn quote_marker_len(line: &str) -> usize {
    let b = line.as_bytes();
    let mut i = 0;
    let mut end = 0;
    loop {
        let mut j = i;
        while j < b.len() && j - i < 4 && b[j] == b' ' {
            j += 1;
        }
        if j < b.len() && b[j] == b'>' && !line[j..].starts_with(">>> ") {
            j += 1;
            if j < b.len() && b[j] == b' ' {
                j += 1;
            }
            i = j;
            end = j;
        } else {
            return end;
        }
    }
}

/// Takes `indent` bytes of leading whitespace (at most what each line has)
/// off every line of `out` from `start` (the start of a line) on.
fn dedent_tail(out: &mut String, start: usize, indent: usize) {
    if indent == 0 || indent == usize::MAX {
        return;
    }
    let tail = out.split_off(start);
    for (i, l) in tail.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let n = indent.min(l.len() - l.trim_start_matches([' ', '\t']).len());
        out.push_str(&l[n..]);
    }
}

/// A date-and-time stamp and what follows it in a log line's prefix: the
/// host and `process[pid]:` of syslog and the journal, the columns of
/// macOS `log show`, or nothing (a CI runner's stamp). Returns the prefix's
/// length, its time of day and whether it named a process.
fn stamp_prefix(s: &str) -> Option<(usize, Option<u64>, bool)> {
    let (n, clock, iso) = iso_stamp(s)
        .map(|(n, c)| (n, c, true))
        .or_else(|| syslog_stamp(s).map(|(n, c)| (n, c, false)))?;
    let rest = &s[n..];
    // A CI runner's stamp (`2024-03-19T08:11:50.1234567Z `) stands alone.
    if iso && s[..n].ends_with('Z') && rest.starts_with(' ') {
        return Some((n + 1, Some(clock), false));
    }
    let trimmed = rest.trim_start();
    let gap = rest.len() - trimmed.len();
    if gap == 0 {
        return None;
    }
    // syslog / journal: `host process[pid]: `; log show: up to six columns
    // (thread, type, activity, pid, ttl) before `process: ` or
    // `process[pid]: ` (Console: `process(subsystem)[pid] <level>: `).
    let tag = process_tag(trimmed, 7)?;
    Some((n + gap + tag, Some(clock), true))
}

/// A bare `process[pid]: ` opening a line (a journal printed without its
/// clock): the process name, digits in brackets, a colon and a space.
fn pid_tag(s: &str) -> Option<usize> {
    let open = s.find('[').filter(|i| *i < 80)?;
    let name = &s[..open];
    let close = open + 1 + s[open + 1..].find("]: ")?;
    let pid = &s[open + 1..close];
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "._-".contains(c))
        && (1..=10).contains(&pid.len())
        && pid.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(close + 3)
}

/// The length of up to `max_words` whitespace-separated words ending with a
/// word that ends in `:` (a process tag), and the space after it.
fn process_tag(s: &str, max_words: usize) -> Option<usize> {
    let mut at = 0;
    for _ in 0..max_words {
        let rest = &s[at..];
        let word_len = rest.find([' ', '\t']).unwrap_or(rest.len());
        let word = &rest[..word_len];
        if word.is_empty() || word.len() > 96 {
            return None;
        }
        if word.ends_with(':') && word.len() > 1 && is_tag(&word[..word.len() - 1]) {
            let after = &rest[word_len..];
            let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
            return Some(at + word_len + spaces.min(1));
        }
        at += word_len;
        let after = &s[at..];
        let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
        if spaces == 0 {
            return None;
        }
        at += spaces;
    }
    None
}

/// A process tag: `usbmuxd`, `usbmuxd[4297]`, `kernel`, `backupd(MobileBackup)[12]`,
/// `com.apple.xpc.launchd[1]` (`<Notice>` levels are their own word).
fn is_tag(t: &str) -> bool {
    let name_end = t.find(['[', '(']).unwrap_or(t.len());
    let name = &t[..name_end];
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "._-/".contains(c))
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '/')
        && t[name_end..]
            .chars()
            .all(|c| c.is_alphanumeric() || "[]()._- ".contains(c))
        || (t.starts_with('<') && t.ends_with('>'))
}

/// `2024-03-19T08:11:50.1234567Z`, `2024-03-19 08:11:50.123456-0700`,
/// `2024-03-19T08:11:50+0100`: the length and the time of day.
fn iso_stamp(s: &str) -> Option<(usize, u64)> {
    let b = s.as_bytes();
    if b.len() < 19
        || !digits(&b[0..4])
        || b[4] != b'-'
        || !digits(&b[5..7])
        || b[7] != b'-'
        || !digits(&b[8..10])
        || !(b[10] == b'T' || b[10] == b' ')
    {
        return None;
    }
    let (n, clock) = clock(&s[11..])?;
    let mut at = 11 + n;
    // A zone: Z, +01:00, -0700.
    match b.get(at) {
        Some(b'Z') => at += 1,
        Some(b'+' | b'-') => {
            let zone = b[at + 1..]
                .iter()
                .take(5)
                .take_while(|c| c.is_ascii_digit() || **c == b':')
                .count();
            if zone >= 4 {
                at += 1 + zone;
            }
        }
        _ => {}
    }
    Some((at, clock))
}

/// `Dec  5 14:38:24`, `Mär 19 08:11:50.128031`, `déc. 05 14:38:24`: a
/// month name in any language (letters, perhaps a dot), a day, a clock.
fn syslog_stamp(s: &str) -> Option<(usize, u64)> {
    let month_len: usize = s
        .chars()
        .take_while(|c| c.is_alphabetic())
        .map(char::len_utf8)
        .sum();
    let letters = s[..month_len].chars().count();
    if !(2..=9).contains(&letters) {
        return None;
    }
    let mut at = month_len;
    if s[at..].starts_with('.') {
        at += 1;
    }
    let spaces = s[at..].bytes().take_while(|c| *c == b' ').count();
    if !(1..=2).contains(&spaces) {
        return None;
    }
    at += spaces;
    let day = s[at..].bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&day) {
        return None;
    }
    at += day;
    if !s[at..].starts_with(' ') {
        return None;
    }
    at += 1;
    let (n, clock) = clock(&s[at..])?;
    Some((at + n, clock))
}

/// `HH:MM:SS` with an optional fraction (`.123`, `,123`): its length and
/// the time of day in milliseconds.
fn clock(s: &str) -> Option<(usize, u64)> {
    let b = s.as_bytes();
    if b.len() < 8
        || !digits(&b[0..2])
        || b[2] != b':'
        || !digits(&b[3..5])
        || b[5] != b':'
        || !digits(&b[6..8])
    {
        return None;
    }
    let num = |r: &[u8]| r.iter().fold(0u64, |a, c| a * 10 + u64::from(c - b'0'));
    let (h, m, sec) = (num(&b[0..2]), num(&b[3..5]), num(&b[6..8]));
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut at = 8;
    let mut ms = 0;
    if matches!(b.get(8), Some(b'.' | b',')) {
        let frac = b[9..]
            .iter()
            .take(9)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if frac > 0 {
            let first3: Vec<u8> = b[9..9 + frac]
                .iter()
                .copied()
                .chain(std::iter::repeat(b'0'))
                .take(3)
                .collect();
            ms = num(&first3);
            at = 9 + frac;
        }
    }
    Some((at, (h * 3600 + m * 60 + sec) * 1000 + ms))
}

fn digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

/// A shell prompt before a command: `$ `, `% `, `# `, `>>> `,
/// `user@host:~$ `, `PS C:\> `, `(.venv) D:\> `, `C:\Users\me> `.
fn prompt_prefix(s: &str) -> Option<usize> {
    for p in ["$ ", "% ", "# ", ">>> ", "❯ ", "➜ "] {
        if s.starts_with(p) && s.len() > p.len() {
            return Some(p.len());
        }
    }
    let mut end = s.len().min(160);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let head = &s[..end];
    let mut at = 0;
    // A virtualenv or conda name in parentheses.
    if head.starts_with('(') {
        let close = head.find(") ")?;
        at = close + 2;
    }
    let rest = &head[at..];
    let rest = rest.strip_prefix("PS ").map_or(rest, |r| {
        at += 3;
        r
    });
    // `user@host:~/dir$ `, `host:dir user$ `, `C:\dir> `.
    for end in ["$ ", "# ", "% ", "> "] {
        let Some(i) = rest.find(end) else { continue };
        let body = &rest[..i];
        let windows = body.len() >= 2
            && body.as_bytes()[1] == b':'
            && body.as_bytes()[0].is_ascii_alphabetic()
            && end == "> ";
        let unix = (body.contains('@') || body.contains(':') || body.contains('~'))
            && !body.contains(": ")
            && end != "> ";
        if (windows || unix) && !body.contains(' ') || windows && body.len() < 120 {
            return Some(at + i + end.len());
        }
    }
    None
}

/// A bracketed stamp or level a Windows tool log opens with:
/// `[2024-03-19 08:11:50]`, `[INFO]`, `2024-03-19 08:11:50,123 [INFO] `.
fn bracket_prefix(s: &str) -> Option<(usize, Option<u64>)> {
    let inner_end = s.strip_prefix('[')?.find(']')?;
    if inner_end > 40 {
        return None;
    }
    let inner = &s[1..1 + inner_end];
    let after = &s[inner_end + 2..];
    let spaces = after.len() - after.trim_start_matches(' ').len();
    if let Some((_, c)) = iso_stamp(inner) {
        return Some((inner_end + 2 + spaces, Some(c)));
    }
    const LEVELS: &[&str] = &[
        "INFO", "WARN", "WARNING", "ERROR", "DEBUG", "TRACE", "FATAL", "NOTICE", "CRITICAL", "I",
        "W", "E", "D",
    ];
    if spaces > 0 && LEVELS.iter().any(|l| inner.eq_ignore_ascii_case(l)) {
        return Some((inner_end + 2 + spaces, None));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(line: &str) -> &str {
        &line[message(line).len..]
    }

    #[test]
    fn log_prefixes_come_off_and_give_the_clock() {
        let m = "[3] Connecting to new device on location 0x10004 as ID 1";
        for (line, clock) in [
            (format!("Dec  5 14:38:24 host usbmuxd[3292]: {m}"), Some(52_704_000)),
            (format!("Mär 19 08:11:50 localhost usbmuxd[4297]: {m}"), Some(29_510_000)),
            (format!("déc. 05 14:38:24 host usbmuxd[3292]: {m}"), Some(52_704_000)),
            (format!("2024-12-05T14:38:24+0100 host usbmuxd[3292]: {m}"), Some(52_704_000)),
            (format!("2024-12-05T14:38:24.123456+01:00 host usbmuxd[3292]: {m}"), Some(52_704_123)),
            (format!("Dec 05 14:38:24.123456 host usbmuxd[3292]: {m}"), Some(52_704_123)),
            (format!("2024-03-19T08:11:50.1234567Z {m}"), Some(29_510_123)),
            (format!("2024-03-19T08:11:50.1234567Z Dec  5 14:38:24 host usbmuxd[3292]: {m}"), Some(52_704_000)),
            (format!("2024-12-05 14:38:24.123456-0800 0x1a2b     Default     0x0                  312    0    usbmuxd: {m}"), Some(52_704_123)),
            (format!("$ {m}"), None),
            (format!("usbmuxd[1234]: {m}"), None),
            (m.to_string(), None),
        ] {
            assert_eq!(msg(&line), m, "{line}");
            assert_eq!(message(&line).clock_ms, clock, "{line}");
        }
        assert!(message("user@box:~$ idevicebackup2 backup .").prompt);
        assert_eq!(
            msg("user@box:~$ idevicebackup2 backup ."),
            "idevicebackup2 backup ."
        );
        assert_eq!(msg("PS C:\\Users\\me> idevice_id -l"), "idevice_id -l");
        assert_eq!(
            msg("(.venv) D:\\> pymobiledevice3 usbmux list"),
            "pymobiledevice3 usbmux list"
        );
        assert_eq!(
            msg("[2024-03-19 08:11:50] [ERROR] Device not found"),
            "Device not found"
        );
        // Not prefixes: a message that only looks like one.
        for line in [
            "ERROR: Could not connect to lockdownd: Mux error (-8)",
            "    Product ID: 0x12a8",
            "[ 1978.206059] usb 1-2: USB disconnect, device number 18",
            "[08:11:50.128][3] Connecting to new device",
            "Backup Failed: ErrorCode 207",
        ] {
            assert_eq!(msg(line), line, "{line}");
        }
    }

    #[test]
    fn quotes_fences_indentation_and_controls_come_off() {
        let log = "usbmuxd v1.1.1 starting up\n    Found: 05ac:12a8\n";
        let wanted = clean(log.as_bytes());
        for shaped in [
            log.lines().map(|l| format!("> {l}\n")).collect::<String>(),
            log.lines()
                .map(|l| format!("> > {l}\n"))
                .collect::<String>(),
            log.lines()
                .map(|l| format!("    {l}\n"))
                .collect::<String>(),
            log.replace('\n', "\r\n"),
        ] {
            assert_eq!(clean(shaped.as_bytes()), wanted, "{shaped:?}");
        }
        let fenced = format!("Here is my log:\n\n```text\n{log}```\nany idea?\n");
        let c = clean(fenced.as_bytes());
        assert!(
            c.contains("\nusbmuxd v1.1.1 starting up\n    Found: 05ac:12a8\n"),
            "{c:?}"
        );
        assert_eq!(c.lines().count(), fenced.lines().count());
        assert_eq!(clean(b"\x1b[31mERROR\x1b[0m: x &gt; y\x07"), "ERROR: x > y");
        // Whole sequences go, 7-bit and 8-bit (C1), titles and all.
        assert_eq!(
            clean(
                "a\u{1b}]0;PWNED\u{7}b\u{1b}[2J\u{9b}2Jc\u{9d}0;T\u{9c}d\u{1b}P1$r\u{1b}\\e\u{85}"
                    .as_bytes()
            ),
            "abcde"
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("ab\r\nc".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(clean(&utf16), "ab\nc");
        assert_eq!(clean(b"a\0b\n\xff"), "a b\n\u{fffd}");
    }

    #[test]
    fn wide_characters_never_split() {
        for line in [
            "é".repeat(200),
            format!("ab{}", "é ".repeat(100)),
            format!("x[{}", "é".repeat(100)),
        ] {
            let p = message(&line);
            assert!(line.is_char_boundary(p.len));
        }
    }

    #[test]
    fn long_runs_cost_one_pass() {
        for c in ["[", ">", ":", "0", "> ", "&", "\u{1b}["] {
            let line = c.repeat(200_000);
            let _ = message(&line);
            let _ = clean(line.as_bytes());
        }
    }
}
