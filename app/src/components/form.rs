//! How a form shows what went wrong, the way Designsystemet does it: an error
//! summary at the top whose links lead to the fields, and a validation message
//! under each field that is wrong (`aria-invalid` and `aria-describedby` on
//! the field itself). Works the same whether the error came back to a
//! hydrated page or through a post without JavaScript (see `form_flash`).

use crate::components::alert::ErrorAlert;
use crate::error::AppError;
use crate::form_flash::Typed;
use crate::i18n::use_locale;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// One form of server function `S`: the last error of its action, what was
/// typed into it when a post without JavaScript came back refused, and its
/// fields — the name each has in the server function and the id of the
/// element that shows it, so the summary can link to it.
#[derive(Clone, Copy)]
pub struct FormFields {
    pub error: Signal<Option<AppError>>,
    typed: StoredValue<Typed>,
    pub fields: &'static [(&'static str, &'static str)],
    /// Refusals (by code) that are about one field, such as an unknown scope.
    pub refusals: &'static [(&'static str, &'static str)],
}

impl FormFields {
    pub fn of<S>(action: ServerAction<S>, fields: &'static [(&'static str, &'static str)]) -> Self
    where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        Self { error: Signal::derive(move || action.value().get().and_then(|r| r.err())), typed: StoredValue::new(Typed::of::<S>()), fields, refusals: &[] }
    }

    /// What was typed into the form that came back refused (empty otherwise).
    pub fn typed(&self) -> Typed {
        self.typed.get_value()
    }

    /// The value typed into the field `name`, if any.
    pub fn typed_value(&self, name: &str) -> Option<String> {
        self.typed.with_value(|t| t.value(name))
    }

    /// Shows these refusals (`code`, `field`) next to their field too. The
    /// codes are [`crate::error::Refusal`]'s; one it does not know is a
    /// programming error, caught by every test that renders the form.
    pub fn with_refusals(self, refusals: &'static [(&'static str, &'static str)]) -> Self {
        for (code, _) in refusals {
            debug_assert!(crate::error::Refusal::CODES.contains(code), "{code} is not a refusal code");
        }
        Self { refusals, ..self }
    }

    /// The field of this form that `e` is about, if any.
    fn field_of(&self, e: &AppError) -> Option<&'static str> {
        match e {
            AppError::Refused(r) => self.refusals.iter().find(|(c, _)| *c == r.code()).map(|(_, f)| *f),
            _ => e.field().and_then(|f| self.fields.iter().find(|(name, _)| *name == f)).map(|(name, _)| *name),
        }
    }

    /// Whether the last error is about `field`.
    pub fn invalid(&self, field: &str) -> bool {
        self.error.with(|e| e.as_ref().and_then(|e| self.field_of(e)) == Some(field))
    }

    /// `aria-invalid` for the field: `Some("true")` when the last error is about it.
    pub fn aria_invalid(self, field: &'static str) -> impl Fn() -> Option<&'static str> + Send + Sync + Copy + 'static {
        move || self.invalid(field).then_some("true")
    }

    /// `aria-describedby` for the field: its help text, then its message when shown.
    pub fn described_by(self, field: &'static str, help: Option<String>) -> impl Fn() -> Option<String> + Send + Sync + Clone + 'static {
        move || {
            let message = self.invalid(field).then(|| message_id(self.id_of(field)));
            match (&help, message) {
                (Some(h), Some(m)) => Some(format!("{h} {m}")),
                (Some(h), None) => Some(h.clone()),
                (None, m) => m,
            }
        }
    }

    fn id_of(&self, field: &str) -> &'static str {
        self.fields.iter().find(|(f, _)| *f == field).map(|(_, id)| *id).unwrap_or("main")
    }
}

fn message_id(field_id: &str) -> String {
    format!("{field_id}-error")
}

