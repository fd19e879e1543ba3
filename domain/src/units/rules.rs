//! The pure rules of organisational units: what a unit must say, and in
//! which order an import saves a tree (parents first), refusing a tree with
//! a cycle or a parent that is in neither the import nor the institution.

use std::collections::{HashMap, HashSet};

/// The longest name, in each language.
pub const MAX_NAME: usize = 200;
/// The most units one import takes.
pub const MAX_IMPORT: usize = 10_000;

/// A unit as typed or imported: its code, names, and its parent's code.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitForSave {
    pub code: String,
    pub name_nb: String,
    pub name_nn: String,
    pub name_en: String,
    /// The parent's code; `None` (or empty) for a unit at the top.
    #[serde(default)]
    pub parent: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    /// Only the institution's access managers keep its units.
    #[error("only the organisation's access managers keep its units")]
    NotAccessManager,
    /// A field is wrong: the unit's code (or its place in an import), the field, why.
    #[error("{unit}: {field}: {why}")]
    Invalid { unit: String, field: &'static str, why: String },
    /// The parent is neither in the import nor one of the institution's units.
    #[error("{unit}: no unit {parent} to put it under")]
    ParentNotFound { unit: String, parent: String },
    /// Putting the unit there would make it its own ancestor.
    #[error("{unit}: a unit cannot be under itself or under one of its own units")]
    Cycle { unit: String },
    /// A unit of an import is wrong: its code and the field.
    #[error("{unit}: {field} is wrong")]
    ImportUnit { unit: String, field: &'static str },
    /// A line of an import file that is not `code;name nb;name nn;name en;parent`.
    #[error("line {0}: expected code;name nb;name nn;name en;parent code")]
    ImportLine(usize),
    #[error(transparent)]
    Store(#[from] crate::audit::UnitOfWorkError),
}

impl From<UnitError> for crate::error::Failure {
    fn from(e: UnitError) -> Self {
        use crate::error::{Failure, Refusal};
        match e {
            UnitError::NotAccessManager => Failure::NotAllowed,
            // The unit form's fields are `unit_code`, `unit_name_nb`, …, the import's
            // `units`; a wrong unit in an import is named by a refusal (`ImportUnit`).
            UnitError::Invalid { field: "units", why, .. } => Failure::invalid("units", why),
            UnitError::Invalid { field, why, .. } => Failure::invalid(format!("unit_{field}"), why),
            UnitError::ImportUnit { unit, field } => Failure::Refused(Refusal::UnitInvalid(unit, field.to_string())),
            UnitError::ParentNotFound { unit, parent } => Failure::Refused(Refusal::UnitParentNotFound(unit, parent)),
            UnitError::Cycle { unit } => Failure::Refused(Refusal::UnitCycle(unit)),
            UnitError::ImportLine(line) => Failure::Refused(Refusal::UnitImportLine(line.to_string())),
            UnitError::Store(e) => e.into(),
        }
    }
}

impl UnitError {
    /// The store failed: no refusal, nothing to audit.
    pub fn is_store(&self) -> bool {
        matches!(self, Self::Store(_))
    }

    /// The error as an import reports it: a wrong field names its unit.
    pub fn in_import(self) -> Self {
        match self {
            Self::Invalid { unit, field, .. } if !unit.is_empty() => Self::ImportUnit { unit, field },
            other => other,
        }
    }
}

/// The units of an import file: one unit a line, `code;name nb;name nn;name en;parent code`
/// (the parent empty for a unit at the top); `,` or a tab may stand for `;`. Empty lines,
/// lines starting with `#`, and a first line that starts with `code` (a heading) are skipped.
pub fn parse_import(text: &str) -> Result<Vec<UnitForSave>, UnitError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') || (i == 0 && line.to_lowercase().starts_with("code")) {
            continue;
        }
        let sep = [';', '\t', ','].into_iter().find(|c| line.contains(*c)).unwrap_or(';');
        let parts: Vec<&str> = line.split(sep).map(str::trim).collect();
        let [code, nb, nn, en, rest @ ..] = parts.as_slice() else {
            return Err(UnitError::ImportLine(i + 1));
        };
        if rest.len() > 1 {
            return Err(UnitError::ImportLine(i + 1));
        }
        let parent = rest.first().filter(|p| !p.is_empty()).map(|p| p.to_string());
        out.push(UnitForSave { code: code.to_string(), name_nb: nb.to_string(), name_nn: nn.to_string(), name_en: en.to_string(), parent });
        if out.len() > MAX_IMPORT {
            return Err(UnitError::Invalid { unit: String::new(), field: "units", why: format!("at most {MAX_IMPORT} units in one import") });
        }
    }
    if out.is_empty() {
        return Err(UnitError::Invalid { unit: String::new(), field: "units", why: "no units in the import".into() });
    }
    Ok(out)
}

