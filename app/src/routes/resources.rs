//! Services (`/tjenester`) of the party acted for, for its access managers:
//! the list (`/tjenester`), a new service with its first rule
//! (`/tjenester/ny`), and one service (`/tjenester/<id>`) with its details,
//! its rules (`?regel=<id>` edits one, `?regel=ny` adds one), XACML import and
//! export, and deletion (`?slett=1` asks first).
//!
//! Every form is a plain POST that works without JavaScript: a saved form
//! redirects back to the service with `?lagret=1`; an error comes back through
//! the URL and is shown next to its field and summarised at the top.

use crate::error::AppError;
use crate::form_flash::{use_server_action, Typed};
use crate::functions::resources::{
    field_errors, field_message, message, policy_packages, service, services, CreateService, DeleteService, DeleteServiceRule, FieldErrors,
    ImportServicePolicy, PackageChoiceView, RuleView, SaveServiceRule, ServiceView, UpdateService, AUTH_LEVELS, COMBINING,
};
use crate::i18n::{use_locale, Locale};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route};
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::{path, MatchNestedRoutes, SsrMode};

/// The routes under `/tjenester`, registered with one line in the app. They
/// render only once their data is loaded (`SsrMode::Async`): out-of-order
/// streaming would leave a browser without JavaScript at the loading text.
#[component(transparent)]
pub fn ServiceRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("/tjenester") view=leptos_router::components::Outlet ssr=SsrMode::Async>
            <Route path=path!("") view=ServicesPage ssr=SsrMode::Async/>
            <Route path=path!("ny") view=NewServicePage ssr=SsrMode::Async/>
            <Route path=path!(":id") view=ServicePage ssr=SsrMode::Async/>
        </ParentRoute>
    }
    .into_inner()
}

/// The policy export (XACML XML) of a service, served by the REST API.
pub fn export_href(id: &str) -> String {
    format!("/resourceregistry/api/v1/resource/{id}/policy")
}

fn pick(locale: Locale, texts: &[String; 3]) -> String {
    texts[match locale {
        Locale::Nb => 0,
        Locale::Nn => 1,
        Locale::En => 2,
    }]
    .clone()
}

fn effect_text(locale: Locale, effect: &str) -> &'static str {
    if effect == "Deny" {
        locale.t("resources.effect_deny")
    } else {
        locale.t("resources.effect_permit")
    }
}

fn combining_text(locale: Locale, c: &str) -> &'static str {
    match c {
        "permit-overrides" => locale.t("resources.combining.permit_overrides"),
        "first-applicable" => locale.t("resources.combining.first_applicable"),
        "deny-unless-permit" => locale.t("resources.combining.deny_unless_permit"),
        "permit-unless-deny" => locale.t("resources.combining.permit_unless_deny"),
        _ => locale.t("resources.combining.deny_overrides"),
    }
}

/// The errors of one form's last submission, split into field errors and the rest.
#[derive(Clone, Copy)]
struct FormErrors {
    error: Signal<Option<AppError>>,
    locale: Locale,
}

impl FormErrors {
    fn of<S>(action: ServerAction<S>) -> Self
    where
        S: leptos::server_fn::ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
    {
        Self { error: Signal::derive(move || action.value().get().and_then(|r| r.err())), locale: use_locale() }
    }

    fn fields(&self) -> FieldErrors {
        self.error.get().as_ref().and_then(field_errors).unwrap_or_default()
    }

    fn field(&self, names: &[&str]) -> Option<String> {
        let locale = self.locale;
        let messages: Vec<String> =
            self.fields().into_iter().filter(|(f, _)| names.contains(&f.as_str())).map(|(f, d)| field_message(locale, &f, &d)).collect();
        (!messages.is_empty()).then(|| messages.join(" "))
    }
}

