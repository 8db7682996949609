//! Auth callout (decentralized) against nats-server 2.15, with nats-auth on both sides of the
//! wire: an account AUTH whose `authorization` names the callout service's user, the account
//! its users may be placed in (APP) and an xkey; a small callout service decrypts the server's
//! request (xkey), admits alice into APP with a user JWT signed by APP, refuses mallory — and
//! nats-server lets alice in and keeps mallory out.

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use nats_auth::creds;
use nats_auth::jwt::{
    self, AccountClaims, AnyClaims, AuthorizationResponseClaims, OperatorClaims, UserClaims,
};
use nats_auth::nkeys::{KeyPair, KeyType};
use nats_auth::xkeys::XKey;
use support::{free_port, unix_now, NatsServer};

fn key(kind: KeyType) -> KeyPair {
    KeyPair::new(kind, &mut rand_core::OsRng).unwrap()
}

fn user_creds(account: &KeyPair, name: &str) -> (String, String) {
    let user = key(KeyType::User);
    let mut claims = UserClaims::new(user.public_key());
    claims.name = name.into();
    let jwt = claims.encode(account, unix_now() - 60).unwrap();
    let creds = creds::format_user_creds(&jwt, &user.seed().unwrap()).unwrap();
    (user.public_key(), creds)
}

/// Answers `$SYS.REQ.USER.AUTH`: admits the user named "alice" into `app`, refuses others.
async fn callout_service(service: async_nats::Client, auth: KeyPair, app: KeyPair, xkey: XKey) {
    let mut requests = service.subscribe("$SYS.REQ.USER.AUTH").await.unwrap();
    service.flush().await.unwrap();
    while let Some(message) = requests.next().await {
        let server_xkey = message
            .headers
            .as_ref()
            .and_then(|h| h.get("Nats-Server-Xkey"))
            .map(|v| v.to_string())
            .expect("the server sends its xkey when the account has one");
        let opened = xkey.open(&message.payload, &server_xkey).unwrap();
        let Ok(AnyClaims::AuthorizationRequest(request)) =
            jwt::decode(std::str::from_utf8(&opened).unwrap())
        else {
            panic!("not an authorization request");
        };
        let r = &request.nats;
        let mut response =
            AuthorizationResponseClaims::with_payload(r.user_nkey.clone(), Default::default());
        response.audience = r.server.id.clone();
        if r.connect_options.username == "alice" && r.connect_options.password == "s3cret" {
            let mut user = UserClaims::new(r.user_nkey.clone());
            user.name = "alice".into();
            user.audience = "APP".into();
            let allow = &mut user.nats.limits.permissions.publish.allow;
            allow.extend(["orders.>".to_string(), "$SYS.REQ.USER.INFO".to_string()]);
            response.nats.jwt = user.encode(&app, unix_now() - 5).unwrap();
        } else {
            response.nats.error = format!("{} is not allowed", r.connect_options.username);
        }
        let token = response.encode(&auth, unix_now() - 5).unwrap();
        let sealed = xkey
            .seal(token.as_bytes(), &server_xkey, &mut rand_core::OsRng)
            .unwrap();
        if let Some(reply) = message.reply {
            service.publish(reply, sealed.into()).await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auth_callout_service_admits_whom_it_chooses() {
    let operator = key(KeyType::Operator);
    let (sys, auth, app) = (
        key(KeyType::Account),
        key(KeyType::Account),
        key(KeyType::Account),
    );
    let xkey = XKey::new(&mut rand_core::OsRng).unwrap();
    let t = unix_now() - 120;
    let mut op = OperatorClaims::new(operator.public_key());
    op.name = "CALLOUT".into();
    op.nats.system_account = sys.public_key();
    let operator_jwt = op.encode(&operator, t).unwrap();
    let account = |pair: &KeyPair, name: &str, edit: &dyn Fn(&mut AccountClaims)| {
        let mut claims = AccountClaims::new(pair.public_key());
        claims.name = name.into();
        edit(&mut claims);
        claims.encode(&operator, t).unwrap()
    };
    let (service_key, service_creds) = user_creds(&auth, "callout-service");
    // anyone connecting as a user of AUTH (a sentinel) is decided by the service
    let (_, sentinel) = user_creds(&auth, "sentinel");
    let sys_jwt = account(&sys, "SYS", &|_| {});
    let app_jwt = account(&app, "APP", &|_| {});
    let auth_jwt = account(&auth, "AUTH", &|c| {
        let a = &mut c.nats.authorization;
        a.auth_users.push(service_key.clone());
        a.allowed_accounts.push(app.public_key());
        a.xkey = xkey.public_key();
    });
    // nats-auth takes what it made
    let Ok(AnyClaims::Account(decoded)) = jwt::decode(&auth_jwt) else {
        panic!("AUTH does not decode")
    };
    assert!(!decoded.validate(unix_now()).is_blocking(true));

    let port = free_port();
    let config = format!(
        "listen: 127.0.0.1:{port}\noperator: {operator_jwt}\nsystem_account: {sys}\nresolver: MEMORY\nresolver_preload {{ {sys}: {sys_jwt}, {auth_key}: {auth_jwt}, {app_key}: {app_jwt} }}\n",
        sys = sys.public_key(),
        auth_key = auth.public_key(),
        app_key = app.public_key(),
    );
    let server = NatsServer::start(&support::nats_server_pypi(), "callout-nats", &config);
    let url = format!("nats://127.0.0.1:{}", server.port);
    let service = async_nats::ConnectOptions::new()
        .credentials(&service_creds)
        .unwrap()
        .connect(&url)
        .await
        .unwrap();
    let task = tokio::spawn(callout_service(service, auth, app.clone(), xkey));

    let connect = |user: &str, pass: &str| {
        let options = async_nats::ConnectOptions::new()
            .credentials(&sentinel)
            .unwrap()
            .user_and_password(user.into(), pass.into())
            .connection_timeout(Duration::from_secs(5))
            .max_reconnects(Some(0));
        let url = url.clone();
        async move { options.connect(url).await }
    };
    let alice = connect("alice", "s3cret").await.expect("alice admitted");
    // placed in APP with the permissions the service gave her
    let reply = alice
        .request("$SYS.REQ.USER.INFO", "".into())
        .await
        .unwrap();
    let info: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap();
    assert_eq!(info["data"]["account"], app.public_key().as_str(), "{info}");
    // nats-server lists the subjects in no set order
    let mut allowed: Vec<&str> = info["data"]["permissions"]["publish"]["allow"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str())
        .collect();
    allowed.sort_unstable();
    assert_eq!(allowed, ["$SYS.REQ.USER.INFO", "orders.>"], "{info}");
    let refused = connect("mallory", "guess")
        .await
        .err()
        .map(|e| e.to_string());
    assert!(
        refused
            .as_deref()
            .is_some_and(|e| e.to_lowercase().contains("authorization")),
        "{refused:?}\n{}",
        server.log()
    );
    task.abort();
}
