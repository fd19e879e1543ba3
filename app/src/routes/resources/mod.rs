//! Services (`/tjenester`) of the party acted for, for its access managers:
//! the list (`/tjenester`), a new service with its first rule
//! (`/tjenester/ny`), and one service (`/tjenester/<id>`) with its details,
//! its rules (`?regel=<id>` edits one, `?regel=ny` adds one), XACML import and
//! export, and deletion (`?slett=1` asks first).
//!
//! Every form is a plain POST that works without JavaScript: a saved form
//! redirects back to the service with `?lagret=1`; an error comes back through
//! the URL and is shown next to its field and summarised at the top.

mod detail;
mod fields;
mod form_errors;
mod list;
mod new;
mod texts;

pub use detail::{ServicePage, ServicePageProps};
pub use list::{ServicesPage, ServicesPageProps};
pub use new::{NewServicePage, NewServicePageProps};

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route};
use leptos_router::{path, MatchNestedRoutes, SsrMode};

/// The routes under `/tjenester`, registered with one line in the app. They
/// render only once their data is loaded (`SsrMode::Async`): out-of-order
/// streaming would leave a browser without JavaScript at the loading text.
#[component(transparent)]
pub fn ServiceRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("/tjenester") view=leptos_router::components::Outlet ssr=SsrMode::Async>
            <Route path=path!("") view=ServicesPage ssr=SsrMode::Async/>
            <Route path=path!("ny") view=NewServicePage ssr=SsrMode::Async/>
            <Route path=path!(":id") view=ServicePage ssr=SsrMode::Async/>
        </ParentRoute>
    }
    .into_inner()
}

/// The policy export (XACML XML) of a service, served by the REST API.
pub fn export_href(id: &str) -> String {
    format!("/resourceregistry/api/v1/resource/{id}/policy")
}
