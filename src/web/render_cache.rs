//! Rendered HTML kept in this instance's memory under a key that names everything it was
//! made from, including the database's version of the data: a workspace's `list_version`,
//! which the database bumps in the same transaction as every change to it
//! (migrations/*/0008_member_list_version.sql). A kept copy is therefore only ever served
//! for exactly the data, viewer and role it was rendered for, whichever instance made
//! the change. Bounded: the least recently used entry goes first; a capacity of 0 keeps
//! nothing.
//!
//! After a change every view misses at once (an onboarding wave changes the list many
//! times a second while admins keep the page open), so one request renders a missing
//! entry and the others asking for the same key meanwhile wait for it and share it,
//! rather than each render the same page (`get_or_render`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;

/// Rendered HTML kept by key (`KeptCache`'s main use), sent from here as it is
/// (`web::pieces`).
pub type RenderCache = KeptCache<Bytes>;

/// A bounded map from cache key to what was made from the data the key names (rendered
/// HTML, or a count read with it), shared by every request of an instance.
#[derive(Debug, Clone)]
pub struct KeptCache<V> {
    /// How many entries are kept at most (0: none).
    capacity: usize,
    entries: Arc<Mutex<Entries<V>>>,
    /// A turn per key being rendered: whoever holds it renders, the rest wait on it.
    rendering: Arc<Mutex<HashMap<String, Turn>>>,
}

type Turn = Arc<tokio::sync::Mutex<()>>;

#[derive(Debug)]
struct Entries<V> {
    /// Counts uses; an entry remembers the count of its last use.
    uses: u64,
    map: HashMap<String, (V, u64)>,
}

impl<V: Clone> KeptCache<V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Arc::new(Mutex::new(Entries {
                uses: 0,
                map: HashMap::new(),
            })),
            rendering: Arc::default(),
        }
    }

    /// What is kept under `key`, or else what `render` makes, kept for the next request.
    /// Requests that miss the same key while it is being rendered wait for that copy.
    /// With a capacity of 0 every request renders its own.
    pub async fn get_or_render<E, F>(&self, key: String, render: F) -> Result<V, E>
    where
        F: Future<Output = Result<V, E>>,
    {
        if let Some(kept) = self.get(&key) {
            return Ok(kept);
        }
        if self.capacity == 0 {
            return render.await;
        }
        let turn = self.turn(&key);
        let _mine = turn.lock().await;
        if let Some(kept) = self.get(&key) {
            return Ok(kept);
        }
        // Dropped before `_mine`: the turn is forgotten however this render ends (done,
        // failed, or the request gone); those already waiting then find the kept copy, or
        // (after a failure) render in turn.
        let _forget = TurnEnds {
            rendering: &self.rendering,
            key: &key,
        };
        let rendered = render.await;
        if let Ok(made) = &rendered {
            self.put(key.clone(), made.clone());
        }
        rendered
    }

    /// Whether this keeps nothing (a capacity of 0).
    pub fn keeps_nothing(&self) -> bool {
        self.capacity == 0
    }

    /// The turn to render `key`, shared with every request rendering it now.
    fn turn(&self, key: &str) -> Turn {
        match self.rendering.lock() {
            Ok(mut rendering) => rendering.entry(key.to_string()).or_default().clone(),
            // A poisoned lock: render without sharing.
            Err(_) => Turn::default(),
        }
    }

    /// What is kept under `key`, if anything. (A poisoned lock counts as a miss.)
    pub fn get(&self, key: &str) -> Option<V> {
        let mut entries = self.entries.lock().ok()?;
        entries.uses += 1;
        let now = entries.uses;
        let (kept, used) = entries.map.get_mut(key)?;
        *used = now;
        Some(kept.clone())
    }

    /// Keeps `value` under `key`, making room by dropping the least recently used entry.
    pub fn put(&self, key: String, value: V) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if self.capacity == 0 {
            return;
        }
        if entries.map.len() >= self.capacity && !entries.map.contains_key(&key) {
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
        entries.map.insert(key, (value, now));
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

/// Removes a key's turn when its render ends.
struct TurnEnds<'a> {
    rendering: &'a Mutex<HashMap<String, Turn>>,
    key: &'a str,
}

