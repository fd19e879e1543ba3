//! Building a [`Snapshot`] from PostgreSQL, and recording changes in the feed.

use super::delta::{ChangeBatch, GrantObject, GrantState};
use super::policy::Policy;
use super::snapshot::{AssignmentRow, ClientDelegationRow, PartyInfo, RolePackageRule, Snapshot, SnapshotBuilder, UserRoleFacts};
use crate::role_model::model::{AccessRules, Amount, SodRule, TimeWindow};
use futures_util::TryStreamExt;
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;
use uuid::Uuid;

/// The channel every instance listens on for decision-relevant changes.
pub const CHANGES_CHANNEL: &str = "fullmakt_changes";

/// What a change to decision-relevant data touched; decides whether server
/// instances can apply it to their snapshot or must rebuild it.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    /// A grant was given, revoked or changed: instances apply it in place.
    Grant(Uuid),
    /// A resource or its policy was created, changed or deleted: applied in place.
    Resource(&'a str),
    /// Anything else (register import, user roles, access rules), named by
    /// its kind: instances rebuild their snapshot.
    Rebuild(&'a str),
}

/// Appends to the change feed in the caller's transaction and notifies at commit.
///
/// Writers of the feed are serialized by a transaction-scoped advisory lock,
/// so changes commit in the order of their sequence numbers: an instance that
/// has applied every change up to N can never later see one below N appear.
/// Call it last before the audit record and the commit; it holds the lock until then.
pub async fn record_change(conn: &mut PgConnection, change: Change<'_>) -> Result<i64, sqlx::Error> {
    let (kind, target) = match change {
        Change::Grant(id) => ("grant", Some(id.to_string())),
        Change::Resource(id) => ("resource", Some(id.to_string())),
        Change::Rebuild(kind) => (kind, None),
    };
    sqlx::query!("select pg_advisory_xact_lock(hashtextextended($1, 0))", CHANGES_CHANNEL).execute(&mut *conn).await?;
    let seq = sqlx::query_scalar!("insert into change_log (kind, target) values ($1, $2) returning seq", kind, target).fetch_one(&mut *conn).await?;
    sqlx::query!("select pg_notify($1, $2)", CHANGES_CHANNEL, seq.to_string()).execute(&mut *conn).await?;
    Ok(seq)
}

/// The grant and policy changes after `version`, as they stand now, read in
/// one repeatable-read transaction. `None` when the feed holds a change that
/// cannot be applied in place, or more than `limit` changes: rebuild instead.
pub async fn changes_since(pool: &PgPool, version: i64, limit: i64) -> Result<Option<ChangeBatch>, sqlx::Error> {
    changes_since_ahead(pool, version, limit, time::Duration::ZERO).await
}

/// [`changes_since`] for an installation whose clock runs `ahead` of the
/// wall clock (the test clock: see [`crate::Clock::ahead`]).
pub async fn changes_since_ahead(pool: &PgPool, version: i64, limit: i64, ahead: time::Duration) -> Result<Option<ChangeBatch>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("set transaction isolation level repeatable read read only").execute(&mut *tx).await?;
    // Taken first, so the snapshot's changes have all happened by `now` (see `load_snapshot`).
    let now = sqlx::query_scalar!(r#"select clock_timestamp() as "now!""#).fetch_one(&mut *tx).await? + ahead;
    let rows = sqlx::query!("select seq, kind, target from change_log where seq > $1 order by seq limit $2", version, limit + 1).fetch_all(&mut *tx).await?;
    if rows.len() as i64 > limit {
        return Ok(None);
    }
    let mut batch = ChangeBatch { version: rows.last().map_or(version, |r| r.seq), ..ChangeBatch::default() };
    let mut grant_ids = Vec::new();
    let mut resource_ids = Vec::new();
    for r in rows {
        match (r.kind.as_str(), r.target) {
            ("grant", Some(t)) => match Uuid::parse_str(&t) {
                Ok(id) => grant_ids.push(id),
                Err(_) => return Ok(None),
            },
            ("resource", Some(t)) => resource_ids.push(t),
            _ => return Ok(None),
        }
    }
    grant_ids.sort_unstable();
    grant_ids.dedup();
    resource_ids.sort_unstable();
    resource_ids.dedup();
    if !grant_ids.is_empty() {
        let grants = sqlx::query!(
            "select id, from_party, to_subject, package_code, resource_id, action, granted_by, valid_from, valid_to from access_grant where id = any($1)",
            &grant_ids
        )
        .fetch_all(&mut *tx)
        .await?;
        if grants.len() != grant_ids.len() {
            // A grant in the feed is gone: where it reached is unknown here.
            return Ok(None);
        }
        for g in grants {
            let object = match (g.package_code, g.resource_id, g.action) {
                (Some(p), _, _) => GrantObject::Package(p),
                (None, Some(resource), Some(action)) => GrantObject::Right { resource, action },
                _ => return Ok(None),
            };
            let ended = g.valid_to.is_some_and(|t| t <= now);
            let boundary = [Some(g.valid_from), g.valid_to].into_iter().flatten().filter(|t| *t > now).min();
            batch.grants.push(GrantState {
                id: g.id,
                party: g.from_party,
                to: g.to_subject,
                object,
                granted_by: g.granted_by,
                in_force: g.valid_from <= now && !ended,
                boundary,
            });
        }
    }
    if !resource_ids.is_empty() {
        let mut stored: HashMap<String, serde_json::Value> = sqlx::query!("select id, policy from resource where id = any($1)", &resource_ids)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| (r.id, r.policy))
            .collect();
        for id in resource_ids {
            let policy = stored.remove(&id).and_then(|p| match serde_json::from_value::<Policy>(p) {
                Ok(p) => Some(p),
                Err(e) => {
                    tracing::error!(resource = %id, error = %e, "stored policy does not parse; resource left out of the snapshot");
                    None
                }
            });
            batch.policies.push((id, policy));
        }
    }
    tx.commit().await?;
    Ok(Some(batch))
}

