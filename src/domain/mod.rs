//! Plain types and rules with no I/O: parsed once at the edge, trusted everywhere after.

pub mod csv;
pub mod domain_name;
pub mod email;
pub mod image;
pub mod invite_code;
pub mod names;
pub mod next_path;
pub mod password;
pub mod plural;
pub mod return_url;
pub mod role;
pub mod slug;
pub mod token;

pub use domain_name::DomainName;
pub use email::EmailAddress;
pub use names::PersonName;
pub use next_path::LocalPath;
pub use password::Password;
pub use role::{MembershipStatus, Plan, Role};
pub use token::SecretToken;
