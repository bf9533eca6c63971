//! Document contents, stored once by SHA-256.
//!
//! | implementation | use |
//! |---|---|
//! | [`MemoryBlobs`] | tests |
//! | [`FsBlobs`] | the embedded default: one file per content under a folder |

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The hex SHA-256 of `bytes`.
///
/// ```
/// assert_eq!(portail::blobs::sha256_hex(b"abc"),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Content-addressed storage. Object-safe: held as `Arc<dyn Blobs>`.
pub trait Blobs: Send + Sync {
    /// Store `bytes` (once per content) and return its hex SHA-256.
    fn put(&self, bytes: &[u8]) -> Result<String>;
    /// The content of `sha256`; an error if missing or if the content no longer matches.
    fn get(&self, sha256: &str) -> Result<Vec<u8>>;
    /// Whether the content is stored.
    fn contains(&self, sha256: &str) -> Result<bool>;
}

impl<B: Blobs + ?Sized> Blobs for std::sync::Arc<B> {
    fn put(&self, bytes: &[u8]) -> Result<String> {
        (**self).put(bytes)
    }
    fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        (**self).get(sha256)
    }
    fn contains(&self, sha256: &str) -> Result<bool> {
        (**self).contains(sha256)
    }
}

/// Contents in memory.
#[derive(Debug, Default)]
pub struct MemoryBlobs {
    blobs: RwLock<HashMap<String, Vec<u8>>>,
}

impl MemoryBlobs {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Blobs for MemoryBlobs {
    fn put(&self, bytes: &[u8]) -> Result<String> {
        let key = sha256_hex(bytes);
        let mut map = self
            .blobs
            .write()
            .map_err(|_| Error::storage("blob lock poisoned"))?;
        map.entry(key.clone()).or_insert_with(|| bytes.to_vec());
        Ok(key)
    }

    fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        let map = self
            .blobs
            .read()
            .map_err(|_| Error::storage("blob lock poisoned"))?;
        map.get(sha256)
            .cloned()
            .ok_or_else(|| Error::not_found("blob", sha256))
    }

    fn contains(&self, sha256: &str) -> Result<bool> {
        let map = self
            .blobs
            .read()
            .map_err(|_| Error::storage("blob lock poisoned"))?;
        Ok(map.contains_key(sha256))
    }
}

/// Contents as files under a folder: `ROOT/ab/cdef…` named by SHA-256.
///
/// A write goes to a temporary file in the same folder, is fsynced, then renamed: a crash never
/// leaves a half file under a real name. A read checks the hash.
#[derive(Debug, Clone)]
pub struct FsBlobs {
    root: PathBuf,
    sync: bool,
}

impl FsBlobs {
    /// Blobs under `root` (created if missing).
    pub fn open(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        fs::create_dir_all(&root)
            .map_err(|e| Error::storage(format!("create {}: {e}", root.display())))?;
        Ok(FsBlobs { root, sync: true })
    }

    /// Skip fsync (faster; only for throw-away data such as benchmarks of the floor).
    pub fn without_fsync(mut self) -> Self {
        self.sync = false;
        self
    }

    /// The folder holding the blobs.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, sha256: &str) -> Result<PathBuf> {
        if sha256.len() != 64
            || !sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(Error::invalid(
                "sha256",
                format!("{sha256:?} is not a lowercase hex SHA-256"),
            ));
        }
        Ok(self.root.join(&sha256[..2]).join(&sha256[2..]))
    }
}

impl Blobs for FsBlobs {
    fn put(&self, bytes: &[u8]) -> Result<String> {
        let key = sha256_hex(bytes);
        let path = self.path_of(&key)?;
        if path.exists() {
            return Ok(key);
        }
        let dir = path.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir)
            .map_err(|e| Error::storage(format!("create {}: {e}", dir.display())))?;
        let tmp = dir.join(format!(
            ".tmp-{}-{}",
            &key[2..12],
            uuid::Uuid::new_v4().simple()
        ));
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            if self.sync {
                f.sync_all()?;
            }
            fs::rename(&tmp, &path)?;
            if self.sync {
                fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            Error::storage(format!("write blob {key}: {e}"))
        })?;
        Ok(key)
    }

    fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        let path = self.path_of(sha256)?;
        let bytes = fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::not_found("blob", sha256),
            _ => Error::storage(format!("read blob {sha256}: {e}")),
        })?;
        if sha256_hex(&bytes) != sha256 {
            return Err(Error::storage(format!(
                "blob {sha256} is corrupted (hash mismatch)"
            )));
        }
        Ok(bytes)
    }

    fn contains(&self, sha256: &str) -> Result<bool> {
        Ok(self.path_of(sha256)?.exists())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(b: &dyn Blobs) {
        let k = b.put(b"hello").unwrap();
        assert_eq!(k, sha256_hex(b"hello"));
        assert_eq!(b.put(b"hello").unwrap(), k);
        assert_eq!(b.get(&k).unwrap(), b"hello");
        assert!(b.contains(&k).unwrap());
        assert_eq!(
            b.get(&sha256_hex(b"other")).unwrap_err().code(),
            "not_found"
        );
    }

    #[test]
    fn memory_round_trip() {
        round_trip(&MemoryBlobs::new());
    }

    #[test]
    fn fs_round_trip_and_corruption_detected() {
        let dir = tempfile::tempdir().unwrap();
        let b = FsBlobs::open(dir.path()).unwrap();
        round_trip(&b);
        let k = sha256_hex(b"hello");
        let path = dir.path().join(&k[..2]).join(&k[2..]);
        fs::write(&path, b"tampered").unwrap();
        assert_eq!(b.get(&k).unwrap_err().code(), "storage");
        assert_eq!(
            b.get("../../etc/passwd").unwrap_err().code(),
            "invalid_input"
        );
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
