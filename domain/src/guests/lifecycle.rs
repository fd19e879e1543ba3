//! The lifecycle of a guest's account (DESIGN.md §4.8): invited → active →
//! deactivated → deleted → archived, with suspended and failed beside them.
//! "Expiring" is never stored: it is what an active account is shown as
//! within the notice window before its end date. Each transition is
//! recorded with its reason, its actor or rule, and its time (by the use
//! cases); this module says which transitions there are.

use time::Date;

/// A stored account state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// Registered by a sponsor; waiting for the guest to claim it.
    Invited,
    Active,
    /// Stopped for now by an administrator; may be resumed.
    Suspended,
    /// Ended (the end date passed, or the sponsor ended it); may be
    /// reactivated within the retention period.
    Deactivated,
    /// Removed after the retention period; only a minimal record is kept.
    Deleted,
    /// The minimal record that keeps the username from being given again.
    Archived,
    /// Needs a person to act (a collision, a failed provisioning).
    Failed,
}

impl AccountState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Deactivated => "deactivated",
            Self::Deleted => "deleted",
            Self::Archived => "archived",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Invited, Self::Active, Self::Suspended, Self::Deactivated, Self::Deleted, Self::Archived, Self::Failed].into_iter().find(|st| st.as_str() == s)
    }
}

/// What changes an account's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The guest claimed the account and accepted the terms.
    Claim,
    Suspend,
    Resume,
    /// The end date passed, or the sponsor or an administrator ended it.
    Deactivate,
    /// An administrator brought it back within the retention period.
    Reactivate,
    /// The retention period after deactivation passed.
    Delete,
    Archive,
    Fail,
}

/// The state `transition` leads to from `from`, or `None` when it does not apply.
pub fn next(from: AccountState, transition: Transition) -> Option<AccountState> {
    use AccountState as S;
    use Transition as T;
    match (from, transition) {
        (S::Invited, T::Claim) => Some(S::Active),
        (S::Active, T::Suspend) => Some(S::Suspended),
        (S::Suspended, T::Resume) => Some(S::Active),
        (S::Invited | S::Active | S::Suspended | S::Failed, T::Deactivate) => Some(S::Deactivated),
        (S::Deactivated, T::Reactivate) => Some(S::Active),
        (S::Deactivated, T::Delete) => Some(S::Deleted),
        (S::Deleted, T::Archive) => Some(S::Archived),
        (S::Invited | S::Active | S::Suspended, T::Fail) => Some(S::Failed),
        _ => None,
    }
}

/// The state people see on `today`: an active account whose end date is
/// `notice_days` or fewer days away is "expiring".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Stored(AccountState),
    Expiring { days_left: i64 },
}

impl Shown {
    /// The days left when shown as expiring.
    pub fn expiring_days(self) -> Option<i64> {
        match self {
            Self::Expiring { days_left } => Some(days_left),
            Self::Stored(_) => None,
        }
    }
}

pub fn shown(state: AccountState, end: Date, today: Date, notice_days: i64) -> Shown {
    let days_left = (end - today).whole_days();
    match state {
        AccountState::Active if (0..=notice_days).contains(&days_left) => Shown::Expiring { days_left },
        other => Shown::Stored(other),
    }
}

/// Whether the account gives access on `today`: active and within its
/// dates. Suspension is the administrative override: a suspended account
/// gives nothing, whatever its dates (to give more than the dates do, the
/// sponsor extends the stay).
pub fn valid(state: AccountState, start: Date, end: Date, today: Date) -> bool {
    state == AccountState::Active && start <= today && today < end
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    use AccountState as S;
    use Transition as T;

    #[test]
    fn the_lifecycle_goes_forward_and_back_only_where_it_may() {
        assert_eq!(next(S::Invited, T::Claim), Some(S::Active));
        assert_eq!(next(S::Active, T::Deactivate), Some(S::Deactivated));
        assert_eq!(next(S::Deactivated, T::Reactivate), Some(S::Active));
        assert_eq!(next(S::Deactivated, T::Delete), Some(S::Deleted));
        assert_eq!(next(S::Deleted, T::Archive), Some(S::Archived));
        assert_eq!(next(S::Active, T::Claim), None, "a claim link is single-use");
        assert_eq!(next(S::Deleted, T::Reactivate), None, "past the retention period");
        assert_eq!(next(S::Active, T::Delete), None, "deleted only after deactivation");
        assert_eq!(next(S::Archived, T::Reactivate), None);
        for s in [S::Invited, S::Active, S::Suspended, S::Deactivated, S::Deleted, S::Archived, S::Failed] {
            assert_eq!(AccountState::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn expiring_is_derived_from_the_end_date() {
        let end = date!(2026 - 12 - 20);
        assert_eq!(shown(S::Active, end, date!(2026 - 12 - 05), 14), Shown::Stored(S::Active));
        assert_eq!(shown(S::Active, end, date!(2026 - 12 - 06), 14), Shown::Expiring { days_left: 14 });
        assert_eq!(shown(S::Invited, end, date!(2026 - 12 - 19), 14), Shown::Stored(S::Invited), "only an active account expires");
    }

    #[test]
    fn validity_is_computed_from_state_dates_and_override() {
        let (start, end) = (date!(2026 - 12 - 05), date!(2026 - 12 - 20));
        assert!(valid(S::Active, start, end, date!(2026 - 12 - 05)));
        assert!(!valid(S::Active, start, end, date!(2026 - 12 - 20)), "the end date is the first day without");
        assert!(!valid(S::Active, start, end, date!(2026 - 12 - 04)), "not before the start");
        assert!(!valid(S::Suspended, start, end, date!(2026 - 12 - 10)), "suspension overrides the dates");
        assert!(!valid(S::Invited, start, end, date!(2026 - 12 - 10)), "not before the claim");
    }
}
