//! Where a failed login ends: a readable reason, never the technical details.

use crate::i18n::use_locale;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginFailedPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let reason = move || match query.read().get("reason").as_deref() {
        Some("state") => locale.t("loginfailed.state"),
        Some("provider") => locale.t("loginfailed.provider"),
        Some("token") => locale.t("loginfailed.token"),
        Some("person") => locale.t("loginfailed.person"),
        Some("synthetic") => locale.t("loginfailed.synthetic"),
        Some("denied") => locale.t("loginfailed.denied"),
        _ => locale.t("loginfailed.unknown"),
    };
    view! {
        <h1 class="text-2xl font-bold">{locale.t("loginfailed.title")}</h1>
        <div role="alert" class="ds-alert my-4" data-color="danger"><p data-testid="login-error">{reason}</p></div>
        <p><a rel="external" href="/auth/login" class="ds-button" data-variant="primary">{locale.t("loginfailed.retry")}</a></p>
    }
}
