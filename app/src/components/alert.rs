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

/// An informational message.
#[component]
pub fn InfoAlert(children: Children) -> impl IntoView {
    view! {
        <div class="ds-alert my-4" data-color="info">
            {children()}
        </div>
    }
}
