//! A vendor's change request for a system user (`/systembrukere/endring/<id>`,
//! its `confirmUrl`, with `?party=`): who asks, for which system user, what
//! would be added and what removed, and — for the customer's access
//! managers — Approve and Reject as plain forms that come back to this page,
//! where a banner says where the change stands.

use crate::components::alert::ErrorAlert;
use crate::form_flash::use_server_action;
use crate::functions::system_user_changes::{system_user_change, ApproveSystemUserChange, ChangeView, RejectSystemUserChange};
use crate::functions::system_user_requests::ItemView;
use crate::functions::system_users::HeldView;
use crate::i18n::use_locale;
use crate::routes::system_user_detail::HeldList;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

#[component]
pub fn SystemUserChangePage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let approve = use_server_action::<ApproveSystemUserChange>();
    let reject = use_server_action::<RejectSystemUserChange>();
    let id = move || params.read().get("id").unwrap_or_default();
    let change = Resource::new(id, system_user_change);
    let failed = move || [approve.value().get(), reject.value().get()].into_iter().flatten().find_map(Result::err);
    view! {
        <p><a class="underline" href="/systembrukere">{locale.t("system_user_requests.back")}</a></p>
        <h1 class="mt-2 text-2xl font-bold">{locale.t("system_user_changes.title")}</h1>
        {move || failed().map(|e| view! { <ErrorAlert error=e/> })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match change.await {
                    Ok(c) => view! { <ChangeDetails c/> }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn held(items: &[ItemView]) -> Vec<HeldView> {
    items.iter().map(|i| HeldView { name: i.name.clone(), description: i.description.clone(), action: i.action.clone() }).collect()
}

#[component]
fn ChangeDetails(c: ChangeView) -> impl IntoView {
    let locale = use_locale();
    let is_new = c.status == "New";
    let banner = match c.status.as_str() {
        "Accepted" => Some(("success", "system_user_changes.accepted")),
        "Rejected" | "Denied" => Some(("warning", "system_user_changes.rejected")),
        "Timedout" => Some(("warning", "system_user_requests.timed_out")),
        _ => None,
    };
    let intro = locale
        .t("system_user_changes.intro")
        .replace("{vendor}", &c.vendor)
        .replace("{title}", &c.integration_title)
        .replace("{system}", &locale.pick_or_bokmal(&c.system_name));
    let cannot: Vec<String> = c.add.iter().filter(|i| c.may_approve && is_new && !i.can_delegate).map(|i| locale.pick_or_bokmal(&i.name)).collect();
    view! {
        {banner.map(|(color, key)| view! { <div role="status" class="ds-alert my-4" data-color=color><p>{locale.t(key)}</p></div> })}
        <p class="mt-4 max-w-prose">{intro}</p>
        <p class="mt-2"><a class="underline" href=format!("/systembrukere/{}", c.system_user_id)>{locale.t("system_user_changes.see_user")}</a></p>
        {(!c.add.is_empty()).then(|| view! {
            <h2 class="mt-6 text-xl font-semibold">{locale.t("system_user_changes.add")}</h2>
            <HeldList items=held(&c.add)/>
        })}
        {(!c.remove.is_empty()).then(|| view! {
            <h2 class="mt-6 text-xl font-semibold">{locale.t("system_user_changes.remove")}</h2>
            <HeldList items=held(&c.remove)/>
        })}
        {(!cannot.is_empty()).then(|| view! {
            <div role="alert" class="ds-alert my-4" data-color="warning"><p>{format!("{} {}", locale.t("system_user_changes.cannot_delegate"), cannot.join(", "))}</p></div>
        })}
        {(is_new && c.may_approve).then(|| view! {
            <div class="mt-6 flex flex-wrap gap-4">
                <form method="post" action=ApproveSystemUserChange::PATH>
                    <input type="hidden" name="id" value=c.id.clone()/>
                    <button type="submit" class="ds-button" data-variant="primary">{locale.t("system_user_changes.approve")}</button>
                </form>
                <form method="post" action=RejectSystemUserChange::PATH>
                    <input type="hidden" name="id" value=c.id.clone()/>
                    <button type="submit" class="ds-button" data-variant="secondary">{locale.t("system_user_requests.reject")}</button>
                </form>
            </div>
        })}
        {(is_new && !c.may_approve).then(|| view! { <p class="mt-6 max-w-prose">{locale.t("system_user_changes.not_manager")}</p> })}
    }
}
