//! Pure checks of the token service: public keys a client registers, the header
//! and claims of a client assertion (RFC 7523, as Maskinporten applies it),
//! system-user `authorization_details`, and scopes.
//!
//! Nothing here checks a signature; the caller verifies it before it trusts any
//! claim, and uses [`peek_issuer`] only to find the key to verify with.

use super::model::*;
use crate::parties::OrgNumber;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde_json::{Map, Value};

/// Longest lifetime (`exp - iat`) of an assertion, as Maskinporten's.
pub const MAX_ASSERTION_LIFETIME_SECS: i64 = 120;
/// Clock difference tolerated between the client and us.
pub const CLOCK_SKEW_SECS: i64 = 10;
/// The only claims an assertion may carry; anything else is refused.
pub const KNOWN_CLAIMS: [&str; 10] = ["iss", "sub", "aud", "iat", "exp", "nbf", "jti", "scope", "resource", "authorization_details"];
/// Scopes an organisation's administrator cannot give its own client: they open
/// the decision and authorized-parties APIs (anyone's access), make the
/// organisation a vendor in the system register, or administer the service.
/// Only the operator grants them.
pub const RESTRICTED_SCOPES: [&str; 7] = [
    "altinn:authorization/authorize",
    "altinn:accessmanagement/authorizedparties",
    "altinn:accessmanagement/authorizedparties.resourceowner",
    // A vendor's scopes: as Digdir gives them to vendors in Altinn, the
    // operator gives them here, to organisations it accepts as vendors.
    "altinn:authentication/systemregister.write",
    "altinn:authentication/systemuser.request.write",
    "altinn:authentication/systemuser.request.read",
    // The token service's own lookup of a system user (Maskinporten's in Altinn).
    "altinn:maskinporten/systemuser.read",
];

/// Why a token request is refused, as RFC 6749 §5.2 errors (plus Maskinporten's
/// `invalid_altinn_customer_configuration`). The text is the `error_description`:
/// it says what to fix and never echoes secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("{0}")]
    InvalidRequest(String),
    #[error("{0}")]
    InvalidClient(String),
    #[error("{0}")]
    InvalidGrant(String),
    #[error("{0}")]
    InvalidScope(String),
    #[error("{0}")]
    UnsupportedGrantType(String),
    #[error("{0}")]
    CustomerConfiguration(String),
}

impl TokenError {
    /// The `error` code of the response.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient(_) => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::InvalidScope(_) => "invalid_scope",
            Self::UnsupportedGrantType(_) => "unsupported_grant_type",
            Self::CustomerConfiguration(_) => "invalid_altinn_customer_configuration",
        }
    }
}

fn grant(msg: impl Into<String>) -> TokenError {
    TokenError::InvalidGrant(msg.into())
}

// ---------------------------------------------------------------- assertion header

/// Algorithms accepted on inbound assertions: Maskinporten's RS256/RS384/RS512,
/// and ES256. Never `none` or HMAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundAlg {
    Rs256,
    Rs384,
    Rs512,
    Es256,
}

