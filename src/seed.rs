//! `gatehouse seed --workspace <slug> --members <N>`: fills a workspace with N generated
//! people (realistic names, roles, seats, suspensions, teams, two years of join dates) so
//! the Members page can be measured and demonstrated at scale. Creates the workspace and
//! its Owner when missing and prints how to sign in as the Owner. `gatehouse plans`
//! prints the Members list's query plans on such a workspace.

mod names;

use std::time::Instant;

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::{Password, Role, slug};
use crate::services::passwords;
use crate::store::Store;
use crate::store::accounts::{self, NewAccount};
use crate::store::member_list::{self, MemberQuery, SeatFilter};
use crate::store::member_search;
use crate::store::members::{self, NewMembership};
use crate::store::search_upkeep::{self, Tidying};
use crate::store::seed::{self, SeedMember};
use crate::store::workspaces::{self, NewWorkspace};

/// Members per transaction.
const BATCH: usize = 5_000;
const TWO_YEARS: u64 = 2 * 365 * 24 * 3600;

/// What to seed.
#[derive(Debug, Clone, clap::Args)]
pub struct SeedArgs {
    /// The workspace's slug; created (Enterprise plan) when missing.
    #[arg(long)]
    pub workspace: String,
    /// How many members to add.
    #[arg(long, default_value_t = 1000)]
    pub members: usize,
    /// Password of the Owner and of every seeded account.
    #[arg(long, default_value = "seeded password 1234")]
    pub password: String,
}

/// Which workspace's Members list to explain.
#[derive(Debug, Clone, clap::Args)]
pub struct PlansArgs {
    /// The workspace's slug.
    #[arg(long)]
    pub workspace: String,
    /// The search to explain besides the plain list.
    #[arg(long, default_value = "ann")]
    pub search: String,
}

/// Prints the plans of the page, a search, a name start, a seat filter and the Z→A sort.
pub async fn plans(config: &Config, args: &PlansArgs) -> anyhow::Result<()> {
    let store = Store::connect(&config.database_url, config.backend).await?;
    let workspace = workspaces::by_slug(store.pool(), &args.workspace)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no workspace {}", args.workspace))?;
    // Next and Previous read from a listed member's place: any member's will do.
    let cursor_id: String =
        sqlx::query_scalar("SELECT account_id FROM memberships WHERE workspace_id = $1 LIMIT 1")
            .bind(&workspace.id)
            .fetch_one(store.pool())
            .await?;
    let search = |s: &str| MemberQuery {
        search: member_search::normalize(s),
        ..MemberQuery::default()
    };
    let queries = [
        ("members page", MemberQuery::default()),
        ("search", search(&args.search)),
        (
            "name start",
            search(&args.search.chars().take(2).collect::<String>()),
        ),
        (
            "seat filter (without seat)",
            MemberQuery {
                seat: SeatFilter::Without,
                ..MemberQuery::default()
            },
        ),
        (
            "sort Z→A",
            MemberQuery {
                descending: true,
                ..MemberQuery::default()
            },
        ),
    ];
    for (name, q) in queries {
        println!("== {name}");
        for line in member_list::explain(&store, &workspace.id, &q, &cursor_id).await? {
            println!("{line}");
        }
    }
    store.close().await;
    Ok(())
}

