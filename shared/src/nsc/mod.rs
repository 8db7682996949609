//! An nsc environment read from its files: the store folder (`<op>/<op>.jwt`,
//! `<op>/accounts/<acc>/<acc>.jwt`, `…/users/<user>.jwt`) and the keys folder
//! (`keys/<c>/<cc>/<PUBKEY>.nk`, `creds/<op>/<acc>/<user>.creds`, or the old layout's creds
//! beside the users), in either place nsc keeps them (`~/.local/share/nats/nsc/…` or `~/.nsc`,
//! `~/.nkeys`). Files are told apart by what they hold, so a folder picked one level too high
//! or too low, or a zip of it ([`zip`]), reads the same. Nothing here does I/O.

pub mod zip;

use std::collections::{BTreeMap, BTreeSet};

use crate::jwt::{self, AnyClaims};
use crate::nkeys::{KeyPair, KeyType};

/// Files read at most, and their sizes: an nsc environment is small.
pub const MAX_FILES: usize = 20_000;
pub const MAX_FILE_SIZE: usize = 1 << 20;
pub const MAX_TOTAL_SIZE: usize = 64 << 20;

/// A JWT found in the files.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundJwt {
    pub path: String,
    pub name: String,
    /// The subject's public key.
    pub key: String,
    /// For a user: its account; for an account: its issuer's operator identity when known.
    pub parent: String,
    pub jwt: String,
}

/// A seed found in an `.nk` or `.creds` file.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundSeed {
    pub path: String,
    pub public_key: String,
    pub seed: String,
}

/// A key the JWTs name, and whether its seed was found.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyNeed {
    pub key: String,
    /// "operator", "operator signing key", "account", "account signing key" or "user".
    pub role: &'static str,
    /// Whose key it is (a name).
    pub owner: String,
    /// The identity a signing key (or a user) belongs to.
    pub signs_for: Option<String>,
    /// Where the seed came from, when found.
    pub seed_from: Option<String>,
}

/// Everything found, what could not be read and why, and which seeds match which JWTs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NscEnvironment {
    pub operators: Vec<FoundJwt>,
    pub accounts: Vec<FoundJwt>,
    pub users: Vec<FoundJwt>,
    pub seeds: Vec<FoundSeed>,
    /// (path, why it was skipped)
    pub skipped: Vec<(String, String)>,
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

impl NscEnvironment {
    /// Reads `files` (path, contents). Bounded: files past [`MAX_FILES`] or
    /// [`MAX_TOTAL_SIZE`], or larger than [`MAX_FILE_SIZE`], are skipped and said.
    pub fn read<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> NscEnvironment {
        let mut found = NscEnvironment::default();
        let mut total = 0usize;
        let mut seen_jwts = BTreeSet::new();
        let mut seen_seeds = BTreeSet::new();
        for (count, (path, bytes)) in files.into_iter().enumerate() {
            let name = file_name(path);
            let kind = name.rsplit_once('.').map_or("", |(_, ext)| ext);
            if !matches!(kind, "jwt" | "nk" | "creds" | "seed") {
                continue; // .nsc, .gitignore, nsc.json …: nothing to import
            }
            let mut skip = |why: String| found.skipped.push((path.to_string(), why));
            if count >= MAX_FILES {
                skip(format!("more than {MAX_FILES} files: not read"));
                continue;
            }
            if bytes.len() > MAX_FILE_SIZE {
                skip(format!("larger than {MAX_FILE_SIZE} bytes"));
                continue;
            }
            total += bytes.len();
            if total > MAX_TOTAL_SIZE {
                skip(format!("past {MAX_TOTAL_SIZE} bytes in all: not read"));
                continue;
            }
            let Ok(text) = std::str::from_utf8(bytes) else {
                skip("not text".into());
                continue;
            };
            match kind {
                "jwt" => found.add_jwt(path, text.trim(), &mut seen_jwts),
                "creds" => {
                    let token = crate::creds::parse_decorated_jwt(text);
                    found.add_jwt(path, &token, &mut seen_jwts);
                    found.add_seed(path, text, &mut seen_seeds);
                }
                _ => found.add_seed(path, text, &mut seen_seeds),
            }
        }
        found
    }

