//! The feed's formats, parsed and validated before anything is written.

use crate::parties::{NationalId, OrgForm, OrgNumber, SyntheticIds};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedOrganisation {
    pub org_number: OrgNumber,
    pub name: String,
    pub org_form: OrgForm,
    pub parent: Option<OrgNumber>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedPerson {
    pub national_id: NationalId,
    pub name: String,
}

/// `holder` has `role` (a register code such as DAGL) for the organisation `for_org`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FeedRole {
    pub role: String,
    /// An organisation number (9 digits) or a national identity number (11).
    pub holder: String,
    pub for_org: OrgNumber,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feed {
    pub organisations: Vec<FeedOrganisation>,
    pub persons: Vec<FeedPerson>,
    pub roles: Vec<FeedRole>,
}

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("the feed is not valid JSON: {0}")]
    Json(String),
    #[error("line {line}: {problem}")]
    Row { line: usize, problem: String },
    #[error("{count} problems, first: {first}")]
    Many { count: usize, first: String },
}

#[derive(Deserialize)]
struct JsonFeed {
    #[serde(default)]
    organisations: Vec<JsonOrg>,
    #[serde(default)]
    persons: Vec<JsonPerson>,
    #[serde(default)]
    roles: Vec<JsonRole>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonOrg {
    org_number: String,
    name: String,
    org_form: String,
    #[serde(default)]
    parent: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonPerson {
    national_id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonRole {
    role: String,
    holder: String,
    #[serde(rename = "for")]
    for_org: String,
}

fn org(line: usize, v: &str) -> Result<OrgNumber, FeedError> {
    OrgNumber::try_from(v).map_err(|e| FeedError::Row { line, problem: format!("organisation number {v:?} {e}") })
}

fn build(rows: impl Iterator<Item = (usize, Record)>, synthetic: SyntheticIds) -> Result<Feed, FeedError> {
    let mut feed = Feed::default();
    let mut problems = Vec::new();
    for (line, r) in rows {
        let result = (|| -> Result<(), FeedError> {
            match r {
                Record::Org { number, name, form, parent } => {
                    if name.trim().is_empty() {
                        return Err(FeedError::Row { line, problem: "organisation name is empty".into() });
                    }
                    feed.organisations.push(FeedOrganisation {
                        org_number: org(line, &number)?,
                        name: name.trim().to_string(),
                        org_form: OrgForm::try_from(form).map_err(|e| FeedError::Row { line, problem: e.to_string() })?,
                        parent: parent.filter(|p| !p.trim().is_empty()).map(|p| org(line, &p)).transpose()?,
                    });
                }
                Record::Person { nin, name } => {
                    if name.trim().is_empty() {
                        return Err(FeedError::Row { line, problem: "person name is empty".into() });
                    }
                    feed.persons.push(FeedPerson {
                        national_id: NationalId::parse(&nin, synthetic)
                            .map_err(|e| FeedError::Row { line, problem: format!("national identity number {e}") })?,
                        name: name.trim().to_string(),
                    });
                }
                Record::Role { role, holder, for_org } => {
                    let role = role.trim().to_uppercase();
                    if role.is_empty() || role.len() > 10 {
                        return Err(FeedError::Row { line, problem: format!("role code {role:?} is invalid") });
                    }
                    let holder = holder.trim().to_string();
                    let holder_ok = match holder.len() {
                        9 => OrgNumber::try_from(holder.as_str()).is_ok(),
                        11 => NationalId::parse(&holder, synthetic).is_ok(),
                        _ => false,
                    };
                    if !holder_ok {
                        return Err(FeedError::Row {
                            line,
                            problem: format!("role holder {holder:?} is neither an organisation nor a national identity number"),
                        });
                    }
                    feed.roles.push(FeedRole { role, holder, for_org: org(line, &for_org)? });
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            problems.push(e.to_string());
        }
    }
    match problems.len() {
        0 => Ok(feed),
        count => Err(FeedError::Many { count, first: problems.swap_remove(0) }),
    }
}

enum Record {
    Org { number: String, name: String, form: String, parent: Option<String> },
    Person { nin: String, name: String },
    Role { role: String, holder: String, for_org: String },
}

/// `{"organisations":[{orgNumber,name,orgForm,parent?}],"persons":[{nationalId,name}],"roles":[{role,holder,for}]}`
pub fn parse_json(text: &str, synthetic: SyntheticIds) -> Result<Feed, FeedError> {
    let f: JsonFeed = serde_json::from_str(text).map_err(|e| FeedError::Json(e.to_string()))?;
    let orgs =
        f.organisations.into_iter().enumerate().map(|(i, o)| (i + 1, Record::Org { number: o.org_number, name: o.name, form: o.org_form, parent: o.parent }));
    let persons = f.persons.into_iter().enumerate().map(|(i, p)| (i + 1, Record::Person { nin: p.national_id, name: p.name }));
    let roles = f.roles.into_iter().enumerate().map(|(i, r)| (i + 1, Record::Role { role: r.role, holder: r.holder, for_org: r.for_org }));
    build(orgs.chain(persons).chain(roles), synthetic)
}

/// One CSV with the header `record,identifier,name,org_form,parent,role,for`, where
/// `record` is `organisation`, `person` or `role` (a role row uses `role`,
/// `identifier` = the holder and `for`). Fields may not contain commas.
pub fn parse_csv(text: &str, synthetic: SyntheticIds) -> Result<Feed, FeedError> {
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, h)| h.trim()).unwrap_or_default();
    if header != "record,identifier,name,org_form,parent,role,for" {
        return Err(FeedError::Row { line: 1, problem: "the header must be record,identifier,name,org_form,parent,role,for".into() });
    }
    let mut rows = Vec::new();
    for (i, l) in lines {
        let line = i + 1;
        if l.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = l.split(',').map(str::trim).collect();
        if f.len() != 7 {
            return Err(FeedError::Row { line, problem: format!("expected 7 fields, found {}", f.len()) });
        }
        let s = |i: usize| f[i].to_string();
        let record = match f[0] {
            "organisation" => Record::Org { number: s(1), name: s(2), form: s(3), parent: Some(s(4)) },
            "person" => Record::Person { nin: s(1), name: s(2) },
            "role" => Record::Role { role: s(5), holder: s(1), for_org: s(6) },
            other => return Err(FeedError::Row { line, problem: format!("unknown record type {other:?}") }),
        };
        rows.push((line, record));
    }
    build(rows.into_iter(), synthetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_csv_give_the_same_feed() {
        let json = r#"{"organisations":[{"orgNumber":"310400009","name":"Bakeri Hansen AS","orgForm":"AS"}],
                      "persons":[{"nationalId":"14928810047","name":"Bjørn Hansen"}],
                      "roles":[{"role":"dagl","holder":"14928810047","for":"310400009"}]}"#;
        let csv = "record,identifier,name,org_form,parent,role,for\n\
                   organisation,310400009,Bakeri Hansen AS,AS,,,\n\
                   person,14928810047,Bjørn Hansen,,,,\n\
                   role,14928810047,,,,DAGL,310400009\n";
        let a = parse_json(json, SyntheticIds::Accept).unwrap();
        let b = parse_csv(csv, SyntheticIds::Accept).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.roles[0].role, "DAGL");
    }

    #[test]
    fn every_bad_row_is_reported_and_nothing_is_returned() {
        let csv = "record,identifier,name,org_form,parent,role,for\n\
                   organisation,310400008,Bad Check AS,AS,,,\n\
                   person,14928810047,,,,,\n\
                   role,123,,,,DAGL,310400009\n\
                   thing,1,,,,,\n";
        let err = parse_csv(csv, SyntheticIds::Accept).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("line 5: unknown record type"), "{text}");
        let csv = "record,identifier,name,org_form,parent,role,for\n\
                   organisation,310400008,Bad Check AS,AS,,,\n\
                   person,14928810047,,,,,\n";
        match parse_csv(csv, SyntheticIds::Accept).unwrap_err() {
            FeedError::Many { count, first } => {
                assert_eq!(count, 2);
                assert!(first.starts_with("line 2: organisation number"), "{first}");
            }
            other => panic!("{other}"),
        }
        assert!(matches!(parse_csv("wrong header\n", SyntheticIds::Accept), Err(FeedError::Row { line: 1, .. })));
        assert!(matches!(parse_json("{", SyntheticIds::Accept), Err(FeedError::Json(_))));
    }
}
