//! Sponsors' guests (`/gjester`): register a short-term guest (plain POST
//! form: unit, the sponsor when the help desk registers, name, private
//! e-mail, optional mobile and national identity number, start and end),
//! and "my guests" with each guest's state and end date, where the sponsor
//! extends a stay within the maximum, suspends an account for a while (and
//! resumes it), ends it at once with a reason, and reactivates an ended
//! account within the retention period.

use crate::components::alert::ErrorAlert;
use crate::components::form::{ErrorSummary, FieldMessage, FormFields, TextField};
use crate::error::AppError;
use crate::form_flash::{clears_others, use_server_action};
use crate::functions::claim::ResendInvitation;
use crate::functions::guests::{guests_page, EndGuest, ExtendGuest, GuestView, GuestsPageView, ReactivateGuest, RegisterGuest, ResumeGuest, SuspendGuest};
use crate::i18n::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;

fn register_form(register: ServerAction<RegisterGuest>) -> FormFields {
    FormFields::of(
        register,
        &[
            ("unit", "guest-unit"),
            ("sponsor", "guest-sponsor"),
            ("given_name", "guest-given-name"),
            ("surname", "guest-surname"),
            ("email", "guest-email"),
            ("mobile", "guest-mobile"),
            ("national_id", "guest-nin"),
            ("start", "guest-start"),
            ("end", "guest-end"),
        ],
    )
    .with_refusals(&[
        ("guest.unit_not_yours", "unit"),
        ("guest.sponsor_not_for_unit", "sponsor"),
        ("guest.email_taken", "email"),
        ("guest.mobile_taken", "mobile"),
    ])
}

