//! Crash safety of the directory store: SIGKILL during 1 000 concurrent POSTs, then a restart:
//! every update that was answered 200 is there, every file is a whole, valid JWT (a file torn by
//! the kill is made again from the write-ahead audit log), and every stored change has its audit
//! line (the chain intact).

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{http, temp_dir, unix_now, Console, Deployment};

#[test]
fn sigkill_during_concurrent_posts_loses_no_acknowledged_update_and_tears_no_file() {
    let d = Deployment::new();
    let dir = temp_dir("crash");
    std::fs::write(dir.join("operator.jwt"), &d.operator_jwt).unwrap();
    let args = [
        "-dir",
        dir.join("jwt").to_str().unwrap(),
        "-operator",
        dir.join("operator.jwt").to_str().unwrap(),
    ]
    .map(String::from);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();

    // 1 000 updates: 250 accounts, 4 versions each (newer iat each time)
    let mut updates = Vec::new();
    for i in 0..250 {
        let (key, mut claims) = d.account(&format!("A{i}"));
        for version in 0..4 {
            claims.nats.limits.conn = version;
            updates.push((
                key.public_key(),
                version,
                d.sign_account(&mut claims, unix_now() - 100 + version),
            ));
        }
    }
    let mut console = Console::start(&argv, dir.join("console.log"));
    let port = console.port;

    let next = Arc::new(AtomicUsize::new(0));
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let updates = Arc::new(updates);
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (next, acknowledged, updates) =
                (next.clone(), acknowledged.clone(), updates.clone());
            std::thread::spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((key, _, jwt)) = updates.get(i) else {
                    return;
                };
                let sent = std::panic::catch_unwind(|| {
                    http(
                        port,
                        "POST",
                        &format!("/jwt/v1/accounts/{key}"),
                        &[],
                        jwt.as_bytes(),
                    )
                });
                match sent {
                    Ok(r) if r.status == 200 => acknowledged.lock().unwrap().push(i),
                    Ok(_) => {}
                    Err(_) => return, // the server is gone
                }
            })
        })
        .collect();
    // kill once a good part of the updates went through
    while next.load(Ordering::SeqCst) < 400 {
        std::thread::sleep(Duration::from_millis(1));
    }
    console.signal_and_wait("KILL");
    for w in workers {
        let _ = w.join();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 100,
        "only {} updates were acknowledged",
        acknowledged.len()
    );

    // every stored JWT has its audit entry (written and fsynced before the change), and the
    // chain verifies
    let audit = std::fs::read_to_string(dir.join("jwt/audit.jsonl")).unwrap();
    let recorded: std::collections::HashSet<(String, String)> = audit
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["action"] == "account.pushed")
        .map(|e| {
            (
                e["subject"].as_str().unwrap().to_string(),
                e["details"]["new_jti"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for entry in std::fs::read_dir(dir.join("jwt")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(key) = name.strip_suffix(".jwt") {
            // a file the kill tore mid-write is made again at restart (checked below)
            let Ok(nats_auth::jwt::AnyClaims::Account(a)) =
                nats_auth::jwt::decode(&std::fs::read_to_string(entry.path()).unwrap())
            else {
                continue;
            };
            assert!(
                recorded.contains(&(key.to_string(), a.id.clone())),
                "{key} (jti {}) is stored without its audit line",
                a.id
            );
        }
    }
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_nats-console"))
        .args([
            "audit",
            "verify",
            dir.join("jwt/audit.jsonl").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );

    // after a restart, every acknowledged update is served (or a newer version of its account)
    let restarted = Console::start(&argv, dir.join("console2.log"));
    for i in acknowledged {
        let (key, version, _) = &updates[i];
        let r = http(
            restarted.port,
            "GET",
            &format!("/jwt/v1/accounts/{key}"),
            &[],
            b"",
        );
        assert_eq!(r.status, 200, "acknowledged update {i} of {key} is lost");
        let nats_auth::jwt::AnyClaims::Account(claims) = nats_auth::jwt::decode(&r.text()).unwrap()
        else {
            panic!()
        };
        assert!(
            claims.nats.limits.conn >= *version,
            "{key}: version {} served, {version} was acknowledged",
            claims.nats.limits.conn
        );
    }
    // after the restart, every file is a whole JWT about its account
    let mut files = 0;
    for entry in std::fs::read_dir(dir.join("jwt")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(key) = name.strip_suffix(".jwt") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let claims =
                nats_auth::jwt::decode(&text).unwrap_or_else(|e| panic!("torn file {name}: {e}"));
            assert_eq!(claims.subject(), key);
            files += 1;
        }
    }
    assert!(files > 0);

    // no temporary files survive the restart
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("jwt"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

/// What a power loss can do to writes made after the last write-ahead checkpoint — files
/// missing, empty, or an older version — is undone at the next start from the audit log.
#[test]
fn writes_after_the_checkpoint_are_made_again_from_the_audit_log() {
    let d = Deployment::new();
    let dir = temp_dir("write-ahead");
    std::fs::write(dir.join("operator.jwt"), &d.operator_jwt).unwrap();
    let store = dir.join("jwt");
    let args = [
        "-dir",
        store.to_str().unwrap(),
        "-operator",
        dir.join("operator.jwt").to_str().unwrap(),
    ]
    .map(String::from);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut console = Console::start(&argv, dir.join("console.log"));
    let checkpoint_at_start = std::fs::read_to_string(store.join("audit.checkpoint")).unwrap();
    assert_eq!(checkpoint_at_start.trim(), "0");
    let mut pushed = Vec::new();
    for i in 0..20 {
        let (key, mut claims) = d.account(&format!("W{i}"));
        let old = d.sign_account(&mut claims, unix_now() - 100);
        claims.nats.limits.conn = 7;
        let new = d.sign_account(&mut claims, unix_now() - 50);
        for jwt in [&old, &new] {
            let r = http(
                console.port,
                "POST",
                &format!("/jwt/v1/accounts/{}", key.public_key()),
                &[],
                jwt.as_bytes(),
            );
            assert_eq!(r.status, 200, "{}", r.text());
        }
        pushed.push((key.public_key(), old, new));
    }
    console.signal_and_wait("KILL");
    // the power loss: the checkpoint never moved past the start, and the store lost its
    // unsynced writes in every way it can
    std::fs::write(store.join("audit.checkpoint"), &checkpoint_at_start).unwrap();
    for (i, (key, old, _)) in pushed.iter().enumerate() {
        let file = store.join(format!("{key}.jwt"));
        match i % 3 {
            0 => std::fs::remove_file(&file).unwrap(),
            1 => std::fs::write(&file, "").unwrap(),
            _ => std::fs::write(&file, old).unwrap(),
        }
    }
    let restarted = Console::start(&argv, dir.join("console2.log"));
    assert!(
        restarted
            .log()
            .contains("write-ahead: 40 changes after the last checkpoint"),
        "{}",
        restarted.log()
    );
    for (key, _, new) in &pushed {
        let r = http(
            restarted.port,
            "GET",
            &format!("/jwt/v1/accounts/{key}"),
            &[],
            b"",
        );
        assert_eq!(r.status, 200, "{key} lost");
        assert_eq!(&r.text(), new, "{key}: the newest acknowledged JWT");
        assert_eq!(
            &std::fs::read_to_string(store.join(format!("{key}.jwt"))).unwrap(),
            new
        );
    }
    // the checkpoint moved past what was made again
    let checkpoint: u64 = std::fs::read_to_string(store.join("audit.checkpoint"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(checkpoint, 40);
}
