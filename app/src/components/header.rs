//! The page header: product name, the signed-in person, what they can do for
//! others, the party acted for with a way to switch, the language switch and logout.

use crate::functions::session::session_info;
use crate::i18n::{use_locale, LOCALES};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn Header() -> impl IntoView {
    let locale = use_locale();
    let location = use_location();
    // Refetched on every navigation, so a party chosen or a logout is reflected at once.
    let info = Resource::new(move || location.pathname.get(), |_| session_info());
    let here = move || {
        let path = location.pathname.get();
        let query = location.search.get();
        if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        }
    };

    view! {
        <header class="border-b border-gray-300 bg-white">
            <div class="mx-auto flex w-full max-w-5xl flex-wrap items-center justify-between gap-4 px-4 py-3">
                <a href="/" class="text-xl font-bold text-gray-900 no-underline">{locale.t("app.name")}</a>
                <nav aria-label=locale.t("nav.language") class="flex gap-2 text-sm">
                    {LOCALES
                        .iter()
                        .map(|l| {
                            let l = *l;
                            let href = move || format!("/lang/{}?return={}", l.code(), urlencode(&here()));
                            let current = l == locale;
                            view! {
                                <a rel="external" href=href hreflang=l.code() lang=l.code()
                                   aria-current=if current { Some("true") } else { None }
                                   class=if current { "font-bold underline" } else { "underline" }>
                                    {locale_name(l)}
                                </a>
                            }
                        })
                        .collect_view()}
                </nav>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match info.await {
                            Ok(Some(s)) => view! {
                                <div class="flex flex-wrap items-center gap-3 text-sm">
                                    <span data-testid="signed-in-as">{s.name}</span>
                                    <a href="/fullmakter" class="underline">{locale.t("header.others")}</a>
                                    <a href="/tjenester" class="underline">{locale.t("resources.nav")}</a>
                                    {match s.party {
                                        Some(p) => view! {
                                            <span data-testid="acting-for">
                                                {locale.t("header.acting_for")} " " <strong>{p.name}</strong>
                                            </span>
                                            <a href="/velg-aktor" class="underline">{locale.t("header.switch_party")}</a>
                                        }.into_any(),
                                        None => view! {
                                            <a href="/velg-aktor" class="underline">{locale.t("header.choose_party")}</a>
                                        }.into_any(),
                                    }}
                                    <form method="post" action="/auth/logout">
                                        <button type="submit" class="ds-button" data-variant="secondary" data-size="sm">
                                            {locale.t("header.logout")}
                                        </button>
                                    </form>
                                </div>
                            }.into_any(),
                            _ => view! {
                                <a rel="external" href="/auth/login" class="ds-button" data-variant="primary" data-size="sm">
                                    {locale.t("header.login")}
                                </a>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </header>
    }
}

fn locale_name(l: crate::i18n::Locale) -> &'static str {
    match l {
        crate::i18n::Locale::Nb => "Bokmål",
        crate::i18n::Locale::Nn => "Nynorsk",
        crate::i18n::Locale::En => "English",
    }
}

/// Percent-encodes a local path for use in a query parameter.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
