//! "Our systems" (`/systemer`): the systems the party acted for offers in
//! the system register, for its people who manage access — the provider's
//! screens. The list; a new system (`/systemer/ny`); one system
//! (`/systemer/<id>`) with what it offers, its requests and their status,
//! and its change log; changing it (`…/endre`) and deleting it (`…/slett`,
//! which says first that tokens stop for all its system users).
//!
//! Every form is a plain POST that works without JavaScript; a use case that
//! succeeds moves on to the system (or the list), and a refusal comes back
//! to the form with what was typed.

mod form;
mod pickers;

use crate::components::alert::ErrorAlert;
use crate::components::form::FormFields;
use crate::form_flash::use_server_action;
use crate::functions::systems::{our_system, our_systems, system_choices, CreateSystem, DeleteSystem, SystemPageView, SystemSummaryView, UpdateSystem};
use crate::i18n::use_locale;
use crate::routes::system_user_detail::HeldList;
use form::{Start, SystemForm, FIELDS};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::{ParentRoute, Route};
use leptos_router::hooks::use_params_map;
use leptos_router::{path, MatchNestedRoutes, SsrMode};

/// The routes under `/systemer`; each renders once its data is loaded.
#[component(transparent)]
pub fn SystemRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("/systemer") view=leptos_router::components::Outlet ssr=SsrMode::Async>
            <Route path=path!("") view=SystemsPage ssr=SsrMode::Async/>
            <Route path=path!("ny") view=NewSystemPage ssr=SsrMode::Async/>
            <Route path=path!(":id") view=SystemPage ssr=SsrMode::Async/>
            <Route path=path!(":id/endre") view=EditSystemPage ssr=SsrMode::Async/>
            <Route path=path!(":id/slett") view=DeleteSystemPage ssr=SsrMode::Async/>
        </ParentRoute>
    }
    .into_inner()
}

fn the_id() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("id").unwrap_or_default()
}