impl Drop for TurnEnds<'_> {
    fn drop(&mut self) {
        if let Ok(mut rendering) = self.rendering.lock() {
            rendering.remove(self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(s: &'static str) -> Bytes {
        Bytes::from_static(s.as_bytes())
    }

    #[test]
    fn serves_what_was_kept_under_the_same_key_only() {
        let cache = RenderCache::new(4);
        assert!(cache.get("a").is_none());
        cache.put("a".into(), html("<p>a</p>"));
        assert_eq!(cache.get("a"), Some(html("<p>a</p>")));
        assert!(cache.get("b").is_none());
        cache.put("a".into(), html("<p>a2</p>"));
        assert_eq!(cache.get("a"), Some(html("<p>a2</p>")));
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

    /// Renders `key` after `started` lets it, counting renders.
    async fn slow_render(
        renders: Arc<std::sync::atomic::AtomicUsize>,
        started: Arc<tokio::sync::Notify>,
    ) -> Result<Bytes, ()> {
        renders.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        started.notified().await;
        Ok(html("rendered"))
    }

    #[tokio::test]
    async fn requests_missing_the_same_key_at_once_share_one_render() {
        let cache = RenderCache::new(4);
        let renders = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let started = Arc::new(tokio::sync::Notify::new());
        let asks: Vec<_> = (0..8)
            .map(|_| {
                let (cache, renders, started) = (cache.clone(), renders.clone(), started.clone());
                tokio::spawn(async move {
                    cache
                        .get_or_render("k".into(), slow_render(renders, started))
                        .await
                })
            })
            .collect();
        // Let every request reach the cache before the one rendering finishes.
        let waiting = || {
            cache
                .rendering
                .lock()
                .map_or(0, |r| r.get("k").map_or(0, Arc::strong_count))
        };
        let all_waiting = tokio::time::timeout(std::time::Duration::from_secs(5), async {
            while waiting() < 9 {
                tokio::task::yield_now().await;
            }
        });
        assert!(
            all_waiting.await.is_ok(),
            "the requests do not share a turn: {}",
            waiting()
        );
        started.notify_one();
        for ask in asks {
            assert_eq!(ask.await.expect("joined"), Ok(html("rendered")));
        }
        assert_eq!(renders.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(cache.rendering.lock().expect("lock").is_empty());
    }

    #[tokio::test]
    async fn a_render_given_up_leaves_no_turn_behind() {
        let cache = RenderCache::new(4);
        let renders = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let never = Arc::new(tokio::sync::Notify::new());
        let gave_up = tokio::time::timeout(
            std::time::Duration::from_millis(10),
            cache.get_or_render("k".into(), slow_render(renders.clone(), never)),
        )
        .await;
        assert!(gave_up.is_err(), "the render was still waiting");
        assert_eq!(renders.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(cache.rendering.lock().expect("lock").is_empty());
    }

    #[tokio::test]
    async fn with_capacity_zero_each_request_renders_its_own() {
        let cache = RenderCache::new(0);
        for expected in 1..=2 {
            let renders = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let started = Arc::new(tokio::sync::Notify::new());
            started.notify_one();
            let got = cache
                .get_or_render("k".into(), slow_render(renders.clone(), started))
                .await;
            assert_eq!(got, Ok(html("rendered")));
            assert_eq!(
                renders.load(std::sync::atomic::Ordering::SeqCst),
                1,
                "{expected}"
            );
        }
        assert!(cache.is_empty());
    }

    #[test]
    fn capacity_zero_keeps_nothing() {
        let cache = RenderCache::new(0);
        cache.put("a".into(), html("a"));
        assert!(cache.is_empty() && cache.get("a").is_none());
    }
}
