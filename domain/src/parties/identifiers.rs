//! Norwegian identifiers that validate on construction: a value of these types is
//! always well-formed, so nothing further in the code checks them again.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why an identifier was refused. Each variant is something a person can fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("must be exactly {expected} digits")]
    WrongLength { expected: usize },
    #[error("may contain digits only")]
    NotDigits,
    #[error("the check digit does not match")]
    CheckDigit,
    #[error("does not contain a valid date of birth")]
    BadDate,
    #[error("is a synthetic test number, which this installation does not accept")]
    SyntheticNotAccepted,
}

fn digits<const N: usize>(s: &str) -> Result<[u8; N], IdError> {
    let s = s.trim();
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdError::NotDigits);
    }
    if s.len() != N {
        return Err(IdError::WrongLength { expected: N });
    }
    let mut out = [0u8; N];
    for (slot, b) in out.iter_mut().zip(s.bytes()) {
        *slot = b - b'0';
    }
    Ok(out)
}

/// The modulus-11 check digit over `d` with `weights`; `None` when the remainder
/// makes the number impossible (check digit 10).
fn mod11(d: &[u8], weights: &[u8]) -> Option<u8> {
    let sum: u32 = d.iter().zip(weights).map(|(a, w)| u32::from(*a) * u32::from(*w)).sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        c => Some(c as u8),
    }
}

/// A Norwegian organisation number (9 digits, modulus-11 check digit).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgNumber(String);

impl OrgNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An organisation number as people type it, in groups ("310 400 009").
    pub fn parse_typed(s: &str) -> Result<Self, IdError> {
        let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        Self::try_from(digits.as_str())
    }
}

impl TryFrom<&str> for OrgNumber {
    type Error = IdError;
    fn try_from(s: &str) -> Result<Self, IdError> {
        let d = digits::<9>(s)?;
        match mod11(&d[..8], &[3, 2, 7, 6, 5, 4, 3, 2]) {
            Some(c) if c == d[8] => Ok(Self(s.trim().to_string())),
            _ => Err(IdError::CheckDigit),
        }
    }
}

impl TryFrom<String> for OrgNumber {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::try_from(s.as_str())
    }
}

impl From<OrgNumber> for String {
    fn from(o: OrgNumber) -> String {
        o.0
    }
}

impl fmt::Display for OrgNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether synthetic test numbers (month + 80, as issued by the Norwegian test
/// register Tenor) are accepted. Production installations refuse them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntheticIds {
    Accept,
    Refuse,
}

/// A Norwegian national identity number: birth number or D-number (11 digits,
/// two modulus-11 check digits, a valid date of birth).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NationalId(String);

impl NationalId {
    /// Parses `s`, accepting synthetic test numbers only when `synthetic` says so.
    pub fn parse(s: &str, synthetic: SyntheticIds) -> Result<Self, IdError> {
        let d = digits::<11>(s)?;
        let k1 = mod11(&d[..9], &[3, 7, 6, 1, 8, 9, 4, 5, 2]);
        let k2 = mod11(&d[..10], &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
        if k1 != Some(d[9]) || k2 != Some(d[10]) {
            return Err(IdError::CheckDigit);
        }
        let mut day = d[0] * 10 + d[1];
        let mut month = d[2] * 10 + d[3];
        if day > 40 {
            day -= 40; // D-number
        }
        let is_synthetic = month > 80;
        if is_synthetic {
            month -= 80;
        } else if month > 40 {
            month -= 40; // H-number, used by health services
        }
        if is_synthetic && synthetic == SyntheticIds::Refuse {
            return Err(IdError::SyntheticNotAccepted);
        }
        let year = 2000 + i32::from(d[4] * 10 + d[5]); // leap years repeat every 4 years, so the century does not matter here
        let month = time::Month::try_from(month).map_err(|_| IdError::BadDate)?;
        time::Date::from_calendar_date(year, month, day).map_err(|_| IdError::BadDate)?;
        Ok(Self(s.trim().to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with the personal part hidden, for lists and logs.
    pub fn masked(&self) -> String {
        format!("{}*****", &self.0[..6])
    }
}

/// Values read back from our own database were validated when they went in.
impl TryFrom<String> for NationalId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::parse(&s, SyntheticIds::Accept)
    }
}

impl From<NationalId> for String {
    fn from(n: NationalId) -> String {
        n.0
    }
}

impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Completes the first nine digits of a national identity number with valid
    /// check digits, if there are any.
    fn complete_nin(first9: &[u8; 9]) -> Option<String> {
        let k1 = mod11(first9, &[3, 7, 6, 1, 8, 9, 4, 5, 2])?;
        let mut ten = first9.to_vec();
        ten.push(k1);
        let k2 = mod11(&ten, &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2])?;
        ten.push(k2);
        Some(ten.iter().map(|d| char::from(b'0' + d)).collect())
    }

