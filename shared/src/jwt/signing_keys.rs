//! An account's signing keys: plain keys, or `user_scope` keys whose users get the scope's
//! template instead of permissions of their own.

use std::collections::BTreeMap;

use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::user::UserPermissionLimits;
use crate::nkeys::is_valid_public_account_key;
use crate::validation::ValidationResults;

pub const USER_SCOPE_KIND: &str = "user_scope";

/// A scoped signing key: users it signs carry no permissions; the server applies `template`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserScope {
    pub kind: String,
    pub key: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub template: UserPermissionLimits,
    // Go 2.3 had no description; writing it only when set keeps older bytes unchanged.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl UserScope {
    /// A scope for `key` with Go's `NewUserScope` defaults (unlimited subs, data, payload).
    pub fn new(key: impl Into<String>, role: impl Into<String>) -> Self {
        let mut template = UserPermissionLimits::default();
        template.set_unlimited_nats_limits();
        UserScope {
            kind: USER_SCOPE_KIND.into(),
            key: key.into(),
            role: role.into(),
            template,
            description: String::new(),
        }
    }
}

/// Signing key → its scope (`None` for a plain signing key). Written as a JSON array of
/// strings and scope objects, sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SigningKeys(pub BTreeMap<String, Option<UserScope>>);

impl SigningKeys {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn contains(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
    pub fn scope(&self, key: &str) -> Option<&UserScope> {
        self.0.get(key).and_then(Option::as_ref)
    }
    pub fn add(&mut self, key: impl Into<String>) {
        self.0.insert(key.into(), None);
    }
    pub fn add_scope(&mut self, scope: UserScope) {
        self.0.insert(scope.key.clone(), Some(scope));
    }
    pub fn remove(&mut self, key: &str) {
        self.0.remove(key);
    }
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    pub fn validate(&self, vr: &mut ValidationResults) {
        for (key, scope) in &self.0 {
            match scope {
                Some(scope) if !is_valid_public_account_key(&scope.key) => {
                    vr.add_error(format!("{} is not an account public key", scope.key));
                }
                None if !is_valid_public_account_key(key) => {
                    vr.add_error(format!("{key:?} is not a valid account signing key"));
                }
                _ => {}
            }
        }
    }
}

impl Serialize for SigningKeys {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for (key, scope) in &self.0 {
            match scope {
                Some(scope) => seq.serialize_element(scope)?,
                None => seq.serialize_element(key)?,
            }
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for SigningKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let entries = Option::<Vec<Value>>::deserialize(d)?.unwrap_or_default();
        let mut keys = SigningKeys::default();
        for entry in entries {
            match entry {
                Value::String(key) => keys.add(key),
                Value::Object(mut object) => {
                    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
                    if kind != USER_SCOPE_KIND {
                        return Err(D::Error::custom(format!(
                            "unknown signing key scope {kind:?}"
                        )));
                    }
                    // Go decodes scopes over NewUserScope(): missing limits mean unlimited.
                    if let Some(Value::Object(template)) = object.get_mut("template") {
                        for limit in ["subs", "data", "payload"] {
                            template.entry(limit).or_insert(Value::from(-1));
                        }
                    } else {
                        object.insert(
                            "template".into(),
                            serde_json::json!({"subs": -1, "data": -1, "payload": -1}),
                        );
                    }
                    let scope: UserScope =
                        serde_json::from_value(Value::Object(object)).map_err(D::Error::custom)?;
                    keys.add_scope(scope);
                }
                other => {
                    return Err(D::Error::custom(format!(
                        "signing key entries are strings or objects, not {other}"
                    )))
                }
            }
        }
        Ok(keys)
    }
}
