//! The form that registers a system or changes one: names and descriptions
//! in the three languages, the single rights and access packages it offers
//! (picked from searchable lists, `pickers`), the
//! organisation's API clients it authenticates as, where a customer may be
//! sent back to, and whether customers can pick it themselves. A plain POST:
//! refused, it comes back with what was typed and the message next to the
//! field.

use super::pickers::{PackagesPicker, RightsPicker};
use crate::components::form::{ErrorSummary, FieldMessage, FormFields};
use crate::functions::systems::{ChoicesView, SystemView};
use crate::i18n::use_locale;
use leptos::prelude::*;

/// The form's fields: the name each has in the server functions (as the
/// domain names a refused field, with `system.`) and its element's id.
pub const FIELDS: &[(&str, &str)] = &[
    ("system.id", "system-slug"),
    ("system.name.nb", "system-name-nb"),
    ("system.name.nn", "system-name-nn"),
    ("system.name.en", "system-name-en"),
    ("system.description.nb", "system-description-nb"),
    ("system.description.nn", "system-description-nn"),
    ("system.description.en", "system-description-en"),
    ("system.rights", "system-rights"),
    ("system.packages", "system-packages"),
    ("system.client_ids", "system-clients"),
    ("system.redirect_urls", "system-redirects"),
    ("system.is_visible", "system-visible"),
];

/// What the form starts with: the system being changed, or what was typed
/// into a form that came back refused, or nothing.
#[derive(Clone, Default)]
pub struct Start {
    pub slug: String,
    pub name: [String; 3],
    pub description: [String; 3],
    pub rights: Vec<String>,
    pub packages: Vec<String>,
    pub clients: Vec<String>,
    pub redirect_urls: String,
    pub visible: bool,
}

impl Start {
    pub fn of(s: &SystemView) -> Self {
        Self {
            slug: s.id.split_once('_').map(|(_, slug)| slug.to_string()).unwrap_or_default(),
            name: s.name.clone(),
            description: s.description.clone(),
            rights: s.right_ids.clone(),
            packages: s.package_urns.clone(),
            clients: s.clients.iter().map(|c| c.client_id.clone()).collect(),
            redirect_urls: s.redirect_urls.join("\n"),
            visible: s.visible,
        }
    }

    /// What was typed, when the form came back refused.
    pub fn typed(form: &FormFields) -> Option<Self> {
        let t = form.typed();
        t.value("name_nb")?;
        let v = |name: &str| t.value(name).unwrap_or_default();
        Some(Self {
            slug: v("slug"),
            name: [v("name_nb"), v("name_nn"), v("name_en")],
            description: [v("description_nb"), v("description_nn"), v("description_en")],
            rights: t.all("rights[]"),
            packages: t.all("packages[]"),
            clients: t.all("client_ids[]"),
            redirect_urls: v("redirect_urls"),
            visible: t.value("is_visible").is_some(),
        })
    }
}

const LANGS: [(&str, &str); 3] = [("nb", "system_form.lang_nb"), ("nn", "system_form.lang_nn"), ("en", "system_form.lang_en")];

