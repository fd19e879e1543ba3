//! The token service's own signing keys: kept in PostgreSQL, the private half
//! AES-256-GCM encrypted with the key-encryption key from configuration;
//! rotated with overlap (a new key is published before it signs, an old one
//! after it stops signing until its last token has expired).

use super::jws::VerifyKey;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use domain::audit::{Actor, AuditEvent, Outcome, UnitOfWork};
use domain::clock::FixedClock;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING, RSA_PKCS1_SHA256};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// A new key is published this long before it starts signing, so that every
/// instance and every verifier's JWKS cache has it first.
pub const PUBLISH_AHEAD: Duration = Duration::minutes(10);

/// The algorithm issued tokens are signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningAlg {
    Es256,
    EdDsa,
    Rs256,
}

impl SigningAlg {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
            Self::Rs256 => "RS256",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ES256" => Some(Self::Es256),
            "EdDSA" => Some(Self::EdDsa),
            "RS256" => Some(Self::Rs256),
            _ => None,
        }
    }
}

/// The key-encryption key (AES-256-GCM).
pub struct Kek(LessSafeKey);

impl Kek {
    pub fn new(bytes: &[u8; 32]) -> Self {
        Self(LessSafeKey::new(UnboundKey::new(&AES_256_GCM, bytes).expect("32 bytes is an AES-256 key")))
    }

    /// `nonce || ciphertext || tag`, bound to `kid` as associated data.
    fn seal(&self, kid: &str, plain: &[u8]) -> anyhow::Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| anyhow::anyhow!("no randomness"))?;
        let mut buf = plain.to_vec();
        self.0
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(kid.as_bytes()), &mut buf)
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(out)
    }

    fn open(&self, kid: &str, sealed: &[u8]) -> anyhow::Result<Vec<u8>> {
        anyhow::ensure!(sealed.len() > NONCE_LEN, "sealed key too short");
        let (nonce, rest) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| anyhow::anyhow!("bad nonce"))?;
        let mut buf = rest.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(kid.as_bytes()), &mut buf)
            .map_err(|_| anyhow::anyhow!("signing key {kid} does not decrypt: wrong FULLMAKT_TOKEN_KEY_ENCRYPTION_KEY?"))?;
        Ok(plain.to_vec())
    }
}

enum Pair {
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
    Rsa(RsaKeyPair),
}

/// The key that signs issued tokens now.
pub struct Signer {
    pub kid: String,
    pub alg: SigningAlg,
    pair: Pair,
    rng: SystemRandom,
}

impl Signer {
    pub fn sign(&self, msg: &[u8]) -> Option<Vec<u8>> {
        match &self.pair {
            Pair::Ec(p) => p.sign(&self.rng, msg).ok().map(|s| s.as_ref().to_vec()),
            Pair::Ed(p) => Some(p.sign(msg).as_ref().to_vec()),
            Pair::Rsa(p) => {
                let mut sig = vec![0u8; p.public().modulus_len()];
                p.sign(&RSA_PKCS1_SHA256, &self.rng, msg, &mut sig).ok()?;
                Some(sig)
            }
        }
    }
}

/// Every published key, and the one that signs.
pub struct KeySet {
    pub signer: Arc<Signer>,
    /// kid → (alg, key) for verifying our own tokens.
    pub verifiers: HashMap<String, (SigningAlg, VerifyKey)>,
    /// The JWKS document.
    pub jwks: serde_json::Value,
}

fn pair_from_pkcs8(alg: SigningAlg, pkcs8: &[u8]) -> anyhow::Result<Pair> {
    let rejected = |e: ring::error::KeyRejected| anyhow::anyhow!("stored signing key rejected: {e}");
    Ok(match alg {
        SigningAlg::Es256 => Pair::Ec(EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &SystemRandom::new()).map_err(rejected)?),
        SigningAlg::EdDsa => Pair::Ed(Ed25519KeyPair::from_pkcs8(pkcs8).map_err(rejected)?),
        SigningAlg::Rs256 => Pair::Rsa(RsaKeyPair::from_pkcs8(pkcs8).map_err(rejected)?),
    })
}

/// A new key pair: PKCS#8 private key and public JWK.
fn generate(alg: SigningAlg, kid: &str) -> anyhow::Result<(Vec<u8>, serde_json::Value)> {
    let rng = SystemRandom::new();
    let err = |_| anyhow::anyhow!("key generation failed");
    Ok(match alg {
        SigningAlg::Es256 => {
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).map_err(err)?;
            let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).map_err(|_| anyhow::anyhow!("fresh key rejected"))?;
            let point = pair.public_key().as_ref();
            let jwk = serde_json::json!({"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
                "x": B64.encode(&point[1..33]), "y": B64.encode(&point[33..65])});
            (pkcs8.as_ref().to_vec(), jwk)
        }
        SigningAlg::EdDsa => {
            let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(err)?;
            let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| anyhow::anyhow!("fresh key rejected"))?;
            let jwk =
                serde_json::json!({"kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig", "alg": "EdDSA", "x": B64.encode(pair.public_key().as_ref())});
            (pkcs8.as_ref().to_vec(), jwk)
        }
        SigningAlg::Rs256 => {
            use rsa::pkcs8::EncodePrivateKey;
            use rsa::traits::PublicKeyParts;
            let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)?;
            let der = key.to_pkcs8_der()?.as_bytes().to_vec();
            let jwk = serde_json::json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                "n": B64.encode(key.n().to_bytes_be()), "e": B64.encode(key.e().to_bytes_be())});
            (der, jwk)
        }
    })
}

