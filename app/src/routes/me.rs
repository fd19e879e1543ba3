//! My guest accounts (`/meg`): for the signed-in person, each guest account
//! they hold — the institution, username, unit, sponsor, state and dates —
//! and what it lets them use (the institution's guest role and its access
//! packages).

use crate::components::alert::{ErrorAlert, SignInFirst};
use crate::error::AppError;
use crate::functions::guests::{my_guest_accounts, MyAccountView};
use crate::i18n::use_locale;
use crate::routes::guests::state_key;
use leptos::prelude::*;

#[component]
pub fn MePage() -> impl IntoView {
    let locale = use_locale();
    let accounts = Resource::new(|| (), |_| my_guest_accounts());
    view! {
        <h1 class="text-2xl font-bold">{locale.t("me.title")}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match accounts.await {
                    Ok(list) if list.is_empty() => view! { <p class="mt-4 max-w-prose">{locale.t("me.none")}</p> }.into_any(),
                    Ok(list) => list.into_iter().map(|a| view! { <Account account=a/> }).collect_view().into_any(),
                    Err(AppError::NotSignedIn) => view! {
                        <SignInFirst return_to="/meg"/>
                        <p class="mt-4 max-w-prose">{locale.t("me.guest_login")}" "<a class="underline" href="/gjest-innlogging">{locale.t("me.guest_login_link")}</a></p>
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Account(account: MyAccountView) -> impl IntoView {
    let locale = use_locale();
    let state = match account.expiring_days {
        Some(days) => locale.t("guests.state_expiring").replace("{0}", &days.to_string()),
        None => locale.t(state_key(&account.state)).to_string(),
    };
    let uses = match &account.role {
        Some(role) if account.in_use => {
            let access = account.access.iter().map(|p| locale.pick_or_bokmal(p)).collect::<Vec<_>>();
            let role = locale.pick_or_bokmal(role);
            view! {
                <p class="mt-3">{locale.t("me.uses").replace("{0}", &role)}</p>
                {(!access.is_empty()).then(|| view! {
                    <ul class="mt-1 list-disc pl-6">{access.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                })}
            }
            .into_any()
        }
        _ => view! { <p class="mt-3">{locale.t("me.uses_nothing")}</p> }.into_any(),
    };
    view! {
        <section class="mt-6 rounded border border-gray-300 p-4" data-account=account.username.clone()>
            <h2 class="text-xl font-semibold">{account.institution_name.clone()}</h2>
            <dl class="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
                <dt class="font-semibold">{locale.t("guests.username")}</dt><dd>{account.username.clone()}</dd>
                <dt class="font-semibold">{locale.t("guests.unit")}</dt><dd>{locale.pick_or_bokmal(&account.unit)}</dd>
                <dt class="font-semibold">{locale.t("guests.sponsor")}</dt><dd>{account.sponsor_name.clone()}</dd>
                <dt class="font-semibold">{locale.t("guests.col_state")}</dt><dd data-testid="my-account-state">{state}</dd>
                <dt class="font-semibold">{locale.t("guests.col_period")}</dt><dd>{format!("{} – {}", account.start, account.end)}</dd>
            </dl>
            {uses}
        </section>
    }
}
