//! The vault: the seeds (and the JWTs made with them) encrypted at rest in `localStorage` with
//! WebCrypto AES-GCM, under a key derived from the passphrase by PBKDF2-SHA256 (600 000
//! iterations, random salt). The derived key is non-extractable and kept in memory only while
//! the vault is unlocked; the passphrase itself is never stored.

use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AesGcmParams, CryptoKey, Pbkdf2Params, SubtleCrypto};

/// OWASP's 2023 floor for PBKDF2-HMAC-SHA256.
pub const PBKDF2_ITERATIONS: u32 = 600_000;
const STORAGE_KEY: &str = "nats-console.vault";

/// What the vault holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VaultData {
    pub keys: Vec<VaultKey>,
    pub operator_jwt: Option<String>,
    pub accounts: Vec<Entity>,
    pub users: Vec<Entity>,
    /// Activation tokens issued here (`key`: the importing account, `account`: the exporter,
    /// `name`: the exported subject). Vaults made before there were none.
    #[serde(default)]
    pub activations: Vec<Entity>,
}

/// A key pair: its role, a name, the public key and the seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaultKey {
    /// "operator", "account", "user", "curve".
    pub role: String,
    pub name: String,
    pub public_key: String,
    pub seed: String,
    /// For a signing key: the identity (operator or account) it signs for.
    pub signs_for: Option<String>,
}

/// An account or user JWT made here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub name: String,
    pub key: String,
    /// For users: their account.
    pub account: Option<String>,
    pub jwt: String,
}

impl VaultData {
    pub fn seed_of(&self, public_key: &str) -> Option<&str> {
        self.keys
            .iter()
            .find(|k| k.public_key == public_key)
            .map(|k| k.seed.as_str())
    }
}

/// The encrypted form, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sealed {
    pub v: u32,
    pub iterations: u32,
    pub salt: String,
    pub iv: String,
    pub ciphertext: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum VaultError {
    WrongPassphrase,
    NoVault,
    Browser(String),
}

impl std::fmt::Display for VaultError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VaultError::WrongPassphrase => {
                f.write_str("wrong passphrase (or the vault is damaged)")
            }
            VaultError::NoVault => f.write_str("there is no vault in this browser yet"),
            VaultError::Browser(e) => write!(f, "the browser refused: {e}"),
        }
    }
}

impl From<JsValue> for VaultError {
    fn from(e: JsValue) -> Self {
        VaultError::Browser(format!("{e:?}"))
    }
}

fn subtle() -> Result<SubtleCrypto, VaultError> {
    let window = web_sys::window().ok_or_else(|| VaultError::Browser("no window".into()))?;
    Ok(window.crypto()?.subtle())
}

fn random_bytes<const N: usize>() -> Result<[u8; N], VaultError> {
    let mut bytes = [0u8; N];
    let window = web_sys::window().ok_or_else(|| VaultError::Browser("no window".into()))?;
    window
        .crypto()?
        .get_random_values_with_u8_array(&mut bytes)?;
    Ok(bytes)
}

fn algorithm(name: &str, extra: &[(&str, JsValue)]) -> Result<Object, VaultError> {
    let object = Object::new();
    Reflect::set(&object, &"name".into(), &name.into())?;
    for (k, v) in extra {
        Reflect::set(&object, &(*k).into(), v)?;
    }
    Ok(object)
}

/// The passphrase as PBKDF2 key material for `usage` (`deriveKey` or `deriveBits`).
async fn pbkdf2_material(passphrase: &str, usage: &str) -> Result<CryptoKey, VaultError> {
    let key = JsFuture::from(subtle()?.import_key_with_object(
        "raw",
        &Uint8Array::from(passphrase.as_bytes()),
        &algorithm("PBKDF2", &[])?,
        false,
        &Array::of1(&usage.into()),
    )?)
    .await?;
    Ok(key.unchecked_into())
}

