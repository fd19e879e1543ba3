//! "Who has access to <party>": everyone who holds something for the party
//! acted for, what and why; give one or more packages (chosen by area, with
//! search and descriptions) to a person or an organisation; revoke a grant
//! after confirming.
//!
//! Every form works without JavaScript: the package search is a GET form
//! (`/tilganger?q=…`) filtered when the page is rendered, and both recipient
//! field groups are always in the form, the server reading the chosen kind's.
//! Hydration filters as one types and hides the recipient fields not chosen.

use crate::components::alert::ErrorAlert;
use crate::components::form::{ErrorSummary, FieldMessage, FormFields, PersonFields};
use crate::form_flash::use_server_action;
use crate::functions::access::{assignable_packages, by_area, party_system_users, who_has_access, GiveAccess, GiveSummary, RevokeAccess};
use crate::i18n::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AccessPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let give = use_server_action::<GiveAccess>();
    let revoke = use_server_action::<RevokeAccess>();
    let holders = Resource::new(move || (give.version().get(), revoke.version().get()), |_| who_has_access());
    let packages = Resource::new(|| (), |_| assignable_packages());
    let system_users = Resource::new(|| (), |_| party_system_users());
    let confirm = move || query.read().get("revoke");
    let give_form = give_form(give);

    view! {
        <h1 class="text-2xl font-bold">{locale.t("access.title")}</h1>
        {move || give.value().get().and_then(|r| r.ok()).map(|summary| view! { <GiveSummaryAlert summary/> })}
        <ErrorSummary form=give_form/>
        {move || revoke.value().get().map(|r| match r {
            Ok(()) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("access.revoked")}</p></div> }.into_any(),
            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
        })}
        // Once the grant is revoked, the question about it is answered.
        {move || confirm().filter(|_| !matches!(revoke.value().get(), Some(Ok(())))).map(|grant| view! {
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
                                            let shown = locale.pick(&i.name);
                                            let label = format!("{} {shown} – {}", locale.t("access.revoke"), h.name);
                                            view! {
                                                <li class="flex flex-wrap items-center gap-2 py-1">
                                                    <span>{shown.clone()}</span>
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
        <GiveAccessForm give form=give_form packages system_users/>
    }
}

/// The give-access form's fields and the elements that show them.
fn give_form(give: ServerAction<GiveAccess>) -> FormFields {
    FormFields::of(
        give,
        &[
            ("packages", "give-packages"),
            ("kind", "give-kind-person"),
            ("national_id", "give-nin"),
            ("surname", "give-surname"),
            ("org_number", "give-orgno"),
            ("system_user", "give-system-user"),
        ],
    )
    .with_refusals(&[
        ("grant.no_such_person", "national_id"),
        ("grant.unknown_recipient", "national_id"),
        ("grant.self", "national_id"),
        ("grant.no_such_organisation", "org_number"),
        ("grant.no_package", "packages"),
        ("grant.foreign_system_user", "system_user"),
        ("grant.agent_system_user", "system_user"),
    ])
}

/// The give-access section: package search (GET), then the POST form with
/// the packages by area and the recipient.
#[component]
fn GiveAccessForm(
    give: ServerAction<GiveAccess>,
    form: FormFields,
    packages: Resource<Result<Vec<crate::functions::access::PackageOption>, crate::error::AppError>>,
    system_users: Resource<Result<Vec<crate::functions::access::SystemUserOption>, crate::error::AppError>>,
) -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    // The search as rendered from `?q=`, then as typed once hydrated.
    let search = RwSignal::new(query.read_untracked().get("q").unwrap_or_default());
    // What the person typed, when a post without JavaScript came back refused.
    let typed = form.typed();
    // Checked packages stay visible whatever the search, so nothing is given unseen.
    let checked = RwSignal::new(typed.all("packages[]"));
    let visible = move |p: &crate::functions::access::PackageOption| p.matches(&search.get()) || checked.with(|c| c.contains(&p.code));
    let kind = RwSignal::new(typed.value_or("kind", "person"));
    let kind_checked = move |k: &str| kind.get_untracked() == k;
    let chosen_system_user = typed.value("system_user");
    // True once hydrated: only then are the fields of the kind not chosen hidden
    // (without JavaScript both groups stay visible and the server decides).
    let interactive = RwSignal::new(false);
    Effect::new(move |_| interactive.set(true));
    let show_person = move || !interactive.get() || kind.get() == "person";
    let show_org = move || !interactive.get() || kind.get() == "organisation";
    let show_system_user = move || !interactive.get() || kind.get() == "system_user";

    view! {
        <section aria-labelledby="give-title" class="mt-10">
            <h2 id="give-title" class="text-xl font-bold">{locale.t("access.give_title")}</h2>
            <p class="mt-2"><a class="underline" href="/tilganger/enkeltrettighet">{locale.t("access.give_right_link")}</a></p>
            <form method="get" action="/tilganger" role="search" class="mt-4 flex flex-wrap items-end gap-2"
                  on:submit=move |ev| ev.prevent_default()>
                <div class="ds-field flex flex-col">
                    <label for="package-search" class="ds-label font-semibold">{locale.t("access.search_label")}</label>
                    <input id="package-search" name="q" type="search" class="ds-input" maxlength="100" autocomplete="off"
                           aria-describedby="package-search-help"
                           value=move || search.get()
                           on:input=move |ev| search.set(event_target_value(&ev))/>
                    <p id="package-search-help" class="text-sm text-gray-700">{locale.t("access.search_help")}</p>
                </div>
                <button type="submit" class="ds-button" data-variant="secondary">{locale.t("access.search_button")}</button>
            </form>
            <ActionForm action=give attr:class="mt-4 flex max-w-3xl flex-col gap-6">
                <fieldset class="ds-fieldset" id="give-packages" aria-describedby=form.described_by("packages", None)>
                    <legend class="ds-label text-lg font-semibold">{locale.t("access.packages_legend")}</legend>
                    <FieldMessage form field="packages"/>
                    <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
                        {move || Suspend::new(async move {
                            let all = match packages.await {
                                Ok(list) => list,
                                Err(e) => return view! { <ErrorAlert error=e/> }.into_any(),
                            };
                            if all.is_empty() {
                                return view! { <p>{locale.t("access.no_packages")}</p> }.into_any();
                            }
                            let groups = by_area(all.clone());
                            let none_match = move || {
                                let q = search.get();
                                !all.iter().any(|p| p.matches(&q))
                            };
                            view! {
                                <p aria-live="polite" class="mt-2">{move || none_match().then(|| locale.t("access.no_match"))}</p>
                                {groups.into_iter().enumerate().map(|(gi, g)| {
                                    let group_packages = g.packages.clone();
                                    let group_hidden = move || !group_packages.iter().any(visible);
                                    let area_description = locale.pick(&g.description);
                                    view! {
                                        <div hidden=group_hidden>
                                            <fieldset class="ds-fieldset mt-4">
                                                <legend class="ds-label font-semibold">{locale.pick(&g.name)}</legend>
                                                {(!area_description.is_empty()).then(|| view! { <p class="text-sm text-gray-700">{area_description}</p> })}
                                                {g.packages.into_iter().enumerate().map(|(pi, p)| {
                                                    let id = format!("package-{gi}-{pi}");
                                                    let description_id = format!("{id}-description");
                                                    let description = locale.pick(&p.description);
                                                    let package = p.clone();
                                                    let hidden = move || !visible(&package);
                                                    let code = p.code.clone();
                                                    let was_checked = checked.with_untracked(|c| c.contains(&code));
                                                    let toggle = move |ev: leptos::ev::Event| {
                                                        let on = event_target_checked(&ev);
                                                        checked.update(|c| {
                                                            c.retain(|x| *x != code);
                                                            if on {
                                                                c.push(code.clone());
                                                            }
                                                        });
                                                    };
                                                    view! {
                                                        <div hidden=hidden>
                                                            <div class="ds-field mt-2 flex items-start gap-2">
                                                                <input type="checkbox" class="ds-input mt-1" id=id.clone() name="packages[]" value=p.code.clone()
                                                                       checked=was_checked aria-describedby=description_id.clone() on:change=toggle/>
                                                                <div>
                                                                    <label for=id class="ds-label font-semibold">{locale.pick(&p.name)}</label>
                                                                    <p id=description_id class="text-sm text-gray-700">{description}</p>
                                                                </div>
                                                            </div>
                                                        </div>
                                                    }
                                                }).collect_view()}
                                            </fieldset>
                                        </div>
                                    }
                                }).collect_view()}
                            }.into_any()
                        })}
                    </Suspense>
                </fieldset>
                <fieldset class="ds-fieldset">
                    <legend class="ds-label text-lg font-semibold">{locale.t("access.recipient_legend")}</legend>
                    <FieldMessage form field="kind"/>
                    <div class="ds-field mt-2 flex items-center gap-2">
                        <input type="radio" class="ds-input" id="give-kind-person" name="kind" value="person" checked=kind_checked("person")
                               on:change=move |_| kind.set("person".into())/>
                        <label for="give-kind-person" class="ds-label">{locale.t("access.kind_person")}</label>
                    </div>
                    <div class="ds-field mt-2 flex items-center gap-2">
                        <input type="radio" class="ds-input" id="give-kind-organisation" name="kind" value="organisation" checked=kind_checked("organisation")
                               on:change=move |_| kind.set("organisation".into())/>
                        <label for="give-kind-organisation" class="ds-label">{locale.t("access.kind_organisation")}</label>
                    </div>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let has_any = matches!(system_users.await, Ok(list) if !list.is_empty());
                            has_any.then(|| view! {
                                <div class="ds-field mt-2 flex items-center gap-2">
                                    <input type="radio" class="ds-input" id="give-kind-system-user" name="kind" value="system_user" checked=kind_checked("system_user")
                                           on:change=move |_| kind.set("system_user".into())/>
                                    <label for="give-kind-system-user" class="ds-label">{locale.t("access.kind_system_user")}</label>
                                </div>
                            })
                        })}
                    </Suspense>
                </fieldset>
                <div hidden=move || !show_person()>
                    <PersonFields form required=Signal::derive(move || interactive.get() && show_person())/>
                </div>
                <div hidden=move || !show_org()>
                    <fieldset class="ds-fieldset flex max-w-md flex-col gap-3">
                        <legend class="ds-label font-semibold">{locale.t("access.organisation_legend")}</legend>
                        <div class="ds-field flex flex-col">
                            <label for="give-orgno" class="ds-label font-semibold">{locale.t("access.org_number")}</label>
                            <p id="give-orgno-help" data-field="description">{locale.t("access.org_number_help")}</p>
                            <input id="give-orgno" name="org_number" class="ds-input" inputmode="numeric" autocomplete="off" maxlength="11"
                                   value=typed.value("org_number")
                                   aria-invalid=form.aria_invalid("org_number") aria-describedby=form.described_by("org_number", Some("give-orgno-help".into()))
                                   required=move || interactive.get() && show_org()/>
                            <FieldMessage form field="org_number"/>
                        </div>
                    </fieldset>
                </div>
                <Suspense fallback=|| ()>
                    {move || {
                        let chosen = chosen_system_user.clone();
                        Suspend::new(async move {
                        let list = system_users.await.unwrap_or_default();
                        (!list.is_empty()).then(|| view! {
                            <div hidden=move || !show_system_user()>
                                <div class="ds-field flex max-w-md flex-col">
                                    <label for="give-system-user" class="ds-label font-semibold">{locale.t("access.system_user")}</label>
                                    <select id="give-system-user" name="system_user" class="ds-input"
                                            aria-invalid=form.aria_invalid("system_user") aria-describedby=form.described_by("system_user", None)>
                                        {list.into_iter().map(|su| {
                                            let selected = chosen.as_deref() == Some(su.id.as_str());
                                            view! { <option value=su.id selected=selected>{su.name}</option> }
                                        }).collect_view()}
                                    </select>
                                    <FieldMessage form field="system_user"/>
                                </div>
                            </div>
                        })
                        })
                    }}
                </Suspense>
                <button type="submit" class="ds-button self-start" data-variant="primary">{locale.t("access.give_button")}</button>
            </ActionForm>
        </section>
    }
}

