//! Tenant settings: the company, its sender addresses, and per audience the portal URL, the
//! notification switch and the page size.
//!
//! Seed 000 "Paramètres internet" (Nom de la société, Domaine, Adresse mail de notification,
//! Adresse mail de réponse) and seed 003 "Nombre de ligne" (25 by default, 10..=350).

pub use crate::records::audience::Audience;
pub use crate::records::settings::*;
