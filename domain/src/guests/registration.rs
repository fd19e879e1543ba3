//! What a sponsor gives to register a short-term guest, checked: given name,
//! surname, private e-mail, start and end date, and optionally mobile and
//! national identity number. The guest may start today or later, must end
//! after starting, and may stay at most the institution's maximum for the
//! guest type (default 30 days). Every field that is wrong is named, so the
//! page can show each message next to its field.

use crate::parties::{NationalId, SyntheticIds};
use time::Date;

/// The default longest stay of a short-term guest, in days.
pub const DEFAULT_MAX_DAYS: i64 = 30;
/// The longest name part accepted.
pub const MAX_NAME: usize = 100;

/// A registration as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuestForRegister {
    pub given_name: String,
    pub surname: String,
    pub email: String,
    pub mobile: String,
    pub national_id: String,
    pub start: Option<Date>,
    pub end: Option<Date>,
}

/// A registration that passed [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedGuest {
    pub given_name: String,
    pub surname: String,
    pub email: String,
    /// E.164 (`+4791234567`).
    pub mobile: Option<String>,
    pub national_id: Option<NationalId>,
    pub start: Date,
    pub end: Date,
}

/// A field that is wrong, and why (in English; the pages show their own text by field).
pub type FieldError = (&'static str, String);

/// A mobile number as E.164: `+` and 8 to 15 digits; eight digits alone are
/// Norwegian (`+47`). Spaces are ignored.
pub fn mobile(raw: &str) -> Option<String> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let (plus, digits) = match s.strip_prefix('+') {
        Some(d) => (true, d.to_string()),
        None => (false, s.strip_prefix("00").map(str::to_string).unwrap_or(s.clone())),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match (plus || s.starts_with("00"), digits.len()) {
        (false, 8) => Some(format!("+47{digits}")),
        (true, 8..=15) if !digits.starts_with('0') => Some(format!("+{digits}")),
        _ => None,
    }
}

/// Checks a registration made `today`, for a stay of at most `max_days`.
pub fn check(g: &GuestForRegister, today: Date, max_days: i64, synthetic: SyntheticIds) -> Result<CheckedGuest, Vec<FieldError>> {
    let mut errors: Vec<FieldError> = Vec::new();
    let name = |field: &'static str, raw: &str, errors: &mut Vec<FieldError>| {
        let t = raw.trim();
        if t.is_empty() {
            errors.push((field, "required".into()));
        } else if t.chars().count() > MAX_NAME {
            errors.push((field, format!("at most {MAX_NAME} characters")));
        } else if t.chars().any(char::is_control) {
            errors.push((field, "no control characters".into()));
        }
        t.to_string()
    };
    let given_name = name("given_name", &g.given_name, &mut errors);
    let surname = name("surname", &g.surname, &mut errors);
    let email = crate::notifications::model::email(&g.email);
    if email.is_none() {
        errors.push(("email", "a valid e-mail address is required".into()));
    }
    let mobile_number = if g.mobile.trim().is_empty() {
        None
    } else {
        let m = mobile(&g.mobile);
        if m.is_none() {
            errors.push(("mobile", "eight digits, or + and the country code".into()));
        }
        m
    };
    let national_id = if g.national_id.trim().is_empty() {
        None
    } else {
        match NationalId::parse(g.national_id.trim(), synthetic) {
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(("national_id", e.to_string()));
                None
            }
        }
    };
    match g.start {
        None => errors.push(("start", "required".into())),
        Some(s) if s < today => errors.push(("start", "must be today or later".into())),
        Some(_) => {}
    }
    match (g.start, g.end) {
        (_, None) => errors.push(("end", "required".into())),
        (Some(s), Some(e)) if e <= s => errors.push(("end", "must be after the start".into())),
        (Some(s), Some(e)) if (e - s).whole_days() > max_days => errors.push(("end", format!("at most {max_days} days after the start"))),
        _ => {}
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CheckedGuest {
        given_name,
        surname,
        email: email.expect("checked"),
        mobile: mobile_number,
        national_id,
        start: g.start.expect("checked"),
        end: g.end.expect("checked"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 05);

    fn gunn() -> GuestForRegister {
        GuestForRegister {
            given_name: " Gunn ".into(),
            surname: "Gjest".into(),
            email: "gunn@example.org".into(),
            mobile: "912 34 567".into(),
            national_id: "11839110083".into(),
            start: Some(TODAY),
            end: Some(date!(2027 - 01 - 04)),
        }
    }

    fn fields(r: Result<CheckedGuest, Vec<FieldError>>) -> Vec<&'static str> {
        r.expect_err("refused").into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn a_complete_registration_within_the_maximum_passes_trimmed() {
        let g = check(&gunn(), TODAY, DEFAULT_MAX_DAYS, SyntheticIds::Accept).unwrap();
        assert_eq!((g.given_name.as_str(), g.mobile.as_deref()), ("Gunn", Some("+4791234567")));
        assert_eq!(g.national_id.map(|n| n.as_str().to_string()).as_deref(), Some("11839110083"));
        let without = GuestForRegister { mobile: " ".into(), national_id: String::new(), ..gunn() };
        let g = check(&without, TODAY, DEFAULT_MAX_DAYS, SyntheticIds::Accept).unwrap();
        assert_eq!((g.mobile, g.national_id), (None, None), "both are optional");
    }

    #[test]
    fn each_bad_field_is_named() {
        let too_long = GuestForRegister { end: Some(date!(2027 - 01 - 05)), ..gunn() };
        assert_eq!(fields(check(&too_long, TODAY, DEFAULT_MAX_DAYS, SyntheticIds::Accept)), ["end"], "31 days");
        assert!(check(&too_long, TODAY, 31, SyntheticIds::Accept).is_ok(), "the institution's maximum");
        let backwards = GuestForRegister { start: Some(date!(2026 - 12 - 10)), end: Some(date!(2026 - 12 - 10)), ..gunn() };
        assert_eq!(fields(check(&backwards, TODAY, DEFAULT_MAX_DAYS, SyntheticIds::Accept)), ["end"]);
        let past = GuestForRegister { start: Some(date!(2026 - 12 - 04)), end: Some(date!(2026 - 12 - 20)), ..gunn() };
        assert_eq!(fields(check(&past, TODAY, DEFAULT_MAX_DAYS, SyntheticIds::Accept)), ["start"]);
        let bad = GuestForRegister {
            given_name: "".into(),
            surname: "x".repeat(101),
            email: "gunn@example".into(),
            mobile: "12345".into(),
            national_id: "11839110084".into(),
            start: None,
            end: None,
        };
        assert_eq!(
            fields(check(&bad, TODAY, DEFAULT_MAX_DAYS, SyntheticIds::Accept)),
            ["given_name", "surname", "email", "mobile", "national_id", "start", "end"]
        );
        assert_eq!(fields(check(&gunn(), TODAY, DEFAULT_MAX_DAYS, SyntheticIds::Refuse)), ["national_id"], "a synthetic number where they are refused");
    }

    #[test]
    fn mobile_numbers_read_as_e164() {
        assert_eq!(mobile("91234567").as_deref(), Some("+4791234567"));
        assert_eq!(mobile("+46 70 123 45 67").as_deref(), Some("+46701234567"));
        assert_eq!(mobile("0046701234567").as_deref(), Some("+46701234567"));
        for bad in ["1234567", "+47", "+0123456789", "9123456a", "+1234567890123456"] {
            assert_eq!(mobile(bad), None, "{bad}");
        }
    }
}
