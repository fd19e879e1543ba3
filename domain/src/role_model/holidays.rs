//! Norway's public holidays, computed rather than configured, so that "the
//! first N working days of a month" means what an accountant means by it.
//!
//! The days are those of the Public Holidays Act (helligdagsloven) plus the
//! two official flag days that are days off by law (1 and 17 May). Christmas
//! Eve and New Year's Eve are customary half days, not public holidays, and
//! count as working days here.

use time::{Date, Duration, Month, Weekday};

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous
/// Gregorian algorithm, also known as Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    let month = if month == 3 { Month::March } else { Month::April };
    Date::from_calendar_date(year, month, day as u8).expect("the algorithm yields a day in March or April")
}

/// Whether `date` is a Norwegian public holiday.
pub fn is_public_holiday(date: Date) -> bool {
    let fixed = matches!((date.month(), date.day()), (Month::January, 1) | (Month::May, 1) | (Month::May, 17) | (Month::December, 25) | (Month::December, 26));
    if fixed {
        return true;
    }
    // Maundy Thursday, Good Friday, Easter Sunday and Monday, Ascension Day,
    // Whit Sunday and Monday, counted from Easter Sunday.
    let from_easter = (date - easter_sunday(date.year())).whole_days();
    matches!(from_easter, -3 | -2 | 0 | 1 | 39 | 49 | 50)
}

/// Monday to Friday and not a public holiday.
pub fn is_working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_public_holiday(date)
}

/// Which working day of its month `date` is (1 for the first), counting
/// `date` itself only if it is one.
pub fn working_day_of_month(date: Date) -> u8 {
    let first = date.replace_day(1).expect("every month has a first day");
    let mut count = 0;
    let mut day = first;
    while day <= date {
        if is_working_day(day) {
            count += 1;
        }
        day += Duration::days(1);
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn easter_falls_on_the_published_dates() {
        // Dates as published in the Norwegian almanac.
        assert_eq!(easter_sunday(2024), date!(2024 - 03 - 31));
        assert_eq!(easter_sunday(2025), date!(2025 - 04 - 20));
        assert_eq!(easter_sunday(2026), date!(2026 - 04 - 05));
        assert_eq!(easter_sunday(2027), date!(2027 - 03 - 28));
        assert_eq!(easter_sunday(2038), date!(2038 - 04 - 25));
        // Earliest and latest possible dates both occur.
        assert_eq!(easter_sunday(2285), date!(2285 - 03 - 22));
        assert_eq!(easter_sunday(1943), date!(1943 - 04 - 25));
    }

    #[test]
    fn the_twelve_holidays_of_2026() {
        let holidays: Vec<Date> = (0..365).map(|d| date!(2026 - 01 - 01) + Duration::days(d)).filter(|d| is_public_holiday(*d)).collect();
        assert_eq!(
            holidays,
            vec![
                date!(2026 - 01 - 01),
                date!(2026 - 04 - 02),
                date!(2026 - 04 - 03),
                date!(2026 - 04 - 05),
                date!(2026 - 04 - 06),
                date!(2026 - 05 - 01),
                date!(2026 - 05 - 14),
                date!(2026 - 05 - 17),
                date!(2026 - 05 - 24),
                date!(2026 - 05 - 25),
                date!(2026 - 12 - 25),
                date!(2026 - 12 - 26),
            ]
        );
        assert!(!is_public_holiday(date!(2026 - 12 - 24)), "Christmas Eve is a working day by law");
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // April 2026: Wednesday the 1st, then Easter from Thursday the 2nd to Monday the 6th.
        assert_eq!(working_day_of_month(date!(2026 - 04 - 01)), 1);
        assert!(!is_working_day(date!(2026 - 04 - 02)));
        assert_eq!(working_day_of_month(date!(2026 - 04 - 06)), 1, "Easter Monday is not counted");
        assert_eq!(working_day_of_month(date!(2026 - 04 - 07)), 2);
        assert_eq!(working_day_of_month(date!(2026 - 04 - 10)), 5);
        assert_eq!(working_day_of_month(date!(2026 - 04 - 13)), 6);
        // January 2027 starts on a Friday that is New Year's Day.
        assert_eq!(working_day_of_month(date!(2027 - 01 - 04)), 1);
    }
}
