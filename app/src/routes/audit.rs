//! The audit trail of the party acted for, with filters (GET form).

use crate::components::alert::ErrorAlert;
use crate::functions::audit::audit_trail;
use crate::i18n::use_locale;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Every action the audit log records, in the order the filter offers them.
const ACTIONS: [&str; 55] = [
    "login",
    "logout",
    "person.register",
    "party.choose",
    "grant.package",
    "grant.revoke",
    "user_role.create",
    "user_role.assign",
    "user_role.end",
    "user_role.assign_right",
    "user_role.inherit",
    "user_role.share",
    "sod_rule.create",
    "api_client.register",
    "api_client.scopes",
    "api_client.key.add",
    "api_client.key.revoke",
    "resource.create",
    "resource.update",
    "resource.delete",
    "resource.policy",
    "resource.policy.import",
    "system.create",
    "system.update",
    "system.delete",
    "system_user_request.create",
    "system_user_request.withdraw",
    "system_user_request.approve",
    "system_user_request.reject",
    "system_user_request.forward",
    "system_user_request.timeout",
    "system_user.create",
    "register.import",
    "catalogue.import",
    "guest.register",
    "guest.invite",
    "guest.code",
    "guest.claim",
    "guest.extend",
    "guest.end",
    "guest.notice",
    "guest.deactivate",
    "guest.reactivate",
    "guest.suspend",
    "guest.resume",
    "guest.delete",
    "guest.lifecycle_run",
    "guest.login_code",
    "guest.login",
    "guest_policy.save",
    "guest_terms.publish",
    "sponsor.appoint",
    "sponsor.end",
    "unit.save",
    "unit.import",
];

/// What happened, in the reader's language; the action's code when it has no name yet.
fn event_name(locale: crate::i18n::Locale, action: &str) -> String {
    locale.lookup(&format!("audit.event.{action}")).map(str::to_string).unwrap_or_else(|| action.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::LOCALES;

    #[test]
    fn every_event_the_filter_offers_has_a_name_in_every_language() {
        for locale in LOCALES {
            for action in ACTIONS {
                assert!(locale.lookup(&format!("audit.event.{action}")).is_some(), "{action} has no name in {}", locale.code());
            }
        }
    }
}

/// An outcome in the reader's language.
fn outcome_name(locale: crate::i18n::Locale, outcome: &str) -> String {
    match outcome {
        "success" => locale.t("audit.success").to_string(),
        "refused" => locale.t("audit.refused").to_string(),
        "failed" => locale.t("audit.failed").to_string(),
        other => other.to_string(),
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        (q.get("action"), q.get("actor"), q.get("outcome"))
    };
    let rows = Resource::new(filter, |(action, actor, outcome)| audit_trail(action, actor, outcome));
    let value = move |k: &'static str| move || query.read().get(k).unwrap_or_default();
    let outcome = value("outcome");

    view! {
        <h1 class="text-2xl font-bold">{locale.t("audit.title")}</h1>
        <form method="get" action="/logg" class="mt-6 flex flex-wrap items-end gap-3" aria-label=locale.t("audit.filter")>
            <div class="flex flex-col">
                <label for="audit-action" class="font-semibold">{locale.t("audit.action")}</label>
                <select id="audit-action" name="action" class="ds-input">
                    <option value="" selected=move || value("action")().is_empty()>{locale.t("audit.any")}</option>
                    {ACTIONS.iter().map(|a| {
                        let a = *a;
                        view! { <option value=a selected=move || value("action")() == a>{event_name(locale, a)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="flex flex-col">
                <label for="audit-actor" class="font-semibold">{locale.t("audit.actor")}</label>
                <input id="audit-actor" name="actor" class="ds-input" value=value("actor") maxlength="100"/>
            </div>
            <div class="flex flex-col">
                <label for="audit-outcome" class="font-semibold">{locale.t("audit.outcome")}</label>
                <select id="audit-outcome" name="outcome" class="ds-input">
                    <option value="" selected=move || outcome().is_empty()>{locale.t("audit.any")}</option>
                    <option value="success" selected=move || outcome() == "success">{locale.t("audit.success")}</option>
                    <option value="refused" selected=move || outcome() == "refused">{locale.t("audit.refused")}</option>
                    <option value="failed" selected=move || outcome() == "failed">{locale.t("audit.failed")}</option>
                </select>
            </div>
            <button type="submit" class="ds-button" data-variant="secondary">{locale.t("audit.apply")}</button>
        </form>
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(rows) if rows.is_empty() => view! { <p class="mt-6">{locale.t("audit.none")}</p> }.into_any(),
                    Ok(rows) => view! {
                        <div class="mt-6 overflow-x-auto">
                            <table class="ds-table w-full text-left" data-size="sm">
                                <caption class="sr-only">{locale.t("audit.title")}</caption>
                                <thead><tr class="border-b border-gray-300">
                                    <th scope="col" class="py-2 pr-3">{locale.t("audit.when")}</th>
                                    <th scope="col" class="py-2 pr-3">{locale.t("audit.actor")}</th>
                                    <th scope="col" class="py-2 pr-3">{locale.t("audit.action")}</th>
                                    <th scope="col" class="py-2 pr-3">{locale.t("audit.target")}</th>
                                    <th scope="col" class="py-2 pr-3">{locale.t("audit.outcome")}</th>
                                    <th scope="col" class="py-2">{locale.t("audit.request")}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|r| view! {
                                        <tr class="border-b border-gray-200">
                                            <td class="py-2 pr-3 whitespace-nowrap">{r.occurred_at}</td>
                                            <td class="py-2 pr-3">{r.actor}</td>
                                            <td class="py-2 pr-3">{event_name(locale, &r.action)}</td>
                                            <td class="py-2 pr-3 break-all">{r.target}</td>
                                            <td class="py-2 pr-3">{outcome_name(locale, &r.outcome)}</td>
                                            <td class="py-2 break-all"><code>{r.request_id}</code></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
