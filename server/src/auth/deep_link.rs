//! Deep links that name the party to act for: `?party=<org number>` on any page
//! switches to that party when the signed-in person may act for it, and refuses
//! clearly when not. Signed-out visitors are sent to log in first and come back.

use crate::app_state::AppState;
use app::session::{AuthSession, AUTH_KEY, PARTY_KEY};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::authorized_parties::{choose_acting_party_by_number, ActingPartyError};
use tower_sessions::Session;

pub async fn middleware(State(state): State<AppState>, session: Session, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || req.uri().path().starts_with("/api/") || req.uri().path().starts_with("/pkg/") {
        return next.run(req).await;
    }
    let Some(query) = req.uri().query() else { return next.run(req).await };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let Some(requested) = pairs.iter().find(|(k, _)| k == "party").map(|(_, v)| v.clone()) else {
        return next.run(req).await;
    };
    let path = req.uri().path().to_string();
    let rest: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != "party").collect();
    let without_party =
        if rest.is_empty() { path.clone() } else { format!("{path}?{}", url::form_urlencoded::Serializer::new(String::new()).extend_pairs(rest).finish()) };
    let auth: Option<AuthSession> = session.get(AUTH_KEY).await.ok().flatten();
    let Some(auth) = auth else {
        let back = format!("{}{}", req.uri().path(), req.uri().query().map(|q| format!("?{q}")).unwrap_or_default());
        let encoded = url::form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>();
        return Redirect::to(&format!("/auth/login?return={encoded}")).into_response();
    };
    let refused = || Redirect::to("/velg-aktor?error=not_allowed").into_response();
    let ctx = state.services().for_person(auth.person, auth.name.clone(), None, crate::security::request_id(req.headers()));
    match choose_acting_party_by_number(&ctx, &requested).await {
        Ok(party) => {
            if session.insert(PARTY_KEY, party.party.id).await.is_err() {
                return refused();
            }
            Redirect::to(&without_party).into_response()
        }
        Err(ActingPartyError::NotAllowed | ActingPartyError::UnknownPerson) => {
            tracing::info!(person = %auth.person, requested, "deep link to a party the person may not act for");
            refused()
        }
        Err(e) => {
            tracing::error!(error = %e, "deep link party check failed");
            refused()
        }
    }
}
