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

    /// Store many contents, durably once it returns, and return their keys in order. The
    /// default stores them one by one; [`FsBlobs`] batches the syncs of a whole payroll run.
    fn put_many(&self, contents: &[&[u8]]) -> Result<Vec<String>> {
        contents.iter().map(|c| self.put(c)).collect()
    }
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
    fn put_many(&self, contents: &[&[u8]]) -> Result<Vec<String>> {
        (**self).put_many(contents)
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
/// leaves a half file under a real name. A read checks the hash. Temporary files are named
/// `.tmp-BOOT-PID-N-KEY` (the machine's boot id and the writer's process id), so that
/// [`FsBlobs::open`] can remove those a killed writer left behind: any of a dead process of this
/// boot, and any older than [`TEMP_STALE_AFTER`] (a writer on another machine sharing the
/// folder, or an older naming).
#[derive(Debug, Clone)]
pub struct FsBlobs {
    root: PathBuf,
    sync: bool,
}

/// Age after which a temporary blob file is stale whoever wrote it: no write of one content
/// takes this long, so its writer is gone (killed, or on a machine that rebooted).
pub const TEMP_STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Prefix of temporary blob files.
const TEMP_PREFIX: &str = ".tmp-";

/// This machine's boot id (Linux `/proc/sys/kernel/random/boot_id`, first 8 hex digits), or
/// `0` where there is none: process ids are only comparable within one boot.
fn boot_id() -> &'static str {
    static BOOT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BOOT.get_or_init(|| {
        let id: String = fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_hexdigit)
            .take(8)
            .collect();
        if id.is_empty() {
            "0".into()
        } else {
            id
        }
    })
}

/// Whether process `pid` of this boot is gone (only known on Linux; elsewhere never assumed).
fn process_is_dead(pid: u32) -> bool {
    cfg!(target_os = "linux")
        && pid != std::process::id()
        && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Whether the temporary file `name` (modified `age` ago) was left by a writer that is gone.
fn temp_is_stale(name: &str, age: std::time::Duration) -> bool {
    if age >= TEMP_STALE_AFTER {
        return true;
    }
    let mut parts = name.trim_start_matches(TEMP_PREFIX).split('-');
    match (
        parts.next(),
        parts.next().and_then(|p| p.parse::<u32>().ok()),
    ) {
        (Some(boot), Some(pid)) if boot == boot_id() && boot != "0" => process_is_dead(pid),
        _ => false,
    }
}

impl FsBlobs {
    /// Blobs under `root` (created if missing). Temporary files left by a killed writer are
    /// removed (see [`FsBlobs`]).
    pub fn open(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        fs::create_dir_all(&root)
            .map_err(|e| Error::storage(format!("create {}: {e}", root.display())))?;
        let blobs = FsBlobs { root, sync: true };
        blobs.remove_stale_temps();
        Ok(blobs)
    }

    /// Remove the temporary files of writers that are gone; returns how many were removed.
    /// Best effort: a file that cannot be read or removed is left for the next open.
    pub fn remove_stale_temps(&self) -> usize {
        let now = std::time::SystemTime::now();
        let mut removed = 0;
        let Ok(shards) = fs::read_dir(&self.root) else {
            return 0;
        };
        for shard in shards.flatten() {
            if shard.file_name().len() != 2 {
                continue;
            }
            let Ok(files) = fs::read_dir(shard.path()) else {
                continue;
            };
            for f in files.flatten() {
                let name = f.file_name().to_string_lossy().into_owned();
                if !name.starts_with(TEMP_PREFIX) {
                    continue;
                }
                let age = f
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|m| now.duration_since(m).ok())
                    .unwrap_or_default();
                if temp_is_stale(&name, age) && fs::remove_file(f.path()).is_ok() {
                    removed += 1;
                }
            }
        }
        removed
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

impl FsBlobs {
    /// Whether `path` already holds the `len` bytes hashing to `key`. The size is checked
    /// first, then the hash: a file damaged at the same size is not taken for the content, so
    /// publishing the content again repairs it.
    fn holds(path: &Path, key: &str, len: usize) -> bool {
        fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == len as u64)
            && fs::read(path).is_ok_and(|bytes| sha256_hex(&bytes) == key)
    }

    /// Give a fully written temporary file its real name. If another writer of the same
    /// content won the race (where rename does not replace an existing file), theirs is the
    /// same bytes: drop ours.
    fn install(tmp: &Path, path: &Path, key: &str, len: usize) -> std::io::Result<()> {
        match fs::rename(tmp, path) {
            Err(_) if Self::holds(path, key, len) => {
                let _ = fs::remove_file(tmp);
                Ok(())
            }
            other => other,
        }
    }

    /// A temporary name beside `dir`'s blobs, unique per boot and process (boot id, pid) and
    /// per write (counter); `create_new` refuses any clash.
    fn temp_path(dir: &Path, key: &str) -> PathBuf {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        dir.join(format!(
            "{TEMP_PREFIX}{}-{}-{}-{}",
            boot_id(),
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            &key[2..12],
        ))
    }

    /// Create the temporary file, creating (durably) its shard folder on first use.
    fn create_temp(&self, dir: &Path, tmp: &Path) -> std::io::Result<fs::File> {
        let create = || {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(tmp)
        };
        match create() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir_all(dir)?;
                if self.sync {
                    Self::sync_dir(&self.root)?;
                }
                create()
            }
            other => other,
        }
    }

    #[cfg(unix)]
    fn sync_dir(dir: &Path) -> std::io::Result<()> {
        fs::File::open(dir)?.sync_all()
    }

    #[cfg(not(unix))]
    fn sync_dir(_dir: &Path) -> std::io::Result<()> {
        // Directories cannot be opened for syncing there; the rename is already durable.
        Ok(())
    }
}

