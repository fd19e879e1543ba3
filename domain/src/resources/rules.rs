//! Pure checks on a resource and its policy.

use super::model::{FieldError, ResourceForSave, RESOURCE_TYPES, SYSTEM_PREFIX, SYSTEM_RESOURCE_TYPE};
use crate::decisions::policy::attr;
use crate::parties::{NationalId, OrgNumber, SyntheticIds};

pub use crate::limits::{POLICY_VALUE as MAX_VALUE, RESOURCE_DESCRIPTION as MAX_DESCRIPTION, RESOURCE_TITLE as MAX_TITLE};
pub const MAX_RULES: usize = 200;

/// Subject attributes a rule may match on.
pub const SUBJECT_ATTRIBUTES: [&str; 6] = [attr::ACCESS_PACKAGE, attr::ROLE_CODE, attr::ORG_NUMBER, attr::PERSON_ID, attr::PARTY_UUID, attr::SYSTEM_USER];

/// Whether `id` names one of the portal's own resources.
pub fn is_system_resource(id: &str) -> bool {
    id.starts_with(SYSTEM_PREFIX)
}

/// Whether `id` is a well-formed resource id (the table's `resource_id_format`).
pub fn valid_id(id: &str) -> bool {
    (2..=crate::limits::RESOURCE_ID).contains(&id.len())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Every way `r` is malformed; empty when it may be saved.
pub fn problems(r: &ResourceForSave) -> Vec<FieldError> {
    let mut p = Vec::new();
    if !valid_id(&r.id) {
        p.push(FieldError::new("id", "id must be 2–100 characters of a–z, 0–9, _ and -, starting with a letter or digit"));
    }
    for (field, t) in [("title_nb", &r.title_nb), ("title_nn", &r.title_nn), ("title_en", &r.title_en)] {
        if t.trim().is_empty() {
            p.push(FieldError::new(field, format!("{field} is required")));
        } else if t.chars().count() > MAX_TITLE {
            p.push(FieldError::new(field, format!("{field} is longer than {MAX_TITLE} characters")));
        }
    }
    if r.description.chars().count() > MAX_DESCRIPTION {
        p.push(FieldError::new("description", format!("the description is longer than {MAX_DESCRIPTION} characters")));
    }
    if !RESOURCE_TYPES.contains(&r.resource_type.as_str()) && r.resource_type != SYSTEM_RESOURCE_TYPE {
        p.push(FieldError::new("resource_type", format!("unknown resource type {:?}; use one of {}", r.resource_type, RESOURCE_TYPES.join(", "))));
    }
    if r.policy.rules.is_empty() {
        p.push(FieldError::new("rules", "the policy has no rules"));
    }
    if r.policy.rules.len() > MAX_RULES {
        p.push(FieldError::new("rules", format!("the policy has more than {MAX_RULES} rules")));
    }
    for (i, rule) in r.policy.rules.iter().enumerate() {
        let field = format!("rules[{i}]");
        let name = if rule.id.is_empty() { format!("rule {}", i + 1) } else { format!("rule {}", rule.id) };
        if rule.id.trim().is_empty() {
            p.push(FieldError::new(&field, format!("{name}: the rule has no id")));
        } else if r.policy.rules[..i].iter().any(|other| other.id == rule.id) {
            p.push(FieldError::new(&field, format!("{name}: another rule has the same id")));
        }
        for m in rule.subjects.iter().flatten() {
            if !SUBJECT_ATTRIBUTES.contains(&m.attribute.as_str()) {
                p.push(FieldError::new(&field, format!("{name}: unknown subject attribute {}", m.attribute)));
                continue;
            }
            if m.value.trim().is_empty() || m.value.len() > MAX_VALUE {
                p.push(FieldError::new(&field, format!("{name}: a subject value for {} is empty or too long", m.attribute)));
            } else if m.attribute == attr::ORG_NUMBER && OrgNumber::try_from(m.value.as_str()).is_err() {
                p.push(FieldError::new(&field, format!("{name}: {} is not a valid organisation number", m.value)));
            } else if m.attribute == attr::PERSON_ID && NationalId::parse(&m.value, SyntheticIds::Accept).is_err() {
                p.push(FieldError::new(&field, format!("{name}: {} is not a valid national identity number", m.value)));
            }
        }
        if rule.subjects.iter().any(Vec::is_empty) {
            p.push(FieldError::new(&field, format!("{name}: a subject alternative has no matches")));
        }
        if rule.actions.iter().any(|a| a.trim().is_empty() || a.len() > MAX_VALUE) {
            p.push(FieldError::new(&field, format!("{name}: empty action")));
        }
    }
    p
}

/// Refusals that apply only to people (the system may maintain the portal's
/// own resources).
pub fn person_problems(r: &ResourceForSave) -> Vec<FieldError> {
    let mut p = Vec::new();
    if is_system_resource(&r.id) {
        p.push(FieldError::new("id", format!("ids starting with {SYSTEM_PREFIX} are reserved for the portal's own resources")));
    }
    if r.resource_type == SYSTEM_RESOURCE_TYPE {
        p.push(FieldError::new("resource_type", format!("{SYSTEM_RESOURCE_TYPE} is reserved for the portal's own resources")));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decisions::policy::{Effect, Match, Policy, Rule};

    fn resource() -> ResourceForSave {
        ResourceForSave {
            id: "studentweb".into(),
            title_nb: "Studentweb".into(),
            title_nn: "Studentweb".into(),
            title_en: "Student web".into(),
            description: String::new(),
            resource_type: "GenericAccessResource".into(),
            delegable: true,
            policy: Policy::deny_overrides(vec![Rule {
                id: "r1".into(),
                effect: Effect::Permit,
                subjects: vec![vec![Match { attribute: attr::ORG_NUMBER.into(), value: "310400009".into(), ignore_case: false }]],
                actions: vec!["read".into()],
                description: String::new(),
            }]),
        }
    }

    #[test]
    fn a_well_formed_resource_has_no_problems() {
        assert_eq!(problems(&resource()), vec![]);
        assert_eq!(person_problems(&resource()), vec![]);
    }

    #[test]
    fn each_problem_names_its_field() {
        let mut r = resource();
        r.id = "Bad id".into();
        r.title_nn = " ".into();
        r.resource_type = "Whatever".into();
        let mut second = r.policy.rules[0].clone();
        second.subjects = vec![vec![Match { attribute: attr::PERSON_ID.into(), value: "12345678901".into(), ignore_case: false }]];
        second.actions = vec![" ".into()];
        r.policy.rules.push(second);
        let fields: Vec<String> = problems(&r).into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["id", "title_nn", "resource_type", "rules[1]", "rules[1]", "rules[1]"]);
    }

    #[test]
    fn system_ids_and_types_are_for_the_system_only() {
        let mut r = resource();
        r.id = "fullmakt_access_management".into();
        r.resource_type = SYSTEM_RESOURCE_TYPE.into();
        assert!(problems(&r).is_empty());
        assert_eq!(person_problems(&r).len(), 2);
    }

    #[test]
    fn ids_follow_the_table_constraint() {
        for ok in ["ab", "a-b_c", "0abc", &"a".repeat(100)] {
            assert!(valid_id(ok), "{ok}");
        }
        for bad in ["a", "-ab", "_ab", "Ab", "a b", "æøå", &"a".repeat(101)] {
            assert!(!valid_id(bad), "{bad}");
        }
    }
}
