//! The `nats-console` key/JWT/creds commands, run as a user runs them: the real binary, files
//! and standard input, stdout, stderr and exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// The Go reference corpus, written out as files once per test run (the repository keeps it
/// as one JSON bundle so that the wasm32 tests can compile it in).
fn corpus() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let bundle_path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tests/data/go-corpus.json");
        let bundle: Value =
            serde_json::from_str(&std::fs::read_to_string(bundle_path).unwrap()).unwrap();
        let dir = temp_dir("corpus");
        for (rel, text) in bundle["files"].as_object().unwrap() {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text.as_str().unwrap()).unwrap();
        }
        std::fs::write(dir.join("index.json"), bundle["index"].to_string()).unwrap();
        dir
    })
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nats-console"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        // the binary may stop reading early (bounded input): a broken pipe is expected then
        let _ = input.write_all(bytes);
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nats-console-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn validate_prints_go_verdicts_for_the_corpus_from_files_and_stdin() {
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus().join("index.json")).unwrap())
            .unwrap();
    // Verdicts where this project deliberately differs from Go 2.3 (see shared/tests/go_corpus.rs).
    let deliberate_error = ["acc-mappings-uint8-wrap", "user-bearer-disallowed"];
    let mut checked = 0;
    for case in index["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let file = corpus().join(case["file"].as_str().unwrap());
        let now = case["now"].as_i64().unwrap().to_string();
        let mut args = vec!["jwt".to_string(), "validate".into(), "--now".into(), now];
        for (flag, key) in [("--operator", "operator"), ("--account", "account")] {
            if let Some(rel) = case[key].as_str() {
                args.push(flag.into());
                args.push(corpus().join(rel).display().to_string());
            }
        }
        let stdin_bytes;
        let stdin = if case["mode"] == "stdin" {
            stdin_bytes = std::fs::read(&file).unwrap();
            args.push("-".into());
            Some(stdin_bytes.as_slice())
        } else {
            args.push(file.display().to_string());
            None
        };
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&argv, stdin);
        let text = stdout(&out);
        let last = text.lines().last().unwrap_or("");
        let want_ok = case["expect"]["verdict"] == "OK" && !deliberate_error.contains(&id);
        if want_ok {
            assert_eq!(last, "OK", "{id}: {text}");
            assert!(out.status.success(), "{id}");
        } else {
            assert!(last.starts_with("ERROR: "), "{id}: {text}");
            assert_eq!(out.status.code(), Some(1), "{id}");
        }
        // every issue line has one of the three prefixes
        for line in text.lines().take(text.lines().count() - 1) {
            assert!(
                line.starts_with("error: ")
                    || line.starts_with("warning: ")
                    || line.starts_with("time: "),
                "{id}: {line}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 131);
}

#[test]
fn validate_lists_issues_then_the_reason() {
    let file = corpus().join("cases/user-expired-and-not-yet-valid/input.jwt");
    let out = run(
        &[
            "jwt",
            "validate",
            "--now",
            "1795376086",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(
        stdout(&out),
        "time: claim is expired\ntime: claim is not yet valid\nERROR: validation: claim is expired; claim is not yet valid\n"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn sign_reproduces_gos_bytes_from_claims_json() {
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus().join("index.json")).unwrap())
            .unwrap();
    for case in index["resign"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["expect_ok"] == true)
        .take(25)
    {
        let seed = corpus().join(case["seed"].as_str().unwrap());
        let claims = corpus().join(case["claims"].as_str().unwrap());
        let now = case["now"].as_i64().unwrap().to_string();
        let out = run(
            &[
                "jwt",
                "sign",
                "--seed",
                seed.to_str().unwrap(),
                "--now",
                &now,
                claims.to_str().unwrap(),
            ],
            None,
        );
        let expected =
            std::fs::read_to_string(corpus().join(case["expected"].as_str().unwrap())).unwrap();
        let alternates: Vec<String> = case["alternates"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                std::fs::read_to_string(corpus().join(a.as_str().unwrap()))
                    .unwrap()
                    .trim()
                    .to_string()
            })
            .collect();
        let token = stdout(&out).trim().to_string();
        assert!(
            token == expected.trim() || alternates.contains(&token),
            "{}",
            case["id"]
        );
    }
}

#[test]
fn sign_refuses_a_seed_of_the_wrong_kind() {
    let seed = corpus().join("keys/operator.seed");
    let claims = corpus().join("resign/sign-err-operator-seed-for-user/claims.json");
    let out = run(
        &[
            "jwt",
            "sign",
            "--seed",
            seed.to_str().unwrap(),
            claims.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "nats-console: unable to validate expected prefixes - [account]"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn nkey_gen_then_pub_round_trips_for_every_kind() {
    for kind in ["operator", "account", "user", "server", "cluster", "curve"] {
        let out = run(&["nkey", "gen", kind], None);
        assert!(out.status.success(), "{kind}");
        let text = stdout(&out);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{kind}");
        let (seed, public) = (lines[0], lines[1]);
        assert_eq!(seed.len(), 58);
        assert_eq!(public.len(), 56);
        let letter = public.chars().next().unwrap();
        assert_eq!(seed.chars().nth(1), Some(letter));
        // from stdin and as an argument
        assert_eq!(
            stdout(&run(&["nkey", "pub"], Some(seed.as_bytes()))).trim(),
            public
        );
        assert_eq!(stdout(&run(&["nkey", "pub", seed], None)).trim(), public);
    }
}

#[test]
fn nkey_pub_refuses_malformed_seeds() {
    for (input, want) in [
        (
            "SUAJBAZFCAFEM3KBDD256KCLDSIXAPNIJOTZTIJKLWP7XOPGFK5OHCRA34",
            "nkeys: invalid checksum",
        ),
        ("hello-world", "nkeys: illegal base32 data at input byte 0"),
        (
            "UC53NKMP7QWYU7XQWE7RDAEPZHZ4VOK74ONWWQGNXKLUVE3POIAUW2JK",
            "nkeys: seed has 31 payload bytes, want 32",
        ),
    ] {
        let out = run(&["nkey", "pub", input], None);
        assert_eq!(out.status.code(), Some(2), "{input}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).trim(),
            format!("nats-console: {want}")
        );
    }
}

#[test]
fn creds_from_files_match_go_and_refuse_other_kinds() {
    let dir = corpus().join("creds/creds-signing-key");
    let out = run(
        &[
            "creds",
            "--jwt",
            dir.join("user.jwt").to_str().unwrap(),
            "--seed",
            dir.join("user.seed").to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        std::fs::read_to_string(dir.join("expected.creds")).unwrap()
    );

    // a creds file works as --jwt and --seed too
    let creds_file = temp_dir("creds").join("u.creds");
    std::fs::write(&creds_file, &out.stdout).unwrap();
    let again = run(
        &[
            "creds",
            "--jwt",
            creds_file.to_str().unwrap(),
            "--seed",
            creds_file.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(again.stdout, out.stdout);

    let bad = corpus().join("creds/creds-err-account-seed");
    let out = run(
        &[
            "creds",
            "--jwt",
            bad.join("user.jwt").to_str().unwrap(),
            "--seed",
            bad.join("user.seed").to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nkey seed is not an user seed"));
}

#[test]
fn decode_prints_header_and_claims_json() {
    let file = corpus().join("cases/user-times/input.jwt");
    let out = run(&["jwt", "decode", file.to_str().unwrap()], None);
    assert!(out.status.success());
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["header"]["alg"], "ed25519-nkey");
    assert_eq!(v["claims"]["nats"]["times_location"], "America/New_York");
    assert_eq!(
        v["claims"]["iss"],
        "AD2XSWN2HFLYOZNJ5NRLT3IXG4CG5YZHPWRCOZFSNZQLJ3UOGWJ6AIL2"
    );
}

#[test]
fn hostile_inputs_give_typed_errors_and_non_zero_exits() {
    let dir = temp_dir("hostile");
    let good = std::fs::read_to_string(corpus().join("cases/bad-base-valid/input.jwt")).unwrap();
    let good = good.trim();
    let parts: Vec<&str> = good.split('.').collect();
    let huge = "a".repeat(5 << 20);
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", String::new(), "ERROR: expected 3 chunks"),
        (
            "two segments",
            format!("{}.{}", parts[0], parts[1]),
            "ERROR: expected 3 chunks",
        ),
        (
            "four segments",
            format!("{good}.x"),
            "ERROR: expected 3 chunks",
        ),
        (
            "not base64",
            format!("{}.!!!.{}", parts[0], parts[2]),
            "ERROR: illegal base64 data at input byte 0",
        ),
        (
            "tampered",
            format!(
                "{}.{}x.{}",
                parts[0],
                &parts[1][..parts[1].len() - 1],
                parts[2]
            ),
            "ERROR: ",
        ),
        (
            "wrong alg",
            format!(
                "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.{}.{}",
                parts[1], parts[2]
            ),
            "ERROR: unexpected \"HS256\" algorithm",
        ),
        (
            "truncated signature",
            format!("{}.{}.{}", parts[0], parts[1], &parts[2][..20]),
            "ERROR: claim failed V2 signature verification",
        ),
        (
            "oversized",
            "a".repeat((1 << 20) + 1),
            "ERROR: token is larger than 1048576 bytes",
        ),
    ];
    for (name, input, want) in cases {
        let path = dir.join("input.jwt");
        std::fs::write(&path, &input).unwrap();
        let out = run(&["jwt", "validate", path.to_str().unwrap()], None);
        let text = stdout(&out);
        assert!(
            text.lines().last().unwrap_or("").starts_with(want),
            "{name}: {text}"
        );
        assert_eq!(out.status.code(), Some(1), "{name}");
    }
    // inputs over the reading bound and non-UTF-8 are refused before parsing
    let out = run(&["jwt", "validate", "-"], Some(huge.as_bytes()));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than"));
    let out = run(&["jwt", "validate", "-"], Some(&[0xff, 0xfe, 0x00]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not UTF-8"));
    let out = run(&["jwt", "validate", "/nonexistent/file.jwt"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/file.jwt"));
}
