//! Find the entries that explain what someone pasted: an error code in any of
//! its usual spellings, a whole error line, or a fragment of a message.
//!
//! Never panics, whatever the input; long input is cut at [`MAX_QUERY_BYTES`].

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::entries::all;
use super::entry::{Code, Domain, Entry};

/// Longer queries are cut here (on a character boundary) before matching.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;
/// Decimal numbers with more digits than this are ignored (no code is that long).
const MAX_DECIMAL_DIGITS: usize = 12;

/// Why an entry matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The query is the entry's key.
    Key,
    /// The query is a rule id this entry lists among its causes.
    Cause { rule: crate::rules::RuleId },
    /// A number in the query is one of the entry's codes, in this domain.
    Code {
        domain: Domain,
        code: Code,
        /// The number as it appeared in the query.
        typed: String,
    },
    /// The entry's phrase occurs in the query.
    Phrase { phrase: &'static str },
    /// The query (two words or more) is part of the entry's phrase.
    Fragment { phrase: &'static str },
    /// At least three quarters (and two or more) of the content words of the entry's phrase occur in the query.
    Words { phrase: &'static str, percent: u8 },
}

impl Reason {
    /// One line saying why, for the text report.
    pub fn describe(&self) -> String {
        match self {
            Reason::Key => "entry key".to_string(),
            Reason::Cause { rule } => format!("lists rule {rule} as a cause"),
            Reason::Code {
                domain,
                code,
                typed,
            } => {
                format!(
                    "code {} in {} (you typed {typed})",
                    code.display(),
                    domain.label()
                )
            }
            Reason::Phrase { phrase } => format!("message \"{phrase}\""),
            Reason::Fragment { phrase } => format!("part of the message \"{phrase}\""),
            Reason::Words { phrase, percent } => format!("{percent}% of the words of \"{phrase}\""),
        }
    }

    fn weight(&self) -> u32 {
        match self {
            Reason::Key => 1000,
            // The 1.1.x lockdownd numbering is rare today: rank it after the current one.
            Reason::Code {
                domain: Domain::LockdownLegacy,
                ..
            } => 880,
            Reason::Code { .. } => 900,
            // Longer phrases are more specific.
            Reason::Phrase { phrase } => {
                500 + 10 * content_words(&normalize(phrase)).len().min(20) as u32
            }
            Reason::Fragment { .. } => 450,
            Reason::Cause { .. } => 300,
            Reason::Words { percent, .. } => 100 + *percent as u32,
        }
    }
}

/// One matching entry.
#[derive(Debug, Clone)]
pub struct Match {
    pub entry: &'static Entry,
    pub reasons: Vec<Reason>,
    /// Higher is a better match; only the order matters.
    pub score: u32,
}

impl Serialize for Match {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Match", 4)?;
        st.serialize_field("key", self.entry.key)?;
        st.serialize_field("score", &self.score)?;
        st.serialize_field("reasons", &self.reasons)?;
        st.serialize_field("entry", self.entry)?;
        st.end()
    }
}

/// The result of [`lookup`]: the entries that match, best first.
#[derive(Debug, Clone, Serialize)]
pub struct Lookup {
    /// The query as matched (trimmed, possibly cut).
    pub query: String,
    pub matches: Vec<Match>,
}

impl Lookup {
    pub fn is_empty(&self) -> bool {
        self.matches.is_empty()
    }
    pub fn best(&self) -> Option<&Match> {
        self.matches.first()
    }
    /// Keys of the matching entries, best first.
    pub fn keys(&self) -> Vec<&'static str> {
        self.matches.iter().map(|m| m.entry.key).collect()
    }
}

