//! "Velg aktør": choose the party to act for, with search. Works without
//! JavaScript: the search is a GET form, each choice a POST form.

use crate::components::alert::{ErrorAlert, SignInFirst};
use crate::error::AppError;
use crate::form_flash::use_server_action;
use crate::functions::parties::{list_parties, ChooseParty};
use crate::i18n::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ChoosePartyPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let search = move || query.read().get("q").unwrap_or_default();
    let deep_link_refused = move || query.read().get("error").as_deref() == Some("not_allowed");
    let choose = use_server_action::<ChooseParty>();
    let parties = Resource::new(search, |q| list_parties(if q.is_empty() { None } else { Some(q) }));

    view! {
        <h1 class="text-2xl font-bold">{locale.t("parties.title")}</h1>
        <Show when=deep_link_refused>
            <ErrorAlert error=AppError::NotAllowed/>
        </Show>
        {move || choose.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorAlert error=e/> })}
        <form method="get" action="/velg-aktor" role="search" class="mt-6 flex flex-wrap items-end gap-2">
            <div class="flex flex-col">
                <label for="party-search" class="font-semibold">{locale.t("parties.search_label")}</label>
                <input id="party-search" name="q" type="search" class="ds-input" value=search maxlength="100"/>
            </div>
            <button type="submit" class="ds-button" data-variant="secondary">{locale.t("parties.search_button")}</button>
        </form>
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match parties.await {
                    Ok(list) if list.is_empty() => view! { <p class="mt-6">{locale.t("parties.none")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-6 divide-y divide-gray-200 border-y border-gray-200" aria-label=locale.t("parties.list_label")>
                            {list.into_iter().map(|p| {
                                let id = p.id.clone();
                                let button_label = format!("{} {}", locale.t("parties.choose"), p.name);
                                view! {
                                    <li class="flex flex-wrap items-center justify-between gap-3 py-3">
                                        <div>
                                            <span class="font-semibold">{p.name.clone()}</span>
                                            {p.org_number.clone().map(|o| view! { <span class="ml-2 text-gray-700">{locale.t("parties.orgno")} " " {o}</span> })}
                                            <span class="ml-2 text-sm text-gray-700">
                                                {if p.is_person { locale.t("parties.yourself").to_string() } else { p.reasons.join(", ") }}
                                            </span>
                                        </div>
                                        <ActionForm action=choose>
                                            <input type="hidden" name="party" value=id/>
                                            <button type="submit" class="ds-button" data-variant="primary" data-size="sm" aria-label=button_label>
                                                {locale.t("parties.choose")}
                                            </button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::NotSignedIn) => view! { <SignInFirst return_to="/velg-aktor"/> }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
