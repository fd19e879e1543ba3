//! Client administration for the chosen firm: its agent system users
//! (`/klienter`) and, for one of them (`/klienter/<id>`), its clients page by
//! page, with search, a filter that hides attached clients, add and remove
//! per client, and "add all", which the server works while this page shows
//! its progress (the page reloads itself every two seconds while it runs,
//! with or without JavaScript; closing it stops nothing).
//!
//! Every form is a plain POST that returns to the same page (filters kept),
//! and the filter is a plain GET form.

use crate::components::alert::ErrorAlert;
use crate::error::AppError;
use crate::form_flash::use_server_action;
use crate::functions::clients::{agent_clients, client_agents, AgentClientsView, AttachAllClients, AttachClient, ClientView, DetachClient, JobView, ViaView};
use crate::i18n::{use_locale, Locale};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// "Only client administrators …" for a refusal of the right itself, else the error.
#[component]
fn ClientsError(error: AppError) -> impl IntoView {
    let locale = use_locale();
    match error {
        AppError::NotAllowed => {
            view! { <div role="alert" class="ds-alert my-4" data-color="warning"><p>{locale.t("clients.only_client_admins")}</p></div> }.into_any()
        }
        e => view! { <ErrorAlert error=e/> }.into_any(),
    }
}

#[component]
pub fn ClientAdminPage() -> impl IntoView {
    let locale = use_locale();
    let agents = Resource::new(|| (), |_| client_agents());
    view! {
        <h1 class="text-2xl font-bold">{locale.t("clients.title")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("clients.intro")}</p>
        <p class="mt-2 max-w-prose"><a class="underline" href="/klienter/personer">{locale.t("clients.persons_link")}</a></p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match agents.await {
                    Ok(list) if list.is_empty() => view! { <p class="mt-6 max-w-prose">{locale.t("clients.no_agents")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-6 divide-y divide-gray-200 border-y border-gray-200" aria-label=locale.t("clients.agents_label")>
                            {list.into_iter().map(|a| {
                                let packages = a.requires.iter().map(|p| locale.pick_or_bokmal(p)).collect::<Vec<_>>().join(", ");
                                view! {
                                    <li class="py-3" data-agent=a.id.clone()>
                                        <a class="font-semibold underline" href=format!("/klienter/{}", a.id)>{a.name.clone()}</a>
                                        <p class="text-sm text-gray-700">
                                            {format!("{}: {} · {}: {}", locale.t("clients.vendor"), a.vendor, locale.t("clients.requires"), packages)}
                                        </p>
                                        <p class="text-sm text-gray-700">{locale.t("clients.count").replace("{0}", &a.clients.to_string())}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ClientsError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn AgentClientsPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let search = move || query.read().get("sok").unwrap_or_default();
    let hide = move || query.read().get("skjul").is_some_and(|v| v == "1");
    let after = move || query.read().get("etter").unwrap_or_default();
    let attach = use_server_action::<AttachClient>();
    let detach = use_server_action::<DetachClient>();
    let all = use_server_action::<AttachAllClients>();
    let data = Resource::new(
        move || (id(), search(), hide(), after(), attach.version().get(), detach.version().get(), all.version().get()),
        |(id, search, hide, after, ..)| agent_clients(id, search, hide, after),
    );
    view! {
        <p><a class="underline" href="/klienter">{locale.t("clients.back")}</a></p>
        {move || attach.value().get().map(|r| match r {
            Ok(name) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{format!("{name} {}", locale.t("clients.added"))}</p></div> }.into_any(),
            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
        })}
        {move || detach.value().get().map(|r| match r {
            Ok(()) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("clients.removed")}</p></div> }.into_any(),
            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
        })}
        {move || all.value().get().and_then(Result::err).map(|e| view! { <ErrorAlert error=e/> })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <AgentClients v search=search() hide=hide() attach detach all/> }.into_any(),
                    Err(e) => view! { <h1 class="mt-2 text-2xl font-bold">{locale.t("clients.title")}</h1><ClientsError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AgentClients(
    v: AgentClientsView,
    search: String,
    hide: bool,
    attach: ServerAction<AttachClient>,
    detach: ServerAction<DetachClient>,
    all: ServerAction<AttachAllClients>,
) -> impl IntoView {
    let locale = use_locale();
    let agent = v.agent.clone();
    let packages = agent.requires.iter().map(|p| locale.pick_or_bokmal(p)).collect::<Vec<_>>().join(", ");
    let running = v.job.as_ref().is_some_and(|j| j.running);
    let agent_id = agent.id.clone();
    let next = v.next.clone().map(|n| {
        let mut q = vec![format!("etter={n}")];
        if !search.is_empty() {
            q.insert(0, format!("sok={}", crate::components::header::urlencode(&search)));
        }
        if hide {
            q.insert(0, "skjul=1".to_string());
        }
        format!("/klienter/{}?{}", agent.id, q.join("&"))
    });
    view! {
        <h1 class="mt-2 text-2xl font-bold">{agent.name.clone()}</h1>
        <dl class="mt-4 grid max-w-prose grid-cols-[auto_1fr] gap-x-4 gap-y-1">
            <dt class="font-semibold">{locale.t("clients.vendor")}</dt><dd>{agent.vendor.clone()}</dd>
            <dt class="font-semibold">{locale.t("clients.requires")}</dt><dd>{packages}</dd>
            <dt class="font-semibold">{locale.t("clients.attached_count")}</dt><dd>{agent.clients}</dd>
        </dl>
        {v.job.clone().map(|job| view! { <Job job/> })}
        {(!running).then(|| view! {
            <ActionForm action=all attr:class="mt-6">
                <input type="hidden" name="agent" value=agent_id.clone()/>
                <button type="submit" class="ds-button" data-variant="secondary">{locale.t("clients.add_all")}</button>
                <p class="mt-1 max-w-prose text-sm text-gray-700">{locale.t("clients.add_all_help")}</p>
            </ActionForm>
        })}
        <h2 class="mt-8 text-xl font-semibold">{locale.t("clients.list_title")}</h2>
        <form method="get" action=format!("/klienter/{}", agent.id) class="mt-2 flex flex-wrap items-end gap-4" role="search">
            <div class="ds-field flex flex-col">
                <label for="client-search" class="ds-label font-semibold">{locale.t("clients.search")}</label>
                <p id="client-search-help" class="text-sm text-gray-700">{locale.t("clients.search_help")}</p>
                <input id="client-search" name="sok" type="search" class="ds-input" value=search.clone() aria-describedby="client-search-help"/>
            </div>
            <div class="ds-field flex items-center gap-2">
                <input id="client-hide" name="skjul" type="checkbox" value="1" class="ds-input" checked=hide/>
                <label for="client-hide" class="ds-label">{locale.t("clients.hide_attached")}</label>
            </div>
            <button type="submit" class="ds-button" data-variant="secondary">{locale.t("clients.filter")}</button>
        </form>
        {if v.clients.is_empty() {
            view! { <p class="mt-6 max-w-prose">{locale.t("clients.none")}</p> }.into_any()
        } else {
            view! {
                <table class="ds-table mt-4 w-full text-left" data-size="sm">
                    <caption class="sr-only">{locale.t("clients.list_title")}</caption>
                    <thead><tr>
                        <th scope="col">{locale.t("clients.col_client")}</th>
                        <th scope="col">{locale.t("clients.col_packages")}</th>
                        <th scope="col">{locale.t("clients.col_status")}</th>
                        <th scope="col">{locale.t("clients.col_action")}</th>
                    </tr></thead>
                    <tbody>
                        {v.clients.into_iter().map(|c| view! { <ClientRow c agent=agent.id.clone() attach detach/> }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        {next.map(|href| view! { <p class="mt-4"><a class="underline" href=href>{locale.t("clients.next_page")}</a></p> })}
    }
}

#[component]
fn ClientRow(c: ClientView, agent: String, attach: ServerAction<AttachClient>, detach: ServerAction<DetachClient>) -> impl IntoView {
    let locale = use_locale();
    let offered = c.missing.is_empty();
    let label_for = |key: &'static str| format!("{}: {}", locale.t(key), c.name);
    let remove_label = label_for("clients.remove");
    let add_label = label_for("clients.add");
    let client_id = c.id.clone();
    view! {
        <tr class="border-t border-gray-200 align-top" data-client=c.id.clone()>
            <th scope="row" class="font-semibold">
                {c.name.clone()}
                {c.org_number.clone().map(|o| view! { <span class="block text-sm font-normal text-gray-700">{format!("{} {o}", locale.t("parties.orgno"))}</span> })}
                {c.own_organisation.then(|| view! { <span class="block text-sm font-normal">{locale.t("clients.own")}</span> })}
            </th>
            <td>
                <ul>
                    {c.given.iter().map(|g| view! { <li>{format!("{} ({})", locale.pick_or_bokmal(&g.package), via(locale, &g.via))}</li> }).collect_view()}
                </ul>
                {(!offered).then(|| {
                    let missing = c.missing.iter().map(|m| locale.pick_or_bokmal(m)).collect::<Vec<_>>().join(", ");
                    view! { <p>{format!("{}: {missing}", locale.t("clients.missing"))}</p> }
                })}
            </td>
            <td>{locale.t(if c.attached { "clients.attached" } else { "clients.not_attached" })}</td>
            <td>
                {if c.attached {
                    view! {
                        <ActionForm action=detach>
                            <input type="hidden" name="agent" value=agent.clone()/>
                            <input type="hidden" name="client" value=client_id.clone()/>
                            <button type="submit" class="ds-button" data-variant="secondary" data-size="sm" aria-label=remove_label>{locale.t("clients.remove")}</button>
                        </ActionForm>
                    }.into_any()
                } else if offered {
                    view! {
                        <ActionForm action=attach>
                            <input type="hidden" name="agent" value=agent.clone()/>
                            <input type="hidden" name="client" value=client_id.clone()/>
                            <button type="submit" class="ds-button" data-variant="primary" data-size="sm" aria-label=add_label>{locale.t("clients.add")}</button>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! { <span>{locale.t("clients.cannot_add")}</span> }.into_any()
                }}
            </td>
        </tr>
    }
}

/// How the firm holds a package, as a short phrase.
fn via(locale: Locale, v: &ViaView) -> String {
    match v {
        ViaView::Role(role) => locale.pick_or_bokmal(role),
        ViaView::Grant => locale.t("clients.via_grant").to_string(),
        ViaView::Own => locale.t("clients.via_own").to_string(),
    }
}

/// "Add all": a progress bar and a running count while the server works
/// (and a reload every two seconds), then what was done; the clients that
/// failed, each with why.
#[component]
fn Job(job: JobView) -> impl IntoView {
    let locale = use_locale();
    let fill = |key: &'static str, a: i64, b: i64| locale.t(key).replace("{0}", &a.to_string()).replace("{1}", &b.to_string());
    let status = if job.running { fill("clients.progress", job.handled, job.total) } else { fill("clients.job_done", job.attached, job.total) };
    view! {
        <section aria-labelledby="job-title" class="mt-6 max-w-prose rounded border border-gray-300 p-4" data-job=job.id.clone() data-running=job.running.to_string()>
            {job.running.then(|| view! { <leptos_meta::Meta http_equiv="refresh" content="2"/> })}
            <h2 id="job-title" class="text-lg font-semibold">{locale.t("clients.add_all")}</h2>
            <progress class="mt-2 w-full" max=job.total.max(1).to_string() value=job.handled.to_string() aria-labelledby="job-status"></progress>
            <p id="job-status" role="status" class="mt-1">{status}</p>
            {job.running.then(|| view! { <p class="mt-1 text-sm">{locale.t("clients.job_continues")}</p> })}
            {(!job.failed.is_empty()).then(|| view! {
                <h3 class="mt-3 font-semibold">{locale.t("clients.failed_title")}</h3>
                <ul class="mt-1 list-disc pl-6">
                    {job.failed.iter().map(|f| {
                        let who = match &f.org_number {
                            Some(o) => format!("{} ({} {o})", f.name, locale.t("parties.orgno")),
                            None => f.name.clone(),
                        };
                        view! { <li>{format!("{who}: {}", f.reason.message(locale))}</li> }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
