//! Persons as agents for the chosen firm: the client delegations to persons
//! in force, a client's packages that may be passed on, giving a person
//! some of them and taking them back. Thin adapters over
//! `domain::clients::persons`, which decides who may.

use crate::error::AppError;
use crate::functions::system_user_requests::Texts;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A package by code and name, as the form offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageOptionView {
    pub code: String,
    pub name: Texts,
}

/// A client of the firm and the packages it lets the firm pass on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassableClientView {
    pub name: String,
    pub org_number: String,
    pub packages: Vec<PackageOptionView>,
}

/// A client delegation to a person in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDelegationView {
    pub id: String,
    pub person_name: String,
    pub client_name: String,
    pub client_org_number: Option<String>,
    pub packages: Vec<Texts>,
}

/// The list of client delegations to persons, and whether it is cut short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDelegationsView {
    pub delegations: Vec<PersonDelegationView>,
    /// More than the list holds: choose a client to see its own.
    pub more: bool,
    /// The most the list holds.
    pub limit: usize,
}

/// What was given, for the banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GivenToPersonView {
    pub person_name: String,
    pub client_name: String,
}

#[cfg(feature = "ssr")]
fn texts(t: &domain::system_register::Translated) -> Texts {
    [t.nb.clone(), t.nn.clone(), t.en.clone()]
}

/// The chosen firm's client delegations to persons, by person and client:
/// all, or the client's with organisation number `client` when given.
#[server(prefix = "/api", endpoint = "client_person_delegations")]
pub async fn client_person_delegations(#[server(default)] client: String) -> Result<PersonDelegationsView, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let list = domain::clients::persons::person_delegations(&ctx, Some(&client)).await?;
    Ok(PersonDelegationsView {
        more: list.more,
        limit: domain::clients::persons::LIST_LIMIT,
        delegations: list
            .delegations
            .into_iter()
            .map(|d| PersonDelegationView {
                id: d.id.to_string(),
                packages: d.packages.iter().map(|p| texts(&p.name)).collect(),
                person_name: d.person_name,
                client_name: d.client_name,
                client_org_number: d.client_org_number,
            })
            .collect(),
    })
}

/// The firm's client `org_number` and the packages it may pass on to a person.
#[server(prefix = "/api", endpoint = "client_passable")]
pub async fn client_passable(org_number: String) -> Result<PassableClientView, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let c = domain::clients::persons::passable_client(&ctx, &org_number).await?;
    Ok(PassableClientView {
        name: c.name,
        org_number: c.org_number.unwrap_or_else(|| org_number.trim().to_string()),
        packages: c.packages.iter().map(|p| PackageOptionView { code: p.code.clone(), name: texts(&p.name) }).collect(),
    })
}

/// Gives the person `national_id` + `surname` the packages `packages` of the
/// firm's client `client` (organisation number).
#[server(prefix = "/api", endpoint = "give_client_to_person")]
pub async fn give_client_to_person(
    #[server(default)] client: String,
    #[server(default)] national_id: String,
    #[server(default)] surname: String,
    #[server(default)] packages: Vec<String>,
) -> Result<GivenToPersonView, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let given = domain::clients::persons::give_to_person(&ctx, &client, &national_id, &surname, &packages).await?;
    Ok(GivenToPersonView { person_name: given.person_name, client_name: given.client_name })
}

/// Takes back one client delegation to a person.
#[server(prefix = "/api", endpoint = "take_client_from_person")]
pub async fn take_client_from_person(delegation: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    Ok(domain::clients::persons::take_from_person(&ctx, &delegation).await?)
}