/// The summary at the top of a form: every error, each linking to its field.
#[component]
fn ErrorSummary(errors: FormErrors, #[prop(into)] prefix: String) -> impl IntoView {
    let locale = use_locale();
    let summary = move || {
        let error = errors.error.get()?;
        let fields = errors.fields();
        if fields.is_empty() {
            return Some(view! { <div role="alert" class="ds-alert my-4" data-color="danger"><p>{message(locale, &error)}</p></div> }.into_any());
        }
        let prefix = prefix.clone();
        Some(
            view! {
                <div role="alert" class="ds-error-summary my-4" tabindex="-1" data-testid="error-summary">
                    <h2>{locale.t("resources.error.summary")}</h2>
                    <ul class="list-disc pl-6">
                        {fields.into_iter().map(|(f, d)| {
                            let target = format!("#{prefix}-{}", anchor(&f));
                            view! { <li><a class="underline" href=target>{field_message(locale, &f, &d)}</a></li> }
                        }).collect_view()}
                    </ul>
                </div>
            }
            .into_any(),
        )
    };
    summary.into_any()
}

/// The element id suffix a field's error links to.
fn anchor(field: &str) -> &str {
    match field {
        "title_nb" => "title-nb",
        "title_nn" => "title-nn",
        "title_en" => "title-en",
        "resource_type" => "type",
        "auth_level" => "level",
        "id" | "description" | "combining" | "effect" | "actions" | "parties" | "xml" => field,
        "subjects" | "packages" | "roles" => "roles",
        _ => "rules",
    }
}

