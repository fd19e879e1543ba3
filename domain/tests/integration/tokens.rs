//! The token endpoint's batched write against PostgreSQL: each row is checked
//! on its own, each (client, jti) is spent once, and results keep their order.

use domain::tokens::store::{spend_jtis_and_record, Spent};
use domain::tokens::{IssuedToken, TokenWrite};
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const CLIENT: &str = "0b7e4f2a-51c3-4d8e-9a60-2f1c3b5d7e90";
const VENDOR: &str = "310000000";
const BAKERY: &str = "310400009";

async fn with_client_and_system_user(pool: &PgPool) -> Uuid {
    test_support::demo_world(pool).await;
    sqlx::query("insert into api_client (client_id, owner_party_id, display_name, scopes, created_at) select $1, id, 'batch', '{a:b}', now() from party where org_number = $2")
        .bind(CLIENT)
        .bind(VENDOR)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("insert into api_client_key (client_id, kid, family, public_jwk, created_at, revoked_at) values ($1, 'k1', 'EC', '{}', now(), null), ($1, 'old', 'EC', '{}', now(), now())")
        .bind(CLIENT)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("insert into system_register (system_id, vendor_org_number, client_ids) values ('310000000_batch', $1, $2)")
        .bind(VENDOR)
        .bind(vec![CLIENT])
        .execute(pool)
        .await
        .unwrap();
    let system_user = Uuid::now_v7();
    sqlx::query("insert into system_user (id, system_id, party_id, external_ref) select $1, '310000000_batch', id, $2 from party where org_number = $2")
        .bind(system_user)
        .bind(BAKERY)
        .execute(pool)
        .await
        .unwrap();
    system_user
}

fn write(jti: &str, kid: &str, scope: &str, system_user_id: Option<Uuid>) -> TokenWrite {
    let now = OffsetDateTime::now_utc();
    TokenWrite {
        assertion_jti: jti.into(),
        assertion_expires_at: now + Duration::minutes(3),
        kid: kid.into(),
        token: IssuedToken {
            id: Uuid::now_v7(),
            client_id: CLIENT.into(),
            system_user_id,
            scope: scope.into(),
            issued_at: now,
            expires_at: now + Duration::minutes(2),
            jti: Uuid::new_v4().to_string(),
        },
    }
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}")).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn one_batch_checks_every_row_and_spends_each_jti_once(pool: PgPool) {
    let su = with_client_and_system_user(&pool).await;
    let batch = [
        write("j1", "k1", "a:b", Some(su)),
        write("j1", "k1", "a:b", Some(su)),             // the same jti again in the same batch
        write("j2", "old", "a:b", None),                // a revoked key
        write("j2", "k1", "a:b", None),                 // the same jti, now valid: the stale row spent nothing
        write("j3", "k1", "a:b c:d", None),             // a scope the client is not allowed
        write("j4", "k1", "a:b", Some(Uuid::now_v7())), // no such system user
        write("j5", "k1", "a:b", None),
    ];
    let spent = spend_jtis_and_record(&pool, &batch).await.unwrap();
    use Spent::*;
    assert_eq!(spent, [Issued, Replayed, Stale, Issued, Stale, Stale, Issued]);
    assert_eq!(count(&pool, "assertion_jti").await, 3);
    assert_eq!(count(&pool, "token_issued").await, 3);
    let recorded: Vec<Uuid> = sqlx::query_scalar("select id from token_issued order by id").fetch_all(&pool).await.unwrap();
    let mut expected = vec![batch[0].token.id, batch[3].token.id, batch[6].token.id];
    expected.sort();
    assert_eq!(recorded, expected, "the issued rows are the ones answered Issued");
    let with_user: i64 = sqlx::query_scalar("select count(*) from token_issued where system_user_id = $1").bind(su).fetch_one(&pool).await.unwrap();
    assert_eq!(with_user, 1);

    // A later batch sees the earlier one's jtis as spent.
    let again = spend_jtis_and_record(&pool, &[write("j5", "k1", "a:b", None), write("j6", "k1", "a:b", None)]).await.unwrap();
    assert_eq!(again, [Replayed, Issued]);
    assert_eq!(spend_jtis_and_record(&pool, &[]).await.unwrap(), []);

    // An assertion that expired before its write came spends and issues nothing.
    let mut late = write("j7", "k1", "a:b", None);
    late.assertion_expires_at = OffsetDateTime::now_utc() - Duration::seconds(1);
    assert_eq!(spend_jtis_and_record(&pool, &[late]).await.unwrap(), [Stale]);
    // Nor does a key that expired between the request and the write.
    sqlx::query("update api_client_key set expires_at = now() - interval '1 second' where kid = 'k1'").execute(&pool).await.unwrap();
    let mut asked_earlier = write("j8", "k1", "a:b", None);
    asked_earlier.token.issued_at -= Duration::seconds(5);
    assert_eq!(spend_jtis_and_record(&pool, &[asked_earlier]).await.unwrap(), [Stale]);
    assert_eq!(count(&pool, "token_issued").await, 4);
}

