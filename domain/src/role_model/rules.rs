//! Pure rules of the role model: inheritance without cycles, segregation of
//! duties, and the access rules (amount limits, time windows) checked when a
//! role's rights are used. No I/O here; the store and the engine call these.

use super::holidays::{is_working_day, working_day_of_month};
use super::model::{AccessRules, Amount, SodRule, TimeWindow};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet, VecDeque};
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset, Weekday};
use uuid::Uuid;

/// Role → the roles it inherits directly.
pub type Inheritance = HashMap<Uuid, Vec<Uuid>>;

/// If `role` inheriting `inherits` would close a cycle, the cycle as a path
/// from `role` back to itself.
pub fn inheritance_cycle(edges: &Inheritance, role: Uuid, inherits: Uuid) -> Option<Vec<Uuid>> {
    if role == inherits {
        return Some(vec![role, role]);
    }
    // A cycle exists when `role` is reachable from `inherits`.
    let mut came_from: HashMap<Uuid, Uuid> = HashMap::new();
    let mut queue = VecDeque::from([inherits]);
    let mut seen = HashSet::from([inherits]);
    while let Some(at) = queue.pop_front() {
        for next in edges.get(&at).into_iter().flatten() {
            if *next == role {
                // Walk back from `at` to `inherits`, then read it forwards.
                let mut chain = vec![at];
                while let Some(prev) = came_from.get(chain.last().unwrap_or(&at)) {
                    chain.push(*prev);
                }
                chain.reverse();
                let mut path = vec![role];
                path.extend(chain);
                path.push(role);
                return Some(path);
            }
            if seen.insert(*next) {
                came_from.insert(*next, at);
                queue.push_back(*next);
            }
        }
    }
    None
}

/// `role` and every role it inherits, directly or not, nearest first. Safe
/// on cyclic data (which the store refuses to create).
pub fn closure(edges: &Inheritance, role: Uuid) -> Vec<Uuid> {
    let mut out = vec![role];
    let mut seen = HashSet::from([role]);
    let mut i = 0;
    while i < out.len() {
        for next in edges.get(&out[i]).into_iter().flatten() {
            if seen.insert(*next) {
                out.push(*next);
            }
        }
        i += 1;
    }
    out
}

/// The first segregation-of-duties rule broken by adding `adding` (a role
/// closure) to what the subject already holds for the party (`held`, also
/// closed under inheritance). Conflicts that exist without `adding` are not
/// its fault and are reported at decision time instead.
pub fn sod_conflict<'r>(held: &HashSet<Uuid>, adding: &[Uuid], rules: &'r [SodRule]) -> Option<&'r SodRule> {
    let new: HashSet<Uuid> = adding.iter().copied().collect();
    let has = |r: &Uuid| held.contains(r) || new.contains(r);
    rules.iter().find(|rule| (new.contains(&rule.role_a) && has(&rule.role_b)) || (new.contains(&rule.role_b) && has(&rule.role_a)))
}

/// Every rule whose two roles are both in `roles`.
pub fn conflicts_within<'r>(roles: &HashSet<Uuid>, rules: &'r [SodRule]) -> Vec<&'r SodRule> {
    rules.iter().filter(|r| roles.contains(&r.role_a) && roles.contains(&r.role_b)).collect()
}

/// Why an access rule stopped the use of a right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Blocked {
    #[error("the role limits amounts, and the request gives no amount")]
    AmountMissing,
    #[error("the role allows amounts up to {}, the request asks {}", .limit.display_nb(), .asked.display_nb())]
    AmountOver { limit: Amount, asked: Amount },
    #[error("the role may be used only {}", describe_window(.window))]
    OutsideTimeWindow { window: TimeWindow },
}

fn describe_window(w: &TimeWindow) -> String {
    match w {
        TimeWindow::FirstWorkingDaysOfMonth { days } => format!("on the first {days} working days of a month"),
        TimeWindow::Hours { from, to, weekdays_only } => {
            format!("from {from:02}:00 to {to:02}:00{}", if *weekdays_only { " on weekdays" } else { "" })
        }
    }
}

/// Checks the access rules of a role for a use at `at` with `amount`.
pub fn check_access_rules(rules: &AccessRules, at: OffsetDateTime, amount: Option<Amount>) -> Result<(), Blocked> {
    if let Some(limit) = rules.max_amount {
        match amount {
            None => return Err(Blocked::AmountMissing),
            Some(asked) if asked > limit => return Err(Blocked::AmountOver { limit, asked }),
            Some(_) => {}
        }
    }
    if let Some(window) = &rules.time_window {
        if !window_allows(window, at) {
            return Err(Blocked::OutsideTimeWindow { window: window.clone() });
        }
    }
    Ok(())
}

