//! The bottom layer: plain records and their pure rules (validation, decisions), with no store
//! call. The store and the operations stand on these; nothing here reads or writes anything.
//!
//! Hosts reach these types through the concept modules ([`crate::parties`],
//! [`crate::documents`], ...) and the crate root, which re-export them.

pub mod account;
pub mod audience;
pub mod document;
pub mod folder;
pub mod ids;
pub mod notification;
pub mod page;
pub mod party;
pub mod progress;
pub mod settings;
pub mod signature;
pub mod template;
pub mod text;
