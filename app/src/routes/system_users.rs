//! "System users" (`/systembrukere`): the integrations that act for the chosen
//! party, from which vendor, and how much each is used (tokens in the last 30
//! days, last use), each a link to its own page; the requests waiting for
//! the party's access managers; and the way to make a system user oneself.
//! A deletion ends here, with its banner.

use crate::components::alert::ErrorAlert;
use crate::form_flash::use_server_action;
use crate::functions::system_user_requests::{pending_system_user_requests, PendingView};
use crate::functions::system_users::{system_user_overview, DeleteSystemUser, SystemUserView};
use crate::i18n::use_locale;
use leptos::prelude::*;

#[component]
pub fn SystemUsersPage() -> impl IntoView {
    let locale = use_locale();
    let list = Resource::new(|| (), |_| system_user_overview());
    let pending = Resource::new(|| (), |_| pending_system_user_requests());
    let deleted = use_server_action::<DeleteSystemUser>();
    view! {
        <h1 class="text-2xl font-bold">{locale.t("system_users.title")}</h1>
        {move || deleted.value().get().and_then(Result::ok).map(|()| view! {
            <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("system_users.deleted")}</p></div>
        })}
        <p class="mt-2 max-w-prose">{locale.t("system_users.intro")}</p>
        <p class="mt-4"><a class="ds-button" data-variant="secondary" href="/systembrukere/ny">{locale.t("system_users.create_title")}</a></p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                // Only the party's access managers see its pending requests; others see none.
                pending.await.ok().filter(|p| !p.is_empty()).map(|p| view! { <PendingRequests pending=p/> })
            })}
        </Suspense>
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(users) if users.is_empty() => view! { <p class="mt-6">{locale.t("system_users.none")}</p> }.into_any(),
                    Ok(users) => view! { <SystemUserTable users/> }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SystemUserTable(users: Vec<SystemUserView>) -> impl IntoView {
    let locale = use_locale();
    let never = locale.t("system_users.never");
    view! {
        <table class="ds-table mt-6 w-full text-left" data-size="sm">
            <caption class="sr-only">{locale.t("system_users.title")}</caption>
            <thead><tr>
                <th scope="col">{locale.t("system_users.col_name")}</th>
                <th scope="col">{locale.t("system_users.col_system")}</th>
                <th scope="col">{locale.t("system_users.col_vendor")}</th>
                <th scope="col">{locale.t("system_users.col_kind")}</th>
                <th scope="col">{locale.t("system_users.col_created")}</th>
                <th scope="col">{locale.t("system_users.col_tokens")}</th>
                <th scope="col">{locale.t("system_users.col_last_used")}</th>
            </tr></thead>
            <tbody>
                {users.into_iter().map(|u| view! {
                    <tr class="border-t border-gray-200 align-top" data-system-user=u.id.clone()>
                        <th scope="row" class="font-semibold"><a class="underline" href=format!("/systembrukere/{}", u.id)>{u.name}</a></th>
                        <td>{u.system_name}</td>
                        // A vendor not in the register is named by its organisation number.
                        <td>{u.vendor_name.unwrap_or_else(|| format!("{} {}", locale.t("parties.orgno"), u.vendor_org_number))}</td>
                        <td>{locale.t(if u.agent { "system_users.agent" } else { "system_users.standard" })}</td>
                        <td>{u.created}</td>
                        <td>{u.recent_tokens}</td>
                        <td>{u.last_used.unwrap_or_else(|| never.to_string())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn PendingRequests(pending: Vec<PendingView>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <section aria-labelledby="pending-title" class="mt-6">
            <h2 id="pending-title" class="text-xl font-semibold">{locale.t("system_user_requests.pending_title")}</h2>
            <ul class="mt-2 flex flex-col gap-2">
                {pending.into_iter().map(|p| view! {
                    <li data-request=p.id.clone()>
                        <a class="underline" href=p.href()>{p.integration_title.clone()}</a>
                        " – " {p.created.clone()}
                        {p.agent.then(|| view! { " (" {locale.t("system_user_requests.pending_agent")} ")" })}
                        {p.change.then(|| view! { " (" {locale.t("system_user_requests.pending_change")} ")" })}
                        {p.escalated.then(|| view! { " (" {locale.t("system_user_requests.pending_forwarded")} ")" })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
