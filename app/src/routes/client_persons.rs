//! Persons as agents (`/klienter/personer`): the firm's client
//! administrator gives one of the firm's people packages a client gives the
//! firm, and takes them back. First a plain GET form chooses the client by
//! organisation number (the packages it lets the firm pass on depend on
//! it), then a plain POST form chooses the packages and the person. Below,
//! every client delegation to a person in force, each with its own remove
//! button.

use crate::components::alert::ErrorAlert;
use crate::components::form::{ErrorSummary, FieldMessage, FormFields, PersonFields};
use crate::error::AppError;
use crate::form_flash::use_server_action;
use crate::functions::client_persons::{
    client_passable, client_person_delegations, GiveClientToPerson, PassableClientView, PersonDelegationView, TakeClientFromPerson,
};
use crate::i18n::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn give_form(give: ServerAction<GiveClientToPerson>) -> FormFields {
    FormFields::of(give, &[("client", "person-choose"), ("packages", "person-packages"), ("national_id", "person-nin"), ("surname", "person-surname")])
        .with_refusals(&[
            ("grant.no_such_person", "national_id"),
            ("client_admin.not_of_the_firm", "national_id"),
            ("client_admin.client_not_found", "client"),
            ("client_admin.not_passable", "packages"),
            ("client_admin.already_given", "packages"),
        ])
}

