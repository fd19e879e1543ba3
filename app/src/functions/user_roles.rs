//! User roles of the chosen party (the FOBS role model): list, create, assign
//! with attestation and restrictions, end, and segregation-of-duties rules.
//! Thin adapters: parse the form, call `domain::user_roles`, map the error.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRoleView {
    pub code: String,
    pub names: [String; 3],
    pub description: String,
    pub owner: Option<String>,
    pub owned: bool,
    pub packages: Vec<String>,
    pub rights: Vec<String>,
    pub inherits: Vec<String>,
    /// Amount limit, formatted (`12 500,00`), if any.
    pub max_amount: Option<String>,
    /// The role may be used on the first N working days of a month only.
    pub first_working_days: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignmentView {
    pub id: String,
    pub role: String,
    pub subject: String,
    pub parties: Vec<String>,
    pub assigned_by: Option<String>,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub attestation_kind: String,
    pub attestation_issuer: String,
    pub attestation_reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SodView {
    pub role_a: String,
    pub role_b: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRolesData {
    pub roles: Vec<UserRoleView>,
    pub assignments: Vec<RoleAssignmentView>,
    pub sod_rules: Vec<SodView>,
}

#[cfg(feature = "ssr")]
mod ssr {
    /// Comma- or newline-separated items, trimmed, empty ones dropped.
    pub fn list(s: &str) -> Vec<String> {
        s.split([',', '\n']).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect()
    }

    pub use crate::functions::ssr::date;
}

/// The roles the chosen party may use, the assignments that apply to it, and
/// its segregation-of-duties rules; for those who manage access for it.
#[server(prefix = "/api", endpoint = "user_roles_overview")]
pub async fn user_roles_overview() -> Result<UserRolesData, AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let domain::user_roles::Overview { roles, assignments, sod_rules: sod } = domain::user_roles::overview(&ctx).await?;
    let day = time::macros::format_description!("[day].[month].[year]");
    let fmt = |t: time::OffsetDateTime| t.format(&day).unwrap_or_default();
    Ok(UserRolesData {
        roles: roles
            .into_iter()
            .map(|r| UserRoleView {
                code: r.code,
                names: r.names,
                description: r.description,
                owner: r.owner,
                owned: r.owned,
                packages: r.packages,
                rights: r.rights,
                inherits: r.inherits,
                max_amount: r.rules.max_amount.map(|a| a.display_nb()),
                first_working_days: match r.rules.time_window {
                    Some(domain::user_roles::TimeWindow::FirstWorkingDaysOfMonth { days }) => Some(days),
                    _ => None,
                },
            })
            .collect(),
        assignments: assignments
            .into_iter()
            .map(|a| RoleAssignmentView {
                id: a.id.to_string(),
                role: a.role,
                subject: a.subject,
                parties: a.parties,
                assigned_by: a.assigned_by,
                valid_from: fmt(a.valid_from),
                valid_to: a.valid_to.map(fmt),
                attestation_kind: a.attestation_kind.as_str().to_string(),
                attestation_issuer: a.attestation_issuer,
                attestation_reference: a.attestation_reference,
            })
            .collect(),
        sod_rules: sod.into_iter().map(|s| SodView { role_a: s.role_a, role_b: s.role_b, description: s.description }).collect(),
    })
}

/// Creates a role owned by the chosen party. Lists are comma-separated:
/// packages by code, rights as `resource:action`, inherited roles by code.
#[server(prefix = "/api", endpoint = "create_user_role")]
pub async fn create_user_role(
    code: String,
    name_nb: String,
    name_nn: String,
    name_en: String,
    description: String,
    packages: String,
    rights: String,
    inherits: String,
    max_amount: String,
    first_working_days: String,
) -> Result<(), AppError> {
    use domain::user_roles::{AccessRules, Amount, RoleForCreate, TimeWindow};
    let ctx = crate::functions::ssr::party_context().await?;
    let party = ctx.party().ok_or(AppError::NoPartyChosen)?;
    let mut parsed_rights = Vec::new();
    for r in ssr::list(&rights) {
        match r.split_once(':') {
            Some((res, act)) if !res.trim().is_empty() && !act.trim().is_empty() => parsed_rights.push((res.trim().to_string(), act.trim().to_string())),
            _ => return Err(AppError::invalid("rights", format!("{r} is not resource:action"))),
        }
    }
    let max_amount = match max_amount.trim() {
        "" => None,
        s => Some(Amount::parse(s).map_err(|e| AppError::invalid("max_amount", e.to_string()))?),
    };
    let time_window = match first_working_days.trim() {
        "" => None,
        s => Some(TimeWindow::FirstWorkingDaysOfMonth { days: s.parse().map_err(|_| AppError::invalid("first_working_days", "a number from 1 to 23"))? }),
    };
    let input = RoleForCreate {
        code: code.trim().to_string(),
        names: [name_nb, if name_nn.trim().is_empty() { code.clone() } else { name_nn }, if name_en.trim().is_empty() { code.clone() } else { name_en }],
        description,
        packages: ssr::list(&packages),
        rights: parsed_rights,
        inherits: ssr::list(&inherits),
        rules: AccessRules { max_amount, time_window },
    };
    domain::user_roles::create_role(&ctx, party, &input).await?;
    Ok(())
}

/// Assigns a role to the person with this national identity number and
/// surname (both must match), for the chosen party or the organisations
/// listed in `restricted_to` (organisation numbers), with an attestation.
#[server(prefix = "/api", endpoint = "assign_user_role")]
pub async fn assign_user_role(
    role: String,
    national_id: String,
    surname: String,
    restricted_to: String,
    valid_from: String,
    valid_to: String,
    attestation_kind: String,
    attestation_issuer: String,
    attestation_reference: String,
) -> Result<(), AppError> {
    use domain::user_roles::{AssignmentRequest, Attestation, AttestationKind};
    let ctx = crate::functions::ssr::party_context().await?;
    let kind = AttestationKind::parse(&attestation_kind).ok_or_else(|| AppError::invalid("attestation_kind", "choose a kind of attestation"))?;
    let request = AssignmentRequest {
        role_code: role,
        national_id,
        surname,
        restricted_to: ssr::list(&restricted_to),
        valid_from: ssr::date("valid_from", &valid_from)?,
        valid_to: ssr::date("valid_to", &valid_to)?,
        attestation: Attestation { kind, issuer: attestation_issuer, reference: attestation_reference },
    };
    domain::user_roles::assign_role_to_person(&ctx, request).await?;
    Ok(())
}

/// Ends a role assignment that applies to the chosen party.
#[server(prefix = "/api", endpoint = "end_user_role_assignment")]
pub async fn end_user_role_assignment(assignment: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    let party = ctx.party().ok_or(AppError::NoPartyChosen)?;
    let id = uuid::Uuid::parse_str(assignment.trim()).map_err(|_| AppError::invalid("assignment", "not an assignment id"))?;
    domain::user_roles::end_assignment(&ctx, party, id).await?;
    Ok(())
}

/// Forbids one person holding both roles for the same party.
#[server(prefix = "/api", endpoint = "add_sod_rule")]
pub async fn add_sod_rule(role_a: String, role_b: String, description: String) -> Result<(), AppError> {
    let ctx = crate::functions::ssr::party_context().await?;
    domain::user_roles::add_sod_rule(&ctx, role_a.trim(), role_b.trim(), &description).await?;
    Ok(())
}
