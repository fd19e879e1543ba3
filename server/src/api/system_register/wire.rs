//! Altinn's JSON for the system register's vendor API
//! (`RegisterSystemRequest`, `RegisteredSystemResponse`, `RegisteredSystemDTO`,
//! `SystemChangeLog`), and its conversion to and from the domain's types.
//! Unknown members are ignored, as Altinn ignores them, so a vendor can send
//! back what it read.

use domain::system_register::{ChangeLogEntry, RegisteredSystem, SystemForCreate, SystemRight, Translated, Violation};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// ISO 6523's authority for Norwegian organisation numbers, and its prefix.
pub const ISO6523_AUTHORITY: &str = "iso6523-actorid-upis";
pub const ORG_PREFIX: &str = "0192:";
/// The attribute that names a resource in a right.
pub const RESOURCE_ATTRIBUTE: &str = "urn:altinn:resource";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrgIdentifier {
    pub authority: String,
    #[serde(rename = "ID", alias = "id")]
    pub id: String,
}

impl OrgIdentifier {
    pub fn of(org_number: &str) -> Self {
        Self { authority: ISO6523_AUTHORITY.into(), id: format!("{ORG_PREFIX}{org_number}") }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttributePair {
    pub id: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Right {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    pub resource: Vec<AttributePair>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessPackage {
    pub urn: String,
}

/// The body of `POST` and `PUT …/vendor/{systemId}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterSystemRequest {
    pub id: String,
    pub vendor: OrgIdentifier,
    pub name: BTreeMap<String, String>,
    pub description: BTreeMap<String, String>,
    #[serde(default)]
    pub rights: Vec<Right>,
    #[serde(default)]
    pub access_packages: Vec<AccessPackage>,
    #[serde(default)]
    pub client_id: Vec<String>,
    #[serde(default)]
    pub allowed_redirect_urls: Vec<String>,
    #[serde(default = "visible_by_default")]
    pub is_visible: bool,
}

fn visible_by_default() -> bool {
    true
}

/// The text in each language, or the languages that are not nb, nn or en.
fn translated(map: &BTreeMap<String, String>) -> Result<Translated, Vec<Violation>> {
    let unknown: Vec<Violation> = map.keys().filter(|k| !Translated::LANGUAGES.contains(&k.as_str())).map(|k| Violation::UnknownLanguage(k.clone())).collect();
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let get = |lang: &str| map.get(lang).cloned().unwrap_or_default();
    Ok(Translated { nb: get("nb"), nn: get("nn"), en: get("en") })
}

/// A right's resource: exactly one attribute, `urn:altinn:resource`.
pub fn right(r: &Right) -> Result<SystemRight, Violation> {
    match r.resource.as_slice() {
        [a] if a.id == RESOURCE_ATTRIBUTE && !a.value.trim().is_empty() => Ok(SystemRight { resource: a.value.clone(), action: r.action.clone() }),
        _ => Err(Violation::ResourceFormat),
    }
}

pub fn rights(rs: &[Right]) -> Result<Vec<SystemRight>, Vec<Violation>> {
    let (ok, bad): (Vec<_>, Vec<_>) = rs.iter().map(right).partition(Result::is_ok);
    if bad.is_empty() {
        Ok(ok.into_iter().filter_map(Result::ok).collect())
    } else {
        Err(vec![Violation::ResourceFormat])
    }
}

impl RegisterSystemRequest {
    /// The system as the domain takes it, or what is wrong with the JSON's
    /// form (the vendor's ISO 6523 prefix, languages, the rights' attributes).
    pub fn into_domain(self) -> Result<SystemForCreate, Vec<Violation>> {
        let mut errors = Vec::new();
        let vendor = match self.vendor.id.trim().strip_prefix(ORG_PREFIX) {
            Some(org) => org.to_string(),
            None => {
                errors.push(Violation::VendorFormat);
                String::new()
            }
        };
        let name = translated(&self.name).map_err(|e| errors.extend(e)).unwrap_or_default();
        let description = translated(&self.description).map_err(|e| errors.extend(e)).unwrap_or_default();
        let rights = rights(&self.rights).map_err(|e| errors.extend(e)).unwrap_or_default();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SystemForCreate {
            id: self.id,
            vendor,
            name,
            description,
            rights,
            packages: self.access_packages.into_iter().map(|p| p.urn).collect(),
            client_ids: self.client_id,
            redirect_urls: self.allowed_redirect_urls,
            is_visible: self.is_visible,
        })
    }
}

fn texts(t: &Translated) -> BTreeMap<String, String> {
    BTreeMap::from([("nb".into(), t.nb.clone()), ("nn".into(), t.nn.clone()), ("en".into(), t.en.clone())])
}

/// A right as Altinn writes it: its resource as `urn:altinn:resource`, and its action.
pub fn right_of(resource: &str, action: Option<&str>) -> Right {
    Right { action: action.map(Into::into), resource: vec![AttributePair { id: RESOURCE_ATTRIBUTE.into(), value: resource.into() }] }
}

fn wire_rights(s: &RegisteredSystem) -> Vec<Right> {
    s.rights.iter().map(|r| right_of(&r.resource, r.action.as_deref())).collect()
}

fn wire_packages(s: &RegisteredSystem) -> Vec<AccessPackage> {
    s.packages.iter().map(|p| AccessPackage { urn: p.urn.clone() }).collect()
}

/// `GET …/vendor/{systemId}`: the whole system, as its vendor sees it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredSystemResponse {
    pub id: String,
    pub vendor: OrgIdentifier,
    pub name: BTreeMap<String, String>,
    pub description: BTreeMap<String, String>,
    pub rights: Vec<Right>,
    pub access_packages: Vec<AccessPackage>,
    pub client_id: Vec<String>,
    pub allowed_redirect_urls: Vec<String>,
    pub is_visible: bool,
    pub is_deleted: bool,
}

impl From<&RegisteredSystem> for RegisteredSystemResponse {
    fn from(s: &RegisteredSystem) -> Self {
        Self {
            id: s.id.clone(),
            vendor: OrgIdentifier::of(&s.vendor),
            name: texts(&s.name),
            description: texts(&s.description),
            rights: wire_rights(s),
            access_packages: wire_packages(s),
            client_id: s.client_ids.clone(),
            allowed_redirect_urls: s.redirect_urls.clone(),
            is_visible: s.is_visible,
            is_deleted: s.is_deleted,
        }
    }
}

/// `GET …/vendor`: one of the vendor's systems in the list.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredSystemDto {
    pub system_id: String,
    pub system_vendor_org_number: String,
    pub system_vendor_org_name: String,
    pub name: BTreeMap<String, String>,
    pub description: BTreeMap<String, String>,
    pub rights: Vec<Right>,
    pub access_packages: Vec<AccessPackage>,
    pub is_visible: bool,
}