#[component]
fn SystemsPage() -> impl IntoView {
    let locale = use_locale();
    let list = Resource::new(|| (), |_| our_systems());
    let deleted = use_server_action::<DeleteSystem>();
    view! {
        <h1 class="text-2xl font-bold">{locale.t("systems.title")}</h1>
        {move || deleted.value().get().and_then(Result::ok).map(|()| view! {
            <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("systems.deleted")}</p></div>
        })}
        <p class="mt-2 max-w-prose">{locale.t("systems.intro")}</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(systems) => view! {
                        <p class="mt-4"><a class="ds-button" data-variant="secondary" href="/systemer/ny">{locale.t("systems.new")}</a></p>
                        {if systems.is_empty() {
                            view! { <p class="mt-6">{locale.t("systems.none")}</p> }.into_any()
                        } else {
                            view! { <SystemTable systems/> }.into_any()
                        }}
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SystemTable(systems: Vec<SystemSummaryView>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <table class="ds-table mt-6 w-full text-left" data-size="sm">
            <caption class="sr-only">{locale.t("systems.title")}</caption>
            <thead><tr>
                <th scope="col">{locale.t("systems.col_name")}</th>
                <th scope="col">{locale.t("systems.col_offers")}</th>
                <th scope="col">{locale.t("systems.col_visible")}</th>
                <th scope="col">{locale.t("systems.col_updated")}</th>
            </tr></thead>
            <tbody>
                {systems.into_iter().map(|s| {
                    let offers = locale.t("systems.offers").replace("{rights}", &s.rights.to_string()).replace("{packages}", &s.packages.to_string());
                    view! {
                        <tr class="border-t border-gray-200 align-top">
                            <th scope="row" class="font-semibold"><a class="underline" href=format!("/systemer/{}", s.id)>{locale.pick_or_bokmal(&s.name)}</a></th>
                            <td>{offers}</td>
                            <td>{locale.t(if s.visible { "common.yes" } else { "common.no" })}</td>
                            <td>{s.updated}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn NewSystemPage() -> impl IntoView {
    let locale = use_locale();
    let create = use_server_action::<CreateSystem>();
    let form = FormFields::of(create, FIELDS);
    let choices = Resource::new(|| (), |_| system_choices());
    view! {
        <p><a class="underline" href="/systemer">{locale.t("systems.back")}</a></p>
        <h1 class="mt-2 text-2xl font-bold">{locale.t("systems.new")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("systems.new_intro")}</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => {
                        let start = Start::typed(&form).unwrap_or_default();
                        view! { <SystemForm form action=CreateSystem::PATH id=None choices start submit="systems.register"/> }.into_any()
                    }
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditSystemPage() -> impl IntoView {
    let locale = use_locale();
    let id = the_id();
    let update = use_server_action::<UpdateSystem>();
    let form = FormFields::of(update, FIELDS);
    let data = Resource::new(id, |id| async move { Ok::<_, crate::error::AppError>((our_system(id).await?, system_choices().await?)) });
    view! {
        <p><a class="underline" href=move || format!("/systemer/{}", id())>{locale.t("systems.back_to_system")}</a></p>
        <h1 class="mt-2 text-2xl font-bold">{locale.t("systems.edit")}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((page, choices)) => {
                        let start = Start::typed(&form).unwrap_or_else(|| Start::of(&page.system));
                        view! { <SystemForm form action=UpdateSystem::PATH id=Some(page.system.id.clone()) choices start submit="systems.save"/> }.into_any()
                    }
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SystemPage() -> impl IntoView {
    let locale = use_locale();
    let id = the_id();
    let page = Resource::new(id, our_system);
    view! {
        <p><a class="underline" href="/systemer">{locale.t("systems.back")}</a></p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <SystemDetails p/> }.into_any(),
                    Err(e) => view! { <h1 class="mt-2 text-2xl font-bold">{locale.t("systems.title")}</h1><ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SystemDetails(p: SystemPageView) -> impl IntoView {
    let locale = use_locale();
    let s = p.system.clone();
    let none = || locale.t("systems.none_listed").to_string();
    view! {
        <h1 class="mt-2 text-2xl font-bold">{locale.pick_or_bokmal(&s.name)}</h1>
        <p class="mt-2 max-w-prose">{locale.pick_or_bokmal(&s.description)}</p>
        <dl class="mt-4 grid max-w-prose grid-cols-[auto_1fr] gap-x-4 gap-y-1">
            <dt class="font-semibold">{locale.t("system_form.id")}</dt><dd><code>{s.id.clone()}</code></dd>
            <dt class="font-semibold">{locale.t("systems.col_visible")}</dt><dd>{locale.t(if s.visible { "common.yes" } else { "common.no" })}</dd>
            <dt class="font-semibold">{locale.t("system_form.clients")}</dt>
            <dd>{if s.clients.is_empty() { none() } else { s.clients.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(", ") }}</dd>
            <dt class="font-semibold">{locale.t("system_form.redirects")}</dt>
            <dd>{if s.redirect_urls.is_empty() { none() } else { s.redirect_urls.join(", ") }}</dd>
            <dt class="font-semibold">{locale.t("system_users.col_created")}</dt><dd>{s.created.clone()}</dd>
            <dt class="font-semibold">{locale.t("systems.col_updated")}</dt><dd>{s.updated.clone()}</dd>
        </dl>
        <div class="mt-4 flex flex-wrap gap-4">
            <a class="ds-button" data-variant="secondary" href=format!("/systemer/{}/endre", s.id)>{locale.t("systems.edit")}</a>
            <a class="ds-button" data-variant="secondary" href=format!("/systembrukere/ny?system={}", s.id)>{locale.t("systems.make_own")}</a>
            <a class="ds-button" data-variant="secondary" data-color="danger" href=format!("/systemer/{}/slett", s.id)>{locale.t("systems.delete")}</a>
        </div>
        <h2 class="mt-6 text-xl font-semibold">{locale.t("system_user_requests.packages")}</h2>
        {if s.packages.is_empty() { view! { <p>{none()}</p> }.into_any() } else { view! { <HeldList items=s.packages.clone()/> }.into_any() }}
        <h2 class="mt-6 text-xl font-semibold">{locale.t("system_user_requests.rights")}</h2>
        {if s.rights.is_empty() { view! { <p>{none()}</p> }.into_any() } else { view! { <HeldList items=s.rights.clone()/> }.into_any() }}
        <section aria-labelledby="requests-title" class="mt-8">
            <h2 id="requests-title" class="text-xl font-semibold">{locale.t("systems.requests")}</h2>
            {if p.requests.is_empty() {
                view! { <p class="mt-2">{locale.t("systems.no_requests")}</p> }.into_any()
            } else {
                view! {
                    <table class="ds-table mt-2 w-full text-left" data-size="sm">
                        <caption class="sr-only">{locale.t("systems.requests")}</caption>
                        <thead><tr>
                            <th scope="col">{locale.t("systems.col_customer")}</th>
                            <th scope="col">{locale.t("system_user_requests.integration_title")}</th>
                            <th scope="col">{locale.t("systems.col_status")}</th>
                            <th scope="col">{locale.t("system_user_requests.created")}</th>
                        </tr></thead>
                        <tbody>
                            {p.requests.iter().map(|r| view! {
                                <tr class="border-t border-gray-200">
                                    <th scope="row">{r.customer.clone()}</th>
                                    <td>{r.integration_title.clone()}</td>
                                    <td>{locale.lookup(&format!("systems.status.{}", r.status.to_lowercase())).unwrap_or(&r.status).to_string()}</td>
                                    <td>{r.created.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {p.more_requests.then(|| view! { <p class="mt-2 text-sm">{locale.t("systems.more_requests")}</p> })}
                }.into_any()
            }}
        </section>
        <section aria-labelledby="changes-title" class="mt-8">
            <h2 id="changes-title" class="text-xl font-semibold">{locale.t("systems.changes")}</h2>
            <ul class="mt-2 flex flex-col gap-1">
                {p.changes.iter().map(|c| view! {
                    <li>{format!("{} – {} – {}", c.at, locale.lookup(&format!("systems.change.{}", c.change_type)).unwrap_or(&c.change_type), c.by)}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn DeleteSystemPage() -> impl IntoView {
    let locale = use_locale();
    let id = the_id();
    let delete = use_server_action::<DeleteSystem>();
    let page = Resource::new(id, our_system);
    view! {
        <p><a class="underline" href=move || format!("/systemer/{}", id())>{locale.t("systems.back_to_system")}</a></p>
        <h1 class="mt-2 text-2xl font-bold">{locale.t("systems.delete")}</h1>
        {move || delete.value().get().and_then(Result::err).map(|e| view! { <ErrorAlert error=e/> })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        let name = locale.pick_or_bokmal(&p.system.name);
                        view! {
                            <p class="mt-4 max-w-prose font-semibold">{locale.t("systems.delete_confirm").replace("{name}", &name)}</p>
                            <p class="mt-2 max-w-prose">{locale.t("systems.delete_explained")}</p>
                            <div class="mt-6 flex flex-wrap gap-4">
                                <form method="post" action=DeleteSystem::PATH>
                                    <input type="hidden" name="id" value=p.system.id.clone()/>
                                    <button type="submit" class="ds-button" data-variant="primary" data-color="danger">{locale.t("systems.delete")}</button>
                                </form>
                                <a class="ds-button" data-variant="secondary" href=format!("/systemer/{}", p.system.id)>{locale.t("system_users.cancel")}</a>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