/// The summary at the top of a form: for an error about a field, a heading
/// and a link to the field; any other error as an alert.
#[component]
pub fn ErrorSummary(form: FormFields) -> impl IntoView {
    let locale = use_locale();
    move || {
        form.error.get().map(|e| match form.field_of(&e) {
            Some(field) => {
                let href = format!("#{}", form.id_of(field));
                let text = e.message(locale);
                view! {
                    <div class="ds-error-summary my-4" role="alert" tabindex="-1" data-testid="error-summary">
                        <h2>{locale.t("form.error_summary")}</h2>
                        <ul class="list-disc pl-6">
                            <li><a href=href>{text}</a></li>
                        </ul>
                    </div>
                }
                .into_any()
            }
            None => view! { <ErrorAlert error=e/> }.into_any(),
        })
    }
}

/// The validation message under one field, shown when the last error is about it.
#[component]
pub fn FieldMessage(form: FormFields, field: &'static str) -> impl IntoView {
    let locale = use_locale();
    move || {
        form.invalid(field).then(|| {
            let text = form.error.get().map(|e| e.message(locale)).unwrap_or_default();
            view! { <p class="ds-validation-message" data-color="danger" id=message_id(form.id_of(field))>{text}</p> }
        })
    }
}

/// The person a form names, in a fieldset of its own: national identity
/// number and surname, which must both match (so numbers cannot be probed).
/// The fields are `national_id` and `surname`, with the ids the form gives
/// them; `required` (when given) says when the browser should ask for them,
/// for a form that shows them only for one kind of recipient.
#[component]
pub fn PersonFields(form: FormFields, #[prop(optional, into)] required: Option<Signal<bool>>) -> impl IntoView {
    let locale = use_locale();
    let typed = form.typed();
    let required = move || required.is_some_and(|r| r.get());
    let (nin_id, surname_id) = (form.id_of("national_id"), form.id_of("surname"));
    view! {
        <fieldset class="ds-fieldset flex max-w-md flex-col gap-3">
            <legend class="ds-label font-semibold">{locale.t("access.person_legend")}</legend>
            <div class="ds-field flex flex-col">
                <label for=nin_id class="ds-label font-semibold">{locale.t("access.nin")}</label>
                <input id=nin_id name="national_id" class="ds-input" inputmode="numeric" autocomplete="off" maxlength="11"
                       value=typed.value("national_id")
                       aria-invalid=form.aria_invalid("national_id") aria-describedby=form.described_by("national_id", None)
                       required=required/>
                <FieldMessage form field="national_id"/>
            </div>
            <div class="ds-field flex flex-col">
                <label for=surname_id class="ds-label font-semibold">{locale.t("access.surname")}</label>
                <input id=surname_id name="surname" class="ds-input" autocomplete="off" maxlength=domain::limits::SURNAME
                       value=typed.value("surname")
                       aria-invalid=form.aria_invalid("surname") aria-describedby=form.described_by("surname", None)
                       required=required/>
                <FieldMessage form field="surname"/>
            </div>
        </fieldset>
    }
}

/// One text field of a form: its label (a translation key), optional help (a key),
/// the value typed when a post came back refused (else `value`, the value in force),
/// and its validation message. The
/// field's name is the server function's argument; its id is the one the form gives it.
#[component]
pub fn TextField(
    form: FormFields,
    field: &'static str,
    label: &'static str,
    #[prop(optional)] help: Option<&'static str>,
    #[prop(optional)] kind: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] min: Option<String>,
    #[prop(optional)] max: Option<String>,
    #[prop(optional, into)] value: Option<String>,
) -> impl IntoView {
    let locale = use_locale();
    let id = form.fields.iter().find(|(f, _)| *f == field).map(|(_, id)| *id).unwrap_or(field);
    let help_id = help.map(|_| format!("{id}-help"));
    view! {
        <div class="ds-field flex max-w-md flex-col">
            <label for=id class="ds-label font-semibold">{locale.t(label)}</label>
            {help.map(|h| view! { <p id=format!("{id}-help") data-field="description">{locale.t(h)}</p> })}
            <input id=id name=field class="ds-input" type=kind.unwrap_or("text") autocomplete=autocomplete.unwrap_or("off")
                   value=form.typed_value(field).or(value) required=required min=min max=max
                   aria-invalid=form.aria_invalid(field) aria-describedby=form.described_by(field, help_id)/>
            <FieldMessage form field/>
        </div>
    }
}
