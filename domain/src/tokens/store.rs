//! PostgreSQL queries of the token service.

use super::model::*;
use crate::parties::PartyId;
use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;
use uuid::Uuid;

pub async fn insert_client(
    conn: &mut PgConnection,
    client_id: &str,
    owner: PartyId,
    display_name: &str,
    scopes: &[String],
    created_by: Option<PartyId>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into api_client (client_id, owner_party_id, display_name, scopes, created_by, created_at) values ($1, $2, $3, $4, $5, $6)",
        client_id,
        owner.0,
        display_name,
        scopes,
        created_by.map(|p| p.0),
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The owner and allowed scopes of a client that is not deleted, locked for update.
pub async fn client_for_update(conn: &mut PgConnection, client_id: &str) -> Result<Option<(PartyId, Vec<String>)>, sqlx::Error> {
    let row = sqlx::query!("select owner_party_id, scopes from api_client where client_id = $1 and deleted_at is null for update", client_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| (PartyId(r.owner_party_id), r.scopes)))
}

pub async fn set_scopes(conn: &mut PgConnection, client_id: &str, scopes: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query!("update api_client set scopes = $2 where client_id = $1", client_id, scopes).execute(conn).await?;
    Ok(())
}

/// Adds a key; fails on the constraint `api_client_key_unique` when the kid is taken.
pub async fn insert_key(
    conn: &mut PgConnection,
    client_id: &str,
    key: &PublicKey,
    expires_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into api_client_key (client_id, kid, family, public_jwk, created_at, expires_at) values ($1, $2, $3, $4, $5, $6)",
        client_id,
        key.kid,
        key.family.as_str(),
        key.jwk,
        now,
        expires_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Revokes a key that is not revoked yet; whether there was one.
pub async fn revoke_key(conn: &mut PgConnection, client_id: &str, kid: &str, now: OffsetDateTime) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!("update api_client_key set revoked_at = $3 where client_id = $1 and kid = $2 and revoked_at is null", client_id, kid, now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The clients of `owner` that are not deleted, with all their keys.
pub async fn list_clients(conn: &mut PgConnection, owner: PartyId) -> Result<Vec<ApiClient>, sqlx::Error> {
    let clients = sqlx::query!(
        "select client_id, display_name, scopes, created_at from api_client where owner_party_id = $1 and deleted_at is null order by created_at, client_id",
        owner.0
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<String> = clients.iter().map(|c| c.client_id.clone()).collect();
    let keys = sqlx::query!(
        "select client_id, kid, family, public_jwk, created_at, expires_at, revoked_at, last_used_at
         from api_client_key where client_id = any($1) order by created_at, kid",
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(clients
        .into_iter()
        .map(|c| ApiClient {
            keys: keys
                .iter()
                .filter(|k| k.client_id == c.client_id)
                .filter_map(|k| {
                    Some(ClientKey {
                        kid: k.kid.clone(),
                        family: KeyFamily::parse(&k.family)?,
                        public_jwk: k.public_jwk.clone(),
                        created_at: k.created_at,
                        expires_at: k.expires_at,
                        revoked_at: k.revoked_at,
                        last_used_at: k.last_used_at,
                    })
                })
                .collect(),
            client_id: c.client_id,
            owner,
            display_name: c.display_name,
            scopes: c.scopes,
            created_at: c.created_at,
        })
        .collect())
}

/// The client named by an assertion's `iss` and the key named by its `kid`.
pub async fn key_for_grant<'e>(db: impl PgExecutor<'e>, client_id: &str, kid: &str) -> Result<Option<ClientKeyForGrant>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select c.client_id, p.org_number, c.scopes, c.deleted_at is not null as "deleted!",
                  k.kid, k.family, k.public_jwk, k.expires_at, k.revoked_at
           from api_client c
           join api_client_key k on k.client_id = c.client_id and k.kid = $2
           join party p on p.id = c.owner_party_id
           where c.client_id = $1"#,
        client_id,
        kid
    )
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|r| {
        Some(ClientKeyForGrant {
            client_id: r.client_id,
            owner_org_number: r.org_number,
            scopes: r.scopes,
            kid: r.kid,
            family: KeyFamily::parse(&r.family)?,
            public_jwk: r.public_jwk,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
            client_deleted: r.deleted,
        })
    }))
}

/// The organisation owning a client that is not deleted, and its scopes.
pub async fn owner_of_client<'e>(db: impl PgExecutor<'e>, client_id: &str) -> Result<Option<(PartyId, Vec<String>)>, sqlx::Error> {
    Ok(sqlx::query!("select owner_party_id, scopes from api_client where client_id = $1 and deleted_at is null", client_id)
        .fetch_optional(db)
        .await?
        .map(|r| (PartyId(r.owner_party_id), r.scopes)))
}

/// Whether a client exists and is not deleted (for a clearer error when the kid is unknown).
pub async fn client_exists<'e>(db: impl PgExecutor<'e>, client_id: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists(select 1 from api_client where client_id = $1 and deleted_at is null) as "x!""#, client_id).fetch_one(db).await
}