/// Look up a code, an error line or a message fragment.
pub fn lookup(query: &str) -> Lookup {
    let query = truncate(query.trim(), MAX_QUERY_BYTES);
    let mut found: Vec<(usize, Reason)> = Vec::new();
    let entries = all();

    if !query.is_empty() {
        let lower = lower_ascii_punct(query);
        let trimmed = lower.trim();

        // Entry keys and rule ids.
        for (i, e) in entries.iter().enumerate() {
            if e.key == trimmed {
                found.push((i, Reason::Key));
            }
            if let Some(&rule) = e.causes.rules().iter().find(|c| c.as_str() == trimmed) {
                found.push((i, Reason::Cause { rule }));
            }
        }

        // A key or a rule id is an exact request: nothing else is added.
        if found.is_empty() {
            match_codes_and_phrases(&lower, &mut found);
        }
    }
    Lookup {
        query: query.to_string(),
        matches: group(found),
    }
}

fn match_codes_and_phrases(lower: &str, found: &mut Vec<(usize, Reason)>) {
    let entries = all();

    // Phrases first: a number inside a phrase that matched is part of that
    // message ("usbmuxd_send: Error -1 when sending"), not a code of another entry.
    let mut phrases: Vec<(usize, Reason)> = Vec::new();
    let norm = normalize(lower);
    let padded_query = format!(" {norm} ");
    let query_words = content_words(&norm);
    let query_is_fragment = word_count(&norm) >= 2 && !query_words.is_empty();
    for (i, e) in entries.iter().enumerate() {
        let forms = normalized_phrases().get(i).map_or(&[][..], Vec::as_slice);
        for (phrase, form) in e.phrases.iter().zip(forms) {
            let (p, pw) = (&form.text, &form.words);
            if p.is_empty() {
                continue;
            }
            let padded_phrase = format!(" {p} ");
            if padded_query.contains(&padded_phrase) {
                phrases.push((i, Reason::Phrase { phrase }));
                continue;
            }
            if query_is_fragment && padded_phrase.contains(&padded_query) {
                phrases.push((i, Reason::Fragment { phrase }));
                continue;
            }
            if pw.len() >= 2 {
                let overlap = pw.iter().filter(|w| query_words.contains(w)).count();
                let percent = (overlap * 100 / pw.len()) as u8;
                if overlap >= 2 && percent >= 75 {
                    phrases.push((i, Reason::Words { phrase, percent }));
                }
            }
        }
    }
    let inside_other_phrase = |tok: &NumToken, entry: usize| {
        let digits = tok.typed.trim_start_matches('-');
        phrases.iter().any(|(j, r)| match r {
            Reason::Phrase { phrase } if *j != entry => {
                normalize(phrase).split(' ').any(|w| w == digits)
            }
            _ => false,
        })
    };

    // Codes.
    let hints = domain_hints(lower);
    for tok in numeric_tokens(lower) {
        for (i, e) in entries.iter().enumerate() {
            for code in e.codes {
                if tok.matches(code, &hints) && (tok.hex || !inside_other_phrase(&tok, i)) {
                    found.push((
                        i,
                        Reason::Code {
                            domain: code.domain,
                            code: *code,
                            typed: tok.typed.clone(),
                        },
                    ));
                }
            }
        }
    }
    found.extend(phrases);
}

/// A phrase in the form it is compared in, and its content words.
struct PhraseForm {
    text: String,
    words: Vec<String>,
}

/// Every entry's phrases, normalized once: a lookup compares hundreds of
/// them, and pasted errors are looked up many at a time.
fn normalized_phrases() -> &'static [Vec<PhraseForm>] {
    static FORMS: std::sync::OnceLock<Vec<Vec<PhraseForm>>> = std::sync::OnceLock::new();
    FORMS.get_or_init(|| {
        all()
            .iter()
            .map(|e| {
                e.phrases
                    .iter()
                    .map(|p| {
                        let text = normalize(p);
                        let words = content_words(&text);
                        PhraseForm { text, words }
                    })
                    .collect()
            })
            .collect()
    })
}