/// One translated summary of a give-access request: what was given to whom,
/// and each package that was not, with the reason.
#[component]
fn GiveSummaryAlert(summary: GiveSummary) -> impl IntoView {
    let locale = use_locale();
    let given: Vec<String> = summary.given().map(|o| locale.pick(&o.name)).collect();
    let refused: Vec<(String, String)> =
        summary.refused().filter_map(|o| Some((locale.pick(&o.name), crate::error::refusal_text(locale, o.refused.as_ref()?)))).collect();
    let all_given = refused.is_empty();
    let color = if all_given {
        "success"
    } else if given.is_empty() {
        "danger"
    } else {
        "warning"
    };
    let recipient = summary.recipient.clone();
    let body = view! {
        {(!given.is_empty()).then(|| view! {
            <p>{format!("{} {}: {}.", locale.t("access.given_to"), recipient, given.join(", "))}</p>
        })}
        {(!all_given).then(|| view! {
            <p>{format!("{} {}:", locale.t("access.not_given_to"), summary.recipient)}</p>
            <ul class="list-disc pl-6">
                {refused.into_iter().map(|(name, why)| view! { <li>{format!("{name} – {why}")}</li> }).collect_view()}
            </ul>
        })}
    };
    if all_given {
        view! { <div role="status" class="ds-alert my-4" data-color=color>{body}</div> }.into_any()
    } else {
        view! { <div role="alert" class="ds-alert my-4" data-color=color>{body}</div> }.into_any()
    }
}
