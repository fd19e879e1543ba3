use crate::i18n::use_locale;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let locale = use_locale();
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <h1 class="text-2xl font-bold">{locale.t("notfound.title")}</h1>
        <p class="mt-4"><a href="/" class="underline">{locale.t("notfound.home")}</a></p>
    }
}
