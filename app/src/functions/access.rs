//! "Who has access to <party>", give access, revoke access — for the party the
//! signed-in person acts for. The rules are the domain's (`domain::grants`).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderView {
    pub name: String,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    pub what: String,
    pub why: Vec<WhyView>,
    pub grant: Option<String>,
}

/// Why someone holds something, with party names resolved; rendered in the
/// reader's language by [`WhyView::render`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WhyView {
    Own,
    Role(String),
    Grant(Option<String>),
    MainUnit(String, Box<WhyView>),
    KeyRole { role: String, organisation: String, inner: Box<WhyView> },
}

impl WhyView {
    pub fn render(&self, locale: crate::i18n::Locale) -> String {
        match self {
            Self::Own => locale.t("why.own").to_string(),
            Self::Role(role) => format!("{} {role}", locale.t("why.role")),
            Self::Grant(Some(by)) => format!("{} {by}", locale.t("why.grant_by")),
            Self::Grant(None) => locale.t("why.grant").to_string(),
            Self::MainUnit(unit, inner) => format!("{} {} {unit}", inner.render(locale), locale.t("why.on_main_unit")),
            Self::KeyRole { role, organisation, inner } => {
                format!("{} {} {organisation}, {} {role}", inner.render(locale), locale.t("why.held_by"), locale.t("why.key_role"))
            }
        }
    }
}

