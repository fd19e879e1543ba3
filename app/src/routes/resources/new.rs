//! A new service with its first rule (`/tjenester/ny`), for the access
//! managers of an organisation.

use super::fields::{DetailFields, RuleFields};
use super::form_errors::{ErrorSummary, FormErrors};
use crate::form_flash::{use_server_action, Typed};
use crate::functions::resources::{message, policy_packages, services, CreateService};
use crate::i18n::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn NewServicePage() -> impl IntoView {
    let locale = use_locale();
    let create = use_server_action::<CreateService>();
    let errors = FormErrors::of(create);
    let typed = Typed::of::<CreateService>();
    let party = Resource::new(|| (), |_| services());
    let packages = Resource::new(|| (), |_| policy_packages());
    view! {
        <p><a class="underline" href="/tjenester">{locale.t("resources.back")}</a></p>
        <h1 class="mt-2 text-2xl font-bold">{locale.t("resources.new_title")}</h1>
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || {
                let typed = typed.clone();
                Suspend::new(async move {
                let v = match party.await {
                    Ok(v) => v,
                    Err(e) => return view! { <div role="alert" class="ds-alert my-4" data-color="danger"><p>{message(locale, &e)}</p></div> }.into_any(),
                };
                if v.org_number.is_none() {
                    return view! { <div class="ds-alert my-6" data-color="info"><p>{locale.t("resources.not_organisation")}</p></div> }.into_any();
                }
                if !v.may_manage {
                    return view! { <div role="alert" class="ds-alert my-6" data-color="danger"><p>{locale.t("resources.not_manager")}</p></div> }.into_any();
                }
                let packages = packages.await.unwrap_or_default();
                view! {
                    <p class="mt-2 max-w-prose">{format!("{} {}.", locale.t("resources.new_intro"), v.party_name)}</p>
                    <ErrorSummary errors prefix="new"/>
                    <ActionForm action=create attr:class="mt-4 flex max-w-3xl flex-col gap-4" attr:novalidate=true>
                        <DetailFields errors prefix="new" service=None creating=true typed=typed.clone()/>
                        <fieldset class="ds-fieldset flex flex-col gap-4">
                            <legend class="ds-label text-lg font-semibold">{locale.t("resources.first_rule")}</legend>
                            <RuleFields errors prefix="new" rule=None packages typed=typed.clone()/>
                        </fieldset>
                        <button type="submit" class="ds-button self-start" data-variant="primary">{locale.t("resources.create_button")}</button>
                    </ActionForm>
                }.into_any()
                })
            }}
        </Suspense>
    }
}
