//! The configured OpenID Connect provider: discovered lazily (the built-in test
//! provider is served by this very process, which is not listening yet at start),
//! and re-discovered after a failure.

use crate::oidc::PortalClient;
use openidconnect::{ClientId, ClientSecret, IssuerUrl, LogoutRequest, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl};
use tokio::sync::RwLock;

/// How the portal authenticates itself at the provider's token endpoint.
#[derive(Debug, Clone)]
pub enum ClientAuth {
    /// client_secret_basic
    Secret(String),
    /// private_key_jwt, with the provider's issuer as audience
    PrivateKeyJwt(crate::client_assertion::SigningKey),
}

pub struct Provider {
    issuer: String,
    client_id: String,
    auth: ClientAuth,
    redirect_url: String,
    post_logout_url: String,
    http: openidconnect::reqwest::Client,
    discovered: RwLock<Option<(PortalClient, Option<openidconnect::EndSessionUrl>)>>,
}

impl Provider {
    pub fn new(issuer: String, client_id: String, auth: ClientAuth, public_url: &url::Url) -> anyhow::Result<Self> {
        let base = public_url.as_str().trim_end_matches('/');
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects from a provider would let it steer our requests (SSRF).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        Ok(Self {
            issuer,
            client_id,
            auth,
            redirect_url: format!("{base}/auth/callback"),
            post_logout_url: format!("{base}/"),
            http,
            discovered: RwLock::new(None),
        })
    }

    pub fn http(&self) -> &openidconnect::reqwest::Client {
        &self.http
    }

    pub fn redirect_url(&self) -> &str {
        &self.redirect_url
    }

    pub fn post_logout_url(&self) -> &str {
        &self.post_logout_url
    }

    /// The client, discovering the provider on first use.
    pub async fn client(&self) -> anyhow::Result<PortalClient> {
        if let Some((c, _)) = self.discovered.read().await.as_ref() {
            return Ok(c.clone());
        }
        let metadata = ProviderMetadataWithLogout::discover_async(IssuerUrl::new(self.issuer.clone())?, &self.http).await?;
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let client = PortalClient::from_provider_metadata(
            metadata,
            ClientId::new(self.client_id.clone()),
            match &self.auth {
                ClientAuth::Secret(s) => Some(ClientSecret::new(s.clone())),
                ClientAuth::PrivateKeyJwt(_) => None,
            },
        )
        .set_redirect_uri(RedirectUrl::new(self.redirect_url.clone())?);
        *self.discovered.write().await = Some((client.clone(), end_session));
        Ok(client)
    }

    /// A fresh client assertion when the portal uses private_key_jwt.
    pub fn client_assertion(&self, now: i64) -> anyhow::Result<Option<String>> {
        match &self.auth {
            ClientAuth::Secret(_) => Ok(None),
            ClientAuth::PrivateKeyJwt(key) => Ok(Some(key.assertion(&self.client_id, &self.issuer, now)?)),
        }
    }

    /// Where to send the browser to end the provider session, if it supports it.
    pub async fn end_session_url(&self, id_token: &str) -> Option<url::Url> {
        let _ = self.client().await.ok()?;
        let guard = self.discovered.read().await;
        let end = guard.as_ref()?.1.clone()?;
        let hint: crate::oidc::IdportenIdToken = id_token.parse().ok()?;
        let req = LogoutRequest::from(end)
            .set_id_token_hint(&hint)
            .set_client_id(ClientId::new(self.client_id.clone()))
            .set_post_logout_redirect_uri(PostLogoutRedirectUrl::new(self.post_logout_url.clone()).ok()?);
        Some(req.http_get_url())
    }
}
