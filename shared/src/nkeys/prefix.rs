use std::fmt;

/// Prefix byte of an encoded seed (`S…`).
pub const PREFIX_BYTE_SEED: u8 = 18 << 3;
/// Prefix byte of an encoded private key (`P…`).
pub const PREFIX_BYTE_PRIVATE: u8 = 15 << 3;

/// The kind of identity a public key or seed stands for; its letter starts the public key
/// and is the second letter of the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyType {
    Operator,
    Account,
    User,
    Server,
    Cluster,
    Curve,
}

impl KeyType {
    pub const ALL: [KeyType; 6] = [
        KeyType::Operator,
        KeyType::Account,
        KeyType::User,
        KeyType::Server,
        KeyType::Cluster,
        KeyType::Curve,
    ];

    pub const fn prefix_byte(self) -> u8 {
        match self {
            KeyType::Account => 0,
            KeyType::Cluster => 2 << 3,
            KeyType::Server => 13 << 3,
            KeyType::Operator => 14 << 3,
            KeyType::User => 20 << 3,
            KeyType::Curve => 23 << 3,
        }
    }

    pub fn from_prefix_byte(byte: u8) -> Option<KeyType> {
        KeyType::ALL.into_iter().find(|k| k.prefix_byte() == byte)
    }

    pub const fn letter(self) -> char {
        match self {
            KeyType::Operator => 'O',
            KeyType::Account => 'A',
            KeyType::User => 'U',
            KeyType::Server => 'N',
            KeyType::Cluster => 'C',
            KeyType::Curve => 'X',
        }
    }

    /// The name Go's `PrefixByte.String()` prints (used in Go-compatible messages).
    pub const fn name(self) -> &'static str {
        match self {
            KeyType::Operator => "operator",
            KeyType::Account => "account",
            KeyType::User => "user",
            KeyType::Server => "server",
            KeyType::Cluster => "cluster",
            KeyType::Curve => "curve",
        }
    }

    pub fn from_name(name: &str) -> Option<KeyType> {
        KeyType::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Curve keys are X25519; all others are Ed25519 signing identities.
    pub const fn is_curve(self) -> bool {
        matches!(self, KeyType::Curve)
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
