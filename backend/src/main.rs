//! `nats-console`: one binary for NATS Console. Without a subcommand it is the account server
//! (a drop-in nats-account-server: same flags and config file); `nkey`, `jwt` and `creds` are
//! the key and JWT tools.

mod account_server;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod audit;
mod cli;
mod client_addr;
mod config;
mod console_api;
mod jetstream;
mod logging;
mod monitor;
mod nats_link;
mod nats_resolver;
mod portal;
mod primary;
mod query_string;
mod rate_limit;
mod resolver_peer;
mod server;
mod session;
mod session_journal;
mod setup_code;
mod state;
mod store;
mod sys_request;
mod time;
mod tls;

use std::process::ExitCode;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "nats-console",
    about = "NATS Console: account server (drop-in nats-account-server), keys, JWTs and creds",
    disable_version_flag = true,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<cli::Command>,
    #[command(flatten)]
    server: config::ServerArgs,
    /// Print the version
    #[arg(long = "version")]
    version: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(config::normalize_args(std::env::args().collect()));
    if cli.version {
        println!("nats-console v{}", server::VERSION);
        return ExitCode::SUCCESS;
    }
    match cli.command {
        Some(command) => match cli::run(command) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("nats-console: {e}");
                ExitCode::from(2)
            }
        },
        None => serve(cli.server),
    }
}

fn serve(args: config::ServerArgs) -> ExitCode {
    let config = match config::Config::load(&args) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("nats-console: {e}");
            return ExitCode::from(1);
        }
    };
    logging::init(&config.logging);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(audit::quiet::worker_parked)
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("nats-console: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(run_until_stopped(args, config))
}

/// Runs the server; SIGHUP reloads the configuration, SIGINT and SIGTERM stop gracefully.
async fn run_until_stopped(args: config::ServerArgs, mut config: config::Config) -> ExitCode {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut hup), Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::hangup()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        tracing::error!("cannot install signal handlers");
        return ExitCode::from(1);
    };
    let mut running = match server::start(&config).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(1);
        }
    };
    loop {
        tokio::select! {
            _ = hup.recv() => {
                tracing::info!("reloading the configuration (SIGHUP)");
                match config::Config::load(&args) {
                    Ok(new_config) => {
                        running.stop().await;
                        running = match server::start(&new_config).await {
                            Ok(r) => {
                                config = new_config;
                                r
                            }
                            Err(e) => {
                                tracing::error!("reload failed: {e}; restarting with the previous configuration");
                                match server::start(&config).await {
                                    Ok(r) => r,
                                    Err(e) => {
                                        tracing::error!("{e}");
                                        return ExitCode::from(1);
                                    }
                                }
                            }
                        };
                    }
                    Err(e) => tracing::error!("reload refused, keeping the running configuration: {e}"),
                }
            }
            _ = int.recv() => break,
            _ = term.recv() => break,
        }
    }
    tracing::info!("stopping");
    running.stop().await;
    ExitCode::SUCCESS
}
