//! nats-account-server's flags. Go's `flag` package takes long names with one dash (`-dir`);
//! [`normalize_args`] turns those into clap's `--dir` so both spellings work.

use std::path::PathBuf;

use clap::Args;

use super::{absolute, parse_host_port, Config, ConfigError, Store};

#[derive(Debug, Clone, Default, Args)]
pub struct ServerArgs {
    /// Configuration file (NATS conf format); flags override it
    #[arg(short = 'c', long = "config", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serve a directory store at DIR (replaces the whole store block of the file)
    #[arg(long = "dir", value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Serve an nsc operator folder, read-only (e.g. ~/.nsc/nats/<operator>)
    #[arg(long = "nsc", value_name = "DIR")]
    pub nsc: Option<PathBuf>,
    /// Make the directory store read-only (changed files are announced to NATS)
    #[arg(long = "ro")]
    pub read_only: bool,
    /// The operator JWT: its key and signing keys are the trusted issuers
    #[arg(long = "operator", value_name = "FILE")]
    pub operator: Option<PathBuf>,
    /// NATS server URL for notifications and resolver peering
    #[arg(long = "nats", value_name = "URL")]
    pub nats: Option<String>,
    /// Creds for -nats (a system-account user) and for -kv (a user with JetStream)
    #[arg(long = "creds", value_name = "FILE")]
    pub creds: Option<PathBuf>,
    /// Keep everything in a NATS JetStream key-value bucket ("nats-console", 3 replicas) on
    /// these servers (comma-separated), shared by every console instance started so
    #[arg(long = "kv", value_name = "URL")]
    pub kv: Option<String>,
    /// http(s)://host:port of a primary account server to import from at start
    #[arg(long = "primary", value_name = "URL")]
    pub primary: Option<String>,
    /// HTTP host:port to listen on
    #[arg(long = "hp", value_name = "HOST:PORT")]
    pub host_port: Option<String>,
    /// Debug logging
    #[arg(short = 'D', long = "debug")]
    pub debug: bool,
    /// Trace logging
    #[arg(short = 'V', long = "trace")]
    pub trace: bool,
    /// Debug and trace logging
    #[arg(long = "DV")]
    pub debug_trace: bool,
    /// Log the effective configuration after start
    #[arg(long = "dump")]
    pub dump: bool,
    /// Serve the web console from DIR (Trunk's dist/; default ./dist when present)
    #[arg(long = "web", value_name = "DIR")]
    pub web: Option<PathBuf>,
}

/// Long flags that nats-account-server users type with a single dash.
const SINGLE_DASH_LONG: [&str; 14] = [
    "config", "dir", "nsc", "ro", "operator", "nats", "creds", "primary", "hp", "DV", "dump",
    "version", "web", "kv",
];

/// `-dir x` → `--dir x` (and `-dir=x`), for the server's flags only: subcommands keep theirs.
pub fn normalize_args(args: Vec<String>) -> Vec<String> {
    let tools = ["nkey", "jwt", "creds", "audit", "store", "help"];
    if args.get(1).is_some_and(|a| tools.contains(&a.as_str())) {
        return args;
    }
    args.into_iter()
        .enumerate()
        .map(|(i, arg)| {
            let name = arg.strip_prefix('-').filter(|rest| !rest.starts_with('-'));
            match name.map(|n| n.split('=').next().unwrap_or(n)) {
                Some(n) if i > 0 && SINGLE_DASH_LONG.contains(&n) => format!("-{arg}"),
                _ => arg,
            }
        })
        .collect()
}

impl ServerArgs {
    /// Flags win over the file. Paths are `~`-expanded and made absolute.
    pub fn apply(&self, config: &mut Config) -> Result<(), ConfigError> {
        if let Some(dir) = &self.dir {
            // as in NAS: -dir replaces the whole store block
            config.store = Store {
                dir: Some(absolute(dir)),
                allow_delete: config.store.allow_delete,
                ..Store::default()
            };
        }
        if let Some(nsc) = &self.nsc {
            let nsc = absolute(nsc);
            config.store = Store {
                nsc: Some(nsc.clone()),
                read_only: true,
                ..Store::default()
            };
            if config.operator_jwt_path.is_none() && self.operator.is_none() {
                // an nsc operator folder holds <name>/<name>.jwt
                if let Some(name) = nsc.file_name() {
                    config.operator_jwt_path =
                        Some(nsc.join(format!("{}.jwt", name.to_string_lossy())));
                }
            }
        }
        if let Some(urls) = &self.kv {
            // like -dir: the whole store block
            let servers = urls.split(',').map(|u| u.trim().to_string()).collect();
            let mut kv = crate::config::KvStore::new(servers);
            if let Some(creds) = &self.creds {
                kv.creds = Some(absolute(creds));
            }
            config.store = Store {
                kv: Some(kv),
                allow_delete: config.store.allow_delete,
                ..Store::default()
            };
        }
        if self.read_only {
            config.store.read_only = true;
        }
        if let Some(operator) = &self.operator {
            config.operator_jwt_path = Some(absolute(operator));
        }
        if let Some(url) = &self.nats {
            config.nats.servers = vec![url.clone()];
        }
        if let Some(creds) = self
            .creds
            .as_ref()
            .filter(|_| self.kv.is_none() || self.nats.is_some())
        {
            config.nats.user_credentials = Some(absolute(creds));
        }
        if let Some(primary) = &self.primary {
            config.primary = Some(primary.clone());
        }
        if let Some(hp) = &self.host_port {
            let (host, port) = parse_host_port(hp)?;
            config.http.host = host;
            config.http.port = port;
        }
        if self.debug || self.debug_trace {
            config.logging.debug = true;
        }
        if self.trace || self.debug_trace {
            config.logging.trace = true;
        }
        config.dump |= self.dump;
        if let Some(web) = &self.web {
            config.web_dir = Some(absolute(web));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn single_dash_long_flags_become_double_dash() {
        assert_eq!(
            normalize_args(args(&[
                "nats-console",
                "-dir",
                "/tmp/x",
                "-hp=:9091",
                "-DV",
                "-D",
                "-c",
                "a.conf"
            ])),
            args(&[
                "nats-console",
                "--dir",
                "/tmp/x",
                "--hp=:9091",
                "--DV",
                "-D",
                "-c",
                "a.conf"
            ])
        );
        // values that look like flags, and subcommands, are left alone
        assert_eq!(
            normalize_args(args(&["nats-console", "jwt", "validate", "-"])),
            args(&["nats-console", "jwt", "validate", "-"])
        );
    }
}