/// Forgets assertion ids that could no longer be accepted anyway.
pub async fn purge_jtis<'e>(db: impl PgExecutor<'e>, now: OffsetDateTime) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!("delete from assertion_jti where expires_at < $1", now).execute(db).await?.rows_affected())
}

/// One system that a client id is registered to, and the system user of
/// (org, that system, external ref) if there is an active one.
#[derive(Debug, Clone)]
pub struct SystemUserCandidate {
    pub system_id: String,
    pub vendor_org_number: String,
    pub system_deleted: bool,
    pub system_user_id: Option<Uuid>,
}

pub async fn system_user_candidates<'e>(
    db: impl PgExecutor<'e>,
    client_id: &str,
    org: &str,
    external_ref: &str,
) -> Result<Vec<SystemUserCandidate>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select s.system_id, s.vendor_org_number, s.is_deleted,
                  (select su.id from system_user su join party p on p.id = su.party_id
                   where su.system_id = s.system_id and p.org_number = $2 and su.external_ref = $3
                     and su.deleted_at is null and p.status = 'active' limit 1) as system_user_id
           from system_register s
           where s.client_ids @> array[$1::text]
           order by s.is_deleted, s.system_id"#,
        client_id,
        org,
        external_ref
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SystemUserCandidate {
            system_id: r.system_id,
            vendor_org_number: r.vendor_org_number,
            system_deleted: r.is_deleted,
            system_user_id: r.system_user_id,
        })
        .collect())
}

/// What [`spend_jti_and_record`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    /// The jti was new and the issue is recorded: sign and answer.
    Issued,
    /// The jti was seen before; nothing recorded.
    Replayed,
    /// The key, the client's scopes or the system user no longer allow this
    /// token (the caller's view of them was older than the database's);
    /// nothing recorded. Look them up afresh for the precise refusal.
    Stale,
}

/// Spends the assertion's jti and records the token about to be issued, in
/// one statement and one commit: the token endpoint's only round trip when
/// the client's key and system user come from its cache. The same statement
/// checks that the key is still unrevoked and unexpired, the client not
/// deleted and still allowed every scope, and the system user (if any) still
/// active, of an active organisation, and of the very system the client
/// resolves to now (the first undeleted system listing it, as
/// [`system_user_candidates`] orders them), so a cached view can never issue
/// what the database no longer allows.
pub async fn spend_jti_and_record<'e>(
    db: impl PgExecutor<'e>,
    jti: &str,
    jti_expires_at: OffsetDateTime,
    kid: &str,
    t: &IssuedToken,
    scopes: &[String],
) -> Result<Spent, sqlx::Error> {
    let row = sqlx::query!(
        r#"with valid as (
             select exists(
                      select 1 from api_client c join api_client_key k on k.client_id = c.client_id
                      where c.client_id = $2 and k.kid = $10 and c.deleted_at is null and k.revoked_at is null
                        and (k.expires_at is null or k.expires_at > $5) and c.scopes @> $11::text[])
                    -- the system user's system (found by its key, active, of an active party)
                    -- is the one the client resolves to now, as system_user_candidates chooses it
                    and ($3::uuid is null or coalesce(
                      (select su.system_id from system_user su join party p on p.id = su.party_id
                       where su.id = $3 and su.deleted_at is null and p.status = 'active')
                      = (select s.system_id from system_register s
                         where s.client_ids @> array[$2::text] and not s.is_deleted
                         order by s.system_id limit 1),
                      false)) as ok
           ),
           spent as (
             insert into assertion_jti (client_id, jti, expires_at) select $2, $8, $9 from valid where ok
             on conflict on constraint assertion_jti_unique do nothing
             returning 1
           ),
           issued as (
             insert into token_issued (id, client_id, system_user_id, scope, issued_at, expires_at, jti)
             select $1, $2, $3, $4, $5, $6, $7 from spent
             returning 1
           )
           select (select ok from valid) as "valid!", exists(select 1 from issued) as "issued!""#,
        t.id,
        t.client_id,
        t.system_user_id,
        t.scope,
        t.issued_at,
        t.expires_at,
        t.jti,
        jti,
        jti_expires_at,
        kid,
        scopes
    )
    .fetch_one(db)
    .await?;
    Ok(match (row.valid, row.issued) {
        (false, _) => Spent::Stale,
        (true, true) => Spent::Issued,
        (true, false) => Spent::Replayed,
    })
}

/// Notes that a key was used, at most once a minute per key (the row is hot).
pub async fn touch_key<'e>(db: impl PgExecutor<'e>, client_id: &str, kid: &str, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update api_client_key set last_used_at = $3
         where client_id = $1 and kid = $2 and (last_used_at is null or last_used_at < $3::timestamptz - interval '1 minute')",
        client_id,
        kid,
        now
    )
    .execute(db)
    .await?;
    Ok(())
}