/// Whether `at` lies in the window, in Norwegian local time.
pub fn window_allows(window: &TimeWindow, at: OffsetDateTime) -> bool {
    let local = at.to_offset(norwegian_offset(at));
    let weekday = !matches!(local.weekday(), Weekday::Saturday | Weekday::Sunday);
    match window {
        TimeWindow::FirstWorkingDaysOfMonth { days } => is_working_day(local.date()) && working_day_of_month(local.date()) <= *days,
        TimeWindow::Hours { from, to, weekdays_only } => (!weekdays_only || weekday) && (*from..*to).contains(&local.hour()),
    }
}

/// Norway's offset at `at`: UTC+2 from the last Sunday of March 01:00 UTC to
/// the last Sunday of October 01:00 UTC (the EU rule), else UTC+1. Computed,
/// so the engine needs no time-zone database.
pub fn norwegian_offset(at: OffsetDateTime) -> UtcOffset {
    let year = at.year();
    let last_sunday = |month: Month| -> Option<OffsetDateTime> {
        let first_next = if month == Month::December {
            Date::from_calendar_date(year + 1, Month::January, 1).ok()?
        } else {
            Date::from_calendar_date(year, month.next(), 1).ok()?
        };
        let mut d = first_next - Duration::days(1);
        while d.weekday() != Weekday::Sunday {
            d -= Duration::days(1);
        }
        Some(d.with_hms(1, 0, 0).ok()?.assume_utc())
    };
    let summer = match (last_sunday(Month::March), last_sunday(Month::October)) {
        (Some(start), Some(end)) => at >= start && at < end,
        _ => false,
    };
    let hours = if summer { 2 } else { 1 };
    UtcOffset::from_hms(hours, 0, 0).unwrap_or(UtcOffset::UTC)
}

