//! Reading a catalogue in the format of Altinn's published access-package data
//! (`areas.json`, `packages.json`, `roles.json`, `role_packages.json`, each an
//! object with an `items` array).

use super::model::{Area, Catalogue, EntityType, Package, Role, RolePackage, Text};
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path} is not valid catalogue JSON: {source}")]
    Parse { path: String, source: serde_json::Error },
    #[error("{path}: unknown entity type {value:?} (expected Organisasjon or Person)")]
    EntityType { path: String, value: String },
    #[error("the catalogue is inconsistent: {}", .0.join("; "))]
    Inconsistent(Vec<String>),
}

#[derive(Deserialize)]
struct Items<T> {
    items: Vec<T>,
}

/// The name and description in the three languages, as every kind of item
/// in the published files spells them (only Norwegian bokmål is required).
#[derive(Deserialize)]
struct TextsIn {
    name_nb: String,
    name_nn: Option<String>,
    name_en: Option<String>,
    description_nb: Option<String>,
    description_nn: Option<String>,
    description_en: Option<String>,
}

impl TextsIn {
    fn name(&self) -> Text {
        text(self.name_nb.clone(), self.name_nn.clone(), self.name_en.clone())
    }

    fn description(&self) -> Text {
        text(self.description_nb.clone().unwrap_or_default(), self.description_nn.clone(), self.description_en.clone())
    }
}

