//! The role model's SQL. Public: reading it for screens (the roles a party
//! may use, the assignments that apply to it, and the segregation-of-duties
//! rules on its roles). `pub(super)`: the small reads and writes the use cases
//! in `service` are built from; changes go through `service`.

use super::model::{AccessRules, Amount, AssignmentForCreate, AttestationKind, RoleForCreate, SodRule, TimeWindow};
use super::rules::Inheritance;
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

/// A user role as the use cases need it.
pub(super) struct RoleRow {
    pub(super) id: Uuid,
    pub(super) code: String,
    /// The owning party; `None` for a global role.
    pub(super) owner: Option<Uuid>,
}

/// Reads the role with the code `code` (trimmed), if there is one.
pub(super) async fn role_by_code(conn: &mut PgConnection, code: &str) -> Result<Option<RoleRow>, sqlx::Error> {
    Ok(sqlx::query!("select id, code, owner_party from user_role where code = $1", code.trim()).fetch_optional(conn).await?.map(|r| RoleRow {
        id: r.id,
        code: r.code,
        owner: r.owner_party,
    }))
}

/// Reads the code of the role `id`.
pub(super) async fn role_code(conn: &mut PgConnection, id: Uuid) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("select code from user_role where id = $1", id).fetch_one(conn).await
}

/// Reads whether the owner of the role `role` has shared it with `party`.
pub(super) async fn is_shared_with(conn: &mut PgConnection, role: Uuid, party: PartyId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists(select 1 from user_role_shared_with where role_id = $1 and party_id = $2) as "x!""#, role, party.0)
        .fetch_one(conn)
        .await
}

/// Reads the whole inheritance graph: for each role, the roles it inherits directly.
pub(super) async fn inheritance(conn: &mut PgConnection) -> Result<Inheritance, sqlx::Error> {
    let mut edges = Inheritance::new();
    for e in sqlx::query!("select role_id, inherits_id from user_role_inherits").fetch_all(conn).await? {
        edges.entry(e.role_id).or_default().push(e.inherits_id);
    }
    Ok(edges)
}

/// Reads whether an access package with the code `code` exists.
pub(super) async fn package_exists(conn: &mut PgConnection, code: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists(select 1 from access_package where code = $1) as "x!""#, code).fetch_one(conn).await
}

/// Reads whether a resource with the id `id` exists.
pub(super) async fn resource_exists(conn: &mut PgConnection, id: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists(select 1 from resource where id = $1) as "x!""#, id).fetch_one(conn).await
}

/// Reads whether `party` exists and is active.
pub(super) async fn is_active_party(conn: &mut PgConnection, party: PartyId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists(select 1 from party where id = $1 and status = 'active') as "x!""#, party.0).fetch_one(conn).await
}

/// Reads whether `party` is an active person.
pub(super) async fn is_active_person(conn: &mut PgConnection, party: PartyId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists(select 1 from party where id = $1 and kind = 'person' and status = 'active') as "x!""#, party.0).fetch_one(conn).await
}

/// Reads whether `party` is an active organisation.
pub(super) async fn is_active_organisation(conn: &mut PgConnection, party: PartyId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists(select 1 from party where id = $1 and kind = 'organisation' and status = 'active') as "x!""#, party.0)
        .fetch_one(conn)
        .await
}

/// Writes the role `id` owned by `owner` from `input` (code as given, names
/// and description trimmed, rules), created by `created_by`; packages, rights
/// and inheritance are written separately.
pub(super) async fn insert_role(conn: &mut PgConnection, id: Uuid, owner: PartyId, created_by: PartyId, input: &RoleForCreate) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into user_role (id, code, owner_party, name_nb, name_nn, name_en, description, max_amount, time_window, created_by)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        id,
        input.code,
        owner.0,
        input.names[0].trim(),
        input.names[1].trim(),
        input.names[2].trim(),
        input.description.trim(),
        input.rules.max_amount.map(|a| a.0),
        input.rules.time_window.as_ref().and_then(|w| serde_json::to_value(w).ok()),
        created_by.0,
    )
    .execute(conn)
    .await
    .map(|_| ())
}

/// Writes that the role `role` gives the access package `package` (nothing if it does already).
pub(super) async fn insert_role_package(conn: &mut PgConnection, role: Uuid, package: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("insert into user_role_right (role_id, package_code) values ($1, $2) on conflict do nothing", role, package).execute(conn).await?;
    Ok(())
}

/// Writes that the role `role` gives the right to `action` (trimmed) on `resource` (nothing if it does already).
pub(super) async fn insert_role_right(conn: &mut PgConnection, role: Uuid, resource: &str, action: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("insert into user_role_right (role_id, resource_id, action) values ($1, $2, $3) on conflict do nothing", role, resource, action.trim())
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes that the role `role` inherits `parent`; `false` if it did already.
pub(super) async fn insert_inherits(conn: &mut PgConnection, role: Uuid, parent: Uuid) -> Result<bool, sqlx::Error> {
    let added =
        sqlx::query!("insert into user_role_inherits (role_id, inherits_id) values ($1, $2) on conflict do nothing", role, parent).execute(conn).await?;
    Ok(added.rows_affected() > 0)
}

/// Locks the inheritance graph (`user_role_inherits`) against other writers until the transaction ends.
pub(super) async fn lock_inheritance(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("lock table user_role_inherits in share row exclusive mode").execute(conn).await?;
    Ok(())
}

/// Writes that the role `role` is shared with `with` (nothing if it is already).
pub(super) async fn insert_shared_with(conn: &mut PgConnection, role: Uuid, with: PartyId) -> Result<(), sqlx::Error> {
    sqlx::query!("insert into user_role_shared_with (role_id, party_id) values ($1, $2) on conflict do nothing", role, with.0).execute(conn).await?;
    Ok(())
}

/// Writes the segregation-of-duties rule `id` between the roles `role_a` and `role_b`, created by `created_by`.
pub(super) async fn insert_sod_rule(
    conn: &mut PgConnection,
    id: Uuid,
    role_a: Uuid,
    role_b: Uuid,
    description: &str,
    created_by: PartyId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into sod_rule (id, role_a, role_b, description, created_by) values ($1, $2, $3, $4, $5)",
        id,
        role_a,
        role_b,
        description,
        created_by.0
    )
    .execute(conn)
    .await
    .map(|_| ())
}

