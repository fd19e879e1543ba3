//! The list of the services (`/tjenester`) the party acted for owns, with a
//! link to each and to a new one.

use crate::functions::resources::{message, services};
use crate::i18n::use_locale;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ServicesPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let list = Resource::new(|| (), |_| services());
    view! {
        <h1 class="text-2xl font-bold">{locale.t("resources.title")}</h1>
        {move || query.read().get("slettet").map(|_| view! {
            <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("resources.deleted")}</p></div>
        })}
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(v) => {
                        let intro = format!("{} {}.", locale.t("resources.intro"), v.party_name);
                        view! {
                            <p class="mt-2 max-w-prose">{intro}</p>
                            {match (v.org_number.is_some(), v.services.is_empty()) {
                                (false, _) => view! { <div class="ds-alert my-6" data-color="info"><p>{locale.t("resources.not_organisation")}</p></div> }.into_any(),
                                (true, true) => view! { <div class="ds-alert my-6" data-color="info"><p>{locale.t("resources.none")}</p></div> }.into_any(),
                                (true, false) => view! {
                                    <ul class="mt-6 divide-y divide-gray-200 border-y border-gray-200" aria-label=locale.t("resources.list_label")>
                                        {v.services.into_iter().map(|s| view! {
                                            <li class="py-3">
                                                <a class="font-semibold underline" href=format!("/tjenester/{}", s.id)>{locale.pick(&s.title)}</a>
                                                <p class="text-sm text-gray-700">
                                                    <code>{s.id.clone()}</code> " · " {s.resource_type.clone()} " · "
                                                    {format!("{} {}", s.rules, locale.t("resources.rules_count"))}
                                                </p>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                            }}
                            {(v.org_number.is_some() && v.may_manage).then(|| view! {
                                <p class="mt-6"><a class="ds-button" data-variant="primary" href="/tjenester/ny">{locale.t("resources.new")}</a></p>
                            })}
                            {(v.org_number.is_some() && !v.may_manage).then(|| view! {
                                <p class="mt-6">{locale.t("resources.not_manager")}</p>
                            })}
                        }.into_any()
                    }
                    Err(e) => view! { <div role="alert" class="ds-alert my-4" data-color="danger"><p>{message(locale, &e)}</p></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}