/// Seeds and prints the Owner's sign-in and what was made.
pub async fn run(config: &Config, args: &SeedArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let store = Store::connect(&config.database_url, config.backend).await?;
    store.migrate().await?;
    let slug = slug::slugify(&args.workspace);
    let owner_email = format!("owner@{slug}.example.com");
    let hash = passwords::hash(&Password::for_sign_in(&args.password).map_err(anyhow::Error::msg)?)
        .await?;
    let workspace_id = ensure_workspace(&store, &slug, &owner_email, &hash).await?;
    let seats_used = add_members(&store, &workspace_id, &slug, &hash, args.members).await?;
    // A bulk load leaves the substring index in many segments: merged before a server
    // answers from it (a server also does this at start, a slice at a time).
    search_upkeep::tidy(&store, Tidying::ALL_AT_ONCE).await?;
    store.close().await;
    println!("workspace: {slug}");
    println!("owner email: {owner_email}");
    println!("owner password: {}", args.password);
    println!(
        "added {} ({} in use) in {:.1} s",
        crate::domain::plural::count_of(args.members, "member", "members"),
        crate::domain::plural::count(seats_used, "seat", "seats"),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The workspace's id, creating it and its Owner when missing.
async fn ensure_workspace(
    store: &Store,
    slug: &str,
    owner_email: &str,
    hash: &str,
) -> anyhow::Result<String> {
    if let Some(w) = workspaces::by_slug(store.pool(), slug).await? {
        return Ok(w.id);
    }
    let now = Clock::default().now();
    let mut tx = store.begin_write().await?;
    let owner_id = match accounts::by_email(&mut *tx, owner_email).await? {
        Some(a) => a.id,
        None => insert_owner(&mut tx, owner_email, hash, now).await?,
    };
    let id = uuid::Uuid::new_v4().to_string();
    let new = NewWorkspace {
        id: &id,
        slug,
        name: &format!("Seeded {slug}"),
        plan: "enterprise",
        seat_count: 1,
        created_by: &owner_id,
        now,
    };
    workspaces::insert(&mut *tx, new).await?;
    workspaces::take_seat(&mut *tx, &id).await?;
    let owner = NewMembership {
        workspace_id: &id,
        account_id: &owner_id,
        role: Role::Owner.as_str(),
        has_seat: true,
        joined_via: "created",
        joined_via_ref: None,
        invited_by: None,
        now,
    };
    members::insert(&mut *tx, owner).await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_owner(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    email: &str,
    hash: &str,
    now: i64,
) -> anyhow::Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let account = NewAccount {
        id: &id,
        email,
        password_hash: hash,
        first_name: "Seed",
        last_name: "Owner",
        display_name: "Seed Owner",
        email_verified: true,
        now,
    };
    accounts::insert(&mut **tx, account).await?;
    Ok(id)
}

/// Adds `n` generated members in batches, one transaction each; returns seats in use.
async fn add_members(
    store: &Store,
    workspace_id: &str,
    slug: &str,
    hash: &str,
    n: usize,
) -> anyhow::Result<i64> {
    let now = Clock::default().now();
    let mut tx = store.begin_write().await?;
    let team_ids = seed::ensure_teams(&mut tx, workspace_id, &names::TEAMS, now).await?;
    let first = usize::try_from(seed::member_count(&mut tx, workspace_id).await?)?;
    tx.commit().await?;
    let mut people = Generator::new(first as u64, slug, now, team_ids);
    let mut done = 0;
    while done < n {
        let batch: Vec<SeedMember> = (done..n.min(done + BATCH)).map(|_| people.next()).collect();
        let mut tx = store.begin_write().await?;
        seed::insert_members(&mut tx, workspace_id, hash, &batch).await?;
        tx.commit().await?;
        done += batch.len();
    }
    let mut tx = store.begin_write().await?;
    let free = (n as i64 / 20).max(10);
    let used = seed::settle_seats(&mut tx, workspace_id, free).await?;
    tx.commit().await?;
    Ok(used)
}

/// Makes people one after another: names from the built-in lists (every first × last
/// pairing before any repeats), roles ≈2% Admin, 70% Member, the rest Viewer, ≈2%
/// suspended, joined over the last two years, each in one primary team.
struct Generator {
    index: u64,
    rng: u64,
    domain: String,
    now: i64,
    team_ids: Vec<String>,
}

impl Generator {
    fn new(index: u64, slug: &str, now: i64, team_ids: Vec<String>) -> Self {
        Self {
            index,
            rng: 0x9E37_79B9_7F4A_7C15 ^ index,
            domain: format!("{slug}.example.com"),
            now,
            team_ids,
        }
    }

    /// xorshift64*: deterministic and plenty for test data.
    fn random(&mut self) -> u64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn next(&mut self) -> SeedMember {
        let (first, last, repeat) = names::pair(self.index);
        self.index += 1;
        let suffix = if repeat == 0 {
            String::new()
        } else {
            (repeat + 1).to_string()
        };
        let email = format!(
            "{}.{}{suffix}@{}",
            first.to_ascii_lowercase(),
            last.to_ascii_lowercase(),
            self.domain
        );
        let role = match self.random() % 100 {
            0..2 => Role::Admin,
            2..72 => Role::Member,
            _ => Role::Viewer,
        };
        let suspended = self.random().is_multiple_of(50);
        let age = i64::try_from(self.random() % TWO_YEARS).unwrap_or_default();
        let team = self.random() as usize % self.team_ids.len().max(1);
        SeedMember {
            account_id: uuid::Uuid::new_v4().to_string(),
            email,
            first_name: first.to_string(),
            last_name: last.to_string(),
            display_name: format!("{first} {last}"),
            role: role.as_str(),
            has_seat: role.holds_seat() && !suspended,
            status: if suspended { "suspended" } else { "active" },
            joined_at: self.now - age,
            team_id: self.team_ids.get(team).cloned().unwrap_or_default(),
        }
    }
}