impl InboundAlg {
    pub fn family(self) -> KeyFamily {
        match self {
            Self::Es256 => KeyFamily::Ec,
            _ => KeyFamily::Rsa,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionHeader {
    pub alg: InboundAlg,
    pub kid: String,
}

/// Checks the JOSE header: an allowed `alg`, a `kid`, and no header that would
/// let the token choose its own key (`jku`, `x5u`, `jwk`) or extensions (`crit`).
pub fn check_header(header: &Value) -> Result<AssertionHeader, TokenError> {
    let h = header.as_object().ok_or_else(|| TokenError::InvalidRequest("the assertion's header is not a JSON object".into()))?;
    let alg = match h.get("alg").and_then(Value::as_str) {
        Some("RS256") => InboundAlg::Rs256,
        Some("RS384") => InboundAlg::Rs384,
        Some("RS512") => InboundAlg::Rs512,
        Some("ES256") => InboundAlg::Es256,
        Some(other) => return Err(grant(format!("the assertion's algorithm {other:?} is not accepted; sign with RS256, RS384, RS512 or ES256"))),
        None => return Err(grant("the assertion's header has no alg")),
    };
    for forbidden in ["jku", "x5u", "jwk", "crit"] {
        if h.contains_key(forbidden) {
            return Err(grant(format!("the assertion's header must not contain {forbidden}; the key is found by kid")));
        }
    }
    if let Some(typ) = h.get("typ") {
        if !typ.as_str().is_some_and(|t| t.eq_ignore_ascii_case("JWT")) {
            return Err(grant("the assertion's typ must be JWT when present"));
        }
    }
    match h.get("kid") {
        Some(Value::String(kid)) if plain(kid, 200) => Ok(AssertionHeader { alg, kid: kid.clone() }),
        Some(_) => Err(TokenError::InvalidClient("the assertion's kid must be a string of 1 to 200 characters without control characters".into())),
        None if h.contains_key("x5c") => {
            Err(TokenError::InvalidClient("enterprise certificates (x5c) are not supported; register a public key for the client and send its kid".into()))
        }
        None => Err(TokenError::InvalidClient("the assertion's header has no kid; send the kid of a key registered for the client".into())),
    }
}

/// A non-empty string of at most `max` characters without control characters: what
/// identifiers in an assertion (kid, iss, jti) may be, so that they can be
/// looked up and stored as they are.
fn plain(s: &str, max: usize) -> bool {
    !s.is_empty() && s.chars().count() <= max && !s.chars().any(char::is_control)
}

/// The unverified `iss`, only to find the client's key. Never trust it further.
pub fn peek_issuer(claims: &Value) -> Result<&str, TokenError> {
    match claims.get("iss") {
        Some(Value::String(iss)) if plain(iss, 256) => Ok(iss),
        Some(_) => Err(TokenError::InvalidClient("iss must be your client id: a string of 1 to 256 characters without control characters".into())),
        None => Err(TokenError::InvalidClient("the assertion has no iss; set iss to your client id".into())),
    }
}

// ---------------------------------------------------------------- assertion claims

/// What the claims are checked against.
#[derive(Debug, Clone)]
pub struct ClaimsCheck<'a> {
    /// This token service's issuer identifier; `aud` must equal it.
    pub issuer: &'a str,
    /// The client the verified key belongs to; `iss` must equal it.
    pub client_id: &'a str,
    pub now: i64,
}

fn int_claim(c: &Map<String, Value>, name: &str) -> Result<Option<i64>, TokenError> {
    match c.get(name) {
        None => Ok(None),
        // A number of the wrong kind is an error, never "absent" (CVE-2026-25537's shape).
        Some(v) => v.as_i64().map(Some).ok_or_else(|| grant(format!("{name} must be a whole number of seconds since the epoch"))),
    }
}

fn same_issuer(a: &str, b: &str) -> bool {
    a == b || a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Checks the verified claims of an assertion: no unknown claims; `iss` (and
/// `sub`, if present) is the client; `aud` is this issuer, one value; `iat` and
/// `exp` present, lifetime at most 120 s, within the clock skew; `nbf` if any
/// has passed; a `jti`; at least one scope; and `authorization_details` if any.
pub fn check_claims(claims: &Value, check: &ClaimsCheck<'_>) -> Result<Assertion, TokenError> {
    let c = claims.as_object().ok_or_else(|| TokenError::InvalidRequest("the assertion's claims are not a JSON object".into()))?;
    if let Some(unknown) = c.keys().find(|k| !KNOWN_CLAIMS.contains(&k.as_str())) {
        let hint = if unknown == "consumer_org" { " (delegation through consumer_org is not supported)" } else { "" };
        return Err(grant(format!("the assertion has an unknown claim {unknown:?}{hint}")));
    }
    let iss = c.get("iss").and_then(Value::as_str).unwrap_or_default();
    if iss != check.client_id {
        return Err(grant("iss must be the client id"));
    }
    if let Some(sub) = c.get("sub") {
        if sub.as_str() != Some(check.client_id) {
            return Err(grant("sub, when present, must be the client id"));
        }
    }
    match c.get("aud") {
        Some(Value::String(a)) if same_issuer(a, check.issuer) => {}
        Some(Value::Array(a)) if a.len() == 1 && a[0].as_str().is_some_and(|a| same_issuer(a, check.issuer)) => {}
        Some(_) => return Err(grant(format!("aud must be this token service's issuer, {}", check.issuer))),
        None => return Err(grant(format!("the assertion has no aud; set it to {}", check.issuer))),
    }
    let iat = int_claim(c, "iat")?.ok_or_else(|| grant("the assertion has no iat"))?;
    let exp = int_claim(c, "exp")?.ok_or_else(|| grant("the assertion has no exp"))?;
    if exp <= iat {
        return Err(grant("exp must be after iat"));
    }
    if exp - iat > MAX_ASSERTION_LIFETIME_SECS {
        return Err(grant(format!("the assertion lives {} s; at most {MAX_ASSERTION_LIFETIME_SECS} s is accepted", exp - iat)));
    }
    if iat > check.now + CLOCK_SKEW_SECS {
        return Err(grant("the assertion is issued in the future (iat); check the client's clock"));
    }
    if exp <= check.now - CLOCK_SKEW_SECS {
        return Err(grant("the assertion has expired (exp)"));
    }
    if let Some(nbf) = int_claim(c, "nbf")? {
        if nbf > check.now + CLOCK_SKEW_SECS {
            return Err(grant("the assertion is not valid yet (nbf)"));
        }
    }
    let jti = match c.get("jti") {
        Some(Value::String(j)) if plain(j, 256) => j.clone(),
        Some(_) => return Err(grant("jti must be a string of 1 to 256 characters without control characters")),
        None => return Err(grant("the assertion has no jti; send a unique id with every assertion")),
    };
    let scopes = match c.get("scope") {
        Some(Value::String(s)) => parse_scopes(s)?,
        Some(_) => return Err(TokenError::InvalidScope("scope must be a space-separated string".into())),
        None => Vec::new(),
    };
    if scopes.is_empty() {
        return Err(TokenError::InvalidScope("no scope requested; ask for at least one scope in the assertion's scope claim".into()));
    }
    let resource = match c.get("resource") {
        None => Vec::new(),
        Some(Value::String(r)) if !r.is_empty() => vec![r.clone()],
        Some(Value::Array(a)) if !a.is_empty() && a.iter().all(|r| r.as_str().is_some_and(|r| !r.is_empty())) => {
            a.iter().filter_map(Value::as_str).map(str::to_owned).collect()
        }
        Some(_) => return Err(TokenError::InvalidRequest("resource must be a URI or a list of URIs".into())),
    };
    let system_user = match c.get("authorization_details") {
        None => None,
        Some(details) => Some(parse_authorization_details(details)?),
    };
    Ok(Assertion { client_id: iss.to_string(), jti, iat, exp, scopes, resource, system_user })
}

/// Reads a member regardless of the case of its name (Altinn writes `ID` in the
/// grant and `id` in the token, and parses both without regard to case).
fn member<'a>(o: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    o.get(name).or_else(|| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

/// Parses `authorization_details`: exactly one entry, of type
/// `urn:altinn:systemuser`, naming the owner organisation as
/// `{"authority":"iso6523-actorid-upis","ID":"0192:<orgno>"}`, with an optional
/// `externalRef` that defaults to the org number.
pub fn parse_authorization_details(details: &Value) -> Result<SystemUserRequest, TokenError> {
    let bad = |m: &str| TokenError::InvalidRequest(format!("authorization_details: {m}"));
    let items = details.as_array().ok_or_else(|| bad("must be a JSON array"))?;
    let [item] = items.as_slice() else {
        return Err(bad("ask for exactly one system user (one organisation) per token"));
    };
    let o = item.as_object().ok_or_else(|| bad("each entry must be a JSON object"))?;
    match member(o, "type").and_then(Value::as_str) {
        Some(SYSTEM_USER_DETAILS) => {}
        Some(t) => return Err(bad(&format!("type {t:?} is not supported; use {SYSTEM_USER_DETAILS}"))),
        None => return Err(bad("the entry has no type")),
    }
    let org = member(o, "systemuser_org").and_then(Value::as_object).ok_or_else(|| bad("systemuser_org is missing"))?;
    if member(org, "authority").and_then(Value::as_str) != Some(ISO6523_AUTHORITY) {
        return Err(bad(&format!("systemuser_org.authority must be {ISO6523_AUTHORITY}")));
    }
    let id = member(org, "ID").and_then(Value::as_str).ok_or_else(|| bad("systemuser_org.ID is missing"))?;
    let org = parse_org_id(id).ok_or_else(|| bad("systemuser_org.ID must be 0192: followed by a valid organisation number"))?;
    let external_ref = match member(o, "externalRef") {
        None | Some(Value::Null) => org.as_str().to_string(),
        Some(Value::String(r)) if !r.trim().is_empty() && r.len() <= 255 => r.trim().to_string(),
        Some(_) => return Err(bad("externalRef must be a non-empty string of at most 255 characters")),
    };
    if let Some(unknown) = o.keys().find(|k| !["type", "systemuser_org", "externalref"].contains(&k.to_ascii_lowercase().as_str())) {
        return Err(bad(&format!("unknown member {unknown:?}")));
    }
    Ok(SystemUserRequest { org, external_ref })
}

/// `0192:<orgno>` → the org number.
pub fn parse_org_id(id: &str) -> Option<OrgNumber> {
    OrgNumber::try_from(id.strip_prefix("0192:")?).ok()
}

/// `0192:<orgno>`, the ISO 6523 form.
pub fn org_id(org: &str) -> String {
    format!("0192:{org}")
}

// ---------------------------------------------------------------- scopes

/// Whether `s` is a scope token (RFC 6749 §3.3: printable ASCII but space, `"` and `\`).
pub fn is_scope_token(s: &str) -> bool {
    !s.is_empty() && s.len() <= 200 && s.bytes().all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
}

/// Splits a `scope` value into distinct scope tokens.
pub fn parse_scopes(s: &str) -> Result<Vec<String>, TokenError> {
    let mut out: Vec<String> = Vec::new();
    for t in s.split(' ').filter(|t| !t.is_empty()) {
        if !is_scope_token(t) {
            return Err(TokenError::InvalidScope(format!("{t:?} is not a valid scope")));
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

/// Every requested scope must be one the client is allowed.
pub fn check_scopes(requested: &[String], allowed: &[String]) -> Result<(), TokenError> {
    let missing: Vec<&str> = requested.iter().filter(|r| !allowed.contains(r)).map(String::as_str).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(TokenError::InvalidScope(format!("the client is not allowed the scope(s) {}", missing.join(" "))))
    }
}

/// Whether only the operator may give a client `scope`.
pub fn is_restricted_scope(scope: &str) -> bool {
    RESTRICTED_SCOPES.contains(&scope) || scope.ends_with(".admin") || scope.ends_with("/admin")
}

// ---------------------------------------------------------------- public keys

/// Why a public key is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key contains private key material; register only the public key")]
    PrivateKeyMaterial,
    #[error("the key is neither a JWK nor a PEM public key")]
    Unreadable,
    #[error("only RSA (2048 bits or more) and EC P-256 keys are accepted")]
    UnsupportedType,
    #[error("the RSA key has {0} bits; at least 2048 are required")]
    RsaTooShort(usize),
    #[error("the RSA key is malformed")]
    BadRsa,
    #[error("the EC key is not a P-256 point")]
    BadEc,
    #[error("a kid is required (1 to 200 characters, no spaces)")]
    MissingKid,
    #[error("the kid given differs from the kid inside the JWK")]
    KidMismatch,
    #[error("the JWK's alg or use does not fit a signing key of its type")]
    WrongUse,
}

fn valid_kid(kid: &str) -> bool {
    !kid.is_empty() && kid.len() <= crate::limits::KEY_ID && !kid.chars().any(char::is_whitespace)
}

const PRIVATE_JWK_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

fn strip_zeros(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    &b[first..]
}

fn bits(b: &[u8]) -> usize {
    let b = strip_zeros(b);
    match b.first() {
        None => 0,
        Some(top) => (b.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
    }
}

fn rsa_jwk(kid: &str, n: &[u8], e: &[u8]) -> Result<PublicKey, KeyError> {
    let (n, e) = (strip_zeros(n), strip_zeros(e));
    let n_bits = bits(n);
    if n_bits < 2048 {
        return Err(KeyError::RsaTooShort(n_bits));
    }
    if n_bits > 8192 || e.is_empty() || e.len() > 4 || e.last().is_some_and(|l| l & 1 == 0) || bits(e) < 2 {
        return Err(KeyError::BadRsa);
    }
    let jwk = serde_json::json!({"kty": "RSA", "kid": kid, "use": "sig", "n": B64.encode(n), "e": B64.encode(e)});
    Ok(PublicKey { kid: kid.into(), family: KeyFamily::Rsa, jwk })
}

fn ec_jwk(kid: &str, x: &[u8], y: &[u8]) -> Result<PublicKey, KeyError> {
    if x.len() != 32 || y.len() != 32 {
        return Err(KeyError::BadEc);
    }
    let jwk = serde_json::json!({"kty": "EC", "kid": kid, "use": "sig", "crv": "P-256", "x": B64.encode(x), "y": B64.encode(y)});
    Ok(PublicKey { kid: kid.into(), family: KeyFamily::Ec, jwk })
}

fn b64_member(o: &Map<String, Value>, name: &str, err: KeyError) -> Result<Vec<u8>, KeyError> {
    let s = o.get(name).and_then(Value::as_str).ok_or(err.clone())?;
    B64.decode(s.trim_end_matches('=')).map_err(|_| err)
}

/// Reads a client's public key from a JWK (JSON) or PEM (`PUBLIC KEY` or
/// `RSA PUBLIC KEY`) and returns it as a canonical public JWK. Refuses private
/// keys, RSA under 2048 bits, curves other than P-256 and keys without a kid.
pub fn parse_public_key(text: &str, kid: Option<&str>) -> Result<PublicKey, KeyError> {
    let text = text.trim();
    let kid = kid.map(str::trim).filter(|k| !k.is_empty());
    if text.starts_with('{') {
        let v: Value = serde_json::from_str(text).map_err(|_| KeyError::Unreadable)?;
        let o = v.as_object().ok_or(KeyError::Unreadable)?;
        if PRIVATE_JWK_MEMBERS.iter().any(|m| o.contains_key(*m)) {
            return Err(KeyError::PrivateKeyMaterial);
        }
        let inner_kid = o.get("kid").and_then(Value::as_str);
        let kid = match (kid, inner_kid) {
            (Some(a), Some(b)) if a != b => return Err(KeyError::KidMismatch),
            (Some(a), _) => a,
            (None, Some(b)) => b,
            (None, None) => return Err(KeyError::MissingKid),
        };
        if !valid_kid(kid) {
            return Err(KeyError::MissingKid);
        }
        if o.get("use").is_some_and(|u| u.as_str() != Some("sig")) {
            return Err(KeyError::WrongUse);
        }
        let alg = o.get("alg").map(|a| a.as_str().unwrap_or("?"));
        match o.get("kty").and_then(Value::as_str) {
            Some("RSA") => {
                if alg.is_some_and(|a| !["RS256", "RS384", "RS512"].contains(&a)) {
                    return Err(KeyError::WrongUse);
                }
                rsa_jwk(kid, &b64_member(o, "n", KeyError::BadRsa)?, &b64_member(o, "e", KeyError::BadRsa)?)
            }
            Some("EC") => {
                if o.get("crv").and_then(Value::as_str) != Some("P-256") {
                    return Err(KeyError::UnsupportedType);
                }
                if alg.is_some_and(|a| a != "ES256") {
                    return Err(KeyError::WrongUse);
                }
                ec_jwk(kid, &b64_member(o, "x", KeyError::BadEc)?, &b64_member(o, "y", KeyError::BadEc)?)
            }
            _ => Err(KeyError::UnsupportedType),
        }
    } else if text.starts_with("-----BEGIN") {
        use rsa::pkcs1::der::Decode;
        let (label, der) = rsa::pkcs1::der::pem::decode_vec(text.as_bytes()).map_err(|_| {
            if text.contains("PRIVATE KEY") {
                KeyError::PrivateKeyMaterial
            } else {
                KeyError::Unreadable
            }
        })?;
        if label.contains("PRIVATE") {
            return Err(KeyError::PrivateKeyMaterial);
        }
        let kid = kid.filter(|k| valid_kid(k)).ok_or(KeyError::MissingKid)?;
        match label {
            "RSA PUBLIC KEY" => {
                let k = rsa::pkcs1::RsaPublicKey::from_der(&der).map_err(|_| KeyError::BadRsa)?;
                rsa_jwk(kid, k.modulus.as_bytes(), k.public_exponent.as_bytes())
            }
            "PUBLIC KEY" => {
                const RSA: &str = "1.2.840.113549.1.1.1";
                const EC: &str = "1.2.840.10045.2.1";
                const P256: &str = "1.2.840.10045.3.1.7";
                let spki = rsa::pkcs8::spki::SubjectPublicKeyInfoRef::from_der(&der).map_err(|_| KeyError::Unreadable)?;
                let key = spki.subject_public_key.as_bytes().ok_or(KeyError::Unreadable)?;
                match spki.algorithm.oid.to_string().as_str() {
                    RSA => {
                        let k = rsa::pkcs1::RsaPublicKey::from_der(key).map_err(|_| KeyError::BadRsa)?;
                        rsa_jwk(kid, k.modulus.as_bytes(), k.public_exponent.as_bytes())
                    }
                    EC => {
                        let curve = spki.algorithm.parameters.and_then(|p| p.decode_as::<rsa::pkcs8::ObjectIdentifier>().ok());
                        if curve.map(|c| c.to_string()).as_deref() != Some(P256) {
                            return Err(KeyError::UnsupportedType);
                        }
                        match key {
                            [4, rest @ ..] if rest.len() == 64 => ec_jwk(kid, &rest[..32], &rest[32..]),
                            _ => Err(KeyError::BadEc),
                        }
                    }
                    _ => Err(KeyError::UnsupportedType),
                }
            }
            _ => Err(KeyError::Unreadable),
        }
    } else {
        Err(KeyError::Unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ISSUER: &str = "https://fullmakt.example/";
    const CLIENT: &str = "2f3c5a7e-0b1d-4c6e-8f90-123456789abc";
    const NOW: i64 = 1_800_000_000;

    fn check() -> ClaimsCheck<'static> {
        ClaimsCheck { issuer: ISSUER, client_id: CLIENT, now: NOW }
    }

    fn claims() -> Value {
        json!({"iss": CLIENT, "aud": ISSUER, "iat": NOW, "exp": NOW + 60, "jti": "j-1", "scope": "a:b c:d"})
    }

    fn with(f: impl FnOnce(&mut Map<String, Value>)) -> Value {
        let mut c = claims();
        f(c.as_object_mut().unwrap());
        c
    }

    #[test]
    fn good_claims_pass() {
        let a = check_claims(&claims(), &check()).unwrap();
        assert_eq!(a.client_id, CLIENT);
        assert_eq!(a.scopes, ["a:b", "c:d"]);
        assert_eq!(a.system_user, None);
        // aud without the trailing slash, or as a one-element list, and sub = client.
        let c = with(|c| {
            c.insert("aud".into(), json!(["https://fullmakt.example"]));
            c.insert("sub".into(), json!(CLIENT));
        });
        assert!(check_claims(&c, &check()).is_ok());
    }

    fn refused(c: Value) -> TokenError {
        check_claims(&c, &check()).unwrap_err()
    }

    #[test]
    fn time_claims_are_enforced() {
        assert!(
            matches!(refused(with(|c| { c.insert("exp".into(), json!(NOW - 11)); c.insert("iat".into(), json!(NOW - 70)); })), TokenError::InvalidGrant(m) if m.contains("expired"))
        );
        assert!(
            matches!(refused(with(|c| { c.insert("iat".into(), json!(NOW + 30)); c.insert("exp".into(), json!(NOW + 90)); })), TokenError::InvalidGrant(m) if m.contains("future"))
        );
        assert!(matches!(refused(with(|c| { c.insert("exp".into(), json!(NOW + 121)); })), TokenError::InvalidGrant(m) if m.contains("at most 120")));
        assert!(matches!(refused(with(|c| { c.remove("iat"); })), TokenError::InvalidGrant(m) if m.contains("no iat")));
        assert!(matches!(refused(with(|c| { c.remove("exp"); })), TokenError::InvalidGrant(m) if m.contains("no exp")));
        // A string or a fraction is not "absent" (the CVE-2026-25537 shape).
        assert!(matches!(refused(with(|c| { c.insert("exp".into(), json!("1800000060")); })), TokenError::InvalidGrant(m) if m.contains("whole number")));
        assert!(matches!(
            refused(with(|c| {
                c.insert("exp".into(), json!(1800000060.5));
            })),
            TokenError::InvalidGrant(_)
        ));
        assert!(matches!(refused(with(|c| { c.insert("nbf".into(), json!(NOW + 60)); })), TokenError::InvalidGrant(m) if m.contains("nbf")));
        // Within the skew is fine.
        assert!(check_claims(
            &with(|c| {
                c.insert("iat".into(), json!(NOW + 5));
            }),
            &check()
        )
        .is_ok());
    }

    #[test]
    fn identity_and_audience_are_enforced() {
        assert!(matches!(refused(with(|c| { c.insert("iss".into(), json!("other")); })), TokenError::InvalidGrant(m) if m.contains("iss")));
        assert!(matches!(refused(with(|c| { c.insert("sub".into(), json!("other")); })), TokenError::InvalidGrant(m) if m.contains("sub")));
        assert!(matches!(refused(with(|c| { c.insert("aud".into(), json!("https://maskinporten.no/")); })), TokenError::InvalidGrant(m) if m.contains("aud")));
        assert!(matches!(
            refused(with(|c| {
                c.insert("aud".into(), json!([ISSUER, "x"]));
            })),
            TokenError::InvalidGrant(_)
        ));
        assert!(matches!(refused(with(|c| { c.remove("aud"); })), TokenError::InvalidGrant(m) if m.contains("no aud")));
        assert!(matches!(refused(with(|c| { c.remove("jti"); })), TokenError::InvalidGrant(m) if m.contains("jti")));
        assert!(matches!(
            refused(with(|c| {
                c.insert("jti".into(), json!(7));
            })),
            TokenError::InvalidGrant(_)
        ));
    }

    #[test]
    fn unknown_claims_and_missing_scope_are_refused() {
        assert!(matches!(refused(with(|c| { c.insert("admin".into(), json!(true)); })), TokenError::InvalidGrant(m) if m.contains("unknown claim \"admin\"")));
        assert!(matches!(refused(with(|c| { c.insert("consumer_org".into(), json!("x")); })), TokenError::InvalidGrant(m) if m.contains("delegation")));
        assert!(matches!(
            refused(with(|c| {
                c.remove("scope");
            })),
            TokenError::InvalidScope(_)
        ));
        assert!(matches!(
            refused(with(|c| {
                c.insert("scope".into(), json!("  "));
            })),
            TokenError::InvalidScope(_)
        ));
        assert!(matches!(
            refused(with(|c| {
                c.insert("scope".into(), json!("a\"b"));
            })),
            TokenError::InvalidScope(_)
        ));
    }

    #[test]
    fn headers_allow_only_listed_algorithms_and_a_kid() {
        assert_eq!(check_header(&json!({"alg": "RS256", "kid": "k1", "typ": "JWT"})).unwrap(), AssertionHeader { alg: InboundAlg::Rs256, kid: "k1".into() });
        assert_eq!(check_header(&json!({"alg": "ES256", "kid": "k1"})).unwrap().alg.family(), KeyFamily::Ec);
        for alg in ["none", "HS256", "HS512", "PS256", "EdDSA", "ES384"] {
            assert!(matches!(check_header(&json!({"alg": alg, "kid": "k"})), Err(TokenError::InvalidGrant(m)) if m.contains("not accepted")), "{alg}");
        }
        assert!(matches!(check_header(&json!({"alg": "RS256"})), Err(TokenError::InvalidClient(m)) if m.contains("kid")));
        assert!(matches!(check_header(&json!({"alg": "RS256", "x5c": ["MII"]})), Err(TokenError::InvalidClient(m)) if m.contains("x5c")));
        for h in ["jku", "x5u", "jwk", "crit"] {
            assert!(check_header(&json!({"alg": "RS256", "kid": "k", h: "x"})).is_err(), "{h}");
        }
        assert!(check_header(&json!({"alg": "RS256", "kid": "k", "typ": "at+jwt"})).is_err());
    }

    #[test]
    fn system_user_details_parse_with_either_case_and_default_ref() {
        let d = json!([{"type": SYSTEM_USER_DETAILS, "systemuser_org": {"authority": ISO6523_AUTHORITY, "ID": "0192:310400009"}}]);
        let r = parse_authorization_details(&d).unwrap();
        assert_eq!(r.org.as_str(), "310400009");
        assert_eq!(r.external_ref, "310400009");
        let d = json!([{"type": SYSTEM_USER_DETAILS, "systemuser_org": {"authority": ISO6523_AUTHORITY, "id": "0192:310400009"}, "externalRef": "kunde-1"}]);
        assert_eq!(parse_authorization_details(&d).unwrap().external_ref, "kunde-1");
        let via_claims = with(|c| {
            c.insert("authorization_details".into(), d.clone());
        });
        assert_eq!(check_claims(&via_claims, &check()).unwrap().system_user.unwrap().external_ref, "kunde-1");
    }

    #[test]
    fn bad_system_user_details_are_refused() {
        let org = json!({"authority": ISO6523_AUTHORITY, "ID": "0192:310400009"});
        for bad in [
            json!({}),
            json!([]),
            json!([{"type": SYSTEM_USER_DETAILS, "systemuser_org": org}, {"type": SYSTEM_USER_DETAILS, "systemuser_org": org}]),
            json!([{"type": "urn:other", "systemuser_org": org}]),
            json!([{"type": SYSTEM_USER_DETAILS}]),
            json!([{"type": SYSTEM_USER_DETAILS, "systemuser_org": {"authority": "x", "ID": "0192:310400009"}}]),
            json!([{"type": SYSTEM_USER_DETAILS, "systemuser_org": {"authority": ISO6523_AUTHORITY, "ID": "310400009"}}]),
            json!([{"type": SYSTEM_USER_DETAILS, "systemuser_org": {"authority": ISO6523_AUTHORITY, "ID": "0192:310400008"}}]),
            json!([{"type": SYSTEM_USER_DETAILS, "systemuser_org": org, "externalRef": ""}]),
            json!([{"type": SYSTEM_USER_DETAILS, "systemuser_org": org, "extra": 1}]),
        ] {
            assert!(matches!(parse_authorization_details(&bad), Err(TokenError::InvalidRequest(_))), "{bad}");
        }
    }

    #[test]
    fn scopes_must_be_granted() {
        let allowed = vec!["a:b".to_string(), "c:d".to_string()];
        assert!(check_scopes(&["a:b".into()], &allowed).is_ok());
        assert!(matches!(check_scopes(&["a:b".into(), "x:y".into()], &allowed), Err(TokenError::InvalidScope(m)) if m.contains("x:y") && !m.contains("a:b")));
        assert_eq!(parse_scopes("a  b a").unwrap(), ["a", "b"]);
        assert!(is_restricted_scope("altinn:authorization/authorize"));
        assert!(is_restricted_scope("altinn:authentication/systemregister.admin"));
        assert!(is_restricted_scope("altinn:authentication/systemuser.request.write"), "a vendor scope is the operator's to give");
        assert!(!is_restricted_scope("skatteetaten:mva"));
    }

    fn rsa_n(bits: usize) -> String {
        let mut n = vec![0xffu8; bits / 8];
        n[0] = 0x80 | 0x40;
        B64.encode(n)
    }

    #[test]
    fn jwk_keys_are_checked() {
        let rsa = json!({"kty": "RSA", "kid": "k1", "n": rsa_n(2048), "e": "AQAB"}).to_string();
        let k = parse_public_key(&rsa, None).unwrap();
        assert_eq!((k.kid.as_str(), k.family), ("k1", KeyFamily::Rsa));
        assert_eq!(k.jwk["use"], "sig");
        assert_eq!(parse_public_key(&json!({"kty": "RSA", "kid": "k1", "n": rsa_n(1024), "e": "AQAB"}).to_string(), None), Err(KeyError::RsaTooShort(1024)));
        assert_eq!(parse_public_key(&json!({"kty": "RSA", "n": rsa_n(2048), "e": "AQAB"}).to_string(), None), Err(KeyError::MissingKid));
        assert!(parse_public_key(&json!({"kty": "RSA", "n": rsa_n(2048), "e": "AQAB"}).to_string(), Some("given")).is_ok());
        assert_eq!(parse_public_key(&rsa, Some("other")), Err(KeyError::KidMismatch));
        assert_eq!(
            parse_public_key(&json!({"kty": "RSA", "kid": "k", "n": rsa_n(2048), "e": "AQAB", "d": "x"}).to_string(), None),
            Err(KeyError::PrivateKeyMaterial)
        );
        assert_eq!(parse_public_key(&json!({"kty": "oct", "kid": "k", "k": "c2VjcmV0"}).to_string(), None), Err(KeyError::PrivateKeyMaterial));
        assert_eq!(
            parse_public_key(&json!({"kty": "RSA", "kid": "k", "n": rsa_n(2048), "e": "AQAB", "alg": "HS256"}).to_string(), None),
            Err(KeyError::WrongUse)
        );
        let xy = B64.encode([7u8; 32]);
        assert_eq!(parse_public_key(&json!({"kty": "EC", "kid": "e1", "crv": "P-256", "x": xy, "y": xy}).to_string(), None).unwrap().family, KeyFamily::Ec);
        assert_eq!(parse_public_key(&json!({"kty": "EC", "kid": "e1", "crv": "P-384", "x": xy, "y": xy}).to_string(), None), Err(KeyError::UnsupportedType));
        assert_eq!(parse_public_key(&json!({"kty": "OKP", "kid": "e1", "crv": "Ed25519", "x": xy}).to_string(), None), Err(KeyError::UnsupportedType));
        assert_eq!(parse_public_key("not a key", Some("k")), Err(KeyError::Unreadable));
    }

    #[test]
    fn pem_keys_are_checked() {
        // Public keys made with openssl (P-256, P-384, RSA 1024 and 2048).
        let ec_pub = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEwhtvImAytBmE03fdKiw1pLaI5YbO\nvvp9MNdnoifKRQQIqA9F3bNRK6pi69yW7YtdE1MXSMi2mBIZH8JT3aFN7w==\n-----END PUBLIC KEY-----\n";
        let k = parse_public_key(ec_pub, Some("pem-1")).unwrap();
        assert_eq!(k.family, KeyFamily::Ec);
        assert_eq!(k.jwk["crv"], "P-256");
        assert_eq!(parse_public_key(ec_pub, None), Err(KeyError::MissingKid));
        let p384 = "-----BEGIN PUBLIC KEY-----\nMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAErEX/ho6noi/IOwzU2fOYGl2dJ7gwtY95\npg12Gz5og3Q3bYFK2VyYGXgDqPLeMtqOmwFNPFOBpWM7OWtpynT4fw3ANer4HpOG\nCBgSSrw6G5m/hcx3n3dPDdJ6EMSHHxVo\n-----END PUBLIC KEY-----\n";
        assert_eq!(parse_public_key(p384, Some("k")), Err(KeyError::UnsupportedType));
        let rsa1024 = "-----BEGIN PUBLIC KEY-----\nMIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDGLKKeyRf7Y6Ns2MOvTt4PTUVf\n8Ol+DjHHsO2WHQur/F1HIh1iz0+I0zIQiktNtI9lBICmy2rf5lehgj8VY3VSYrOF\nnKtjSAer0C7ZC9bhRiaGqzujsZRGkRqpbYnTjhpfy8AxtZ4maQApaPFy59EJScFI\nvWr0szd09JqYeQ2EhwIDAQAB\n-----END PUBLIC KEY-----\n";
        assert_eq!(parse_public_key(rsa1024, Some("k")), Err(KeyError::RsaTooShort(1024)));
        let rsa2048 = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2d/hXKS2YZ6ogQiZs7uM\n8mAhNrhoRDDe4jeCjsG392SsgTKhy9eonp7+sH+7Jpib/5RtUhZz+/Oq9KRkgr1d\n0nrF17vufip6J9dm3ycDEvDkhN8ZZN0m4SCiXSIXOV73a9K7lcMLpBkf5CVR1rco\njSM2wC8cXHvpDpSjtdPMJJ6m6XuF+0kYZWSHPLHz4ew7FpCDLz6kvMNOjRJ6e6R1\nMaBhud69+Lzfro7vdiUXFpK7B1UYkBLaeRQAxNSCLsJIyeTn+BCVw6TDSSvleMtF\nWPycW/+E7Ip5Buzk2KLcFId2MCSgUqmlepcKMRXo++6MDq3ay5pBeGuMrvmKVLD1\nCwIDAQAB\n-----END PUBLIC KEY-----\n";
        let k = parse_public_key(rsa2048, Some("r1")).unwrap();
        assert_eq!(k.family, KeyFamily::Rsa);
        assert_eq!(k.jwk["e"], "AQAB");
        let private = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";
        assert_eq!(parse_public_key(private, Some("k")), Err(KeyError::PrivateKeyMaterial));
        let cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        assert!(parse_public_key(cert, Some("k")).is_err());
    }
}
