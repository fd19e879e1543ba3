//! Messages shown at the top of a page.

use crate::error::AppError;
use crate::i18n::use_locale;
use leptos::prelude::*;

/// An error in the person's language, announced to screen readers.
#[component]
pub fn ErrorAlert(error: AppError) -> impl IntoView {
    let text = error.message(use_locale());
    view! {
        <div role="alert" class="ds-alert my-4" data-color="danger">
            <p>{text}</p>
        </div>
    }
}

/// For a page that needs a signed-in person: says so, and offers to log in
/// and come back to `return_to`.
#[component]
pub fn SignInFirst(return_to: &'static str) -> impl IntoView {
    let locale = use_locale();
    view! {
        <p class="mt-6">{locale.t("error.not_signed_in")}</p>
        <p class="mt-4"><a rel="external" class="ds-button" data-variant="primary" href=format!("/auth/login?return={return_to}")>{locale.t("header.login")}</a></p>
    }
}

/// An informational message.
#[component]
pub fn InfoAlert(children: Children) -> impl IntoView {
    view! {
        <div class="ds-alert my-4" data-color="info">
            {children()}
        </div>
    }
}
