//! Log in as a guest (`/gjest-innlogging`), for guests without a national
//! identity number: one plain POST form sends a one-time code to the
//! guest's e-mail address (or mobile), another logs in with the address and
//! the code and leads to `/meg`. Guests with a national identity number are
//! pointed to ID-porten.

use crate::components::form::{ErrorSummary, FormFields, TextField};
use crate::form_flash::{clears_others, use_server_action};
use crate::functions::guest_login::{GuestLogIn, SendGuestLoginCode};
use crate::i18n::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn GuestLoginPage() -> impl IntoView {
    let locale = use_locale();
    let send = use_server_action::<SendGuestLoginCode>();
    let log_in = use_server_action::<GuestLogIn>();
    let send_form = FormFields::of(send, &[("email", "code-email")]);
    let login_form =
        FormFields::of(log_in, &[("email", "login-email"), ("one_time_code", "login-code")]).with_refusals(&[("guest.login_code_ended", "one_time_code")]);
    clears_others!(send, log_in);
    clears_others!(log_in, send);
    view! {
        <h1 class="text-2xl font-bold">{locale.t("guest_login.title")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("guest_login.intro")}</p>
        <p class="mt-2 max-w-prose">
            {locale.t("guest_login.with_nin")}" "
            <a rel="external" class="underline" href="/auth/login?return=/meg">{locale.t("guest_login.idporten")}</a>
        </p>
        {move || send.value().get().and_then(Result::ok).map(|()| view! {
            <div role="status" class="ds-alert my-4" data-color="info"><p>{locale.t("guest_login.code_sent")}</p></div>
        })}
        <ErrorSummary form=send_form/>
        <ErrorSummary form=login_form/>
        <h2 class="mt-8 text-xl font-semibold">{locale.t("guest_login.send_title")}</h2>
        <ActionForm action=send attr:class="mt-3 flex max-w-xl flex-col gap-4">
            <TextField form=send_form field="email" label="guest_login.email" kind="email" autocomplete="email" required=true/>
            <p><button type="submit" class="ds-button" data-variant="secondary">{locale.t("guest_login.send")}</button></p>
        </ActionForm>
        <h2 class="mt-8 text-xl font-semibold">{locale.t("guest_login.login_title")}</h2>
        <ActionForm action=log_in attr:class="mt-3 flex max-w-xl flex-col gap-4">
            <TextField form=login_form field="email" label="guest_login.email" kind="email" autocomplete="email" required=true/>
            <TextField form=login_form field="one_time_code" label="guest_login.code" help="guest_login.code_help" autocomplete="one-time-code" required=true/>
            <p><button type="submit" class="ds-button" data-variant="primary">{locale.t("guest_login.submit")}</button></p>
        </ActionForm>
    }
}
