//! "Give a single right" (`/tilganger/enkeltrettighet`): an access manager
//! gives a person or an organisation one action on one resource for the
//! chosen party, choosing among the rights the engine lets them give. A
//! firm given a client's single right can act on it through its agent
//! system users (scenario S9). One plain form: both recipient groups are
//! always in it, and the server reads the chosen kind's.

use crate::components::alert::ErrorAlert;
use crate::components::form::{ErrorSummary, FieldMessage, FormFields, PersonFields};
use crate::error::AppError;
use crate::form_flash::use_server_action;
use crate::functions::give_right::{rights_to_give, GiveRight, RightOptionView};
use crate::i18n::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;

fn give_right_form(give: ServerAction<GiveRight>) -> FormFields {
    FormFields::of(
        give,
        &[("right", "right-choice"), ("kind", "right-kind-person"), ("national_id", "right-nin"), ("surname", "right-surname"), ("org_number", "right-orgno")],
    )
    .with_refusals(&[
        ("grant.no_such_person", "national_id"),
        ("grant.unknown_recipient", "national_id"),
        ("grant.self", "national_id"),
        ("grant.no_such_organisation", "org_number"),
        ("grant.to_party", "org_number"),
        ("grant.may_not_pass_on", "right"),
        ("grant.already", "right"),
        ("resources.refused.not_found", "right"),
    ])
}

#[component]
pub fn GiveRightPage() -> impl IntoView {
    let locale = use_locale();
    let give = use_server_action::<GiveRight>();
    let form = give_right_form(give);
    let rights = Resource::new(|| (), |_| rights_to_give());
    view! {
        <p><a class="underline" href="/tilganger">{locale.t("give_right.back")}</a></p>
        <h1 class="mt-2 text-2xl font-bold">{locale.t("give_right.title")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("give_right.intro")}</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match rights.await {
                    Ok(list) => {
                        let banner = list.clone();
                        view! {
                            {move || give.value().get().and_then(Result::ok).map(|g| {
                                let right = banner.iter().find(|r| r.value == g.right)
                                    .map(|r| domain::actions::right(&locale.pick_or_bokmal(&r.title), &r.action, locale.code())).unwrap_or(g.right.clone());
                                view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{format!("{} {}: {right}.", locale.t("access.given_to"), g.recipient)}</p></div> }
                            })}
                            <ErrorSummary form/>
                            {if list.is_empty() {
                                view! { <p class="mt-6 max-w-prose">{locale.t("give_right.none")}</p> }.into_any()
                            } else {
                                view! { <GiveRightForm give form rights=list/> }.into_any()
                            }}
                        }.into_any()
                    }
                    Err(AppError::NotAllowed) => view! {
                        <div role="alert" class="ds-alert my-4" data-color="warning"><p>{locale.t("give_right.only_access_managers")}</p></div>
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn GiveRightForm(give: ServerAction<GiveRight>, form: FormFields, rights: Vec<RightOptionView>) -> impl IntoView {
    let locale = use_locale();
    let typed = form.typed();
    let chosen = typed.value("right");
    let kind = typed.value_or("kind", "organisation");
    view! {
        <ActionForm action=give attr:class="mt-6 flex max-w-3xl flex-col gap-6">
            <div class="ds-field flex max-w-xl flex-col">
                <label for="right-choice" class="ds-label font-semibold">{locale.t("give_right.right")}</label>
                <select id="right-choice" name="right" class="ds-input"
                        aria-invalid=form.aria_invalid("right") aria-describedby=form.described_by("right", None)>
                    {rights.into_iter().map(|r| {
                        let selected = chosen.as_deref() == Some(r.value.as_str());
                        view! { <option value=r.value.clone() selected=selected>{domain::actions::right(&locale.pick_or_bokmal(&r.title), &r.action, locale.code())}</option> }
                    }).collect_view()}
                </select>
                <FieldMessage form field="right"/>
            </div>
            <fieldset class="ds-fieldset">
                <legend class="ds-label text-lg font-semibold">{locale.t("access.recipient_legend")}</legend>
                <FieldMessage form field="kind"/>
                <div class="ds-field mt-2 flex items-center gap-2">
                    <input type="radio" class="ds-input" id="right-kind-organisation" name="kind" value="organisation" checked=kind == "organisation"/>
                    <label for="right-kind-organisation" class="ds-label">{locale.t("access.kind_organisation")}</label>
                </div>
                <div class="ds-field mt-2 flex items-center gap-2">
                    <input type="radio" class="ds-input" id="right-kind-person" name="kind" value="person" checked=kind == "person"/>
                    <label for="right-kind-person" class="ds-label">{locale.t("access.kind_person")}</label>
                </div>
            </fieldset>
            <fieldset class="ds-fieldset flex max-w-md flex-col gap-3">
                <legend class="ds-label font-semibold">{locale.t("access.organisation_legend")}</legend>
                <div class="ds-field flex flex-col">
                    <label for="right-orgno" class="ds-label font-semibold">{locale.t("access.org_number")}</label>
                    <p id="right-orgno-help" data-field="description">{locale.t("access.org_number_help")}</p>
                    <input id="right-orgno" name="org_number" class="ds-input" inputmode="numeric" autocomplete="off" maxlength="11"
                           value=typed.value("org_number")
                           aria-invalid=form.aria_invalid("org_number") aria-describedby=form.described_by("org_number", Some("right-orgno-help".into()))/>
                    <FieldMessage form field="org_number"/>
                </div>
            </fieldset>
            <PersonFields form/>
            <p><button type="submit" class="ds-button" data-variant="primary">{locale.t("give_right.submit")}</button></p>
        </ActionForm>
    }
}
