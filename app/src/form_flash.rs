//! The result of a form posted without JavaScript, carried to the page it
//! returns to (post/redirect/get with a one-time "flash").
//!
//! Without JavaScript, an `ActionForm` is a plain `<form method="post">` to its
//! server function. The server (`server::form_post`) runs the function, keeps
//! its outcome and the fields the person typed (secrets left out) in the
//! session, and answers `303 See Other` back to the page. When that page is
//! rendered, the server takes the flash out of the session and puts it in the
//! request; [`use_server_action`] then starts the action with that outcome, so
//! the page shows the same success or error as it would have with JavaScript,
//! and [`Typed`] puts what the person typed back into the fields.
//!
//! The flash is written into the page once (`#form-flash`), so hydration starts
//! from the same value and the browser's DOM matches the server's.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Id of the element that carries the flash to the browser.
pub const ELEMENT_ID: &str = "form-flash";

/// What one plain form post left for the page it returns to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormFlash {
    /// The server function's path (`ServerFn::PATH`).
    pub path: String,
    /// Whether the function succeeded; `body` is then its JSON output, else
    /// its JSON-encoded [`AppError`].
    pub ok: bool,
    pub body: String,
    /// The fields as posted, in order, without secrets.
    pub fields: Vec<(String, String)>,
    /// The page (path and query) the post came from and returns to.
    pub return_to: String,
}

impl FormFlash {
    /// Whether a field of this name looks like a secret, which is never kept.
    pub fn is_secret(name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        ["secret", "password", "passord", "private", "token"].iter().any(|s| name.contains(s))
    }

    /// The outcome as the server function `S` would have returned it.
    pub fn outcome<S>(&self) -> Option<Result<S::Output, AppError>>
    where
        S: ServerFn<Error = AppError>,
        S::Output: DeserializeOwned,
    {
        if self.path != S::PATH {
            return None;
        }
        Some(if self.ok {
            serde_json::from_str::<S::Output>(&self.body).map_err(|e| AppError::Transport(e.to_string()))
        } else {
            Err(serde_json::from_str::<AppError>(&self.body).unwrap_or_else(|e| AppError::Transport(e.to_string())))
        })
    }
}

/// The flash of this page, if a form post returned to it.
#[derive(Debug, Clone, Default)]
pub struct PageFlash(pub Option<FormFlash>);

/// Reads the flash of this page: on the server from the request (where the
/// server's middleware put it), in the browser from `#form-flash`.
pub fn read_page_flash() -> Option<FormFlash> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<FormFlash>().cloned())
    }
    #[cfg(not(feature = "ssr"))]
    {
        #[cfg(feature = "hydrate")]
        {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(ELEMENT_ID))
                .and_then(|e| e.get_attribute("data-flash"))
                .and_then(|json| serde_json::from_str(&json).ok())
        }
        #[cfg(not(feature = "hydrate"))]
        {
            None
        }
    }
}

/// Writes the flash into the page for hydration (nothing when there is none).
#[component]
pub fn FlashCarrier() -> impl IntoView {
    let flash = use_context::<PageFlash>().and_then(|f| f.0);
    flash.map(|f| {
        let json = serde_json::to_string(&f).unwrap_or_default();
        view! { <div id=ELEMENT_ID hidden data-flash=json></div> }
    })
}

/// A server action that starts with the outcome of a plain form post to it,
/// when the page was reached that way.
pub fn use_server_action<S>() -> ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    let action = ServerAction::<S>::new();
    if let Some(outcome) = use_context::<PageFlash>().and_then(|f| f.0).and_then(|f| f.outcome::<S>()) {
        action.value().set(Some(outcome));
    }
    action
}

/// What the person typed into the form that failed, to put back into its
/// fields. Empty when the page was not reached by a failed post of `S`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Typed(Vec<(String, String)>);

impl Typed {
    /// The fields of a failed post to `S` on this page.
    pub fn of<S: ServerFn>() -> Self {
        match use_context::<PageFlash>().and_then(|f| f.0) {
            Some(f) if f.path == S::PATH && !f.ok => Self(f.fields),
            _ => Self::default(),
        }
    }

    /// The value typed into the field `name`, if any.
    pub fn value(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    /// The value typed into `name`, or `default` when nothing was posted.
    pub fn value_or(&self, name: &str, default: &str) -> String {
        self.value(name).unwrap_or_else(|| default.to_string())
    }

    /// Whether `value` was among the values posted as `name` (checkboxes,
    /// radio buttons, multiple selects).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(n, v)| n == name && v == value)
    }

    /// Every value posted as `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(n, _)| n == name).map(|(_, v)| v.clone()).collect()
    }

    /// Whether anything was posted (so the form's defaults give way).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One outcome at a time on a page with several forms: when the first
/// action has run, the others' results (banners and field errors) are
/// cleared. `clears_others!(save, import, end)`.
macro_rules! clears_others {
    ($me:expr, $($other:expr),+ $(,)?) => {
        leptos::prelude::Effect::new(move |_| {
            if $me.version().get() > 0 {
                $($other.value().set(None);)+
            }
        });
    };
}
pub(crate) use clears_others;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_recognised_by_name() {
        assert!(FormFlash::is_secret("client_secret"));
        assert!(FormFlash::is_secret("Password"));
        assert!(FormFlash::is_secret("private_key"));
        assert!(!FormFlash::is_secret("surname"));
        assert!(!FormFlash::is_secret("national_id"));
        assert!(!FormFlash::is_secret("public_key"));
    }

    #[test]
    fn typed_values_are_found_by_name_and_value() {
        let t = Typed(vec![("packages[]".into(), "a".into()), ("packages[]".into(), "b".into()), ("surname".into(), "Tallesen".into())]);
        assert_eq!(t.value("surname").as_deref(), Some("Tallesen"));
        assert_eq!(t.value_or("national_id", ""), "");
        assert!(t.has("packages[]", "b"));
        assert!(!t.has("packages[]", "c"));
        assert_eq!(t.all("packages[]"), vec!["a".to_string(), "b".to_string()]);
    }
}
