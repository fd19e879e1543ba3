//! "Who has access to <party>": everyone who holds something for the party
//! acted for, what and why; give a package to a person; revoke a grant after
//! confirming. Every form works without JavaScript.

use crate::components::alert::ErrorAlert;
use crate::functions::access::{assignable_packages, who_has_access, GiveAccess, RevokeAccess};
use crate::i18n::{use_locale, Locale};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn pick(locale: Locale, names: &[String; 3]) -> String {
    names[match locale {
        Locale::Nb => 0,
        Locale::Nn => 1,
        Locale::En => 2,
    }]
    .clone()
}

#[component]
pub fn AccessPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let give = ServerAction::<GiveAccess>::new();
    let revoke = ServerAction::<RevokeAccess>::new();
    let holders = Resource::new(move || (give.version().get(), revoke.version().get()), |_| who_has_access());
    let packages = Resource::new(|| (), |_| assignable_packages());
    let confirm = move || query.read().get("revoke");

    view! {
        <h1 class="text-2xl font-bold">{locale.t("access.title")}</h1>
        {move || give.value().get().map(|r| match r {
            Ok(()) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("access.given")}</p></div> }.into_any(),
            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
        })}
        {move || revoke.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorAlert error=e/> })}
        {move || confirm().map(|grant| view! {
            <div class="ds-alert my-4" data-color="warning">
                <p>{locale.t("access.confirm_revoke")}</p>
                <div class="mt-2 flex gap-2">
                    <ActionForm action=revoke>
                        <input type="hidden" name="grant" value=grant/>
                        <button type="submit" class="ds-button" data-variant="primary">{locale.t("access.revoke_confirm_button")}</button>
                    </ActionForm>
                    <a href="/tilganger" class="ds-button" data-variant="secondary">{locale.t("access.cancel")}</a>
                </div>
            </div>
        })}
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match holders.await {
                    Ok(list) if list.is_empty() => view! { <p class="mt-6">{locale.t("access.none")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-6 divide-y divide-gray-200 border-y border-gray-200" aria-label=locale.t("access.list_label")>
                            {list.into_iter().map(|h| view! {
                                <li class="py-3">
                                    <h2 class="font-semibold">{h.name.clone()}</h2>
                                    <ul class="ml-4 mt-1 text-sm">
                                        {h.items.into_iter().map(|i| {
                                            let label = format!("{} {} – {}", locale.t("access.revoke"), i.what, h.name);
                                            view! {
                                                <li class="flex flex-wrap items-center gap-2 py-1">
                                                    <code>{i.what.clone()}</code>
                                                    <span class="text-gray-700">"← " {i.why.iter().map(|w| w.render(locale)).collect::<Vec<_>>().join("; ")}</span>
                                                    {i.grant.map(|g| view! {
                                                        <a class="underline" href=format!("/tilganger?revoke={g}") aria-label=label>{locale.t("access.revoke")}</a>
                                                    })}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
        <h2 class="mt-8 text-xl font-bold">{locale.t("access.give_title")}</h2>
        <ActionForm action=give attr:class="mt-4 flex max-w-md flex-col gap-3">
            <div class="flex flex-col">
                <label for="give-nin" class="font-semibold">{locale.t("access.nin")}</label>
                <input id="give-nin" name="national_id" class="ds-input" inputmode="numeric" autocomplete="off" maxlength="11" required/>
            </div>
            <div class="flex flex-col">
                <label for="give-surname" class="font-semibold">{locale.t("access.surname")}</label>
                <input id="give-surname" name="surname" class="ds-input" autocomplete="off" maxlength="100" required/>
            </div>
            <div class="flex flex-col">
                <label for="give-package" class="font-semibold">{locale.t("access.package")}</label>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let options = packages.await.unwrap_or_default();
                        view! {
                            <select id="give-package" name="package" class="ds-input" required>
                                {options.into_iter().map(|p| {
                                    let text = format!("{} – {}", pick(locale, &p.area), pick(locale, &p.name));
                                    view! { <option value=p.code>{text}</option> }
                                }).collect_view()}
                            </select>
                        }
                    })}
                </Suspense>
            </div>
            <button type="submit" class="ds-button self-start" data-variant="primary">{locale.t("access.give_button")}</button>
        </ActionForm>
    }
}