/// Creates a key for `alg` that starts signing at `active_from`.
async fn create(pool: &PgPool, kek: &Kek, alg: SigningAlg, now: OffsetDateTime, active_from: OffsetDateTime) -> anyhow::Result<()> {
    let kid = format!("fullmakt-{}-{}", alg.as_str().to_lowercase(), uuid::Uuid::now_v7().simple());
    let (pkcs8, jwk) = tokio::task::spawn_blocking({
        let kid = kid.clone();
        move || generate(alg, &kid)
    })
    .await??;
    let sealed = kek.seal(&kid, &pkcs8)?;
    let mut uow = rotation(pool, now).await?;
    sqlx::query!(
        "insert into token_signing_key (kid, alg, private_key_encrypted, public_jwk, created_at, active_from) values ($1, $2, $3, $4, $5, $6)",
        kid,
        alg.as_str(),
        sealed,
        jwk,
        now,
        active_from
    )
    .execute(uow.conn())
    .await?;
    uow.audit(AuditEvent::new(
        "token.signing_key.create",
        kid.clone(),
        Outcome::Success,
        serde_json::json!({"alg": alg.as_str(), "active_from": active_from.to_string()}),
    ))
    .await?;
    uow.commit().await?;
    tracing::info!(%kid, alg = alg.as_str(), %active_from, "token signing key created");
    Ok(())
}

/// A unit of work of key rotation: the installation acts, at `now`, and every
/// key created or retired is in the audit trail.
async fn rotation(pool: &PgPool, now: OffsetDateTime) -> Result<UnitOfWork, sqlx::Error> {
    UnitOfWork::begin(pool, Actor::system("key-rotation"), &FixedClock::at(now)).await
}

/// Makes sure a key signs now and rotation is on schedule, then loads the set.
/// Several instances may do this at once; at worst each adds a key, which is
/// harmless because all are published.
pub async fn load(pool: &PgPool, kek: &Kek, alg: SigningAlg, now: OffsetDateTime, rotate_after: Duration, token_lifetime: Duration) -> anyhow::Result<KeySet> {
    for _ in 0..3 {
        let rows = sqlx::query!(
            "select kid, alg, private_key_encrypted, public_jwk, active_from, retire_at from token_signing_key
             where retire_at is null or retire_at > $1 order by active_from desc, kid",
            now
        )
        .fetch_all(pool)
        .await?;
        let current = rows.iter().find(|r| r.alg == alg.as_str() && r.active_from <= now);
        let Some(current) = current else {
            create(pool, kek, alg, now, now).await?;
            continue;
        };
        let pending = rows.iter().any(|r| r.alg == alg.as_str() && r.active_from > now);
        if !pending && current.active_from + rotate_after <= now {
            let next_from = now + PUBLISH_AHEAD;
            create(pool, kek, alg, now, next_from).await?;
            // The current key stops signing at next_from; its tokens live token_lifetime more.
            let retire_at = next_from + token_lifetime + Duration::minutes(5);
            let mut uow = rotation(pool, now).await?;
            sqlx::query!("update token_signing_key set retire_at = $2 where kid = $1 and retire_at is null", current.kid, retire_at)
                .execute(uow.conn())
                .await?;
            uow.audit(AuditEvent::new(
                "token.signing_key.retire",
                current.kid.clone(),
                Outcome::Success,
                serde_json::json!({"retire_at": retire_at.to_string()}),
            ))
            .await?;
            uow.commit().await?;
            continue;
        }
        let pkcs8 = kek.open(&current.kid, &current.private_key_encrypted)?;
        let signer = Signer { kid: current.kid.clone(), alg, pair: pair_from_pkcs8(alg, &pkcs8)?, rng: SystemRandom::new() };
        let mut verifiers = HashMap::new();
        let mut published = Vec::new();
        for r in &rows {
            let Some(a) = SigningAlg::parse(&r.alg) else { continue };
            if let Some(k) = VerifyKey::from_jwk(&r.public_jwk, a.as_str()) {
                verifiers.insert(r.kid.clone(), (a, k));
                published.push(r.public_jwk.clone());
            }
        }
        return Ok(KeySet { signer: Arc::new(signer), verifiers, jwks: serde_json::json!({ "keys": published }) });
    }
    anyhow::bail!("could not settle on a token signing key")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_the_same_kek_and_kid() {
        let kek = Kek::new(&[7u8; 32]);
        let sealed = kek.seal("k1", b"secret pkcs8").unwrap();
        assert_eq!(kek.open("k1", &sealed).unwrap(), b"secret pkcs8");
        assert!(kek.open("k2", &sealed).is_err(), "bound to its kid");
        assert!(Kek::new(&[8u8; 32]).open("k1", &sealed).is_err(), "wrong key-encryption key");
        assert!(!sealed.windows(6).any(|w| w == b"secret"), "not stored in clear");
    }

    #[test]
    fn every_algorithm_signs_what_its_public_jwk_verifies() {
        for alg in [SigningAlg::Es256, SigningAlg::EdDsa, SigningAlg::Rs256] {
            let (pkcs8, jwk) = generate(alg, "k").unwrap();
            let signer = Signer { kid: "k".into(), alg, pair: pair_from_pkcs8(alg, &pkcs8).unwrap(), rng: SystemRandom::new() };
            let sig = signer.sign(b"msg").unwrap();
            let key = VerifyKey::from_jwk(&jwk, alg.as_str()).unwrap();
            assert!(key.verify(b"msg", &sig), "{alg:?}");
            assert!(!key.verify(b"other", &sig), "{alg:?}");
        }
    }
}