impl From<&RegisteredSystem> for RegisteredSystemDto {
    fn from(s: &RegisteredSystem) -> Self {
        Self {
            system_id: s.id.clone(),
            system_vendor_org_number: s.vendor.clone(),
            system_vendor_org_name: s.vendor_name.clone().unwrap_or_default(),
            name: texts(&s.name),
            description: texts(&s.description),
            rights: wire_rights(s),
            access_packages: wire_packages(s),
            is_visible: s.is_visible,
        }
    }
}

/// `GET …/vendor/{systemId}/changelog`: one entry.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemChangeLog {
    pub system_internal_id: uuid::Uuid,
    pub changed_by_org_number: Option<String>,
    pub changed_by: String,
    pub change_type: &'static str,
    pub changed_data: serde_json::Value,
    pub client_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: time::OffsetDateTime,
}

impl SystemChangeLog {
    pub fn of(system: &RegisteredSystem, e: &ChangeLogEntry) -> Self {
        Self {
            system_internal_id: system.internal_id,
            changed_by_org_number: e.changed_by_org.clone(),
            changed_by: e.changed_by.clone(),
            change_type: e.change_type.as_str(),
            changed_data: e.changed_data.clone(),
            client_id: e.client_id.clone(),
            created: e.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> serde_json::Value {
        serde_json::json!({
            "id": "310000000_lonn",
            "vendor": {"authority": "iso6523-actorid-upis", "ID": "0192:310000000"},
            "name": {"nb": "Lønn", "nn": "Løn", "en": "Payroll"},
            "description": {"nb": "a", "nn": "b", "en": "c"},
            "rights": [{"resource": [{"id": "urn:altinn:resource", "value": "mva"}]}],
            "accessPackages": [{"urn": "urn:altinn:accesspackage:skattnaering"}],
            "clientId": ["c1"],
            "allowedRedirectUrls": ["https://x.example/r"],
            "someFieldWeDoNotKnow": 1
        })
    }

    #[test]
    fn altinns_body_becomes_the_domains_system() {
        let r: RegisterSystemRequest = serde_json::from_value(body()).unwrap();
        let s = r.into_domain().unwrap();
        assert_eq!(s.vendor, "310000000");
        assert_eq!(s.name.nn, "Løn");
        assert_eq!(s.rights, vec![SystemRight { resource: "mva".into(), action: None }]);
        assert_eq!(s.packages, vec!["urn:altinn:accesspackage:skattnaering"]);
        assert!(s.is_visible, "visible unless said otherwise");
    }

    #[test]
    fn the_vendor_needs_the_iso6523_prefix_and_names_only_known_languages() {
        let mut b = body();
        b["vendor"]["ID"] = "310000000".into();
        b["name"]["de"] = "Lohn".into();
        b["rights"][0]["resource"][0]["id"] = "urn:altinn:app".into();
        let r: RegisterSystemRequest = serde_json::from_value(b).unwrap();
        assert_eq!(r.into_domain().unwrap_err(), vec![Violation::VendorFormat, Violation::UnknownLanguage("de".into()), Violation::ResourceFormat]);
    }

    #[test]
    fn the_vendor_identifier_reads_id_in_either_case() {
        let o: OrgIdentifier = serde_json::from_str(r#"{"authority":"iso6523-actorid-upis","id":"0192:310000000"}"#).unwrap();
        assert_eq!(o.id, "0192:310000000");
        assert_eq!(serde_json::to_value(OrgIdentifier::of("310000000")).unwrap()["ID"], "0192:310000000");
    }
}
