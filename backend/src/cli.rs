//! The command-line tools: keys, JWTs and creds for users and scripts (and the interop tests).
//! Results go to stdout; errors to stderr with a non-zero exit.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand, ValueEnum};
use nats_auth::chain::{self, Trust};
use nats_auth::jwt::{self, AccountClaims, AnyClaims, OperatorClaims};
use nats_auth::nkeys::{KeyPair, KeyType};
use nats_auth::xkeys::XKey;
use nats_auth::{creds, Error as AuthError};

/// Inputs larger than this are refused before parsing (a JWT is at most 1 MiB).
const MAX_INPUT: u64 = 4 << 20;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create and inspect nkeys
    #[command(subcommand)]
    Nkey(NkeyCommand),
    /// Decode, validate and sign JWTs
    #[command(subcommand)]
    Jwt(JwtCommand),
    /// Print a user's creds file from its JWT and seed
    Creds(CredsArgs),
    /// Print the one-time setup code a console without an operator waits for
    SetupCode(crate::config::ServerArgs),
    /// Check the audit log
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Move a store's contents to another store
    #[command(subcommand)]
    Store(StoreCommand),
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy account JWTs, activations and the operator, byte for byte; run again, it changes
    /// nothing (a newer JWT in the target is kept)
    Copy {
        /// dir:PATH, nsc:PATH or kv:nats://HOST:PORT[,…]
        #[arg(long, value_name = "STORE")]
        from: crate::store::StoreSpec,
        /// dir:PATH or kv:nats://HOST:PORT[,…]
        #[arg(long, value_name = "STORE")]
        to: crate::store::StoreSpec,
        /// The key-value bucket (for kv: stores)
        #[arg(long, default_value = crate::config::KvStore::DEFAULT_BUCKET)]
        bucket: String,
        /// Creds of a NATS user with JetStream (for kv: stores)
        #[arg(long, value_name = "FILE")]
        creds: Option<PathBuf>,
        /// Replicas of a bucket created by the copy
        #[arg(long, default_value_t = crate::config::KvStore::DEFAULT_REPLICAS)]
        replicas: usize,
        /// Write a dir: target sharded (<KEY[-2:]>/<KEY>.jwt)
        #[arg(long)]
        shard: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain of an audit log: exit 0 with its head, or 1 naming the first broken line
    Verify {
        /// The audit log (`audit.jsonl` in the store folder)
        file: PathBuf,
        /// The head hash pinned earlier: the log must still end there or go on from it
        #[arg(long, value_name = "SHA256")]
        head: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum NkeyCommand {
    /// Generate a key: prints the seed, then the public key
    Gen { kind: KeyKind },
    /// Print the public key of a seed (argument, or standard input with - or nothing)
    Pub { seed: Option<String> },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KeyKind {
    Operator,
    Account,
    User,
    Server,
    Cluster,
    Curve,
}

impl From<KeyKind> for KeyType {
    fn from(k: KeyKind) -> KeyType {
        match k {
            KeyKind::Operator => KeyType::Operator,
            KeyKind::Account => KeyType::Account,
            KeyKind::User => KeyType::User,
            KeyKind::Server => KeyType::Server,
            KeyKind::Cluster => KeyType::Cluster,
            KeyKind::Curve => KeyType::Curve,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum JwtCommand {
    /// Print a JWT's header and claims as JSON (the signature must verify)
    Decode { file: Option<PathBuf> },
    /// Check a JWT: one line per issue, then OK or ERROR: <reason>; exit 0 only for OK
    Validate(ValidateArgs),
    /// Sign claims JSON (any type) with a seed; sets iss, iat, jti and nats.version
    Sign(SignArgs),
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The JWT must be issued by this operator (its identity or a signing key)
    #[arg(long, value_name = "FILE")]
    operator: Option<PathBuf>,
    /// The user or activation JWT must be issued by this account and not revoked by it
    #[arg(long, value_name = "FILE")]
    account: Option<PathBuf>,
    /// Judge at this Unix time instead of now
    #[arg(long, value_name = "UNIX")]
    now: Option<i64>,
    /// JWT or creds file; - or nothing for standard input
    file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// File holding the signer's seed (or a creds file)
    #[arg(long, value_name = "FILE")]
    seed: PathBuf,
    /// Issue at this Unix time instead of now
    #[arg(long, value_name = "UNIX")]
    now: Option<i64>,
    /// Claims JSON; - or nothing for standard input
    claims: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CredsArgs {
    /// The user JWT (or a creds file)
    #[arg(long, value_name = "FILE")]
    jwt: PathBuf,
    /// The user's seed (or a creds file)
    #[arg(long, value_name = "FILE")]
    seed: PathBuf,
}

/// Why a command could not run.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: larger than {MAX_INPUT} bytes")]
    TooLarge { path: String },
    #[error("{0}")]
    Auth(#[from] AuthError),
    #[error("{0}")]
    Usage(String),
}

pub fn run(command: Command) -> Result<ExitCode, CliError> {
    let mut out = std::io::stdout().lock();
    let result = match command {
        Command::Nkey(NkeyCommand::Gen { kind }) => nkey_gen(kind.into(), &mut out),
        Command::Nkey(NkeyCommand::Pub { seed }) => nkey_pub(seed, &mut out),
        Command::Jwt(JwtCommand::Decode { file }) => jwt_decode(file.as_deref(), &mut out),
        Command::Jwt(JwtCommand::Validate(args)) => return jwt_validate(&args, &mut out),
        Command::Jwt(JwtCommand::Sign(args)) => jwt_sign(&args, &mut out),
        Command::Creds(args) => creds_print(&args, &mut out),
        Command::SetupCode(args) => setup_code(&args, &mut out),
        Command::Audit(AuditCommand::Verify { file, head }) => {
            return audit_verify(&file, head.as_deref(), &mut out)
        }
        Command::Store(StoreCommand::Copy {
            from,
            to,
            bucket,
            creds,
            replicas,
            shard,
        }) => {
            let options = crate::store::CopyOptions {
                bucket,
                creds,
                replicas,
                shard,
            };
            store_copy(&from, &to, &options, &mut out)
        }
    };
    result.map(|()| ExitCode::SUCCESS)
}

fn write(out: &mut impl Write, text: &str) -> Result<(), CliError> {
    out.write_all(text.as_bytes())
        .map_err(|source| CliError::Io {
            path: "stdout".into(),
            source,
        })
}

/// Reads a file, or standard input for `None` / `-`, bounded to `MAX_INPUT`.
fn read_input(path: Option<&Path>) -> Result<String, CliError> {
    let (name, reader): (String, Box<dyn Read>) = match path {
        None => ("stdin".into(), Box::new(std::io::stdin())),
        Some(p) if p == Path::new("-") => ("stdin".into(), Box::new(std::io::stdin())),
        Some(p) => {
            let file = std::fs::File::open(p).map_err(|source| CliError::Io {
                path: p.display().to_string(),
                source,
            })?;
            (p.display().to_string(), Box::new(file))
        }
    };
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| CliError::Io {
            path: name.clone(),
            source,
        })?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(CliError::TooLarge { path: name });
    }
    String::from_utf8(bytes).map_err(|_| CliError::Usage(format!("{name}: not UTF-8 text")))
}

/// A JWT from a file that may hold a bare JWT, a decorated JWT or a creds file.
fn read_jwt(path: Option<&Path>) -> Result<String, CliError> {
    Ok(creds::parse_decorated_jwt(&read_input(path)?))
}

fn now_or(now: Option<i64>) -> i64 {
    now.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    })
}

fn nkey_gen(kind: KeyType, out: &mut impl Write) -> Result<(), CliError> {
    let mut rng = rand_core::OsRng;
    let (seed, public) = if kind == KeyType::Curve {
        let key = XKey::new(&mut rng)?;
        (key.seed()?, key.public_key())
    } else {
        let pair = KeyPair::new(kind, &mut rng)?;
        (pair.seed()?, pair.public_key())
    };
    write(out, &format!("{seed}\n{public}\n"))
}

fn nkey_pub(seed: Option<String>, out: &mut impl Write) -> Result<(), CliError> {
    let seed = match seed.as_deref() {
        None | Some("-") => read_input(None)?,
        Some(s) => s.to_string(),
    };
    let seed = seed.trim();
    let public = if seed.starts_with("SX") {
        XKey::from_seed(seed)?.public_key()
    } else {
        KeyPair::from_seed(seed)?.public_key()
    };
    write(out, &format!("{public}\n"))
}

fn jwt_decode(file: Option<&Path>, out: &mut impl Write) -> Result<(), CliError> {
    let token = read_jwt(file)?;
    let claims = jwt::decode(&token)?;
    let header = jwt::decode_header(&token)?;
    let header = serde_json::to_string(&header).map_err(|e| CliError::Usage(e.to_string()))?;
    write(
        out,
        &format!("{{\"header\":{header},\"claims\":{}}}\n", claims.to_json()?),
    )
}

fn context_jwt<T>(
    path: &Path,
    what: &str,
    pick: impl Fn(AnyClaims) -> Option<T>,
) -> Result<T, CliError> {
    let claims = jwt::decode(&read_jwt(Some(path))?)
        .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
    pick(claims).ok_or_else(|| CliError::Usage(format!("{}: not an {what} JWT", path.display())))
}

fn jwt_validate(args: &ValidateArgs, out: &mut impl Write) -> Result<ExitCode, CliError> {
    let operator: Option<OperatorClaims> = args
        .operator
        .as_deref()
        .map(|p| {
            context_jwt(p, "operator", |c| match c {
                AnyClaims::Operator(o) => Some(o),
                _ => None,
            })
        })
        .transpose()?;
    let account: Option<AccountClaims> = args
        .account
        .as_deref()
        .map(|p| {
            context_jwt(p, "account", |c| match c {
                AnyClaims::Account(a) => Some(a),
                _ => None,
            })
        })
        .transpose()?;
    let token = read_jwt(args.file.as_deref())?;
    let trust = Trust {
        operator: operator.as_ref(),
        account: account.as_ref(),
    };
    let verdict = chain::check(&token, trust, now_or(args.now));
    let mut report = String::new();
    for issue in &verdict.issues.issues {
        report.push_str(&format!("{}: {}\n", issue.kind, issue.description));
    }
    match &verdict.reason {
        None => report.push_str("OK\n"),
        Some(reason) => report.push_str(&format!("ERROR: {reason}\n")),
    }
    write(out, &report)?;
    Ok(if verdict.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn signer_from_file(path: &Path) -> Result<KeyPair, CliError> {
    let text = read_input(Some(path))?;
    let seed = creds::parse_decorated_seed(&text).unwrap_or_else(|_| text.trim().to_string());
    KeyPair::from_seed(&seed).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))
}

fn jwt_sign(args: &SignArgs, out: &mut impl Write) -> Result<(), CliError> {
    let signer = signer_from_file(&args.seed)?;
    let json = read_input(args.claims.as_deref())?;
    let mut claims = jwt::parse_claims(json.as_bytes())?;
    let token = claims.encode(&signer, now_or(args.now))?;
    write(out, &format!("{token}\n"))
}

fn creds_print(args: &CredsArgs, out: &mut impl Write) -> Result<(), CliError> {
    let token = read_jwt(Some(&args.jwt))?;
    let seed_text = read_input(Some(&args.seed))?;
    let seed =
        creds::parse_decorated_seed(&seed_text).unwrap_or_else(|_| seed_text.trim().to_string());
    write(out, &creds::format_user_creds(&token, &seed)?)
}

fn setup_code(args: &crate::config::ServerArgs, out: &mut impl Write) -> Result<(), CliError> {
    let config = crate::config::Config::load(args).map_err(|e| CliError::Usage(e.to_string()))?;
    let Some(dir) = config.store.dir.filter(|_| config.store.nsc.is_none()) else {
        return Err(CliError::Usage(
            "the store is not a directory store: no setup code".into(),
        ));
    };
    if config.operator_jwt_path.is_some() {
        return Err(CliError::Usage(
            "the operator is set by the configuration (-operator): no setup code".into(),
        ));
    }
    let code = crate::setup_code::print_for(&dir).map_err(CliError::Usage)?;
    write(out, &format!("{code}\n"))
}

/// Exit 0 and the head when the chain holds (and reaches `pinned`, if given); 1 naming the
/// first broken line otherwise.
fn audit_verify(
    file: &Path,
    pinned: Option<&str>,
    out: &mut impl Write,
) -> Result<ExitCode, CliError> {
    let reader = std::fs::File::open(file).map_err(|source| CliError::Io {
        path: file.display().to_string(),
        source,
    })?;
    let mut pinned_seen = pinned.is_none_or(|p| p == crate::audit::GENESIS);
    let result = crate::audit::verify_with(std::io::BufReader::new(reader), |head| {
        pinned_seen |= pinned == Some(head.hash.as_str());
    });
    match result {
        Ok(head) if pinned_seen => {
            write(
                out,
                &format!("OK: {} entries, head {}\n", head.seq, head.hash),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Ok(head) => {
            write(
                out,
                &format!(
                    "BROKEN: the pinned head {} is not in the log ({} entries, head {}): lines were removed or changed\n",
                    pinned.unwrap_or(""),
                    head.seq,
                    head.hash
                ),
            )?;
            Ok(ExitCode::from(1))
        }
        Err(broken) => {
            write(out, &format!("BROKEN: {broken}\n"))?;
            Ok(ExitCode::from(1))
        }
    }
}

fn store_copy(
    from: &crate::store::StoreSpec,
    to: &crate::store::StoreSpec,
    options: &crate::store::CopyOptions,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let report = crate::store::copy(from, to, options, &mut std::io::stderr())
        .map_err(|e| CliError::Usage(e.to_string()))?;
    write(out, &report.summary())
}