/// The newest change-feed position.
pub async fn current_version(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"select coalesce(max(seq), 0) as "seq!" from change_log"#).fetch_one(pool).await
}

/// Reads everything the engine needs, in one repeatable-read transaction so
/// the snapshot is consistent with the version it claims.
pub async fn load_snapshot(pool: &PgPool) -> Result<Snapshot, sqlx::Error> {
    load_snapshot_ahead(pool, time::Duration::ZERO).await
}

/// [`load_snapshot`] for an installation whose clock runs `ahead` of the
/// wall clock (the test clock: see [`crate::Clock::ahead`]): validity
/// periods are judged at the installation's "now".
pub async fn load_snapshot_ahead(pool: &PgPool, ahead: time::Duration) -> Result<Snapshot, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("set transaction isolation level repeatable read read only").execute(&mut *tx).await?;
    // The first statement takes the transaction's snapshot; the moment read in
    // it is no earlier, so every change the snapshot sees has happened by `now`
    // (`now()` would be the transaction's start, before the snapshot).
    let first = sqlx::query!(r#"select coalesce(max(seq), 0) as "seq!", clock_timestamp() as "now!" from change_log"#).fetch_one(&mut *tx).await?;
    let (version, now) = (first.seq, first.now + ahead);
    let mut b = SnapshotBuilder::new(version);
    let mut parties = sqlx::query!("select id, name, org_number, national_id, org_form, parent_id from party where status = 'active'").fetch(&mut *tx);
    while let Some(p) = parties.try_next().await? {
        b.party(PartyInfo { id: p.id, name: p.name, org_number: p.org_number, national_id: p.national_id, org_form: p.org_form, parent: p.parent_id });
    }
    drop(parties);
    for su in sqlx::query!(r#"select id as "id!", party_id as "party_id!", display_name as "name!" from system_user_in_force"#).fetch_all(&mut *tx).await? {
        b.system_user(su.id, su.party_id, &su.name);
    }
    for r in sqlx::query!("select code, is_key_role from role").fetch_all(&mut *tx).await? {
        b.role(&r.code, r.is_key_role);
    }
    for rp in
        sqlx::query!("select rp.role_code, p.code as package, rp.org_form, rp.has_access from role_package rp join access_package p on p.urn = rp.package_urn")
            .fetch_all(&mut *tx)
            .await?
    {
        b.role_package(&rp.role_code, RolePackageRule { package: rp.package, org_form: rp.org_form, has_access: rp.has_access });
    }
    for rr in sqlx::query!(
        r#"select rr.holder_id, rr.for_party_id, upper(coalesce(r.legacy_code, r.code)) as "legacy!", r.code
           from register_role rr join role r on r.code = rr.role_code
           where rr.valid_to is null"#
    )
    .fetch_all(&mut *tx)
    .await?
    {
        b.register_role(rr.holder_id, rr.for_party_id, &rr.legacy, &rr.code);
    }
    load_user_roles(&mut tx, &mut b, now).await?;
    // Client delegations to agents in force: an agent system user deleted,
    // or of a deleted system, passes nothing on.
    for d in sqlx::query!(
        r#"select d.id, d.firm_id, d.client_id, coalesce(d.agent_system_user_id, d.agent_person_id) as "agent!",
                  array_agg(dn.need) as "needs!"
           from client_delegation d join client_delegation_need dn on dn.delegation_id = d.id
           where d.ended_at is null
             and (d.agent_system_user_id is null or exists (select 1 from system_user_in_force su where su.id = d.agent_system_user_id))
           group by d.id"#
    )
    .fetch_all(&mut *tx)
    .await?
    {
        let mut row = ClientDelegationRow { id: d.id, firm: d.firm_id, client: d.client_id, agent: d.agent, packages: Vec::new(), rights: Vec::new() };
        for key in &d.needs {
            match crate::clients::Need::of(key) {
                crate::clients::Need::Package(code) => row.packages.push(code.to_string()),
                crate::clients::Need::Right { resource, action } => row.rights.push((resource.to_string(), action.to_string())),
            }
        }
        b.client_delegation(row);
    }
    for t in sqlx::query_scalar!(
        r#"select t as "t!" from (select valid_from as t from access_grant where valid_from > $1
                                  union all select valid_to from access_grant where valid_to > $1) x"#,
        now
    )
    .fetch_all(&mut *tx)
    .await?
    {
        b.boundary(t);
    }
    // Streamed, not collected: at a million grants a collected result set
    // would double the peak memory of a rebuild.
    let mut grants = sqlx::query!(
        "select id, from_party, to_subject, package_code, resource_id, action, granted_by from access_grant
         where valid_from <= $1 and (valid_to is null or valid_to > $1)",
        now
    )
    .fetch(&mut *tx);
    while let Some(g) = grants.try_next().await? {
        match (g.package_code, g.resource_id, g.action) {
            (Some(p), _, _) => b.granted_package(g.to_subject, g.from_party, &p, g.id, g.granted_by),
            (None, Some(r), Some(a)) => b.granted_right(g.to_subject, g.from_party, &r, &a, g.id, g.granted_by),
            _ => {}
        }
    }
    drop(grants);
    for r in sqlx::query!("select id, policy from resource").fetch_all(&mut *tx).await? {
        match serde_json::from_value::<Policy>(r.policy) {
            Ok(mut policy) => {
                policy.resource = r.id;
                b.policy(policy);
            }
            Err(e) => tracing::error!(resource = %r.id, error = %e, "stored policy does not parse; resource left out of the snapshot"),
        }
    }
    tx.commit().await?;
    Ok(b.build())
}