#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn a_deleted_system_or_a_deleted_organisation_makes_its_rows_stale(pool: PgPool) {
    let su = with_client_and_system_user(&pool).await;
    sqlx::query("update party set status = 'deleted' where org_number = $1").bind(BAKERY).execute(&pool).await.unwrap();
    assert_eq!(spend_jtis_and_record(&pool, &[write("a", "k1", "a:b", Some(su)), write("b", "k1", "a:b", None)]).await.unwrap(), [Spent::Stale, Spent::Issued]);
    sqlx::query("update party set status = 'active' where org_number = $1").bind(BAKERY).execute(&pool).await.unwrap();
    sqlx::query("update system_register set is_deleted = true").execute(&pool).await.unwrap();
    assert_eq!(spend_jtis_and_record(&pool, &[write("c", "k1", "a:b", Some(su))]).await.unwrap(), [Spent::Stale]);
    assert_eq!(count(&pool, "token_issued").await, 1);
}

/// `server grant-scopes` and `revoke-scopes`: the operator gives a vendor's
/// client the vendor scopes and takes one away, keeping the rest; the
/// vendor's own access manager cannot give them, and is audited.
#[sqlx::test(migrator = "domain::db::MIGRATOR")]
async fn the_operator_grants_and_revokes_scopes_that_organisations_cannot_give_themselves(pool: PgPool) {
    with_client_and_system_user(&pool).await;
    use domain::tokens::service::{change_scopes, ApiClientError};
    let write = "altinn:authentication/systemregister.write".to_string();
    let read = "altinn:authentication/systemuser.request.read".to_string();
    let operator = test_support::operator(&pool).await;
    assert_eq!(change_scopes(&operator, CLIENT, &[write.clone(), read.clone()], &[]).await.unwrap(), ["a:b", write.as_str(), read.as_str()]);
    assert_eq!(change_scopes(&operator, CLIENT, &[], std::slice::from_ref(&read)).await.unwrap(), ["a:b", write.as_str()]);

    let services = test_support::services(&pool).await;
    let kari = test_support::acting(&services, test_support::person(&pool, test_support::demo::KARI).await, test_support::org(&pool, VENDOR).await);
    let refused = change_scopes(&kari, CLIENT, std::slice::from_ref(&read), &[]).await;
    // Refused: the client holds a scope only the operator gives.
    assert!(matches!(&refused, Err(ApiClientError::RestrictedScope(s)) if *s == write), "{refused:?}");
    let held: Vec<String> = sqlx::query_scalar("select scopes from api_client where client_id = $1").bind(CLIENT).fetch_one(&pool).await.unwrap();
    assert_eq!(held, ["a:b", write.as_str()], "unchanged");
    let audited: i64 =
        sqlx::query_scalar("select count(*) from audit_event where action = 'api_client.scopes' and outcome = 'refused'").fetch_one(&pool).await.unwrap();
    assert_eq!(audited, 1);
}
