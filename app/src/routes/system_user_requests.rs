//! A vendor's request for a system user (`/systembrukere/foresporsel/<id>`),
//! where the vendor sends the customer's access manager (its `confirmUrl`,
//! with `?party=` so the portal acts for the customer without asking). It
//! shows who asks, for which system, every access package (opened to what it
//! covers) and single right, and what the viewer may do: approve or reject,
//! or forward it to the access managers. An agent request (a system user for
//! the customer's clients) says that approving gives nothing yet. A banner says where a decided,
//! forwarded or expired request stands.
//!
//! The three forms are plain HTML forms, with or without JavaScript: a
//! decision ends on `…/videre`, a full page load that sends the browser on
//! to the vendor's page when the request names one.

use crate::components::alert::ErrorAlert;
use crate::form_flash::use_server_action;
use crate::functions::system_user_requests::{
    system_user_request, ApproveSystemUserRequest, ForwardSystemUserRequest, ItemView, RejectSystemUserRequest, RequestView,
};
use crate::i18n::{use_locale, Locale};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

#[component]
pub fn SystemUserRequestPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let approve = use_server_action::<ApproveSystemUserRequest>();
    let reject = use_server_action::<RejectSystemUserRequest>();
    let forward = use_server_action::<ForwardSystemUserRequest>();
    let id = move || params.read().get("id").unwrap_or_default();
    let request = Resource::new(move || (id(), forward.version().get()), |(id, _)| system_user_request(id));
    let failed = move || [approve.value().get(), reject.value().get(), forward.value().get()].into_iter().flatten().find_map(Result::err);
    view! {
        <p><a class="underline" href="/systembrukere">{locale.t("system_user_requests.back")}</a></p>
        <h1 class="mt-2 text-2xl font-bold">{locale.t("system_user_requests.title")}</h1>
        {move || failed().map(|e| view! { <ErrorAlert error=e/> })}
        {move || forward.value().get().and_then(Result::ok).map(|()| view! {
            <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("system_user_requests.forwarded_now")}</p></div>
        })}
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match request.await {
                    Ok(r) => view! { <RequestDetails r/> }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Where a request stands, when it is no longer simply waiting.
fn banner(locale: Locale, r: &RequestView) -> Option<AnyView> {
    let (color, key) = match r.status.as_str() {
        "Accepted" => ("success", "system_user_requests.accepted"),
        "Rejected" | "Denied" => ("warning", "system_user_requests.rejected"),
        "Timedout" => ("warning", "system_user_requests.timed_out"),
        _ if r.escalated && !r.may_approve => ("info", "system_user_requests.forwarded"),
        _ => return None,
    };
    Some(view! { <div role="status" class="ds-alert my-4" data-color=color><p>{locale.t(key)}</p></div> }.into_any())
}

#[component]
fn RequestDetails(r: RequestView) -> impl IntoView {
    let locale = use_locale();
    let is_new = r.status == "New";
    let (intro, explained, kind) = if r.agent {
        ("system_user_requests.agent_intro", "system_user_requests.agent_approve_explained", "system_user_requests.kind_agent")
    } else {
        ("system_user_requests.intro", "system_user_requests.approve_explained", "system_user_requests.kind_standard")
    };
    let intro = locale.t(intro).replace("{vendor}", &r.vendor).replace("{system}", &locale.pick_or_bokmal(&r.system_name));
    let id = r.id.clone();
    view! {
        {banner(locale, &r)}
        <p class="mt-4 max-w-prose">{intro}</p>
        <p class="mt-2 max-w-prose text-gray-700">{locale.pick_or_bokmal(&r.system_description)}</p>
        <dl class="mt-4 grid max-w-prose grid-cols-[auto_1fr] gap-x-4 gap-y-1">
            <dt class="font-semibold">{locale.t("system_user_requests.integration_title")}</dt><dd>{r.integration_title.clone()}</dd>
            <dt class="font-semibold">{locale.t("system_user_requests.kind")}</dt><dd>{locale.t(kind)}</dd>
            <dt class="font-semibold">{locale.t("system_user_requests.vendor")}</dt><dd>{r.vendor.clone()}</dd>
            <dt class="font-semibold">{locale.t("system_user_requests.created")}</dt><dd>{r.created.clone()}</dd>
        </dl>
        {(!r.packages.is_empty()).then(|| view! {
            <h2 class="mt-6 text-xl font-semibold">{locale.t("system_user_requests.packages")}</h2>
            <Items items=r.packages.clone() show_delegable=r.may_approve && is_new/>
        })}
        {(!r.rights.is_empty()).then(|| view! {
            <h2 class="mt-6 text-xl font-semibold">{locale.t("system_user_requests.rights")}</h2>
            <Items items=r.rights.clone() show_delegable=r.may_approve && is_new/>
        })}
        {(is_new && r.may_approve).then(|| view! {
            <p class="mt-6 max-w-prose">{locale.t(explained)}</p>
            <div class="mt-4 flex flex-wrap gap-4">
                <Decision path=ApproveSystemUserRequest::PATH id=id.clone() label=locale.t("system_user_requests.approve") primary=true/>
                <Decision path=RejectSystemUserRequest::PATH id=id.clone() label=locale.t("system_user_requests.reject") primary=false/>
            </div>
        })}
        {(is_new && r.may_forward).then(|| view! {
            <p class="mt-6 max-w-prose">{locale.t("system_user_requests.forward_explained")}</p>
            <div class="mt-4"><Decision path=ForwardSystemUserRequest::PATH id=id.clone() label=locale.t("system_user_requests.forward") primary=true/></div>
        })}
    }
}

/// One decision as a plain form: a full page load with or without JavaScript.
#[component]
fn Decision(path: &'static str, id: String, label: &'static str, primary: bool) -> impl IntoView {
    view! {
        <form method="post" action=path>
            <input type="hidden" name="id" value=id/>
            <button type="submit" class="ds-button" data-variant=if primary { "primary" } else { "secondary" }>{label}</button>
        </form>
    }
}

#[component]
fn Items(items: Vec<ItemView>, show_delegable: bool) -> impl IntoView {
    let locale = use_locale();
    view! {
        <ul class="mt-2 flex max-w-prose flex-col gap-2">
            {items.into_iter().map(|i| {
                let name = match &i.action {
                    Some(a) => domain::actions::right(&locale.pick_or_bokmal(&i.name), a, locale.code()),
                    None if i.description[0].is_empty() => format!("{} ({})", locale.pick_or_bokmal(&i.name), locale.t("system_user_requests.every_action")),
                    None => locale.pick_or_bokmal(&i.name),
                };
                let description = locale.pick_or_bokmal(&i.description);
                let warning = (show_delegable && !i.can_delegate).then(|| view! {
                    <p class="mt-1 text-sm font-semibold text-red-800">{locale.t("system_user_requests.cannot_delegate")}</p>
                });
                view! {
                    <li class="rounded border border-gray-300 p-3">
                        {if description.is_empty() {
                            view! { <p class="font-semibold">{name}</p> }.into_any()
                        } else {
                            view! {
                                <details>
                                    <summary class="cursor-pointer font-semibold">{name}</summary>
                                    <p class="mt-2">{description}</p>
                                </details>
                            }.into_any()
                        }}
                        {warning}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
