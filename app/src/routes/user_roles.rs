//! "User roles" (`/roller`): the user roles the chosen party may use, who holds
//! them and why (attestation), segregation-of-duties rules, and forms to
//! create a role, assign one and forbid two roles together. Every form works
//! without JavaScript.

use crate::components::alert::ErrorAlert;
use crate::components::form::{ErrorSummary, FieldMessage, FormFields};
use crate::form_flash::use_server_action;
use crate::functions::user_roles::{user_roles_overview, AddSodRule, AssignUserRole, CreateUserRole, EndUserRoleAssignment, UserRolesData};
use crate::i18n::{use_locale, Locale};
use leptos::form::ActionForm;
use leptos::prelude::*;

fn name(locale: Locale, names: &[String; 3]) -> String {
    let i = match locale {
        Locale::Nb => 0,
        Locale::Nn => 1,
        Locale::En => 2,
    };
    Some(&names[i]).filter(|n| !n.is_empty()).unwrap_or(&names[0]).clone()
}

/// A status line after a successful action, or the error.
fn outcome(locale: Locale, result: Option<Result<(), crate::error::AppError>>, done_key: &'static str) -> Option<AnyView> {
    result.map(|r| match r {
        Ok(()) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t(done_key)}</p></div> }.into_any(),
        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
    })
}

#[component]
pub fn UserRolesPage() -> impl IntoView {
    let locale = use_locale();
    let create = use_server_action::<CreateUserRole>();
    let assign = use_server_action::<AssignUserRole>();
    let end = use_server_action::<EndUserRoleAssignment>();
    let sod = use_server_action::<AddSodRule>();
    let data = Resource::new(move || (create.version().get(), assign.version().get(), end.version().get(), sod.version().get()), |_| user_roles_overview());

    view! {
        <h1 class="text-2xl font-bold">{locale.t("user_roles.title")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("user_roles.intro")}</p>
        {move || outcome(locale, create.value().get().filter(Result::is_ok), "user_roles.created")}
        {move || outcome(locale, assign.value().get().filter(Result::is_ok), "user_roles.assigned")}
        {move || outcome(locale, end.value().get(), "user_roles.ended")}
        {move || outcome(locale, sod.value().get().filter(Result::is_ok), "user_roles.sod_added")}
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Overview data=d end/> }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
        <CreateUserRoleForm create/>
        <AssignUserRoleForm assign/>
        <SodForm sod/>
    }
}

