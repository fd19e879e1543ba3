//! The errors of a service form's last submission, shown twice: summarised at
//! the top of the form, each linking to its field, and next to the field itself.

use crate::error::AppError;
use crate::functions::resources::{field_errors, field_message, message, FieldErrors};
use crate::i18n::{use_locale, Locale};
use leptos::prelude::*;

/// The errors of one form's last submission, split into field errors and the rest.
#[derive(Clone, Copy)]
pub(super) struct FormErrors {
    error: Signal<Option<AppError>>,
    locale: Locale,
}

impl FormErrors {
    pub(super) fn of<S>(action: ServerAction<S>) -> Self
    where
        S: leptos::server_fn::ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
    {
        Self { error: Signal::derive(move || action.value().get().and_then(|r| r.err())), locale: use_locale() }
    }

    fn fields(&self) -> FieldErrors {
        self.error.get().as_ref().and_then(field_errors).unwrap_or_default()
    }

    pub(super) fn field(&self, names: &[&str]) -> Option<String> {
        let locale = self.locale;
        let messages: Vec<String> =
            self.fields().into_iter().filter(|(f, _)| names.contains(&f.as_str())).map(|(f, d)| field_message(locale, &f, &d)).collect();
        (!messages.is_empty()).then(|| messages.join(" "))
    }
}

/// The summary at the top of a form: every error, each linking to its field.
#[component]
pub(super) fn ErrorSummary(errors: FormErrors, #[prop(into)] prefix: String) -> impl IntoView {
    let locale = use_locale();
    let summary = move || {
        let error = errors.error.get()?;
        let fields = errors.fields();
        if fields.is_empty() {
            return Some(view! { <div role="alert" class="ds-alert my-4" data-color="danger"><p>{message(locale, &error)}</p></div> }.into_any());
        }
        let prefix = prefix.clone();
        Some(
            view! {
                <div role="alert" class="ds-error-summary my-4" tabindex="-1" data-testid="error-summary">
                    <h2>{locale.t("resources.error.summary")}</h2>
                    <ul class="list-disc pl-6">
                        {fields.into_iter().map(|(f, d)| {
                            let target = format!("#{prefix}-{}", anchor(&f));
                            view! { <li><a class="underline" href=target>{field_message(locale, &f, &d)}</a></li> }
                        }).collect_view()}
                    </ul>
                </div>
            }
            .into_any(),
        )
    };
    summary.into_any()
}

/// The element id suffix a field's error links to.
fn anchor(field: &str) -> &str {
    match field {
        "title_nb" => "title-nb",
        "title_nn" => "title-nn",
        "title_en" => "title-en",
        "resource_type" => "type",
        "auth_level" => "level",
        "id" | "description" | "combining" | "effect" | "actions" | "parties" | "xml" => field,
        "subjects" | "packages" | "roles" => "roles",
        _ => "rules",
    }
}

/// `aria-describedby` of a field: its help text, and its error while one shows.
pub(super) fn describe(
    errors: FormErrors,
    fields: &'static [&'static str],
    help: Option<String>,
    error: String,
) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
    move || {
        let mut ids: Vec<String> = help.iter().cloned().collect();
        if errors.field(fields).is_some() {
            ids.push(error.clone());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// One error next to its field.
#[component]
pub(super) fn FieldError(errors: FormErrors, fields: &'static [&'static str], #[prop(into)] id: String) -> impl IntoView {
    (move || errors.field(fields).map(|m| view! { <p id=id.clone() class="ds-validation-message" data-color="danger">{m}</p> })).into_any()
}
