//! `gatehouse backup <file>`: a consistent copy of a live SQLite database, taken with
//! `VACUUM INTO` while the server keeps serving (it reads one snapshot; writers carry on).
//! PostgreSQL has its own tools for this, so the command says to use them.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::config::{Backend, Config};
use crate::store::Store;

/// The command's one argument.
#[derive(Debug, Clone, clap::Args)]
pub struct BackupArgs {
    /// Where to write the copy; must not exist yet.
    pub file: PathBuf,
}

/// Writes the copy next to `file` under a `.partial` name, then renames it, so a copy cut
/// short never sits under the name an operator would restore from.
pub async fn run(config: &Config, args: &BackupArgs) -> anyhow::Result<()> {
    if config.backend == Backend::Postgres {
        bail!(
            "gatehouse backup copies SQLite databases; for PostgreSQL use pg_dump \
             (e.g. pg_dump --format=custom --file=gatehouse.dump \"$DATABASE_URL\") and pg_restore"
        );
    }
    let target = &args.file;
    refuse_existing(target)?;
    let partial = partial_name(target);
    refuse_existing(&partial)?;
    let store = Store::open_existing(&config.database_url, config.backend)
        .await
        .context("could not open the SQLite database (is DATABASE_URL right?)")?;
    let copied = store.copy_into(&partial.to_string_lossy()).await;
    store.close().await;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e).context("the copy failed");
    }
    refuse_existing(target)?;
    std::fs::rename(&partial, target).with_context(|| {
        format!(
            "could not rename {} to {}",
            partial.display(),
            target.display()
        )
    })?;
    let bytes = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
    println!("backup written to {} ({bytes} bytes)", target.display());
    Ok(())
}

fn refuse_existing(path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        bail!(
            "{} already exists; gatehouse backup never overwrites a file",
            path.display()
        );
    }
    Ok(())
}

fn partial_name(target: &Path) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}
