//! The two portals of a tenant: clients and employees ("Portail Clients" / "Portail Salariés").

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One of the two portals of a tenant, with separate URLs and logins.
/// "Portail Clients" / "Portail Salariés" in the product guides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "napi", napi_derive::napi(string_enum = "snake_case"))]
pub enum Audience {
    /// The clients' portal ("portail Clients").
    Client,
    /// The employees' portal ("portail Salariés", "Intervenants").
    Employee,
}

impl Audience {
    /// Both audiences.
    pub const ALL: [Audience; 2] = [Audience::Client, Audience::Employee];

    /// Stable lowercase name (`client`, `employee`).
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Client => "client",
            Audience::Employee => "employee",
        }
    }

    /// Parse a stable name.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "client" => Ok(Audience::Client),
            "employee" => Ok(Audience::Employee),
            other => Err(Error::invalid(
                "audience",
                format!("unknown audience {other:?} (client, employee)"),
            )),
        }
    }
}
