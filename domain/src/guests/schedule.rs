//! When the guest lifecycle acts, by the institution's policy and the
//! guest's dates: when the invitation goes out, which end-of-stay notices
//! are due (T−14, T−7 and T−1 by default, each sent once), when the account
//! is deactivated, and when a deactivated account is deleted. Pure: the
//! lifecycle job asks here with the injectable clock's date and records
//! what it did, so a restart or a second instance does nothing twice.

use time::{Date, Duration, OffsetDateTime};

/// An institution's rules for one guest type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestPolicy {
    /// The longest stay, in days.
    pub max_days: i64,
    /// The invitation goes out this many days before the start; `None`: at
    /// once, on registration.
    pub invite_days_before: Option<i64>,
    /// End-of-stay notices, in days before the end date.
    pub notice_days: Vec<i64>,
    /// A claim link lasts this long.
    pub claim_link_days: i64,
    /// Wrong one-time codes allowed before the claim must start again.
    pub code_attempts: u8,
    /// A deactivated account is deleted this long after deactivation.
    pub retention: Duration,
    /// The prefix of guests' usernames (`ext-`), if any.
    pub username_prefix: String,
}

impl Default for GuestPolicy {
    fn default() -> Self {
        Self {
            max_days: super::registration::DEFAULT_MAX_DAYS,
            invite_days_before: None,
            notice_days: vec![14, 7, 1],
            claim_link_days: 7,
            code_attempts: 5,
            // Six months.
            retention: Duration::days(183),
            username_prefix: String::new(),
        }
    }
}

impl GuestPolicy {
    /// The day the invitation is to go out for a stay starting `start`,
    /// registered `today`: never before today.
    pub fn invitation_day(&self, start: Date, today: Date) -> Date {
        match self.invite_days_before {
            None => today,
            Some(days) => (start - Duration::days(days.max(0))).max(today),
        }
    }

    /// The end-of-stay notices (days before the end) due on `today` for a
    /// stay ending `end` and not sent yet: each notice is due from its day
    /// until the end, so one missed while the job was down still goes out
    /// — but only the nearest, as the earlier ones would say too much time
    /// is left.
    pub fn notices_due(&self, end: Date, today: Date, sent: &[i64]) -> Option<i64> {
        let left = (end - today).whole_days();
        if left <= 0 {
            return None;
        }
        self.notice_days.iter().copied().filter(|d| *d >= left).min().filter(|d| !sent.contains(d))
    }

    /// When the claim link sent at `sent_at` stops working.
    pub fn claim_link_expires(&self, sent_at: OffsetDateTime) -> OffsetDateTime {
        sent_at + Duration::days(self.claim_link_days)
    }

    /// When an account deactivated at `deactivated_at` is to be deleted.
    pub fn deletion_due(&self, deactivated_at: OffsetDateTime) -> OffsetDateTime {
        deactivated_at + self.retention
    }
}

/// Whether a stay ending `end` is over on `today` (the end date is the
/// first day without access).
pub fn ended(end: Date, today: Date) -> bool {
    today >= end
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn the_invitation_goes_out_the_configured_days_before_the_start_and_never_in_the_past() {
        let at_once = GuestPolicy::default();
        assert_eq!(at_once.invitation_day(date!(2026 - 12 - 20), date!(2026 - 12 - 05)), date!(2026 - 12 - 05));
        let early = GuestPolicy { invite_days_before: Some(3), ..GuestPolicy::default() };
        assert_eq!(early.invitation_day(date!(2026 - 12 - 20), date!(2026 - 12 - 05)), date!(2026 - 12 - 17));
        assert_eq!(early.invitation_day(date!(2026 - 12 - 06), date!(2026 - 12 - 05)), date!(2026 - 12 - 05));
    }

    #[test]
    fn each_notice_is_due_once_and_a_missed_one_gives_way_to_the_nearest() {
        let p = GuestPolicy::default();
        let end = date!(2027 - 01 - 04);
        assert_eq!(p.notices_due(end, date!(2026 - 12 - 20), &[]), None, "15 days left");
        assert_eq!(p.notices_due(end, date!(2026 - 12 - 21), &[]), Some(14));
        assert_eq!(p.notices_due(end, date!(2026 - 12 - 22), &[14]), None, "sent already");
        assert_eq!(p.notices_due(end, date!(2026 - 12 - 28), &[14]), Some(7));
        assert_eq!(p.notices_due(end, date!(2027 - 01 - 03), &[14]), Some(1), "the job was down for T−7: only T−1 goes");
        assert_eq!(p.notices_due(end, date!(2027 - 01 - 04), &[14, 7]), None, "ended");
        assert!(ended(end, date!(2027 - 01 - 04)) && !ended(end, date!(2027 - 01 - 03)));
    }

    #[test]
    fn links_expire_and_accounts_are_deleted_after_the_retention_period() {
        let p = GuestPolicy::default();
        assert_eq!(p.claim_link_expires(datetime!(2026-12-05 10:00 UTC)), datetime!(2026-12-12 10:00 UTC));
        assert_eq!(p.deletion_due(datetime!(2027-01-04 00:00 UTC)), datetime!(2027-07-06 00:00 UTC));
        assert_eq!(p.code_attempts, 5);
    }
}
