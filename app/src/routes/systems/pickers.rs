//! The system form's pickers for what a system offers: the delegable
//! resources, and the access packages grouped by area, each option opened to
//! its description.
//!
//! Once the page is hydrated each picker gets a search box that narrows its
//! list as one types (names, descriptions, owners and areas in every
//! language, by `text_search`'s rule), opening the groups that hold a match
//! and telling a screen reader how many match. A ticked option stays in view
//! whatever the search, so nothing is offered unseen. Without JavaScript
//! there is no box (it could do nothing): the lists are whole, grouped in
//! `<details>`, and the browser's find-in-page opens a closed group.

use crate::components::form::{FieldMessage, FormFields};
use crate::functions::systems::{PackageOption, ResourceOption};
use crate::i18n::{use_locale, Locale};
use crate::text_search;
use leptos::prelude::*;

/// One option's search state: whether it is ticked now, and what it is found by.
#[derive(Clone, Copy)]
struct Choice {
    ticked: RwSignal<bool>,
    texts: StoredValue<String>,
}

impl Choice {
    fn new(ticked: bool, texts: &[&str]) -> Self {
        Self { ticked: RwSignal::new(ticked), texts: StoredValue::new(texts.join("\n")) }
    }

    fn matches(&self, query: &str) -> bool {
        self.texts.with_value(|t| text_search::matches(query, [t.as_str()]))
    }

    /// Shown when it matches the search or is ticked.
    fn shown(&self, query: &str) -> bool {
        self.ticked.get() || self.matches(query)
    }
}

/// A picker's search: what is typed, and whether the page is interactive.
#[derive(Clone, Copy)]
struct Search {
    query: RwSignal<String>,
    interactive: RwSignal<bool>,
}

impl Search {
    fn new() -> Self {
        let interactive = RwSignal::new(false);
        Effect::new(move |_| interactive.set(true));
        Self { query: RwSignal::new(String::new()), interactive }
    }

    fn active(&self) -> bool {
        !self.query.read().trim().is_empty()
    }
}

/// The search box over one picker's `options`; `label` names what is searched.
#[component]
fn SearchBox(id: &'static str, label: String, search: Search, options: StoredValue<Vec<Choice>>) -> impl IntoView {
    let locale = use_locale();
    let hits = move || {
        let q = search.query.get();
        options.with_value(|all| all.iter().filter(|o| o.matches(&q)).count())
    };
    let status = move || {
        if !search.active() {
            return String::new();
        }
        match hits() {
            0 => locale.t("system_form.search_none").to_string(),
            n => locale.t("system_form.search_hits").replace("{n}", &n.to_string()),
        }
    };
    let help = format!("{id}-status");
    view! {
        <div class="ds-field mt-2 flex flex-col" hidden=move || !search.interactive.get()>
            <label for=id class="ds-label">{label}</label>
            <input id=id type="search" class="ds-input max-w-md" maxlength="100" autocomplete="off" aria-describedby=help.clone()
                   prop:value=move || search.query.get()
                   on:input=move |ev| search.query.set(event_target_value(&ev))
                   on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default() }/>
            <p id=help aria-live="polite" class="text-sm">{status}</p>
        </div>
    }
}

/// The delegable resources, each a checkbox opened to its description.
#[component]
pub fn RightsPicker(form: FormFields, resources: Vec<ResourceOption>, chosen: Vec<String>) -> impl IntoView {
    let locale = use_locale();
    let initially_open = !chosen.is_empty();
    let search = Search::new();
    let options: Vec<Choice> =
        resources.iter().map(|r| Choice::new(chosen.contains(&r.id), &[&r.title[0], &r.title[1], &r.title[2], &r.description, &r.owner, &r.id])).collect();
    let all = StoredValue::new(options.clone());
    let total = resources.len();
    view! {
        <fieldset id="system-rights" class="ds-fieldset">
            <legend class="ds-label font-semibold">{locale.t("system_form.rights")}</legend>
            <p class="text-sm">{locale.t("system_form.rights_help")}</p>
            <FieldMessage form field="system.rights"/>
            <SearchBox id="system-rights-search" label=locale.t("system_form.search_rights").to_string() search options=all/>
            <details open=move || initially_open || search.active() class="mt-1">
                <summary class="cursor-pointer underline">{locale.t("system_form.show_resources").replace("{n}", &total.to_string())}</summary>
                {resources.into_iter().zip(options).enumerate().map(|(i, (r, option))| {
                    let element = format!("system-right-{i}");
                    let help = format!("{element}-help");
                    view! {
                        <div class="ds-field mt-2 flex items-start gap-2" hidden=move || !option.shown(&search.query.read())>
                            <input type="checkbox" class="ds-input mt-1" id=element.clone() name="rights[]" value=r.id.clone() checked=option.ticked.get_untracked()
                                   aria-describedby=help.clone() on:change=move |ev| option.ticked.set(event_target_checked(&ev))/>
                            <div>
                                <label for=element class="ds-label">{locale.pick_or_bokmal(&r.title)}</label>
                                <p id=help class="text-sm">{format!("{} · {}", r.owner, r.description)}</p>
                            </div>
                        </div>
                    }
                }).collect_view()}
            </details>
        </fieldset>
    }
}

