//! One system user (`/systembrukere/<id>`): the system and its vendor, when
//! it was made and last used, a chart of its tokens per day over 30 days,
//! and every access package and single right it holds for the party (for an
//! agent system user: what it requires of each client, how many clients it
//! has, and the way to the client administration); and
//! deleting it (`/systembrukere/<id>/slett`), a page of its own that says
//! what deletion does before the person confirms, so it works as a plain
//! form without JavaScript.

use crate::components::alert::ErrorAlert;
use crate::components::bar_chart::{Bar, BarChart};
use crate::form_flash::use_server_action;
use crate::functions::system_users::{system_user_detail, DeleteSystemUser, HeldView, SystemUserDetailView};
use crate::i18n::use_locale;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

fn the_id() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("id").unwrap_or_default()
}

#[component]
pub fn SystemUserDetailPage() -> impl IntoView {
    let locale = use_locale();
    let id = the_id();
    let detail = Resource::new(id, system_user_detail);
    view! {
        <p><a class="underline" href="/systembrukere">{locale.t("system_user_requests.back")}</a></p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <Detail d/> }.into_any(),
                    Err(e) => view! { <h1 class="mt-2 text-2xl font-bold">{locale.t("system_users.title")}</h1><ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Detail(d: SystemUserDetailView) -> impl IntoView {
    let locale = use_locale();
    let u = d.user.clone();
    let vendor = u.vendor_name.clone().unwrap_or_else(|| format!("{} {}", locale.t("parties.orgno"), u.vendor_org_number));
    let bars = d.usage.iter().map(|x| Bar { label: x.day.clone(), value: x.tokens }).collect::<Vec<_>>();
    let holds_nothing = d.packages.is_empty() && d.rights.is_empty();
    view! {
        <h1 class="mt-2 text-2xl font-bold">{u.name.clone()}</h1>
        <p class="mt-2 max-w-prose">{locale.pick(&d.system_description)}</p>
        <dl class="mt-4 grid max-w-prose grid-cols-[auto_1fr] gap-x-4 gap-y-1">
            <dt class="font-semibold">{locale.t("system_users.col_system")}</dt><dd>{locale.pick_or_bokmal(&d.system_name)}</dd>
            <dt class="font-semibold">{locale.t("system_user_requests.vendor")}</dt><dd>{vendor}</dd>
            <dt class="font-semibold">{locale.t("system_users.col_kind")}</dt>
            <dd>{locale.t(if u.agent { "system_users.agent" } else { "system_users.standard" })}</dd>
            <dt class="font-semibold">{locale.t("system_users.col_created")}</dt><dd>{u.created.clone()}</dd>
            <dt class="font-semibold">{locale.t("system_users.col_last_used")}</dt>
            <dd>{u.last_used.clone().unwrap_or_else(|| locale.t("system_users.never").to_string())}</dd>
        </dl>
        <BarChart bars title=locale.t("system_users.usage_title").to_string() value_label=locale.t("system_users.tokens").to_string() id="usage"/>
        {(!d.packages.is_empty()).then(|| view! {
            <h2 class="mt-6 text-xl font-semibold">{locale.t("system_user_requests.packages")}</h2>
            <HeldList items=d.packages.clone()/>
        })}
        {(!d.rights.is_empty()).then(|| view! {
            <h2 class="mt-6 text-xl font-semibold">{locale.t("system_user_requests.rights")}</h2>
            <HeldList items=d.rights.clone()/>
        })}
        {(holds_nothing && !u.agent).then(|| view! { <p class="mt-6">{locale.t("system_users.holds_nothing")}</p> })}
        {u.agent.then(|| view! {
            <h2 class="mt-6 text-xl font-semibold">{locale.t("clients.requires")}</h2>
            <p class="mt-2 max-w-prose">{locale.t("system_users.agent_holds")}</p>
            <HeldList items=d.required.clone()/>
            <p class="mt-4">{locale.t("clients.count").replace("{0}", &d.clients.to_string())}</p>
            <p class="mt-2"><a class="underline" href=format!("/klienter/{}", u.id)>{locale.t("system_users.manage_clients")}</a></p>
        })}
        <p class="mt-8">
            <a class="ds-button" data-variant="secondary" data-color="danger" href=format!("/systembrukere/{}/slett", u.id)>{locale.t("system_users.delete")}</a>
        </p>
    }
}

/// Access packages or single rights, each opened to its description when it has one.
#[component]
pub fn HeldList(items: Vec<HeldView>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <ul class="mt-2 flex max-w-prose flex-col gap-2">
            {items.into_iter().map(|i| {
                let name = match &i.action {
                    Some(a) => domain::actions::right(&locale.pick_or_bokmal(&i.name), a, locale.code()),
                    None => locale.pick_or_bokmal(&i.name),
                };
                let description = locale.pick_or_bokmal(&i.description);
                view! {
                    <li class="rounded border border-gray-300 p-3">
                        {if description.is_empty() {
                            view! { <p class="font-semibold">{name}</p> }.into_any()
                        } else {
                            view! {
                                <details>
                                    <summary class="cursor-pointer font-semibold">{name}</summary>
                                    <p class="mt-2">{description}</p>
                                </details>
                            }.into_any()
                        }}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// Asks before deleting: what goes with the system user, then a plain form.
#[component]
pub fn DeleteSystemUserPage() -> impl IntoView {
    let locale = use_locale();
    let id = the_id();
    let delete = use_server_action::<DeleteSystemUser>();
    let detail = Resource::new(id, system_user_detail);
    view! {
        <p><a class="underline" href=move || format!("/systembrukere/{}", id())>{locale.t("system_users.back_to_user")}</a></p>
        <h1 class="mt-2 text-2xl font-bold">{locale.t("system_users.delete")}</h1>
        {move || delete.value().get().and_then(Result::err).map(|e| view! { <ErrorAlert error=e/> })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let question = locale.t("system_users.delete_confirm").replace("{name}", &d.user.name);
                        view! {
                            <p class="mt-4 max-w-prose font-semibold">{question}</p>
                            <p class="mt-2 max-w-prose">{locale.t("system_users.delete_explained")}</p>
                            {d.user.agent.then(|| view! { <p class="mt-2 max-w-prose">{locale.t("system_users.delete_agent")}</p> })}
                            <div class="mt-6 flex flex-wrap gap-4">
                                <form method="post" action=DeleteSystemUser::PATH>
                                    <input type="hidden" name="id" value=d.user.id.clone()/>
                                    <button type="submit" class="ds-button" data-variant="primary" data-color="danger">{locale.t("system_users.delete")}</button>
                                </form>
                                <a class="ds-button" data-variant="secondary" href=format!("/systembrukere/{}", d.user.id)>{locale.t("system_users.cancel")}</a>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