    fn add_jwt(&mut self, path: &str, token: &str, seen: &mut BTreeSet<String>) {
        let claims = match jwt::decode(token) {
            Ok(c) => c,
            Err(e) => return self.skipped.push((path.into(), e.explain())),
        };
        if !seen.insert(token.to_string()) {
            return;
        }
        let entry = |name: &str, key: &str, parent: &str| FoundJwt {
            path: path.into(),
            name: name.into(),
            key: key.into(),
            parent: parent.into(),
            jwt: token.into(),
        };
        match &claims {
            AnyClaims::Operator(o) => self.operators.push(entry(&o.name, &o.subject, "")),
            AnyClaims::Account(a) => self.accounts.push(entry(&a.name, &a.subject, &a.issuer)),
            AnyClaims::User(u) => {
                let account = if u.nats.issuer_account.is_empty() {
                    &u.issuer
                } else {
                    &u.nats.issuer_account
                };
                self.users.push(entry(&u.name, &u.subject, account))
            }
            other => self.skipped.push((
                path.into(),
                format!(
                    "a {} JWT: nsc stores operators, accounts and users",
                    other.claim_type().as_str()
                ),
            )),
        }
    }

    fn add_seed(&mut self, path: &str, text: &str, seen: &mut BTreeSet<String>) {
        let seed = crate::creds::parse_decorated_seed(text).unwrap_or_else(|_| text.trim().into());
        match KeyPair::from_seed(&seed) {
            Ok(pair) if pair.key_type() == KeyType::Curve => self.skipped.push((
                path.into(),
                "a curve (xkey) seed: not an nsc identity".into(),
            )),
            Ok(pair) => {
                if seen.insert(pair.public_key()) {
                    self.seeds.push(FoundSeed {
                        path: path.into(),
                        public_key: pair.public_key(),
                        seed,
                    });
                }
            }
            Err(e) => self.skipped.push((path.into(), e.explain())),
        }
    }

    /// The one operator found (several: the user picked a folder holding more than one).
    pub fn operator(&self) -> Result<&FoundJwt, String> {
        let distinct: BTreeSet<&str> = self.operators.iter().map(|o| o.key.as_str()).collect();
        match distinct.len() {
            0 => Err("no operator JWT found: pick the store folder of one operator (…/nsc/stores/<operator>)".into()),
            1 => Ok(self.newest(&self.operators, &self.operators[0].key)),
            n => Err(format!(
                "{n} operators found ({}): pick the folder of one of them",
                self.operators.iter().map(|o| o.name.as_str()).collect::<BTreeSet<_>>().into_iter().collect::<Vec<_>>().join(", ")
            )),
        }
    }

