//! "Our systems": the systems the party acted for offers in the system
//! register, for its people who manage access (the provider's screens).
//! Thin adapters over `domain::system_register` (service and choices) and
//! `domain::system_user_requests::service::by_system`, which decide who may
//! see and change what. A refused field comes back named `system.<field>`,
//! so the form shows the message next to it.

use crate::error::AppError;
use crate::functions::system_user_requests::Texts;
use crate::functions::system_users::HeldView;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A system in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemSummaryView {
    pub id: String,
    pub name: Texts,
    pub visible: bool,
    pub rights: usize,
    pub packages: usize,
    pub updated: String,
}

/// One of the vendor's API clients, as a system lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientView {
    pub client_id: String,
    pub name: String,
}

/// A system whole, as its vendor sees and edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemView {
    pub id: String,
    pub name: Texts,
    pub description: Texts,
    pub rights: Vec<HeldView>,
    /// The resources of the rights, for the edit form.
    pub right_ids: Vec<String>,
    pub packages: Vec<HeldView>,
    /// The packages' URNs, for the edit form.
    pub package_urns: Vec<String>,
    pub clients: Vec<ClientView>,
    pub redirect_urls: Vec<String>,
    pub visible: bool,
    pub created: String,
    pub updated: String,
}

/// A request for a system user of the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRowView {
    pub customer: String,
    pub integration_title: String,
    /// `New`, `Accepted`, `Rejected`, `Denied` or `Timedout`.
    pub status: String,
    pub created: String,
}

/// One change of the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeView {
    /// `create`, `update`, `rightsupdate`, `accesspackageupdate` or `delete`.
    pub change_type: String,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemPageView {
    pub system: SystemView,
    /// The first page of its requests (50), oldest first.
    pub requests: Vec<RequestRowView>,
    pub more_requests: bool,
    /// Newest first.
    pub changes: Vec<ChangeView>,
}

/// An access package a system can offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageOption {
    pub urn: String,
    pub name: Texts,
    pub description: Texts,
    pub area: Texts,
    pub assignable: bool,
}

/// A resource whose rights a system can offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceOption {
    pub id: String,
    pub title: Texts,
    pub description: String,
    pub owner: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoicesView {
    pub vendor: String,
    pub packages: Vec<PackageOption>,
    pub resources: Vec<ResourceOption>,
    pub clients: Vec<ClientView>,
}

#[cfg(feature = "ssr")]
mod convert {
    use super::*;
    use domain::error::{Failure, FieldError};
    use domain::system_register::{RegisteredSystem, SystemRegisterError, Translated};

    pub fn texts(t: &Translated) -> Texts {
        [t.nb.clone(), t.nn.clone(), t.en.clone()]
    }

    /// The refusal, with the fields named as the form names them.
    pub fn failure(e: SystemRegisterError) -> AppError {
        match Failure::from(e) {
            Failure::Invalid(fields) => {
                AppError::from(Failure::Invalid(fields.into_iter().map(|f| FieldError::new(format!("system.{}", f.field), f.message)).collect()))
            }
            other => other.into(),
        }
    }

    pub fn system(s: RegisteredSystem, clients: &[ClientView]) -> SystemView {
        use crate::functions::ssr::moment;
        SystemView {
            name: texts(&s.name),
            description: texts(&s.description),
            rights: s.rights.iter().map(|r| HeldView { name: texts(&r.title), description: Default::default(), action: r.action.clone() }).collect(),
            right_ids: s.rights.iter().map(|r| r.resource.clone()).collect(),
            packages: s.packages.iter().map(|p| HeldView { name: texts(&p.name), description: Default::default(), action: None }).collect(),
            package_urns: s.packages.iter().map(|p| p.urn.clone()).collect(),
            // A client id is shown by the client's name when it is one of the vendor's.
            clients: s
                .client_ids
                .iter()
                .map(|id| ClientView {
                    client_id: id.clone(),
                    name: clients.iter().find(|c| &c.client_id == id).map_or_else(|| id.clone(), |c| c.name.clone()),
                })
                .collect(),
            redirect_urls: s.redirect_urls,
            visible: s.is_visible,
            created: moment(s.created_at),
            updated: moment(s.updated_at),
            id: s.id,
        }
    }

    pub fn clients(choices: &domain::system_register::choices::Choices) -> Vec<ClientView> {
        choices.clients.iter().map(|c| ClientView { client_id: c.client_id.clone(), name: c.name.clone() }).collect()
    }

    /// The form's fields as the register takes a system.
    #[allow(clippy::too_many_arguments)]
    pub fn input(
        id: String,
        vendor: String,
        name: [String; 3],
        description: [String; 3],
        rights: Vec<String>,
        packages: Vec<String>,
        client_ids: Vec<String>,
        redirect_urls: &str,
        is_visible: bool,
    ) -> domain::system_register::SystemForCreate {
        let [nb, nn, en] = name;
        let [dnb, dnn, den] = description;
        domain::system_register::SystemForCreate {
            id,
            vendor,
            name: Translated { nb, nn, en },
            description: Translated { nb: dnb, nn: dnn, en: den },
            // A right picked in the portal is every action the resource offers.
            rights: rights.into_iter().map(|resource| domain::system_register::SystemRight { resource, action: None }).collect(),
            packages,
            client_ids,
            redirect_urls: redirect_urls.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect(),
            is_visible,
        }
    }
}