/// `aria-describedby` of a field: its help text, and its error while one shows.
fn describe(
    errors: FormErrors,
    fields: &'static [&'static str],
    help: Option<String>,
    error: String,
) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
    move || {
        let mut ids: Vec<String> = help.iter().cloned().collect();
        if errors.field(fields).is_some() {
            ids.push(error.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// One error next to its field.
#[component]
fn FieldError(errors: FormErrors, fields: &'static [&'static str], #[prop(into)] id: String) -> impl IntoView {
    (move || errors.field(fields).map(|m| view! { <p id=id.clone() class="ds-validation-message" data-color="danger">{m}</p> })).into_any()
}

#[component]
pub fn ServicesPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let list = Resource::new(|| (), |_| services());
    view! {
        <h1 class="text-2xl font-bold">{locale.t("resources.title")}</h1>
        {move || query.read().get("slettet").map(|_| view! {
            <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("resources.deleted")}</p></div>
        })}
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(v) => {
                        let intro = format!("{} {}.", locale.t("resources.intro"), v.party_name);
                        view! {
                            <p class="mt-2 max-w-prose">{intro}</p>
                            {match (v.org_number.is_some(), v.services.is_empty()) {
                                (false, _) => view! { <div class="ds-alert my-6" data-color="info"><p>{locale.t("resources.not_organisation")}</p></div> }.into_any(),
                                (true, true) => view! { <div class="ds-alert my-6" data-color="info"><p>{locale.t("resources.none")}</p></div> }.into_any(),
                                (true, false) => view! {
                                    <ul class="mt-6 divide-y divide-gray-200 border-y border-gray-200" aria-label=locale.t("resources.list_label")>
                                        {v.services.into_iter().map(|s| view! {
                                            <li class="py-3">
                                                <a class="font-semibold underline" href=format!("/tjenester/{}", s.id)>{pick(locale, &s.title)}</a>
                                                <p class="text-sm text-gray-700">
                                                    <code>{s.id.clone()}</code> " · " {s.resource_type.clone()} " · "
                                                    {format!("{} {}", s.rules, locale.t("resources.rules_count"))}
                                                </p>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                            }}
                            {(v.org_number.is_some() && v.may_manage).then(|| view! {
                                <p class="mt-6"><a class="ds-button" data-variant="primary" href="/tjenester/ny">{locale.t("resources.new")}</a></p>
                            })}
                            {(v.org_number.is_some() && !v.may_manage).then(|| view! {
                                <p class="mt-6">{locale.t("resources.not_manager")}</p>
                            })}
                        }.into_any()
                    }
                    Err(e) => view! { <div role="alert" class="ds-alert my-4" data-color="danger"><p>{message(locale, &e)}</p></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The fields of a service's details, prefilled from `s` when editing.
#[component]
fn DetailFields(
    errors: FormErrors,
    prefix: &'static str,
    service: Option<ServiceView>,
    creating: bool,
    /// What was typed, when a post without JavaScript came back refused: it wins over `service`.
    #[prop(optional)]
    typed: Typed,
) -> impl IntoView {
    let locale = use_locale();
    let s = service.clone();
    let was_typed = !typed.is_empty();
    let typed_or = |name: &str, otherwise: String| if was_typed { typed.value_or(name, "") } else { otherwise };
    let titles = ["title_nb", "title_nn", "title_en"].map(|f| typed_or(f, String::new()));
    let title = |i: usize| if was_typed { titles[i].clone() } else { s.as_ref().map(|s| s.title[i].clone()).unwrap_or_default() };
    let resource_type = typed_or("resource_type", s.as_ref().map(|s| s.resource_type.clone()).unwrap_or_else(|| "GenericAccessResource".into()));
    let combining = typed_or("combining", s.as_ref().map(|s| s.combining.clone()).unwrap_or_else(|| "deny-overrides".into()));
    let level = typed_or("auth_level", s.as_ref().and_then(|s| s.auth_level.clone()).unwrap_or_default());
    let delegable = if was_typed { typed.has("delegable", "on") } else { s.as_ref().is_none_or(|s| s.delegable) };
    let description = typed_or("description", s.as_ref().map(|s| s.description.clone()).unwrap_or_default());
    let typed_id = typed.value("id");
    let id = move |f: &str| format!("{prefix}-{f}");
    let invalid = move |fields: &'static [&'static str]| move || errors.field(fields).map(|_| "true");
    let err = move |f: &str| format!("{prefix}-{f}-error");
    let help = move |f: &str| Some(format!("{prefix}-{f}-help"));
    let text_field = move |f: &'static str, field: &'static [&'static str], label: &'static str, value: String| {
        view! {
            <div class="ds-field flex flex-col">
                <label for=id(f) class="ds-label font-semibold">{locale.t(label)}</label>
                <FieldError errors fields=field id=format!("{prefix}-{f}-error")/>
                <input id=id(f) name=field[0] class="ds-input" maxlength="200" value=value required
                       aria-describedby=describe(errors, field, None, err(f)) aria-invalid=invalid(field)/>
            </div>
        }
        .into_any()
    };
    let id_block = if creating {
        view! {
            <div class="ds-field flex flex-col">
                <label for=id("id") class="ds-label font-semibold">{locale.t("resources.field.id")}</label>
                <p id=format!("{prefix}-id-help") class="text-sm text-gray-700">{locale.t("resources.field.id_help")}</p>
                <FieldError errors fields=&["id"] id=format!("{prefix}-id-error")/>
                <input id=id("id") name="id" class="ds-input" maxlength="100" autocomplete="off" required pattern="[a-z0-9][a-z0-9_\\-]{1,99}"
                       value=typed_id.clone()
                       aria-describedby=describe(errors, &["id"], help("id"), err("id")) aria-invalid=invalid(&["id"])/>
            </div>
        }
        .into_any()
    } else {
        // Not a field: the id never changes, so it is shown as text and posted hidden.
        let value = s.as_ref().map(|s| s.id.clone()).unwrap_or_default();
        view! {
            <div class="flex flex-col">
                <p class="ds-label font-semibold">{locale.t("resources.field.id")}</p>
                <p id=id("id") class="font-mono">{value.clone()}</p>
                <input type="hidden" name="id" value=value/>
            </div>
        }
        .into_any()
    };
    view! {
        {id_block}
        {text_field("title-nb", &["title_nb"], "resources.field.title_nb", title(0))}
        {text_field("title-nn", &["title_nn"], "resources.field.title_nn", title(1))}
        {text_field("title-en", &["title_en"], "resources.field.title_en", title(2))}
        <div class="ds-field flex flex-col">
            <label for=id("description") class="ds-label font-semibold">{locale.t("resources.field.description")}</label>
            <FieldError errors fields=&["description"] id=format!("{prefix}-description-error")/>
            <textarea id=id("description") name="description" class="ds-input" rows="3" maxlength="4000"
                      aria-describedby=describe(errors, &["description"], None, err("description")) aria-invalid=invalid(&["description"])>
                {description}
            </textarea>
        </div>
        <div class="ds-field flex flex-col">
            <label for=id("type") class="ds-label font-semibold">{locale.t("resources.field.resource_type")}</label>
            <FieldError errors fields=&["resource_type"] id=format!("{prefix}-type-error")/>
            <select id=id("type") name="resource_type" class="ds-input" aria-describedby=describe(errors, &["resource_type"], None, err("type")) aria-invalid=invalid(&["resource_type"])>
                {crate::functions::resources::RESOURCE_TYPES_OFFERED.iter().map(|t| {
                    let selected = *t == resource_type;
                    view! { <option value=*t selected=selected>{*t}</option> }
                }).collect_view()}
            </select>
        </div>
        <div class="ds-field flex items-center gap-2">
            <input type="checkbox" id=id("delegable") name="delegable" value="on" class="ds-input" checked=delegable/>
            <label for=id("delegable") class="ds-label">{locale.t("resources.field.delegable")}</label>
        </div>
        <div class="ds-field flex flex-col">
            <label for=id("combining") class="ds-label font-semibold">{locale.t("resources.field.combining")}</label>
            <FieldError errors fields=&["combining"] id=format!("{prefix}-combining-error")/>
            <select id=id("combining") name="combining" class="ds-input" aria-describedby=describe(errors, &["combining"], None, err("combining")) aria-invalid=invalid(&["combining"])>
                {COMBINING.iter().map(|c| {
                    let selected = *c == combining;
                    view! { <option value=*c selected=selected>{combining_text(locale, c)}</option> }
                }).collect_view()}
            </select>
        </div>
        <div class="ds-field flex flex-col">
            <label for=id("level") class="ds-label font-semibold">{locale.t("resources.field.auth_level")}</label>
            <p id=format!("{prefix}-level-help") class="text-sm text-gray-700">{locale.t("resources.field.auth_level_help")}</p>
            <FieldError errors fields=&["auth_level"] id=format!("{prefix}-level-error")/>
            <select id=id("level") name="auth_level" class="ds-input" aria-describedby=describe(errors, &["auth_level"], help("level"), err("level")) aria-invalid=invalid(&["auth_level"])>
                <option value="" selected=level.is_empty()>{locale.t("resources.field.auth_level_none")}</option>
                {AUTH_LEVELS.iter().map(|l| {
                    let selected = *l == level;
                    view! { <option value=*l selected=selected>{*l}</option> }
                }).collect_view()}
            </select>
        </div>
    }
    .into_any()
}

/// The fields of one rule: effect, actions, and who (packages, role codes, named parties).
#[component]
fn RuleFields(
    errors: FormErrors,
    prefix: &'static str,
    rule: Option<RuleView>,
    packages: Vec<PackageChoiceView>,
    /// What was typed, when a post without JavaScript came back refused: it wins over `rule`.
    #[prop(optional)]
    typed: Typed,
) -> impl IntoView {
    let locale = use_locale();
    let id = move |f: &str| format!("{prefix}-{f}");
    let invalid = move |fields: &'static [&'static str]| move || errors.field(fields).map(|_| "true");
    let was_typed = !typed.is_empty();
    let typed_or = |name: &str, otherwise: String| if was_typed { typed.value_or(name, "") } else { otherwise };
    let deny = if was_typed { typed.has("effect", "Deny") } else { rule.as_ref().is_some_and(|r| r.effect == "Deny") };
    let actions = typed_or("actions", rule.as_ref().map(|r| r.actions.join(", ")).unwrap_or_else(|| "read".into()));
    let roles = typed_or("roles", rule.as_ref().map(|r| r.roles.join(", ")).unwrap_or_default());
    let parties = typed_or("parties", rule.as_ref().map(|r| r.parties.join(", ")).unwrap_or_default());
    let chosen: Vec<String> = if was_typed { typed.all("packages[]") } else { rule.as_ref().map(|r| r.packages.clone()).unwrap_or_default() };
    // Packages the rule names that the catalogue does not offer stay chosen.
    let unknown: Vec<String> = chosen.iter().filter(|c| !packages.iter().any(|p| &p.code == *c)).cloned().collect();
    let mut areas: Vec<([String; 3], Vec<PackageChoiceView>)> = Vec::new();
    for p in packages {
        match areas.iter_mut().find(|(a, _)| *a == p.area_name) {
            Some((_, list)) => list.push(p),
            None => areas.push((p.area_name.clone(), vec![p])),
        }
    }
    let other = rule.as_ref().map(|r| r.other.clone()).unwrap_or_default();
    let open = !chosen.is_empty();
    let package_list = view! {
        <details class="mt-2" open=open>
            <summary class="cursor-pointer font-semibold">{locale.t("resources.field.packages")}</summary>
            {areas.into_iter().enumerate().map(|(ai, (area, list))| view! {
                <fieldset class="ds-fieldset mt-2">
                    <legend class="ds-label">{pick(locale, &area)}</legend>
                    {list.into_iter().enumerate().map(|(pi, p)| {
                        let pid = format!("{prefix}-package-{ai}-{pi}");
                        let checked = chosen.contains(&p.code);
                        view! {
                            <div class="ds-field mt-1 flex items-center gap-2">
                                <input type="checkbox" class="ds-input" id=pid.clone() name="packages[]" value=p.code.clone() checked=checked/>
                                <label for=pid class="ds-label">{pick(locale, &p.name)}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            }).collect_view()}
            {unknown.into_iter().enumerate().map(|(i, code)| {
                let pid = format!("{prefix}-package-unknown-{i}");
                view! {
                    <div class="ds-field mt-1 flex items-center gap-2">
                        <input type="checkbox" class="ds-input" id=pid.clone() name="packages[]" value=code.clone() checked=true/>
                        <label for=pid class="ds-label"><code>{code}</code></label>
                    </div>
                }
            }).collect_view()}
        </details>
    }
    .into_any();
    view! {
        <fieldset id=id("effect") class="ds-fieldset" aria-describedby=describe(errors, &["effect"], None, format!("{prefix}-effect-error"))>
            <legend class="ds-label font-semibold">{locale.t("resources.field.effect")}</legend>
            <FieldError errors fields=&["effect"] id=format!("{prefix}-effect-error")/>
            <div class="ds-field mt-1 flex items-center gap-2">
                <input type="radio" class="ds-input" id=id("permit") name="effect" value="Permit" checked=!deny/>
                <label for=id("permit") class="ds-label">{locale.t("resources.effect_permit")}</label>
            </div>
            <div class="ds-field mt-1 flex items-center gap-2">
                <input type="radio" class="ds-input" id=id("deny") name="effect" value="Deny" checked=deny/>
                <label for=id("deny") class="ds-label">{locale.t("resources.effect_deny")}</label>
            </div>
        </fieldset>
        <div class="ds-field flex flex-col">
            <label for=id("actions") class="ds-label font-semibold">{locale.t("resources.field.actions")}</label>
            <p id=format!("{prefix}-actions-help") class="text-sm text-gray-700">{locale.t("resources.field.actions_help")}</p>
            <FieldError errors fields=&["actions"] id=format!("{prefix}-actions-error")/>
            <input id=id("actions") name="actions" class="ds-input" maxlength="500" autocomplete="off" value=actions required
                   aria-describedby=describe(errors, &["actions"], Some(format!("{prefix}-actions-help")), format!("{prefix}-actions-error")) aria-invalid=invalid(&["actions"])/>
        </div>
        <fieldset class="ds-fieldset">
            <legend class="ds-label font-semibold">{locale.t("resources.field.who")}</legend>
            <p class="text-sm text-gray-700">{locale.t("resources.field.who_help")}</p>
            <FieldError errors fields=&["subjects"] id=format!("{prefix}-subjects-error")/>
            {package_list}
            <div class="ds-field mt-3 flex flex-col">
                <label for=id("roles") class="ds-label font-semibold">{locale.t("resources.field.roles")}</label>
                <p id=format!("{prefix}-roles-help") class="text-sm text-gray-700">{locale.t("resources.field.roles_help")}</p>
                <input id=id("roles") name="roles" class="ds-input" maxlength="500" autocomplete="off" value=roles
                       aria-describedby=describe(errors, &["subjects"], Some(format!("{prefix}-roles-help")), format!("{prefix}-subjects-error")) aria-invalid=invalid(&["subjects"])/>
            </div>
            <div class="ds-field mt-3 flex flex-col">
                <label for=id("parties") class="ds-label font-semibold">{locale.t("resources.field.parties")}</label>
                <p id=format!("{prefix}-parties-help") class="text-sm text-gray-700">{locale.t("resources.field.parties_help")}</p>
                <FieldError errors fields=&["parties"] id=format!("{prefix}-parties-error")/>
                <input id=id("parties") name="parties" class="ds-input" maxlength="2000" autocomplete="off" inputmode="numeric" value=parties
                       aria-describedby=describe(errors, &["parties"], Some(format!("{prefix}-parties-help")), format!("{prefix}-parties-error")) aria-invalid=invalid(&["parties"])/>
            </div>
            {(!other.is_empty()).then(|| view! {
                <div class="mt-3">
                    <p class="text-sm font-semibold">{locale.t("resources.field.other")}</p>
                    <ul class="list-disc pl-6 text-sm">{other.into_iter().map(|o| view! { <li><code>{o}</code></li> }).collect_view()}</ul>
                </div>
            })}
        </fieldset>
        <div id=format!("{prefix}-rules")><FieldError errors fields=&["rules", "rules[0]"] id=format!("{prefix}-rules-error")/></div>
    }
    .into_any()
}

#[component]
pub fn NewServicePage() -> impl IntoView {
    let locale = use_locale();
    let create = use_server_action::<CreateService>();
    let errors = FormErrors::of(create);
    let typed = Typed::of::<CreateService>();
    let party = Resource::new(|| (), |_| services());
    let packages = Resource::new(|| (), |_| policy_packages());
    view! {
        <p><a class="underline" href="/tjenester">{locale.t("resources.back")}</a></p>
        <h1 class="mt-2 text-2xl font-bold">{locale.t("resources.new_title")}</h1>
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || {
                let typed = typed.clone();
                Suspend::new(async move {
                let v = match party.await {
                    Ok(v) => v,
                    Err(e) => return view! { <div role="alert" class="ds-alert my-4" data-color="danger"><p>{message(locale, &e)}</p></div> }.into_any(),
                };
                if v.org_number.is_none() {
                    return view! { <div class="ds-alert my-6" data-color="info"><p>{locale.t("resources.not_organisation")}</p></div> }.into_any();
                }
                if !v.may_manage {
                    return view! { <div role="alert" class="ds-alert my-6" data-color="danger"><p>{locale.t("resources.not_manager")}</p></div> }.into_any();
                }
                let packages = packages.await.unwrap_or_default();
                view! {
                    <p class="mt-2 max-w-prose">{format!("{} {}.", locale.t("resources.new_intro"), v.party_name)}</p>
                    <ErrorSummary errors prefix="new"/>
                    <ActionForm action=create attr:class="mt-4 flex max-w-3xl flex-col gap-4" attr:novalidate=true>
                        <DetailFields errors prefix="new" service=None creating=true typed=typed.clone()/>
                        <fieldset class="ds-fieldset flex flex-col gap-4">
                            <legend class="ds-label text-lg font-semibold">{locale.t("resources.first_rule")}</legend>
                            <RuleFields errors prefix="new" rule=None packages typed=typed.clone()/>
                        </fieldset>
                        <button type="submit" class="ds-button self-start" data-variant="primary">{locale.t("resources.create_button")}</button>
                    </ActionForm>
                }.into_any()
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn ServicePage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let update = use_server_action::<UpdateService>();
    let save_rule = use_server_action::<SaveServiceRule>();
    let delete_rule = use_server_action::<DeleteServiceRule>();
    let import = use_server_action::<ImportServicePolicy>();
    let delete = use_server_action::<DeleteService>();
    let id = move || params.read().get("id").unwrap_or_default();
    let current = Resource::new(
        move || (id(), update.version().get(), save_rule.version().get(), delete_rule.version().get(), import.version().get()),
        |(id, ..)| service(id),
    );
    let packages = Resource::new(|| (), |_| policy_packages());
    let saved = move || query.read().get("lagret").is_some();
    let editing = move || query.read().get("regel");
    let confirm_delete = move || query.read().get("slett").is_some();
    let (update_errors, rule_errors, delete_rule_errors, import_errors, delete_errors) =
        (FormErrors::of(update), FormErrors::of(save_rule), FormErrors::of(delete_rule), FormErrors::of(import), FormErrors::of(delete));

    view! {
        <p><a class="underline" href="/tjenester">{locale.t("resources.back")}</a></p>
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                let s = match current.await {
                    Ok(s) => s,
                    Err(e) => return view! {
                        <h1 class="mt-2 text-2xl font-bold">{locale.t("resources.title")}</h1>
                        <div role="alert" class="ds-alert my-4" data-color="danger"><p>{message(locale, &e)}</p></div>
                    }.into_any(),
                };
                let packages = packages.await.unwrap_or_default();
                let sid = s.id.clone();
                let base = format!("/tjenester/{sid}");
                let rule_form = {
                    let (sid, base, rules) = (sid.clone(), base.clone(), s.rules.clone());
                    editing().map(move |r| {
                        let rule = rules.iter().find(|x| x.id == r).cloned();
                        let heading = if rule.is_some() { format!("{} {r}", locale.t("resources.edit_rule")) } else { locale.t("resources.add_rule").to_string() };
                        let rule_id = rule.as_ref().map(|r| r.id.clone()).unwrap_or_default();
                        view! {
                            <section aria-labelledby="rule-title" class="mt-6 border-l-4 border-gray-300 pl-4">
                                <h3 id="rule-title" class="text-lg font-semibold">{heading}</h3>
                                <ErrorSummary errors=rule_errors prefix="rule"/>
                                <ActionForm action=save_rule attr:class="mt-2 flex max-w-3xl flex-col gap-4" attr:novalidate=true>
                                    <input type="hidden" name="service" value=sid/>
                                    <input type="hidden" name="rule" value=rule_id/>
                                    <RuleFields errors=rule_errors prefix="rule" rule packages/>
                                    <div class="flex gap-2">
                                        <button type="submit" class="ds-button" data-variant="primary">{locale.t("resources.save_rule")}</button>
                                        <a href=base class="ds-button" data-variant="secondary">{locale.t("resources.cancel")}</a>
                                    </div>
                                </ActionForm>
                            </section>
                        }
                    })
                };
                let rule_items = s.rules.clone().into_iter().map({
                    let (sid, base) = (sid.clone(), base.clone());
                    move |r| {
                        let who: Vec<String> = r.packages.iter().map(|p| format!("{} {p}", locale.t("resources.who.package")))
                            .chain(r.roles.iter().map(|x| format!("{} {x}", locale.t("resources.who.role"))))
                            .chain(r.parties.iter().map(|x| format!("{} {x}", locale.t("resources.who.party"))))
                            .chain(r.other.iter().cloned())
                            .collect();
                        let edit_label = format!("{} {}", locale.t("resources.edit_rule"), r.id);
                        let delete_label = format!("{} {}", locale.t("resources.delete_rule"), r.id);
                        let edit_href = format!("{base}?regel={}", r.id);
                        let (service_id, rule_id) = (sid.clone(), r.id.clone());
                        view! {
                            <li class="flex flex-wrap items-start justify-between gap-2 py-3">
                                <div>
                                    <p class="font-semibold">{r.id.clone()} ": " {effect_text(locale, &r.effect)} " – " {r.actions.join(", ")}</p>
                                    <p class="text-sm text-gray-700">{who.join("; ")}</p>
                                </div>
                                <div class="flex gap-2">
                                    <a class="ds-button" data-variant="secondary" data-size="sm" href=edit_href aria-label=edit_label>
                                        {locale.t("resources.edit")}
                                    </a>
                                    <ActionForm action=delete_rule>
                                        <input type="hidden" name="service" value=service_id/>
                                        <input type="hidden" name="rule" value=rule_id/>
                                        <button type="submit" class="ds-button" data-variant="secondary" data-size="sm" aria-label=delete_label>
                                            {locale.t("resources.delete")}
                                        </button>
                                    </ActionForm>
                                </div>
                            </li>
                        }
                    }
                }).collect_view();
                let delete_part = if confirm_delete() {
                    let (sid, base) = (sid.clone(), base.clone());
                    view! {
                        <div class="ds-alert my-4" data-color="warning">
                            <p>{locale.t("resources.confirm_delete")}</p>
                            <div class="mt-2 flex gap-2">
                                <ActionForm action=delete>
                                    <input type="hidden" name="service" value=sid/>
                                    <button type="submit" class="ds-button" data-variant="primary">{locale.t("resources.delete_confirm_button")}</button>
                                </ActionForm>
                                <a href=base class="ds-button" data-variant="secondary">{locale.t("resources.cancel")}</a>
                            </div>
                        </div>
                    }.into_any()
                } else {
                    view! { <p class="mt-2"><a class="underline" href=format!("{base}?slett=1")>{locale.t("resources.delete_service")}</a></p> }.into_any()
                };
                let title = pick(locale, &s.title);
                let owner = s.owner_org.clone();
                let combining = combining_text(locale, &s.combining);
                let add_rule_href = format!("{base}?regel=ny");
                let export = export_href(&sid);
                view! {
                    <h1 class="mt-2 text-2xl font-bold">{title}</h1>
                    <p class="text-sm text-gray-700"><code>{sid.clone()}</code> " · " {locale.t("resources.owner")} " " {owner}</p>
                    {saved().then(|| view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("resources.saved")}</p></div> })}

                    <section aria-labelledby="details-title" class="mt-6">
                        <h2 id="details-title" class="text-xl font-bold">{locale.t("resources.details")}</h2>
                        <ErrorSummary errors=update_errors prefix="edit"/>
                        <ActionForm action=update attr:class="mt-4 flex max-w-3xl flex-col gap-4" attr:novalidate=true>
                            <DetailFields errors=update_errors prefix="edit" service=Some(s) creating=false/>
                            <button type="submit" class="ds-button self-start" data-variant="primary">{locale.t("resources.save_details")}</button>
                        </ActionForm>
                    </section>

                    <section aria-labelledby="rules-title" class="mt-10">
                        <h2 id="rules-title" class="text-xl font-bold">{locale.t("resources.rules")}</h2>
                        <p class="text-sm text-gray-700">{locale.t("resources.field.combining")} ": " {combining}</p>
                        <ErrorSummary errors=delete_rule_errors prefix="rules"/>
                        <ul class="mt-2 divide-y divide-gray-200 border-y border-gray-200" aria-label=locale.t("resources.rules")>
                            {rule_items}
                        </ul>
                        <p class="mt-3"><a class="underline" href=add_rule_href>{locale.t("resources.add_rule")}</a></p>
                        {rule_form}
                    </section>

                    <section aria-labelledby="xacml-title" class="mt-10">
                        <h2 id="xacml-title" class="text-xl font-bold">{locale.t("resources.xacml")}</h2>
                        <p class="mt-2">
                            <a rel="external" class="underline" href=export>{locale.t("resources.export")}</a>
                        </p>
                        <ErrorSummary errors=import_errors prefix="import"/>
                        <ActionForm action=import attr:class="mt-4 flex max-w-3xl flex-col gap-2" attr:novalidate=true>
                            <input type="hidden" name="service" value=sid/>
                            <label for="import-xml" class="ds-label font-semibold">{locale.t("resources.import_label")}</label>
                            <p id="import-xml-help" class="text-sm text-gray-700">{locale.t("resources.import_help")}</p>
                            <FieldError errors=import_errors fields=&["xml"] id="import-xml-error"/>
                            <textarea id="import-xml" name="xml" class="ds-input font-mono text-sm" rows="8" required
                                      aria-describedby=describe(import_errors, &["xml"], Some("import-xml-help".into()), "import-xml-error".into())
                                      aria-invalid=move || import_errors.field(&["xml"]).map(|_| "true")></textarea>
                            <button type="submit" class="ds-button self-start" data-variant="secondary">{locale.t("resources.import_button")}</button>
                        </ActionForm>
                    </section>

                    <section aria-labelledby="delete-title" class="mt-10">
                        <h2 id="delete-title" class="text-xl font-bold">{locale.t("resources.delete_title")}</h2>
                        <ErrorSummary errors=delete_errors prefix="delete"/>
                        {delete_part}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
