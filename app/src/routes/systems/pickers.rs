//! The system form's pickers for what a system offers: the delegable
//! resources, and the access packages grouped by area, each option opened to
//! its description.
//!
//! Once the page is hydrated each picker gets a search box that narrows its
//! list as one types (names, descriptions, owners and areas in every
//! language, by `text_search`'s rule), opening the groups that hold a match
//! and telling a screen reader how many match. A ticked option stays in view
//! whatever the search, so nothing is offered unseen; the tick is read from
//! the checkbox itself when a search starts, since one ticked before
//! hydration or restored by the browser sent no event. Without JavaScript
//! there is no box (it could do nothing): the lists are whole, grouped in
//! `<details>`, and the browser's find-in-page opens a closed group.

use crate::components::form::{FieldMessage, FormFields};
use crate::functions::systems::{PackageOption, ResourceOption};
use crate::i18n::use_locale;
use crate::text_search;
use leptos::prelude::*;

/// One option's search state: whether it is ticked now, what it is found
/// by, and its checkbox.
#[derive(Clone, Copy)]
struct Choice {
    ticked: RwSignal<bool>,
    texts: StoredValue<String>,
    checkbox: NodeRef<leptos::html::Input>,
}

impl Choice {
    fn new(ticked: bool, texts: &[&str]) -> Self {
        Self { ticked: RwSignal::new(ticked), texts: StoredValue::new(texts.join("\n")), checkbox: NodeRef::new() }
    }

    /// Takes the tick from the checkbox itself: one ticked before the page
    /// was hydrated, or restored by the browser on going back, sent no
    /// change event.
    fn sync(&self) {
        if let Some(checked) = self.checkbox.get_untracked().map(|c| c.checked()) {
            if checked != self.ticked.get_untracked() {
                self.ticked.set(checked);
            }
        }
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

    /// Whether a group of `options` is open: while searching, or when it
    /// holds a ticked option. Read again only when the search changes, so
    /// ticking or unticking never closes a group under the pointer.
    fn opens(&self, options: StoredValue<Vec<Choice>>) -> bool {
        self.active() || options.with_value(|os| os.iter().any(|o| o.ticked.get_untracked()))
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
                   on:input=move |ev| {
                       options.with_value(|all| all.iter().for_each(Choice::sync));
                       search.query.set(event_target_value(&ev));
                   }
                   on:keydown=move |ev| if ev.key() == "Enter" && !ev.is_composing() { ev.prevent_default() }/>
            <p id=help aria-live="polite" class="text-sm">{status}</p>
        </div>
    }
}

/// The delegable resources, each a checkbox opened to its description.
#[component]
pub fn RightsPicker(form: FormFields, resources: Vec<ResourceOption>, chosen: Vec<String>) -> impl IntoView {
    let locale = use_locale();
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
            <details open=move || search.opens(all) class="mt-1">
                <summary class="cursor-pointer underline">{locale.t("system_form.show_resources").replace("{n}", &total.to_string())}</summary>
                {resources.into_iter().zip(options).enumerate().map(|(i, (r, option))| {
                    let row = Row { element: format!("system-right-{i}"), name: "rights[]", value: r.id.clone(), label: locale.pick_or_bokmal(&r.title), help: format!("{} · {}", r.owner, r.description) };
                    option_row(row, option, search)
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
                let in_area = StoredValue::new(list.iter().map(|(_, o)| *o).collect::<Vec<_>>());
                let area_shown = move || in_area.with_value(|os| os.iter().any(|o| o.shown(&search.query.read())));
                let count = list.len();
                view! {
                    <details open=move || search.opens(in_area) class="mt-1" hidden=move || !area_shown()>
                        <summary class="cursor-pointer underline">{format!("{} ({count})", locale.pick_or_bokmal(&area))}</summary>
                        {list.into_iter().enumerate().map(|(pi, (p, option))| {
                            let note = if p.assignable { String::new() } else { format!(" {}", locale.t("system_form.clients_only")) };
                            let help = format!("{}{note}", locale.pick_or_bokmal(&p.description));
                            let row = Row { element: format!("system-package-{ai}-{pi}"), name: "packages[]", value: p.urn, label: locale.pick_or_bokmal(&p.name), help };
                            option_row(row, option, search)
                        }).collect_view()}
                    </details>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// What one option's row shows and sends.
struct Row {
    /// The checkbox's element id.
    element: String,
    /// The form field it sends.
    name: &'static str,
    value: String,
    label: String,
    help: String,
}

/// One option: a checkbox sending `row.value`, its label and its help, hidden
/// while a search neither matches it nor finds it ticked.
fn option_row(row: Row, option: Choice, search: Search) -> impl IntoView {
    let help_id = format!("{}-help", row.element);
    view! {
        <div class="ds-field mt-2 flex items-start gap-2" hidden=move || !option.shown(&search.query.read())>
            <input type="checkbox" class="ds-input mt-1" id=row.element.clone() name=row.name value=row.value checked=option.ticked.get_untracked()
                   node_ref=option.checkbox aria-describedby=help_id.clone() on:change=move |ev| option.ticked.set(event_target_checked(&ev))/>
            <div>
                <label for=row.element class="ds-label">{row.label}</label>
                <p id=help_id class="text-sm">{row.help}</p>
            </div>
        </div>
    }
}
