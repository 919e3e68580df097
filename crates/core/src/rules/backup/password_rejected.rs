use crate::rules::prelude::*;

declare_rule! {
    /// ## What it means
    /// A backup tool gave the phone a backup password and the phone said it
    /// was wrong: MBErrorDomain 207, "Invalid password" (idevicebackup2's
    /// `ErrorCode 207`, pymobiledevice3's `ErrorCode 207` traceback, Finder's
    /// and iTunes' "the password you entered was incorrect").
    ///
    /// ## Why the backup fails
    /// Backups of an encrypted phone need the password set on that phone to
    /// restore them, to change the password and to turn encryption off; and
    /// a tool that reads an encrypted backup (`idevicebackup2 info`, a
    /// restore) stops at the first step that needs it. Making a new backup
    /// needs no password, so this blocks restoring and managing backups, not
    /// backing up.
    ///
    /// ## Evidence used
    /// A line another tool printed, pasted with `--from`, whose error code is
    /// MBErrorDomain 207 (or whose words are "Invalid password ...
    /// MBErrorDomain/207"): <https://github.com/libimobiledevice/libimobiledevice/issues/607>,
    /// <https://github.com/doronz88/pymobiledevice3/issues/721>.
    ///
    /// ## Known limitations
    /// The password itself is never asked for or tried here. The phone does
    /// not say which password it expected (one set years ago, on another
    /// computer, is common); `backup.encrypted` says when the backups on
    /// this computer are encrypted.
    pub static RULE = {
        id: RuleId::BackupPasswordRejected,
        title: "The iPhone rejected the backup password",
        layer: Layer::Backup,
        severity: Severity::Blocker,
        steps: &[
            texts::BACKUP_PASSWORD,
            Fix::any("Try the passwords used on other computers or years ago: the phone keeps the one set when encryption was first turned on, on whichever computer that was."),
            texts::FORGOT_BACKUP_PASSWORD,
        ],
        reads_reported_errors: true,
        since: "0.1.0",
        check,
    }
}

fn check(_: &Snapshot, out: &mut Findings) {
    out.push_reported(&RULE);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn reported(tool: &str, code: i64, message: &str) -> Snapshot {
        let mut s = world().build();
        s.probes.reported_errors.push(ReportedError {
            tool: tool.into(),
            domain: Some("mberrordomain".into()),
            code: Some(code),
            message: message.into(),
            quote: Quote {
                file: "paste.txt".into(),
                line: 2,
                text: format!("ErrorCode {code}: {message}"),
            },
            udid: None,
            overcome: None,
        });
        s
    }

    #[test]
    fn error_207_is_a_rejected_password_that_blocks() {
        let s = reported(
            "idevicebackup2",
            207,
            "Invalid password when restoring encrypted backup (MBErrorDomain/207).",
        );
        let f = only(&s, &RULE);
        assert_eq!(f.severity, Severity::Blocker);
        assert!(f.quotes().any(|q| q.line == 2), "{:?}", f.evidence);
    }

    #[test]
    fn another_backup_error_is_not_a_password() {
        let s = reported("idevicebackup2", 208, "Device locked (MBErrorDomain/208)");
        assert!(fired(&s, &RULE).is_empty());
    }
}
