//! The portal's UI: the HTML shell, routes, pages and the thin server functions
//! behind them. Domain rules live in the `domain` crate; this crate only parses
//! input, calls a use case and renders the result.
#![forbid(unsafe_code)]
#![recursion_limit = "256"]

pub mod components;
pub mod error;
pub mod form_flash;
pub mod functions;
pub mod i18n;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod session;
pub mod text_search;

use components::header::Header;
use i18n::{use_locale, Locale};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Html, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        // `lang` is written by `<Html attr:lang>` in `App`, from the request.
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <components::hydration::HydrationScripts options/>
                <leptos_meta::MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The language of this page: from the request's cookie on the server, from
/// `<html lang>` (which the server wrote) in the browser.
fn current_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|parts| Locale::from_cookie_header(parts.headers.get(http::header::COOKIE).and_then(|v| v.to_str().ok())))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        #[cfg(feature = "hydrate")]
        {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .and_then(|e| e.get_attribute("lang"))
                .and_then(|l| Locale::parse(&l))
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Locale::default()
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = current_locale();
    provide_context(locale);
    provide_context(form_flash::PageFlash(form_flash::read_page_flash()));

    // Marks the page as interactive once the WASM has hydrated it; end-to-end
    // tests wait for this before clicking. Effects never run on the server.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Html attr:lang=locale.code()/>
        <Stylesheet id="leptos" href="/pkg/portal.css"/>
        <Title text=locale.t("app.name")/>
        <Router>
            <a class="skip-link" href="#main">{locale.t("nav.skip")}</a>
            <form_flash::FlashCarrier/>
            <Header/>
            <main id="main" tabindex="-1" class="mx-auto w-full max-w-5xl px-4 py-8 focus:outline-none">
                <Routes fallback=routes::not_found::NotFound>
                    <Route path=path!("/") view=routes::home::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/velg-aktor") view=routes::parties::ChoosePartyPage ssr=SsrMode::Async/>
                    <Route path=path!("/logg") view=routes::audit::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/tilganger") view=routes::access::AccessPage ssr=SsrMode::Async/>
                    <Route path=path!("/fullmakter") view=routes::others::OthersPage ssr=SsrMode::Async/>
                    <routes::resources::ServiceRoutes/>
                    <routes::systems::SystemRoutes/>
                    <Route path=path!("/roller") view=routes::user_roles::UserRolesPage ssr=SsrMode::Async/>
                    <Route path=path!("/api-klienter") view=routes::api_clients::ApiClientsPage ssr=SsrMode::Async/>
                    <Route path=path!("/klienter") view=routes::clients::ClientAdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/klienter/personer") view=routes::client_persons::ClientPersonsPage ssr=SsrMode::Async/>
                    <Route path=path!("/klienter/:id") view=routes::clients::AgentClientsPage ssr=SsrMode::Async/>
                    <Route path=path!("/klientforhold") view=routes::client_relationships::ClientRelationshipsPage ssr=SsrMode::Async/>
                    <Route path=path!("/tilganger/enkeltrettighet") view=routes::give_right::GiveRightPage ssr=SsrMode::Async/>
                    <Route path=path!("/varsler") view=routes::notices::NoticesPage ssr=SsrMode::Async/>
                    <Route path=path!("/gjester") view=routes::guests::GuestsPage ssr=SsrMode::Async/>
                    <Route path=path!("/enheter") view=routes::units::UnitsPage ssr=SsrMode::Async/>
                    <Route path=path!("/gjesteregler") view=routes::guest_rules::GuestRulesPage ssr=SsrMode::Async/>
                    <Route path=path!("/gjest/:token") view=routes::claim::ClaimPage ssr=SsrMode::Async/>
                    <Route path=path!("/meg") view=routes::me::MePage ssr=SsrMode::Async/>
                    <Route path=path!("/gjest-innlogging") view=routes::guest_login::GuestLoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/systembrukere") view=routes::system_users::SystemUsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/systembrukere/foresporsel/:id") view=routes::system_user_requests::SystemUserRequestPage ssr=SsrMode::Async/>
                    <Route path=path!("/systembrukere/endring/:id") view=routes::system_user_changes::SystemUserChangePage ssr=SsrMode::Async/>
                    <Route path=path!("/systembrukere/ny") view=routes::system_user_create::CreateSystemUserPage ssr=SsrMode::Async/>
                    <Route path=path!("/systembrukere/:id") view=routes::system_user_detail::SystemUserDetailPage ssr=SsrMode::Async/>
                    <Route path=path!("/systembrukere/:id/slett") view=routes::system_user_detail::DeleteSystemUserPage ssr=SsrMode::Async/>
                    <Route path=path!("/innlogging-feilet") view=routes::login_failed::LoginFailedPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// The current language, for components that cannot take it as a prop.
pub fn t(key: &'static str) -> &'static str {
    use_locale().t(key)
}
