//! Signing on the portal (`portail::signing`): the operations are `PortalView.sign` /
//! `PortalView.awaits_signature` (see `view.rs`) and `Documents.signed_content` (see
//! `documents.rs`), as in the core; `portail.SignatureRecord` comes with its document
//! (`to_py.rs`).