/// An area's name, and its packages with their search state.
type Area = ([String; 3], Vec<(PackageOption, Choice)>);

/// The delegable packages by area, each area opened when it holds a chosen one
/// (or, while searching, a match).
#[component]
pub fn PackagesPicker(form: FormFields, packages: Vec<PackageOption>, chosen: Vec<String>) -> impl IntoView {
    let locale = use_locale();
    let search = Search::new();
    let mut areas: Vec<Area> = Vec::new();
    for p in packages {
        let option = Choice::new(
            chosen.contains(&p.urn),
            &[&p.name[0], &p.name[1], &p.name[2], &p.description[0], &p.description[1], &p.description[2], &p.area[0], &p.area[1], &p.area[2]],
        );
        match areas.iter_mut().find(|(a, _)| *a == p.area) {
            Some((_, list)) => list.push((p, option)),
            None => areas.push((p.area.clone(), vec![(p, option)])),
        }
    }
    let all = StoredValue::new(areas.iter().flat_map(|(_, list)| list.iter().map(|(_, o)| *o)).collect::<Vec<_>>());
    view! {
        <fieldset id="system-packages" class="ds-fieldset">
            <legend class="ds-label font-semibold">{locale.t("system_form.packages")}</legend>
            <p class="text-sm">{locale.t("system_form.packages_help")}</p>
            <FieldMessage form field="system.packages"/>
            <SearchBox id="system-packages-search" label=locale.t("system_form.search_packages").to_string() search options=all/>
            {areas.into_iter().enumerate().map(|(ai, (area, list))| {
                let initially_open = list.iter().any(|(_, o)| o.ticked.get_untracked());
                let in_area = StoredValue::new(list.iter().map(|(_, o)| *o).collect::<Vec<_>>());
                let area_shown = move || in_area.with_value(|os| os.iter().any(|o| o.shown(&search.query.read())));
                let count = list.len();
                view! {
                    <details open=move || initially_open || search.active() class="mt-1" hidden=move || !area_shown()>
                        <summary class="cursor-pointer underline">{format!("{} ({count})", locale.pick_or_bokmal(&area))}</summary>
                        {list.into_iter().enumerate().map(|(pi, (p, option))| package_option(locale, &format!("system-package-{ai}-{pi}"), &p, option, search)).collect_view()}
                    </details>
                }
            }).collect_view()}
        </fieldset>
    }
}

fn package_option(locale: Locale, element: &str, p: &PackageOption, option: Choice, search: Search) -> impl IntoView {
    let help = format!("{element}-help");
    let note = (!p.assignable).then(|| format!(" {}", locale.t("system_form.clients_only")));
    view! {
        <div class="ds-field mt-2 flex items-start gap-2" hidden=move || !option.shown(&search.query.read())>
            <input type="checkbox" class="ds-input mt-1" id=element.to_string() name="packages[]" value=p.urn.clone() checked=option.ticked.get_untracked()
                   aria-describedby=help.clone() on:change=move |ev| option.ticked.set(event_target_checked(&ev))/>
            <div>
                <label for=element.to_string() class="ds-label">{locale.pick_or_bokmal(&p.name)}</label>
                <p id=help class="text-sm">{locale.pick_or_bokmal(&p.description)}{note}</p>
            </div>
        </div>
    }
}