/// PBKDF2-SHA256 → a non-extractable AES-GCM-256 key.
pub async fn derive_key(
    passphrase: &str,
    salt: &[u8],
    iterations: u32,
) -> Result<CryptoKey, VaultError> {
    let subtle = subtle()?;
    let material = pbkdf2_material(passphrase, "deriveKey").await?;
    let params = Pbkdf2Params::new(
        "PBKDF2",
        &"SHA-256".into(),
        iterations,
        &Uint8Array::from(salt),
    );
    let key = JsFuture::from(subtle.derive_key_with_object_and_object(
        &params,
        &material,
        &algorithm("AES-GCM", &[("length", 256.into())])?,
        false,
        &Array::of2(&"encrypt".into(), &"decrypt".into()),
    )?)
    .await?;
    Ok(key.unchecked_into())
}

/// Encrypts `data` under `key` (a fresh 96-bit IV each time).
pub async fn seal(
    data: &VaultData,
    key: &CryptoKey,
    salt: &[u8],
    iterations: u32,
) -> Result<Sealed, VaultError> {
    let iv = random_bytes::<12>()?;
    let plain = serde_json::to_vec(data).map_err(|e| VaultError::Browser(e.to_string()))?;
    let params = AesGcmParams::new("AES-GCM", &Uint8Array::from(&iv[..]));
    let cipher =
        JsFuture::from(subtle()?.encrypt_with_object_and_u8_array(&params, key, &plain)?).await?;
    let cipher = Uint8Array::new(&cipher).to_vec();
    Ok(Sealed {
        v: 1,
        iterations,
        salt: nats_auth::jwt::segment::encode(salt),
        iv: nats_auth::jwt::segment::encode(&iv),
        ciphertext: nats_auth::jwt::segment::encode(&cipher),
    })
}

/// Decrypts; a wrong passphrase (a wrong key) fails AES-GCM's tag check.
pub async fn open(sealed: &Sealed, key: &CryptoKey) -> Result<VaultData, VaultError> {
    let bad = |_| VaultError::WrongPassphrase;
    let iv = nats_auth::jwt::segment::decode(&sealed.iv).map_err(bad)?;
    let cipher = nats_auth::jwt::segment::decode(&sealed.ciphertext).map_err(bad)?;
    let params = AesGcmParams::new("AES-GCM", &Uint8Array::from(&iv[..]));
    let plain = JsFuture::from(subtle()?.decrypt_with_object_and_u8_array(&params, key, &cipher)?)
        .await
        .map_err(|_| VaultError::WrongPassphrase)?;
    serde_json::from_slice(&Uint8Array::new(&plain).to_vec())
        .map_err(|_| VaultError::WrongPassphrase)
}

/// The vault key as raw bits (PBKDF2-SHA256 of `passphrase` with the stored vault's salt), after
/// checking that it opens the vault: what a passkey wraps.
pub async fn raw_key(passphrase: &str) -> Result<Vec<u8>, VaultError> {
    let sealed = stored()?;
    let salt =
        nats_auth::jwt::segment::decode(&sealed.salt).map_err(|_| VaultError::WrongPassphrase)?;
    let subtle = subtle()?;
    let material = pbkdf2_material(passphrase, "deriveBits").await?;
    let params = Pbkdf2Params::new(
        "PBKDF2",
        &"SHA-256".into(),
        sealed.iterations,
        &Uint8Array::from(&salt[..]),
    );
    let bits = JsFuture::from(subtle.derive_bits_with_object(&params, &material, 256)?).await?;
    let raw = Uint8Array::new(&bits).to_vec();
    open(&sealed, &import_raw(&raw).await?).await?;
    Ok(raw)
}

/// The raw vault key as the non-extractable AES-GCM key the vault uses.
async fn import_raw(raw: &[u8]) -> Result<CryptoKey, VaultError> {
    let key = JsFuture::from(subtle()?.import_key_with_object(
        "raw",
        &Uint8Array::from(raw),
        &algorithm("AES-GCM", &[])?,
        false,
        &Array::of2(&"encrypt".into(), &"decrypt".into()),
    )?)
    .await?;
    Ok(key.unchecked_into())
}

/// AES-GCM with `key` and `iv` (what wraps a vault key under a passkey's secret).
pub async fn encrypt_with(key: &CryptoKey, iv: &[u8], plain: &[u8]) -> Result<Vec<u8>, VaultError> {
    let params = AesGcmParams::new("AES-GCM", &Uint8Array::from(iv));
    let cipher =
        JsFuture::from(subtle()?.encrypt_with_object_and_u8_array(&params, key, plain)?).await?;
    Ok(Uint8Array::new(&cipher).to_vec())
}

