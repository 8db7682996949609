//! NATS JWT v2: claim types, decoding (v1 migrated as Go does), encoding with Go's exact
//! bytes and `jti`, and validation with Go's rules.
//!
//! ```
//! use nats_auth::jwt::{self, AnyClaims, UserClaims};
//! use nats_auth::nkeys::{KeyPair, KeyType};
//!
//! let account = KeyPair::from_raw_seed(KeyType::Account, &[1; 32]).unwrap();
//! let user = KeyPair::from_raw_seed(KeyType::User, &[2; 32]).unwrap();
//! let mut claims = UserClaims::new(user.public_key());
//! claims.name = "alice".into();
//! claims.nats.limits.permissions.publish.allow.push("orders.>".into());
//! let token = claims.encode(&account, 1_767_225_600).unwrap();
//!
//! let AnyClaims::User(decoded) = jwt::decode(&token).unwrap() else { panic!() };
//! assert_eq!(decoded.issuer, account.public_key());
//! assert_eq!(decoded.nats.limits.permissions.publish.allow, ["orders.>"]);
//! ```

mod account;
mod activation;
mod authorization;
mod claims;
mod decode;
mod encode;
mod exports;
pub mod go_json;
mod header;
mod imports;
mod operator;
pub mod revocations;
pub mod segment;
mod signing_keys;
pub mod templates;
pub mod types;
mod user;

pub use account::{
    Account, AccountClaims, ExternalAuthorization, JetStreamLimits, MsgTrace, OperatorLimits,
    WeightedMapping,
};
pub use activation::{activation_hash_id, Activation, ActivationClaims};
pub use authorization::{
    AuthorizationRequest, AuthorizationRequestClaims, AuthorizationResponse,
    AuthorizationResponseClaims, ClientInformation, ClientTls, ConnectOptions, ServerId,
};
pub use claims::{
    AnyClaims, ClaimType, Claims, GenericClaims, GenericFields, GenericPayload, Payload,
};
pub use decode::{
    decode, decode_header, decode_unverified, parse_claims, peek, Peek, MAX_TOKEN_SIZE,
};
pub use encode::JwtSigner;
pub use exports::{Export, ExportType, ResponseType, ServiceLatency};
pub use header::{Header, ALGORITHM_NKEY, ALGORITHM_NKEY_V1};
pub use imports::Import;
pub use operator::{
    validate_account_server_url, validate_operator_service_url, Operator, OperatorClaims,
};
pub use revocations::{RevocationList, ALL_KEYS};
pub use signing_keys::{SigningKeys, UserScope, USER_SCOPE_KIND};
pub use types::{CidrList, Info, Permission, Permissions, ResponsePermission, TimeRange};
pub use user::{User, UserClaims, UserPermissionLimits, CONNECTION_TYPES};
