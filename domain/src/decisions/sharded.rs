//! A hash map split into shards that are shared between snapshots until one
//! of them is written to (copy-on-write per shard).
//!
//! Why: a snapshot at the scale the engine is built for holds a million
//! (subject, party) pairs. A grant or revocation changes a handful of them.
//! Copying the whole map for each change would cost as much as rebuilding it;
//! with shards, the next snapshot shares every shard but the few it changes,
//! and copies only those (a few thousand entries each).

use super::snapshot::{FxBuild, FxHasher};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Enough shards that one holds a few thousand entries at a million pairs,
/// few enough that a snapshot clone (one reference count per shard) is cheap.
const SHARDS: usize = 256;

#[derive(Debug, Clone)]
pub struct ShardedMap<K, V> {
    shards: Box<[Arc<HashMap<K, V, FxBuild>>]>,
}

impl<K, V> Default for ShardedMap<K, V> {
    fn default() -> Self {
        Self { shards: (0..SHARDS).map(|_| Arc::new(HashMap::default())).collect() }
    }
}

/// The shard a key lives in. Bits 32..40 of the hash: the maps inside use the
/// low bits to pick a bucket and the top seven as tags, so those must still
/// vary among the keys of one shard.
fn shard_of<K: Hash>(key: &K) -> usize {
    let mut h = FxHasher::default();
    key.hash(&mut h);
    ((h.finish() >> 32) as usize) % SHARDS
}

impl<K: Hash + Eq + Clone, V: Clone> ShardedMap<K, V> {
    pub fn get(&self, key: &K) -> Option<&V> {
        self.shards[shard_of(key)].get(key)
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// A writable entry; copies its shard first if another snapshot shares it.
    pub fn entry_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        Arc::make_mut(&mut self.shards[shard_of(&key)]).entry(key).or_default()
    }

    /// Writable access to an existing entry, copying its shard only if the key is there.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let shard = &mut self.shards[shard_of(key)];
        if !shard.contains_key(key) {
            return None;
        }
        Arc::make_mut(shard).get_mut(key)
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        let shard = &mut self.shards[shard_of(key)];
        if !shard.contains_key(key) {
            return None;
        }
        Arc::make_mut(shard).remove(key)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.shards.iter().flat_map(|s| s.iter())
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.iter().map(|(k, _)| k)
    }

    /// Every value, writable; copies every shared shard (for building, when none is shared).
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.shards.iter_mut().flat_map(|s| Arc::make_mut(s).values_mut())
    }

    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(|s| s.is_empty())
    }

    /// How many shards this map shares with `other` (for tests and figures).
    pub fn shared_with(&self, other: &Self) -> usize {
        self.shards.iter().zip(other.shards.iter()).filter(|(a, b)| Arc::ptr_eq(a, b)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_copies_only_the_shard_it_touches() {
        let mut a: ShardedMap<u64, u64> = ShardedMap::default();
        for i in 0..10_000 {
            *a.entry_or_default(i) = i * 2;
        }
        let mut b = a.clone();
        assert_eq!(b.shared_with(&a), SHARDS);
        *b.entry_or_default(17) = 0;
        assert_eq!(b.shared_with(&a), SHARDS - 1);
        assert_eq!(a.get(&17), Some(&34), "the old map is unchanged");
        assert_eq!(b.get(&17), Some(&0));
        assert_eq!(b.remove(&99_999), None);
        assert_eq!(b.shared_with(&a), SHARDS - 1, "removing a missing key copies nothing");
        assert_eq!(b.remove(&18), Some(36));
        assert_eq!((a.len(), b.len()), (10_000, 9_999));
    }

    #[test]
    fn keys_spread_over_the_shards() {
        let mut m: ShardedMap<(u128, u128), ()> = ShardedMap::default();
        for i in 0..100_000u128 {
            m.entry_or_default((i * 7919, i));
        }
        let fullest = m.shards.iter().map(|s| s.len()).max().unwrap_or(0);
        assert!(fullest < 100_000 / SHARDS * 2, "a shard holds {fullest} of 100,000 keys");
    }
}
