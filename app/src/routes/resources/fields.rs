//! The form fields a service is edited with: its details and one rule, shared
//! by the new-service page and the service page.

use super::form_errors::{describe, FieldError, FormErrors};
use super::texts::combining_text;
use crate::form_flash::Typed;
use crate::functions::resources::{PackageChoiceView, RuleView, ServiceView, AUTH_LEVELS, COMBINING};
use crate::i18n::use_locale;
use domain::limits;
use leptos::prelude::*;

/// The fields of a service's details, prefilled from `s` when editing.
#[component]
pub(super) fn DetailFields(
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
                <input id=id(f) name=field[0] class="ds-input" maxlength=limits::RESOURCE_TITLE value=value required
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
                <input id=id("id") name="id" class="ds-input" maxlength=limits::RESOURCE_ID autocomplete="off" required pattern="[a-z0-9][a-z0-9_\\-]{1,99}"
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
            <textarea id=id("description") name="description" class="ds-input" rows="3" maxlength=limits::RESOURCE_DESCRIPTION
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
pub(super) fn RuleFields(
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
                    <legend class="ds-label">{locale.pick(&area)}</legend>
                    {list.into_iter().enumerate().map(|(pi, p)| {
                        let pid = format!("{prefix}-package-{ai}-{pi}");
                        let checked = chosen.contains(&p.code);
                        view! {
                            <div class="ds-field mt-1 flex items-center gap-2">
                                <input type="checkbox" class="ds-input" id=pid.clone() name="packages[]" value=p.code.clone() checked=checked/>
                                <label for=pid class="ds-label">{locale.pick(&p.name)}</label>
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
