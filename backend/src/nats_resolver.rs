//! nats-server's own resolver (nats-resolver, `resolver: {type: full}`), driven over an admin
//! session's NATS connection so that nats-server decides: push an account
//! (`$SYS.REQ.CLAIMS.UPDATE`), list what each server holds (`$SYS.REQ.CLAIMS.LIST`), look up a
//! server's version (`$SYS.REQ.ACCOUNT.<key>.CLAIMS.LOOKUP`), delete with an operator-signed
//! request (`$SYS.REQ.CLAIMS.DELETE`), and the reconcile report comparing the cluster with this
//! console's store.

use std::collections::{BTreeMap, BTreeSet};

use nats_auth::jwt::{self, AnyClaims};

use crate::sys_request::{self, SysRequestError};

/// Accounts whose cluster versions one report looks up at most; the rest are counted only.
pub const MAX_COMPARED: usize = 2_000;
/// Lookups in flight at once.
const LOOKUPS_IN_FLIGHT: usize = 16;

/// One server's answer to an update or delete request.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ServerAnswer {
    pub server: String,
    pub server_id: String,
    pub ok: bool,
    /// The account the answer is about, when the server named one.
    pub account: String,
    /// The server's words: "jwt updated", "deleted 1 accounts", or why not.
    pub message: String,
}

impl ServerAnswer {
    /// Reads nats-server's `ServerAPIClaimUpdateResponse`.
    fn of(reply: &serde_json::Value) -> ServerAnswer {
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        let (ok, body, words) = match reply.get("error").filter(|e| !e.is_null()) {
            Some(error) => (false, error, &error["description"]),
            None => (true, &reply["data"], &reply["data"]["message"]),
        };
        ServerAnswer {
            server: text(&reply["server"]["name"]),
            server_id: text(&reply["server"]["id"]),
            ok,
            account: text(&body["account"]),
            message: text(words),
        }
    }
}

/// What one server's resolver holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ServerAccounts {
    pub server: String,
    pub server_id: String,
    pub accounts: BTreeSet<String>,
}

/// Pushes an account JWT to every server's resolver; one answer per server.
pub async fn push(
    client: &async_nats::Client,
    account_jwt: &str,
) -> Result<Vec<ServerAnswer>, SysRequestError> {
    answers(client, "$SYS.REQ.CLAIMS.UPDATE", account_jwt).await
}

/// Sends an operator-signed delete request (signed in the browser); one answer per server.
pub async fn delete(
    client: &async_nats::Client,
    request_jwt: &str,
) -> Result<Vec<ServerAnswer>, SysRequestError> {
    answers(client, "$SYS.REQ.CLAIMS.DELETE", request_jwt).await
}

async fn answers(
    client: &async_nats::Client,
    subject: &str,
    payload: &str,
) -> Result<Vec<ServerAnswer>, SysRequestError> {
    let replies =
        sys_request::gather_raw(client, subject.into(), payload.to_string().into(), 0).await?;
    Ok(replies
        .iter()
        .filter_map(|r| serde_json::from_slice::<serde_json::Value>(r).ok())
        .map(|r| ServerAnswer::of(&r))
        .collect())
}

/// The accounts each server's resolver holds. Servers without a nats-resolver do not answer.
pub async fn list(client: &async_nats::Client) -> Result<Vec<ServerAccounts>, SysRequestError> {
    let replies = sys_request::gather(
        client,
        "$SYS.REQ.CLAIMS.LIST".into(),
        serde_json::Value::Null,
    )
    .await?;
    let mut servers: Vec<ServerAccounts> = replies
        .iter()
        .map(|r| ServerAccounts {
            server: r["server"]["name"].as_str().unwrap_or_default().into(),
            server_id: sys_request::server_id(r).into(),
            accounts: r["data"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect(),
        })
        .collect();
    servers.sort_by(|a, b| a.server.cmp(&b.server));
    Ok(servers)
}

/// The versions of `account` the servers hold (one JWT per server holding it; the others
/// answer empty), waiting for `servers` answers at most.
pub async fn lookup(
    client: &async_nats::Client,
    account: &str,
    servers: usize,
) -> Result<Vec<String>, SysRequestError> {
    let subject = format!("$SYS.REQ.ACCOUNT.{account}.CLAIMS.LOOKUP");
    let replies = sys_request::gather_raw(client, subject, bytes::Bytes::new(), servers).await?;
    Ok(replies
        .into_iter()
        .filter_map(|r| String::from_utf8(r.to_vec()).ok())
        .filter(|r| r.starts_with("eyJ"))
        .collect())
}

/// The versions of each of `accounts` in the cluster, `LOOKUPS_IN_FLIGHT` at a time.
pub async fn lookup_all(
    client: &async_nats::Client,
    accounts: Vec<String>,
    servers: usize,
) -> Result<BTreeMap<String, Vec<String>>, SysRequestError> {
    let mut versions = BTreeMap::new();
    for chunk in accounts.chunks(LOOKUPS_IN_FLIGHT) {
        let mut lookups = tokio::task::JoinSet::new();
        for account in chunk {
            let (client, account) = (client.clone(), account.clone());
            lookups.spawn(async move {
                let found = lookup(&client, &account, servers).await;
                (account, found)
            });
        }
        while let Some(done) = lookups.join_next().await {
            let (account, found) = done.map_err(|e| SysRequestError::Nats(e.to_string()))?;
            versions.insert(account, found?);
        }
    }
    Ok(versions)
}

/// How an account here compares with the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Agreement {
    /// Every server holds this console's version.
    Same,
    /// Stored here, on no server: push it.
    OnlyHere,
    /// On servers, not stored here: store the cluster's version here, or delete it there.
    OnlyInCluster,
    /// Some servers lack it: push it.
    MissingOnServers,
    /// A server holds an older version: push it.
    OlderInCluster,
    /// A server holds a newer version than this console: store that one here.
    NewerInCluster,
}