    /// The distinct operators found, as (name, key).
    pub fn operators_found(&self) -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = Vec::new();
        for o in &self.operators {
            if !found.iter().any(|(_, k)| *k == o.key) {
                found.push((o.name.clone(), o.key.clone()));
            }
        }
        found
    }

    /// What belongs to the operator `key` (a stores folder holds several): its JWTs, the
    /// accounts it or its signing keys issued, their users; every seed and skipped file stays.
    pub fn of_operator(&self, key: &str) -> NscEnvironment {
        let operators: Vec<FoundJwt> = self
            .operators
            .iter()
            .filter(|o| o.key == key)
            .cloned()
            .collect();
        let mut signers: BTreeSet<String> = [key.to_string()].into();
        for o in &operators {
            if let Ok(AnyClaims::Operator(claims)) = jwt::decode(&o.jwt) {
                signers.extend(claims.nats.signing_keys);
            }
        }
        let accounts: Vec<FoundJwt> = self
            .accounts
            .iter()
            .filter(|a| signers.contains(&a.parent))
            .cloned()
            .collect();
        let users = self
            .users
            .iter()
            .filter(|u| accounts.iter().any(|a| a.key == u.parent))
            .cloned()
            .collect();
        NscEnvironment {
            operators,
            accounts,
            users,
            seeds: self.seeds.clone(),
            skipped: self.skipped.clone(),
        }
    }

    /// Of the JWTs about `key`, the newest (an old copy may sit in a backup folder).
    fn newest<'a>(&self, list: &'a [FoundJwt], key: &str) -> &'a FoundJwt {
        let issued = |f: &FoundJwt| match jwt::decode(&f.jwt) {
            Ok(c) => c.issued_at(),
            Err(_) => 0,
        };
        list.iter()
            .filter(|f| f.key == key)
            .max_by_key(|f| issued(f))
            .expect("key taken from the list")
    }

    /// The newest JWT of each distinct account, and of each user.
    pub fn latest_accounts(&self) -> Vec<&FoundJwt> {
        self.latest(&self.accounts)
    }

    pub fn latest_users(&self) -> Vec<&FoundJwt> {
        self.latest(&self.users)
    }

    fn latest<'a>(&self, list: &'a [FoundJwt]) -> Vec<&'a FoundJwt> {
        let keys: BTreeSet<&str> = list.iter().map(|f| f.key.as_str()).collect();
        keys.into_iter().map(|k| self.newest(list, k)).collect()
    }

    /// Every key the JWTs name (identities, signing keys, users), with the seed found for it.
    pub fn key_needs(&self) -> Vec<KeyNeed> {
        let seeds: BTreeMap<&str, &str> = self
            .seeds
            .iter()
            .map(|s| (s.public_key.as_str(), s.path.as_str()))
            .collect();
        let mut needs: Vec<KeyNeed> = Vec::new();
        let mut need = |key: &str, role, owner: &str, signs_for: Option<&str>| {
            if needs.iter().any(|n| n.key == key) {
                return;
            }
            needs.push(KeyNeed {
                key: key.into(),
                role,
                owner: owner.into(),
                signs_for: signs_for.map(str::to_string),
                seed_from: seeds.get(key).map(|p| p.to_string()),
            });
        };
        if let Ok(op) = self.operator() {
            if let Ok(AnyClaims::Operator(o)) = jwt::decode(&op.jwt) {
                need(&o.subject, "operator", &o.name, None);
                for k in &o.nats.signing_keys {
                    need(k, "operator signing key", &o.name, Some(&o.subject));
                }
            }
        }
        for account in self.latest_accounts() {
            if let Ok(AnyClaims::Account(a)) = jwt::decode(&account.jwt) {
                need(&a.subject, "account", &a.name, None);
                for k in a.nats.signing_keys.keys() {
                    need(k, "account signing key", &a.name, Some(&a.subject));
                }
            }
        }
        for user in self.latest_users() {
            need(&user.key, "user", &user.name, Some(&user.parent));
        }
        needs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::{AccountClaims, OperatorClaims, UserClaims};

    fn pair(kind: KeyType, n: u8) -> KeyPair {
        KeyPair::from_raw_seed(kind, &[n; 32]).unwrap()
    }

    /// An operator with a signing key, account APP with a signing key, users alice (signed by
    /// that key) and bob; as nsc lays them out (new layout), with the operator's identity seed
    /// kept offline and bob's seed only in his creds file.
    fn environment() -> Vec<(String, Vec<u8>)> {
        let (op, op_sk) = (pair(KeyType::Operator, 1), pair(KeyType::Operator, 2));
        let (app, app_sk) = (pair(KeyType::Account, 3), pair(KeyType::Account, 4));
        let (alice, bob) = (pair(KeyType::User, 5), pair(KeyType::User, 6));
        let mut o = OperatorClaims::new(op.public_key());
        o.name = "ACME".into();
        o.nats.signing_keys.push(op_sk.public_key());
        let o = o.encode(&op, 100).unwrap();
        let mut a = AccountClaims::new(app.public_key());
        a.name = "APP".into();
        a.nats.signing_keys.add(app_sk.public_key());
        let a = a.encode(&op_sk, 100).unwrap();
        let mut u = UserClaims::new(alice.public_key());
        u.name = "alice".into();
        u.nats.issuer_account = app.public_key();
        let alice_jwt = u.encode(&app_sk, 100).unwrap();
        let mut u = UserClaims::new(bob.public_key());
        u.name = "bob".into();
        let bob_jwt = u.encode(&app, 100).unwrap();
        let nk = |p: &KeyPair| {
            let k = p.public_key();
            (
                format!("keys/keys/{}/{}/{k}.nk", &k[..1], &k[1..3]),
                p.seed().unwrap().into_bytes(),
            )
        };
        vec![
            ("stores/ACME/.nsc".into(), br#"{"name":"ACME"}"#.to_vec()),
            ("stores/ACME/ACME.jwt".into(), o.into_bytes()),
            ("stores/ACME/accounts/APP/APP.jwt".into(), a.into_bytes()),
            (
                "stores/ACME/accounts/APP/users/alice.jwt".into(),
                alice_jwt.into_bytes(),
            ),
            (
                "stores/ACME/accounts/APP/users/bob.jwt".into(),
                bob_jwt.clone().into_bytes(),
            ),
            nk(&op_sk),
            nk(&app),
            nk(&app_sk),
            nk(&alice),
            (
                "keys/creds/ACME/APP/bob.creds".into(),
                crate::creds::format_user_creds(&bob_jwt, &bob.seed().unwrap())
                    .unwrap()
                    .into_bytes(),
            ),
            ("keys/.gitignore".into(), b"**/*.nk\n".to_vec()),
            ("keys/keys/X/XX/broken.nk".into(), b"SUNOTASEED".to_vec()),
        ]
    }

    fn read(files: &[(String, Vec<u8>)]) -> NscEnvironment {
        NscEnvironment::read(files.iter().map(|(p, b)| (p.as_str(), b.as_slice())))
    }

    #[test]
    fn an_nsc_environment_is_found_and_its_keys_matched() {
        let found = read(&environment());
        assert_eq!(found.operator().unwrap().name, "ACME");
        assert_eq!(found.latest_accounts().len(), 1);
        let users: Vec<&str> = found
            .latest_users()
            .iter()
            .map(|u| u.name.as_str())
            .collect();
        assert_eq!(users.len(), 2);
        assert!(users.contains(&"alice") && users.contains(&"bob"));
        // bob's JWT is both in the store and in his creds: one user
        let needs = found.key_needs();
        let role_found = |role: &str| {
            needs
                .iter()
                .filter(|n| n.role == role)
                .map(|n| n.seed_from.is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            role_found("operator"),
            vec![false],
            "the identity kept offline"
        );
        assert_eq!(role_found("operator signing key"), vec![true]);
        assert_eq!(role_found("account"), vec![true]);
        assert_eq!(role_found("account signing key"), vec![true]);
        assert_eq!(role_found("user"), vec![true, true]);
        let bob = needs.iter().find(|n| n.owner == "bob").unwrap();
        assert_eq!(
            bob.seed_from.as_deref(),
            Some("keys/creds/ACME/APP/bob.creds")
        );
        assert_eq!(
            bob.signs_for.as_deref(),
            Some(pair(KeyType::Account, 3).public_key().as_str())
        );
        assert_eq!(found.skipped.len(), 1, "{:?}", found.skipped);
        assert_eq!(found.skipped[0].0, "keys/keys/X/XX/broken.nk");
    }

    #[test]
    fn two_operators_or_none_are_said() {
        let mut files = environment();
        let other = pair(KeyType::Operator, 9);
        let mut o = OperatorClaims::new(other.public_key());
        o.name = "OTHER".into();
        files.push((
            "stores/OTHER/OTHER.jwt".into(),
            o.encode(&other, 1).unwrap().into_bytes(),
        ));
        let both = read(&files);
        let error = both.operator().unwrap_err();
        assert!(error.contains("2 operators found (ACME, OTHER)"), "{error}");
        // one of them picked: its own JWTs only
        let acme = pair(KeyType::Operator, 1).public_key();
        assert_eq!(both.operators_found().len(), 2);
        let picked = both.of_operator(&acme);
        assert_eq!(picked.operator().unwrap().name, "ACME");
        assert_eq!(picked.latest_accounts().len(), 1);
        assert_eq!(picked.latest_users().len(), 2);
        let other = both.of_operator(&other.public_key());
        assert!(other.accounts.is_empty() && other.users.is_empty());
        files.retain(|(path, _)| !path.ends_with("ACME.jwt") && !path.ends_with("OTHER.jwt"));
        let none = read(&files).operator().unwrap_err();
        assert!(none.starts_with("no operator JWT found"), "{none}");
    }

    #[test]
    fn reading_is_bounded() {
        let big = vec![b'a'; MAX_FILE_SIZE + 1];
        let found = NscEnvironment::read([("x.jwt", big.as_slice())]);
        assert!(found.skipped[0].1.starts_with("larger than"));
        let many: Vec<(String, Vec<u8>)> = (0..MAX_FILES + 2)
            .map(|i| (format!("{i}.nk"), b"x".to_vec()))
            .collect();
        let found = read(&many);
        assert_eq!(found.skipped.len(), MAX_FILES + 2);
        assert!(found.skipped.last().unwrap().1.contains("not read"));
    }
}
