//! One service (`/tjenester/<id>`): its details, its rules (`?regel=<id>`
//! edits one, `?regel=ny` adds one), XACML import and export, and deletion.

use super::export_href;
use super::fields::{DetailFields, RuleFields};
use super::form_errors::{describe, ErrorSummary, FieldError, FormErrors};
use super::texts::{combining_text, effect_text};
use crate::form_flash::use_server_action;
use crate::functions::resources::{message, policy_packages, service, DeleteService, DeleteServiceRule, ImportServicePolicy, SaveServiceRule, UpdateService};
use crate::i18n::use_locale;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ServicePage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let update = use_server_action::<UpdateService>();
    let save_rule = use_server_action::<SaveServiceRule>();
    let delete_rule = use_server_action::<DeleteServiceRule>();
    let import = use_server_action::<ImportServicePolicy>();
    let delete = use_server_action::<DeleteService>();
    let id = move || params.read().get("id").unwrap_or_default();
    let current = Resource::new(
        move || (id(), update.version().get(), save_rule.version().get(), delete_rule.version().get(), import.version().get()),
        |(id, ..)| service(id),
    );
    let packages = Resource::new(|| (), |_| policy_packages());
    let saved = move || query.read().get("lagret").is_some();
    let editing = move || query.read().get("regel");
    let confirm_delete = move || query.read().get("slett").is_some();
    let (update_errors, rule_errors, delete_rule_errors, import_errors, delete_errors) =
        (FormErrors::of(update), FormErrors::of(save_rule), FormErrors::of(delete_rule), FormErrors::of(import), FormErrors::of(delete));

    view! {
        <p><a class="underline" href="/tjenester">{locale.t("resources.back")}</a></p>
        <Suspense fallback=move || view! { <p>{locale.t("common.loading")}</p> }>
            {move || Suspend::new(async move {
                let s = match current.await {
                    Ok(s) => s,
                    Err(e) => return view! {
                        <h1 class="mt-2 text-2xl font-bold">{locale.t("resources.title")}</h1>
                        <div role="alert" class="ds-alert my-4" data-color="danger"><p>{message(locale, &e)}</p></div>
                    }.into_any(),
                };
                let packages = packages.await.unwrap_or_default();
                let sid = s.id.clone();
                let base = format!("/tjenester/{sid}");
                let rule_form = {
                    let (sid, base, rules) = (sid.clone(), base.clone(), s.rules.clone());
                    editing().map(move |r| {
                        let rule = rules.iter().find(|x| x.id == r).cloned();
                        let heading = if rule.is_some() { format!("{} {r}", locale.t("resources.edit_rule")) } else { locale.t("resources.add_rule").to_string() };
                        let rule_id = rule.as_ref().map(|r| r.id.clone()).unwrap_or_default();
                        view! {
                            <section aria-labelledby="rule-title" class="mt-6 border-l-4 border-gray-300 pl-4">
                                <h3 id="rule-title" class="text-lg font-semibold">{heading}</h3>
                                <ErrorSummary errors=rule_errors prefix="rule"/>
                                <ActionForm action=save_rule attr:class="mt-2 flex max-w-3xl flex-col gap-4" attr:novalidate=true>
                                    <input type="hidden" name="service" value=sid/>
                                    <input type="hidden" name="rule" value=rule_id/>
                                    <RuleFields errors=rule_errors prefix="rule" rule packages/>
                                    <div class="flex gap-2">
                                        <button type="submit" class="ds-button" data-variant="primary">{locale.t("resources.save_rule")}</button>
                                        <a href=base class="ds-button" data-variant="secondary">{locale.t("resources.cancel")}</a>
                                    </div>
                                </ActionForm>
                            </section>
                        }
                    })
                };
                let rule_items = s.rules.clone().into_iter().map({
                    let (sid, base) = (sid.clone(), base.clone());
                    move |r| {
                        let who: Vec<String> = r.packages.iter().map(|p| format!("{} {p}", locale.t("resources.who.package")))
                            .chain(r.roles.iter().map(|x| format!("{} {x}", locale.t("resources.who.role"))))
                            .chain(r.parties.iter().map(|x| format!("{} {x}", locale.t("resources.who.party"))))
                            .chain(r.other.iter().cloned())
                            .collect();
                        let edit_label = format!("{} {}", locale.t("resources.edit_rule"), r.id);
                        let delete_label = format!("{} {}", locale.t("resources.delete_rule"), r.id);
                        let edit_href = format!("{base}?regel={}", r.id);
                        let (service_id, rule_id) = (sid.clone(), r.id.clone());
                        view! {
                            <li class="flex flex-wrap items-start justify-between gap-2 py-3">
                                <div>
                                    <p class="font-semibold">{r.id.clone()} ": " {effect_text(locale, &r.effect)} " – " {r.actions.join(", ")}</p>
                                    <p class="text-sm text-gray-700">{who.join("; ")}</p>
                                </div>
                                <div class="flex gap-2">
                                    <a class="ds-button" data-variant="secondary" data-size="sm" href=edit_href aria-label=edit_label>
                                        {locale.t("resources.edit")}
                                    </a>
                                    <ActionForm action=delete_rule>
                                        <input type="hidden" name="service" value=service_id/>
                                        <input type="hidden" name="rule" value=rule_id/>
                                        <button type="submit" class="ds-button" data-variant="secondary" data-size="sm" aria-label=delete_label>
                                            {locale.t("resources.delete")}
                                        </button>
                                    </ActionForm>
                                </div>
                            </li>
                        }
                    }
                }).collect_view();
                let delete_part = if confirm_delete() {
                    let (sid, base) = (sid.clone(), base.clone());
                    view! {
                        <div class="ds-alert my-4" data-color="warning">
                            <p>{locale.t("resources.confirm_delete")}</p>
                            <div class="mt-2 flex gap-2">
                                <ActionForm action=delete>
                                    <input type="hidden" name="service" value=sid/>
                                    <button type="submit" class="ds-button" data-variant="primary">{locale.t("resources.delete_confirm_button")}</button>
                                </ActionForm>
                                <a href=base class="ds-button" data-variant="secondary">{locale.t("resources.cancel")}</a>
                            </div>
                        </div>
                    }.into_any()
                } else {
                    view! { <p class="mt-2"><a class="underline" href=format!("{base}?slett=1")>{locale.t("resources.delete_service")}</a></p> }.into_any()
                };
                let title = locale.pick(&s.title);
                let owner = s.owner_org.clone();
                let combining = combining_text(locale, &s.combining);
                let add_rule_href = format!("{base}?regel=ny");
                let export = export_href(&sid);
                view! {
                    <h1 class="mt-2 text-2xl font-bold">{title}</h1>
                    <p class="text-sm text-gray-700"><code>{sid.clone()}</code> " · " {locale.t("resources.owner")} " " {owner}</p>
                    {saved().then(|| view! { <div role="status" class="ds-alert my-4" data-color="success"><p>{locale.t("resources.saved")}</p></div> })}

                    <section aria-labelledby="details-title" class="mt-6">
                        <h2 id="details-title" class="text-xl font-bold">{locale.t("resources.details")}</h2>
                        <ErrorSummary errors=update_errors prefix="edit"/>
                        <ActionForm action=update attr:class="mt-4 flex max-w-3xl flex-col gap-4" attr:novalidate=true>
                            <DetailFields errors=update_errors prefix="edit" service=Some(s) creating=false/>
                            <button type="submit" class="ds-button self-start" data-variant="primary">{locale.t("resources.save_details")}</button>
                        </ActionForm>
                    </section>

                    <section aria-labelledby="rules-title" class="mt-10">
                        <h2 id="rules-title" class="text-xl font-bold">{locale.t("resources.rules")}</h2>
                        <p class="text-sm text-gray-700">{locale.t("resources.field.combining")} ": " {combining}</p>
                        <ErrorSummary errors=delete_rule_errors prefix="rules"/>
                        <ul class="mt-2 divide-y divide-gray-200 border-y border-gray-200" aria-label=locale.t("resources.rules")>
                            {rule_items}
                        </ul>
                        <p class="mt-3"><a class="underline" href=add_rule_href>{locale.t("resources.add_rule")}</a></p>
                        {rule_form}
                    </section>

                    <section aria-labelledby="xacml-title" class="mt-10">
                        <h2 id="xacml-title" class="text-xl font-bold">{locale.t("resources.xacml")}</h2>
                        <p class="mt-2">
                            <a rel="external" class="underline" href=export>{locale.t("resources.export")}</a>
                        </p>
                        <ErrorSummary errors=import_errors prefix="import"/>
                        <ActionForm action=import attr:class="mt-4 flex max-w-3xl flex-col gap-2" attr:novalidate=true>
                            <input type="hidden" name="service" value=sid/>
                            <label for="import-xml" class="ds-label font-semibold">{locale.t("resources.import_label")}</label>
                            <p id="import-xml-help" class="text-sm text-gray-700">{locale.t("resources.import_help")}</p>
                            <FieldError errors=import_errors fields=&["xml"] id="import-xml-error"/>
                            <textarea id="import-xml" name="xml" class="ds-input font-mono text-sm" rows="8" required
                                      aria-describedby=describe(import_errors, &["xml"], Some("import-xml-help".into()), "import-xml-error".into())
                                      aria-invalid=move || import_errors.field(&["xml"]).map(|_| "true")></textarea>
                            <button type="submit" class="ds-button self-start" data-variant="secondary">{locale.t("resources.import_button")}</button>
                        </ActionForm>
                    </section>

                    <section aria-labelledby="delete-title" class="mt-10">
                        <h2 id="delete-title" class="text-xl font-bold">{locale.t("resources.delete_title")}</h2>
                        <ErrorSummary errors=delete_errors prefix="delete"/>
                        {delete_part}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
