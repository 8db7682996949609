//! `nats-console`: one binary for the NATS Console. Today it carries the key and JWT tools
//! (`nkey`, `jwt`, `creds`); the account server and the console are built on top of it.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("nats-console: {e}");
            ExitCode::from(2)
        }
    }
}