impl From<sqlx::Error> for UnitError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// A unit's code: 1–32 letters, digits, `.`, `_` or `-`, starting with a letter or digit.
pub fn valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric()) && code.len() <= 32 && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The unit trimmed, or the first thing wrong with it.
pub fn checked(u: &UnitForSave) -> Result<UnitForSave, UnitError> {
    let code = u.code.trim().to_string();
    let invalid = |field: &'static str, why: &str| UnitError::Invalid { unit: code.clone(), field, why: why.into() };
    if !valid_code(&code) {
        return Err(invalid("code", "1 to 32 letters, digits, '.', '_' or '-'"));
    }
    let mut names = Vec::new();
    for (field, raw) in [("name_nb", &u.name_nb), ("name_nn", &u.name_nn), ("name_en", &u.name_en)] {
        let t = raw.trim();
        if t.is_empty() || t.chars().count() > MAX_NAME || t.chars().any(char::is_control) {
            return Err(invalid(field, "a name of 1 to 200 characters"));
        }
        names.push(t.to_string());
    }
    let parent = u.parent.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
    if parent.as_deref() == Some(code.as_str()) {
        return Err(UnitError::Cycle { unit: code });
    }
    let [name_nb, name_nn, name_en]: [String; 3] = names.try_into().expect("three names");
    Ok(UnitForSave { code, name_nb, name_nn, name_en, parent })
}

