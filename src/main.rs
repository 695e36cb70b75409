//! The `gatehouse` binary: read configuration, start logging, then serve, migrate, seed or back up.

use clap::Parser;
use gatehouse::config::{Cli, Command, Config};

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
