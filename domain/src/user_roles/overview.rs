//! The role model as an access manager sees and uses it from a form: the
//! party's roles, assignments and segregation-of-duties rules, and assigning
//! a role to a person typed in by national identity number and surname.

use super::model::{AssignmentForCreate, Attestation};
use super::service::{assign_role, RoleError};
use super::store::{self, AssignmentSummary, RoleSummary, SodSummary};
use crate::authz::{Action, Denied, SystemResource};
use crate::context::Context;
use crate::parties::service::PersonQuery;
use crate::parties::{OrgNumber, PartyId};
use time::OffsetDateTime;
use uuid::Uuid;

impl From<RoleError> for crate::error::Failure {
    fn from(e: RoleError) -> Self {
        use crate::error::{Failure, FieldError, Refusal};
        Failure::Refused(match e {
            RoleError::NotAccessManager | RoleError::MayNotAssign(..) => return Failure::NotAllowed,
            RoleError::Invalid(text) => return Failure::Invalid(vec![FieldError::parse(&text)]),
            RoleError::Store(e) => return e.into(),
            RoleError::CodeTaken(c) => Refusal::RoleCodeTaken(c),
            RoleError::UnknownRole(c) => Refusal::UnknownRole(c),
            RoleError::NotAvailable(c) => Refusal::RoleNotAvailable(c),
            RoleError::UnknownPackage(c) => Refusal::RoleUnknownPackage(c),
            RoleError::UnknownResource(id) => Refusal::RoleUnknownResource(id),
            RoleError::UnknownParty => Refusal::RoleUnknownParty,
            RoleError::NoSuchPerson => Refusal::NoSuchPerson,
            RoleError::NoSuchOrganisation => Refusal::NoSuchOrganisation,
            RoleError::SelfAssignment => Refusal::RoleSelfAssignment,
            RoleError::InheritanceCycle(path) => Refusal::InheritanceCycle(path),
            RoleError::SegregationOfDuties(a, b) => Refusal::SegregationOfDuties(a, b),
            RoleError::AlreadyExists => Refusal::RoleRuleExists,
            RoleError::UnknownAssignment => Refusal::UnknownAssignment,
        })
    }
}

impl From<Denied> for RoleError {
    fn from(_: Denied) -> Self {
        Self::NotAccessManager
    }
}

/// What the party's role page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    /// The roles the party may use: its own, global ones and those shared with it.
    pub roles: Vec<RoleSummary>,
    /// The assignments that apply to the party, in force or to come.
    pub assignments: Vec<AssignmentSummary>,
    pub sod_rules: Vec<SodSummary>,
}

/// The role model of the party the actor acts for, for those who may read its access management.
#[tracing::instrument(skip(ctx), fields(actor = ?ctx.person(), party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn overview(ctx: &Context) -> Result<Overview, RoleError> {
    let party = ctx.authorize_for_party(Action::Read, SystemResource::AccessManagement)?;
    let mut conn = ctx.db().acquire().await?;
    Ok(Overview {
        roles: store::roles_for(&mut conn, party).await?,
        assignments: store::assignments_for(&mut conn, party, ctx.now()).await?,
        sod_rules: store::sod_rules_for(&mut conn, party).await?,
    })
}

/// An assignment as a form gives it: the person by national identity number
/// and surname, the organisations it is limited to by number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRequest {
    pub role_code: String,
    pub national_id: String,
    pub surname: String,
    /// Organisation numbers; empty means the party acted for.
    pub restricted_to: Vec<String>,
    pub valid_from: Option<OffsetDateTime>,
    pub valid_to: Option<OffsetDateTime>,
    pub attestation: Attestation,
}

/// Assigns a role, for the party the actor acts for, to the person the
/// request names (both number and surname must match, so numbers cannot be
/// probed); then as [`assign_role`].
#[tracing::instrument(skip_all, fields(actor = ?ctx.person(), party = ?ctx.party(), request_id = ctx.request_id()))]
pub async fn assign_role_to_person(ctx: &Context, request: AssignmentRequest) -> Result<Uuid, RoleError> {
    let party = ctx.authorize_for_party(Action::Read, SystemResource::AccessManagement)?;
    let query = PersonQuery::parse(&request.national_id, &request.surname).map_err(RoleError::Invalid)?;
    let mut conn = ctx.db().acquire().await?;
    let subject = query.find(&mut conn).await?.ok_or(RoleError::NoSuchPerson)?.id;
    let mut restricted_to: Vec<PartyId> = Vec::with_capacity(request.restricted_to.len());
    for number in &request.restricted_to {
        let org = OrgNumber::parse_typed(number).map_err(|e| RoleError::Invalid(format!("restricted_to: {number}: {e}")))?;
        let found = crate::parties::store::find_by_org_number(&mut conn, &org).await?.ok_or(RoleError::NoSuchOrganisation)?;
        restricted_to.push(found.id);
    }
    drop(conn);
    let input = AssignmentForCreate {
        role_code: request.role_code.trim().to_string(),
        subject,
        restricted_to,
        valid_from: request.valid_from,
        valid_to: request.valid_to,
        attestation: request.attestation,
    };
    assign_role(ctx, party, &input).await
}
