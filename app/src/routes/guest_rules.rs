//! The institution's rules for guests (`/gjesteregler`), for its access
//! managers: the policy for short-term guests (a plain POST form, each field
//! showing the value in force) and the terms a guest accepts: the version in
//! force, in the reader's language, and a form that publishes a new version
//! in all three languages.

use crate::components::alert::ErrorAlert;
use crate::components::form::{ErrorSummary, FieldMessage, FormFields, TextField};
use crate::error::AppError;
use crate::form_flash::{clears_others, use_server_action};
use crate::functions::guest_rules::{guest_rules_page, PolicyView, PublishGuestTerms, SaveGuestPolicy, TermsView};
use crate::i18n::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn GuestRulesPage() -> impl IntoView {
    let locale = use_locale();
    let save = use_server_action::<SaveGuestPolicy>();
    let publish = use_server_action::<PublishGuestTerms>();
    let policy_form = FormFields::of(
        save,
        &[
            ("max_days", "policy-max-days"),
            ("invite_days_before", "policy-invite-days"),
            ("notice_days", "policy-notice-days"),
            ("claim_link_days", "policy-claim-link-days"),
            ("code_attempts", "policy-code-attempts"),
            ("retention_days", "policy-retention-days"),
            ("username_prefix", "policy-username-prefix"),
        ],
    );
    let terms_form = FormFields::of(publish, &[("text_nb", "terms-nb"), ("text_nn", "terms-nn"), ("text_en", "terms-en")]);
    clears_others!(save, publish);
    clears_others!(publish, save);
    let page = Resource::new(move || (save.version().get(), publish.version().get()), |_| guest_rules_page());
    view! {
        <h1 class="text-2xl font-bold">{locale.t("guest_rules.title")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("guest_rules.intro")}</p>
        {move || save.value().get().and_then(Result::ok).map(|()| view! {
            <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("guest_rules.saved")}</p></div>
        })}
        {move || publish.value().get().and_then(Result::ok).map(|version| view! {
            <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("guest_rules.published").replace("{0}", &version.to_string())}</p></div>
        })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! {
                        <ErrorSummary form=policy_form/>
                        <ErrorSummary form=terms_form/>
                        <h2 class="mt-8 text-xl font-semibold">{locale.t("guest_rules.policy_title")}</h2>
                        <p class="mt-1 max-w-prose">
                            {match &p.role {
                                Some(role) => locale.t("guest_rules.role").replace("{0}", &locale.pick_or_bokmal(role)),
                                None => locale.t("guest_rules.no_role").to_string(),
                            }}
                        </p>
                        <PolicyForm save form=policy_form policy=p.policy/>
                        <h2 class="mt-10 text-xl font-semibold">{locale.t("guest_rules.terms_title")}</h2>
                        <Terms terms=p.terms.clone()/>
                        <h3 class="mt-6 text-lg font-semibold">{locale.t("guest_rules.publish_title")}</h3>
                        <p class="mt-1 max-w-prose">{locale.t("guest_rules.publish_intro")}</p>
                        <TermsForm publish form=terms_form terms=p.terms/>
                    }.into_any(),
                    Err(AppError::NotAllowed) => view! {
                        <div role="alert" class="ds-alert my-4" data-color="warning"><p>{locale.t("guest_rules.only_access_managers")}</p></div>
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PolicyForm(save: ServerAction<SaveGuestPolicy>, form: FormFields, policy: PolicyView) -> impl IntoView {
    let locale = use_locale();
    view! {
        <ActionForm action=save attr:class="mt-4 flex max-w-3xl flex-col gap-5">
            <TextField form field="max_days" label="guest_rules.max_days" help="guest_rules.max_days_help" kind="number" required=true
                       min="1".to_string() max="366".to_string() value=policy.max_days/>
            <TextField form field="invite_days_before" label="guest_rules.invite_days_before" help="guest_rules.invite_days_before_help" kind="number"
                       min="0".to_string() max="90".to_string() value=policy.invite_days_before/>
            <TextField form field="notice_days" label="guest_rules.notice_days" help="guest_rules.notice_days_help" value=policy.notice_days/>
            <TextField form field="claim_link_days" label="guest_rules.claim_link_days" help="guest_rules.claim_link_days_help" kind="number" required=true
                       min="1".to_string() max="30".to_string() value=policy.claim_link_days/>
            <TextField form field="code_attempts" label="guest_rules.code_attempts" help="guest_rules.code_attempts_help" kind="number" required=true
                       min="1".to_string() max="10".to_string() value=policy.code_attempts/>
            <TextField form field="retention_days" label="guest_rules.retention_days" help="guest_rules.retention_days_help" kind="number" required=true
                       min="0".to_string() max="3660".to_string() value=policy.retention_days/>
            <TextField form field="username_prefix" label="guest_rules.username_prefix" help="guest_rules.username_prefix_help" value=policy.username_prefix/>
            <p><button type="submit" class="ds-button" data-variant="primary">{locale.t("guest_rules.save")}</button></p>
        </ActionForm>
    }
}

#[component]
fn Terms(terms: Option<TermsView>) -> impl IntoView {
    let locale = use_locale();
    match terms {
        None => view! { <p class="mt-2 max-w-prose">{locale.t("guest_rules.no_terms")}</p> }.into_any(),
        Some(t) => view! {
            <p class="mt-2" data-testid="terms-version">
                {locale.t("guest_rules.version").replace("{0}", &t.version.to_string()).replace("{1}", &t.published_at)}
            </p>
            <blockquote class="mt-2 max-w-prose whitespace-pre-line border-l-4 border-gray-300 pl-4">{locale.pick_or_bokmal(&t.text)}</blockquote>
        }
        .into_any(),
    }
}

/// One language's text of the terms: a text area holding what was typed,
/// else the version in force.
#[component]
fn TermsText(form: FormFields, field: &'static str, id: &'static str, label: &'static str, current: String) -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="ds-field flex flex-col">
            <label for=id class="ds-label font-semibold">{locale.t(label)}</label>
            <textarea id=id name=field class="ds-input" rows="6" required
                      aria-invalid=form.aria_invalid(field) aria-describedby=form.described_by(field, None)>
                {form.typed_value(field).unwrap_or(current)}
            </textarea>
            <FieldMessage form field/>
        </div>
    }
}

#[component]
fn TermsForm(publish: ServerAction<PublishGuestTerms>, form: FormFields, terms: Option<TermsView>) -> impl IntoView {
    let locale = use_locale();
    let [nb, nn, en] = terms.map(|t| t.text).unwrap_or_default();
    view! {
        <ActionForm action=publish attr:class="mt-4 flex max-w-3xl flex-col gap-5">
            <TermsText form field="text_nb" id="terms-nb" label="guest_rules.text_nb" current=nb/>
            <TermsText form field="text_nn" id="terms-nn" label="guest_rules.text_nn" current=nn/>
            <TermsText form field="text_en" id="terms-en" label="guest_rules.text_en" current=en/>
            <p><button type="submit" class="ds-button" data-variant="primary">{locale.t("guest_rules.publish")}</button></p>
        </ActionForm>
    }
}
