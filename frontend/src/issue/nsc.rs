//! nsc in and out: an nsc environment read by `nats_auth::nsc` goes into the vault (its
//! operator, accounts, users and the seeds that match them), and the vault comes out as an
//! nsc-layout zip or a NATS CLI context for one user. All in the browser; nothing is sent.

use nats_auth::jwt::{self, AnyClaims};
use nats_auth::nsc::NscEnvironment;

use super::{operator, upsert};
use crate::vault::{Entity, VaultData, VaultKey};

/// What an import brought in, said in one sentence, and what it left out.
#[derive(Debug, Clone, PartialEq)]
pub struct NscImported {
    pub summary: String,
    /// Accounts not taken, with the reason (not signed by the operator, invalid).
    pub refused: Vec<String>,
}

/// Takes the environment's operator (the vault's own, or none yet), the accounts it signed,
/// their users, and the seed of every key those JWTs name. An account already in the vault
/// is replaced only by a newer JWT.
pub fn import_nsc(data: &mut VaultData, found: &NscEnvironment) -> Result<NscImported, String> {
    let op_found = found.operator()?;
    let op = match jwt::decode(&op_found.jwt) {
        Ok(AnyClaims::Operator(o)) => o,
        _ => return Err(format!("{}: not an operator JWT", op_found.path)),
    };
    if let Some(mine) = operator(data) {
        if mine.subject != op.subject {
            return Err(format!(
                "this vault holds operator {} ({}); the nsc store is operator {} ({}): import it into a vault of its own",
                mine.name,
                super::short(&mine.subject),
                op.name,
                super::short(&op.subject)
            ));
        }
    }
    nats_auth::chain::check_operator_update(&op, operator(data).as_ref())
        .map_err(|e| e.to_string())?;
    data.operator_jwt = Some(op_found.jwt.clone());

    let issued = |token: &str| jwt::decode(token).map_or(0, |c| c.issued_at());
    let mut refused = Vec::new();
    let mut accounts = 0;
    for found_account in found.latest_accounts() {
        let Ok(AnyClaims::Account(a)) = jwt::decode(&found_account.jwt) else {
            continue;
        };
        if let Err(e) = nats_auth::chain::check_account(&a, &op) {
            refused.push(format!("account {}: {e}", a.name));
            continue;
        }
        let newer = data
            .accounts
            .iter()
            .find(|e| e.key == a.subject)
            .is_none_or(|e| issued(&e.jwt) < a.issued_at);
        if newer {
            upsert(
                &mut data.accounts,
                Entity {
                    name: a.name.clone(),
                    key: a.subject.clone(),
                    account: None,
                    jwt: found_account.jwt.clone(),
                },
            );
        }
        accounts += 1;
    }
    let mut users = 0;
    for user in found.latest_users() {
        if !data.accounts.iter().any(|a| a.key == user.parent) {
            refused.push(format!(
                "user {}: its account {} was not found",
                user.name,
                super::short(&user.parent)
            ));
            continue;
        }
        let newer = data
            .users
            .iter()
            .find(|e| e.key == user.key)
            .is_none_or(|e| issued(&e.jwt) < issued(&user.jwt));
        if newer {
            upsert(
                &mut data.users,
                Entity {
                    name: user.name.clone(),
                    key: user.key.clone(),
                    account: Some(user.parent.clone()),
                    jwt: user.jwt.clone(),
                },
            );
        }
        users += 1;
    }
    let mut keys = 0;
    let mut missing = Vec::new();
    for need in found.key_needs() {
        if need.seed_from.is_none() {
            missing.push(format!("{} of {}", need.role, need.owner));
            continue;
        }
        if data.seed_of(&need.key).is_some() {
            continue;
        }
        let Some(seed) = found.seeds.iter().find(|s| s.public_key == need.key) else {
            continue;
        };
        data.keys.push(VaultKey {
            role: need.role.split(' ').next().unwrap_or(need.role).into(),
            name: match need.role {
                "operator signing key" | "account signing key" => {
                    format!("{} signing key", need.owner)
                }
                _ => need.owner.clone(),
            },
            public_key: need.key.clone(),
            seed: seed.seed.clone(),
            signs_for: need.signs_for.clone(),
        });
        keys += 1;
    }
    let mut summary = format!(
        "imported operator {}, {accounts} account(s), {users} user(s) and {keys} key(s) from nsc",
        op.name
    );
    if !missing.is_empty() {
        summary.push_str(&format!("; no seed found for: {}", missing.join(", ")));
    }
    Ok(NscImported { summary, refused })
}

/// The vault as an nsc environment (the new layout, under `nsc/`): `stores/<op>/…` JWTs and
/// `keys/keys/<c>/<cc>/<KEY>.nk` seeds, `keys/creds/<op>/<acc>/<user>.creds`, as a stored zip.
/// It holds seeds: the user's own download.
pub fn nsc_zip(data: &VaultData) -> Result<Vec<u8>, String> {
    let op = operator(data).ok_or("the vault holds no operator")?;
    let op_jwt = data.operator_jwt.clone().unwrap_or_default();
    let store = format!("nsc/stores/{}", op.name);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (
            format!("{store}/.nsc"),
            serde_json::json!({"name": op.name, "managed": false, "kind": "operator", "version": "1"})
                .to_string()
                .into_bytes(),
        ),
        (format!("{store}/{}.jwt", op.name), op_jwt.into_bytes()),
    ];
    let name_of = |key: &str| {
        data.accounts
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.name.clone())
    };
    for account in &data.accounts {
        let dir = format!("{store}/accounts/{}", account.name);
        files.push((
            format!("{dir}/{}.jwt", account.name),
            account.jwt.clone().into_bytes(),
        ));
    }
    for user in &data.users {
        let Some(account) = user.account.as_deref().and_then(name_of) else {
            continue;
        };
        files.push((
            format!("{store}/accounts/{account}/users/{}.jwt", user.name),
            user.jwt.clone().into_bytes(),
        ));
        if let Some(seed) = data.seed_of(&user.key) {
            let creds =
                nats_auth::creds::format_user_creds(&user.jwt, seed).map_err(|e| e.to_string())?;
            files.push((
                format!("nsc/keys/creds/{}/{account}/{}.creds", op.name, user.name),
                creds.into_bytes(),
            ));
        }
    }
    for key in &data.keys {
        let k = &key.public_key;
        if k.len() < 3 {
            continue;
        }
        files.push((
            format!("nsc/keys/keys/{}/{}/{k}.nk", &k[..1], &k[1..3]),
            key.seed.clone().into_bytes(),
        ));
    }
    files.push((
        "nsc/keys/.gitignore".into(),
        b"**/*.nk\n**/*.creds\n".to_vec(),
    ));
    Ok(nats_auth::nsc::zip::write_stored(
        files.iter().map(|(p, b)| (p.as_str(), b.as_slice())),
    ))
}

/// A NATS CLI context (`nats context import`, `~/.config/nats/context/<name>.json`) for a
/// user whose creds file is saved as `creds_path`.
pub fn nats_context(name: &str, servers: &[String], creds_path: &str) -> String {
    let context = serde_json::json!({
        "description": format!("{name}, made by NATS Console"),
        "url": servers.join(","),
        "creds": creds_path,
    });
    serde_json::to_string_pretty(&context).unwrap_or_default()
}
