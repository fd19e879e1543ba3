//! `GET /systembrukere/foresporsel/{id}/videre`: where a system-user
//! request's decision ends. A full page load (not the portal's router), so
//! that it can send the browser on to the vendor's own page, which the
//! request named and the system allowed; otherwise back to the request.

use crate::app_state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

pub async fn after_decision(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Response {
    let back = Redirect::to(&format!("/systembrukere/foresporsel/{}", url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()));
    let Ok(id) = uuid::Uuid::parse_str(&id) else { return back.into_response() };
    let Some(auth) = app::session::signed_in(&session, state.clock.now(), time::Duration::hours(state.config.session_absolute_hours)).await else {
        return back.into_response();
    };
    let party = app::session::chosen_party(&session).await;
    let ctx = state.services().for_person(auth.person, auth.name, party, None);
    match domain::system_user_requests::approval::after_decision(&ctx, id).await {
        Ok(Some(url)) => Redirect::to(&url).into_response(),
        _ => back.into_response(),
    }
}
