//! The one-time setup code: a console that trusts no operator yet accepts its first operator
//! (`POST /jwt/v1/operator`) only with the code it printed in its log at start, so whoever
//! reaches the port first cannot take it over. Kept in `<store>/setup-code` (0600) so that
//! `nats-console setup-code` prints it again; void, and the file removed, once an operator is trusted.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file, in the store folder, holding the code until an operator is trusted.
pub const FILE_NAME: &str = "setup-code";
/// The header the first operator push carries.
pub const HEADER: &str = "Nats-Console-Setup";
/// 32 letters and digits that cannot be mistaken for one another (no 0/O, 1/I).
const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// The code a console waits for, if it waits for one.
pub struct SetupCode {
    current: Mutex<Option<String>>,
    kept: Kept,
}

/// Where the code is kept until it is spent.
enum Kept {
    Nowhere,
    File(PathBuf),
    /// The key-value store's bucket: every console instance waits for the same code.
    Bucket(std::sync::Arc<crate::store::KvStore>),
}

impl SetupCode {
    /// No code: the operator is pinned by the configuration, or already trusted.
    pub fn none() -> SetupCode {
        SetupCode {
            current: Mutex::new(None),
            kept: Kept::Nowhere,
        }
    }

    /// The code kept in `dir`, or a new one written there.
    pub fn load_or_create(dir: &Path) -> std::io::Result<SetupCode> {
        let file = dir.join(FILE_NAME);
        let code = match std::fs::read_to_string(&file) {
            Ok(text) if is_well_formed(text.trim()) => text.trim().to_string(),
            _ => {
                let code = generate();
                crate::store::write_file_atomically(&file, &format!("{code}\n"))
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
                code
            }
        };
        Ok(SetupCode {
            current: Mutex::new(Some(code)),
            kept: Kept::File(file),
        })
    }

    /// The code kept in the bucket (the first instance's), or a new one put there.
    pub async fn load_or_create_in(
        store: std::sync::Arc<crate::store::KvStore>,
    ) -> Result<SetupCode, crate::store::StoreError> {
        let code = store.setup_code(generate()).await?;
        let code = if is_well_formed(&code) {
            code
        } else {
            generate()
        };
        Ok(SetupCode {
            current: Mutex::new(Some(code)),
            kept: Kept::Bucket(store),
        })
    }

    /// The code, while one is awaited.
    pub fn get(&self) -> Option<String> {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Does `given` match the awaited code? Compared in constant time, ignoring case and
    /// surrounding space (people type it from a log).
    pub fn matches(&self, given: Option<&str>) -> bool {
        let Some(expected) = self.get() else {
            return false;
        };
        let given = given.unwrap_or("").trim().to_ascii_uppercase();
        given.len() == expected.len()
            && given
                .bytes()
                .zip(expected.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// An operator is trusted: the code is spent.
    pub fn void(&self) {
        if self
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .is_some()
        {
            match &self.kept {
                Kept::Nowhere => {}
                Kept::File(file) => {
                    if let Err(e) = std::fs::remove_file(file) {
                        tracing::warn!("could not remove {}: {e}", file.display());
                    }
                }
                Kept::Bucket(store) => {
                    let store = store.clone();
                    tokio::spawn(async move { store.remove_setup_code().await });
                }
            }
        }
    }
}

fn is_well_formed(code: &str) -> bool {
    code.len() == 14
        && code.split('-').count() == 3
        && code
            .split('-')
            .all(|part| part.len() == 4 && part.bytes().all(|b| ALPHABET.contains(&b)))
}

/// `XXXX-XXXX-XXXX`: 12 symbols of 5 bits, 60 bits from the OS.
fn generate() -> String {
    use rand_core::RngCore;
    let bits = rand_core::OsRng.next_u64();
    let symbols: Vec<char> = (0..12)
        .map(|i| ALPHABET[((bits >> (i * 5)) & 31) as usize] as char)
        .collect();
    symbols
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// `nats-console setup-code`: the code a console serving `dir` waits for.
pub fn print_for(dir: &Path) -> Result<String, String> {
    if dir.join("operator.jwt").is_file() {
        return Err(format!(
            "{}: an operator is trusted already; the setup code is void",
            dir.display()
        ));
    }
    match std::fs::read_to_string(dir.join(FILE_NAME)) {
        Ok(text) if is_well_formed(text.trim()) => Ok(text.trim().to_string()),
        Ok(_) => Err(format!(
            "{}: not a setup code",
            dir.join(FILE_NAME).display()
        )),
        Err(_) => Err(format!(
            "{}: no setup code; start the console on this store first (it makes one)",
            dir.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_well_formed_random_and_kept_until_void() {
        let dir = std::env::temp_dir().join(format!("setup-code-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let code = SetupCode::load_or_create(&dir).unwrap();
        let text = code.get().unwrap();
        assert!(is_well_formed(&text), "{text}");
        assert_ne!(text, generate());
        assert_eq!(print_for(&dir).unwrap(), text);
        assert_eq!(
            SetupCode::load_or_create(&dir).unwrap().get().unwrap(),
            text,
            "a restart keeps the code"
        );
        assert!(code.matches(Some(&format!(" {} ", text.to_lowercase()))));
        assert!(!code.matches(Some("AAAA-AAAA-AAAA")));
        assert!(!code.matches(None));
        code.void();
        assert!(!code.matches(Some(&text)), "single use");
        assert!(print_for(&dir).is_err());
        assert!(!SetupCode::none().matches(Some(&text)));
    }
}