    /// Some valid number for the date digits `ddmmyy`.
    fn some_nin(date: [u8; 6]) -> String {
        (0..1000u16)
            .find_map(|i| {
                let ind = [(i / 100) as u8, (i / 10 % 10) as u8, (i % 10) as u8];
                let mut first9 = [0u8; 9];
                first9[..6].copy_from_slice(&date);
                first9[6..].copy_from_slice(&ind);
                complete_nin(&first9)
            })
            .expect("some individual number completes")
    }

    #[test]
    fn known_org_numbers_are_accepted() {
        // Digdir and Brønnøysundregistrene.
        for n in ["991825827", "974760673"] {
            assert!(OrgNumber::try_from(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn org_number_errors_say_what_is_wrong() {
        assert_eq!(OrgNumber::try_from("99182582"), Err(IdError::WrongLength { expected: 9 }));
        assert_eq!(OrgNumber::try_from("99182582x"), Err(IdError::NotDigits));
        assert_eq!(OrgNumber::try_from("991825828"), Err(IdError::CheckDigit));
        assert_eq!(OrgNumber::try_from(""), Err(IdError::WrongLength { expected: 9 }));
    }

    #[test]
    fn national_id_checks_digits_and_date() {
        let valid = some_nin([0, 1, 0, 1, 9, 0]);
        assert!(NationalId::parse(&valid, SyntheticIds::Refuse).is_ok());
        let mut wrong = valid.clone().into_bytes();
        wrong[10] = b'0' + ((wrong[10] - b'0' + 1) % 10);
        assert_eq!(NationalId::parse(std::str::from_utf8(&wrong).unwrap(), SyntheticIds::Refuse), Err(IdError::CheckDigit));
        // 31 February does not exist.
        assert_eq!(NationalId::parse(&some_nin([3, 1, 0, 2, 9, 0]), SyntheticIds::Accept), Err(IdError::BadDate));
        assert_eq!(NationalId::parse("123", SyntheticIds::Accept), Err(IdError::WrongLength { expected: 11 }));
    }

    #[test]
    fn synthetic_numbers_follow_configuration() {
        let synthetic = some_nin([1, 5, 8, 5, 8, 5]);
        assert!(NationalId::parse(&synthetic, SyntheticIds::Accept).is_ok());
        assert_eq!(NationalId::parse(&synthetic, SyntheticIds::Refuse), Err(IdError::SyntheticNotAccepted));
    }

    #[test]
    fn d_numbers_are_accepted() {
        let d_number = some_nin([4, 1, 0, 1, 8, 0]);
        assert!(NationalId::parse(&d_number, SyntheticIds::Refuse).is_ok());
    }

    #[test]
    fn masking_hides_the_personal_part() {
        let n = NationalId::parse(&some_nin([0, 1, 0, 1, 9, 0]), SyntheticIds::Accept).unwrap();
        assert_eq!(n.masked(), "010190*****");
    }

    proptest! {
        #[test]
        fn org_number_accepts_exactly_the_numbers_with_a_matching_check_digit(first in proptest::array::uniform8(0u8..10), last in 0u8..10) {
            let s: String = first.iter().chain(std::iter::once(&last)).map(|d| char::from(b'0' + d)).collect();
            let expected = mod11(&first, &[3, 2, 7, 6, 5, 4, 3, 2]) == Some(last);
            prop_assert_eq!(OrgNumber::try_from(s.as_str()).is_ok(), expected);
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,20}") {
            let _ = OrgNumber::try_from(s.as_str());
            let _ = NationalId::parse(&s, SyntheticIds::Accept);
        }

        #[test]
        fn a_single_changed_digit_is_caught(first9 in proptest::array::uniform9(0u8..10), pos in 0usize..11, delta in 1u8..10) {
            if let Some(valid) = complete_nin(&first9) {
                let mut b = valid.into_bytes();
                b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
                let changed = String::from_utf8(b).unwrap();
                prop_assert!(NationalId::parse(&changed, SyntheticIds::Accept).is_err());
            }
        }
    }
}
