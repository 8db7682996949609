//! Unlocking the vault with a passkey. WebAuthn's PRF extension gives a 32-byte secret per
//! credential (the authenticator's `hmac-secret`); HKDF-SHA-256 turns it into an AES-GCM key
//! that wraps the vault key — the 256 bits PBKDF2 derives from the passphrase, so the vault
//! itself and the passphrase stay as they are (the passphrase is the fallback). Several
//! passkeys may be registered; a browser or authenticator without PRF is told so plainly.

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::CryptoKey;

use crate::vault::{self, VaultError};

/// Where the wrapped vault keys are kept, beside the vault.
const STORAGE_KEY: &str = "nats-console-passkeys";
const HKDF_INFO: &[u8] = b"nats-console vault key wrap v1";
const NO_PRF: &str = "this browser or authenticator cannot give passkeys a secret (the WebAuthn PRF extension): unlock with the passphrase here";

/// One registered passkey: its credential id, the PRF salt, and the vault key it wraps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Wrapped {
    pub credential: String,
    pub name: String,
    pub salt: String,
    pub iv: String,
    pub wrapped_key: String,
}

fn b64(bytes: &[u8]) -> String {
    nats_auth::jwt::segment::encode(bytes)
}

fn unb64(text: &str) -> Result<Vec<u8>, VaultError> {
    nats_auth::jwt::segment::decode(text).map_err(|e| VaultError::Browser(e.to_string()))
}

fn storage() -> Result<web_sys::Storage, VaultError> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| VaultError::Browser("no localStorage".into()))
}

/// The passkeys registered in this browser.
pub fn registered() -> Vec<Wrapped> {
    storage()
        .ok()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn store(list: &[Wrapped]) -> Result<(), VaultError> {
    let text = serde_json::to_string(list).map_err(|e| VaultError::Browser(e.to_string()))?;
    storage()?.set_item(STORAGE_KEY, &text)?;
    Ok(())
}

fn object(pairs: &[(&str, JsValue)]) -> Result<Object, VaultError> {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v)?;
    }
    Ok(o)
}

fn bytes(b: &[u8]) -> JsValue {
    Uint8Array::from(b).buffer().into()
}

/// `navigator.credentials.<method>({publicKey})`.
async fn credentials(method: &str, public_key: Object) -> Result<JsValue, VaultError> {
    let window = web_sys::window().ok_or_else(|| VaultError::Browser("no window".into()))?;
    let container = Reflect::get(
        &Reflect::get(&window, &"navigator".into())?,
        &"credentials".into(),
    )?;
    if container.is_undefined() {
        return Err(VaultError::Browser(
            "this browser has no WebAuthn (passkeys)".into(),
        ));
    }
    let call: Function = Reflect::get(&container, &method.into())?.unchecked_into();
    let options = object(&[("publicKey", public_key.into())])?;
    let promise: js_sys::Promise = call.call1(&container, &options)?.unchecked_into();
    JsFuture::from(promise)
        .await
        .map_err(|e| VaultError::Browser(describe(&e)))
}

