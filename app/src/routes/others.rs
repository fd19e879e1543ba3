//! "What I can do for others" (`/fullmakter`): every party the signed-in
//! person may act for, other than themselves, with what they hold for it and
//! why, in the reader's language. No party needs to be chosen.

use crate::components::alert::{ErrorAlert, SignInFirst};
use crate::error::AppError;
use crate::functions::others::what_i_can_do_for_others;
use crate::i18n::use_locale;
use leptos::prelude::*;

#[component]
pub fn OthersPage() -> impl IntoView {
    let locale = use_locale();
    let parties = Resource::new(|| (), |_| what_i_can_do_for_others());
    view! {
        <h1 class="text-2xl font-bold">{locale.t("others.title")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("others.intro")}</p>
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match parties.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="ds-alert my-6" data-color="info">
                            <p>{locale.t("others.none")}</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-6 divide-y divide-gray-200 border-y border-gray-200" aria-label=locale.t("others.list_label")>
                            {list.into_iter().map(|p| view! {
                                <li class="py-3">
                                    <h2 class="font-semibold">
                                        {p.name.clone()}
                                        {p.org_number.clone().map(|o| view! {
                                            <span class="ml-2 font-normal text-gray-700">{locale.t("parties.orgno")} " " {o}</span>
                                        })}
                                    </h2>
                                    <ul class="ml-4 mt-1 text-sm">
                                        {p.items.into_iter().map(|i| view! {
                                            <li class="flex flex-wrap items-center gap-2 py-1">
                                                <span>{locale.pick(&i.name)}</span>
                                                <span class="text-gray-700">"← " {i.why.iter().map(|w| w.render(locale)).collect::<Vec<_>>().join("; ")}</span>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::NotSignedIn) => view! { <SignInFirst return_to="/fullmakter"/> }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