#[cfg(feature = "ssr")]
fn why_view(snapshot: &domain::decisions::Snapshot, r: &domain::decisions::Reason) -> WhyView {
    use domain::decisions::Reason;
    match r {
        Reason::Own => WhyView::Own,
        Reason::RegisterRole { role } | Reason::RolePackage { role } => WhyView::Role(role.to_string()),
        Reason::Grant { granted_by, .. } => WhyView::Grant(granted_by.map(|b| snapshot.name_of(b))),
        Reason::MainUnit { main_unit, inner } => WhyView::MainUnit(snapshot.name_of(*main_unit), Box::new(why_view(snapshot, inner))),
        Reason::KeyRole { role, organisation, inner } => WhyView::KeyRole {
            role: role.to_string(),
            organisation: snapshot.name_of(*organisation),
            inner: Box::new(why_view(snapshot, inner)),
        },
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageOption {
    pub code: String,
    /// Names in nb, nn, en.
    pub name: [String; 3],
    pub area: [String; 3],
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::functions::ssr::*;
    use domain::grants::GrantError;

    pub fn map(e: GrantError) -> AppError {
        match e {
            GrantError::NotAccessManager => AppError::NotAllowed,
            GrantError::UnknownPackage(_) => AppError::Refused("grant.unknown_package".into()),
            GrantError::NotAssignable(_) => AppError::Refused("grant.not_assignable".into()),
            GrantError::WrongEntityType(_) => AppError::Refused("grant.wrong_entity_type".into()),
            GrantError::MayNotPassOn(_) => AppError::Refused("grant.may_not_pass_on".into()),
            GrantError::SelfAssignment => AppError::Refused("grant.self".into()),
            GrantError::UnknownRecipient => AppError::Refused("grant.unknown_recipient".into()),
            GrantError::AlreadyGranted(_) => AppError::Refused("grant.already".into()),
            GrantError::UnknownGrant => AppError::Refused("grant.unknown_grant".into()),
            GrantError::Store(e) => internal(&e.to_string()),
        }
    }

    /// The signed-in person, the chosen party, and whether the engine lets the
    /// person manage access for it.
    pub async fn manager() -> Result<(crate::session::PortalContext, crate::session::AuthSession, domain::parties::PartyId), AppError> {
        let (session, ctx, auth) = signed_in().await?;
        let party = crate::session::chosen_party(&session).await.ok_or(AppError::NoPartyChosen)?;
        if !domain::audit::service::may_read(&ctx.engine.snapshot(), auth.person, party) {
            return Err(AppError::NotAllowed);
        }
        Ok((ctx, auth, party))
    }
}

/// Who holds what for the chosen party, and why.
#[server(prefix = "/api", endpoint = "who_has_access")]
pub async fn who_has_access() -> Result<Vec<HolderView>, AppError> {
    let (ctx, _, party) = ssr::manager().await?;
    let snapshot = ctx.engine.snapshot();
    let holders = domain::grants::who_has_access(&snapshot, party);
    Ok(holders
        .into_iter()
        .map(|h| HolderView {
            name: h.name,
            items: h
                .items
                .into_iter()
                .map(|i| ItemView { what: i.what, why: i.why.iter().map(|r| why_view(&snapshot, r)).collect(), grant: i.grant.map(|g| g.to_string()) })
                .collect(),
        })
        .collect())
}

/// The packages that can be given on behalf of the chosen party, by area.
#[server(prefix = "/api", endpoint = "assignable_packages")]
pub async fn assignable_packages() -> Result<Vec<PackageOption>, AppError> {
    use crate::functions::ssr::internal;
    let (ctx, _, _) = ssr::manager().await?;
    let mut conn = ctx.pool.acquire().await.map_err(|e| internal(&e.to_string()))?;
    let rows = domain::catalogue::store::assignable_packages(&mut conn).await.map_err(|e| internal(&e.to_string()))?;
    Ok(rows
        .into_iter()
        .map(|p| PackageOption { code: p.code, name: [p.name.nb, p.name.nn, p.name.en], area: [p.area.nb, p.area.nn, p.area.en] })
        .collect())
}

/// Gives the person with this national identity number and surname a package
/// for the chosen party. Both must match, so numbers cannot be probed.
#[server(prefix = "/api", endpoint = "give_access")]
pub async fn give_access(national_id: String, surname: String, package: String) -> Result<(), AppError> {
    use crate::functions::ssr::*;
    let (ctx, auth, party) = ssr::manager().await?;
    let nin = domain::parties::NationalId::parse(&national_id, domain::parties::SyntheticIds::Accept)
        .map_err(|e| AppError::Invalid(format!("national_id: {e}")))?;
    let surname = surname.trim().to_lowercase();
    if surname.is_empty() || surname.chars().count() > 100 {
        return Err(AppError::Invalid("surname".into()));
    }
    let mut conn = ctx.pool.acquire().await.map_err(|e| internal(&e.to_string()))?;
    let recipient = domain::parties::store::find_by_national_id(&mut conn, &nin).await.map_err(|e| internal(&e.to_string()))?;
    drop(conn);
    let recipient = match recipient {
        Some(p) if p.name.to_lowercase().split_whitespace().last() == Some(surname.as_str()) => p,
        _ => return Err(AppError::Refused("grant.no_such_person".into())),
    };
    let snapshot = ctx.engine.snapshot();
    domain::grants::grant_package(&ctx.pool, ctx.clock.as_ref(), &snapshot, actor(&auth, Some(party)), auth.person, party, recipient.id, package.trim())
        .await
        .map_err(ssr::map)?;
    ctx.engine.refresh_now(&ctx.pool).await;
    Ok(())
}

/// Revokes a direct grant given on behalf of the chosen party.
#[server(prefix = "/api", endpoint = "revoke_access")]
pub async fn revoke_access(grant: String) -> Result<(), AppError> {
    use crate::functions::ssr::*;
    let (session, ctx, auth) = signed_in().await?;
    let party = crate::session::chosen_party(&session).await.ok_or(AppError::NoPartyChosen)?;
    let grant = uuid::Uuid::parse_str(grant.trim()).map_err(|_| AppError::Invalid("grant".into()))?;
    let snapshot = ctx.engine.snapshot();
    domain::grants::revoke(&ctx.pool, ctx.clock.as_ref(), &snapshot, actor(&auth, Some(party)), auth.person, party, grant).await.map_err(ssr::map)?;
    ctx.engine.refresh_now(&ctx.pool).await;
    leptos_axum::redirect("/tilganger");
    Ok(())
}
