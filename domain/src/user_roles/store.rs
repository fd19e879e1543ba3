//! Reading the role model for screens: the roles a party may use, the
//! assignments that apply to it, and the segregation-of-duties rules on its
//! roles. Changes go through `service`.

use super::model::{AccessRules, Amount, AttestationKind, TimeWindow};
use crate::parties::PartyId;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSummary {
    pub id: Uuid,
    pub code: String,
    pub names: [String; 3],
    pub description: String,
    /// The owner's name; `None` for a global role.
    pub owner: Option<String>,
    /// Whether the party owns it (rather than having it shared or global).
    pub owned: bool,
    pub packages: Vec<String>,
    /// `resource:action`.
    pub rights: Vec<String>,
    pub inherits: Vec<String>,
    pub rules: AccessRules,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentSummary {
    pub id: Uuid,
    pub role: String,
    pub subject: String,
    pub parties: Vec<String>,
    pub assigned_by: Option<String>,
    pub valid_from: OffsetDateTime,
    pub valid_to: Option<OffsetDateTime>,
    pub attestation_kind: AttestationKind,
    pub attestation_issuer: String,
    pub attestation_reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SodSummary {
    pub id: Uuid,
    pub role_a: String,
    pub role_b: String,
    pub description: String,
}

/// Roles `party` may assign: its own, those shared with it, and global ones.
pub async fn roles_for(conn: &mut PgConnection, party: PartyId) -> Result<Vec<RoleSummary>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select r.id, r.code, r.name_nb, r.name_nn, r.name_en, r.description, r.max_amount, r.time_window,
                  o.name as "owner?", r.owner_party = $1 as "owned!",
                  coalesce((select array_agg(package_code order by package_code) from user_role_right where role_id = r.id and package_code is not null), '{}') as "packages!",
                  coalesce((select array_agg(resource_id || ':' || action order by resource_id, action) from user_role_right where role_id = r.id and resource_id is not null), '{}') as "rights!",
                  coalesce((select array_agg(p.code order by p.code) from user_role_inherits i join user_role p on p.id = i.inherits_id where i.role_id = r.id), '{}') as "inherits!"
           from user_role r left join party o on o.id = r.owner_party
           where r.owner_party is null or r.owner_party = $1
              or exists(select 1 from user_role_shared_with s where s.role_id = r.id and s.party_id = $1)
           order by r.code"#,
        party.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RoleSummary {
            id: r.id,
            code: r.code,
            names: [r.name_nb, r.name_nn, r.name_en],
            description: r.description,
            owner: r.owner,
            owned: r.owned,
            packages: r.packages,
            rights: r.rights,
            inherits: r.inherits,
            rules: AccessRules { max_amount: r.max_amount.map(Amount), time_window: r.time_window.and_then(|w| serde_json::from_value::<TimeWindow>(w).ok()) },
        })
        .collect())
}

/// Active and future assignments that apply to `party`, newest first.
pub async fn assignments_for(conn: &mut PgConnection, party: PartyId, now: OffsetDateTime) -> Result<Vec<AssignmentSummary>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select a.id, r.code as role, s.name as subject, b.name as "assigned_by?", a.valid_from, a.valid_to,
                  a.attestation_kind, a.attestation_issuer, a.attestation_reference,
                  (select array_agg(p.name order by p.name) from user_role_assignment_party ap join party p on p.id = ap.party_id
                   where ap.assignment_id = a.id) as "parties!"
           from user_role_assignment a
           join user_role r on r.id = a.role_id
           join party s on s.id = a.subject_id
           left join party b on b.id = a.assigned_by
           where a.ended_at is null and (a.valid_to is null or a.valid_to > $2)
             and exists(select 1 from user_role_assignment_party ap where ap.assignment_id = a.id and ap.party_id = $1)
           order by a.created_at desc"#,
        party.0,
        now
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AssignmentSummary {
            id: r.id,
            role: r.role,
            subject: r.subject,
            parties: r.parties,
            assigned_by: r.assigned_by,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            attestation_kind: AttestationKind::parse(&r.attestation_kind).unwrap_or(AttestationKind::Grant),
            attestation_issuer: r.attestation_issuer,
            attestation_reference: r.attestation_reference,
        })
        .collect())
}

/// Segregation-of-duties rules on roles `party` may use.
pub async fn sod_rules_for(conn: &mut PgConnection, party: PartyId) -> Result<Vec<SodSummary>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select s.id, a.code as role_a, b.code as role_b, s.description
           from sod_rule s join user_role a on a.id = s.role_a join user_role b on b.id = s.role_b
           where a.owner_party = $1 or b.owner_party = $1
              or exists(select 1 from user_role_shared_with w where w.party_id = $1 and w.role_id in (a.id, b.id))
           order by a.code, b.code"#,
        party.0
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| SodSummary { id: r.id, role_a: r.role_a, role_b: r.role_b, description: r.description }).collect())
}