/// The units of an import in an order that saves every parent before its
/// children; `existing` maps the codes the institution has now to their
/// parents' codes. Refuses a code given twice, a missing parent, and a
/// cycle — among the imported units or through existing ones.
pub fn import_order(units: &[UnitForSave], existing: &HashMap<String, Option<String>>) -> Result<Vec<UnitForSave>, UnitError> {
    let mut by_code: HashMap<String, UnitForSave> = HashMap::new();
    let mut order_in: Vec<String> = Vec::new();
    for u in units {
        let u = checked(u)?;
        if by_code.contains_key(&u.code) {
            return Err(UnitError::Invalid { unit: u.code.clone(), field: "code", why: "given twice in the import".into() });
        }
        order_in.push(u.code.clone());
        by_code.insert(u.code.clone(), u);
    }
    // The parent of each code after the import: the imported one's, else the existing one's.
    let parent_of = |code: &str| -> Option<String> {
        match by_code.get(code) {
            Some(u) => u.parent.clone(),
            None => existing.get(code).cloned().flatten(),
        }
    };
    for code in &order_in {
        let u = &by_code[code];
        if let Some(p) = &u.parent {
            if !by_code.contains_key(p) && !existing.contains_key(p) {
                return Err(UnitError::ParentNotFound { unit: code.clone(), parent: p.clone() });
            }
        }
        // Walk up; a code seen twice is a cycle.
        let mut seen: HashSet<String> = HashSet::from([code.clone()]);
        let mut at = parent_of(code);
        while let Some(p) = at {
            if !seen.insert(p.clone()) {
                return Err(UnitError::Cycle { unit: code.clone() });
            }
            at = parent_of(&p);
        }
    }
    // Parents first: by depth within the import, keeping the given order otherwise.
    let depth = |code: &str| {
        let mut d = 0usize;
        let mut at = by_code.get(code).and_then(|u| u.parent.clone());
        while let Some(p) = at {
            if !by_code.contains_key(&p) {
                break;
            }
            d += 1;
            at = by_code[&p].parent.clone();
        }
        d
    };
    let mut ordered: Vec<(usize, usize, String)> = order_in.iter().enumerate().map(|(i, c)| (depth(c), i, c.clone())).collect();
    ordered.sort();
    Ok(ordered.into_iter().map(|(_, _, c)| by_code.remove(&c).expect("each code once")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, parent: Option<&str>) -> UnitForSave {
        UnitForSave {
            code: code.into(),
            name_nb: format!("{code} nb"),
            name_nn: format!("{code} nn"),
            name_en: format!("{code} en"),
            parent: parent.map(Into::into),
        }
    }

    fn codes(v: &[UnitForSave]) -> Vec<&str> {
        v.iter().map(|u| u.code.as_str()).collect()
    }

    #[test]
    fn a_unit_needs_a_code_and_three_names() {
        assert!(checked(&unit(" NV ", Some(" "))).is_ok_and(|u| u.code == "NV" && u.parent.is_none()));
        for (bad, field) in [
            (unit("", None), "code"),
            (unit("a b", None), "code"),
            (unit(&"x".repeat(33), None), "code"),
            (UnitForSave { name_nn: " ".into(), ..unit("NV", None) }, "name_nn"),
            (UnitForSave { name_en: "x".repeat(201), ..unit("NV", None) }, "name_en"),
        ] {
            assert!(matches!(checked(&bad), Err(UnitError::Invalid { field: f, .. }) if f == field), "{bad:?}");
        }
        assert!(matches!(checked(&unit("NV", Some("NV"))), Err(UnitError::Cycle { .. })));
    }

    #[test]
    fn an_import_file_has_a_unit_a_line() {
        let text = "code;name_nb;name_nn;name_en;parent\n\nUIF;Universitetet;Universitetet;The University;\n# a comment\nNV,Naturvitskap,Naturvitskap,Sciences,UIF\nBIB\tBiblioteket\tBiblioteket\tLibrary\tUIF\n";
        let units = parse_import(text).unwrap();
        assert_eq!(codes(&units), ["UIF", "NV", "BIB"]);
        assert_eq!((units[0].parent.as_deref(), units[1].parent.as_deref(), units[2].name_en.as_str()), (None, Some("UIF"), "Library"));
        assert!(matches!(parse_import("UIF;Universitetet;Universitetet;The University\nNV;Naturvitskap\n"), Err(UnitError::ImportLine(2))));
        assert!(matches!(parse_import("A;a;a;a;B;C\n"), Err(UnitError::ImportLine(1))), "too many fields");
        assert!(matches!(parse_import("# nothing\n"), Err(UnitError::Invalid { field: "units", .. })));
    }

    #[test]
    fn an_import_saves_parents_first_and_refuses_cycles_and_missing_parents() {
        let tree = [unit("NV-KJEMI", Some("NV")), unit("NV", Some("UIF")), unit("UIF", None), unit("BIB", Some("UIF"))];
        let ordered = import_order(&tree, &HashMap::new()).unwrap();
        assert_eq!(codes(&ordered), ["UIF", "NV", "BIB", "NV-KJEMI"]);

        let existing = HashMap::from([("UIF".to_string(), None), ("NV".to_string(), Some("UIF".to_string()))]);
        assert_eq!(codes(&import_order(&[unit("NV-FYS", Some("NV"))], &existing).unwrap()), ["NV-FYS"], "under an existing unit");

        let cycle = [unit("A", Some("B")), unit("B", Some("A"))];
        assert!(matches!(import_order(&cycle, &HashMap::new()), Err(UnitError::Cycle { .. })));
        let through_existing = [unit("UIF", Some("NV"))];
        assert!(matches!(import_order(&through_existing, &existing), Err(UnitError::Cycle { .. })), "UIF under its own child");
        assert!(matches!(import_order(&[unit("X", Some("NOPE"))], &existing), Err(UnitError::ParentNotFound { .. })));
        assert!(matches!(import_order(&[unit("X", None), unit("X", None)], &existing), Err(UnitError::Invalid { field: "code", .. })));
    }
}