/// What fixes a difference, as the reconcile view offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fix {
    /// Push this console's JWT to the cluster.
    Push,
    /// Store the cluster's newest JWT in this console.
    Store,
    /// Delete the account from the cluster (operator-signed).
    Delete,
}

/// One account of the reconcile report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AccountAgreement {
    pub account: String,
    pub name: String,
    pub agreement: Agreement,
    /// `iat` of this console's JWT.
    pub here_issued: Option<i64>,
    /// `iat` of each distinct version the servers hold, newest first.
    pub cluster_issued: Vec<i64>,
    /// Servers that do not list the account.
    pub missing_on: Vec<String>,
    pub fixes: Vec<Fix>,
    /// The newest version the cluster holds, when storing it here is a fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_jwt: Option<String>,
}

fn name_and_issued(account_jwt: &str) -> Option<(String, i64)> {
    match jwt::decode(account_jwt) {
        Ok(AnyClaims::Account(a)) => Some((a.name, a.issued_at)),
        _ => None,
    }
}

/// Compares `here` (key → JWT in this console's store) with what `servers` list and the
/// versions they hold (`versions`, from [`lookup_all`]). Sorted by name, differences first.
pub fn reconcile(
    here: &BTreeMap<String, String>,
    servers: &[ServerAccounts],
    versions: &BTreeMap<String, Vec<String>>,
) -> Vec<AccountAgreement> {
    let everywhere: BTreeSet<&String> = here
        .keys()
        .chain(servers.iter().flat_map(|s| s.accounts.iter()))
        .collect();
    let mut report: Vec<AccountAgreement> = everywhere
        .into_iter()
        .map(|account| {
            let missing_on: Vec<String> = servers
                .iter()
                .filter(|s| !s.accounts.contains(account))
                .map(|s| s.server.clone())
                .collect();
            let held = versions.get(account).map(Vec::as_slice).unwrap_or(&[]);
            let mut cluster: Vec<(i64, &String)> = held
                .iter()
                .filter_map(|j| name_and_issued(j).map(|(_, iat)| (iat, j)))
                .collect();
            cluster.sort_by(|a, b| b.cmp(a));
            cluster.dedup_by(|a, b| a.1 == b.1);
            let newest = cluster.first().map(|(_, j)| (*j).clone());
            let here_jwt = here.get(account);
            let here_decoded = here_jwt.and_then(|j| name_and_issued(j));
            let listed_somewhere = missing_on.len() < servers.len();
            let (agreement, fixes, offer) = match (here_jwt, &here_decoded) {
                (None, _) => (
                    Agreement::OnlyInCluster,
                    vec![Fix::Store, Fix::Delete],
                    true,
                ),
                (Some(_), _) if !listed_somewhere => (Agreement::OnlyHere, vec![Fix::Push], false),
                (Some(mine), decoded) => {
                    let here_iat = decoded.as_ref().map_or(0, |(_, iat)| *iat);
                    if cluster.iter().any(|(iat, j)| *iat > here_iat && *j != mine) {
                        (Agreement::NewerInCluster, vec![Fix::Store], true)
                    } else if cluster.iter().any(|(_, j)| *j != mine) {
                        (Agreement::OlderInCluster, vec![Fix::Push], false)
                    } else if !missing_on.is_empty() {
                        (Agreement::MissingOnServers, vec![Fix::Push], false)
                    } else {
                        (Agreement::Same, vec![], false)
                    }
                }
            };
            let name = here_decoded
                .as_ref()
                .map(|(n, _)| n.clone())
                .or_else(|| newest.as_deref().and_then(name_and_issued).map(|(n, _)| n))
                .unwrap_or_default();
            AccountAgreement {
                account: account.clone(),
                name,
                agreement,
                here_issued: here_decoded.map(|(_, iat)| iat),
                cluster_issued: cluster.iter().map(|(iat, _)| *iat).collect(),
                missing_on,
                fixes,
                cluster_jwt: if offer { newest } else { None },
            }
        })
        .collect();
    report.sort_by(|a, b| {
        (a.agreement == Agreement::Same, &a.name, &a.account).cmp(&(
            b.agreement == Agreement::Same,
            &b.name,
            &b.account,
        ))
    });
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use nats_auth::jwt::AccountClaims;
    use nats_auth::nkeys::{KeyPair, KeyType};

    fn account_jwt(seed: u8, name: &str, iat: i64) -> (String, String) {
        let operator = KeyPair::from_raw_seed(KeyType::Operator, &[9; 32]).unwrap();
        let key = KeyPair::from_raw_seed(KeyType::Account, &[seed; 32])
            .unwrap()
            .public_key();
        let mut claims = AccountClaims::new(key.clone());
        claims.name = name.into();
        (key, claims.encode(&operator, iat).unwrap())
    }

    fn server(name: &str, accounts: &[&String]) -> ServerAccounts {
        ServerAccounts {
            server: name.into(),
            server_id: format!("N{name}"),
            accounts: accounts.iter().map(|a| (*a).clone()).collect(),
        }
    }

    #[test]
    fn every_difference_gets_the_fix_that_ends_it() {
        let (same, same_jwt) = account_jwt(1, "SAME", 100);
        let (mine, mine_jwt) = account_jwt(2, "MINE", 100);
        let (theirs, theirs_jwt) = account_jwt(3, "THEIRS", 100);
        let (partial, partial_jwt) = account_jwt(4, "PARTIAL", 100);
        let (stale, stale_new) = account_jwt(5, "STALE", 200);
        let (_, stale_old) = account_jwt(5, "STALE", 100);
        let (ahead, ahead_old) = account_jwt(6, "AHEAD", 100);
        let (_, ahead_new) = account_jwt(6, "AHEAD", 300);
        let here: BTreeMap<String, String> = [
            (&same, &same_jwt),
            (&mine, &mine_jwt),
            (&partial, &partial_jwt),
            (&stale, &stale_new),
            (&ahead, &ahead_old),
        ]
        .into_iter()
        .map(|(k, j)| (k.clone(), j.clone()))
        .collect();
        let servers = [
            server("n1", &[&same, &theirs, &partial, &stale, &ahead]),
            server("n2", &[&same, &theirs, &stale, &ahead]),
        ];
        let versions: BTreeMap<String, Vec<String>> = [
            (&same, vec![same_jwt.clone(), same_jwt.clone()]),
            (&theirs, vec![theirs_jwt.clone(), theirs_jwt.clone()]),
            (&partial, vec![partial_jwt.clone()]),
            (&stale, vec![stale_new.clone(), stale_old.clone()]),
            (&ahead, vec![ahead_new.clone(), ahead_old.clone()]),
        ]
        .into_iter()
        .map(|(k, v)| (k.clone(), v))
        .collect();
        let report = reconcile(&here, &servers, &versions);
        let of = |key: &String| report.iter().find(|r| r.account == *key).unwrap();

        assert_eq!(of(&same).agreement, Agreement::Same);
        assert!(of(&same).fixes.is_empty());
        assert_eq!(report.last().unwrap().account, same, "agreements last");

        assert_eq!(of(&mine).agreement, Agreement::OnlyHere);
        assert_eq!(of(&mine).fixes, vec![Fix::Push]);
        assert_eq!(of(&mine).missing_on, vec!["n1", "n2"]);

        let only_there = of(&theirs);
        assert_eq!(only_there.agreement, Agreement::OnlyInCluster);
        assert_eq!(only_there.fixes, vec![Fix::Store, Fix::Delete]);
        assert_eq!(only_there.name, "THEIRS", "named from the cluster's JWT");
        assert_eq!(only_there.cluster_jwt.as_deref(), Some(theirs_jwt.as_str()));

        assert_eq!(of(&partial).agreement, Agreement::MissingOnServers);
        assert_eq!(of(&partial).missing_on, vec!["n2"]);

        assert_eq!(of(&stale).agreement, Agreement::OlderInCluster);
        assert_eq!(of(&stale).cluster_issued, vec![200, 100]);
        assert_eq!(of(&stale).fixes, vec![Fix::Push]);

        let behind = of(&ahead);
        assert_eq!(behind.agreement, Agreement::NewerInCluster);
        assert_eq!(behind.fixes, vec![Fix::Store]);
        assert_eq!(behind.here_issued, Some(100));
        assert_eq!(behind.cluster_jwt.as_deref(), Some(ahead_new.as_str()));
    }

    #[test]
    fn server_answers_read_as_nats_server_writes_them() {
        let ok = serde_json::json!({"server": {"name": "n1", "id": "NA"},
            "data": {"account": "AX", "code": 200, "message": "jwt updated"}});
        let refused = serde_json::json!({"server": {"name": "n2", "id": "NB"},
            "error": {"account": "AX", "code": 500,
                "description": "jwt update resulted in error - operator requires issuer to be a signing key"}});
        let ok = ServerAnswer::of(&ok);
        assert!(ok.ok && ok.message == "jwt updated" && ok.account == "AX" && ok.server == "n1");
        let refused = ServerAnswer::of(&refused);
        assert!(
            !refused.ok && refused.message.contains("signing key") && refused.server_id == "NB"
        );
    }
}