#[component]
fn Overview(data: UserRolesData, end: ServerAction<EndUserRoleAssignment>) -> impl IntoView {
    let locale = use_locale();
    let none = locale.t("user_roles.none");
    view! {
        <section aria-labelledby="roles-list" class="mt-8">
            <h2 id="roles-list" class="text-xl font-bold">{locale.t("user_roles.list_title")}</h2>
            {if data.roles.is_empty() {
                view! { <p class="mt-2">{none}</p> }.into_any()
            } else {
                view! {
                    <table class="ds-table mt-2 w-full text-left" data-size="sm">
                        <thead><tr>
                            <th scope="col">{locale.t("user_roles.col_role")}</th>
                            <th scope="col">{locale.t("user_roles.col_gives")}</th>
                            <th scope="col">{locale.t("user_roles.col_inherits")}</th>
                            <th scope="col">{locale.t("user_roles.col_rules")}</th>
                            <th scope="col">{locale.t("user_roles.col_owner")}</th>
                        </tr></thead>
                        <tbody>
                            {data.roles.into_iter().map(|r| {
                                let gives: Vec<String> = r.packages.iter().map(|p| format!("package:{p}")).chain(r.rights.iter().map(|x| format!("right:{x}"))).collect();
                                let mut rules = Vec::new();
                                if let Some(a) = &r.max_amount {
                                    rules.push(format!("{} {a}", locale.t("user_roles.rule_max_amount")));
                                }
                                if let Some(d) = r.first_working_days {
                                    rules.push(locale.t("user_roles.rule_first_days").replace("{n}", &d.to_string()));
                                }
                                view! {
                                    <tr class="border-t border-gray-200 align-top">
                                        <td><strong>{name(locale, &r.names)}</strong><br/><code>{r.code.clone()}</code></td>
                                        <td>{gives.join(", ")}</td>
                                        <td>{r.inherits.join(", ")}</td>
                                        <td>{rules.join("; ")}</td>
                                        <td>{r.owner.clone().unwrap_or_default()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="assignments-list" class="mt-8">
            <h2 id="assignments-list" class="text-xl font-bold">{locale.t("user_roles.assignments_title")}</h2>
            {if data.assignments.is_empty() {
                view! { <p class="mt-2">{locale.t("user_roles.no_assignments")}</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-2 divide-y divide-gray-200 border-y border-gray-200">
                        {data.assignments.into_iter().map(|a| {
                            let label = format!("{} {} – {}", locale.t("user_roles.end"), a.role, a.subject);
                            let attestation = format!("{}: {} {}", locale.t(attestation_key(&a.attestation_kind)), a.attestation_issuer, a.attestation_reference);
                            let period = match &a.valid_to {
                                Some(to) => format!("{} – {to}", a.valid_from),
                                None => format!("{} –", a.valid_from),
                            };
                            view! {
                                <li class="flex flex-wrap items-center gap-3 py-2 text-sm">
                                    <span><strong>{a.subject.clone()}</strong> " · " <code>{a.role.clone()}</code></span>
                                    <span>{locale.t("user_roles.for")} " " {a.parties.join(", ")}</span>
                                    <span>{period}</span>
                                    <span class="text-gray-700">{attestation}</span>
                                    <ActionForm action=end>
                                        <input type="hidden" name="assignment" value=a.id.clone()/>
                                        <button type="submit" class="ds-button" data-variant="secondary" data-size="sm" aria-label=label>{locale.t("user_roles.end")}</button>
                                    </ActionForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="sod-list" class="mt-8">
            <h2 id="sod-list" class="text-xl font-bold">{locale.t("user_roles.sod_title")}</h2>
            {if data.sod_rules.is_empty() {
                view! { <p class="mt-2">{locale.t("user_roles.no_sod")}</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-2 list-disc pl-6 text-sm">
                        {data.sod_rules.into_iter().map(|s| view! {
                            <li><code>{s.role_a}</code> " ≠ " <code>{s.role_b}</code> {(!s.description.is_empty()).then(|| format!(" – {}", s.description))}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

fn attestation_key(kind: &str) -> &'static str {
    match kind {
        "register_entry" => "user_roles.att_register_entry",
        "grant" => "user_roles.att_grant",
        "power_of_attorney" => "user_roles.att_power_of_attorney",
        "consent" => "user_roles.att_consent",
        _ => "user_roles.att_manager_approval",
    }
}

/// One labelled text input of `form`, with what was typed into it when a
/// post without JavaScript came back refused, and its validation message.
#[component]
fn Field(
    form: FormFields,
    id: &'static str,
    name: &'static str,
    label: &'static str,
    #[prop(optional)] help: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(default = "text")] kind: &'static str,
) -> impl IntoView {
    let locale = use_locale();
    let help_id = help.map(|_| format!("{id}-help"));
    view! {
        <div class="ds-field flex flex-col">
            <label for=id class="ds-label font-semibold">{locale.t(label)}</label>
            {help.zip(help_id.clone()).map(|(h, hid)| view! { <p id=hid data-field="description">{locale.t(h)}</p> })}
            <input id=id name=name type=kind class="ds-input" required=required value=form.typed_value(name)
                   // `maxlength` is for text; on a number or a date it is not allowed.
                   maxlength=(kind == "text").then_some("500")
                   aria-invalid=form.aria_invalid(name) aria-describedby=form.described_by(name, help_id)/>
            <FieldMessage form field=name/>
        </div>
    }
}

#[component]
fn CreateUserRoleForm(create: ServerAction<CreateUserRole>) -> impl IntoView {
    let locale = use_locale();
    let form = FormFields::of(
        create,
        &[
            ("code", "role-code"),
            ("name_nb", "role-name-nb"),
            ("name_nn", "role-name-nn"),
            ("name_en", "role-name-en"),
            ("description", "role-description"),
            ("packages", "role-packages"),
            ("rights", "role-rights"),
            ("inherits", "role-inherits"),
            ("max_amount", "role-max-amount"),
            ("first_working_days", "role-first-days"),
        ],
    )
    .with_refusals(&[
        ("role.code_taken", "code"),
        ("role.unknown_package", "packages"),
        ("role.unknown_resource", "rights"),
        ("role.unknown", "inherits"),
        ("role.not_available", "inherits"),
        ("role.cycle", "inherits"),
    ]);
    view! {
        <section aria-labelledby="create-role" class="mt-10">
            <h2 id="create-role" class="text-xl font-bold">{locale.t("user_roles.create_title")}</h2>
            <ErrorSummary form/>
            <ActionForm action=create attr:class="mt-4 grid max-w-3xl gap-4 sm:grid-cols-2">
                <Field form id="role-code" name="code" label="user_roles.code" help="user_roles.code_help" required=true/>
                <Field form id="role-name-nb" name="name_nb" label="user_roles.name_nb" required=true/>
                <Field form id="role-name-nn" name="name_nn" label="user_roles.name_nn"/>
                <Field form id="role-name-en" name="name_en" label="user_roles.name_en"/>
                <Field form id="role-description" name="description" label="user_roles.description"/>
                <Field form id="role-packages" name="packages" label="user_roles.packages" help="user_roles.packages_help"/>
                <Field form id="role-rights" name="rights" label="user_roles.rights" help="user_roles.rights_help"/>
                <Field form id="role-inherits" name="inherits" label="user_roles.inherits" help="user_roles.inherits_help"/>
                <Field form id="role-max-amount" name="max_amount" label="user_roles.max_amount" help="user_roles.max_amount_help"/>
                <Field form id="role-first-days" name="first_working_days" label="user_roles.first_days" help="user_roles.first_days_help" kind="number"/>
                <div class="sm:col-span-2">
                    <button type="submit" class="ds-button" data-variant="primary">{locale.t("user_roles.create_button")}</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn AssignUserRoleForm(assign: ServerAction<AssignUserRole>) -> impl IntoView {
    let locale = use_locale();
    let kinds = ["manager_approval", "grant", "power_of_attorney", "consent", "register_entry"];
    let form = FormFields::of(
        assign,
        &[
            ("role", "assign-role-code"),
            ("national_id", "assign-nin"),
            ("surname", "assign-surname"),
            ("restricted_to", "assign-restricted"),
            ("valid_from", "assign-from"),
            ("valid_to", "assign-to"),
            ("attestation_kind", "assign-attestation"),
            ("attestation_issuer", "assign-issuer"),
            ("attestation_reference", "assign-reference"),
        ],
    )
    .with_refusals(&[
        ("role.unknown", "role"),
        ("role.not_available", "role"),
        ("role.unknown_party", "restricted_to"),
        ("role.self", "national_id"),
        ("grant.no_such_person", "national_id"),
        ("grant.no_such_organisation", "restricted_to"),
        ("role.sod", "role"),
        ("role.exists", "role"),
    ]);
    let chosen_kind = form.typed_value("attestation_kind");
    view! {
        <section aria-labelledby="assign-role" class="mt-10">
            <h2 id="assign-role" class="text-xl font-bold">{locale.t("user_roles.assign_title")}</h2>
            <ErrorSummary form/>
            <ActionForm action=assign attr:class="mt-4 grid max-w-3xl gap-4 sm:grid-cols-2">
                <Field form id="assign-role-code" name="role" label="user_roles.assign_role" required=true/>
                <Field form id="assign-nin" name="national_id" label="user_roles.assign_nin" required=true/>
                <Field form id="assign-surname" name="surname" label="user_roles.assign_surname" required=true/>
                <Field form id="assign-restricted" name="restricted_to" label="user_roles.restricted_to" help="user_roles.restricted_to_help"/>
                <Field form id="assign-from" name="valid_from" label="user_roles.valid_from" kind="date"/>
                <Field form id="assign-to" name="valid_to" label="user_roles.valid_to" kind="date"/>
                <div class="ds-field flex flex-col">
                    <label for="assign-attestation" class="ds-label font-semibold">{locale.t("user_roles.attestation_kind")}</label>
                    <select id="assign-attestation" name="attestation_kind" class="ds-input">
                        {kinds.into_iter().map(|k| {
                            let selected = chosen_kind.as_deref() == Some(k);
                            view! { <option value=k selected=selected>{locale.t(attestation_key(k))}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <Field form id="assign-issuer" name="attestation_issuer" label="user_roles.attestation_issuer" help="user_roles.attestation_issuer_help" required=true/>
                <Field form id="assign-reference" name="attestation_reference" label="user_roles.attestation_reference"/>
                <div class="sm:col-span-2">
                    <button type="submit" class="ds-button" data-variant="primary">{locale.t("user_roles.assign_button")}</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn SodForm(sod: ServerAction<AddSodRule>) -> impl IntoView {
    let locale = use_locale();
    let form = FormFields::of(sod, &[("role_a", "sod-a"), ("role_b", "sod-b"), ("description", "sod-description")])
        .with_refusals(&[("role.unknown", "role_a"), ("role.not_available", "role_a")]);
    view! {
        <section aria-labelledby="add-sod" class="mt-10">
            <h2 id="add-sod" class="text-xl font-bold">{locale.t("user_roles.sod_add_title")}</h2>
            <ErrorSummary form/>
            <ActionForm action=sod attr:class="mt-4 grid max-w-3xl gap-4 sm:grid-cols-3">
                <Field form id="sod-a" name="role_a" label="user_roles.sod_role_a" required=true/>
                <Field form id="sod-b" name="role_b" label="user_roles.sod_role_b" required=true/>
                <Field form id="sod-description" name="description" label="user_roles.description"/>
                <div class="sm:col-span-3">
                    <button type="submit" class="ds-button" data-variant="primary">{locale.t("user_roles.sod_button")}</button>
                </div>
            </ActionForm>
        </section>
    }
}
