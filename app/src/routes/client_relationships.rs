//! "Client relationships" (`/klientforhold`) from the client's own side:
//! the accounting, auditing and business-manager firms (and any other
//! organisation the party gave packages to) acting for the chosen party,
//! through a register role or a grant, with which packages; and which of
//! each firm's agent system users the party is attached to now. A grant the
//! party gave can be revoked on "who has access" (`/tilganger?revoke=…`, a
//! plain form after a confirmation), which removes the party from every
//! agent system user of that firm at once.

use crate::components::alert::ErrorAlert;
use crate::error::AppError;
use crate::functions::client_relationships::{firms_acting_for_us, ActingAgentView, FirmView, HeldVia};
use crate::i18n::use_locale;
use leptos::prelude::*;

#[component]
pub fn ClientRelationshipsPage() -> impl IntoView {
    let locale = use_locale();
    let firms = Resource::new(|| (), |_| firms_acting_for_us());
    view! {
        <h1 class="text-2xl font-bold">{locale.t("client_relationships.title")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("client_relationships.intro")}</p>
        <p class="mt-2"><a class="underline" href="/tilganger/enkeltrettighet">{locale.t("access.give_right_link")}</a></p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match firms.await {
                    Ok(list) if list.is_empty() => view! { <p class="mt-6 max-w-prose">{locale.t("client_relationships.none")}</p> }.into_any(),
                    Ok(list) => list.into_iter().map(|f| view! { <Firm f/> }).collect_view().into_any(),
                    Err(AppError::NotAllowed) => view! {
                        <div role="alert" class="ds-alert my-4" data-color="warning"><p>{locale.t("client_relationships.only_access_managers")}</p></div>
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Firm(f: FirmView) -> impl IntoView {
    let locale = use_locale();
    let heading = match &f.org_number {
        Some(o) => format!("{} ({} {o})", f.name, locale.t("parties.orgno")),
        None => f.name.clone(),
    };
    let roles = f.roles.iter().map(|r| locale.pick_or_bokmal(r)).collect::<Vec<_>>().join(", ");
    let title_id = format!("firm-{}", f.id);
    let labelled_by = title_id.clone();
    view! {
        <section class="mt-8" aria-labelledby=labelled_by data-firm=f.id.clone()>
            <h2 id=title_id class="text-xl font-semibold">{heading}</h2>
            {(!roles.is_empty()).then(|| view! { <p class="mt-1">{format!("{}: {roles}", locale.t("client_relationships.roles"))}</p> })}
            {if f.packages.is_empty() {
                view! { <p class="mt-2 max-w-prose">{locale.t("client_relationships.no_packages")}</p> }.into_any()
            } else {
                view! {
                    <table class="ds-table mt-3 w-full text-left" data-size="sm">
                        <caption class="sr-only">{format!("{} – {}", locale.t("client_relationships.packages"), f.name)}</caption>
                        <thead><tr>
                            <th scope="col">{locale.t("client_relationships.col_package")}</th>
                            <th scope="col">{locale.t("client_relationships.col_via")}</th>
                            <th scope="col">{locale.t("client_relationships.col_action")}</th>
                        </tr></thead>
                        <tbody>
                            {f.packages.iter().map(|p| {
                                let package = locale.pick_or_bokmal(&p.package);
                                let (via, action) = match &p.via {
                                    HeldVia::Role(role) => (locale.pick_or_bokmal(role), None),
                                    HeldVia::Grant(grant) => (locale.t("client_relationships.via_grant").to_string(), Some(grant.clone())),
                                };
                                let label = format!("{} {package} – {}", locale.t("client_relationships.revoke"), f.name);
                                view! {
                                    <tr class="border-t border-gray-200">
                                        <th scope="row" class="font-normal">{package}</th>
                                        <td>{via}</td>
                                        <td>{action.map(|grant| view! {
                                            <a class="underline" href=format!("/tilganger?revoke={grant}") aria-label=label>{locale.t("client_relationships.revoke")}</a>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h3 class="mt-4 font-semibold">{locale.t("client_relationships.agents")}</h3>
            {if f.agents.is_empty() {
                view! { <p class="mt-1 max-w-prose">{locale.t("client_relationships.no_agents")}</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-1 flex flex-col gap-2">
                        {f.agents.into_iter().map(|a| view! { <Agent a/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Agent(a: ActingAgentView) -> impl IntoView {
    let locale = use_locale();
    let packages = a.packages.iter().map(|p| locale.pick_or_bokmal(p)).collect::<Vec<_>>().join(", ");
    view! {
        <li class="rounded border border-gray-300 p-3">
            <p class="font-semibold">{a.name}</p>
            <p class="text-sm">{format!("{} · {}: {packages} · {}: {}",
                match &a.system_name {
                    Some(system) => format!("{}: {system}", locale.t("client_relationships.system")),
                    None => locale.t("client_relationships.person").to_string(),
                },
                locale.t("client_relationships.agent_packages"),
                locale.t("client_relationships.since"), a.since)}</p>
        </li>
    }
}
