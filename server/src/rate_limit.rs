//! Per-client-address rate limiting of login, the test provider, guests'
//! claim links and the token endpoint (each group with its own limiter and budget): a token bucket per
//! address, answered with `429` and `Retry-After` when empty.

use crate::problem::Problem;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimiter {
    per_minute: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self { per_minute: f64::from(per_minute.max(1)), buckets: Mutex::default() }
    }

    /// Takes one token for `ip` at `now`; on refusal, the seconds until one is free.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            // Forget addresses whose buckets have refilled, so memory stays bounded.
            let full = self.per_minute;
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * full / 60.0 < full);
        }
        let (tokens, at) = buckets.entry(ip).or_insert((self.per_minute, now));
        let refilled = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_minute / 60.0).min(self.per_minute);
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            Err(((1.0 - refilled) * 60.0 / self.per_minute).ceil().max(1.0) as u64)
        }
    }
}

/// The server functions of a guest's claim link: the link is the credential.
const CLAIM_FUNCTIONS: [&str; 3] = ["/api/claim_page", "/api/send_claim_code", "/api/claim_account"];

/// Paths that are rate limited: login, the test provider, `/token`, and a
/// guest's claim link (its page and its functions), which nobody need be
/// signed in to use.
fn limited(path: &str) -> bool {
    path.starts_with("/auth/") || path.starts_with("/idp/") || path == "/token" || path.starts_with("/gjest/") || CLAIM_FUNCTIONS.contains(&path)
}

pub async fn middleware(State(limiter): State<std::sync::Arc<RateLimiter>>, req: Request, next: Next) -> Response {
    if limited(req.uri().path()) {
        let ip = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::from([0, 0, 0, 0]));
        if let Err(retry_after) = limiter.check(ip, Instant::now()) {
            tracing::warn!(%ip, path = req.uri().path(), "rate limit reached");
            let mut p = Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many requests")
                .detail(format!("Too many requests from your address. Try again in {retry_after} s."));
            p.retry_after = Some(retry_after);
            return p.into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn login_claim_links_and_tokens_are_limited_and_the_rest_is_not() {
        for path in ["/auth/login", "/idp/authorize", "/token", "/gjest/abc", "/api/claim_account", "/api/send_claim_code", "/api/claim_page"] {
            assert!(limited(path), "{path}");
        }
        for path in ["/", "/gjester", "/api/register_guest", "/authorization/api/v1/authorize"] {
            assert!(!limited(path), "{path}");
        }
    }

    #[test]
    fn a_bucket_empties_and_refills() {
        let l = RateLimiter::new(2);
        let ip = IpAddr::from([10, 0, 0, 1]);
        let t0 = Instant::now();
        assert!(l.check(ip, t0).is_ok());
        assert!(l.check(ip, t0).is_ok());
        assert_eq!(l.check(ip, t0), Err(30));
        // Other addresses are not affected.
        assert!(l.check(IpAddr::from([10, 0, 0, 2]), t0).is_ok());
        assert!(l.check(ip, t0 + Duration::from_secs(31)).is_ok());
    }
}