#[component]
pub fn ClientPersonsPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let chosen = move || query.read().get("klient").unwrap_or_default();
    let give = use_server_action::<GiveClientToPerson>();
    let take = use_server_action::<TakeClientFromPerson>();
    let form = give_form(give);
    // One outcome at a time: a new give or remove clears the other's banner and errors.
    Effect::new(move |_| {
        if take.version().get() > 0 {
            give.value().set(None);
        }
    });
    Effect::new(move |_| {
        if give.version().get() > 0 {
            take.value().set(None);
        }
    });
    let list = Resource::new(move || (chosen(), give.version().get(), take.version().get()), |(client, ..)| client_person_delegations(client));
    let client = Resource::new(chosen, |org| async move {
        if org.trim().is_empty() {
            None
        } else {
            Some(client_passable(org).await)
        }
    });
    view! {
        <p><a class="underline" href="/klienter">{locale.t("clients.back")}</a></p>
        <h1 class="mt-2 text-2xl font-bold">{locale.t("client_persons.title")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("client_persons.intro")}</p>
        {move || give.value().get().and_then(Result::ok).map(|g| view! {
            <div role="status" class="ds-alert my-4" data-color="success">
                <p>{locale.t("client_persons.given").replace("{0}", &g.person_name).replace("{1}", &g.client_name)}</p>
            </div>
        })}
        {move || take.value().get().map(|r| match r {
            Ok(()) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("client_persons.taken")}</p></div> }.into_any(),
            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
        })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => {
                        let (more, limit, delegations) = (list.more, list.limit, list.delegations);
                        let chosen_client = client.await;
                        view! {
                            <ErrorSummary form/>
                            <h2 class="mt-8 text-xl font-semibold">{locale.t("client_persons.give_title")}</h2>
                            <ChooseClient form chosen=chosen() refused=chosen_client.clone().and_then(Result::err)/>
                            {chosen_client.and_then(Result::ok).map(|c| view! { <GiveForm give form client=c/> })}
                            <h2 class="mt-10 text-xl font-semibold">{locale.t("client_persons.list_title")}</h2>
                            {(!chosen().trim().is_empty()).then(|| view! {
                                <p class="mt-1 max-w-prose">{locale.t("client_persons.for_chosen")}" "<a class="underline" href="/klienter/personer">{locale.t("client_persons.show_all")}</a></p>
                            })}
                            {more.then(|| view! { <p class="mt-1 max-w-prose">{locale.t("client_persons.more").replace("{0}", &limit.to_string())}</p> })}
                            <Delegations list=delegations take/>
                        }.into_any()
                    }
                    Err(AppError::NotAllowed) => view! {
                        <div role="alert" class="ds-alert my-4" data-color="warning"><p>{locale.t("clients.only_client_admins")}</p></div>
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The GET form that chooses the client. Its refusal shows under the field,
/// and so does a refusal of the POST form that is about the client.
#[component]
fn ChooseClient(form: FormFields, chosen: String, refused: Option<AppError>) -> impl IntoView {
    let locale = use_locale();
    let message = refused.map(|e| e.message(locale));
    let refused_here = message.is_some();
    let invalid = move || (refused_here || form.invalid("client")).then_some("true");
    let by_post = form.described_by("client", Some("person-choose-help".into()));
    let described = move || if refused_here { Some("person-choose-help person-choose-message".to_string()) } else { by_post() };
    view! {
        <form method="get" action="/klienter/personer" class="mt-2 flex flex-wrap items-end gap-4">
            <div class="ds-field flex flex-col">
                <label for="person-choose" class="ds-label font-semibold">{locale.t("client_persons.client")}</label>
                <p id="person-choose-help" data-field="description">{locale.t("client_persons.client_help")}</p>
                <input id="person-choose" name="klient" class="ds-input" inputmode="numeric" autocomplete="off" maxlength="11"
                       value=chosen aria-invalid=invalid aria-describedby=described/>
                {message.clone().map(|m| view! { <p class="ds-validation-message" data-color="danger" id="person-choose-message">{m}</p> })}
                <FieldMessage form field="client"/>
            </div>
            <button type="submit" class="ds-button" data-variant="secondary">{locale.t("client_persons.choose")}</button>
        </form>
    }
}

/// The POST form: the chosen client's packages, and the person.
#[component]
fn GiveForm(give: ServerAction<GiveClientToPerson>, form: FormFields, client: PassableClientView) -> impl IntoView {
    let locale = use_locale();
    let typed = form.typed();
    let was_chosen = typed.all("packages[]");
    view! {
        <p class="mt-4 max-w-prose font-semibold">{format!("{} ({} {})", client.name, locale.t("parties.orgno"), client.org_number)}</p>
        {if client.packages.is_empty() {
            view! { <p class="mt-2 max-w-prose">{locale.t("client_persons.nothing_to_pass_on")}</p> }.into_any()
        } else {
            view! {
                <ActionForm action=give attr:class="mt-4 flex max-w-3xl flex-col gap-6">
                    <input type="hidden" name="client" value=client.org_number.clone()/>
                    <fieldset class="ds-fieldset" id="person-packages" aria-invalid=form.aria_invalid("packages")
                              aria-describedby=form.described_by("packages", None)>
                        <legend class="ds-label font-semibold">{locale.t("client_persons.packages")}</legend>
                        <FieldMessage form field="packages"/>
                        {client.packages.into_iter().enumerate().map(|(i, p)| {
                            let id = format!("person-package-{i}");
                            let checked = was_chosen.contains(&p.code);
                            view! {
                                <div class="ds-field mt-2 flex items-center gap-2">
                                    <input type="checkbox" class="ds-input" id=id.clone() name="packages[]" value=p.code.clone() checked=checked/>
                                    <label for=id class="ds-label">{locale.pick_or_bokmal(&p.name)}</label>
                                </div>
                            }
                        }).collect_view()}
                    </fieldset>
                    <PersonFields form/>
                    <p><button type="submit" class="ds-button" data-variant="primary">{locale.t("client_persons.submit")}</button></p>
                </ActionForm>
            }.into_any()
        }}
    }
}

#[component]
fn Delegations(list: Vec<PersonDelegationView>, take: ServerAction<TakeClientFromPerson>) -> impl IntoView {
    let locale = use_locale();
    if list.is_empty() {
        return view! { <p class="mt-2 max-w-prose">{locale.t("client_persons.none")}</p> }.into_any();
    }
    view! {
        <table class="ds-table mt-2 w-full text-left" data-size="sm">
            <caption class="sr-only">{locale.t("client_persons.list_title")}</caption>
            <thead><tr>
                <th scope="col">{locale.t("client_persons.col_person")}</th>
                <th scope="col">{locale.t("clients.col_client")}</th>
                <th scope="col">{locale.t("clients.col_packages")}</th>
                <th scope="col">{locale.t("clients.col_action")}</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|d| {
                    let packages = d.packages.iter().map(|p| locale.pick_or_bokmal(p)).collect::<Vec<_>>().join(", ");
                    let label = format!("{}: {}, {}", locale.t("client_persons.remove"), d.person_name, d.client_name);
                    let id = d.id.clone();
                    view! {
                        <tr class="border-t border-gray-200 align-top" data-delegation=d.id.clone()>
                            <th scope="row" class="font-semibold">{d.person_name.clone()}</th>
                            <td>
                                {d.client_name.clone()}
                                {d.client_org_number.clone().map(|o| view! { <span class="block text-sm text-gray-700">{format!("{} {o}", locale.t("parties.orgno"))}</span> })}
                            </td>
                            <td>{packages}</td>
                            <td>
                                <ActionForm action=take>
                                    <input type="hidden" name="delegation" value=id/>
                                    <button type="submit" class="ds-button" data-variant="secondary" aria-label=label>{locale.t("client_persons.remove")}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }.into_any()
}
