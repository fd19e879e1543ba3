//! OpenID Connect types shared by the relying party (portal login) and the
//! built-in test provider: ID-porten's extra claims, and the client type that
//! reads them.

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};

/// The claims ID-porten adds to its ID tokens: `pid` (national identity number)
/// and `sid` (the provider's session id, used for logout).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdportenClaims {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

impl AdditionalClaims for IdportenClaims {}

pub type IdportenIdToken = openidconnect::IdToken<IdportenClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
pub type IdportenIdTokenClaims = openidconnect::IdTokenClaims<IdportenClaims, CoreGenderClaim>;
pub type IdportenTokenResponse = StandardTokenResponse<
    IdTokenFields<IdportenClaims, EmptyExtraTokenFields, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>,
    CoreTokenType,
>;

/// The portal's OIDC client after discovery.
pub type PortalClient = openidconnect::Client<
    IdportenClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    IdportenTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The assurance levels ID-porten uses, lowest first.
pub const ACR_LEVELS: [&str; 2] = ["idporten-loa-substantial", "idporten-loa-high"];
