//! Making a system user of a visible system oneself (`/systembrukere/ny`):
//! the access manager chooses a system (a plain GET form, so the choice is a
//! link too: `?system=<id>`), sees everything the system user would hold,
//! names it if they like, and makes it with a plain POST form; the page then
//! moves on to the new system user.

use crate::components::alert::ErrorAlert;
use crate::form_flash::{use_server_action, Typed};
use crate::functions::system_users::{visible_systems, CreateOwnSystemUser, VisibleSystemView};
use crate::i18n::use_locale;
use crate::routes::system_user_detail::HeldList;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

#[component]
pub fn CreateSystemUserPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let create = use_server_action::<CreateOwnSystemUser>();
    let typed = StoredValue::new(Typed::of::<CreateOwnSystemUser>());
    let systems = Resource::new(|| (), |_| visible_systems());
    let chosen = move || query.read().get("system").or_else(|| typed.with_value(|t| t.value("system"))).filter(|s| !s.is_empty());
    view! {
        <p><a class="underline" href="/systembrukere">{locale.t("system_user_requests.back")}</a></p>
        <h1 class="mt-2 text-2xl font-bold">{locale.t("system_users.create_title")}</h1>
        <p class="mt-2 max-w-prose">{locale.t("system_users.create_intro")}</p>
        {move || create.value().get().and_then(Result::err).map(|e| view! { <ErrorAlert error=e/> })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match systems.await {
                    Ok(list) if list.is_empty() => view! { <p class="mt-6">{locale.t("system_users.no_visible")}</p> }.into_any(),
                    Ok(list) => {
                        let picked = chosen().and_then(|id| list.iter().find(|s| s.id == id).cloned());
                        view! {
                            <Chooser list=list.clone() picked=picked.as_ref().map(|s| s.id.clone())/>
                            {picked.map(|s| view! { <Review system=s title=typed.with_value(|t| t.value("title")).unwrap_or_default()/> })}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The choice of system, as a GET form that reloads the page with `?system=`.
#[component]
fn Chooser(list: Vec<VisibleSystemView>, picked: Option<String>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <form method="get" action="/systembrukere/ny" class="mt-6 flex max-w-2xl flex-col gap-3">
            <div class="ds-field flex flex-col">
                <label for="system" class="ds-label font-semibold">{locale.t("system_users.choose_system")}</label>
                <p id="system-help" class="text-sm">{locale.t("system_users.caveat")}</p>
                <select id="system" name="system" class="ds-input" aria-describedby="system-help" required>
                    {list.into_iter().map(|s| {
                        let selected = picked.as_deref() == Some(s.id.as_str());
                        let label = format!("{} ({})", locale.pick_or_bokmal(&s.name), s.vendor);
                        view! { <option value=s.id selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div><button type="submit" class="ds-button" data-variant="secondary">{locale.t("system_users.next")}</button></div>
        </form>
    }
}

/// What a system user of the chosen system would hold, and the form that makes it.
#[component]
fn Review(system: VisibleSystemView, title: String) -> impl IntoView {
    let locale = use_locale();
    let name = locale.pick_or_bokmal(&system.name);
    view! {
        <section class="mt-8" aria-labelledby="review-title">
            <h2 id="review-title" class="text-xl font-semibold">{name.clone()}</h2>
            <p class="mt-2 max-w-prose">{locale.pick_or_bokmal(&system.description)}</p>
            <p class="mt-2 max-w-prose">{locale.t("system_users.vendor_is").replace("{vendor}", &system.vendor)}</p>
            <p class="mt-4 max-w-prose font-semibold">{locale.t("system_users.will_hold")}</p>
            {(!system.packages.is_empty()).then(|| view! {
                <h3 class="mt-4 text-lg font-semibold">{locale.t("system_user_requests.packages")}</h3>
                <HeldList items=system.packages.clone()/>
            })}
            {(!system.rights.is_empty()).then(|| view! {
                <h3 class="mt-4 text-lg font-semibold">{locale.t("system_user_requests.rights")}</h3>
                <HeldList items=system.rights.clone()/>
            })}
            <form method="post" action=CreateOwnSystemUser::PATH class="mt-6 flex max-w-2xl flex-col gap-3">
                <input type="hidden" name="system" value=system.id.clone()/>
                <div class="ds-field flex flex-col">
                    <label for="title" class="ds-label font-semibold">{locale.t("system_users.title_field")}</label>
                    <p id="title-help" class="text-sm">{locale.t("system_users.title_help")}</p>
                    <input id="title" name="title" class="ds-input" maxlength="255" autocomplete="off" aria-describedby="title-help" value=title/>
                </div>
                <div><button type="submit" class="ds-button" data-variant="primary">{locale.t("system_users.create")}</button></div>
            </form>
        </section>
    }
}
