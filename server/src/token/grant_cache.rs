//! What the token endpoint reads about a client on every request, kept in
//! memory: the client's key for a `kid` and the system user a (client, org,
//! external ref) resolves to. Without it each token costs three round trips
//! to PostgreSQL; with it, one (the write that spends the jti).
//!
//! The cache may be stale, and that is safe: the public key of a (client,
//! kid) never changes through the product (a kid cannot be reused), and
//! everything that can change — revocation, expiry, deletion, scopes, the
//! system user's state and which system the client belongs to — is checked
//! again by the write itself ([`store::spend_jtis_and_record`]). Entries also
//! expire after [`MAX_AGE`], so that what the product never changes but an
//! operator might by hand (a key's material, a client's owner) is read again
//! within a minute.
//! When that check fails, or a request is refused on what the cache said
//! (a scope added since, say), the endpoint decides again from the database
//! and stores what it read, so a refusal always rests on current data.
//!
//! [`store::spend_jtis_and_record`]: domain::tokens::store::spend_jtis_and_record

use domain::tokens::{ClientKeyForGrant, SystemUserLink};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Entries kept before the cache starts over; far above the number of
/// active clients of any installation, and a bound on memory.
const MAX_ENTRIES: usize = 50_000;

/// How long an entry is trusted before it is read again.
pub const MAX_AGE: Duration = Duration::from_secs(60);

type KeyId = (String, String);
type LinkId = (String, String, String);

/// One bounded map of what the database said, each entry with when it was read.
struct Entries<K, V>(RwLock<HashMap<K, (V, Instant)>>);

impl<K, V> Default for Entries<K, V> {
    fn default() -> Self {
        Self(RwLock::default())
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> Entries<K, V> {
    /// The entry for `id` if it is younger than [`MAX_AGE`].
    fn get(&self, id: &K) -> Option<V> {
        let map = self.0.read().unwrap_or_else(|e| e.into_inner());
        map.get(id).filter(|(_, at)| at.elapsed() < MAX_AGE).map(|(v, _)| v.clone())
    }

    /// Keeps `value` for `id`, or forgets `id` when there is none.
    fn remember(&self, id: K, value: Option<V>) {
        let mut map = self.0.write().unwrap_or_else(|e| e.into_inner());
        match value {
            Some(value) => {
                if map.len() >= MAX_ENTRIES {
                    map.clear();
                }
                map.insert(id, (value, Instant::now()));
            }
            None => {
                map.remove(&id);
            }
        }
    }
}

#[derive(Default)]
pub struct GrantCache {
    keys: Entries<KeyId, Arc<ClientKeyForGrant>>,
    links: Entries<LinkId, SystemUserLink>,
}

impl GrantCache {
    pub fn key(&self, client_id: &str, kid: &str) -> Option<Arc<ClientKeyForGrant>> {
        self.keys.get(&(client_id.to_owned(), kid.to_owned()))
    }

    /// Remembers what the database said about (client, kid): a key that could
    /// be used when read is kept; none, or a revoked one, removes the entry.
    pub fn remember_key(&self, client_id: &str, kid: &str, key: Option<Arc<ClientKeyForGrant>>) {
        let usable = key.filter(|k| k.revoked_at.is_none() && !k.client_deleted);
        self.keys.remember((client_id.to_owned(), kid.to_owned()), usable);
    }

    pub fn link(&self, client_id: &str, org: &str, external_ref: &str) -> Option<SystemUserLink> {
        self.links.get(&(client_id.to_owned(), org.to_owned(), external_ref.to_owned()))
    }

    /// Remembers the system user found for (client, org, external ref), or
    /// removes the entry when there is none.
    pub fn remember_link(&self, client_id: &str, org: &str, external_ref: &str, link: Option<SystemUserLink>) {
        self.links.remember((client_id.to_owned(), org.to_owned(), external_ref.to_owned()), link);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::tokens::KeyFamily;
    use uuid::Uuid;

    fn key(client: &str, kid: &str, revoked: bool) -> Arc<ClientKeyForGrant> {
        Arc::new(ClientKeyForGrant {
            client_id: client.into(),
            owner_org_number: None,
            scopes: vec![],
            kid: kid.into(),
            family: KeyFamily::Ec,
            public_jwk: serde_json::json!({}),
            expires_at: None,
            revoked_at: revoked.then(time::OffsetDateTime::now_utc),
            client_deleted: false,
        })
    }

    fn link() -> SystemUserLink {
        SystemUserLink { system_user_id: Uuid::nil(), system_id: "s".into(), vendor_org_number: "1".into() }
    }

    #[test]
    fn what_the_database_says_replaces_or_removes_an_entry() {
        let cache = GrantCache::default();
        cache.remember_key("a", "k1", Some(key("a", "k1", false)));
        cache.remember_key("b", "k1", Some(key("b", "k1", false)));
        cache.remember_link("a", "310400009", "310400009", Some(link()));
        assert!(cache.key("a", "k1").is_some());
        assert!(cache.key("b", "k1").is_some(), "per client");
        assert!(cache.link("a", "310400009", "310400009").is_some());
        assert!(cache.link("a", "310400009", "other").is_none());
        // Read again: revoked, then gone; the system user deleted.
        cache.remember_key("a", "k1", Some(key("a", "k1", true)));
        assert!(cache.key("a", "k1").is_none(), "a revoked key is not kept");
        cache.remember_key("b", "k1", None);
        assert!(cache.key("b", "k1").is_none());
        cache.remember_link("a", "310400009", "310400009", None);
        assert!(cache.link("a", "310400009", "310400009").is_none());
    }

    #[test]
    fn old_entries_are_read_again() {
        let cache = GrantCache::default();
        cache.remember_key("a", "k1", Some(key("a", "k1", false)));
        let old = Instant::now().checked_sub(MAX_AGE + Duration::from_secs(1)).expect("the clock is past a minute");
        cache.keys.0.write().unwrap().get_mut(&("a".to_string(), "k1".to_string())).unwrap().1 = old;
        assert!(cache.key("a", "k1").is_none(), "an entry older than MAX_AGE is not used");
    }
}
