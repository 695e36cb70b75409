//! The `gatehouse` binary: read configuration, start logging, then serve, migrate, seed or back up.

use clap::Parser;
use gatehouse::config::{Cli, Command, Config};

/// mimalloc rather than glibc's malloc: a request's buffers are often made on one runtime
/// worker and freed on the other, and glibc then takes the first worker's arena lock (a
/// third of the futex calls of a kept Members page under load; README › Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    gatehouse::logging::init(cli.log_format);
    let config = match Config::from_settings(cli.settings) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("gatehouse: configuration error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => gatehouse::App::serve_until_signal(config).await,
        Command::Migrate => gatehouse::App::migrate_only(&config).await,
        Command::Seed(args) => gatehouse::seed::run(&config, &args).await,
        Command::Plans(args) => gatehouse::seed::plans(&config, &args).await,
        Command::Backup(args) => gatehouse::backup::run(&config, &args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gatehouse: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
