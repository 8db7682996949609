//! A replica (`-primary http://…`): imports the primary's pack at start, serves reads, fetches
//! what it lacks from the primary, keeps serving from its disk when the primary is down,
//! follows NATS updates, and refuses pushes with a message naming the primary.

mod support;

use std::time::Duration;

use support::{eventually, free_port, http, temp_dir, unix_now, Console, Deployment, NatsServer};

#[test]
fn replica_follows_its_primary_and_survives_its_absence() {
    let d = Deployment::new();
    let dir = temp_dir("replica");
    std::fs::write(dir.join("operator.jwt"), &d.operator_jwt).unwrap();
    std::fs::write(dir.join("sys.creds"), &d.sys_creds).unwrap();
    // a NATS server for the update notifications (memory resolver with SYS preloaded)
    let nats_port = free_port();
    let nats_config = d.server_config(nats_port, "resolver: MEMORY");
    let _nats = NatsServer::start(&support::nats_server_pypi(), "replica-nats", &nats_config);
    let nats_url = format!("nats://127.0.0.1:{nats_port}");
    let common = |store: &str| -> Vec<String> {
        vec![
            "-dir".into(),
            dir.join(store).display().to_string(),
            "-operator".into(),
            dir.join("operator.jwt").display().to_string(),
            "-nats".into(),
            nats_url.clone(),
            "-creds".into(),
            dir.join("sys.creds").display().to_string(),
        ]
    };
    let primary_args = common("primary");
    let primary = Console::start(
        &primary_args.iter().map(String::as_str).collect::<Vec<_>>(),
        dir.join("primary.log"),
    );

    let (a, mut a_claims) = d.account("A");
    let (b, mut b_claims) = d.account("B");
    let a_jwt = d.sign_account(&mut a_claims, unix_now() - 10);
    let b_jwt = d.sign_account(&mut b_claims, unix_now() - 10);
    for (key, jwt) in [(a.public_key(), &a_jwt), (b.public_key(), &b_jwt)] {
        assert_eq!(
            http(
                primary.port,
                "POST",
                &format!("/jwt/v1/accounts/{key}"),
                &[],
                jwt.as_bytes()
            )
            .status,
            200
        );
    }

    let mut replica_args = common("replica");
    replica_args.extend(["-primary".into(), primary.url("/")]);
    let replica = Console::start(
        &replica_args.iter().map(String::as_str).collect::<Vec<_>>(),
        dir.join("replica.log"),
    );
    assert!(
        replica.log().contains("imported 2 of 2 accounts"),
        "{}",
        replica.log()
    );
    assert!(dir
        .join("replica")
        .join(format!("{}.jwt", a.public_key()))
        .exists());
    let get =
        |port: u16, key: &str| http(port, "GET", &format!("/jwt/v1/accounts/{key}"), &[], b"");
    assert_eq!(get(replica.port, &a.public_key()).text(), a_jwt);

    // pushes go to the primary
    let r = http(
        replica.port,
        "POST",
        &format!("/jwt/v1/accounts/{}", a.public_key()),
        &[],
        a_jwt.as_bytes(),
    );
    assert_eq!(r.status, 405);
    assert!(
        r.text()
            .contains(&format!("replica of {}", primary.url(""))),
        "{}",
        r.text()
    );

    // an account the replica has not seen is fetched from the primary
    let (c, mut c_claims) = d.account("C");
    let c_jwt = d.sign_account(&mut c_claims, unix_now() - 10);
    assert!(eventually(Duration::from_secs(10), || replica
        .log()
        .contains("connected to NATS")));
    assert_eq!(
        http(
            primary.port,
            "POST",
            &format!("/jwt/v1/accounts/{}", c.public_key()),
            &[],
            c_jwt.as_bytes()
        )
        .status,
        200
    );
    assert_eq!(get(replica.port, &c.public_key()).text(), c_jwt);

    // a newer A pushed to the primary reaches the replica over NATS
    a_claims.nats.limits.conn = 7;
    let a_newer = d.sign_account(&mut a_claims, unix_now());
    assert_eq!(
        http(
            primary.port,
            "POST",
            &format!("/jwt/v1/accounts/{}", a.public_key()),
            &[],
            a_newer.as_bytes()
        )
        .status,
        200
    );
    assert!(
        eventually(Duration::from_secs(10), || get(
            replica.port,
            &a.public_key()
        )
        .text()
            == a_newer),
        "{}",
        replica.log()
    );

    // the primary goes away: the replica serves from its disk, and says why in its log
    drop(primary);
    assert_eq!(get(replica.port, &b.public_key()).text(), b_jwt);
    let (unknown, _) = d.account("UNKNOWN");
    assert_eq!(get(replica.port, &unknown.public_key()).status, 404);
    assert!(replica.log().contains("serving"), "{}", replica.log());

    // a replica started while the primary is down serves what its disk holds
    drop(replica);
    let restarted = Console::start(
        &replica_args.iter().map(String::as_str).collect::<Vec<_>>(),
        dir.join("replica2.log"),
    );
    assert!(
        restarted.log().contains("serving the local store"),
        "{}",
        restarted.log()
    );
    assert_eq!(get(restarted.port, &b.public_key()).text(), b_jwt);
    assert_eq!(get(restarted.port, &a.public_key()).text(), a_newer);
    assert_eq!(get(restarted.port, &c.public_key()).text(), c_jwt);
}
