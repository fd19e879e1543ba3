//! A vendor's request for a system user, as the customer's people see and
//! decide it (`/systembrukere/foresporsel/<id>`), and the party's pending
//! requests. Thin adapters over `domain::system_user_requests::approval`,
//! which decides who may see, approve, reject or forward what.
//!
//! Approve and reject end with a redirect: to `…/<id>/videre`, which sends
//! the browser on to the vendor's own (validated) page when the request
//! names one, else back to the request.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A text in bokmål, nynorsk and English, shown in the reader's language.
pub type Texts = [String; 3];

/// A package or single right of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    pub name: Texts,
    pub description: Texts,
    /// For a single right: its action, or `None` for every action.
    pub action: Option<String>,
    /// Whether the viewer may pass it on (shown to those who may approve).
    pub can_delegate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: String,
    pub system_name: Texts,
    pub system_description: Texts,
    /// The vendor's name, or its organisation number when the register has no name.
    pub vendor: String,
    pub integration_title: String,
    /// For an agent system user, to act for the customer's clients.
    pub agent: bool,
    /// `New`, `Accepted`, `Rejected`, `Denied` or `Timedout`.
    pub status: String,
    pub escalated: bool,
    pub created: String,
    pub packages: Vec<ItemView>,
    pub rights: Vec<ItemView>,
    pub may_approve: bool,
    pub may_forward: bool,
}

/// A pending request in the party's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingView {
    pub id: String,
    pub integration_title: String,
    pub escalated: bool,
    pub created: String,
    /// A change to a system user the party has, rather than a request for a new one.
    pub change: bool,
    /// A request for an agent system user (to act for the party's clients).
    pub agent: bool,
}

impl PendingView {
    /// The page where the access manager decides it.
    pub fn href(&self) -> String {
        if self.change {
            format!("/systembrukere/endring/{}", self.id)
        } else {
            format!("/systembrukere/foresporsel/{}", self.id)
        }
    }
}

#[cfg(feature = "ssr")]
fn texts(t: &domain::system_register::Translated) -> Texts {
    [t.nb.clone(), t.nn.clone(), t.en.clone()]
}

#[cfg(feature = "ssr")]
fn request_id(id: &str) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::Refused(domain::error::Refusal::RequestNotFound))
}

/// The request `id` of the party acted for.
#[server(prefix = "/api", endpoint = "system_user_request")]
pub async fn system_user_request(id: String) -> Result<RequestView, AppError> {
    use crate::functions::ssr::{moment, party_context};
    let ctx = party_context().await?;
    let r = domain::system_user_requests::approval::for_customer(&ctx, request_id(&id)?).await.map_err(domain::error::Failure::from)?;
    Ok(RequestView {
        id: r.request.id.to_string(),
        vendor: r.vendor_name.clone().unwrap_or_else(|| r.request.vendor.clone()),
        system_name: texts(&r.system_name),
        system_description: texts(&r.system_description),
        integration_title: r.request.integration_title.clone(),
        agent: r.request.kind == domain::system_user_requests::SystemUserKind::Agent,
        status: r.request.status.as_str().to_string(),
        escalated: r.request.escalated,
        created: moment(r.request.created_at),
        packages: r
            .packages
            .iter()
            .map(|p| ItemView { name: texts(&p.name), description: texts(&p.description), action: None, can_delegate: p.can_delegate })
            .collect(),
        rights: r
            .rights
            .iter()
            .map(|x| ItemView { name: texts(&x.title), description: Default::default(), action: x.action.clone(), can_delegate: x.can_delegate })
            .collect(),
        may_approve: r.may_approve,
        may_forward: r.may_forward,
    })
}

/// The new requests of the party acted for, forwarded ones first, then the
/// changes waiting for a decision; for its access managers.
#[server(prefix = "/api", endpoint = "pending_system_user_requests")]
pub async fn pending_system_user_requests() -> Result<Vec<PendingView>, AppError> {
    use crate::functions::ssr::{moment, party_context};
    use domain::system_user_requests::{approval, change};
    let ctx = party_context().await?;
    let requests = approval::pending(&ctx).await.map_err(domain::error::Failure::from)?;
    let changes = change::pending(&ctx).await.map_err(domain::error::Failure::from)?;
    let requests = requests.into_iter().map(|r| PendingView {
        id: r.id.to_string(),
        integration_title: r.integration_title,
        escalated: r.escalated,
        created: moment(r.created_at),
        change: false,
        agent: r.kind == domain::system_user_requests::SystemUserKind::Agent,
    });
    let changes = changes.into_iter().map(|c| PendingView {
        id: c.id.to_string(),
        integration_title: c.integration_title,
        escalated: false,
        created: moment(c.created_at),
        change: true,
        agent: false,
    });
    Ok(requests.chain(changes).collect())
}

/// Approves the request: the system user is created with everything asked for.
#[server(prefix = "/api", endpoint = "approve_system_user_request")]
pub async fn approve_system_user_request(id: String) -> Result<(), AppError> {
    use crate::functions::ssr::party_context;
    let ctx = party_context().await?;
    let request = domain::system_user_requests::approval::approve(&ctx, request_id(&id)?).await.map_err(domain::error::Failure::from)?;
    leptos_axum::redirect(&format!("/systembrukere/foresporsel/{}/videre", request.id));
    Ok(())
}

/// Rejects the request.
#[server(prefix = "/api", endpoint = "reject_system_user_request")]
pub async fn reject_system_user_request(id: String) -> Result<(), AppError> {
    use crate::functions::ssr::party_context;
    let ctx = party_context().await?;
    let request = domain::system_user_requests::approval::reject(&ctx, request_id(&id)?).await.map_err(domain::error::Failure::from)?;
    leptos_axum::redirect(&format!("/systembrukere/foresporsel/{}/videre", request.id));
    Ok(())
}

/// Forwards the request to the party's access managers.
#[server(prefix = "/api", endpoint = "forward_system_user_request")]
pub async fn forward_system_user_request(id: String) -> Result<(), AppError> {
    use crate::functions::ssr::party_context;
    let ctx = party_context().await?;
    domain::system_user_requests::approval::forward(&ctx, request_id(&id)?).await.map_err(domain::error::Failure::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::PendingView;

    #[test]
    fn a_pending_change_leads_to_the_change_page_and_a_request_to_the_request_page() {
        let mut p = PendingView { id: "abc".into(), integration_title: "Lønn".into(), escalated: false, created: String::new(), change: false, agent: false };
        assert_eq!(p.href(), "/systembrukere/foresporsel/abc");
        p.change = true;
        assert_eq!(p.href(), "/systembrukere/endring/abc");
    }
}
