//! The time a conversation with the phone may take: the overall deadline
//! and a limit per request, whichever comes first. (Called a budget, not
//! "steps", so it is not confused with a finding's remediation steps.)

use std::time::Duration;

use super::deadline::Deadline;

/// How long one request to the phone may take at most (10 s by default gives
/// 5 s): half the overall `--timeout`, so one stuck request leaves time for
/// the rest, and a slow phone given a long timeout gets long requests too.
pub fn per_request(timeout: Duration) -> Duration {
    (timeout / 2).max(Duration::from_millis(500))
}

/// The overall deadline and the per-request limit.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    overall: Deadline,
    per_request: Duration,
}

impl Budget {
    pub fn new(overall: Deadline, per_request: Duration) -> Self {
        Self {
            overall,
            per_request,
        }
    }

    /// The deadline for the next request.
    pub fn op(self) -> Deadline {
        Deadline::after(self.per_request.min(self.overall.remaining()))
    }

    pub fn overall_remaining(self) -> Duration {
        self.overall.remaining()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_request_gets_the_earlier_of_the_two() {
        let budget = Budget::new(
            Deadline::after(Duration::from_secs(2)),
            per_request(Duration::from_secs(10)),
        );
        assert!(budget.op().remaining() <= Duration::from_secs(2));
        let budget = Budget::new(
            Deadline::after(Duration::from_secs(60)),
            per_request(Duration::from_secs(10)),
        );
        assert!(budget.op().remaining() <= Duration::from_secs(5));
        assert_eq!(
            per_request(Duration::from_secs(30)),
            Duration::from_secs(15)
        );
        assert_eq!(
            per_request(Duration::from_millis(100)),
            Duration::from_millis(500)
        );
    }
}
