//! Many members at once, as `gatehouse seed` adds them (multi-row INSERTs): for the tests
//! that need more than a thousand, such as deep pages and capped counts, or a list large
//! enough for the databases to plan as they would at scale.

use gatehouse::store::seed::{self, SeedMember};

use super::TestApp;

/// Display names' first words, each a different start (and sort-key bucket).
const NAMES: [&str; 12] = [
    "Ada", "Bo", "Cyrus", "Dee", "Emeka", "Farah", "Gus", "Hiro", "Ines", "Jo", "Kwame", "Lin",
];

impl TestApp {
    /// Adds `n` members to workspace `workspace_id` straight in the database: named
    /// "{name} {prefix} 0000" (names from a list of twelve, in turn), emailed
    /// "{name}.{prefix}0000@bulk.example"; every fourth suspended, every third of the
    /// others a Member with a seat (the workspace's seat count is left as it was), the
    /// rest Viewers.
    pub async fn add_bulk(&self, workspace_id: &str, prefix: &str, n: usize) {
        let now = self.clock().now();
        let mut tx = self.services.store.begin_write().await.expect("begin");
        let teams = seed::ensure_teams(&mut tx, workspace_id, &["Bulk"], now)
            .await
            .expect("team");
        let members: Vec<SeedMember> = (0..n)
            .map(|i| {
                let name = NAMES[i % NAMES.len()];
                let suspended = i % 4 == 0;
                let seated = !suspended && i % 3 == 0;
                SeedMember {
                    account_id: uuid::Uuid::new_v4().to_string(),
                    email: format!(
                        "{}.{}{i:04}@bulk.example",
                        name.to_lowercase(),
                        prefix.to_lowercase()
                    ),
                    first_name: name.to_string(),
                    last_name: format!("{prefix} {i:04}"),
                    display_name: format!("{name} {prefix} {i:04}"),
                    role: if seated { "member" } else { "viewer" },
                    has_seat: seated,
                    status: if suspended { "suspended" } else { "active" },
                    joined_at: now,
                    team_id: teams[0].clone(),
                }
            })
            .collect();
        seed::insert_members(&mut tx, workspace_id, "not-a-hash", &members)
            .await
            .expect("members");
        tx.commit().await.expect("commit");
    }

    /// The id of the workspace `slug`.
    pub async fn workspace_id(&self, slug: &str) -> String {
        sqlx::query_scalar("SELECT id FROM workspaces WHERE slug = $1")
            .bind(slug)
            .fetch_one(self.services.store.pool())
            .await
            .expect("workspace")
    }
}