/// Group reasons by entry, best reason first, best entry first.
fn group(found: Vec<(usize, Reason)>) -> Vec<Match> {
    let entries = all();
    let mut matches: Vec<(usize, Match)> = Vec::new();
    for (i, reason) in found {
        match matches.iter_mut().find(|(j, _)| *j == i) {
            Some((_, m)) => {
                if !m.reasons.contains(&reason) {
                    m.reasons.push(reason);
                }
            }
            None => matches.push((
                i,
                Match {
                    entry: &entries[i],
                    reasons: vec![reason],
                    score: 0,
                },
            )),
        }
    }
    for (_, m) in matches.iter_mut() {
        m.reasons.sort_by_key(|r| std::cmp::Reverse(r.weight()));
        let best = m.reasons.first().map(Reason::weight).unwrap_or(0);
        m.score = best + 10 * (m.reasons.len() as u32 - 1).min(9);
    }
    matches.sort_by(|(ia, a), (ib, b)| b.score.cmp(&a.score).then(ia.cmp(ib)));
    matches.into_iter().map(|(_, m)| m).collect()
}

// --- numbers ---------------------------------------------------------------

/// A number found in the query, with what the text around it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NumToken {
    /// Signed value as typed (hex values are their unsigned 32-bit value).
    pub value: i64,
    pub hex: bool,
    /// The way it was typed, for explanations.
    pub typed: String,
}

impl NumToken {
    /// The unsigned 32-bit form, when the number can be a 32-bit code.
    fn as_u32(&self) -> Option<u32> {
        if self.value >= 0 && self.value <= u32::MAX as i64 {
            Some(self.value as u32)
        } else if self.value < 0 && self.value >= i32::MIN as i64 {
            Some(self.value as i32 as u32)
        } else {
            None
        }
    }

    /// A MobileDevice code looks like 0xE8xxxxxx whichever way it is written.
    fn is_mobiledevice(&self) -> bool {
        match self.as_u32() {
            Some(u) => u & 0xFF00_0000 == 0xE800_0000,
            None => false,
        }
    }

    fn matches(&self, code: &Code, hints: &[Domain]) -> bool {
        if code.domain == Domain::MobileDevice {
            return self.is_mobiledevice() && self.as_u32() == Some(code.value as u32);
        }
        if self.hex || self.is_mobiledevice() {
            return false;
        }
        // DeviceLink statuses reuse lockdownd's and mobilebackup2's small
        // numbers: only a query that names them means them.
        if code.domain == Domain::DeviceLink && !hints.contains(&Domain::DeviceLink) {
            return false;
        }
        if !hints.is_empty() && !hints.contains(&code.domain) {
            return false;
        }
        if self.value == code.value {
            return true;
        }
        // "lockdownd error 19": the minus sign is often dropped when retyped.
        let lockdown = matches!(code.domain, Domain::Lockdown | Domain::LockdownLegacy);
        lockdown && hints.contains(&code.domain) && self.value > 0 && -self.value == code.value
    }
}

/// Domains the words of the query point to. Empty: no hint, try them all.
fn domain_hints(lower: &str) -> Vec<Domain> {
    let squashed: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut hints = Vec::new();
    let mut add = |d: Domain| {
        if !hints.contains(&d) {
            hints.push(d);
        }
    };
    // "ErrorCode 105" (one word) is how idevicebackup2 and pymobiledevice3
    // relay the phone's MBErrorDomain code.
    if squashed.contains("mberror")
        || lower.contains("errorcode")
        || squashed.contains("backupfailed")
        || squashed.contains("restorefailed")
    {
        add(Domain::MbError);
    }
    if squashed.contains("lockdown") || lower.contains("mux error") {
        add(Domain::Lockdown);
        add(Domain::LockdownLegacy);
    }
    if squashed.contains("mobilebackup2") || squashed.contains("versionexchange") {
        add(Domain::MobileBackup2);
    }
    if squashed.contains("devicelink")
        || squashed.contains("statusresponse")
        || squashed.contains("dlfileerrorcode")
        || squashed.contains("multistatus")
    {
        add(Domain::DeviceLink);
    }
    if squashed.contains("itunes")
        || squashed.contains("finder")
        || squashed.contains("appledevices")
        || squashed.contains("unknownerroroccurred")
        || squashed.contains("couldnotberestored")
        || squashed.contains("couldnotbesynced")
    {
        add(Domain::Itunes);
    }
    hints
}

