//! An institution's organisational units and its sponsors, for its access
//! managers: the tree, saving one unit, importing many, appointing and
//! ending sponsors. Thin adapters over `domain::units` and
//! `domain::guests::sponsors`, which decide who may.

use crate::error::AppError;
use crate::functions::system_user_requests::Texts;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A unit in the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitView {
    pub code: String,
    pub name: Texts,
    pub parent: Option<String>,
    pub depth: usize,
}

/// A sponsorship in force: the person, and the unit (`None`: the help desk).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SponsorView {
    pub id: String,
    pub person_name: String,
    pub unit: Option<(String, Texts)>,
}

/// The units page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitsPageView {
    pub units: Vec<UnitView>,
    pub sponsors: Vec<SponsorView>,
}

/// The institution's units, parents first, and its sponsors.
#[server(prefix = "/api", endpoint = "units_page")]
pub async fn units_page() -> Result<UnitsPageView, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let units = domain::units::units(&ctx).await?;
    let sponsors = domain::guests::sponsors::sponsors(&ctx).await?;
    Ok(UnitsPageView {
        units: units
            .into_iter()
            .map(|u| UnitView { code: u.code, name: [u.name.nb, u.name.nn, u.name.en], parent: u.parent, depth: usize::try_from(u.depth).unwrap_or(0) })
            .collect(),
        sponsors: sponsors
            .into_iter()
            .map(|s| SponsorView { id: s.id.to_string(), person_name: s.person_name, unit: s.unit.map(|(c, n)| (c, [n.nb, n.nn, n.en])) })
            .collect(),
    })
}

/// Saves one unit (new, or changed by its code); answers its code.
#[server(prefix = "/api", endpoint = "save_unit")]
pub async fn save_unit(
    #[server(default)] unit_code: String,
    #[server(default)] unit_name_nb: String,
    #[server(default)] unit_name_nn: String,
    #[server(default)] unit_name_en: String,
    #[server(default)] unit_parent: String,
) -> Result<String, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let unit = domain::units::UnitForSave {
        code: unit_code.trim().to_string(),
        name_nb: unit_name_nb,
        name_nn: unit_name_nn,
        name_en: unit_name_en,
        parent: Some(unit_parent),
    };
    domain::units::save(&ctx, &unit).await?;
    Ok(unit.code)
}

/// Imports units, one a line (`code;name nb;name nn;name en;parent code`), all or none;
/// answers how many were saved.
#[server(prefix = "/api", endpoint = "import_units")]
pub async fn import_units(#[server(default)] units: String) -> Result<usize, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    Ok(domain::units::import_file(&ctx, &units).await?)
}

/// Appoints the person sponsor for the unit `unit` (its code), or help desk when empty.
#[server(prefix = "/api", endpoint = "appoint_sponsor")]
pub async fn appoint_sponsor(
    #[server(default)] national_id: String,
    #[server(default)] surname: String,
    #[server(default)] unit: String,
) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    domain::guests::sponsors::appoint(&ctx, &national_id, &surname, &unit).await?;
    Ok(())
}

/// Ends a sponsorship.
#[server(prefix = "/api", endpoint = "end_sponsor")]
pub async fn end_sponsor(#[server(default)] sponsorship: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    Ok(domain::guests::sponsors::end(&ctx, &sponsorship).await?)
}
