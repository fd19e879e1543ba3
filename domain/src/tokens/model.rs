//! Types of the token service.

use crate::parties::{OrgNumber, PartyId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// The grant type of RFC 7523 §2.1, the only one the token endpoint takes.
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// `authorization_details` type for system-user tokens (Altinn).
pub const SYSTEM_USER_DETAILS: &str = "urn:altinn:systemuser";
/// ISO 6523 authority of Norwegian organisation numbers (`0192:<orgno>`).
pub const ISO6523_AUTHORITY: &str = "iso6523-actorid-upis";

/// Which kind of public key a client registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyFamily {
    #[serde(rename = "RSA")]
    Rsa,
    #[serde(rename = "EC")]
    Ec,
}

impl KeyFamily {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::Ec => "EC",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "RSA" => Some(Self::Rsa),
            "EC" => Some(Self::Ec),
            _ => None,
        }
    }
}

/// A validated public key in its canonical stored form: a public JWK with
/// `kty`, `kid`, `use` and either `n`/`e` (RSA ≥ 2048 bits) or `crv`/`x`/`y` (P-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub kid: String,
    pub family: KeyFamily,
    pub jwk: serde_json::Value,
}

/// Input for registering a client. Scopes are scope tokens (RFC 6749 §3.3).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiClientForCreate {
    pub display_name: String,
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// Input for adding a key: a JWK (JSON) or PEM public key, the kid (required
/// for PEM; taken from the JWK when absent) and an optional expiry.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyForCreate {
    #[serde(default)]
    pub kid: Option<String>,
    pub key: String,
    /// RFC 3339 on the wire.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
}

/// One of a client's keys, as shown to its administrators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiClientKey {
    pub kid: String,
    pub family: KeyFamily,
    pub public_jwk: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

/// An API client and its keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiClient {
    pub client_id: String,
    pub owner: PartyId,
    pub display_name: String,
    pub scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub keys: Vec<ApiClientKey>,
}

/// What the token endpoint needs about a client and the key an assertion names.
#[derive(Debug, Clone)]
pub struct ClientKeyForGrant {
    pub client_id: String,
    pub owner_org_number: Option<String>,
    pub scopes: Vec<String>,
    pub kid: String,
    pub family: KeyFamily,
    pub public_jwk: serde_json::Value,
    pub expires_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    pub client_deleted: bool,
}

/// A request for a system-user token, from `authorization_details`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemUserRequest {
    /// The owner of the system user (never a client of an agent user).
    pub org: OrgNumber,
    /// Defaults to the org number, as in Altinn.
    pub external_ref: String,
}

/// The system user a token is issued for, and the system it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemUserLink {
    pub system_user_id: Uuid,
    pub system_id: String,
    pub vendor_org_number: String,
}

/// The checked claims of a client assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    pub client_id: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    pub scopes: Vec<String>,
    /// Audience(s) the issued token should carry (`resource`), if asked for.
    pub resource: Vec<String>,
    pub system_user: Option<SystemUserRequest>,
}

/// One token endpoint write: the assertion's jti to spend, checked against
/// the client's key as it is now, and the token to record.
#[derive(Debug, Clone)]
pub struct TokenWrite {
    /// The assertion's `jti`, single-use per client.
    pub assertion_jti: String,
    /// Until when the jti must be remembered (the assertion's `exp` plus the skew).
    pub assertion_expires_at: OffsetDateTime,
    /// The client key the assertion was verified with.
    pub kid: String,
    /// The token about to be issued; its space-separated `scope` must still
    /// be allowed to the client.
    pub token: IssuedToken,
}

/// A fact about an issued token (never the token).
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: Uuid,
    pub client_id: String,
    pub system_user_id: Option<Uuid>,
    pub scope: String,
    pub issued_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub jti: String,
}
