//! Configuration: defaults, then a NATS-format file (`-c`), then command-line flags — the keys
//! and flags of nats-account-server. Keys match case-insensitively, with or without `_`
//! (`operatorjwtpath`, `OperatorJWTPath`, `operator_jwt_path`); unknown keys and bad values are
//! errors naming the file and line.

pub mod conf;
mod flags;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use conf::ConfError;
use conf::{Kind, Value};
pub use flags::{normalize_args, ServerArgs};

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub operator_jwt_path: Option<PathBuf>,
    pub system_account_jwt_path: Option<PathBuf>,
    pub primary: Option<String>,
    pub replication_timeout: Duration,
    pub max_replication_pack: i64,
    pub logging: Logging,
    pub http: Http,
    pub nats: Nats,
    pub store: Store,
    /// Log the effective configuration after start (`-dump`).
    pub dump: bool,
    /// The built web app (Trunk's `dist/`), served at `/`.
    pub web_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Logging {
    pub time: bool,
    pub debug: bool,
    pub trace: bool,
    pub colors: bool,
    pub pid: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Http {
    pub host: String,
    pub port: u16,
    pub read_timeout: Duration,
    pub write_timeout: Duration,
    pub tls: Option<Tls>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tls {
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub root: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Nats {
    pub servers: Vec<String>,
    pub connect_timeout: Duration,
    pub reconnect_wait: Duration,
    pub max_reconnects: i64,
    pub tls: Option<Tls>,
    pub user_credentials: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Store {
    /// The directory of a directory store (writable unless `read_only`).
    pub dir: Option<PathBuf>,
    /// An nsc operator folder, served read-only.
    pub nsc: Option<PathBuf>,
    pub read_only: bool,
    /// Files in subdirectories named by the key's last two characters.
    pub shard: bool,
    pub cleanup_interval: Duration,
    /// Serve `DELETE /jwt/v1/accounts/<key>` (operator-signed requests only).
    pub allow_delete: bool,
    /// A NATS JetStream key-value bucket shared by several console instances.
    pub kv: Option<KvStore>,
}

/// `store { kv { servers, creds, bucket, replicas } }` (or `-kv URL` with `-creds FILE`).
#[derive(Debug, Clone, PartialEq)]
pub struct KvStore {
    pub servers: Vec<String>,
    pub creds: Option<PathBuf>,
    pub bucket: String,
    /// Replicas of a bucket created here (an existing bucket keeps its own; fewer is reported).
    pub replicas: usize,
}

impl KvStore {
    pub const DEFAULT_BUCKET: &str = "nats-console";
    pub const DEFAULT_REPLICAS: usize = 3;

    pub fn new(servers: Vec<String>) -> KvStore {
        KvStore {
            servers,
            creds: None,
            bucket: Self::DEFAULT_BUCKET.into(),
            replicas: Self::DEFAULT_REPLICAS,
        }
    }

    fn check(&self) -> Result<(), ConfigError> {
        let invalid = |m: String| Err(ConfigError::Invalid(format!("store.kv: {m}")));
        if self.servers.is_empty() {
            return invalid("servers: at least one NATS URL".into());
        }
        if let Err(e) = nats_auth::jetstream::check_bucket_name(&self.bucket) {
            return invalid(format!("bucket: {e}"));
        }
        if !(1..=5).contains(&self.replicas) {
            return invalid(format!(
                "replicas: 1 to 5 (JetStream's limit), not {}",
                self.replicas
            ));
        }
        Ok(())
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            operator_jwt_path: None,
            system_account_jwt_path: None,
            primary: None,
            replication_timeout: Duration::from_millis(5000),
            max_replication_pack: 10_000,
            logging: Logging {
                time: true,
                debug: false,
                trace: false,
                colors: true,
                pid: false,
            },
            http: Http {
                host: "127.0.0.1".into(),
                port: 9090,
                read_timeout: Duration::from_millis(5000),
                write_timeout: Duration::from_millis(5000),
                tls: None,
            },
            nats: Nats {
                servers: Vec::new(),
                connect_timeout: Duration::from_millis(5000),
                reconnect_wait: Duration::from_millis(1000),
                max_reconnects: -1,
                tls: None,
                user_credentials: None,
            },
            store: Store::default(),
            dump: false,
            web_dir: None,
        }
    }
}

impl Default for Store {
    fn default() -> Self {
        Store {
            dir: None,
            nsc: None,
            read_only: false,
            shard: false,
            cleanup_interval: Duration::from_secs(60),
            allow_delete: false,
            kv: None,
        }
    }
}

/// Where JWTs live when neither a directory nor an nsc folder is configured.
pub fn default_store_dir() -> PathBuf {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("nats-console/jwt")
}

impl Config {
    /// Defaults, then the file of `-c` (if any), then the flags.
    pub fn load(args: &ServerArgs) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        if let Some(path) = &args.config {
            let path = absolute(path);
            let entries = conf::parse_file(&path)?;
            config.apply_file(&entries)?;
            config.resolve_paths(path.parent().unwrap_or(Path::new("/")));
        }
        args.apply(&mut config)?;
        if config.web_dir.is_none() {
            // the web app as `scripts/run` builds it, when started from the repository
            let built = PathBuf::from("dist");
            if built.join("index.html").is_file() {
                config.web_dir = Some(absolute(&built));
            }
        }
        let chosen = [
            config.store.dir.is_some(),
            config.store.nsc.is_some(),
            config.store.kv.is_some(),
        ];
        if chosen.iter().filter(|c| **c).count() > 1 {
            return Err(ConfigError::Invalid(
                "store: choose one of a directory (dir), an nsc folder (nsc) or a NATS key-value bucket (kv)".into(),
            ));
        }
        if let Some(kv) = &config.store.kv {
            kv.check()?;
        } else if config.store.dir.is_none() && config.store.nsc.is_none() {
            config.store.dir = Some(default_store_dir());
        }
        Ok(config)
    }

    /// Relative paths in a file are relative to that file's folder.
    fn resolve_paths(&mut self, base: &Path) {
        let fix = |p: &mut Option<PathBuf>| {
            if let Some(path) = p {
                let expanded = expand_home(path);
                *path = if expanded.is_absolute() {
                    expanded
                } else {
                    base.join(expanded)
                };
            }
        };
        fix(&mut self.operator_jwt_path);
        fix(&mut self.system_account_jwt_path);
        fix(&mut self.nats.user_credentials);
        fix(&mut self.store.dir);
        fix(&mut self.store.nsc);
        if let Some(kv) = self.store.kv.as_mut() {
            fix(&mut kv.creds);
        }
        fix(&mut self.web_dir);
        for tls in [self.http.tls.as_mut(), self.nats.tls.as_mut()]
            .into_iter()
            .flatten()
        {
            fix(&mut tls.cert);
            fix(&mut tls.key);
            fix(&mut tls.root);
        }
    }

    fn apply_file(&mut self, entries: &[(String, Value)]) -> Result<(), ConfigError> {
        for (key, value) in entries {
            match norm(key).as_str() {
                "operatorjwtpath" => self.operator_jwt_path = Some(path(value)?),
                "systemaccountjwtpath" => self.system_account_jwt_path = Some(path(value)?),
                "signrequestsubject" | "signrequesttimeout" => {
                    return Err(at(value, format!("{key}: the external signing service of nats-account-server is not supported")))
                }
                "primary" => self.primary = Some(string(value)?),
                "webdir" => self.web_dir = Some(path(value)?),
                "replicationtimeout" => self.replication_timeout = millis(value)?,
                "maxreplicationpack" => self.max_replication_pack = integer(value)?,
                "logging" => {
                    for (k, v) in map(value)? {
                        let l = &mut self.logging;
                        match norm(k).as_str() {
                            "time" => l.time = boolean(v)?,
                            "debug" => l.debug = boolean(v)?,
                            "trace" => l.trace = boolean(v)?,
                            "colors" => l.colors = boolean(v)?,
                            "pid" => l.pid = boolean(v)?,
                            _ => return Err(unknown("logging", k, v)),
                        }
                    }
                }
                "http" => {
                    for (k, v) in map(value)? {
                        let h = &mut self.http;
                        match norm(k).as_str() {
                            "host" => h.host = string(v)?,
                            "port" => h.port = port(v)?,
                            "readtimeout" => h.read_timeout = millis(v)?,
                            "writetimeout" => h.write_timeout = millis(v)?,
                            "tls" => h.tls = Some(tls(v)?),
                            _ => return Err(unknown("http", k, v)),
                        }
                    }
                }
                "nats" => {
                    for (k, v) in map(value)? {
                        let n = &mut self.nats;
                        match norm(k).as_str() {
                            "servers" => n.servers = strings(v)?,
                            "connecttimeout" => n.connect_timeout = millis(v)?,
                            "reconnectwait" | "reconnecttimewait" => n.reconnect_wait = millis(v)?,
                            "maxreconnects" => n.max_reconnects = integer(v)?,
                            "tls" => n.tls = Some(tls(v)?),
                            "usercredentials" => n.user_credentials = Some(path(v)?),
                            _ => return Err(unknown("nats", k, v)),
                        }
                    }
                }
                "store" => {
                    for (k, v) in map(value)? {
                        let s = &mut self.store;
                        match norm(k).as_str() {
                            "dir" => s.dir = Some(path(v)?),
                            "nsc" => s.nsc = Some(path(v)?),
                            "readonly" => s.read_only = boolean(v)?,
                            "shard" => s.shard = boolean(v)?,
                            "cleanupinterval" => s.cleanup_interval = millis(v)?,
                            "allowdelete" => s.allow_delete = boolean(v)?,
                            "kv" => s.kv = Some(kv_store(v)?),
                            _ => return Err(unknown("store", k, v)),
                        }
                    }
                }
                _ => return Err(unknown("", key, value)),
            }
        }
        Ok(())
    }
}

fn kv_store(value: &Value) -> Result<KvStore, ConfigError> {
    let mut kv = KvStore::new(Vec::new());
    for (k, v) in map(value)? {
        match norm(k).as_str() {
            "servers" | "url" => kv.servers = strings(v)?,
            "creds" | "usercredentials" => kv.creds = Some(path(v)?),
            "bucket" => kv.bucket = string(v)?,
            "replicas" => {
                kv.replicas =
                    usize::try_from(integer(v)?).map_err(|_| at(v, "replicas: 1 to 5".into()))?
            }
            _ => return Err(unknown("store.kv", k, v)),
        }
    }
    Ok(kv)
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    File(#[from] ConfError),
    #[error("{0}")]
    Invalid(String),
}

fn norm(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

fn at(value: &Value, message: String) -> ConfigError {
    ConfigError::File(ConfError {
        file: value.file.clone(),
        line: value.line,
        message,
    })
}

fn unknown(block: &str, key: &str, value: &Value) -> ConfigError {
    let name = if block.is_empty() {
        key.to_string()
    } else {
        format!("{block}.{key}")
    };
    at(value, format!("unknown configuration key {name:?}"))
}

fn wrong_type(value: &Value, want: &str) -> ConfigError {
    at(
        value,
        format!("expected {want}, found {}", value.kind.type_name()),
    )
}

fn string(value: &Value) -> Result<String, ConfigError> {
    match &value.kind {
        Kind::String(s) => Ok(s.clone()),
        Kind::Integer(i) => Ok(i.to_string()),
        _ => Err(wrong_type(value, "a string")),
    }
}

fn path(value: &Value) -> Result<PathBuf, ConfigError> {
    Ok(PathBuf::from(string(value)?))
}

fn integer(value: &Value) -> Result<i64, ConfigError> {
    match &value.kind {
        Kind::Integer(i) => Ok(*i),
        Kind::String(s) => s
            .trim()
            .parse()
            .map_err(|_| at(value, format!("expected an integer, found {s:?}"))),
        _ => Err(wrong_type(value, "an integer")),
    }
}

fn millis(value: &Value) -> Result<Duration, ConfigError> {
    let ms = integer(value)?;
    u64::try_from(ms).map(Duration::from_millis).map_err(|_| {
        at(
            value,
            format!("expected milliseconds (0 or more), found {ms}"),
        )
    })
}

fn port(value: &Value) -> Result<u16, ConfigError> {
    let n = integer(value)?;
    u16::try_from(n).map_err(|_| at(value, format!("expected a port (0-65535), found {n}")))
}

fn boolean(value: &Value) -> Result<bool, ConfigError> {
    match &value.kind {
        Kind::Bool(b) => Ok(*b),
        Kind::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Kind::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(wrong_type(value, "true or false")),
    }
}

/// An array of strings; a single string is accepted as an array of one (as NAS does).
fn strings(value: &Value) -> Result<Vec<String>, ConfigError> {
    match &value.kind {
        Kind::Array(items) => items.iter().map(string).collect(),
        _ => Ok(vec![string(value)?]),
    }
}

fn map(value: &Value) -> Result<&[(String, Value)], ConfigError> {
    match &value.kind {
        Kind::Map(entries) => Ok(entries),
        _ => Err(wrong_type(value, "a block { … }")),
    }
}

fn tls(value: &Value) -> Result<Tls, ConfigError> {
    let mut tls = Tls::default();
    for (k, v) in map(value)? {
        match norm(k).as_str() {
            "cert" => tls.cert = Some(path(v)?),
            "key" => tls.key = Some(path(v)?),
            "root" | "ca" => tls.root = Some(path(v)?),
            _ => return Err(unknown("tls", k, v)),
        }
    }
    Ok(tls)
}

/// `~` and `~/…` become the home folder.
pub fn expand_home(path: &Path) -> PathBuf {
    let text = path.to_string_lossy();
    match (text.strip_prefix('~'), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            PathBuf::from(format!("{}{rest}", Path::new(&home).display()))
        }
        _ => path.to_path_buf(),
    }
}

/// `~`-expanded and absolute, as NAS treats the paths of `-c`, `-creds` and `-dir`.
pub fn absolute(path: &Path) -> PathBuf {
    let expanded = expand_home(path);
    if expanded.is_absolute() {
        expanded
    } else {
        std::env::current_dir().unwrap_or_default().join(expanded)
    }
}

/// Parses `-hp host:port` (`:9090` means every interface).
pub fn parse_host_port(text: &str) -> Result<(String, u16), ConfigError> {
    let bad = || ConfigError::Invalid(format!("-hp {text:?}: expected host:port"));
    let (host, port) = text.rsplit_once(':').ok_or_else(bad)?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok((host.to_string(), port))
}

impl Http {
    pub fn socket_addr(&self) -> Result<SocketAddr, String> {
        use std::net::ToSocketAddrs;
        let host = if self.host.is_empty() {
            "0.0.0.0"
        } else {
            &self.host
        };
        (host, self.port)
            .to_socket_addrs()
            .map_err(|e| format!("http host {host:?}: {e}"))?
            .next()
            .ok_or_else(|| format!("http host {host:?} has no address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Config, ConfigError> {
        let dir = std::env::temp_dir().join(format!(
            "nats-console-conf-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("nas.conf");
        std::fs::write(&path, text).unwrap();
        Config::load(&ServerArgs {
            config: Some(path),
            ..Default::default()
        })
    }

    fn error_of(text: &str) -> String {
        load_text(text).unwrap_err().to_string()
    }

    #[test]
    fn the_nats_account_server_readme_example_loads() {
        let config = load_text(
            r#"
            # nats-account-server, as its README configures it
            operatorjwtpath: "/home/nats/.nsc/nats/Test/Test.jwt",
            systemaccountjwtpath: "/home/nats/sys.jwt"
            http {
                host: "0.0.0.0"
                port: 9090
                ReadTimeout: 2000
            },
            nats {
                servers: ["nats://localhost:4222", "nats://localhost:4223"]
                usercredentials: "/home/nats/sys.creds"
                reconnecttimewait: 250
            }
            store {
                dir: "/tmp/as_store",
                readonly: false,
                shard: true
            }
            logging { time: false, debug: true }
            "#,
        )
        .unwrap();
        assert_eq!(
            config.operator_jwt_path.as_deref(),
            Some(Path::new("/home/nats/.nsc/nats/Test/Test.jwt"))
        );
        assert_eq!(
            (config.http.host.as_str(), config.http.port),
            ("0.0.0.0", 9090)
        );
        assert_eq!(config.http.read_timeout, Duration::from_millis(2000));
        assert_eq!(config.nats.servers.len(), 2);
        assert_eq!(config.nats.reconnect_wait, Duration::from_millis(250));
        assert_eq!(
            config.store.dir.as_deref(),
            Some(Path::new("/tmp/as_store"))
        );
        assert!(config.store.shard && !config.store.read_only);
        assert!(!config.logging.time && config.logging.debug);
    }

    #[test]
    fn every_syntax_form_of_the_nats_format() {
        std::env::set_var("NATS_CONSOLE_TEST_PORT", "9191");
        let config = load_text(
            "// equals, colons and spaces; snake_case keys; variables; units\n\
             base = \"/srv/nats\"\n\
             operator_jwt_path = $base\n\
             max_replication_pack 1k\n\
             http: { port: $NATS_CONSOLE_TEST_PORT; host: 'localhost' }\n\
             nats { servers: nats://a:4222 }   # a single value where a list is expected\n\
             store { dir: /data/jwt }\n",
        )
        .unwrap();
        assert_eq!(
            config.operator_jwt_path.as_deref(),
            Some(Path::new("/srv/nats"))
        );
        assert_eq!(config.max_replication_pack, 1000);
        assert_eq!(
            (config.http.host.as_str(), config.http.port),
            ("localhost", 9191)
        );
        assert_eq!(config.nats.servers, ["nats://a:4222"]);
        assert_eq!(config.store.dir.as_deref(), Some(Path::new("/data/jwt")));
    }

    #[test]
    fn includes_are_read_relative_to_the_including_file() {
        let dir = std::env::temp_dir().join(format!("nats-console-include-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("http.conf"), "http { port: 9393 }\n").unwrap();
        std::fs::write(
            dir.join("main.conf"),
            "include ./http.conf\nstore { dir: jwt }\n",
        )
        .unwrap();
        let config = Config::load(&ServerArgs {
            config: Some(dir.join("main.conf")),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(config.http.port, 9393);
        assert_eq!(config.store.dir, Some(dir.join("jwt")));
    }

    #[test]
    fn bad_files_name_the_file_and_line() {
        let cases = [
            (
                "http {\n  port: 9090\n  colour: red\n}\n",
                ":3: unknown configuration key \"http.colour\"",
            ),
            (
                "store {\n  shard: maybe\n}\n",
                ":2: expected true or false, found a string",
            ),
            (
                "http { port: 99999 }\n",
                ":1: expected a port (0-65535), found 99999",
            ),
            ("\n\nhttp { port: 9090\n", ":4: expected '}'"),
            (
                "operatorjwtpath: $MISSING_VARIABLE_XYZ\n",
                ":1: variable reference for 'MISSING_VARIABLE_XYZ'",
            ),
            (
                "frobnicate: 1\n",
                ":1: unknown configuration key \"frobnicate\"",
            ),
            (
                "nats { servers: [\"nats://a\", \n",
                ":2: expected a value, found end of file",
            ),
            ("store { dir: /a, nsc: /b }\n", "choose one of a directory"),
            (
                "store { dir: /a, kv { servers: nats://x } }\n",
                "choose one of a directory",
            ),
            (
                "store { kv { servers: [] } }\n",
                "store.kv: servers: at least one NATS URL",
            ),
            (
                "store { kv { servers: nats://x, bucket: \"a b\" } }\n",
                "store.kv: bucket:",
            ),
            (
                "store { kv { servers: nats://x, replicas: 7 } }\n",
                "replicas: 1 to 5",
            ),
            (
                "store { kv { servers: nats://x, colour: red } }\n",
                ":1: unknown configuration key \"store.kv.colour\"",
            ),
        ];
        for (text, want) in cases {
            let err = error_of(text);
            assert!(err.contains(want), "{text:?}: {err}");
            if want.starts_with(':') {
                assert!(err.contains("nas.conf:"), "{err}");
            }
        }
    }

    #[test]
    fn flags_override_the_file() {
        let dir = std::env::temp_dir().join(format!("nats-console-flags-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("a.conf"),
            "http { port: 1 }\nstore { dir: /x, shard: true }\nnats { servers: [nats://a] }\n",
        )
        .unwrap();
        let config = Config::load(&ServerArgs {
            config: Some(dir.join("a.conf")),
            dir: Some("/y".into()),
            host_port: Some("0.0.0.0:2".into()),
            nats: Some("nats://b".into()),
            debug_trace: true,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(config.http.port, 2);
        // -dir replaces the whole store block, as in NAS: shard is gone
        assert_eq!(config.store.dir.as_deref(), Some(Path::new("/y")));
        assert!(!config.store.shard);
        assert_eq!(config.nats.servers, ["nats://b"]);
        assert!(config.logging.debug && config.logging.trace);
        assert!(Config::load(&ServerArgs {
            host_port: Some("nope".into()),
            ..Default::default()
        })
        .is_err());
    }

    #[test]
    fn the_kv_flag_takes_the_store_block_and_the_creds() {
        let kv_only = Config::load(&ServerArgs {
            kv: Some("nats://a:4222, nats://b:4222".into()),
            creds: Some("/c/kv.creds".into()),
            ..Default::default()
        })
        .unwrap();
        let kv = kv_only.store.kv.as_ref().unwrap();
        assert_eq!(kv.servers, ["nats://a:4222", "nats://b:4222"]);
        assert_eq!(kv.bucket, "nats-console");
        assert_eq!(kv.replicas, 3);
        assert_eq!(kv.creds.as_deref(), Some(Path::new("/c/kv.creds")));
        assert_eq!(
            kv_only.store.dir, None,
            "no default directory beside a bucket"
        );
        // -creds without -nats is the bucket's only
        assert_eq!(kv_only.nats.user_credentials, None);
        let both = Config::load(&ServerArgs {
            kv: Some("nats://a:4222".into()),
            nats: Some("nats://op:4222".into()),
            creds: Some("/c/both.creds".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            both.nats.user_credentials.as_deref(),
            Some(Path::new("/c/both.creds"))
        );
    }

    #[test]
    fn nsc_flag_finds_the_operator_jwt() {
        let config = Config::load(&ServerArgs {
            nsc: Some("/home/me/.nsc/nats/Test".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            config.operator_jwt_path.as_deref(),
            Some(Path::new("/home/me/.nsc/nats/Test/Test.jwt"))
        );
        assert!(config.store.read_only && config.store.dir.is_none());
    }
}