/// Words that, right before a number, make it an error code.
const TRIGGERS: &[&str] = &[
    "status",
    "dlmessagestatusresponse",
    "dlfileerrorcode",
    "error",
    "errorcode",
    "code",
    "err",
    "mberrordomain",
    "errordomain",
    "domain",
];

/// Every number in the query that reads as an error code.
pub(crate) fn numeric_tokens(lower: &str) -> Vec<NumToken> {
    let chars: Vec<char> = lower.chars().collect();
    let n = chars.len();
    let whole = lower
        .trim()
        .trim_matches(|c: char| c == '(' || c == ')' || c == '.' || c == '!');
    let mut out: Vec<NumToken> = Vec::new();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        let boundary = i == 0 || !chars[i - 1].is_alphanumeric();
        if !boundary || !c.is_ascii_hexdigit() {
            i += 1;
            continue;
        }
        // The alphanumeric run starting here.
        let mut end = i;
        while end < n && chars[end].is_alphanumeric() {
            end += 1;
        }
        let run: String = chars[i..end].iter().collect();

        // 0x... hex.
        if c == '0' && end - i > 2 && chars[i + 1] == 'x' {
            let digits = &run[2..];
            if digits.len() <= 8 && digits.chars().all(|h| h.is_ascii_hexdigit()) {
                if let Ok(v) = u32::from_str_radix(digits, 16) {
                    out.push(NumToken {
                        value: v as i64,
                        hex: true,
                        typed: run.clone(),
                    });
                }
            }
            i = end;
            continue;
        }
        // Bare 8-digit hex with the MobileDevice prefix: e8000084.
        if run.len() == 8 && run.starts_with("e8") && run.chars().all(|h| h.is_ascii_hexdigit()) {
            if let Ok(v) = u32::from_str_radix(&run, 16) {
                out.push(NumToken {
                    value: v as i64,
                    hex: true,
                    typed: run.clone(),
                });
            }
            i = end;
            continue;
        }
        // Decimal.
        if !run.chars().all(|d| d.is_ascii_digit()) {
            i = end;
            continue;
        }
        // Versions, addresses and sizes: 16.1, 127.0.0.1, 1.5 GB.
        let dotted_after = end + 1 < n && chars[end] == '.' && chars[end + 1].is_ascii_digit();
        let dotted_before = i >= 2 && chars[i - 1] == '.' && chars[i - 2].is_ascii_digit();
        if dotted_after || dotted_before || run.len() > MAX_DECIMAL_DIGITS {
            i = end;
            continue;
        }
        let negative = i >= 1 && chars[i - 1] == '-' && (i < 2 || !chars[i - 2].is_alphanumeric());
        let magnitude: i64 = match run.parse() {
            Ok(v) => v,
            Err(_) => {
                i = end;
                continue;
            }
        };
        let value = if negative { -magnitude } else { magnitude };
        let typed = if negative {
            format!("-{run}")
        } else {
            run.clone()
        };
        let tok = NumToken {
            value,
            hex: false,
            typed,
        };
        let sign_start = if negative { i - 1 } else { i };
        let counts = tok.is_mobiledevice()
            || whole == tok.typed
            || in_parens(&chars, sign_start, end)
            || preceded_by_trigger(&chars, sign_start);
        if counts && !out.contains(&tok) {
            out.push(tok);
        }
        i = end;
    }
    out
}

/// `(4013)`, `( -54 )`.
fn in_parens(chars: &[char], start: usize, end: usize) -> bool {
    let mut a = start;
    while a > 0 && chars[a - 1] == ' ' {
        a -= 1;
    }
    let mut b = end;
    while b < chars.len() && chars[b] == ' ' {
        b += 1;
    }
    a > 0 && chars[a - 1] == '(' && b < chars.len() && chars[b] == ')'
}