/// Reads every segregation-of-duties rule.
pub(super) async fn sod_rules(conn: &mut PgConnection) -> Result<Vec<SodRule>, sqlx::Error> {
    Ok(sqlx::query!("select id, role_a, role_b from sod_rule")
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| SodRule { id: r.id, role_a: r.role_a, role_b: r.role_b })
        .collect())
}

/// Reads whether `holder` has an active right to assign the role `role_code` (trimmed) for `for_party`.
/// A right limited to an organisational unit (a guest sponsor's) does not count here: it lets
/// the holder register guests in that unit (`guests`), not assign the role in the organisation.
pub(super) async fn holds_assign_right(conn: &mut PgConnection, role_code: &str, holder: PartyId, for_party: PartyId) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from user_role_assign_right r join user_role u on u.id = r.role_id
                                 where u.code = $1 and r.holder_id = $2 and r.for_party = $3 and r.ended_at is null and r.unit_id is null) as "x!""#,
        role_code.trim(),
        holder.0,
        for_party.0
    )
    .fetch_one(conn)
    .await
}

/// Takes a transaction-scoped advisory lock on `subject`, so assignments to it are made one at a time.
pub(super) async fn lock_subject(conn: &mut PgConnection, subject: PartyId) -> Result<(), sqlx::Error> {
    sqlx::query!("select pg_advisory_xact_lock(hashtextextended($1::text, 42))", subject.0.to_string()).execute(conn).await?;
    Ok(())
}

/// Reads the roles assigned directly to `subject` for `party` by active
/// assignments that overlap `from`..`to` (`None`: open-ended).
pub(super) async fn held_roles(
    conn: &mut PgConnection,
    subject: PartyId,
    party: PartyId,
    from: OffsetDateTime,
    to: Option<OffsetDateTime>,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select a.role_id from user_role_assignment a join user_role_assignment_party ap on ap.assignment_id = a.id
             where a.subject_id = $1 and ap.party_id = $2 and a.ended_at is null
               and (a.valid_to is null or a.valid_to > $3) and ($4::timestamptz is null or a.valid_from < $4)",
        subject.0,
        party.0,
        from,
        to,
    )
    .fetch_all(conn)
    .await
}

/// Writes the assignment `id` of the role `role` to `input.subject`, made in
/// `in_party` by `assigned_by`, valid from `valid_from` to `input.valid_to`,
/// with `input`'s attestation (issuer and reference trimmed); the parties it
/// applies to are written separately.
pub(super) async fn insert_assignment(
    conn: &mut PgConnection,
    id: Uuid,
    role: Uuid,
    in_party: PartyId,
    assigned_by: PartyId,
    valid_from: OffsetDateTime,
    input: &AssignmentForCreate,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into user_role_assignment (id, role_id, subject_id, assigned_in, assigned_by, valid_from, valid_to,
                     attestation_kind, attestation_issuer, attestation_reference)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        id,
        role,
        input.subject.0,
        in_party.0,
        assigned_by.0,
        valid_from,
        input.valid_to,
        input.attestation.kind.as_str(),
        input.attestation.issuer.trim(),
        input.attestation.reference.trim(),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes that the assignment `assignment` applies to `party`.
pub(super) async fn insert_assignment_party(conn: &mut PgConnection, assignment: Uuid, party: PartyId) -> Result<(), sqlx::Error> {
    sqlx::query!("insert into user_role_assignment_party (assignment_id, party_id) values ($1, $2)", assignment, party.0).execute(conn).await?;
    Ok(())
}

/// Reads, and locks for update, the subject of the active assignment `assignment` if it applies to `party`.
pub(super) async fn lock_active_assignment(conn: &mut PgConnection, assignment: Uuid, party: PartyId) -> Result<Option<PartyId>, sqlx::Error> {
    let row = sqlx::query!(
        "select a.subject_id from user_role_assignment a
         where a.id = $1 and a.ended_at is null
           and exists(select 1 from user_role_assignment_party ap where ap.assignment_id = a.id and ap.party_id = $2)
         for update",
        assignment,
        party.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| PartyId(r.subject_id)))
}

/// Writes that the assignment `assignment` ended at `now`, by `ended_by`, cutting its validity off at `now`.
pub(super) async fn mark_assignment_ended(conn: &mut PgConnection, assignment: Uuid, now: OffsetDateTime, ended_by: PartyId) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update user_role_assignment set ended_at = $2, ended_by = $3, valid_to = case when valid_to is null or valid_to > $2 then greatest($2, valid_from + interval '1 microsecond') else valid_to end where id = $1",
        assignment,
        now,
        ended_by.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes the right `id` for `holder` to assign the role `role` for `for_party`, granted by `granted_by`.
pub(super) async fn insert_assign_right(
    conn: &mut PgConnection,
    id: Uuid,
    role: Uuid,
    holder: PartyId,
    for_party: PartyId,
    granted_by: PartyId,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into user_role_assign_right (id, role_id, holder_id, for_party, granted_by) values ($1, $2, $3, $4, $5)",
        id,
        role,
        holder.0,
        for_party.0,
        granted_by.0
    )
    .execute(conn)
    .await
    .map(|_| ())
}