impl Blobs for FsBlobs {
    fn put(&self, bytes: &[u8]) -> Result<String> {
        let key = sha256_hex(bytes);
        let path = self.path_of(&key)?;
        // Already stored (a file of another size or hash is damaged: it is replaced below).
        if Self::holds(&path, &key, bytes.len()) {
            return Ok(key);
        }
        let dir = path.parent().unwrap_or(&self.root);
        let tmp = Self::temp_path(dir, &key);
        let write = || -> std::io::Result<()> {
            let mut f = self.create_temp(dir, &tmp)?;
            f.write_all(bytes)?;
            if self.sync {
                f.sync_all()?;
            }
            drop(f);
            Self::install(&tmp, &path, &key, bytes.len())?;
            if self.sync {
                Self::sync_dir(dir)?;
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
        Ok(self.path_of(sha256)?.is_file())
    }

    /// Writes every new content to its temporary file, makes them all durable with one sync
    /// of the file system (Linux `syncfs`; one fsync per file elsewhere), renames them, then
    /// syncs each touched folder once. A crash at any point leaves no half file under a real
    /// name, and the keys are returned only once everything is durable.
    fn put_many(&self, contents: &[&[u8]]) -> Result<Vec<String>> {
        if !self.sync || contents.len() < 2 {
            return contents.iter().map(|c| self.put(c)).collect();
        }
        let keys: Vec<String> = contents.iter().map(|c| sha256_hex(c)).collect();
        let mut staged: Vec<(PathBuf, PathBuf, &str, usize)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let result = (|| -> std::io::Result<()> {
            for (bytes, key) in contents.iter().zip(&keys) {
                if !seen.insert(key.as_str()) {
                    continue;
                }
                let path = self.root.join(&key[..2]).join(&key[2..]);
                if Self::holds(&path, key, bytes.len()) {
                    continue;
                }
                let dir = path.parent().unwrap_or(&self.root).to_path_buf();
                let tmp = Self::temp_path(&dir, key);
                staged.push((tmp.clone(), path, key, bytes.len()));
                let mut f = self.create_temp(&dir, &tmp)?;
                f.write_all(bytes)?;
            }
            sync_files(&self.root, staged.iter().map(|(tmp, ..)| tmp.as_path()))?;
            let mut dirs = std::collections::BTreeSet::new();
            for (tmp, path, key, len) in &staged {
                Self::install(tmp, path, key, *len)?;
                dirs.insert(path.parent().unwrap_or(&self.root).to_path_buf());
            }
            for dir in dirs {
                Self::sync_dir(&dir)?;
            }
            Ok(())
        })();
        result.map_err(|e| {
            for (tmp, ..) in &staged {
                let _ = fs::remove_file(tmp);
            }
            Error::storage(format!("write {} blobs: {e}", staged.len()))
        })?;
        Ok(keys)
    }
}

/// Make the data of `files` durable: one `syncfs` of the file system holding `root` on Linux,
/// one fsync per file elsewhere.
#[cfg(target_os = "linux")]
fn sync_files<'a>(root: &Path, _files: impl Iterator<Item = &'a Path>) -> std::io::Result<()> {
    let dir = fs::File::open(root)?;
    rustix::fs::syncfs(&dir).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn sync_files<'a>(_root: &Path, files: impl Iterator<Item = &'a Path>) -> std::io::Result<()> {
    for f in files {
        fs::File::open(f)?.sync_all()?;
    }
    Ok(())
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

    #[test]
    fn fs_concurrent_puts_of_the_same_content() {
        let dir = tempfile::tempdir().unwrap();
        let b = std::sync::Arc::new(FsBlobs::open(dir.path()).unwrap());
        let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let b = b.clone();
                let c = content.clone();
                std::thread::spawn(move || (0..20).map(|_| b.put(&c).unwrap()).collect::<Vec<_>>())
            })
            .collect();
        let keys: Vec<String> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        let k = sha256_hex(&content);
        assert!(keys.iter().all(|x| *x == k));
        assert_eq!(b.get(&k).unwrap(), content);
        let shard: Vec<_> = fs::read_dir(dir.path().join(&k[..2]))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(shard, [k[2..].to_string()], "one file, no temp file left");
    }

    #[test]
    fn fs_put_repairs_a_damaged_file() {
        let dir = tempfile::tempdir().unwrap();
        let b = FsBlobs::open(dir.path()).unwrap().without_fsync();
        let k = b.put(b"payslip content").unwrap();
        let path = dir.path().join(&k[..2]).join(&k[2..]);
        fs::write(&path, b"payslip").unwrap(); // truncated by a faulty copy
        assert_eq!(b.get(&k).unwrap_err().code(), "storage");
        assert_eq!(b.put(b"payslip content").unwrap(), k);
        assert_eq!(b.get(&k).unwrap(), b"payslip content");
    }

    #[test]
    fn fs_contains_is_false_for_a_folder_or_bad_key() {
        let dir = tempfile::tempdir().unwrap();
        let b = FsBlobs::open(dir.path()).unwrap();
        let k = sha256_hex(b"x");
        fs::create_dir_all(dir.path().join(&k[..2]).join(&k[2..])).unwrap();
        assert!(!b.contains(&k).unwrap());
        assert_eq!(b.contains("nope").unwrap_err().code(), "invalid_input");
        assert_eq!(
            b.get(&k.to_uppercase()).unwrap_err().code(),
            "invalid_input"
        );
    }

    #[test]
    fn fs_put_many_is_durable_in_one_batch_and_keeps_order() {
        let dir = tempfile::tempdir().unwrap();
        let b = FsBlobs::open(dir.path()).unwrap();
        let existing = b.put(b"already there").unwrap();
        let contents: Vec<&[u8]> = vec![b"one", b"two", b"one", b"already there", b"three"];
        let keys = b.put_many(&contents).unwrap();
        assert_eq!(keys.len(), 5);
        assert_eq!(keys[0], keys[2]);
        assert_eq!(keys[3], existing);
        for (k, c) in keys.iter().zip(&contents) {
            assert_eq!(k, &sha256_hex(c));
            assert_eq!(b.get(k).unwrap(), *c);
        }
        let mut leftovers = Vec::new();
        for shard in fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()) {
            for f in fs::read_dir(shard.path()).unwrap().filter_map(|e| e.ok()) {
                if f.file_name().to_string_lossy().starts_with(".tmp") {
                    leftovers.push(f.path());
                }
            }
        }
        assert!(leftovers.is_empty(), "{leftovers:?}");
        // The default implementation (memory) gives the same keys.
        assert_eq!(MemoryBlobs::new().put_many(&contents).unwrap(), keys);
    }
}
