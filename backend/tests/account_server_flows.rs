//! The ways people run nats-account-server, run with nats-console in its place: `-dir` over
//! hand-placed files, `-nsc` over an nsc operator folder, `-c` with a config file; the start-up
//! log; SIGHUP and SIGTERM.

mod support;

use std::process::Command;
use std::time::Duration;

use support::{eventually, http, temp_dir, unix_now, Console, Deployment};

#[test]
fn dir_store_serves_files_placed_by_hand_before_and_after_start() {
    let d = Deployment::new();
    let dir = temp_dir("flow-dir");
    let store = dir.join("jwt");
    std::fs::create_dir_all(&store).unwrap();
    let (a, mut a_claims) = d.account("A");
    let a_jwt = d.sign_account(&mut a_claims, unix_now());
    std::fs::write(store.join(format!("{}.jwt", a.public_key())), &a_jwt).unwrap();
    std::fs::write(store.join("README.txt"), "not a JWT").unwrap();

    let console = Console::start(&["-dir", store.to_str().unwrap()], dir.join("console.log"));
    let r = http(
        console.port,
        "GET",
        &format!("/jwt/v1/accounts/{}", a.public_key()),
        &[],
        b"",
    );
    assert_eq!((r.status, r.text()), (200, a_jwt));

    let (b, mut b_claims) = d.account("B");
    let b_jwt = d.sign_account(&mut b_claims, unix_now());
    std::fs::write(store.join(format!("{}.jwt", b.public_key())), &b_jwt).unwrap();
    let r = http(
        console.port,
        "GET",
        &format!("/jwt/v1/accounts/{}", b.public_key()),
        &[],
        b"",
    );
    assert_eq!((r.status, r.text()), (200, b_jwt));

    // without an operator, pushes are refused with the reason
    let r = http(
        console.port,
        "POST",
        &format!("/jwt/v1/accounts/{}", b.public_key()),
        &[],
        d.sys_jwt.as_bytes(),
    );
    assert_eq!(r.status, 400);
}

/// nsc's layout: `<store>/<op>/<op>.jwt`, `<store>/<op>/accounts/<name>/<name>.jwt`.
fn nsc_folder(
    d: &Deployment,
    root: &std::path::Path,
) -> (std::path::PathBuf, Vec<(String, String)>) {
    let op_dir = root.join("nats").join("TEST-OP");
    std::fs::create_dir_all(&op_dir).unwrap();
    std::fs::write(op_dir.join("TEST-OP.jwt"), &d.operator_jwt).unwrap();
    std::fs::write(
        op_dir.join(".nsc"),
        r#"{"managed":false,"name":"TEST-OP","kind":"operator","version":"1"}"#,
    )
    .unwrap();
    let mut accounts = vec![(d.sys.public_key(), d.sys_jwt.clone())];
    for name in ["APP", "BILLING"] {
        let (key, mut claims) = d.account(name);
        accounts.push((key.public_key(), d.sign_account(&mut claims, unix_now())));
    }
    for (i, (_, jwt)) in accounts.iter().enumerate() {
        let name = ["SYS", "APP", "BILLING"][i];
        let acc_dir = op_dir.join("accounts").join(name);
        std::fs::create_dir_all(acc_dir.join("users")).unwrap();
        std::fs::write(acc_dir.join(format!("{name}.jwt")), jwt).unwrap();
    }
    (op_dir, accounts)
}

#[test]
fn nsc_folder_is_served_read_only_and_followed() {
    let d = Deployment::new();
    let dir = temp_dir("flow-nsc");
    let (op_dir, accounts) = nsc_folder(&d, &dir.join("stores"));
    let console = Console::start(&["-nsc", op_dir.to_str().unwrap()], dir.join("console.log"));
    let log = console.log();
    assert!(
        log.contains(&format!(
            "creating a read-only store for the NSC folder at {}",
            op_dir.display()
        )),
        "{log}"
    );
    assert!(log.contains("loaded operator \"TEST-OP\""), "{log}");
    for (key, jwt) in &accounts {
        let r = http(
            console.port,
            "GET",
            &format!("/jwt/v1/accounts/{key}"),
            &[],
            b"",
        );
        assert_eq!((r.status, r.text()), (200, jwt.clone()));
    }
    let r = http(console.port, "GET", "/jwt/v1/operator", &[], b"");
    assert_eq!(r.text(), d.operator_jwt);
    // read-only: a push is refused and names why
    let r = http(
        console.port,
        "POST",
        &format!("/jwt/v1/accounts/{}", accounts[1].0),
        &[],
        accounts[1].1.as_bytes(),
    );
    assert_eq!(r.status, 405);
    assert!(r.text().contains("nsc store"), "{}", r.text());

    // nsc edits an account: the console follows the folder
    let (_, mut new_claims) = d.account("NEW");
    let new_jwt = d.sign_account(&mut new_claims, unix_now());
    let new_dir = op_dir.join("accounts/NEW");
    std::fs::create_dir_all(&new_dir).unwrap();
    std::fs::write(new_dir.join("NEW.jwt"), &new_jwt).unwrap();
    assert!(eventually(Duration::from_secs(5), || {
        http(
            console.port,
            "GET",
            &format!("/jwt/v1/accounts/{}", new_claims.subject),
            &[],
            b"",
        )
        .status
            == 200
    }));
}