/// The inverse of [`encrypt_with`]; fails on a wrong key.
pub async fn decrypt_with(
    key: &CryptoKey,
    iv: &[u8],
    cipher: &[u8],
) -> Result<Vec<u8>, VaultError> {
    let params = AesGcmParams::new("AES-GCM", &Uint8Array::from(iv));
    let plain = JsFuture::from(subtle()?.decrypt_with_object_and_u8_array(&params, key, cipher)?)
        .await
        .map_err(|_| VaultError::WrongPassphrase)?;
    Ok(Uint8Array::new(&plain).to_vec())
}

/// An unlocked vault: the contents and the key to write them back.
#[derive(Clone)]
pub struct Unlocked {
    pub data: VaultData,
    key: CryptoKey,
    salt: Vec<u8>,
    iterations: u32,
}

fn storage() -> Result<web_sys::Storage, VaultError> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| VaultError::Browser("no localStorage".into()))
}

pub fn exists() -> bool {
    storage()
        .ok()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .is_some()
}

/// The stored (encrypted) vault, e.g. for an encrypted backup download.
pub fn stored() -> Result<Sealed, VaultError> {
    let text = storage()?
        .get_item(STORAGE_KEY)?
        .ok_or(VaultError::NoVault)?;
    serde_json::from_str(&text).map_err(|e| VaultError::Browser(e.to_string()))
}

/// Replaces the stored vault with an encrypted backup (it opens with its own passphrase).
pub fn restore(backup: &str) -> Result<(), VaultError> {
    let sealed: Sealed = serde_json::from_str(backup)
        .map_err(|e| VaultError::Browser(format!("not a vault backup: {e}")))?;
    storage()?.set_item(
        STORAGE_KEY,
        &serde_json::to_string(&sealed).unwrap_or_default(),
    )?;
    Ok(())
}

impl Unlocked {
    /// A new, empty vault under `passphrase`, stored at once.
    pub async fn create(passphrase: &str) -> Result<Unlocked, VaultError> {
        Self::create_with_iterations(passphrase, PBKDF2_ITERATIONS).await
    }

    pub async fn create_with_iterations(
        passphrase: &str,
        iterations: u32,
    ) -> Result<Unlocked, VaultError> {
        let salt = random_bytes::<16>()?.to_vec();
        let key = derive_key(passphrase, &salt, iterations).await?;
        let vault = Unlocked {
            data: VaultData::default(),
            key,
            salt,
            iterations,
        };
        vault.save().await?;
        Ok(vault)
    }

    pub async fn unlock(passphrase: &str) -> Result<Unlocked, VaultError> {
        let sealed = stored()?;
        let salt = nats_auth::jwt::segment::decode(&sealed.salt)
            .map_err(|_| VaultError::WrongPassphrase)?;
        let key = derive_key(passphrase, &salt, sealed.iterations).await?;
        let data = open(&sealed, &key).await?;
        Ok(Unlocked {
            data,
            key,
            salt,
            iterations: sealed.iterations,
        })
    }

    /// Opens the stored vault with its raw key (unwrapped by a passkey).
    pub async fn unlock_with_raw_key(raw: &[u8]) -> Result<Unlocked, VaultError> {
        let sealed = stored()?;
        let salt = nats_auth::jwt::segment::decode(&sealed.salt)
            .map_err(|_| VaultError::WrongPassphrase)?;
        let key = import_raw(raw).await?;
        let data = open(&sealed, &key).await?;
        Ok(Unlocked {
            data,
            key,
            salt,
            iterations: sealed.iterations,
        })
    }

    /// Encrypts the contents and stores them.
    pub async fn save(&self) -> Result<(), VaultError> {
        let sealed = seal(&self.data, &self.key, &self.salt, self.iterations).await?;
        let text =
            serde_json::to_string(&sealed).map_err(|e| VaultError::Browser(e.to_string()))?;
        storage()?.set_item(STORAGE_KEY, &text)?;
        Ok(())
    }
}
