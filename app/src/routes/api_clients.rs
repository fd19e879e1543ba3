//! "API clients" (`/api-klienter`): the chosen organisation's clients of the token
//! service, each with its scopes and keys (kind, when added, expiry, when last
//! used), and forms to register a client, add a key and revoke one. Every
//! form works without JavaScript.

use crate::components::alert::ErrorAlert;
use crate::components::form::{ErrorSummary, FieldMessage, FormFields};
use crate::form_flash::use_server_action;
use crate::functions::api_clients::{api_clients, AddApiClientKey, ApiClientView, RegisterApiClient, RevokeApiClientKey};
use crate::i18n::use_locale;
use domain::limits;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// A status line after a successful action, or the error.
fn outcome<T>(result: Option<Result<T, crate::error::AppError>>, done: impl Fn(T) -> String) -> Option<AnyView> {
    result.map(|r| match r {
        Ok(v) => view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{done(v)}</p></div> }.into_any(),
        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
    })
}

#[component]
pub fn ApiClientsPage() -> impl IntoView {
    let locale = use_locale();
    let register = use_server_action::<RegisterApiClient>();
    let add_key = use_server_action::<AddApiClientKey>();
    let revoke = use_server_action::<RevokeApiClientKey>();
    let clients = Resource::new(move || (register.version().get(), add_key.version().get(), revoke.version().get()), |_| api_clients());

    view! {
        <h1 class="text-2xl font-bold">{locale.t("api_clients.title")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("api_clients.intro")}</p>
        {move || outcome(register.value().get().filter(|r| r.is_ok()), |id| format!("{} {id}", locale.t("api_clients.registered")))}
        {move || outcome(add_key.value().get(), |()| locale.t("api_clients.key_added").to_string())}
        {move || outcome(revoke.value().get(), |()| locale.t("api_clients.key_revoked").to_string())}
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match clients.await {
                    Ok(list) if list.is_empty() => view! { <p class="mt-6">{locale.t("api_clients.none")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-6 flex flex-col gap-6" aria-label=locale.t("api_clients.list_label")>
                            {list.into_iter().map(|c| view! { <ApiClientCard client=c add_key revoke/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
        <RegisterForm register/>
    }
}

#[component]
fn ApiClientCard(client: ApiClientView, add_key: ServerAction<AddApiClientKey>, revoke: ServerAction<RevokeApiClientKey>) -> impl IntoView {
    let locale = use_locale();
    let heading_id = format!("client-{}", client.client_id);
    let never = locale.t("api_clients.never");
    let ApiClientView { client_id, display_name, scopes, created, keys } = client;
    let key_field = format!("key-{client_id}");
    let kid_field = format!("kid-{client_id}");
    let expiry_field = format!("expires-{client_id}");
    view! {
        <li class="rounded border border-gray-300 p-4">
            <h2 id=heading_id.clone() class="text-lg font-semibold">{display_name.clone()}</h2>
            <dl class="mt-2 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
                <dt class="font-semibold">{locale.t("api_clients.client_id")}</dt><dd><code>{client_id.clone()}</code></dd>
                <dt class="font-semibold">{locale.t("api_clients.scopes")}</dt><dd>{scopes.join(" ")}</dd>
                <dt class="font-semibold">{locale.t("api_clients.created")}</dt><dd>{created}</dd>
            </dl>
            {if keys.is_empty() {
                view! { <p class="mt-3 text-sm">{locale.t("api_clients.no_keys")}</p> }.into_any()
            } else {
                view! {
                    <table class="ds-table mt-3 w-full text-left" data-size="sm">
                        <caption class="sr-only">{format!("{} {display_name}", locale.t("api_clients.keys_of"))}</caption>
                        <thead><tr>
                            <th scope="col">{locale.t("api_clients.col_kid")}</th>
                            <th scope="col">{locale.t("api_clients.col_kind")}</th>
                            <th scope="col">{locale.t("api_clients.col_added")}</th>
                            <th scope="col">{locale.t("api_clients.col_expires")}</th>
                            <th scope="col">{locale.t("api_clients.col_last_used")}</th>
                            <th scope="col">{locale.t("api_clients.col_status")}</th>
                        </tr></thead>
                        <tbody>
                            {keys.into_iter().map(|k| {
                                let client_id = client_id.clone();
                                let label = format!("{} {} – {display_name}", locale.t("api_clients.revoke"), k.kid);
                                let status = match (&k.revoked, k.active) {
                                    (Some(at), _) => format!("{} {at}", locale.t("api_clients.revoked_at")),
                                    (None, true) => locale.t("api_clients.active").to_string(),
                                    (None, false) => locale.t("api_clients.expired").to_string(),
                                };
                                view! {
                                    <tr class="border-t border-gray-200 align-top">
                                        <td><code>{k.kid.clone()}</code></td>
                                        <td>{k.family}</td>
                                        <td>{k.created}</td>
                                        <td>{k.expires.unwrap_or_else(|| "–".into())}</td>
                                        <td>{k.last_used.unwrap_or_else(|| never.to_string())}</td>
                                        <td>
                                            {status}
                                            {k.active.then(|| view! {
                                                <ActionForm action=revoke attr:class="inline ml-2">
                                                    <input type="hidden" name="client_id" value=client_id.clone()/>
                                                    <input type="hidden" name="kid" value=k.kid.clone()/>
                                                    <button type="submit" class="ds-button" data-variant="secondary" data-size="sm" aria-label=label>{locale.t("api_clients.revoke")}</button>
                                                </ActionForm>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <details class="mt-3">
                <summary class="cursor-pointer font-semibold">{locale.t("api_clients.add_key")}</summary>
                <ActionForm action=add_key attr:class="mt-2 flex max-w-2xl flex-col gap-3">
                    <input type="hidden" name="client_id" value=client_id.clone()/>
                    <div class="ds-field flex flex-col">
                        <label for=key_field.clone() class="ds-label font-semibold">{locale.t("api_clients.key")}</label>
                        <p id=format!("{key_field}-help") class="text-sm text-gray-700">{locale.t("api_clients.key_help")}</p>
                        <textarea id=key_field.clone() name="key" class="ds-input font-mono" rows="6" required
                                  aria-describedby=format!("{key_field}-help")></textarea>
                    </div>
                    <div class="ds-field flex flex-col">
                        <label for=kid_field.clone() class="ds-label font-semibold">{locale.t("api_clients.kid")}</label>
                        <p id=format!("{kid_field}-help") class="text-sm text-gray-700">{locale.t("api_clients.kid_help")}</p>
                        <input id=kid_field.clone() name="kid" class="ds-input" maxlength=limits::KEY_ID autocomplete="off" aria-describedby=format!("{kid_field}-help")/>
                    </div>
                    <div class="ds-field flex flex-col">
                        <label for=expiry_field.clone() class="ds-label font-semibold">{locale.t("api_clients.expires_on")}</label>
                        <input id=expiry_field.clone() name="expires_on" type="date" class="ds-input"/>
                    </div>
                    <button type="submit" class="ds-button self-start" data-variant="primary">{locale.t("api_clients.add_key_button")}</button>
                </ActionForm>
            </details>
        </li>
    }
}

#[component]
fn RegisterForm(register: ServerAction<RegisterApiClient>) -> impl IntoView {
    let locale = use_locale();
    let form = FormFields::of(register, &[("display_name", "client-name"), ("scopes", "client-scopes")])
        .with_refusals(&[("client.bad_scope", "scopes"), ("client.restricted_scope", "scopes")]);
    view! {
        <section aria-labelledby="register-title" class="mt-10">
            <h2 id="register-title" class="text-xl font-bold">{locale.t("api_clients.register_title")}</h2>
            <ErrorSummary form/>
            <ActionForm action=register attr:class="mt-4 flex max-w-2xl flex-col gap-3">
                <div class="ds-field flex flex-col">
                    <label for="client-name" class="ds-label font-semibold">{locale.t("api_clients.name")}</label>
                    <input id="client-name" name="display_name" class="ds-input" maxlength=limits::API_CLIENT_NAME required autocomplete="off"
                           value=form.typed_value("display_name")
                           aria-invalid=form.aria_invalid("display_name") aria-describedby=form.described_by("display_name", None)/>
                    <FieldMessage form field="display_name"/>
                </div>
                <div class="ds-field flex flex-col">
                    <label for="client-scopes" class="ds-label font-semibold">{locale.t("api_clients.scopes")}</label>
                    <p id="client-scopes-help" data-field="description">{locale.t("api_clients.scopes_help")}</p>
                    <input id="client-scopes" name="scopes" class="ds-input" autocomplete="off" value=form.typed_value("scopes")
                           aria-invalid=form.aria_invalid("scopes") aria-describedby=form.described_by("scopes", Some("client-scopes-help".into()))/>
                    <FieldMessage form field="scopes"/>
                </div>
                <button type="submit" class="ds-button self-start" data-variant="primary">{locale.t("api_clients.register_button")}</button>
            </ActionForm>
        </section>
    }
}
