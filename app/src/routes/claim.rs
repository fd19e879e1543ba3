//! The invitation's link (`/gjest/<token>`): a guest claims their account.
//! With a national identity number they log in with ID-porten and accept the
//! terms; without one they ask for a one-time code (to the mobile, or else
//! by e-mail), type it and accept the terms. Plain POST forms; nobody need
//! be signed in for the code path.

use crate::components::alert::ErrorAlert;
use crate::components::form::{ErrorSummary, FieldMessage, FormFields};
use crate::error::AppError;
use crate::form_flash::use_server_action;
use crate::functions::claim::{claim_page, ClaimAccount, ClaimPageView, SendClaimCode};
use crate::i18n::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ClaimPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let send = use_server_action::<SendClaimCode>();
    let claim = use_server_action::<ClaimAccount>();
    let form = FormFields::of(claim, &[("one_time_code", "claim-code"), ("terms", "claim-terms")])
        .with_refusals(&[("guest.wrong_person", "terms"), ("guest.login_required", "terms")]);
    // One outcome at a time: a claim clears the banner of the code sent before it.
    Effect::new(move |_| {
        if claim.version().get() > 0 {
            send.value().set(None);
        }
    });
    let page = Resource::new(move || (token(), send.version().get()), |(t, _)| claim_page(t));
    view! {
        <h1 class="text-2xl font-bold">{locale.t("claim.title")}</h1>
        {move || claim.value().get().and_then(Result::ok).map(|c| view! {
            <div role="status" class="ds-alert my-4" data-color="success">
                <p>{locale.t("claim.claimed").replace("{0}", &c.institution_name).replace("{1}", &c.username)}</p>
            </div>
        })}
        {move || send.value().get().map(|r| match r {
            Ok(to) => view! { <div role="status" class="ds-alert my-4" data-color="info"><p>{locale.t("claim.code_sent").replace("{0}", &to)}</p></div> }.into_any(),
            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
        })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let claimed = claim.value().get().is_some_and(|r| r.is_ok());
                match page.await {
                    _ if claimed => ().into_any(),
                    Ok(p) => view! { <ErrorSummary form/><Claim page=p token=token() form claim send/> }.into_any(),
                    Err(AppError::Refused(r)) if r.code() == "guest.link_not_valid" => view! {
                        <div role="alert" class="ds-alert my-4" data-color="warning"><p>{locale.t("refused.guest_link_not_valid")}</p></div>
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Claim(page: ClaimPageView, token: String, form: FormFields, claim: ServerAction<ClaimAccount>, send: ServerAction<SendClaimCode>) -> impl IntoView {
    let locale = use_locale();
    let intro = locale.t("claim.intro").replace("{0}", &page.guest_name).replace("{1}", &page.institution_name).replace("{2}", &page.username);
    let login_href = format!("/auth/login?return=/gjest/{token}");
    let terms_version = page.terms.as_ref().map(|(v, _)| v.to_string()).unwrap_or_default();
    let terms = page.terms.clone().map(|(v, text)| {
        view! {
            <h2 class="mt-8 text-xl font-semibold">{locale.t("claim.terms_title")}</h2>
            <p class="mt-1 text-sm text-gray-700">{locale.t("claim.terms_version").replace("{0}", &v.to_string())}</p>
            <p class="mt-2 max-w-prose whitespace-pre-line" data-testid="claim-terms-text">{locale.pick_or_bokmal(&text)}</p>
        }
    });
    let has_terms = page.terms.is_some();
    let accept = move || {
        has_terms.then(|| {
            view! {
                <div class="ds-field flex items-center gap-2">
                    <input type="checkbox" class="ds-input" id="claim-terms" name="terms" value=terms_version.clone() required
                           aria-invalid=form.aria_invalid("terms") aria-describedby=form.described_by("terms", None)/>
                    <label for="claim-terms" class="ds-label">{locale.t("claim.accept")}</label>
                </div>
                <FieldMessage form field="terms"/>
            }
        })
    };
    let how = if page.by_login {
        match page.signed_in_as.clone() {
            None => view! {
                <p class="mt-6 max-w-prose">{locale.t("claim.login_first")}</p>
                <p class="mt-4"><a rel="external" class="ds-button" data-variant="primary" href=login_href>{locale.t("claim.login")}</a></p>
            }
            .into_any(),
            Some(name) => {
                let claim_token = token.clone();
                view! {
                    <p class="mt-6 max-w-prose">{locale.t("claim.signed_in_as").replace("{0}", &name)}</p>
                    <ActionForm action=claim attr:class="mt-4 flex max-w-xl flex-col gap-4">
                        <input type="hidden" name="token" value=claim_token/>
                        <input type="hidden" name="via" value="login"/>
                        {accept()}
                        <p><button type="submit" class="ds-button" data-variant="primary">{locale.t("claim.submit")}</button></p>
                    </ActionForm>
                }
                .into_any()
            }
        }
    } else {
        let to = page.code_to.clone().unwrap_or_default();
        let send_button = if page.code_sent { locale.t("claim.send_again") } else { locale.t("claim.send_code") };
        let (send_token, claim_token) = (token.clone(), token.clone());
        view! {
            <h2 class="mt-8 text-xl font-semibold">{locale.t("claim.code_title")}</h2>
            <p class="mt-1 max-w-prose">{locale.t("claim.code_intro").replace("{0}", &to)}</p>
            <ActionForm action=send attr:class="mt-3">
                <input type="hidden" name="token" value=send_token/>
                <button type="submit" class="ds-button" data-variant="secondary">{send_button}</button>
            </ActionForm>
            <ActionForm action=claim attr:class="mt-6 flex max-w-xl flex-col gap-4">
                <input type="hidden" name="token" value=claim_token/>
                <input type="hidden" name="via" value="code"/>
                <div class="ds-field flex max-w-xs flex-col">
                    <label for="claim-code" class="ds-label font-semibold">{locale.t("claim.code")}</label>
                    <input id="claim-code" name="one_time_code" class="ds-input" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required
                           aria-invalid=form.aria_invalid("one_time_code") aria-describedby=form.described_by("one_time_code", None)/>
                    <FieldMessage form field="one_time_code"/>
                </div>
                {accept()}
                <p><button type="submit" class="ds-button" data-variant="primary">{locale.t("claim.submit")}</button></p>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <p class="mt-2 max-w-prose">{intro}</p>
        {terms}
        {how}
    }
}