#[test]
fn config_file_run_logs_in_nas_order_and_reloads_on_sighup() {
    let d = Deployment::new();
    let dir = temp_dir("flow-conf");
    std::fs::write(dir.join("operator.jwt"), &d.operator_jwt).unwrap();
    std::fs::write(
        dir.join("nas.conf"),
        "# as in the nats-account-server README\noperatorjwtpath: \"operator.jwt\"\nstore {\n  dir: \"jwts\",\n  shard: true\n}\nlogging { pid: true }\n",
    )
    .unwrap();
    let mut console = Console::start(
        &["-c", dir.join("nas.conf").to_str().unwrap()],
        dir.join("console.log"),
    );
    let log = console.log();
    let order = [
        "Starting nats-console v",
        "server time is ",
        "loaded operator \"TEST-OP\"",
        &format!(
            "creating a directory store (sharded) at {}",
            dir.join("jwts").display()
        ),
        "NATS is not configured, server will not fire notifications on update",
        "HTTP listening on 127.0.0.1:",
        "nats-console is running",
        "configure the nats-server with:",
        &format!(
            "  resolver: URL(http://127.0.0.1:{}/jwt/v1/accounts/)",
            console.port
        ),
    ];
    let mut last = 0;
    for line in order {
        let at = log[last..]
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} missing or out of order:\n{log}"));
        last += at + line.len();
    }
    assert!(log.starts_with(&format!("[{}] ", console.pid())), "{log}");

    // a sharded store puts the file under the key's last two characters
    let (app, mut claims) = d.account("APP");
    let key = app.public_key();
    let r = http(
        console.port,
        "POST",
        &format!("/jwt/v1/accounts/{key}"),
        &[],
        d.sign_account(&mut claims, unix_now()).as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(dir
        .join("jwts")
        .join(&key[key.len() - 2..])
        .join(format!("{key}.jwt"))
        .exists());

    // SIGHUP re-reads the file: the operator is gone, so pushes are now refused
    std::fs::write(
        dir.join("nas.conf"),
        "store { dir: \"jwts\", shard: true }\n",
    )
    .unwrap();
    Command::new("kill")
        .args(["-HUP", &console.pid().to_string()])
        .status()
        .unwrap();
    assert!(eventually(Duration::from_secs(10), || console
        .log()
        .matches("nats-console is running")
        .count()
        == 2));
    let log = console.log();
    let port: u16 = log
        .rsplit("HTTP listening on 127.0.0.1:")
        .next()
        .and_then(|rest| rest.lines().next())
        .and_then(|p| p.trim().parse().ok())
        .unwrap();
    let r = http(
        port,
        "POST",
        &format!("/jwt/v1/accounts/{key}"),
        &[],
        d.sign_account(&mut claims, unix_now() + 1).as_bytes(),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("no operator is configured"));
    // and the stored account is still served
    assert_eq!(
        http(port, "GET", &format!("/jwt/v1/accounts/{key}"), &[], b"").status,
        200
    );

    // SIGTERM stops gracefully
    let status = console.signal_and_wait("TERM");
    assert!(status.success(), "{status:?}");
    assert!(console.log().contains("stopping"));
}

#[test]
fn bad_configuration_stops_the_start_with_file_and_line() {
    let dir = temp_dir("flow-badconf");
    std::fs::write(
        dir.join("nas.conf"),
        "http {\n  port: 9090\n  colour: blue\n}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nats-console"))
        .args(["-c", dir.join("nas.conf").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:3: unknown configuration key \"http.colour\"",
            dir.join("nas.conf").display()
        )),
        "{stderr}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_nats-console"))
        .args(["-hp", "nonsense"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-hp \"nonsense\": expected host:port"));

    let out = Command::new(env!("CARGO_BIN_EXE_nats-console"))
        .args([
            "-operator",
            "/nonexistent/op.jwt",
            "-dir",
            dir.join("s").to_str().unwrap(),
            "-hp",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("operator JWT /nonexistent/op.jwt"));
}

#[test]
fn https_with_http_tls_serves_the_api() {
    let d = Deployment::new();
    let dir = temp_dir("flow-tls");
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    std::fs::write(dir.join("operator.jwt"), &d.operator_jwt).unwrap();
    std::fs::write(
        dir.join("tls.conf"),
        "operatorjwtpath: operator.jwt\nstore { dir: jwt }\nhttp { tls { cert: cert.pem, key: key.pem } }\n",
    )
    .unwrap();
    let console = Console::start(
        &["-c", dir.join("tls.conf").to_str().unwrap()],
        dir.join("console.log"),
    );
    assert!(
        console.log().contains(&format!(
            "resolver: URL(https://127.0.0.1:{}/jwt/v1/accounts/)",
            console.port
        )),
        "{}",
        console.log()
    );

    let (app, mut claims) = d.account("APP");
    let jwt = d.sign_account(&mut claims, unix_now());
    std::fs::write(dir.join("app.jwt"), &jwt).unwrap();
    let curl = |extra: &[&str], path: &str| {
        Command::new("curl")
            .args(["-s", "-S", "--cacert"])
            .arg(dir.join("cert.pem"))
            .args(extra)
            .arg(format!("https://127.0.0.1:{}{path}", console.port))
            .output()
            .unwrap()
    };
    let path = format!("/jwt/v1/accounts/{}", app.public_key());
    let posted = curl(
        &[
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--data-binary",
            &format!("@{}", dir.join("app.jwt").display()),
        ],
        &path,
    );
    assert_eq!(
        String::from_utf8_lossy(&posted.stdout),
        "200",
        "{}",
        String::from_utf8_lossy(&posted.stderr)
    );
    let fetched = curl(&[], &path);
    assert_eq!(String::from_utf8_lossy(&fetched.stdout), jwt);
    // plain HTTP on the TLS port gets nothing served
    let plain = Command::new("curl")
        .args(["-s", "-m", "3"])
        .arg(format!("http://127.0.0.1:{}{path}", console.port))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains(&jwt));
}
