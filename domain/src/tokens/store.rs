//! PostgreSQL queries of the token service.
//!
//! Changes to clients and keys run inside the use cases' `UnitOfWork`. Three
//! writes of the token endpoint's hot path do not, and need no audit record of
//! their own: [`spend_jtis_and_record`] (its `token_issued` row is the token's
//! audit record), [`touch_key`] (a last-used time) and [`purge_jtis`]
//! (forgetting assertion ids that can no longer be replayed).

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
pub async fn list_api_clients(conn: &mut PgConnection, owner: PartyId) -> Result<Vec<ApiClient>, sqlx::Error> {
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
                    Some(ApiClientKey {
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

/// Spends the one-time id `jti` of `client_id` (kept until `expires_at`);
/// `false` when it was spent before. The token exchange spends each ID
/// token it exchanges here, under a client id of its own.
pub async fn spend_once<'e>(db: impl PgExecutor<'e>, client_id: &str, jti: &str, expires_at: OffsetDateTime) -> Result<bool, sqlx::Error> {
    let spent = sqlx::query!("insert into assertion_jti (client_id, jti, expires_at) values ($1, $2, $3) on conflict do nothing", client_id, jti, expires_at)
        .execute(db)
        .await?;
    Ok(spent.rows_affected() == 1)
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

/// What [`spend_jtis_and_record`] found for one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    /// The jti was new and the issue is recorded: sign and answer.
    Issued,
    /// The jti was seen before (or by an earlier row of the same batch);
    /// nothing recorded.
    Replayed,
    /// The key, the client's scopes or the system user no longer allow this
    /// token (the caller's view of them was older than the database's);
    /// nothing recorded. Look them up afresh for the precise refusal.
    Stale,
}

/// Spends each assertion's jti and records each token about to be issued, in
/// one statement and one commit for the whole batch: the token endpoint's
/// only write, shared by the requests that arrive together (group commit, see
/// `server/src/token/group_commit.rs`). Returns one [`Spent`] per write, in
/// order.
///
/// For each row the same statement checks that the key is still unrevoked
/// and unexpired (at the request's time and at the write's), the assertion
/// not expired meanwhile, the client not deleted and still allowed every
/// scope of the token, and the system user (if any) still active, of an active
/// organisation, and of the very system the client resolves to now (the
/// first undeleted system listing it, as [`system_user_candidates`] orders
/// them), so a cached view can never issue what the database no longer
/// allows. A row that fails the check spends nothing. When two valid rows of
/// one batch carry the same (client, jti), the first is issued and the other
/// is a replay, as if they had come one after the other. Keys are inserted
/// in order, so concurrent batches that share a replayed jti cannot deadlock.
pub async fn spend_jtis_and_record<'e>(db: impl PgExecutor<'e>, writes: &[TokenWrite]) -> Result<Vec<Spent>, sqlx::Error> {
    let column = |f: fn(&TokenWrite) -> String| writes.iter().map(f).collect::<Vec<_>>();
    let ids: Vec<Uuid> = writes.iter().map(|w| w.token.id).collect();
    let system_users: Vec<Option<Uuid>> = writes.iter().map(|w| w.token.system_user_id).collect();
    let issued_at: Vec<OffsetDateTime> = writes.iter().map(|w| w.token.issued_at).collect();
    let expires_at: Vec<OffsetDateTime> = writes.iter().map(|w| w.token.expires_at).collect();
    let jti_expires_at: Vec<OffsetDateTime> = writes.iter().map(|w| w.assertion_expires_at).collect();
    let rows = sqlx::query!(
        r#"with req as (
             select * from unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::timestamptz[], $6::timestamptz[],
                                  $7::text[], $8::text[], $9::timestamptz[], $10::text[])
               with ordinality as r(id, client_id, system_user_id, scope, issued_at, expires_at, token_jti, jti, jti_expires_at, kid, ord)
           ),
           checked as (
             select r.*,
                    exists(
                      select 1 from api_client c join api_client_key k on k.client_id = c.client_id
                      where c.client_id = r.client_id and k.kid = r.kid and c.deleted_at is null and k.revoked_at is null
                        -- as of the write too, which may come a little after the request
                        and (k.expires_at is null or k.expires_at > greatest(r.issued_at, now()))
                        and r.jti_expires_at > now()
                        and c.scopes @> string_to_array(r.scope, ' '))
                    -- the system user's system (found by its key, active, of an active party)
                    -- is the one the client resolves to now, as system_user_candidates chooses it
                    and (r.system_user_id is null or coalesce(
                      (select su.system_id from system_user su join party p on p.id = su.party_id
                       where su.id = r.system_user_id and su.deleted_at is null and p.status = 'active')
                      = (select s.system_id from system_register s
                         where s.client_ids @> array[r.client_id] and not s.is_deleted
                         order by s.system_id limit 1),
                      false)) as ok
             from req r
           ),
           candidate as (
             select distinct on (client_id, jti) * from checked where ok order by client_id, jti, ord
           ),
           spent as (
             insert into assertion_jti (client_id, jti, expires_at)
             -- in key order, so that two batches never wait on each other's keys in a cycle
             select client_id, jti, jti_expires_at from candidate order by client_id, jti
             on conflict on constraint assertion_jti_unique do nothing
             returning client_id, jti
           ),
           issued as (
             insert into token_issued (id, client_id, system_user_id, scope, issued_at, expires_at, jti)
             select c.id, c.client_id, c.system_user_id, c.scope, c.issued_at, c.expires_at, c.token_jti
             from candidate c join spent s on s.client_id = c.client_id and s.jti = c.jti
             returning id
           )
           select c.ok as "valid!", exists(select 1 from issued i where i.id = c.id) as "issued!"
           from checked c order by c.ord"#,
        &ids,
        &column(|w| w.token.client_id.clone()),
        &system_users as _,
        &column(|w| w.token.scope.clone()),
        &issued_at,
        &expires_at,
        &column(|w| w.token.jti.clone()),
        &column(|w| w.assertion_jti.clone()),
        &jti_expires_at,
        &column(|w| w.kid.clone()),
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| match (row.valid, row.issued) {
            (false, _) => Spent::Stale,
            (true, true) => Spent::Issued,
            (true, false) => Spent::Replayed,
        })
        .collect())
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