fn describe(e: &JsValue) -> String {
    Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// `credential.getClientExtensionResults().prf`.
fn prf_results(credential: &JsValue) -> Result<JsValue, VaultError> {
    let results: Function =
        Reflect::get(credential, &"getClientExtensionResults".into())?.unchecked_into();
    Ok(Reflect::get(&results.call0(credential)?, &"prf".into())?)
}

/// The PRF output of an assertion, or why there is none.
fn prf_first(credential: &JsValue) -> Result<Vec<u8>, VaultError> {
    let first = Reflect::get(&prf_results(credential)?, &"results".into())
        .and_then(|r| Reflect::get(&r, &"first".into()))
        .ok()
        .filter(|v| !v.is_undefined());
    match first {
        Some(buffer) => Ok(Uint8Array::new(&buffer).to_vec()),
        None => Err(VaultError::Browser(NO_PRF.into())),
    }
}

/// Asks the authenticator for the PRF secret of `credential` with `salt`.
async fn prf_secret(credential_id: &[u8], salt: &[u8]) -> Result<Vec<u8>, VaultError> {
    let allow =
        Array::of1(&object(&[("type", "public-key".into()), ("id", bytes(credential_id))])?.into());
    let prf = object(&[("eval", object(&[("first", bytes(salt))])?.into())])?;
    prf_first(&assert_with_prf(allow, prf).await?)
}

/// `navigator.credentials.get` for one of `allow`, asking for the PRF extension `prf`
/// (user verification required).
async fn assert_with_prf(allow: Array, prf: Object) -> Result<JsValue, VaultError> {
    let challenge = random::<32>()?;
    let public_key = object(&[
        ("challenge", bytes(&challenge)),
        ("allowCredentials", allow.into()),
        ("userVerification", "required".into()),
        ("timeout", 60_000.into()),
        ("extensions", object(&[("prf", prf.into())])?.into()),
    ])?;
    credentials("get", public_key).await
}

fn random<const N: usize>() -> Result<[u8; N], VaultError> {
    let mut b = [0u8; N];
    web_sys::window()
        .ok_or_else(|| VaultError::Browser("no window".into()))?
        .crypto()?
        .get_random_values_with_u8_array(&mut b)?;
    Ok(b)
}

/// HKDF-SHA-256 of the PRF secret → the AES-GCM key that wraps the vault key.
async fn wrapping_key(secret: &[u8]) -> Result<CryptoKey, VaultError> {
    let subtle = web_sys::window()
        .ok_or_else(|| VaultError::Browser("no window".into()))?
        .crypto()?
        .subtle();
    let material: CryptoKey = JsFuture::from(subtle.import_key_with_object(
        "raw",
        &Uint8Array::from(secret),
        &object(&[("name", "HKDF".into())])?,
        false,
        &Array::of1(&"deriveKey".into()),
    )?)
    .await?
    .unchecked_into();
    let params = object(&[
        ("name", "HKDF".into()),
        ("hash", "SHA-256".into()),
        ("salt", bytes(&[])),
        ("info", bytes(HKDF_INFO)),
    ])?;
    let key = JsFuture::from(subtle.derive_key_with_object_and_object(
        &params,
        &material,
        &object(&[("name", "AES-GCM".into()), ("length", 256.into())])?,
        false,
        &Array::of2(&"encrypt".into(), &"decrypt".into()),
    )?)
    .await?;
    Ok(key.unchecked_into())
}

/// Registers a new passkey that unlocks the vault whose passphrase is `passphrase` (asked again:
/// the vault key is derived from it, and the unlocked vault does not keep it).
pub async fn register(passphrase: &str, name: &str) -> Result<(), VaultError> {
    let vault_key = vault::raw_key(passphrase).await?;
    let user_id = random::<16>()?;
    let challenge = random::<32>()?;
    let params = Array::of2(
        &object(&[("type", "public-key".into()), ("alg", (-7).into())])?.into(),
        &object(&[("type", "public-key".into()), ("alg", (-257).into())])?.into(),
    );
    let public_key = object(&[
        ("rp", object(&[("name", "NATS Console".into())])?.into()),
        (
            "user",
            object(&[
                ("id", bytes(&user_id)),
                ("name", name.into()),
                ("displayName", name.into()),
            ])?
            .into(),
        ),
        ("challenge", bytes(&challenge)),
        ("pubKeyCredParams", params.into()),
        (
            "authenticatorSelection",
            object(&[
                ("residentKey", "preferred".into()),
                ("userVerification", "required".into()),
            ])?
            .into(),
        ),
        ("timeout", 60_000.into()),
        (
            "extensions",
            object(&[("prf", Object::new().into())])?.into(),
        ),
    ])?;
    let created = credentials("create", public_key).await?;
    let enabled = Reflect::get(&prf_results(&created)?, &"enabled".into())
        .ok()
        .and_then(|e| e.as_bool())
        .unwrap_or(false);
    if !enabled {
        return Err(VaultError::Browser(NO_PRF.into()));
    }
    let raw_id = Uint8Array::new(&Reflect::get(&created, &"rawId".into())?).to_vec();
    let salt = random::<32>()?;
    let secret = prf_secret(&raw_id, &salt).await?;
    let key = wrapping_key(&secret).await?;
    let iv = random::<12>()?;
    let wrapped = vault::encrypt_with(&key, &iv, &vault_key).await?;
    let mut list = registered();
    list.push(Wrapped {
        credential: b64(&raw_id),
        name: name.to_string(),
        salt: b64(&salt),
        iv: b64(&iv),
        wrapped_key: b64(&wrapped),
    });
    store(&list)
}

/// Unlocks the vault with one of the registered passkeys: one WebAuthn request offering them
/// all (each with its own PRF salt); the browser lets the person choose.
pub async fn unlock() -> Result<vault::Unlocked, VaultError> {
    let list = registered();
    if list.is_empty() {
        return Err(VaultError::Browser(
            "no passkey is registered in this browser".into(),
        ));
    }
    let allow = Array::new();
    let by_credential = Object::new();
    for entry in &list {
        let id = unb64(&entry.credential)?;
        allow.push(&object(&[("type", "public-key".into()), ("id", bytes(&id))])?.into());
        let salt = object(&[("first", bytes(&unb64(&entry.salt)?))])?;
        Reflect::set(&by_credential, &entry.credential.as_str().into(), &salt)?;
    }
    let prf = object(&[("evalByCredential", by_credential.into())])?;
    let assertion = assert_with_prf(allow, prf).await?;
    let used = b64(&Uint8Array::new(&Reflect::get(&assertion, &"rawId".into())?).to_vec());
    let entry = list
        .iter()
        .find(|e| e.credential == used)
        .ok_or_else(|| VaultError::Browser("the passkey used is not one of this vault's".into()))?;
    let key = wrapping_key(&prf_first(&assertion)?).await?;
    let vault_key = vault::decrypt_with(&key, &unb64(&entry.iv)?, &unb64(&entry.wrapped_key)?)
        .await
        .map_err(|_| {
            VaultError::Browser(
                "this passkey no longer opens the vault (was a backup restored?): use the passphrase"
                    .into(),
            )
        })?;
    vault::Unlocked::unlock_with_raw_key(&vault_key).await
}

/// Forgets every passkey of this browser (they stay on the authenticator, unused).
pub fn forget_all() -> Result<(), VaultError> {
    storage()?.remove_item(STORAGE_KEY)?;
    Ok(())
}
