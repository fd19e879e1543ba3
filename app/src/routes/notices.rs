//! "Notices" (`/varsler`): what the party's access managers are told about
//! — a request forwarded to them, a new system user — each a link to its
//! page, and the addresses the notices are e-mailed to. The forms are plain
//! POSTs that come back to this page, with or without JavaScript.

use crate::components::alert::ErrorAlert;
use crate::components::form::{ErrorSummary, FieldMessage, FormFields};
use crate::form_flash::use_server_action;
use crate::functions::notices::{notices, AddNotificationAddress, NoticesView, RemoveNotificationAddress};
use crate::i18n::use_locale;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn NoticesPage() -> impl IntoView {
    let locale = use_locale();
    let add = use_server_action::<AddNotificationAddress>();
    let remove = use_server_action::<RemoveNotificationAddress>();
    let form = FormFields::of(add, &[("email", "notice-email")]);
    let data = Resource::new(|| (), |_| notices());
    view! {
        <h1 class="text-2xl font-bold">{locale.t("notices.title")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("notices.intro")}</p>
        {move || remove.value().get().and_then(Result::err).map(|e| view! { <ErrorAlert error=e/> })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Notices d form/> }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Notices(d: NoticesView, form: FormFields) -> impl IntoView {
    let locale = use_locale();
    let typed = form.typed_value("email").unwrap_or_default();
    view! {
        {if d.notices.is_empty() {
            view! { <p class="mt-6">{locale.t("notices.none")}</p> }.into_any()
        } else {
            view! {
                <ul class="mt-6 flex max-w-prose flex-col gap-2">
                    {d.notices.into_iter().map(|n| {
                        let what = locale.lookup(&format!("notices.kind.{}", n.kind)).unwrap_or(&n.kind).replace("{title}", &n.title);
                        view! { <li>{format!("{} – ", n.created)}<a class="underline" href=n.href>{what}</a></li> }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <section aria-labelledby="addresses-title" class="mt-10">
            <h2 id="addresses-title" class="text-xl font-semibold">{locale.t("notices.addresses")}</h2>
            <p class="mt-2 max-w-prose">{locale.t("notices.addresses_intro")}</p>
            {if d.addresses.is_empty() {
                view! { <p class="mt-2">{locale.t("notices.no_addresses")}</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-2 flex flex-col gap-2">
                        {d.addresses.into_iter().map(|a| view! {
                            <li class="flex items-center gap-4">
                                <span>{a.clone()}</span>
                                <form method="post" action=RemoveNotificationAddress::PATH>
                                    <input type="hidden" name="email" value=a.clone()/>
                                    <button type="submit" class="ds-button" data-variant="secondary" data-size="sm" aria-label=format!("{} {a}", locale.t("notices.remove"))>{locale.t("notices.remove")}</button>
                                </form>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <ErrorSummary form/>
            <form method="post" action=AddNotificationAddress::PATH class="mt-4 flex max-w-xl flex-col gap-3">
                <div class="ds-field flex flex-col">
                    <label for="notice-email" class="ds-label font-semibold">{locale.t("notices.email")}</label>
                    <FieldMessage form field="email"/>
                    <input id="notice-email" name="email" type="email" class="ds-input" maxlength="254" required autocomplete="email" value=typed
                        aria-invalid=form.aria_invalid("email") aria-describedby=form.described_by("email", None)/>
                </div>
                <div><button type="submit" class="ds-button" data-variant="secondary">{locale.t("notices.add")}</button></div>
            </form>
        </section>
    }
}