#[cfg(test)]
// Amounts are in øre, written kroner_øre (100_000_00 is 100,000 kroner).
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|i| Uuid::from_u128(i as u128 + 1)).collect()
    }

    #[test]
    fn hospital_doctor_inherits_doctor_and_employee() {
        let [employee, doctor, hospital_doctor] = ids(3)[..] else { unreachable!() };
        let edges = Inheritance::from([(hospital_doctor, vec![doctor]), (doctor, vec![employee])]);
        assert_eq!(closure(&edges, hospital_doctor), vec![hospital_doctor, doctor, employee]);
        assert_eq!(closure(&edges, employee), vec![employee]);
    }

    #[test]
    fn a_cycle_is_found_with_its_path() {
        let [a, b, c] = ids(3)[..] else { unreachable!() };
        let edges = Inheritance::from([(a, vec![b]), (b, vec![c])]);
        // c inheriting a closes c → a → b → c.
        assert_eq!(inheritance_cycle(&edges, c, a), Some(vec![c, a, b, c]));
        assert_eq!(inheritance_cycle(&edges, a, a), Some(vec![a, a]));
        assert_eq!(inheritance_cycle(&edges, a, c), None, "a shortcut is not a cycle");
        let d = Uuid::from_u128(99);
        assert_eq!(inheritance_cycle(&edges, d, a), None);
    }

    #[test]
    fn closure_terminates_on_cyclic_data() {
        let [a, b] = ids(2)[..] else { unreachable!() };
        let edges = Inheritance::from([(a, vec![b]), (b, vec![a])]);
        assert_eq!(closure(&edges, a), vec![a, b]);
    }

    #[test]
    fn segregation_of_duties_blames_the_newcomer_only() {
        let [payer, approver, clerk, boss] = ids(4)[..] else { unreachable!() };
        let rules = vec![SodRule { id: Uuid::from_u128(100), role_a: payer, role_b: approver }];
        let held = HashSet::from([payer]);
        assert_eq!(sod_conflict(&held, &[approver], &rules).map(|r| r.id), Some(Uuid::from_u128(100)));
        assert!(sod_conflict(&held, &[clerk], &rules).is_none());
        // Through inheritance: boss inherits approver.
        assert!(sod_conflict(&held, &[boss, approver], &rules).is_some());
        // A pre-existing conflict is not the newcomer's.
        let both = HashSet::from([payer, approver]);
        assert!(sod_conflict(&both, &[clerk], &rules).is_none());
        assert_eq!(conflicts_within(&both, &rules).len(), 1);
        assert!(conflicts_within(&held, &rules).is_empty());
    }

    #[test]
    fn amount_limits_compare_with_the_request() {
        let rules = AccessRules { max_amount: Some(Amount(100_000_00)), time_window: None };
        let at = datetime!(2026-11-24 10:00 UTC);
        assert_eq!(check_access_rules(&rules, at, Some(Amount(100_000_00))), Ok(()));
        assert_eq!(check_access_rules(&rules, at, Some(Amount(100_000_01))), Err(Blocked::AmountOver { limit: Amount(100_000_00), asked: Amount(100_000_01) }));
        assert_eq!(check_access_rules(&rules, at, None), Err(Blocked::AmountMissing));
        assert_eq!(check_access_rules(&AccessRules::default(), at, None), Ok(()));
    }

    #[test]
    fn first_five_working_days_skip_the_weekend() {
        let w = TimeWindow::FirstWorkingDaysOfMonth { days: 5 };
        // November 2026 starts on a Sunday: working days 1–5 are the 2nd to the 6th.
        assert!(!window_allows(&w, datetime!(2026-11-01 12:00 UTC)), "Sunday");
        assert!(window_allows(&w, datetime!(2026-11-02 12:00 UTC)));
        assert!(window_allows(&w, datetime!(2026-11-06 12:00 UTC)));
        assert!(!window_allows(&w, datetime!(2026-11-09 12:00 UTC)), "the sixth working day");
        // Local time decides: 23:30 UTC on 30 November is 00:30 on 1 December in Oslo (a Tuesday).
        assert!(window_allows(&w, datetime!(2026-11-30 23:30 UTC)));
    }

    #[test]
    fn first_five_working_days_skip_public_holidays() {
        let w = TimeWindow::FirstWorkingDaysOfMonth { days: 5 };
        // Easter 2026 takes Thursday 2 April to Monday 6 April: the fifth
        // working day is Friday the 10th, and Maundy Thursday is not one.
        assert!(window_allows(&w, datetime!(2026-04-01 10:00 UTC)));
        assert!(!window_allows(&w, datetime!(2026-04-02 10:00 UTC)), "Maundy Thursday");
        assert!(window_allows(&w, datetime!(2026-04-10 10:00 UTC)));
        assert!(!window_allows(&w, datetime!(2026-04-13 10:00 UTC)), "the sixth working day");
    }

    #[test]
    fn office_hours_follow_norwegian_summer_time() {
        let w = TimeWindow::Hours { from: 8, to: 16, weekdays_only: true };
        // Summer (UTC+2): 06:30 UTC is 08:30 local.
        assert!(window_allows(&w, datetime!(2026-06-10 06:30 UTC)));
        // Winter (UTC+1): 06:30 UTC is 07:30 local.
        assert!(!window_allows(&w, datetime!(2026-12-09 06:30 UTC)));
        assert!(window_allows(&w, datetime!(2026-12-09 07:30 UTC)));
        assert!(!window_allows(&w, datetime!(2026-12-12 10:00 UTC)), "Saturday");
        let err = check_access_rules(&AccessRules { max_amount: None, time_window: Some(w) }, datetime!(2026-12-12 10:00 UTC), None).unwrap_err();
        assert_eq!(err.to_string(), "the role may be used only from 08:00 to 16:00 on weekdays");
    }

    #[test]
    fn summer_time_changes_on_the_last_sundays_at_one_utc() {
        assert_eq!(norwegian_offset(datetime!(2026-03-29 00:59 UTC)).whole_hours(), 1);
        assert_eq!(norwegian_offset(datetime!(2026-03-29 01:00 UTC)).whole_hours(), 2);
        assert_eq!(norwegian_offset(datetime!(2026-10-25 00:59 UTC)).whole_hours(), 2);
        assert_eq!(norwegian_offset(datetime!(2026-10-25 01:00 UTC)).whole_hours(), 1);
    }

    proptest! {
        /// Whatever edges exist, adding one the check accepts never creates a cycle.
        #[test]
        fn accepted_edges_keep_the_graph_acyclic(pairs in proptest::collection::vec((0u8..8, 0u8..8), 0..30)) {
            let id = |n: u8| Uuid::from_u128(n as u128 + 1);
            let mut edges = Inheritance::new();
            for (a, b) in pairs {
                if inheritance_cycle(&edges, id(a), id(b)).is_none() {
                    edges.entry(id(a)).or_default().push(id(b));
                }
            }
            // Acyclic: no role is in the closure of what it inherits.
            for (role, parents) in &edges {
                for p in parents {
                    prop_assert!(!closure(&edges, *p).contains(role));
                }
            }
        }

        #[test]
        fn found_cycles_are_real_paths(pairs in proptest::collection::vec((0u8..6, 0u8..6), 0..20), a in 0u8..6, b in 0u8..6) {
            let id = |n: u8| Uuid::from_u128(n as u128 + 1);
            let mut edges = Inheritance::new();
            for (x, y) in pairs {
                if inheritance_cycle(&edges, id(x), id(y)).is_none() {
                    edges.entry(id(x)).or_default().push(id(y));
                }
            }
            if let Some(path) = inheritance_cycle(&edges, id(a), id(b)) {
                prop_assert_eq!(path.first(), Some(&id(a)));
                prop_assert_eq!(path.last(), Some(&id(a)));
                prop_assert_eq!(path.get(1), Some(&id(b)));
                for step in path[1..].windows(2) {
                    prop_assert!(edges.get(&step[0]).is_some_and(|v| v.contains(&step[1])), "{:?}", step);
                }
            }
        }
    }
}
