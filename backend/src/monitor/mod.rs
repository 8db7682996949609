//! Cluster monitoring through the system account: one monitoring endpoint asked of every
//! server (`$SYS.REQ.SERVER.PING.<Z>`) or one (`$SYS.REQ.SERVER.<id>.<Z>`) on the session's
//! own NATS connection, so nats-server decides what the person may see. A team's session asks
//! the account-scoped subjects nats-server maps to its own account.

pub mod events;
pub mod known_servers;
pub mod query;

use std::collections::HashSet;

use nats_auth::session::Role;
use serde_json::{json, Value};

use crate::session::Session;
use known_servers::KnownServers;
use query::{Endpoint, MonitorQuery};

#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    /// Not this session's to see (403).
    #[error("{0}")]
    Forbidden(String),
    /// The session has no NATS connection (503).
    #[error("{0}")]
    NoConnection(String),
    /// NATS failed the request (502).
    #[error("{0}")]
    Nats(String),
}

/// The subject a session asks `endpoint` on, or why it may not.
pub fn subject_for(
    session: &Session,
    endpoint: Endpoint,
    query: &MonitorQuery,
) -> Result<String, MonitorError> {
    let team_may = |account_field: &str| -> Result<(), MonitorError> {
        match query.options.get(account_field).and_then(Value::as_str) {
            Some(other) if other != session.grant.account => Err(MonitorError::Forbidden(format!(
                "you are signed in for account {}: {other:.64} is not yours to see",
                session.grant.account_name
            ))),
            _ => Ok(()),
        }
    };
    match (session.grant.role, endpoint) {
        (Role::Team, Endpoint::Connz) => {
            team_may("acc")?;
            Ok("$SYS.REQ.ACCOUNT.PING.CONNZ".into())
        }
        (_, Endpoint::Accstatz) => Ok("$SYS.REQ.ACCOUNT.PING.STATZ".into()),
        (Role::Team, other) => Err(MonitorError::Forbidden(format!(
            "{} is for admins (users of the system account); a team sees its own account's connz and accstatz",
            other.name()
        ))),
        (Role::Admin, endpoint) => Ok(match &query.server {
            Some(id) => format!("$SYS.REQ.SERVER.{id}.{}", endpoint.token()),
            None => format!("$SYS.REQ.SERVER.PING.{}", endpoint.token()),
        }),
    }
}

/// Asks `endpoint` of the cluster as `session`:
/// `{"endpoint","subject","servers":[{"server","data"}],"missing":[names],"errors":[…]}`, and
/// for connz the cluster-wide page in `"merged"`.
pub async fn ask(
    session: &Session,
    known: &KnownServers,
    endpoint: Endpoint,
    mut query: MonitorQuery,
) -> Result<Value, MonitorError> {
    let subject = subject_for(session, endpoint, &query)?;
    let client = session.nats_client().map_err(MonitorError::NoConnection)?;
    let (offset, limit) = query.page();
    if endpoint == Endpoint::Connz {
        // each server's first offset + limit rows hold the cluster's page
        query.options.insert("offset".into(), 0.into());
        query
            .options
            .insert("limit".into(), (offset + limit).into());
    }
    let admin = session.grant.role == Role::Admin;
    let addressed = subject.starts_with("$SYS.REQ.SERVER.") && query.server.is_some();
    // who should answer (named missing when silent), and whether to end once they did
    let expected: HashSet<String> = match (&query.server, admin) {
        (Some(id), _) => HashSet::from([id.clone()]),
        (None, true) if query.cluster.is_none() => known.ids(),
        _ => HashSet::new(),
    };
    let wait_for = if query.server.is_none() && known.discovery_due() {
        HashSet::new()
    } else {
        expected.clone()
    };
    let payload = Value::Object(query.options.clone());
    let replies =
        crate::sys_request::gather_expecting(&client, subject.clone(), payload, &wait_for)
            .await
            .map_err(|e| MonitorError::Nats(e.to_string()))?;

    let mut servers = Vec::new();
    let mut errors = Vec::new();
    let mut answered = HashSet::new();
    for reply in replies {
        let id = crate::sys_request::server_id(&reply).to_string();
        if !addressed {
            if let Some(wanted) = &query.server {
                if &id != wanted {
                    continue;
                }
            }
        }
        let error = reply_error(&reply);
        let (server, data) = match endpoint {
            Endpoint::Idz => (reply.clone(), reply),
            Endpoint::Statsz => (reply["server"].clone(), reply["statsz"].clone()),
            _ => (reply["server"].clone(), reply["data"].clone()),
        };
        let name = server["name"].as_str().unwrap_or("").to_string();
        if admin {
            known.saw(&id, &name);
        }
        answered.insert(id);
        match error {
            Some(error) => errors.push(json!({ "server": name, "error": error })),
            None => servers.push(json!({ "server": server, "data": data })),
        }
    }
    // an id replaced during this round (its server restarted under the same name) is not missing
    let mut missing: Vec<String> = expected
        .difference(&answered)
        .filter(|id| query.server.is_some() || known.contains(id))
        .map(|id| known.name_of(id))
        .collect();
    missing.sort();
    servers.sort_by(|a, b| {
        let name = |s: &Value| s["server"]["name"].as_str().unwrap_or("").to_string();
        name(a).cmp(&name(b))
    });
    let mut answer = json!({
        "endpoint": endpoint.name(),
        "subject": subject,
        "missing": missing,
        "errors": errors,
    });
    if endpoint == Endpoint::Connz {
        answer["merged"] = Value::Object(nats_auth::monitoring::merge_connz(
            &mut servers,
            query.sort(),
            offset,
            limit,
        ));
    }
    answer["servers"] = Value::Array(servers);
    Ok(answer)
}

/// A reply's `{"error":{"code","description"}}`, when it carries one.
fn reply_error(reply: &Value) -> Option<Value> {
    reply.get("error").filter(|e| !e.is_null()).cloned()
}
