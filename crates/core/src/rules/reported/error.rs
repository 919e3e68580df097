use crate::rules::prelude::*;

const NAMED: Title = Title {
    when: "always: the tool that printed the error is named",
    text: "{tool} reported an error",
};
const OVERCOME: Title = Title {
    when: "a later line of the same capture shows the tool succeeding",
    text: "{tool} reported an error, then succeeded",
};

/// For an error `explain` does not know: where to look next.
const UNKNOWN_STEPS: &[Fix] = &[
    Fix::any("Run the tool again with its debug option (idevicebackup2 -d, pymobiledevice3 -v) and give its whole output to `iphone-backup-check diagnose --from`: the lines before the error usually name the cause."),
    texts::DIAGNOSE,
];

declare_rule! {
    /// ## What it means
    /// A file given to `--from` holds an error another tool printed
    /// (idevicebackup2, idevicepair, pymobiledevice3, Finder or iTunes ...)
    /// that no other check takes as its cause: `explain` does not know it,
    /// or knows it only as a failure with many possible causes. The finding
    /// shows the tool's own words, with what the error means and the steps
    /// that fix it when `explain` knows them.
    ///
    /// ## Why the backup fails
    /// The tool itself said the operation failed; the message is the best
    /// account there is of why, even when it names no single cause.
    ///
    /// ## Evidence used
    /// `probes.reported_errors`: the tool, its code and domain when it gave
    /// one, the message and the line it was read from. Errors whose
    /// `explain` entry names the cause of another rule are shown by that
    /// rule instead. An error the same tool got past later in the capture
    /// ("SUCCESS: Paired with device") is a note.
    ///
    /// ## Known limitations
    /// It ranks below findings that rest on what was seen of the phone or
    /// the computer: a generic failure says that something went wrong, not
    /// what.
    pub static RULE = {
        id: RuleId::ReportedError,
        title: "Another tool reported an error",
        variants: &[NAMED, OVERCOME],
        layer: Layer::Host,
        severity: Severity::Blocker,
        since: "0.1.0",
        check,
    }
}

fn check(s: &Snapshot, out: &mut Findings) {
    let os = s.os_family();
    let reported: Vec<_> = out
        .reported()
        .iter()
        .filter(|r| r.covered_by().is_none())
        .cloned()
        .collect();
    for r in reported {
        let e = r.error;
        let tool = e.tool.as_str();
        let mut f = Finding::new(&RULE)
            .confidence(Confidence::Possible)
            .titled(NAMED.fill(&[("tool", tool)]))
            .quoted(&e.quote);
        match &r.explained {
            Some(x) => {
                f = f.evidence(format!("{}: {}", x.entry.title, x.entry.meaning));
                if let Some(a) = &x.ambiguity {
                    f = f.evidence(a.clone());
                }
                for fix in x.entry.fixes {
                    if let Some(text) = fix.text_for(os) {
                        f = f.step(text);
                    }
                }
            }
            None => {
                f = f
                    .evidence(
                        "explain knows no entry for this message; the lines before it in the file may say more",
                    )
                    .steps(UNKNOWN_STEPS);
            }
        }
        if let Some(later) = &e.overcome {
            f = f
                .titled(OVERCOME.fill(&[("tool", tool)]))
                .at_most(Severity::Info)
                .evidence(format!("then: {}", later.cite()));
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn reported(message: &str, overcome: bool) -> Snapshot {
        let mut s = world().build();
        let quote = |line, text: &str| Quote {
            file: "paste.txt".into(),
            line,
            text: text.into(),
        };
        s.probes.reported_errors.push(ReportedError {
            tool: "idevicebackup2".into(),
            domain: None,
            code: None,
            message: message.into(),
            quote: quote(3, message),
            udid: None,
            overcome: overcome.then(|| quote(4, "SUCCESS")),
        });
        s
    }

    #[test]
    fn an_unknown_error_is_shown_in_the_tools_words() {
        let s = reported("Failed to frobnicate the widget", false);
        let f = only(&s, &RULE);
        assert_eq!(f.title, "idevicebackup2 reported an error");
        assert_eq!(f.severity, Severity::Blocker);
        assert_eq!(f.confidence, Confidence::Possible);
        let q = f.quotes().next().expect("quotes the line");
        assert_eq!(
            (q.line, q.text.as_str()),
            (3, "Failed to frobnicate the widget")
        );
    }

    #[test]
    fn a_generic_error_shows_its_meaning_and_fixes_and_a_covered_one_is_left_to_its_rule() {
        let s = reported(
            "The iPhone could not be backed up because an error occurred.",
            false,
        );
        let f = only(&s, &RULE);
        assert!(f.says("generic backup failure"), "{f:?}");
        assert!(!f.remediation.is_empty());
        let s = reported("ERROR: timeout while locking for sync", false);
        assert!(fired(&s, &RULE).is_empty());
    }

    #[test]
    fn an_error_the_tool_got_past_is_a_note() {
        let s = reported(
            "Please accept the trust dialog on the screen of device X",
            true,
        );
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Info);
        assert!(f.title.ends_with("then succeeded"));
    }
}
