//! Organisational units and sponsors (`/enheter`), for the institution's
//! access managers: the tree of units; a plain POST form that adds a unit or
//! changes one by its code; an import of many (one a line, pasted); the
//! sponsors, each with a remove button, and a form that appoints a person
//! sponsor for a unit or help desk for them all.

use crate::components::alert::ErrorAlert;
use crate::components::form::{ErrorSummary, FieldMessage, FormFields, PersonFields, TextField};
use crate::error::AppError;
use crate::form_flash::{clears_others, use_server_action};
use crate::functions::units::{units_page, AppointSponsor, EndSponsor, ImportUnits, SaveUnit, SponsorView, UnitView};
use crate::i18n::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn UnitsPage() -> impl IntoView {
    let locale = use_locale();
    let save = use_server_action::<SaveUnit>();
    let import = use_server_action::<ImportUnits>();
    let appoint = use_server_action::<AppointSponsor>();
    let end = use_server_action::<EndSponsor>();
    let save_form = FormFields::of(
        save,
        &[
            ("unit_code", "unit-code"),
            ("unit_name_nb", "unit-name-nb"),
            ("unit_name_nn", "unit-name-nn"),
            ("unit_name_en", "unit-name-en"),
            ("unit_parent", "unit-parent"),
        ],
    )
    .with_refusals(&[("org_unit.parent_not_found", "unit_parent"), ("org_unit.cycle", "unit_parent")]);
    let import_form = FormFields::of(import, &[("units", "units-import")]).with_refusals(&[
        ("org_unit.import_line", "units"),
        ("org_unit.invalid", "units"),
        ("org_unit.parent_not_found", "units"),
        ("org_unit.cycle", "units"),
    ]);
    let appoint_form = FormFields::of(appoint, &[("national_id", "sponsor-nin"), ("surname", "sponsor-surname"), ("unit", "sponsor-unit")])
        .with_refusals(&[("grant.no_such_person", "national_id"), ("sponsor.already", "unit")]);
    // One outcome at a time: a new action clears the others' banners and errors.
    clears_others!(save, import, appoint, end);
    clears_others!(import, save, appoint, end);
    clears_others!(appoint, save, import, end);
    clears_others!(end, save, import, appoint);
    let page = Resource::new(move || (save.version().get(), import.version().get(), appoint.version().get(), end.version().get()), |_| units_page());
    view! {
        <h1 class="text-2xl font-bold">{locale.t("units.title")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("units.intro")}</p>
        {move || save.value().get().and_then(Result::ok).map(|code| view! {
            <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("units.saved").replace("{0}", &code)}</p></div>
        })}
        {move || import.value().get().and_then(Result::ok).map(|n| view! {
            <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("units.imported").replace("{0}", &n.to_string())}</p></div>
        })}
        {move || appoint.value().get().and_then(Result::ok).map(|_| view! {
            <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("units.sponsor_appointed")}</p></div>
        })}
        {move || end.value().get().map(|r| match r {
            Ok(()) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("units.sponsor_ended")}</p></div> }.into_any(),
            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
        })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! {
                        <ErrorSummary form=save_form/>
                        <ErrorSummary form=import_form/>
                        <ErrorSummary form=appoint_form/>
                        <h2 class="mt-8 text-xl font-semibold">{locale.t("units.tree_title")}</h2>
                        <Tree units=p.units.clone()/>
                        <h2 class="mt-10 text-xl font-semibold">{locale.t("units.save_title")}</h2>
                        <p class="mt-1 max-w-prose">{locale.t("units.save_intro")}</p>
                        <SaveForm save form=save_form units=p.units.clone()/>
                        <h2 class="mt-10 text-xl font-semibold">{locale.t("units.import_title")}</h2>
                        <ImportForm import form=import_form/>
                        <h2 class="mt-10 text-xl font-semibold">{locale.t("units.sponsors_title")}</h2>
                        <p class="mt-1 max-w-prose">{locale.t("units.sponsors_intro")}</p>
                        <Sponsors list=p.sponsors end/>
                        <h3 class="mt-6 text-lg font-semibold">{locale.t("units.appoint_title")}</h3>
                        <AppointForm appoint form=appoint_form units=p.units/>
                    }.into_any(),
                    Err(AppError::NotAllowed) => view! {
                        <div role="alert" class="ds-alert my-4" data-color="warning"><p>{locale.t("units.only_access_managers")}</p></div>
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A unit's name indented by its depth, for a select's option.
fn indented(locale: crate::i18n::Locale, u: &UnitView) -> String {
    format!("{}{} ({})", "\u{2003}".repeat(u.depth), locale.pick_or_bokmal(&u.name), u.code)
}

/// The indentation of a unit at `depth` in the tree (classes Tailwind sees in full).
fn indent_class(depth: usize) -> &'static str {
    match depth {
        0 => "",
        1 => "pl-6",
        2 => "pl-12",
        3 => "pl-16",
        _ => "pl-20",
    }
}

