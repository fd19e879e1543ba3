//! A router that remembers which method and path each of its routes answers,
//! so that the OpenAPI document can be compared with what is served, in both
//! directions, without a list kept by hand.

use axum::handler::Handler;
use axum::routing::{self, MethodRouter};
use axum::Router;

/// Routes of an API and the (method, path) pairs they answer.
pub struct ApiRoutes<S> {
    router: Router<S>,
    served: Vec<(&'static str, String)>,
}

impl<S: Clone + Send + Sync + 'static> Default for ApiRoutes<S> {
    fn default() -> Self {
        Self { router: Router::new(), served: Vec::new() }
    }
}

impl<S: Clone + Send + Sync + 'static> ApiRoutes<S> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add("get", path, routing::get(handler))
    }

    pub fn post<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add("post", path, routing::post(handler))
    }

    pub fn put<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add("put", path, routing::put(handler))
    }

    pub fn delete<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add("delete", path, routing::delete(handler))
    }

    /// Adds a route; methods on one path are merged by axum.
    fn add(mut self, method: &'static str, path: &str, route: MethodRouter<S>) -> Self {
        self.served.push((method, path.to_string()));
        self.router = self.router.route(path, route);
        self
    }

    /// What a known path answers to a method it does not serve.
    pub fn method_not_allowed_fallback<H: Handler<T, S>, T: 'static>(mut self, handler: H) -> Self {
        self.router = self.router.method_not_allowed_fallback(handler);
        self
    }

    /// The same routes with `f` applied to their router, for a layer on
    /// these routes only.
    pub fn map_router(mut self, f: impl FnOnce(Router<S>) -> Router<S>) -> Self {
        self.router = f(self.router);
        self
    }

    pub fn merge(mut self, other: Self) -> Self {
        self.served.extend(other.served);
        self.router = self.router.merge(other.router);
        self
    }

    /// The (method, path) pairs served, paths as axum and OpenAPI write them (`{id}`).
    pub fn served(&self) -> &[(&'static str, String)] {
        &self.served
    }

    /// The routes with their state given, for a router of another state type.
    pub fn with_state<S2: Clone + Send + Sync + 'static>(self, state: S) -> ApiRoutes<S2> {
        ApiRoutes { router: self.router.with_state(state), served: self.served }
    }

    pub fn into_router(self) -> Router<S> {
        self.router
    }
}
