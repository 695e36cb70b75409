//! Rendered HTML kept in this instance's memory under a key that names everything it was
//! made from, including the database's version of the data: a workspace's `list_version`,
//! which the database bumps in the same transaction as every change to it
//! (migrations/*/0008_member_list_version.sql). A kept copy is therefore only ever served
//! for exactly the data, viewer and role it was rendered for, whichever instance made
//! the change. Bounded: the least recently used entry goes first; a capacity of 0 keeps
//! nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A bounded map from cache key to rendered HTML, shared by every request of an instance.
#[derive(Debug, Clone)]
pub struct RenderCache {
    entries: Arc<Mutex<Entries>>,
}

#[derive(Debug)]
struct Entries {
    capacity: usize,
    /// Counts uses; an entry remembers the count of its last use.
    uses: u64,
    map: HashMap<String, (Arc<str>, u64)>,
}

impl RenderCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Arc::new(Mutex::new(Entries {
                capacity,
                uses: 0,
                map: HashMap::new(),
            })),
        }
    }

    /// The HTML kept under `key`, if any. (A poisoned lock counts as a miss.)
    pub fn get(&self, key: &str) -> Option<Arc<str>> {
        let mut entries = self.entries.lock().ok()?;
        entries.uses += 1;
        let now = entries.uses;
        let (html, used) = entries.map.get_mut(key)?;
        *used = now;
        Some(html.clone())
    }

    /// Keeps `html` under `key`, making room by dropping the least recently used entry.
    pub fn put(&self, key: String, html: Arc<str>) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.capacity == 0 {
            return;
        }
        if entries.map.len() >= entries.capacity && !entries.map.contains_key(&key) {
            let oldest = entries
                .map
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                entries.map.remove(&oldest);
            }
        }
        entries.uses += 1;
        let now = entries.uses;
        entries.map.insert(key, (html, now));
    }

    /// How many entries are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.map.len())
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(s: &str) -> Arc<str> {
        Arc::from(s)
    }

    #[test]
    fn serves_what_was_kept_under_the_same_key_only() {
        let cache = RenderCache::new(4);
        assert!(cache.get("a").is_none());
        cache.put("a".into(), html("<p>a</p>"));
        assert_eq!(cache.get("a").as_deref(), Some("<p>a</p>"));
        assert!(cache.get("b").is_none());
        cache.put("a".into(), html("<p>a2</p>"));
        assert_eq!(cache.get("a").as_deref(), Some("<p>a2</p>"));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn drops_the_least_recently_used_when_full() {
        let cache = RenderCache::new(2);
        cache.put("a".into(), html("a"));
        cache.put("b".into(), html("b"));
        assert!(cache.get("a").is_some()); // b is now the least recently used
        cache.put("c".into(), html("c"));
        assert_eq!(cache.len(), 2);
        assert!(cache.get("b").is_none());
        assert!(cache.get("a").is_some());
        assert!(cache.get("c").is_some());
    }

    #[test]
    fn capacity_zero_keeps_nothing() {
        let cache = RenderCache::new(0);
        cache.put("a".into(), html("a"));
        assert!(cache.is_empty() && cache.get("a").is_none());
    }
}
