//! Compact JWS (RFC 7515) on *ring*: split and decode, verify with a key the
//! caller chose (never one the token names by itself), and sign.
//!
//! *ring* is already in the build through rustls. It verifies RS256 about 6×
//! and signs ES256 about 17× faster than the RustCrypto backend of
//! jsonwebtoken (`reference/perf-security.md` §2.2), which is what lets the
//! token endpoint reach thousands of tokens per second on two cores.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ring::signature::{self, UnparsedPublicKey};

/// Longest compact JWS accepted (a Maskinporten grant is about 1 kB).
pub const MAX_LEN: usize = 16 * 1024;

/// A compact JWS split into its parts, with header and payload decoded as JSON.
#[derive(Debug)]
pub struct Parsed<'a> {
    /// `base64(header) . base64(payload)`: what the signature covers.
    pub signing_input: &'a str,
    pub header: serde_json::Value,
    pub claims: serde_json::Value,
    pub signature: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    #[error("the JWT is not three base64url parts separated by dots")]
    Malformed,
    #[error("the JWT is too long")]
    TooLong,
    #[error("the JWT's header or claims are not JSON")]
    NotJson,
}

fn b64(part: &str) -> Result<Vec<u8>, JwsError> {
    B64.decode(part).map_err(|_| JwsError::Malformed)
}

pub fn parse(token: &str) -> Result<Parsed<'_>, JwsError> {
    if token.len() > MAX_LEN {
        return Err(JwsError::TooLong);
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(JwsError::Malformed);
    };
    let header = serde_json::from_slice(&b64(h)?).map_err(|_| JwsError::NotJson)?;
    let claims = serde_json::from_slice(&b64(p)?).map_err(|_| JwsError::NotJson)?;
    let signature = b64(s)?;
    Ok(Parsed { signing_input: &token[..h.len() + 1 + p.len()], header, claims, signature })
}

/// A public key to verify with, and the one algorithm it is used with.
#[derive(Debug, Clone)]
pub enum VerifyKey {
    /// RSA PKCS#1 v1.5 with SHA-256/384/512 (modulus 2048..8192 bits).
    Rsa { n: Vec<u8>, e: Vec<u8>, hash: RsaHash },
    /// ECDSA P-256 SHA-256, uncompressed point.
    Es256(Vec<u8>),
    /// Ed25519 public key.
    EdDsa(Vec<u8>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsaHash {
    Sha256,
    Sha384,
    Sha512,
}

impl VerifyKey {
    /// Builds a key from a public JWK, for `alg` (which the caller has already
    /// allowed and matched to the key's type).
    pub fn from_jwk(jwk: &serde_json::Value, alg: &str) -> Option<Self> {
        let m = |name: &str| jwk.get(name).and_then(|v| v.as_str()).and_then(|s| B64.decode(s).ok());
        match (jwk.get("kty")?.as_str()?, alg) {
            ("RSA", "RS256" | "RS384" | "RS512") => {
                let hash = match alg {
                    "RS256" => RsaHash::Sha256,
                    "RS384" => RsaHash::Sha384,
                    _ => RsaHash::Sha512,
                };
                Some(Self::Rsa { n: m("n")?, e: m("e")?, hash })
            }
            ("EC", "ES256") if jwk.get("crv")?.as_str()? == "P-256" => {
                let (x, y) = (m("x")?, m("y")?);
                let mut point = Vec::with_capacity(65);
                point.push(4);
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                Some(Self::Es256(point))
            }
            ("OKP", "EdDSA") if jwk.get("crv")?.as_str()? == "Ed25519" => Some(Self::EdDsa(m("x")?)),
            _ => None,
        }
    }

    /// Whether `sig` is this key's signature over `msg`.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        match self {
            Self::Rsa { n, e, hash } => {
                let params = match hash {
                    RsaHash::Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
                    RsaHash::Sha384 => &signature::RSA_PKCS1_2048_8192_SHA384,
                    RsaHash::Sha512 => &signature::RSA_PKCS1_2048_8192_SHA512,
                };
                signature::RsaPublicKeyComponents { n, e }.verify(params, msg, sig).is_ok()
            }
            Self::Es256(point) => UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point).verify(msg, sig).is_ok(),
            Self::EdDsa(pk) => UnparsedPublicKey::new(&signature::ED25519, pk).verify(msg, sig).is_ok(),
        }
    }
}

/// Encodes header and claims and signs them with `sign`.
pub fn encode(header: &serde_json::Value, claims: &serde_json::Value, sign: impl FnOnce(&[u8]) -> Option<Vec<u8>>) -> Option<String> {
    let mut out = B64.encode(serde_json::to_vec(header).ok()?);
    out.push('.');
    out.push_str(&B64.encode(serde_json::to_vec(claims).ok()?));
    let sig = sign(out.as_bytes())?;
    out.push('.');
    out.push_str(&B64.encode(sig));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_checked() {
        assert_eq!(parse("a.b").unwrap_err(), JwsError::Malformed);
        assert_eq!(parse("a.b.c.d").unwrap_err(), JwsError::Malformed);
        assert_eq!(parse("e30.e30.a=").unwrap_err(), JwsError::Malformed);
        assert_eq!(parse("bm90IGpzb24.e30.").unwrap_err(), JwsError::NotJson);
        let p = parse("e30.e30.").unwrap();
        assert_eq!(p.signing_input, "e30.e30");
        assert!(p.signature.is_empty());
        assert_eq!(parse(&"a".repeat(MAX_LEN + 1)).unwrap_err(), JwsError::TooLong);
    }

    #[test]
    fn es256_signs_and_verifies_and_rejects_tampering() {
        let rng = ring::rand::SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let pkcs8 = signature::EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
        let pair = signature::EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap();
        use ring::signature::KeyPair;
        let key = VerifyKey::Es256(pair.public_key().as_ref().to_vec());
        let token =
            encode(&serde_json::json!({"alg": "ES256"}), &serde_json::json!({"a": 1}), |m| pair.sign(&rng, m).ok().map(|s| s.as_ref().to_vec())).unwrap();
        let p = parse(&token).unwrap();
        assert!(key.verify(p.signing_input.as_bytes(), &p.signature));
        assert!(!key.verify(b"other", &p.signature));
    }
}
