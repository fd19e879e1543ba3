//! What a vendor can pick from when it registers or changes a system in the
//! portal: the delegable access packages by area, the delegable resources
//! (single rights), and its own API clients (the system's client ids). The
//! same facts the register's rules check, so whatever is offered passes them.

use super::model::Translated;
use super::service::SystemRegisterError;
use crate::authz::{Action, SystemResource};
use crate::context::Context;
use crate::resources::model::RESOURCE_TYPES;
use serde::{Deserialize, Serialize};

/// An access package a system can offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageChoice {
    pub urn: String,
    pub name: Translated,
    pub description: Translated,
    pub area: Translated,
    /// Whether a customer can give it to a standard system user; one that
    /// is not is given to agent system users through clients, and a visible
    /// system may not offer it.
    pub assignable: bool,
}

/// A resource whose rights a system can offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceChoice {
    pub id: String,
    pub title: Translated,
    pub description: String,
    /// The service owner's name, or its organisation number when the register has no name.
    pub owner: String,
}

/// One of the vendor's API clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientChoice {
    pub client_id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choices {
    /// The vendor's organisation number: a system's id starts with it.
    pub vendor: String,
    /// By area, then name.
    pub packages: Vec<PackageChoice>,
    /// By title.
    pub resources: Vec<ResourceChoice>,
    pub clients: Vec<ClientChoice>,
}

/// What the party acted for may put on its systems; for those who may read its register.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), request_id = ctx.request_id()))]
pub async fn choices(ctx: &Context) -> Result<Choices, SystemRegisterError> {
    let party = ctx.authorize_for_party(Action::Read, SystemResource::SystemRegister).map_err(|_| SystemRegisterError::NotAllowed)?;
    let mut conn = ctx.db().acquire().await?;
    // Only an organisation registers systems.
    let vendor = super::store::org_number(&mut conn, party).await?.ok_or(SystemRegisterError::NotAllowed)?;
    let packages = sqlx::query!(
        "select p.urn, p.name_nb, p.name_nn, p.name_en, p.description_nb, p.description_nn, p.description_en, p.assignable,
                a.name_nb as area_nb, a.name_nn as area_nn, a.name_en as area_en
         from access_package p join package_area a on a.urn = p.area_urn
         where p.delegable order by a.name_nb, p.name_nb"
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| PackageChoice {
        urn: r.urn,
        name: Translated { nb: r.name_nb, nn: r.name_nn, en: r.name_en },
        description: Translated { nb: r.description_nb, nn: r.description_nn, en: r.description_en },
        area: Translated { nb: r.area_nb, nn: r.area_nn, en: r.area_en },
        assignable: r.assignable,
    })
    .collect();
    let types: Vec<String> = RESOURCE_TYPES.iter().map(|t| t.to_string()).collect();
    let resources = sqlx::query!(
        r#"select r.id, r.title_nb, r.title_nn, r.title_en, r.description,
                  coalesce((select o.name from party o where o.org_number = r.owner_org and o.kind = 'organisation' limit 1), r.owner_org) as "owner!"
           from resource r where r.delegable and r.resource_type = any($1) order by r.title_nb"#,
        &types
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .filter(|r| !crate::resources::rules::is_system_resource(&r.id))
    .map(|r| ResourceChoice { id: r.id, title: Translated { nb: r.title_nb, nn: r.title_nn, en: r.title_en }, description: r.description, owner: r.owner })
    .collect();
    let clients =
        sqlx::query!("select client_id, display_name from api_client where owner_party_id = $1 and deleted_at is null order by display_name", party.0)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| ClientChoice { client_id: r.client_id, name: r.display_name })
            .collect();
    Ok(Choices { vendor, packages, resources, clients })
}
