//! `private_key_jwt` client authentication (RFC 7523 §2.2, OpenID Connect Core
//! §9): the portal proves who it is to the provider with a short-lived JWT signed
//! by its own key instead of a shared secret, and the test provider checks it.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// An assertion may live at most this long (Maskinporten and ID-porten use 120 s).
pub const MAX_LIFETIME_SECS: i64 = 120;

#[derive(Debug, Serialize, Deserialize)]
pub struct AssertionClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum AssertionError {
    #[error("the key is neither an RSA nor a P-256 private key in PEM: {0}")]
    BadKey(String),
    #[error("the assertion is invalid: {0}")]
    Invalid(String),
}

/// A private key and its key id, with the algorithm its type implies.
#[derive(Clone)]
pub struct SigningKey {
    key: EncodingKey,
    alg: Algorithm,
    kid: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("alg", &self.alg).field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Reads an RSA (RS256) or P-256 (ES256) private key in PEM.
    pub fn from_pem(pem: &str, kid: &str) -> Result<Self, AssertionError> {
        if let Ok(key) = EncodingKey::from_rsa_pem(pem.as_bytes()) {
            return Ok(Self { key, alg: Algorithm::RS256, kid: kid.to_string() });
        }
        EncodingKey::from_ec_pem(pem.as_bytes())
            .map(|key| Self { key, alg: Algorithm::ES256, kid: kid.to_string() })
            .map_err(|e| AssertionError::BadKey(e.to_string()))
    }

    /// A fresh assertion for `client_id`, addressed to `audience`, valid for 60 s.
    pub fn assertion(&self, client_id: &str, audience: &str, now: i64) -> Result<String, AssertionError> {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        let claims =
            AssertionClaims { iss: client_id.into(), sub: client_id.into(), aud: audience.into(), jti: crate::random_token(16), iat: now, exp: now + 60 };
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| AssertionError::Invalid(e.to_string()))
    }
}

impl SigningKey {
    /// A JWT-bearer grant for Fullmakt's own `/token` (as Maskinporten's):
    /// `client_id` asks `audience` (the token service's issuer) for `scope`,
    /// and, with `system_user_org`, for a system-user token of that
    /// organisation (`authorization_details` of type `urn:altinn:systemuser`).
    /// What `server token-grant` prints for a vendor's software or a README.
    pub fn grant(
        &self,
        client_id: &str,
        audience: &str,
        scope: &str,
        system_user_org: Option<&str>,
        external_ref: Option<&str>,
        now: i64,
    ) -> Result<String, AssertionError> {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        let mut claims = serde_json::json!({
            "iss": client_id, "sub": client_id, "aud": audience, "scope": scope,
            "jti": crate::random_token(16), "iat": now, "exp": now + 60,
        });
        if let Some(org) = system_user_org {
            let mut details =
                serde_json::json!({"type": "urn:altinn:systemuser", "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": format!("0192:{org}")}});
            if let Some(r) = external_ref {
                details["externalRef"] = r.into();
            }
            claims["authorization_details"] = serde_json::json!([details]);
        }
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| AssertionError::Invalid(e.to_string()))
    }
}

/// Verifies `assertion` from `client_id` against the client's public key (PEM),
/// accepting any of `audiences`. Returns the claims; the caller checks `jti` reuse.
pub fn verify(assertion: &str, public_pem: &str, client_id: &str, audiences: &[&str], now: i64) -> Result<AssertionClaims, AssertionError> {
    let header = jsonwebtoken::decode_header(assertion).map_err(|e| AssertionError::Invalid(e.to_string()))?;
    let key = match header.alg {
        Algorithm::RS256 => DecodingKey::from_rsa_pem(public_pem.as_bytes()),
        Algorithm::ES256 => DecodingKey::from_ec_pem(public_pem.as_bytes()),
        other => return Err(AssertionError::Invalid(format!("algorithm {other:?} is not accepted"))),
    }
    .map_err(|e| AssertionError::Invalid(format!("the registered key does not fit the algorithm: {e}")))?;
    let mut v = Validation::new(header.alg);
    v.set_audience(audiences);
    v.set_issuer(&[client_id]);
    v.sub = Some(client_id.to_string());
    v.set_required_spec_claims(&["exp", "iat", "aud", "iss", "sub"]);
    v.leeway = 10;
    let data = jsonwebtoken::decode::<AssertionClaims>(assertion, &key, &v).map_err(|e| AssertionError::Invalid(e.to_string()))?;
    let c = data.claims;
    if c.exp - c.iat > MAX_LIFETIME_SECS {
        return Err(AssertionError::Invalid(format!("lifetime over {MAX_LIFETIME_SECS} s")));
    }
    if c.iat > now + 10 {
        return Err(AssertionError::Invalid("issued in the future".into()));
    }
    if c.jti.len() < 8 {
        return Err(AssertionError::Invalid("jti missing or too short".into()));
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1::EncodeRsaPrivateKey;
    use rsa::pkcs8::EncodePublicKey;

    fn keypair() -> (String, String) {
        let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap();
        let private = key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap().to_string();
        let public = key.to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap();
        (private, public)
    }

    #[test]
    fn a_signed_assertion_verifies_and_a_tampered_one_does_not() {
        let (private, public) = keypair();
        let k = SigningKey::from_pem(&private, "k1").unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let a = k.assertion("client", "https://idp", now).unwrap();
        let c = verify(&a, &public, "client", &["https://idp"], now).unwrap();
        assert_eq!(c.sub, "client");
        assert!(verify(&a, &public, "other-client", &["https://idp"], now).is_err(), "wrong issuer");
        assert!(verify(&a, &public, "client", &["https://elsewhere"], now).is_err(), "wrong audience");
        let (_, other_public) = keypair();
        assert!(verify(&a, &other_public, "client", &["https://idp"], now).is_err(), "wrong key");
        let mut parts: Vec<String> = a.split('.').map(str::to_owned).collect();
        parts[1] = parts[1].chars().rev().collect();
        assert!(verify(&parts.join("."), &public, "client", &["https://idp"], now).is_err(), "tampered");
    }

    #[test]
    fn hmac_and_none_are_refused() {
        let (_, public) = keypair();
        let hs = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &AssertionClaims { iss: "c".into(), sub: "c".into(), aud: "a".into(), jti: "abcdefghij".into(), iat: 0, exp: 60 },
            &EncodingKey::from_secret(public.as_bytes()),
        )
        .unwrap();
        let err = verify(&hs, &public, "c", &["a"], 0).unwrap_err();
        assert!(err.to_string().contains("not accepted"), "{err}");
        let none = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJjIn0.";
        assert!(verify(none, &public, "c", &["a"], 0).is_err());
    }
}