#[component]
pub fn GuestsPage() -> impl IntoView {
    let locale = use_locale();
    let register = use_server_action::<RegisterGuest>();
    let extend = use_server_action::<ExtendGuest>();
    let end = use_server_action::<EndGuest>();
    let resend = use_server_action::<ResendInvitation>();
    let reactivate = use_server_action::<ReactivateGuest>();
    let suspend = use_server_action::<SuspendGuest>();
    let resume = use_server_action::<ResumeGuest>();
    let form = register_form(register);
    let extend_form = FormFields::of(extend, &[("end", "main")]);
    let end_form = FormFields::of(end, &[("reason", "main")]);
    let reactivate_form = FormFields::of(reactivate, &[("end", "main"), ("reason", "main")]);
    let suspend_form = FormFields::of(suspend, &[("reason", "main")]);
    // One outcome at a time: a new action clears the others' banners.
    clears_others!(register, extend, end, resend, reactivate, suspend, resume);
    clears_others!(extend, register, end, resend, reactivate, suspend, resume);
    clears_others!(end, register, extend, resend, reactivate, suspend, resume);
    clears_others!(resend, register, extend, end, reactivate, suspend, resume);
    clears_others!(reactivate, register, extend, end, resend, suspend, resume);
    clears_others!(suspend, register, extend, end, resend, reactivate, resume);
    clears_others!(resume, register, extend, end, resend, reactivate, suspend);
    let page = Resource::new(
        move || {
            (
                register.version().get(),
                extend.version().get(),
                end.version().get(),
                resend.version().get(),
                reactivate.version().get(),
                suspend.version().get(),
                resume.version().get(),
            )
        },
        |_| guests_page(),
    );
    let actions = Actions { extend, end, resend, reactivate, suspend, resume };
    view! {
        <h1 class="text-2xl font-bold">{locale.t("guests.title")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("guests.intro")}</p>
        {move || register.value().get().and_then(Result::ok).map(|r| view! {
            <div role="status" class="ds-alert my-4" data-color="success">
                <p>{locale.t("guests.registered").replace("{0}", &r.name).replace("{1}", &r.username).replace("{2}", &r.invite_on)}</p>
            </div>
        })}
        {move || extend.value().get().map(|r| match r {
            Ok(day) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("guests.extended").replace("{0}", &day)}</p></div> }.into_any(),
            Err(_) => view! { <ErrorSummary form=extend_form/> }.into_any(),
        })}
        {move || resend.value().get().map(|r| match r {
            Ok(()) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("guests.resent")}</p></div> }.into_any(),
            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
        })}
        {move || end.value().get().map(|r| match r {
            Ok(()) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("guests.ended")}</p></div> }.into_any(),
            Err(_) => view! { <ErrorSummary form=end_form/> }.into_any(),
        })}
        {move || reactivate.value().get().map(|r| match r {
            Ok(day) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("guests.reactivated").replace("{0}", &day)}</p></div> }.into_any(),
            Err(_) => view! { <ErrorSummary form=reactivate_form/> }.into_any(),
        })}
        {move || suspend.value().get().map(|r| match r {
            Ok(()) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("guests.suspended")}</p></div> }.into_any(),
            Err(_) => view! { <ErrorSummary form=suspend_form/> }.into_any(),
        })}
        {move || resume.value().get().map(|r| match r {
            Ok(()) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("guests.resumed")}</p></div> }.into_any(),
            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
        })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        let guests = p.guests.clone();
                        view! {
                            <ErrorSummary form/>
                            <h2 class="mt-8 text-xl font-semibold">{locale.t("guests.register_title")}</h2>
                            <RegisterForm register form page=p/>
                            <h2 class="mt-10 text-xl font-semibold">{locale.t("guests.mine_title")}</h2>
                            <Guests list=guests actions/>
                        }.into_any()
                    }
                    Err(AppError::NotAllowed) => view! {
                        <div role="alert" class="ds-alert my-4" data-color="warning"><p>{locale.t("guests.only_sponsors")}</p></div>
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RegisterForm(register: ServerAction<RegisterGuest>, form: FormFields, page: GuestsPageView) -> impl IntoView {
    let locale = use_locale();
    let chosen_unit = form.typed_value("unit");
    let chosen_sponsor = form.typed_value("sponsor");
    let max_help = locale.t("guests.end_help").replace("{0}", &page.max_days.to_string());
    view! {
        <ActionForm action=register attr:class="mt-4 flex max-w-3xl flex-col gap-5">
            <div class="ds-field flex max-w-md flex-col">
                <label for="guest-unit" class="ds-label font-semibold">{locale.t("guests.unit")}</label>
                <select id="guest-unit" name="unit" class="ds-input" required
                        aria-invalid=form.aria_invalid("unit") aria-describedby=form.described_by("unit", None)>
                    {page.units.into_iter().map(|u| {
                        let selected = chosen_unit.as_deref() == Some(u.code.as_str());
                        let label = format!("{}{}", "\u{2003}".repeat(u.depth), locale.pick_or_bokmal(&u.name));
                        view! { <option value=u.code selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
                <FieldMessage form field="unit"/>
            </div>
            {page.help_desk.then(|| view! {
                <div class="ds-field flex max-w-md flex-col">
                    <label for="guest-sponsor" class="ds-label font-semibold">{locale.t("guests.sponsor")}</label>
                    <p id="guest-sponsor-help" data-field="description">{locale.t("guests.sponsor_help")}</p>
                    <select id="guest-sponsor" name="sponsor" class="ds-input" required
                            aria-invalid=form.aria_invalid("sponsor") aria-describedby=form.described_by("sponsor", Some("guest-sponsor-help".into()))>
                        <option value="">{locale.t("guests.choose_sponsor")}</option>
                        {page.sponsors.into_iter().map(|(id, name)| {
                            let selected = chosen_sponsor.as_deref() == Some(id.as_str());
                            view! { <option value=id selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                    <FieldMessage form field="sponsor"/>
                </div>
            })}
            <TextField form field="given_name" label="guests.given_name" autocomplete="off" required=true/>
            <TextField form field="surname" label="guests.surname" required=true/>
            <TextField form field="email" label="guests.email" help="guests.email_help" kind="email" required=true/>
            <TextField form field="mobile" label="guests.mobile" help="guests.mobile_help" kind="tel"/>
            <TextField form field="national_id" label="guests.nin" help="guests.nin_help"/>
            <TextField form field="start" label="guests.start" kind="date" required=true min=page.today.clone()/>
            <div class="ds-field flex max-w-md flex-col">
                <label for="guest-end" class="ds-label font-semibold">{locale.t("guests.end")}</label>
                <p id="guest-end-help" data-field="description">{max_help}</p>
                <input id="guest-end" name="end" class="ds-input" type="date" required min=page.today.clone()
                       value=form.typed_value("end")
                       aria-invalid=form.aria_invalid("end") aria-describedby=form.described_by("end", Some("guest-end-help".into()))/>
                <FieldMessage form field="end"/>
            </div>
            <p><button type="submit" class="ds-button" data-variant="primary">{locale.t("guests.submit")}</button></p>
        </ActionForm>
    }
}

/// The translation key of a stored account state.
pub(crate) fn state_key(state: &str) -> &'static str {
    match state {
        "invited" => "guests.state_invited",
        "active" => "guests.state_active",
        "suspended" => "guests.state_suspended",
        "deactivated" => "guests.state_deactivated",
        "deleted" => "guests.state_deleted",
        "archived" => "guests.state_archived",
        _ => "guests.state_failed",
    }
}

/// What a sponsor does with a guest in "my guests".
#[derive(Clone, Copy)]
struct Actions {
    extend: ServerAction<ExtendGuest>,
    end: ServerAction<EndGuest>,
    resend: ServerAction<ResendInvitation>,
    reactivate: ServerAction<ReactivateGuest>,
    suspend: ServerAction<SuspendGuest>,
    resume: ServerAction<ResumeGuest>,
}

#[component]
fn Guests(list: Vec<GuestView>, actions: Actions) -> impl IntoView {
    let locale = use_locale();
    let Actions { extend, end, resend, reactivate, suspend, resume } = actions;
    if list.is_empty() {
        return view! { <p class="mt-2 max-w-prose">{locale.t("guests.none")}</p> }.into_any();
    }
    view! {
        <table class="ds-table mt-2 w-full text-left" data-size="sm">
            <caption class="sr-only">{locale.t("guests.mine_title")}</caption>
            <thead><tr>
                <th scope="col">{locale.t("guests.col_guest")}</th>
                <th scope="col">{locale.t("guests.unit")}</th>
                <th scope="col">{locale.t("guests.col_state")}</th>
                <th scope="col">{locale.t("guests.col_period")}</th>
                <th scope="col">{locale.t("guests.col_action")}</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|g| {
                    let state = match g.expiring_days {
                        Some(days) => locale.t("guests.state_expiring").replace("{0}", &days.to_string()),
                        None => locale.t(state_key(&g.state)).to_string(),
                    };
                    let actions = g.in_force.then(|| {
                        let (extend_id, reason_id) = (format!("extend-{}", g.id), format!("reason-{}", g.id));
                        let new_end_label = format!("{}: {}", locale.t("guests.new_end"), g.name);
                        let reason_label = format!("{}: {}", locale.t("guests.reason"), g.name);
                        let (extend_account, end_account, resend_account) = (g.id.clone(), g.id.clone(), g.id.clone());
                        let resend_label = format!("{}: {}", locale.t("guests.resend"), g.name);
                        let invited = g.state == "invited";
                        let (min, max) = (g.end.clone(), g.latest_end.clone());
                        let suspension = if g.suspendable {
                            let (suspend_id, account) = (format!("suspend-reason-{}", g.id), g.id.clone());
                            let label = format!("{}: {}", locale.t("guests.suspend_reason"), g.name);
                            Some(view! {
                                <ActionForm action=suspend attr:class="mt-3 flex flex-wrap items-end gap-2">
                                    <input type="hidden" name="account" value=account/>
                                    <div class="ds-field flex flex-col">
                                        <label for=suspend_id.clone() class="ds-label text-sm">{label}</label>
                                        <input id=suspend_id name="reason" class="ds-input" required maxlength="500"/>
                                    </div>
                                    <button type="submit" class="ds-button" data-variant="secondary">{locale.t("guests.suspend")}</button>
                                </ActionForm>
                            }.into_any())
                        } else if g.resumable {
                            let (label, account) = (format!("{}: {}", locale.t("guests.resume"), g.name), g.id.clone());
                            Some(view! {
                                <ActionForm action=resume attr:class="mt-3">
                                    <input type="hidden" name="account" value=account/>
                                    <button type="submit" class="ds-button" data-variant="secondary" aria-label=label>{locale.t("guests.resume")}</button>
                                </ActionForm>
                            }.into_any())
                        } else {
                            None
                        };
                        view! {
                            <ActionForm action=extend attr:class="flex flex-wrap items-end gap-2">
                                <input type="hidden" name="account" value=extend_account/>
                                <div class="ds-field flex flex-col">
                                    <label for=extend_id.clone() class="ds-label text-sm">{new_end_label}</label>
                                    <input id=extend_id name="end" type="date" class="ds-input" required min=min max=max/>
                                </div>
                                <button type="submit" class="ds-button" data-variant="secondary">{locale.t("guests.extend")}</button>
                            </ActionForm>
                            <ActionForm action=end attr:class="mt-3 flex flex-wrap items-end gap-2">
                                <input type="hidden" name="account" value=end_account/>
                                <div class="ds-field flex flex-col">
                                    <label for=reason_id.clone() class="ds-label text-sm">{reason_label}</label>
                                    <input id=reason_id name="reason" class="ds-input" required maxlength="500"/>
                                </div>
                                <button type="submit" class="ds-button" data-variant="secondary">{locale.t("guests.end_now")}</button>
                            </ActionForm>
                            {suspension}
                            {invited.then(|| view! {
                                <ActionForm action=resend attr:class="mt-3">
                                    <input type="hidden" name="account" value=resend_account/>
                                    <button type="submit" class="ds-button" data-variant="tertiary" aria-label=resend_label>{locale.t("guests.resend")}</button>
                                </ActionForm>
                            })}
                        }
                    });
                    let reactivation = g.reactivate_until.clone().map(|max| {
                        let (end_id, reason_id) = (format!("reactivate-end-{}", g.id), format!("reactivate-reason-{}", g.id));
                        let end_label = format!("{}: {}", locale.t("guests.new_end"), g.name);
                        let reason_label = format!("{}: {}", locale.t("guests.reason"), g.name);
                        view! {
                            <ActionForm action=reactivate attr:class="flex flex-col gap-2">
                                <input type="hidden" name="account" value=g.id.clone()/>
                                <div class="ds-field flex flex-col">
                                    <label for=end_id.clone() class="ds-label text-sm">{end_label}</label>
                                    <input id=end_id name="end" type="date" class="ds-input" required max=max/>
                                </div>
                                <div class="ds-field flex flex-col">
                                    <label for=reason_id.clone() class="ds-label text-sm">{reason_label}</label>
                                    <input id=reason_id name="reason" class="ds-input" required maxlength="500"/>
                                </div>
                                <p><button type="submit" class="ds-button" data-variant="secondary">{locale.t("guests.reactivate")}</button></p>
                            </ActionForm>
                        }
                    });
                    view! {
                        <tr class="border-t border-gray-200 align-top" data-guest=g.username.clone()>
                            <th scope="row" class="font-semibold">
                                {g.name.clone()}
                                <span class="block text-sm font-normal text-gray-700">{format!("{} {}", locale.t("guests.username"), g.username)}</span>
                                {g.email.clone().map(|e| view! { <span class="block text-sm font-normal text-gray-700">{e}</span> })}
                                <span class="block text-sm font-normal text-gray-700">{format!("{} {}", locale.t("guests.sponsor"), g.sponsor_name)}</span>
                            </th>
                            <td>{locale.pick_or_bokmal(&g.unit)}</td>
                            <td data-testid="guest-state">{state}</td>
                            <td>{format!("{} – {}", g.start, g.end)}</td>
                            <td>
                                {actions}
                                {reactivation}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