#[derive(Deserialize)]
struct AreaIn {
    urn: String,
    #[serde(flatten)]
    texts: TextsIn,
    #[serde(rename = "groupName_nb")]
    group_name_nb: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PackageIn {
    urn: String,
    code: String,
    area_urn: String,
    #[serde(flatten)]
    texts: TextsIn,
    is_delegable: bool,
    is_assignable: bool,
    is_available_for_service_owners: bool,
    entity_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleIn {
    code: String,
    urn: String,
    legacy_code: Option<String>,
    provider: Option<String>,
    #[serde(flatten)]
    texts: TextsIn,
    #[serde(default)]
    is_key_role: bool,
    entity_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RolePackageIn {
    role_code: String,
    package_urn: String,
    entity_variant: Option<String>,
    has_access: bool,
    can_delegate: bool,
    can_assign: bool,
}

/// Falls back to Bokmål where a translation is missing, as Altinn's own UI does.
fn text(nb: String, nn: Option<String>, en: Option<String>) -> Text {
    Text { nn: nn.filter(|s| !s.is_empty()).unwrap_or_else(|| nb.clone()), en: en.filter(|s| !s.is_empty()).unwrap_or_else(|| nb.clone()), nb }
}

fn entity_type(path: &str, value: &str) -> Result<EntityType, CatalogueError> {
    match value {
        "Organisasjon" | "Organisation" | "organisation" => Ok(EntityType::Organisation),
        "Person" | "person" => Ok(EntityType::Person),
        other => Err(CatalogueError::EntityType { path: path.to_string(), value: other.to_string() }),
    }
}

fn parse<T: for<'de> Deserialize<'de>>(path: &str, json: &str) -> Result<Vec<T>, CatalogueError> {
    serde_json::from_str::<Items<T>>(json).map(|i| i.items).map_err(|source| CatalogueError::Parse { path: path.to_string(), source })
}

/// Builds a catalogue from the four JSON documents; `names` label them in errors.
pub fn from_json(names: [&str; 4], areas: &str, packages: &str, roles: &str, role_packages: &str) -> Result<Catalogue, CatalogueError> {
    let areas = parse::<AreaIn>(names[0], areas)?
        .into_iter()
        .map(|a| Area { urn: a.urn, group: a.group_name_nb.unwrap_or_default(), description: a.texts.description(), name: a.texts.name() })
        .collect();
    let packages = parse::<PackageIn>(names[1], packages)?
        .into_iter()
        .map(|p| {
            Ok(Package {
                entity_type: entity_type(names[1], &p.entity_type)?,
                urn: p.urn,
                code: p.code,
                area_urn: p.area_urn,
                description: p.texts.description(),
                name: p.texts.name(),
                delegable: p.is_delegable,
                assignable: p.is_assignable,
                available_for_service_owners: p.is_available_for_service_owners,
            })
        })
        .collect::<Result<_, CatalogueError>>()?;
    let roles = parse::<RoleIn>(names[2], roles)?
        .into_iter()
        .map(|r| {
            Ok(Role {
                entity_type: entity_type(names[2], &r.entity_type)?,
                code: r.code,
                urn: r.urn,
                legacy_code: r.legacy_code.filter(|c| !c.is_empty()),
                provider: r.provider.unwrap_or_default(),
                description: r.texts.description(),
                name: r.texts.name(),
                is_key_role: r.is_key_role,
            })
        })
        .collect::<Result<_, CatalogueError>>()?;
    let role_packages = parse::<RolePackageIn>(names[3], role_packages)?
        .into_iter()
        .map(|rp| RolePackage {
            role_code: rp.role_code,
            package_urn: rp.package_urn,
            org_form: rp.entity_variant.filter(|v| !v.is_empty()),
            has_access: rp.has_access,
            can_delegate: rp.can_delegate,
            can_assign: rp.can_assign,
        })
        .collect();
    let catalogue = Catalogue { areas, packages, roles, role_packages };
    let problems = catalogue.problems();
    if problems.is_empty() {
        Ok(catalogue)
    } else {
        Err(CatalogueError::Inconsistent(problems))
    }
}

/// Reads a catalogue from a directory laid out like Altinn's access-package data.
pub fn from_altinn_dir(dir: &Path) -> Result<Catalogue, CatalogueError> {
    let files = ["areas.json", "packages.json", "roles.json", "role_packages.json"];
    let mut texts = Vec::with_capacity(4);
    for f in files {
        let path = dir.join(f);
        let shown = path.display().to_string();
        texts.push(std::fs::read_to_string(&path).map_err(|source| CatalogueError::Read { path: shown, source })?);
    }
    let names = files.map(|f| dir.join(f).display().to_string());
    from_json([&names[0], &names[1], &names[2], &names[3]], &texts[0], &texts[1], &texts[2], &texts[3])
}

/// The small catalogue shipped with the binary, so that a first run works
/// without any import: the roles and packages the demo scenarios need.
pub fn builtin() -> Catalogue {
    #[derive(Deserialize)]
    struct Builtin {
        areas: serde_json::Value,
        packages: serde_json::Value,
        roles: serde_json::Value,
        role_packages: serde_json::Value,
    }
    let b: Builtin = serde_json::from_str(include_str!("builtin.json")).expect("builtin.json is valid (tested)");
    let wrap = |v: serde_json::Value| serde_json::json!({ "items": v }).to_string();
    from_json(
        ["builtin areas", "builtin packages", "builtin roles", "builtin role_packages"],
        &wrap(b.areas),
        &wrap(b.packages),
        &wrap(b.roles),
        &wrap(b.role_packages),
    )
    .expect("builtin catalogue is consistent (tested)")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real Altinn catalogue, copied into the repository (`data/altinn/`,
    /// see its README). A missing folder fails the test rather than skipping it.
    fn reference_dir() -> std::path::PathBuf {
        let dir = std::env::var_os("FULLMAKT_REFERENCE_DATA")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/altinn/access-packages"));
        assert!(dir.is_dir(), "the Altinn catalogue is missing at {} (see data/altinn/README.md)", dir.display());
        dir
    }

    #[test]
    fn builtin_catalogue_is_consistent_and_has_what_the_scenarios_need() {
        let c = builtin();
        for code in ["regnskapsforer-med-signeringsrettighet", "forretningsforer-eiendom", "tilgangsstyrer", "klientadministrator"] {
            assert!(c.packages.iter().any(|p| p.code == code), "{code}");
        }
        for legacy in ["dagl", "lede", "regn", "revi", "ffør"] {
            assert!(c.roles.iter().any(|r| r.legacy_code.as_deref() == Some(legacy)), "{legacy}");
        }
        let ffor_brl = c
            .role_packages
            .iter()
            .find(|rp| rp.role_code == "forretningsforer" && rp.package_urn.ends_with(":forretningsforer-eiendom") && rp.org_form.as_deref() == Some("BRL"));
        assert!(ffor_brl.is_some(), "FFØR gives forretningsforer-eiendom only for BRL/ESEK");
    }

    #[test]
    fn the_real_altinn_catalogue_imports() {
        let c = from_altinn_dir(&reference_dir()).expect("reference catalogue parses");
        assert_eq!(c.areas.len(), 49);
        assert_eq!(c.packages.len(), 223);
        assert_eq!(c.roles.len(), 148);
        assert_eq!(c.role_packages.len(), 1285);
        let regn = c.roles.iter().find(|r| r.code == "regnskapsforer").expect("REGN role");
        assert_eq!(regn.legacy_code.as_deref(), Some("regn"));
    }

    #[test]
    fn a_missing_directory_is_a_clear_error() {
        let err = from_altinn_dir(Path::new("/nonexistent/catalogue")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/catalogue/areas.json"), "{err}");
    }

    #[test]
    fn dangling_references_are_refused() {
        let err = from_json(
            ["a", "p", "r", "rp"],
            r#"{"items":[]}"#,
            r#"{"items":[{"urn":"urn:x","code":"x","areaUrn":"nowhere","name_nb":"X","isDelegable":true,"isAssignable":true,"isAvailableForServiceOwners":true,"entityType":"Organisasjon"}]}"#,
            r#"{"items":[]}"#,
            r#"{"items":[{"roleCode":"ghost","packageUrn":"urn:x","entityVariant":null,"hasAccess":true,"canDelegate":false,"canAssign":false}]}"#,
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("unknown area nowhere") && msg.contains("unknown role ghost"), "{msg}");
    }

    #[test]
    fn malformed_json_names_the_file() {
        let err = from_json(["areas.json", "p", "r", "rp"], "{", "{}", "{}", "{}").unwrap_err();
        assert!(err.to_string().starts_with("areas.json is not valid catalogue JSON"), "{err}");
    }
}
