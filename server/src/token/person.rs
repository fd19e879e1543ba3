//! Tokens for people, issued by the token exchange
//! (`GET /authentication/api/v1/exchange/id-porten`, see
//! [`crate::api::token_exchange`]): a person signed in at the OpenID Connect
//! provider gets a token of ours for the client-delegation API, as Altinn
//! exchanges an ID-porten token for an Altinn token.
//!
//! The token names the person (`pid`, and the party id as Altinn's
//! `urn:altinn:party:uuid`), the client at the provider it was exchanged for
//! (`client_id`) and the scopes asked for. What the person may do with it is
//! decided per request by the domain, from what the person holds then; the
//! token itself grants nothing.

use super::{jws, TokenService};
use serde_json::json;

/// The scopes a person's token may carry.
pub const PERSON_SCOPES: [&str; 2] = [crate::api::client_delegations::READ, crate::api::client_delegations::WRITE];

/// What a person's token says.
#[derive(Debug, Clone)]
pub struct PersonToken<'a> {
    /// The client at the provider the ID token was issued to.
    pub client_id: &'a str,
    /// National identity number.
    pub pid: &'a str,
    pub party: uuid::Uuid,
    /// The provider's `acr` of the login.
    pub acr: &'a str,
    pub scopes: &'a [&'a str],
}

impl TokenService {
    /// Signs a person's token; returns it and its lifetime in seconds.
    pub fn issue_person_token(&self, t: &PersonToken<'_>) -> Option<(String, i64)> {
        let now = self.clock.now().unix_timestamp();
        let lifetime = self.settings.lifetime.whole_seconds();
        let claims = json!({
            "iss": self.settings.issuer,
            "client_id": t.client_id,
            "token_type": "Bearer",
            "scope": t.scopes.join(" "),
            "iat": now,
            "exp": now + lifetime,
            "jti": uuid::Uuid::new_v4().to_string(),
            "pid": t.pid,
            "acr": t.acr,
            "urn:altinn:party:uuid": t.party,
        });
        let keys = self.keys();
        let signer = keys.signer.clone();
        let header = json!({"alg": signer.alg.as_str(), "typ": "JWT", "kid": signer.kid});
        Some((jws::encode(&header, &claims, |m| signer.sign(m))?, lifetime))
    }
}