/// The form, posting to `action` (`create_system` or `update_system`);
/// `id` is the system changed (none when registering one).
#[component]
pub fn SystemForm(form: FormFields, action: &'static str, id: Option<String>, choices: ChoicesView, start: Start, submit: &'static str) -> impl IntoView {
    let locale = use_locale();
    let text_field = move |field: &'static str, name: String, label: String, value: String, area: bool| {
        let element = FIELDS.iter().find(|(f, _)| *f == field).map(|(_, e)| *e).unwrap_or(field);
        view! {
            <div class="ds-field flex flex-col">
                <label for=element class="ds-label font-semibold">{label}</label>
                <FieldMessage form field/>
                {if area {
                    view! { <textarea id=element name=name class="ds-input" rows="3" maxlength="2000" required aria-invalid=form.aria_invalid(field) aria-describedby=form.described_by(field, None)>{value}</textarea> }.into_any()
                } else {
                    view! { <input id=element name=name class="ds-input" maxlength="200" required autocomplete="off" value=value aria-invalid=form.aria_invalid(field) aria-describedby=form.described_by(field, None)/> }.into_any()
                }}
            </div>
        }
    };
    // Each part is a view of its own type-erased kind: one nested type for the
    // whole form is too deep for the compiler's layout queries (WebAssembly build).
    let head = match id {
        Some(id) => view! {
            <input type="hidden" name="id" value=id.clone()/>
            <p><span class="font-semibold">{locale.t("system_form.id")}</span> " " <code>{id}</code></p>
        }
        .into_any(),
        None => view! {
            <div class="ds-field flex flex-col">
                <label for="system-slug" class="ds-label font-semibold">{locale.t("system_form.slug")}</label>
                <p id="system-slug-help" class="text-sm">{locale.t("system_form.slug_help").replace("{vendor}", &choices.vendor)}</p>
                <FieldMessage form field="system.id"/>
                <div class="flex items-center gap-1">
                    <span aria-hidden="true"><code>{format!("{}_", choices.vendor)}</code></span>
                    <input id="system-slug" name="slug" class="ds-input" maxlength="100" required autocomplete="off" pattern="[^\\s/?#%]+" value=start.slug.clone()
                        aria-invalid=form.aria_invalid("system.id") aria-describedby=form.described_by("system.id", Some("system-slug-help".into()))/>
                </div>
            </div>
        }
        .into_any(),
    };
    let texts = view! {
        <fieldset class="ds-fieldset">
            <legend class="ds-label font-semibold">{locale.t("system_form.names")}</legend>
            {LANGS.iter().enumerate().map(|(i, (lang, label))| text_field(
                ["system.name.nb", "system.name.nn", "system.name.en"][i], format!("name_{lang}"), locale.t(label).to_string(), start.name[i].clone(), false,
            )).collect_view()}
        </fieldset>
        <fieldset class="ds-fieldset">
            <legend class="ds-label font-semibold">{locale.t("system_form.descriptions")}</legend>
            {LANGS.iter().enumerate().map(|(i, (lang, label))| text_field(
                ["system.description.nb", "system.description.nn", "system.description.en"][i], format!("description_{lang}"), locale.t(label).to_string(), start.description[i].clone(), true,
            )).collect_view()}
        </fieldset>
    }
    .into_any();
    let offers = view! {
        <RightsPicker form resources=choices.resources.clone() chosen=start.rights.clone()/>
        <PackagesPicker form packages=choices.packages.clone() chosen=start.packages.clone()/>
    }
    .into_any();
    let clients = view! {
        <fieldset id="system-clients" class="ds-fieldset" aria-describedby="system-clients-help">
            <legend class="ds-label font-semibold">{locale.t("system_form.clients")}</legend>
            <p id="system-clients-help" class="text-sm">{locale.t("system_form.clients_help")}</p>
            <FieldMessage form field="system.client_ids"/>
            {choices.clients.is_empty().then(|| view! { <p class="text-sm">{locale.t("system_form.no_clients")}</p> })}
            {choices.clients.iter().enumerate().map(|(i, c)| {
                let element = format!("system-client-{i}");
                view! {
                    <div class="ds-field mt-1 flex items-center gap-2">
                        <input type="checkbox" class="ds-input" id=element.clone() name="client_ids[]" value=c.client_id.clone() checked=start.clients.contains(&c.client_id)/>
                        <label for=element class="ds-label">{c.name.clone()}</label>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
    .into_any();
    let rest = view! {
        <div class="ds-field flex flex-col">
            <label for="system-redirects" class="ds-label font-semibold">{locale.t("system_form.redirects")}</label>
            <p id="system-redirects-help" class="text-sm">{locale.t("system_form.redirects_help")}</p>
            <FieldMessage form field="system.redirect_urls"/>
            <textarea id="system-redirects" name="redirect_urls" class="ds-input font-mono" rows="3" aria-invalid=form.aria_invalid("system.redirect_urls")
                aria-describedby=form.described_by("system.redirect_urls", Some("system-redirects-help".into()))>{start.redirect_urls.clone()}</textarea>
        </div>
        <div class="ds-field">
            <FieldMessage form field="system.is_visible"/>
            <div class="flex items-center gap-2">
                <input type="checkbox" class="ds-input" id="system-visible" name="is_visible" value="true" checked=start.visible aria-describedby="system-visible-help"/>
                <label for="system-visible" class="ds-label font-semibold">{locale.t("system_form.visible")}</label>
            </div>
            <p id="system-visible-help" class="text-sm">{locale.t("system_form.visible_help")}</p>
        </div>
        <div><button type="submit" class="ds-button" data-variant="primary">{locale.t(submit)}</button></div>
    }
    .into_any();
    view! {
        <ErrorSummary form/>
        <form method="post" action=action class="mt-4 flex max-w-3xl flex-col gap-4">
            {head}
            {texts}
            {offers}
            {clients}
            {rest}
        </form>
    }
}