/// `error 54`, `ErrorCode 105`, `MBErrorDomain/208`, `error code: -19`, `code=-21`.
fn preceded_by_trigger(chars: &[char], start: usize) -> bool {
    let mut j = start;
    let mut skipped = 0;
    while j > 0 && matches!(chars[j - 1], ' ' | ':' | '=' | '/' | '(' | '#' | '\t') {
        j -= 1;
        skipped += 1;
        if skipped > 4 {
            return false;
        }
    }
    let mut k = j;
    while k > 0 && chars[k - 1].is_alphabetic() {
        k -= 1;
        if j - k > 24 {
            return false;
        }
    }
    if k == j {
        return false;
    }
    let word: String = chars[k..j].iter().collect();
    TRIGGERS.contains(&word.as_str())
}

// --- text --------------------------------------------------------------------

/// Cut at a character boundary at or below `max` bytes.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut cut = max;
    while cut > 0 && !s.is_char_boundary(cut) {
        cut -= 1;
    }
    &s[..cut]
}

/// Lower-case, with typographic quotes and dashes replaced by ASCII ones.
fn lower_ascii_punct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => {
                out.push('\'')
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => out.push('"'),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => {
                out.push('-')
            }
            '\u{00A0}' | '\u{2007}' | '\u{202F}' => out.push(' '),
            '\u{2026}' => out.push_str("..."),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The form phrases are compared in: lower case, apostrophes dropped (don't ->
/// dont), every other non-alphanumeric character a space, spaces collapsed.
pub fn normalize(s: &str) -> String {
    let lower = lower_ascii_punct(s);
    let mut out = String::with_capacity(lower.len());
    let mut space = true;
    for c in lower.chars() {
        if c == '\'' {
            continue;
        }
        if c.is_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Words too common in this field to say anything on their own.
const STOPWORDS: &[&str] = &[
    "a", "an", "the", "to", "of", "on", "in", "at", "is", "are", "was", "were", "be", "been",
    "because", "this", "that", "it", "its", "my", "your", "for", "with", "and", "or", "by", "from",
    "as", "i", "me", "we", "you", "please", "can", "could", "would", "should", "did", "does", "do",
    "has", "have", "had", "will", "just", "so", "but", "if", "then", "there", "when", "what",
    "why", "how", "which", "while", "into", "up", "out", "about", "after", "before", "again",
    "also", "very", "too", "iphone", "ipad", "ipod", "phone", "device", "error", "occurred",
    "unknown", "code", "s", "t",
];

/// Content words, with a plural `s` dropped so "files" meets "file".
fn content_words(norm: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in norm.split_whitespace() {
        // Numbers are matched as codes, not as words.
        if STOPWORDS.contains(&w) || w.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let w = if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
            &w[..w.len() - 1]
        } else {
            w
        };
        if !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_folds_quotes_dashes_and_punctuation() {
        assert_eq!(
            normalize("Don\u{2019}t  Trust\u{2014}now!"),
            "dont trust now"
        );
        assert_eq!(
            normalize("\u{201C}Device locked (MBErrorDomain/208)\u{201D}"),
            "device locked mberrordomain 208"
        );
        assert_eq!(normalize("   "), "");
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        let s = "é".repeat(10);
        let t = truncate(&s, 5);
        assert_eq!(t, "éé");
    }

    #[test]
    fn numbers_need_code_context() {
        let t = numeric_tokens("ios 16.1 on iphone 15, port 49306");
        assert!(t.is_empty(), "{t:?}");
        let t = numeric_tokens("an unknown error occurred (4013)");
        assert_eq!(t.iter().map(|t| t.value).collect::<Vec<_>>(), vec![4013]);
        let t = numeric_tokens("error code: -19");
        assert_eq!(t[0].value, -19);
        let t = numeric_tokens("lockdownd error:code=-21");
        assert_eq!(t[0].value, -21);
    }

    #[test]
    fn hex_forms_parse_to_the_same_value() {
        for q in ["0xe8000084", "e8000084", "(0xe8000084)"] {
            let t = numeric_tokens(q);
            assert_eq!(t.len(), 1, "{q}");
            assert_eq!(t[0].value, 0xE800_0084, "{q}");
            assert!(t[0].hex);
        }
    }
}