/// User roles, their inheritance and segregation-of-duties rules, and the
/// role assignments in force at `now` (with the moments others start or end).
async fn load_user_roles(tx: &mut PgConnection, b: &mut SnapshotBuilder, now: time::OffsetDateTime) -> Result<(), sqlx::Error> {
    let mut inherits: HashMap<uuid::Uuid, Vec<uuid::Uuid>> = HashMap::new();
    for e in sqlx::query!("select role_id, inherits_id from user_role_inherits").fetch_all(&mut *tx).await? {
        inherits.entry(e.role_id).or_default().push(e.inherits_id);
    }
    // Per role: its packages, and its single rights as (resource, action).
    type Rights = (Vec<String>, Vec<(String, String)>);
    let mut rights: HashMap<uuid::Uuid, Rights> = HashMap::new();
    for r in sqlx::query!("select role_id, package_code, resource_id, action from user_role_right").fetch_all(&mut *tx).await? {
        let entry = rights.entry(r.role_id).or_default();
        match (r.package_code, r.resource_id, r.action) {
            (Some(p), _, _) => entry.0.push(p),
            (None, Some(res), Some(a)) => entry.1.push((res, a)),
            _ => {}
        }
    }
    for r in sqlx::query!("select id, code, max_amount, time_window from user_role").fetch_all(&mut *tx).await? {
        let time_window = match r.time_window.map(serde_json::from_value::<TimeWindow>) {
            Some(Ok(w)) => Some(w),
            Some(Err(e)) => {
                // Fail closed: a window we cannot read allows nothing.
                tracing::error!(role = %r.code, error = %e, "stored time window does not parse; the role gives nothing");
                continue;
            }
            None => None,
        };
        let (packages, rights) = rights.remove(&r.id).unwrap_or_default();
        let rules = AccessRules { max_amount: r.max_amount.map(Amount), time_window };
        b.user_role(r.id, UserRoleFacts { code: r.code, packages, rights, rules }, inherits.remove(&r.id).unwrap_or_default());
    }
    for r in sqlx::query!("select id, role_a, role_b from sod_rule").fetch_all(&mut *tx).await? {
        b.sod_rule(SodRule { id: r.id, role_a: r.role_a, role_b: r.role_b });
    }
    for a in sqlx::query!(
        r#"select a.id, a.role_id, a.subject_id, a.assigned_by, a.valid_from, a.valid_to,
                  array_agg(ap.party_id) as "parties!"
           from user_role_assignment a join user_role_assignment_party ap on ap.assignment_id = a.id
           where a.ended_at is null and (a.valid_to is null or a.valid_to > $1)
           group by a.id"#,
        now
    )
    .fetch_all(&mut *tx)
    .await?
    {
        if a.valid_from > now {
            b.boundary(a.valid_from);
            continue;
        }
        if let Some(to) = a.valid_to {
            b.boundary(to);
        }
        b.assignment(AssignmentRow { id: a.id, role: a.role_id, subject: a.subject_id, parties: a.parties, assigned_by: a.assigned_by });
    }
    Ok(())
}
