//! Altinn's JSON for system-user requests (`CreateRequestSystemUser`,
//! `RequestSystemResponse`) and its conversion to and from the domain's.

use crate::api::system_register::wire::{right_of, rights, AccessPackage, Right, RESOURCE_ATTRIBUTE};
use crate::problem::Problem;
use axum::http::StatusCode;
use domain::system_user_requests::{RequestForCreate, RequestStatus, SystemUserKind, SystemUserRequest};
use serde::{Deserialize, Serialize};

/// The path of the portal's approval page of a request.
pub const CONFIRM_PATH: &str = "/systembrukere/foresporsel";

/// The body of `POST …/request/vendor` and of `POST …/request/vendor/agent`
/// (Altinn's `CreateAgentRequestSystemUser`, the same without rights).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRequestSystemUser {
    pub system_id: String,
    pub party_org_no: String,
    #[serde(default)]
    pub external_ref: Option<String>,
    #[serde(default)]
    pub integration_title: Option<String>,
    #[serde(default)]
    pub rights: Vec<Right>,
    #[serde(default)]
    pub access_packages: Vec<AccessPackage>,
    #[serde(default)]
    pub redirect_url: Option<String>,
}

impl CreateRequestSystemUser {
    /// The request for a system user of `kind` as the domain takes it, or a
    /// problem with its rights' form. Rights sent for an agent are passed on,
    /// so that the domain refuses them by its rule rather than dropping them.
    pub fn into_domain(self, kind: SystemUserKind) -> Result<RequestForCreate, Problem> {
        let rights = rights(&self.rights).map_err(|_| {
            Problem::new(StatusCode::BAD_REQUEST, "AUTH.VLD-00009", "Invalid right")
                .detail(format!("A right names its resource as {RESOURCE_ATTRIBUTE} and an id."))
        })?;
        Ok(RequestForCreate {
            kind,
            system_id: self.system_id,
            party_org_no: self.party_org_no,
            external_ref: self.external_ref,
            integration_title: self.integration_title,
            rights,
            packages: self.access_packages.into_iter().map(|p| p.urn).collect(),
            redirect_url: self.redirect_url,
        })
    }
}

/// A request as the vendor reads it: Altinn's `RequestSystemResponse`, or
/// for an agent request its `AgentRequestSystemResponse` (no `rights`, but
/// for the single rights Fullmakt lets an agent require).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestSystemResponse {
    pub id: uuid::Uuid,
    pub integration_title: String,
    pub external_ref: String,
    pub system_id: String,
    pub party_org_no: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rights: Option<Vec<Right>>,
    pub access_packages: Vec<AccessPackage>,
    pub status: &'static str,
    pub redirect_url: Option<String>,
    pub confirm_url: String,
    pub escalated: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created: time::OffsetDateTime,
    pub timed_out: bool,
}

impl RequestSystemResponse {
    pub fn of(r: &SystemUserRequest, public_url: &url::Url) -> Self {
        Self {
            id: r.id,
            integration_title: r.integration_title.clone(),
            external_ref: r.external_ref.clone(),
            system_id: r.system_id.clone(),
            party_org_no: r.party_org_no.clone(),
            // An agent request has rights only beyond Altinn (scenario S9).
            rights: (r.kind == SystemUserKind::Standard || !r.rights.is_empty())
                .then(|| r.rights.iter().map(|x| right_of(&x.resource, x.action.as_deref())).collect()),
            access_packages: r.packages.iter().map(|urn| AccessPackage { urn: urn.clone() }).collect(),
            status: r.status.as_str(),
            redirect_url: r.redirect_url.clone(),
            // `?party=` switches the portal to the customer (after login), so
            // the access manager lands on the request without choosing a party.
            confirm_url: format!("{}{CONFIRM_PATH}/{}?party={}", public_url.as_str().trim_end_matches('/'), r.id, r.party_org_no),
            escalated: r.escalated,
            created: r.created_at,
            timed_out: r.status == RequestStatus::Timedout,
        }
    }
}