#[component]
fn Tree(units: Vec<UnitView>) -> impl IntoView {
    let locale = use_locale();
    if units.is_empty() {
        return view! { <p class="mt-2 max-w-prose">{locale.t("units.none")}</p> }.into_any();
    }
    view! {
        <table class="ds-table mt-2 w-full text-left" data-size="sm">
            <caption class="sr-only">{locale.t("units.tree_title")}</caption>
            <thead><tr>
                <th scope="col">{locale.t("units.col_name")}</th>
                <th scope="col">{locale.t("units.col_code")}</th>
                <th scope="col">{locale.t("units.col_parent")}</th>
            </tr></thead>
            <tbody>
                {units.into_iter().map(|u| {
                    let indent = indent_class(u.depth);
                    view! {
                        <tr class="border-t border-gray-200" data-unit=u.code.clone()>
                            <th scope="row" class="font-semibold"><span class=indent>{locale.pick_or_bokmal(&u.name)}</span></th>
                            <td>{u.code.clone()}</td>
                            <td>{u.parent.clone().unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn SaveForm(save: ServerAction<SaveUnit>, form: FormFields, units: Vec<UnitView>) -> impl IntoView {
    let locale = use_locale();
    let chosen = form.typed_value("unit_parent").unwrap_or_default();
    view! {
        <ActionForm action=save attr:class="mt-4 flex max-w-3xl flex-col gap-5">
            <TextField form field="unit_code" label="units.code" help="units.code_help" required=true/>
            <TextField form field="unit_name_nb" label="units.name_nb" required=true/>
            <TextField form field="unit_name_nn" label="units.name_nn" required=true/>
            <TextField form field="unit_name_en" label="units.name_en" required=true/>
            <div class="ds-field flex max-w-md flex-col">
                <label for="unit-parent" class="ds-label font-semibold">{locale.t("units.parent")}</label>
                <select id="unit-parent" name="unit_parent" class="ds-input"
                        aria-invalid=form.aria_invalid("unit_parent") aria-describedby=form.described_by("unit_parent", None)>
                    <option value="" selected=chosen.is_empty()>{locale.t("units.top")}</option>
                    {units.iter().map(|u| {
                        let selected = chosen == u.code;
                        view! { <option value=u.code.clone() selected=selected>{indented(locale, u)}</option> }
                    }).collect_view()}
                </select>
                <FieldMessage form field="unit_parent"/>
            </div>
            <p><button type="submit" class="ds-button" data-variant="primary">{locale.t("units.save")}</button></p>
        </ActionForm>
    }
}

#[component]
fn ImportForm(import: ServerAction<ImportUnits>, form: FormFields) -> impl IntoView {
    let locale = use_locale();
    view! {
        <ActionForm action=import attr:class="mt-4 flex max-w-3xl flex-col gap-5">
            <div class="ds-field flex flex-col">
                <label for="units-import" class="ds-label font-semibold">{locale.t("units.import_label")}</label>
                <p id="units-import-help" data-field="description">{locale.t("units.import_help")}</p>
                <textarea id="units-import" name="units" class="ds-input font-mono" rows="8" required
                          aria-invalid=form.aria_invalid("units") aria-describedby=form.described_by("units", Some("units-import-help".into()))>
                    {form.typed_value("units").unwrap_or_default()}
                </textarea>
                <FieldMessage form field="units"/>
            </div>
            <p><button type="submit" class="ds-button" data-variant="primary">{locale.t("units.import")}</button></p>
        </ActionForm>
    }
}

#[component]
fn Sponsors(list: Vec<SponsorView>, end: ServerAction<EndSponsor>) -> impl IntoView {
    let locale = use_locale();
    if list.is_empty() {
        return view! { <p class="mt-2 max-w-prose">{locale.t("units.no_sponsors")}</p> }.into_any();
    }
    view! {
        <table class="ds-table mt-2 w-full text-left" data-size="sm">
            <caption class="sr-only">{locale.t("units.sponsors_title")}</caption>
            <thead><tr>
                <th scope="col">{locale.t("units.col_person")}</th>
                <th scope="col">{locale.t("units.col_for")}</th>
                <th scope="col">{locale.t("units.col_action")}</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|s| {
                    let unit = match &s.unit {
                        Some((code, name)) => format!("{} ({code})", locale.pick_or_bokmal(name)),
                        None => locale.t("units.help_desk").to_string(),
                    };
                    let label = format!("{}: {}, {}", locale.t("units.remove_sponsor"), s.person_name, unit);
                    view! {
                        <tr class="border-t border-gray-200">
                            <th scope="row" class="font-semibold">{s.person_name.clone()}</th>
                            <td>{unit}</td>
                            <td>
                                <ActionForm action=end>
                                    <input type="hidden" name="sponsorship" value=s.id.clone()/>
                                    <button type="submit" class="ds-button" data-variant="secondary" aria-label=label>{locale.t("units.remove_sponsor")}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }.into_any()
}

#[component]
fn AppointForm(appoint: ServerAction<AppointSponsor>, form: FormFields, units: Vec<UnitView>) -> impl IntoView {
    let locale = use_locale();
    let chosen = form.typed_value("unit").unwrap_or_default();
    view! {
        <ActionForm action=appoint attr:class="mt-2 flex max-w-3xl flex-col gap-5">
            <PersonFields form/>
            <div class="ds-field flex max-w-md flex-col">
                <label for="sponsor-unit" class="ds-label font-semibold">{locale.t("units.sponsor_for")}</label>
                <select id="sponsor-unit" name="unit" class="ds-input"
                        aria-invalid=form.aria_invalid("unit") aria-describedby=form.described_by("unit", None)>
                    <option value="" selected=chosen.is_empty()>{locale.t("units.help_desk")}</option>
                    {units.iter().map(|u| {
                        let selected = chosen == u.code;
                        view! { <option value=u.code.clone() selected=selected>{indented(locale, u)}</option> }
                    }).collect_view()}
                </select>
                <FieldMessage form field="unit"/>
            </div>
            <p><button type="submit" class="ds-button" data-variant="primary">{locale.t("units.appoint")}</button></p>
        </ActionForm>
    }
}
