//! The front page: what Fullmakt is when signed out; where you are when signed in.

use crate::functions::session::session_info;
use crate::i18n::use_locale;
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let locale = use_locale();
    let info = Resource::new(|| (), |_| session_info());
    view! {
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(Some(s)) => view! {
                        <h1 class="text-3xl font-bold">{locale.t("home.welcome")} " " {s.name.clone()}</h1>
                        {match s.party {
                            Some(p) => view! {
                                <p class="mt-4" data-testid="home-acting-for">{locale.t("home.acting_for")} " " <strong>{p.name}</strong>
                                    {p.org_number.map(|o| format!(" ({o})"))}</p>
                                <ul class="mt-6 list-disc pl-6">
                                    <li><a class="underline" href="/velg-aktor">{locale.t("header.switch_party")}</a></li>
                                    <li><a class="underline" href="/tilganger">{locale.t("home.access_link")}</a></li>
                                    <li><a class="underline" href="/logg">{locale.t("home.audit_link")}</a></li>
                                    <li><a class="underline" href="/roller">{locale.t("home.user_roles_link")}</a></li>
                                    <li><a class="underline" href="/api-klienter">{locale.t("home.api_clients_link")}</a></li>
                                    <li><a class="underline" href="/systembrukere">{locale.t("home.system_users_link")}</a></li>
                                    <li><a class="underline" href="/klienter">{locale.t("home.clients_link")}</a></li>
                                    <li><a class="underline" href="/klientforhold">{locale.t("home.client_relationships_link")}</a></li>
                                    <li><a class="underline" href="/systemer">{locale.t("home.systems_link")}</a></li>
                                    <li><a class="underline" href="/varsler">{locale.t("home.notices_link")}</a></li>
                                    <li><a class="underline" href="/gjester">{locale.t("home.guests_link")}</a></li>
                                    <li><a class="underline" href="/enheter">{locale.t("home.units_link")}</a></li>
                                    <li><a class="underline" href="/gjesteregler">{locale.t("home.guest_rules_link")}</a></li>
                                    <li><a class="underline" href="/meg">{locale.t("home.me_link")}</a></li>
                                </ul>
                            }.into_any(),
                            None => view! {
                                <p class="mt-4">{locale.t("home.no_party")}</p>
                                <p class="mt-4"><a class="ds-button" data-variant="primary" href="/velg-aktor">{locale.t("header.choose_party")}</a></p>
                            }.into_any(),
                        }}
                    }.into_any(),
                    Ok(None) => view! {
                        <h1 class="text-3xl font-bold">{locale.t("app.name")}</h1>
                        <p class="mt-4 max-w-prose text-lg">{locale.t("home.intro")}</p>
                        <p class="mt-6"><a rel="external" class="ds-button" data-variant="primary" href="/auth/login">{locale.t("header.login")}</a></p>
                    }.into_any(),
                    Err(e) => view! { <crate::components::alert::ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
