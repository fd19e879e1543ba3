//! The test provider's RSA signing key: created once per issuer, kept in PostgreSQL.

use openidconnect::core::{CoreJsonWebKeySet, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use rsa::pkcs1::EncodeRsaPrivateKey;
use sqlx::PgPool;

pub async fn load_or_create(pool: &PgPool, issuer: &str) -> anyhow::Result<(CoreRsaPrivateSigningKey, CoreJsonWebKeySet)> {
    let existing =
        sqlx::query!("select kid, private_pem from idp_signing_key where issuer = $1 order by created_at desc limit 1", issuer).fetch_optional(pool).await?;
    let (kid, pem) = match existing {
        Some(row) => (row.kid, row.private_pem),
        None => {
            let key = tokio::task::spawn_blocking(|| rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)).await??;
            let pem = key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)?.to_string();
            let kid = format!("test-idp-{}", uuid::Uuid::now_v7().simple());
            sqlx::query!("insert into idp_signing_key (kid, issuer, private_pem) values ($1, $2, $3)", kid, issuer, pem).execute(pool).await?;
            (kid, pem)
        }
    };
    let key = CoreRsaPrivateSigningKey::from_pem(&pem, Some(JsonWebKeyId::new(kid))).map_err(|e| anyhow::anyhow!(e))?;
    let jwks = CoreJsonWebKeySet::new(vec![key.as_verification_key()]);
    Ok((key, jwks))
}
