//! Time as a dependency, so that expiry and time-out rules are tested by moving
//! time rather than by sleeping.

use time::OffsetDateTime;

/// Source of "now" for every rule that depends on time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;

    /// How far this clock runs ahead of the wall clock: zero, but for the
    /// test clock ([`ShiftedClock`]). The decision engine, which reads the
    /// moment from PostgreSQL to judge validity periods, adds it.
    fn ahead(&self) -> time::Duration {
        time::Duration::ZERO
    }
}

/// The wall clock, in UTC.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until moved; for tests.
#[derive(Debug)]
pub struct FixedClock(std::sync::Mutex<OffsetDateTime>);

impl FixedClock {
    pub fn at(t: OffsetDateTime) -> Self {
        Self(std::sync::Mutex::new(t))
    }

    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The wall clock, moved forward by an offset that only grows.
///
/// For end-to-end tests of rules that take days or months (a guest's stay,
/// its notices, deletion after retention) against a running server, which
/// cannot be given a [`FixedClock`]: time goes on as usual, and a test moves
/// it ahead. Never backwards, so nothing the server did can end up in the
/// future. The server uses it only when started with `FULLMAKT_TEST_CLOCK`.
#[derive(Debug, Default)]
pub struct ShiftedClock {
    offset_seconds: std::sync::atomic::AtomicI64,
}

/// Why a [`ShiftedClock`] was not moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ShiftError {
    #[error("the clock moves forward only")]
    Backwards,
    #[error("the clock moves at most {max} days at a time", max = ShiftedClock::MAX_STEP_DAYS)]
    TooFar,
}

impl ShiftedClock {
    /// The largest step: more than a year's retention, less than any overflow.
    pub const MAX_STEP_DAYS: i64 = 400;

    /// Moves the clock `by` ahead and answers the new "now".
    pub fn advance(&self, by: time::Duration) -> Result<OffsetDateTime, ShiftError> {
        if by.is_negative() {
            return Err(ShiftError::Backwards);
        }
        if by > time::Duration::days(Self::MAX_STEP_DAYS) {
            return Err(ShiftError::TooFar);
        }
        self.offset_seconds.fetch_add(by.whole_seconds(), std::sync::atomic::Ordering::SeqCst);
        Ok(self.now())
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + self.ahead()
    }

    /// How far the test has moved it.
    fn ahead(&self) -> time::Duration {
        time::Duration::seconds(self.offset_seconds.load(std::sync::atomic::Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn a_shifted_clock_runs_with_the_wall_clock_until_moved() {
        let clock = ShiftedClock::default();
        let before = OffsetDateTime::now_utc();
        let now = clock.now();
        assert!(now >= before && now - before < Duration::seconds(5), "{before} {now}");
        assert_eq!(clock.ahead(), Duration::ZERO);
    }

    #[test]
    fn a_shifted_clock_moves_forward_by_the_steps_added_up() {
        let clock = ShiftedClock::default();
        let wall = OffsetDateTime::now_utc();
        clock.advance(Duration::days(6)).unwrap();
        let now = clock.advance(Duration::days(7)).unwrap();
        assert_eq!(clock.ahead(), Duration::days(13), "what the engine adds");
        assert_eq!(SystemClock.ahead(), Duration::ZERO);
        let ahead = now - wall;
        assert!(ahead >= Duration::days(13) && ahead < Duration::days(13) + Duration::seconds(5), "{ahead}");
    }

    #[test]
    fn a_shifted_clock_refuses_to_go_back_or_too_far_and_stays_put() {
        let clock = ShiftedClock::default();
        clock.advance(Duration::days(1)).unwrap();
        assert_eq!(clock.advance(Duration::seconds(-1)), Err(ShiftError::Backwards));
        assert_eq!(clock.advance(Duration::days(ShiftedClock::MAX_STEP_DAYS + 1)), Err(ShiftError::TooFar));
        assert_eq!(clock.ahead(), Duration::days(1));
        assert!(clock.advance(Duration::days(ShiftedClock::MAX_STEP_DAYS)).is_ok());
    }
}
