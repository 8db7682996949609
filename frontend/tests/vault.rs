//! The vault in headless Chromium: seeds are stored only encrypted, a wrong passphrase fails
//! cleanly, the right one gives the seeds back.
#![cfg(target_arch = "wasm32")]

use nats_auth::nkeys::{KeyPair, KeyType};
use nats_console_web::vault::{self, Unlocked, VaultKey};
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn seeds_are_stored_encrypted_and_come_back_only_with_the_passphrase() {
    let seed = KeyPair::new(KeyType::Operator, &mut nats_auth::OsRng)
        .unwrap()
        .seed()
        .unwrap();
    // fewer iterations than production keep the test quick; the code path is the same
    let mut vault = Unlocked::create_with_iterations("correct horse battery staple", 10_000)
        .await
        .unwrap();
    vault.data.keys.push(VaultKey {
        role: "operator".into(),
        name: "OP".into(),
        public_key: KeyPair::from_seed(&seed).unwrap().public_key(),
        seed: seed.clone(),
        signs_for: None,
    });
    vault.save().await.unwrap();

    // what is stored holds no seed, in any form the browser keeps it
    let stored = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("nats-console.vault")
        .unwrap()
        .unwrap();
    assert!(!stored.contains(&seed));
    assert!(!stored.contains(&seed[2..20]));
    let sealed = vault::stored().unwrap();
    assert_ne!(sealed.ciphertext, seed);
    assert_eq!(sealed.iterations, 10_000);

    assert_eq!(
        Unlocked::unlock("wrong passphrase").await.err(),
        Some(vault::VaultError::WrongPassphrase)
    );
    let again = Unlocked::unlock("correct horse battery staple")
        .await
        .unwrap();
    assert_eq!(again.data.keys[0].seed, seed);
}

#[wasm_bindgen_test]
async fn production_vaults_use_600k_pbkdf2_iterations() {
    let vault = Unlocked::create("passphrase").await.unwrap();
    assert_eq!(vault::stored().unwrap().iterations, 600_000);
    assert!(vault.data.keys.is_empty());
}