/// The systems of the party acted for, by id.
#[server(prefix = "/api", endpoint = "our_systems")]
pub async fn our_systems() -> Result<Vec<SystemSummaryView>, AppError> {
    use crate::functions::ssr::moment;
    let ctx = crate::functions::ssr::party_context().await?;
    let list = domain::system_register::service::list(&ctx).await.map_err(convert::failure)?;
    Ok(list
        .into_iter()
        .map(|s| SystemSummaryView {
            name: convert::texts(&s.name),
            visible: s.is_visible,
            rights: s.rights.len(),
            packages: s.packages.len(),
            updated: moment(s.updated_at),
            id: s.id,
        })
        .collect())
}

/// What the party acted for may put on a system.
#[server(prefix = "/api", endpoint = "system_choices")]
pub async fn system_choices() -> Result<ChoicesView, AppError> {
    use convert::texts;
    let ctx = crate::functions::ssr::party_context().await?;
    let c = domain::system_register::choices::choices(&ctx).await.map_err(convert::failure)?;
    Ok(ChoicesView {
        clients: convert::clients(&c),
        vendor: c.vendor,
        packages: c
            .packages
            .iter()
            .map(|p| PackageOption {
                urn: p.urn.clone(),
                name: texts(&p.name),
                description: texts(&p.description),
                area: texts(&p.area),
                assignable: p.assignable,
            })
            .collect(),
        resources: c
            .resources
            .iter()
            .map(|r| ResourceOption { id: r.id.clone(), title: texts(&r.title), description: r.description.clone(), owner: r.owner.clone() })
            .collect(),
    })
}

/// One of the party's systems with its first requests and its change log.
#[server(prefix = "/api", endpoint = "our_system")]
pub async fn our_system(id: String) -> Result<SystemPageView, AppError> {
    use crate::functions::ssr::moment;
    let ctx = crate::functions::ssr::party_context().await?;
    let system = domain::system_register::service::get(&ctx, &id).await.map_err(convert::failure)?;
    let choices = domain::system_register::choices::choices(&ctx).await.map_err(convert::failure)?;
    let page = domain::system_user_requests::service::by_system(&ctx, None, &system.id, None).await?;
    let mut changes: Vec<ChangeView> = domain::system_register::service::change_log(&ctx, &system.id)
        .await
        .map_err(convert::failure)?
        .into_iter()
        .map(|c| ChangeView { change_type: c.change_type.as_str().to_string(), by: c.changed_by, at: moment(c.created_at) })
        .collect();
    changes.reverse();
    Ok(SystemPageView {
        requests: page
            .items
            .into_iter()
            .map(|r| RequestRowView {
                customer: r.party_name,
                integration_title: r.integration_title,
                status: r.status.as_str().to_string(),
                created: moment(r.created_at),
            })
            .collect(),
        more_requests: page.next_after.is_some(),
        changes,
        system: convert::system(system, &convert::clients(&choices)),
    })
}

/// Registers a system for the party acted for: its id is the party's
/// organisation number, `_`, and `slug`. On to the new system.
#[server(prefix = "/api", endpoint = "create_system")]
#[allow(clippy::too_many_arguments)]
pub async fn create_system(
    #[server(default)] slug: String,
    #[server(default)] name_nb: String,
    #[server(default)] name_nn: String,
    #[server(default)] name_en: String,
    #[server(default)] description_nb: String,
    #[server(default)] description_nn: String,
    #[server(default)] description_en: String,
    #[server(default)] rights: Vec<String>,
    #[server(default)] packages: Vec<String>,
    #[server(default)] client_ids: Vec<String>,
    #[server(default)] redirect_urls: String,
    #[server(default)] is_visible: Option<String>,
) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let vendor = domain::system_register::choices::choices(&ctx).await.map_err(convert::failure)?.vendor;
    let id = format!("{vendor}_{}", slug.trim());
    let input = convert::input(
        id,
        vendor,
        [name_nb, name_nn, name_en],
        [description_nb, description_nn, description_en],
        rights,
        packages,
        client_ids,
        &redirect_urls,
        is_visible.is_some(),
    );
    let created = domain::system_register::service::create(&ctx, &input).await.map_err(convert::failure)?;
    leptos_axum::redirect(&format!("/systemer/{}", created.id));
    Ok(())
}

/// Replaces one of the party's systems whole. Back to the system.
#[server(prefix = "/api", endpoint = "update_system")]
#[allow(clippy::too_many_arguments)]
pub async fn update_system(
    #[server(default)] id: String,
    #[server(default)] name_nb: String,
    #[server(default)] name_nn: String,
    #[server(default)] name_en: String,
    #[server(default)] description_nb: String,
    #[server(default)] description_nn: String,
    #[server(default)] description_en: String,
    #[server(default)] rights: Vec<String>,
    #[server(default)] packages: Vec<String>,
    #[server(default)] client_ids: Vec<String>,
    #[server(default)] redirect_urls: String,
    #[server(default)] is_visible: Option<String>,
) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let vendor = domain::system_register::choices::choices(&ctx).await.map_err(convert::failure)?.vendor;
    let input = convert::input(
        id.trim().to_string(),
        vendor,
        [name_nb, name_nn, name_en],
        [description_nb, description_nn, description_en],
        rights,
        packages,
        client_ids,
        &redirect_urls,
        is_visible.is_some(),
    );
    let updated = domain::system_register::service::update(&ctx, &id, &input).await.map_err(convert::failure)?;
    leptos_axum::redirect(&format!("/systemer/{}", updated.id));
    Ok(())
}

/// Deletes one of the party's systems: no token is issued for any of its
/// system users from now on. Back to the list.
#[server(prefix = "/api", endpoint = "delete_system")]
pub async fn delete_system(id: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    domain::system_register::service::delete(&ctx, &id).await.map_err(convert::failure)?;
    leptos_axum::redirect("/systemer");
    Ok(())
}
