//! [`SqliteStore`]: the embedded default store, one SQLite file (bundled SQLite, WAL).
//!
//! Layout: one table per record type. Each row carries its tenant (every primary key starts
//! with it), the columns the queries filter and sort on, the optimistic `version`, and the
//! record itself as JSON in `body`, so records can gain fields without a schema change.
//! Timestamps in key columns are UTC nanoseconds (exact ordering, ties broken by id).
//!
//! The schema version is SQLite's `PRAGMA user_version`; opening runs the missing
//! [`MIGRATIONS`] in one transaction, so a file written by an older portail opens in a newer
//! one. A file from a newer portail is refused rather than misread.
//!
//! Threads: one write connection behind a mutex (SQLite has one writer at a time anyway) and a
//! small pool of read connections; in WAL mode readers never wait for the writer. Several
//! processes may open the same file: writes take the lock with `BEGIN IMMEDIATE` and wait up to
//! the busy timeout.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{AccountFilter, AttemptGate, AttemptState, Change, DocumentQuery, Store};
use crate::error::{Error, Result};
use crate::records::account::{AccessEvent, Account, Token};
use crate::records::audience::Audience;
use crate::records::document::{Document, PaymentStatus};
use crate::records::folder::Folder;
use crate::records::notification::{Notification, NotificationFilter};
use crate::records::page::Page;
use crate::records::party::Party;
use crate::records::settings::Settings;
use crate::records::template::Template;

/// The schema, one migration per version: `MIGRATIONS[i]` takes a file from version `i` to
/// `i + 1`. Append only; never edit a released migration.
pub(crate) const MIGRATIONS: &[&str] = &[
    // v1: the records of the first release.
    r#"
CREATE TABLE tenants (
    tenant TEXT PRIMARY KEY NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
    tenant  TEXT NOT NULL PRIMARY KEY REFERENCES tenants(tenant) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    body    TEXT NOT NULL
);

CREATE TABLE parties (
    tenant   TEXT NOT NULL REFERENCES tenants(tenant) ON DELETE CASCADE,
    audience TEXT NOT NULL,
    code     TEXT NOT NULL,
    version  INTEGER NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (tenant, audience, code)
);

CREATE TABLE folders (
    tenant   TEXT NOT NULL REFERENCES tenants(tenant) ON DELETE CASCADE,
    id       TEXT NOT NULL,
    audience TEXT NOT NULL,
    path     TEXT NOT NULL,
    version  INTEGER NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (tenant, id),
    UNIQUE (tenant, audience, path)
);

CREATE TABLE templates (
    tenant   TEXT NOT NULL REFERENCES tenants(tenant) ON DELETE CASCADE,
    audience TEXT NOT NULL,
    purpose  TEXT NOT NULL,
    version  INTEGER NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (tenant, audience, purpose)
);

CREATE TABLE documents (
    tenant       TEXT NOT NULL REFERENCES tenants(tenant) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    audience     TEXT NOT NULL,
    party_code   TEXT NOT NULL,
    folder_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    payment      TEXT NOT NULL,
    external_id  TEXT,
    published_at INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
);
-- A party's documents, newest first; folder and kind ride along so counting needs no row.
CREATE INDEX documents_by_party
    ON documents (tenant, audience, party_code, published_at DESC, id DESC, folder_id, kind);
CREATE UNIQUE INDEX documents_by_external_id
    ON documents (tenant, audience, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX documents_by_folder ON documents (tenant, folder_id);

CREATE TABLE notifications (
    tenant          TEXT NOT NULL REFERENCES tenants(tenant) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    audience        TEXT NOT NULL,
    party_code      TEXT NOT NULL,
    state           TEXT NOT NULL,
    open            INTEGER NOT NULL,
    document_id     TEXT,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    version         INTEGER NOT NULL,
    body            TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
);
-- Due notifications: only the open ones are indexed.
CREATE INDEX notifications_due
    ON notifications (tenant, next_attempt_at, id) WHERE open = 1;
-- History, newest first, by party, by state, by date, by document.
CREATE INDEX notifications_by_party
    ON notifications (tenant, party_code, created_at DESC, id DESC);
CREATE INDEX notifications_by_state
    ON notifications (tenant, state, created_at DESC, id DESC);
CREATE INDEX notifications_by_date
    ON notifications (tenant, created_at DESC, id DESC);
CREATE INDEX notifications_by_document ON notifications (tenant, document_id);

CREATE TABLE accounts (
    tenant         TEXT NOT NULL REFERENCES tenants(tenant) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    audience       TEXT NOT NULL,
    party_code     TEXT NOT NULL,
    identifier_key TEXT NOT NULL,
    status         TEXT NOT NULL,
    needs_sync     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL,
    body           TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
);
-- One non-revoked account per identifier and audience.
CREATE UNIQUE INDEX accounts_by_identifier
    ON accounts (tenant, audience, identifier_key) WHERE status <> 'revoked';
CREATE INDEX accounts_by_party
    ON accounts (tenant, audience, party_code, created_at, id);

CREATE TABLE tokens (
    tenant  TEXT NOT NULL REFERENCES tenants(tenant) ON DELETE CASCADE,
    hash    TEXT NOT NULL,
    version INTEGER NOT NULL,
    body    TEXT NOT NULL,
    PRIMARY KEY (tenant, hash)
);
"#,
    // v2: the download history, and a fast "has the party anything unpaid".
    r#"
CREATE TABLE access_events (
    tenant      TEXT NOT NULL REFERENCES tenants(tenant) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    document_id TEXT NOT NULL,
    at          INTEGER NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX access_events_by_document
    ON access_events (tenant, document_id, at DESC, id DESC);
CREATE INDEX documents_unpaid
    ON documents (tenant, audience, party_code) WHERE payment = 'unpaid';
"#,
    // v3: uniqueness rules enforced by the file, and login attempts counted where they
    // cannot be lost.
    //
    // `live_slot` is `Account::live_slot()`: the party code while the account is live, NULL
    // otherwise; one account per slot. Making the rule "one live main user per party" only
    // changes which accounts fill the column. Files that already hold two live accounts of a
    // party (the race this closes) keep the older one in the slot.
    r#"
ALTER TABLE accounts ADD COLUMN live_slot TEXT;
ALTER TABLE accounts ADD COLUMN identifier_skeleton TEXT;
UPDATE accounts SET live_slot = party_code
WHERE status <> 'revoked' AND NOT EXISTS (
    SELECT 1 FROM accounts AS older
    WHERE older.tenant = accounts.tenant AND older.audience = accounts.audience
      AND older.party_code = accounts.party_code AND older.status <> 'revoked'
      AND (older.created_at < accounts.created_at
           OR (older.created_at = accounts.created_at AND older.id < accounts.id)));
CREATE UNIQUE INDEX accounts_by_live_slot
    ON accounts (tenant, audience, live_slot) WHERE live_slot IS NOT NULL;
CREATE UNIQUE INDEX accounts_by_skeleton
    ON accounts (tenant, audience, identifier_skeleton)
    WHERE identifier_skeleton IS NOT NULL AND status <> 'revoked';

CREATE TABLE attempts (
    tenant       TEXT NOT NULL REFERENCES tenants(tenant) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until INTEGER,
    PRIMARY KEY (tenant, key)
) WITHOUT ROWID;
"#,
    // v4: the original bytes of a notification row set aside as undecodable (quarantined), kept
    // for an operator or a newer portail; NULL when the row said it held a secret.
    r#"
ALTER TABLE notifications ADD COLUMN quarantined_body TEXT;
"#,
    // v5: the opening of each attempt counter's window, so counters that never reached the
    // limit expire and spent rows are dropped as attempts come (rows from v3/v4 have none: they
    // count as spent, locks running stay).
    r#"
ALTER TABLE attempts ADD COLUMN since INTEGER;
CREATE INDEX attempts_by_since ON attempts (tenant, since);
"#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Read connections kept open for reuse.
const READERS: usize = 4;
/// How long a write waits for another process's write lock.
const BUSY_TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// Checkpoints tried by [`Store::forget_erased`] while readers of other processes hold old
/// WAL frames.
const CHECKPOINT_TRIES: u32 = 3;
/// Wait between two of those tries (doubled each time).
const CHECKPOINT_BACKOFF: StdDuration = StdDuration::from_millis(20);
/// How long one checkpoint try waits for those readers (the busy handler) before it counts as
/// busy; the writes' [`BUSY_TIMEOUT`] is restored afterwards.
const CHECKPOINT_BUSY_TIMEOUT: StdDuration = StdDuration::from_millis(500);

/// The embedded default store: every tenant's records in one SQLite file.
///
/// ```
/// use std::sync::Arc;
/// use portail::{Portal, Settings, SqliteStore};
/// let dir = tempfile::tempdir().unwrap();
/// let store = SqliteStore::open(dir.path().join("portail.sqlite3"))?;
/// let portal = Portal::builder("acme")
///     .settings(Settings::new("ACME", "acme.example"))
///     .store(Arc::new(store))
///     .build()?;
/// # Ok::<(), portail::Error>(())
/// ```
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn db(e: rusqlite::Error) -> Error {
    Error::storage(format!("sqlite: {e}"))
}

trait Db<T> {
    fn db(self) -> Result<T>;
}

impl<T> Db<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T> {
        self.map_err(db)
    }
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

/// UTC nanoseconds, saturating outside 1677..2262.
fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(if t.timestamp() < 0 {
        i64::MIN
    } else {
        i64::MAX
    })
}

fn ver(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn json<T: Serialize>(what: &str, record: &T) -> Result<String> {
    serde_json::to_string(record).map_err(|e| Error::storage(format!("encode {what}: {e}")))
}

/// A record as stored: JSON body and the version column (which wins over the body's).
trait Record: DeserializeOwned {
    fn set_version(&mut self, v: u64);
}

macro_rules! record {
    ($($t:ty),*) => {$(
        impl Record for $t {
            fn set_version(&mut self, v: u64) { self.version = v; }
        }
    )*};
}
record!(
    Settings,
    Party,
    Folder,
    Template,
    Document,
    Notification,
    Account,
    Token
);

impl Record for AccessEvent {
    fn set_version(&mut self, _: u64) {}
}

fn decode<T: Record>((body, version): (String, i64)) -> Result<T> {
    let mut r: T = serde_json::from_str(&body)
        .map_err(|e| Error::storage(format!("decode stored record: {e}")))?;
    r.set_version(u64::try_from(version).unwrap_or(0));
    Ok(r)
}

fn decode_all<T: Record>(rows: Vec<(String, i64)>) -> Result<Vec<T>> {
    rows.into_iter().map(decode).collect()
}

fn body_version(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, i64)> {
    Ok((row.get(0)?, row.get(1)?))
}

fn payment_str(p: PaymentStatus) -> &'static str {
    match p {
        PaymentStatus::Paid => "paid",
        PaymentStatus::Unpaid => "unpaid",
    }
}

/// Apply the pragmas every connection needs.
fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT).db()?;
    conn.pragma_update(None, "foreign_keys", true).db()?;
    // In WAL mode NORMAL never corrupts and survives any process crash; a power cut may lose
    // the last commits (never half of one).
    conn.pragma_update(None, "synchronous", "NORMAL").db()?;
    // Deleted and overwritten content (wiped draft passwords, redacted mails) is zeroed in
    // the page, not left in its free space or on the free-page list.
    conn.pragma_update(None, "secure_delete", true).db()?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Run the missing migrations in one write transaction; refuse a newer file.
pub(crate) fn migrate(conn: &mut Connection, target: u32) -> Result<u32> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    let current: u32 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .db()?;
    if current > SCHEMA_VERSION {
        return Err(Error::storage(format!(
            "the database has schema version {current}, newer than this portail's \
             {SCHEMA_VERSION}: upgrade portail"
        )));
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(current as usize)
    {
        tx.execute_batch(sql)
            .map_err(|e| Error::storage(format!("migration to version {}: {e}", i + 1)))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)
            .db()?;
    }
    tx.commit().db()?;
    Ok(current.max(target))
}

impl SqliteStore {
    /// Open (or create) the database at `path`, migrating it to the current schema.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::storage(format!("create {}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(&path)
            .map_err(|e| Error::storage(format!("open {}: {e}", path.display())))?;
        configure(&conn)?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .db()?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::storage(format!(
                "{}: cannot use WAL journal (got {mode})",
                path.display()
            )));
        }
        // Bulk publishes write thousands of rows per commit: a bigger page cache avoids
        // spilling mid-transaction, and checkpointing every ~64 MiB of WAL rather than every
        // 4 MiB copies each hot index page into the database far fewer times.
        conn.pragma_update(None, "cache_size", -65_536).db()?;
        conn.pragma_update(None, "wal_autocheckpoint", 16_384)
            .db()?;
        migrate(&mut conn, SCHEMA_VERSION)?;
        Ok(SqliteStore {
            path,
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32> {
        self.read(|c| c.pragma_query_value(None, "user_version", |r| r.get(0)))
    }

    fn reader(&self) -> Result<Connection> {
        let pooled = self.readers.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match pooled {
            Some(c) => Ok(c),
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX
                        | OpenFlags::SQLITE_OPEN_URI,
                )
                .map_err(|e| Error::storage(format!("open {}: {e}", self.path.display())))?;
                configure(&c)?;
                c.pragma_update(None, "query_only", true).db()?;
                Ok(c)
            }
        }
    }

    /// Run `f` in one read transaction on a pooled connection.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let conn = self.reader()?;
        let result = (|| {
            let tx = conn.unchecked_transaction()?;
            let out = f(&tx)?;
            tx.finish()?;
            Ok(out)
        })();
        if let Ok(mut pool) = self.readers.lock() {
            if pool.len() < READERS {
                pool.push(conn);
            }
        }
        result.map_err(db)
    }

    fn page<T: Record>(
        &self,
        count_sql: &str,
        page_sql: &str,
        args: Vec<Value>,
        offset: u64,
        limit: u32,
    ) -> Result<Page<T>> {
        let rows = self.read(|c| {
            let total: i64 = c
                .prepare_cached(count_sql)?
                .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
            let mut all = args.clone();
            all.push(Value::Integer(i64::from(limit)));
            all.push(Value::Integer(ver(offset)));
            let rows = c
                .prepare_cached(page_sql)?
                .query_map(rusqlite::params_from_iter(all.iter()), body_version)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((total, rows))
        })?;
        Ok(Page {
            items: decode_all(rows.1)?,
            total: u64::try_from(rows.0).unwrap_or(0),
            offset,
            limit,
        })
    }

    fn one<T: Record>(&self, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Option<T>> {
        self.read(|c| {
            c.prepare_cached(sql)?
                .query_row(args, body_version)
                .optional()
        })?
        .map(decode)
        .transpose()
    }

    fn all<T: Record>(&self, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<T>> {
        let rows = self.read(|c| {
            c.prepare_cached(sql)?
                .query_map(args, body_version)?
                .collect::<rusqlite::Result<Vec<_>>>()
        })?;
        decode_all(rows)
    }
}

/// The columns of a notification row that dispatch and the history read
/// (`id, body, version, audience, party_code, document_id, created_at`, in this order): enough
/// to decode it, or to describe it as quarantined when its body cannot be decoded.
struct NotificationRow {
    id: String,
    body: String,
    version: i64,
    audience: String,
    party_code: String,
    document_id: Option<String>,
    created_at: i64,
}

impl NotificationRow {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            body: r.get(1)?,
            version: r.get(2)?,
            audience: r.get(3)?,
            party_code: r.get(4)?,
            document_id: r.get(5)?,
            created_at: r.get(6)?,
        })
    }

    /// The stored notification, or the error that makes it one to quarantine.
    fn decode(&self) -> Result<Notification> {
        decode::<Notification>((self.body.clone(), self.version))
    }

    /// What the row reads as once set aside: [`Notification::quarantined`] at its version.
    fn quarantined(&self, error: &Error) -> Notification {
        let mut q = Notification::quarantined(
            self.id.clone(),
            Audience::parse(&self.audience).unwrap_or(Audience::Client),
            self.party_code.clone(),
            self.document_id.clone(),
            DateTime::from_timestamp_nanos(self.created_at),
            &self.body,
            &error.to_string(),
        );
        q.version = u64::try_from(self.version).unwrap_or(0);
        q
    }
}

impl SqliteStore {
    /// Notification rows read by `sql` ([`NotificationRow`]'s columns); a row that cannot be
    /// decoded reads as what dispatch will quarantine it as, so the history still lists it
    /// (and every other row) instead of failing.
    fn notification_rows(&self, sql: &str, args: Vec<Value>) -> Result<Vec<Notification>> {
        let rows: Vec<NotificationRow> = self.read(|c| {
            c.prepare_cached(sql)?
                .query_map(
                    rusqlite::params_from_iter(args.iter()),
                    NotificationRow::read,
                )?
                .collect()
        })?;
        Ok(rows
            .iter()
            .map(|row| row.decode().unwrap_or_else(|e| row.quarantined(&e)))
            .collect())
    }
}

/// Insert a new record (`version == 0`) or update the one still at `version`.
///
/// Both statements take `?1` tenant, then `values` (key columns first), then the version
/// (1 for an insert, the expected one for an update), then the JSON body.
struct Put<'a> {
    /// The insert and the update statement.
    sql: (&'static str, &'static str),
    values: Vec<Value>,
    version: u64,
    body: String,
    what: &'a dyn Fn() -> String,
}

/// The insert and update statements of a table: `key` identifies the row, `cols` are the
/// other indexed columns. Built once per process.
fn statements(
    cell: &'static std::sync::OnceLock<(String, String)>,
    table: &str,
    key: &[&str],
    cols: &[&str],
) -> (&'static str, &'static str) {
    let (i, u) = cell.get_or_init(|| {
        let names: Vec<&str> = std::iter::once("tenant")
            .chain(key.iter().copied())
            .chain(cols.iter().copied())
            .chain(["version", "body"])
            .collect();
        let marks = (1..=names.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let insert = format!(
            "INSERT INTO {table} ({}) VALUES ({marks})",
            names.join(", ")
        );
        let n_key = key.len();
        let sets: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ?{}", 2 + n_key + i))
            .chain([
                format!("body = ?{}", 3 + n_key + cols.len()),
                "version = version + 1".to_string(),
            ])
            .collect();
        let wheres: String = key
            .iter()
            .enumerate()
            .map(|(i, c)| format!(" AND {c} = ?{}", 2 + i))
            .collect();
        let update = format!(
            "UPDATE {table} SET {} WHERE tenant = ?1{wheres} AND version = ?{}",
            sets.join(", "),
            2 + n_key + cols.len()
        );
        (insert, update)
    });
    (i.as_str(), u.as_str())
}

macro_rules! sql {
    ($table:literal, [$($k:literal),*], [$($c:literal),*]) => {{
        static CELL: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
        statements(&CELL, $table, &[$($k),*], &[$($c),*])
    }};
}

fn txt(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn opt_txt(s: Option<&str>) -> Value {
    s.map_or(Value::Null, txt)
}

impl SqliteStore {
    fn apply(tx: &rusqlite::Transaction<'_>, tenant: &str, change: &Change) -> Result<()> {
        let what: &dyn Fn() -> String = &|| change.describe();
        let put = match change {
            Change::Settings(s) => Put {
                sql: sql!("settings", [], []),
                values: vec![],
                version: s.version,
                body: json("settings", s)?,
                what,
            },
            Change::Party(p) => Put {
                sql: sql!("parties", ["audience", "code"], []),
                values: vec![txt(p.audience.as_str()), txt(&p.code)],
                version: p.version,
                body: json("party", p)?,
                what,
            },
            Change::Folder(f) => Put {
                sql: sql!("folders", ["id"], ["audience", "path"]),
                values: vec![txt(&f.id), txt(f.audience.as_str()), txt(&f.path)],
                version: f.version,
                body: json("folder", f)?,
                what,
            },
            Change::DeleteFolder { id, version } => {
                let n = tx
                    .prepare_cached(
                        "DELETE FROM folders WHERE tenant = ?1 AND id = ?2 AND version = ?3",
                    )
                    .db()?
                    .execute(params![tenant, id, ver(*version)])
                    .db()?;
                if n == 1 {
                    return Ok(());
                }
                // Like a put at version 0: a missing folder "at version 0" is already gone.
                let exists = tx
                    .prepare_cached("SELECT 1 FROM folders WHERE tenant = ?1 AND id = ?2")
                    .db()?
                    .exists(params![tenant, id])
                    .db()?;
                if *version == 0 && !exists {
                    return Ok(());
                }
                return Err(Error::conflict(format!("folder {id}")));
            }
            Change::Template(t) => Put {
                sql: sql!("templates", ["audience", "purpose"], []),
                values: vec![txt(t.audience.as_str()), txt(t.purpose.as_str())],
                version: t.version,
                body: json("template", t)?,
                what,
            },
            Change::Document(d) => Put {
                sql: sql!(
                    "documents",
                    ["id"],
                    [
                        "audience",
                        "party_code",
                        "folder_id",
                        "kind",
                        "payment",
                        "external_id",
                        "published_at"
                    ]
                ),
                values: vec![
                    txt(&d.id),
                    txt(d.audience.as_str()),
                    txt(&d.party_code),
                    txt(&d.folder_id),
                    txt(d.kind.as_str()),
                    txt(payment_str(d.payment)),
                    opt_txt(d.external_id.as_deref()),
                    Value::Integer(ts(d.published_at)),
                ],
                version: d.version,
                body: json("document", d)?,
                what,
            },
            Change::Notification(n) => Put {
                sql: sql!(
                    "notifications",
                    ["id"],
                    [
                        "audience",
                        "party_code",
                        "state",
                        "open",
                        "document_id",
                        "created_at",
                        "next_attempt_at",
                        "claimed_until"
                    ]
                ),
                values: vec![
                    txt(&n.id),
                    txt(n.audience.as_str()),
                    txt(&n.party_code),
                    txt(n.state.as_str()),
                    Value::Integer(i64::from(n.state.is_open())),
                    opt_txt(n.document_id.as_deref()),
                    Value::Integer(ts(n.created_at)),
                    Value::Integer(ts(n.next_attempt_at)),
                    n.claimed_until
                        .map_or(Value::Null, |c| Value::Integer(ts(c))),
                ],
                version: n.version,
                body: json("notification", n)?,
                what,
            },
            Change::Account(a) => Put {
                sql: sql!(
                    "accounts",
                    ["id"],
                    [
                        "audience",
                        "party_code",
                        "identifier_key",
                        "status",
                        "needs_sync",
                        "created_at",
                        "live_slot",
                        "identifier_skeleton"
                    ]
                ),
                values: vec![
                    txt(&a.id),
                    txt(a.audience.as_str()),
                    txt(&a.party_code),
                    txt(&a.identifier_key),
                    txt(a.status.as_str()),
                    Value::Integer(i64::from(a.needs_sync)),
                    Value::Integer(ts(a.created_at)),
                    opt_txt(a.live_slot().as_deref()),
                    opt_txt(a.identifier_skeleton.as_deref()),
                ],
                version: a.version,
                body: json("account", a)?,
                what,
            },
            Change::Token(t) => Put {
                sql: sql!("tokens", ["hash"], []),
                values: vec![txt(&t.hash)],
                version: t.version,
                body: json("token", t)?,
                what,
            },
            Change::AccessEvent(e) => {
                // Append-only and idempotent: recording the same event twice keeps one.
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO access_events (tenant, id, document_id, at, body) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .db()?
                .execute(params![
                    tenant,
                    e.id,
                    e.document_id,
                    ts(e.at),
                    json("access event", e)?
                ])
                .db()?;
                return Ok(());
            }
        };
        Self::put(tx, tenant, put, change)
    }

    fn put(
        tx: &rusqlite::Transaction<'_>,
        tenant: &str,
        put: Put<'_>,
        change: &Change,
    ) -> Result<()> {
        let insert = put.version == 0;
        let sql = if insert { put.sql.0 } else { put.sql.1 };
        let mut args: Vec<Value> = Vec::with_capacity(put.values.len() + 3);
        args.push(txt(tenant));
        args.extend(put.values);
        args.push(Value::Integer(if insert { 1 } else { ver(put.version) }));
        args.push(Value::Text(put.body));
        let result = tx
            .prepare_cached(sql)
            .db()?
            .execute(rusqlite::params_from_iter(args.iter()));
        match result {
            Ok(1) => Ok(()),
            Ok(_) => Err(Error::conflict((put.what)())),
            Err(e) if is_constraint(&e) => {
                if let Change::Account(a) = change {
                    // A stale version wins over a taken identifier (as MemoryStore decides).
                    let exists = tx
                        .prepare_cached("SELECT 1 FROM accounts WHERE tenant = ?1 AND id = ?2")
                        .db()?
                        .exists(params![tenant, a.id])
                        .db()?;
                    let message = e.to_string();
                    if !(insert && exists) {
                        if message.contains("identifier_key")
                            || message.contains("identifier_skeleton")
                        {
                            return Err(Error::IdentifierTaken {
                                identifier: a.identifier.clone(),
                            });
                        }
                        if message.contains("live_slot") {
                            return Err(super::live_slot_taken(&a.party_code));
                        }
                    }
                }
                match change {
                    Change::Folder(f) if !e.to_string().contains(".id") => {
                        Err(Error::conflict(format!("folder path {}", f.path)))
                    }
                    Change::Document(d) if e.to_string().contains("external_id") => {
                        Err(Error::conflict(format!(
                            "document external id {}",
                            d.external_id.as_deref().unwrap_or_default()
                        )))
                    }
                    _ => Err(Error::conflict((put.what)())),
                }
            }
            Err(e) => Err(db(e)),
        }
    }
}

/// The stored attempt counter of `key`.
fn read_attempts(conn: &Connection, tenant: &str, key: &str) -> Result<AttemptState> {
    let row: Option<(i64, Option<i64>, Option<i64>)> = conn
        .prepare_cached(
            "SELECT failures, locked_until, since FROM attempts WHERE tenant = ?1 AND key = ?2",
        )
        .db()?
        .query_row(params![tenant, key], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()
        .db()?;
    Ok(
        row.map_or_else(AttemptState::default, |(failures, until, since)| {
            AttemptState {
                failures: u32::try_from(failures).unwrap_or(u32::MAX),
                locked_until: until.map(DateTime::from_timestamp_nanos),
                since: since.map(DateTime::from_timestamp_nanos),
            }
        }),
    )
}

/// `IN (?n, ?n+1, ...)` for `count` parameters starting at `first`.
fn in_list(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store for SqliteStore {
    fn settings(&self, tenant: &str) -> Result<Option<Settings>> {
        self.one(
            "SELECT body, version FROM settings WHERE tenant = ?1",
            &[&tenant],
        )
    }

    fn party(&self, tenant: &str, audience: Audience, code: &str) -> Result<Option<Party>> {
        self.one(
            "SELECT body, version FROM parties WHERE tenant = ?1 AND audience = ?2 AND code = ?3",
            &[&tenant, &audience.as_str(), &code],
        )
    }

    fn parties(
        &self,
        tenant: &str,
        audience: Audience,
        offset: u64,
        limit: u32,
    ) -> Result<Page<Party>> {
        self.page(
            "SELECT count(*) FROM parties WHERE tenant = ?1 AND audience = ?2",
            "SELECT body, version FROM parties WHERE tenant = ?1 AND audience = ?2 \
             ORDER BY code LIMIT ?3 OFFSET ?4",
            vec![txt(tenant), txt(audience.as_str())],
            offset,
            limit,
        )
    }

    fn folders(&self, tenant: &str, audience: Audience) -> Result<Vec<Folder>> {
        self.all(
            "SELECT body, version FROM folders WHERE tenant = ?1 AND audience = ?2 ORDER BY path",
            &[&tenant, &audience.as_str()],
        )
    }

    fn templates(&self, tenant: &str, audience: Audience) -> Result<Vec<Template>> {
        let mut v: Vec<Template> = self.all(
            "SELECT body, version FROM templates WHERE tenant = ?1 AND audience = ?2",
            &[&tenant, &audience.as_str()],
        )?;
        v.sort_by_key(|t| t.purpose);
        Ok(v)
    }

    fn document(&self, tenant: &str, id: &str) -> Result<Option<Document>> {
        self.one(
            "SELECT body, version FROM documents WHERE tenant = ?1 AND id = ?2",
            &[&tenant, &id],
        )
    }

    fn document_by_external_id(
        &self,
        tenant: &str,
        audience: Audience,
        external_id: &str,
    ) -> Result<Option<Document>> {
        self.one(
            "SELECT body, version FROM documents \
             WHERE tenant = ?1 AND audience = ?2 AND external_id = ?3",
            &[&tenant, &audience.as_str(), &external_id],
        )
    }

    fn documents(&self, tenant: &str, q: &DocumentQuery) -> Result<Page<Document>> {
        let mut args = vec![txt(tenant), txt(q.audience.as_str()), txt(&q.party_code)];
        let mut filter = String::new();
        if let Some(folders) = &q.folder_ids {
            if folders.is_empty() {
                return Ok(Page {
                    items: vec![],
                    total: 0,
                    offset: q.offset,
                    limit: q.limit,
                });
            }
            filter.push_str(&format!(
                " AND folder_id IN ({})",
                in_list(args.len() + 1, folders.len())
            ));
            args.extend(folders.iter().map(|f| txt(f)));
        }
        if !q.include_invoices {
            filter.push_str(" AND kind <> 'invoice'");
        }
        let base = format!(
            "FROM documents INDEXED BY documents_by_party \
             WHERE tenant = ?1 AND audience = ?2 AND party_code = ?3{filter}"
        );
        let n = args.len();
        self.page(
            &format!("SELECT count(*) {base}"),
            &format!(
                "SELECT body, version {base} ORDER BY published_at DESC, id DESC \
                 LIMIT ?{} OFFSET ?{}",
                n + 1,
                n + 2
            ),
            args,
            q.offset,
            q.limit,
        )
    }

    fn count_documents_in_folder(&self, tenant: &str, folder_id: &str) -> Result<u64> {
        let n: i64 = self.read(|c| {
            c.prepare_cached("SELECT count(*) FROM documents WHERE tenant = ?1 AND folder_id = ?2")?
                .query_row(params![tenant, folder_id], |r| r.get(0))
        })?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn party_has_unpaid(&self, tenant: &str, audience: Audience, party_code: &str) -> Result<bool> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT 1 FROM documents WHERE tenant = ?1 AND audience = ?2 \
                 AND party_code = ?3 AND payment = 'unpaid'",
            )?
            .exists(params![tenant, audience.as_str(), party_code])
        })
    }

    fn notification(&self, tenant: &str, id: &str) -> Result<Option<Notification>> {
        let rows = self.notification_rows(
            "SELECT id, body, version, audience, party_code, document_id, created_at \
             FROM notifications WHERE tenant = ?1 AND id = ?2",
            vec![txt(tenant), txt(id)],
        )?;
        Ok(rows.into_iter().next())
    }

    fn notifications(
        &self,
        tenant: &str,
        filter: &NotificationFilter,
        offset: u64,
        limit: u32,
    ) -> Result<Page<Notification>> {
        let mut args = vec![txt(tenant)];
        let mut wheres = String::from("tenant = ?1");
        let mut add = |col: &str, op: &str, v: Value| {
            args.push(v);
            wheres.push_str(&format!(" AND {col} {op} ?{}", args.len()));
        };
        if let Some(a) = filter.audience {
            add("audience", "=", txt(a.as_str()));
        }
        if let Some(p) = &filter.party_code {
            add("party_code", "=", txt(p));
        }
        if let Some(s) = filter.state {
            add("state", "=", txt(s.as_str()));
        }
        if let Some(d) = &filter.document_id {
            add("document_id", "=", txt(d));
        }
        if let Some(f) = filter.from {
            add("created_at", ">=", Value::Integer(ts(f)));
        }
        if let Some(t) = filter.to {
            add("created_at", "<", Value::Integer(ts(t)));
        }
        let n = args.len();
        let total: i64 = self.read(|c| {
            c.prepare_cached(&format!(
                "SELECT count(*) FROM notifications WHERE {wheres}"
            ))?
            .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))
        })?;
        let mut all = args;
        all.push(Value::Integer(i64::from(limit)));
        all.push(Value::Integer(ver(offset)));
        let items = self.notification_rows(
            &format!(
                "SELECT id, body, version, audience, party_code, document_id, created_at \
                 FROM notifications WHERE {wheres} \
                 ORDER BY created_at DESC, id DESC LIMIT ?{} OFFSET ?{}",
                n + 1,
                n + 2
            ),
            all,
        )?;
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
            offset,
            limit,
        })
    }

    fn due_notifications(
        &self,
        tenant: &str,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Notification>> {
        self.all(
            "SELECT body, version FROM notifications INDEXED BY notifications_due \
             WHERE tenant = ?1 AND open = 1 AND next_attempt_at <= ?2 \
             AND (claimed_until IS NULL OR claimed_until <= ?2) \
             ORDER BY next_attempt_at, id LIMIT ?3",
            &[&tenant, &ts(now), &i64::from(limit)],
        )
    }

    fn claim_due(
        &self,
        tenant: &str,
        due_at: DateTime<Utc>,
        lease: chrono::Duration,
        limit: u32,
    ) -> Result<Vec<Notification>> {
        let store_now = self.store_time()?;
        let until = store_now + lease;
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let rows: Vec<NotificationRow> = tx
            .prepare_cached(
                "SELECT id, body, version, audience, party_code, document_id, created_at \
                 FROM notifications INDEXED BY notifications_due \
                 WHERE tenant = ?1 AND open = 1 AND next_attempt_at <= ?2 \
                 AND (claimed_until IS NULL OR claimed_until <= ?3) \
                 ORDER BY next_attempt_at, id LIMIT ?4",
            )
            .db()?
            .query_map(
                params![tenant, ts(due_at), ts(store_now), i64::from(limit)],
                NotificationRow::read,
            )
            .db()?
            .collect::<rusqlite::Result<_>>()
            .db()?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            match row.decode() {
                Ok(mut n) => {
                    n.claimed_until = Some(until);
                    let updated = tx
                        .prepare_cached(
                            "UPDATE notifications SET claimed_until = ?1, body = ?2, \
                             version = version + 1 WHERE tenant = ?3 AND id = ?4 AND version = ?5",
                        )
                        .db()?
                        .execute(params![
                            ts(until),
                            json("notification", &n)?,
                            tenant,
                            row.id,
                            row.version
                        ])
                        .db()?;
                    if updated == 1 {
                        n.version += 1;
                        claimed.push(n);
                    }
                }
                Err(e) => {
                    let q = row.quarantined(&e);
                    // A row that says it held a secret is not kept, even undecodable.
                    let keep = (!row.body.contains("\"holds_secret\":true")).then_some(&row.body);
                    tx.prepare_cached(
                        "UPDATE notifications SET state = ?1, open = 0, claimed_until = NULL, \
                         body = ?2, quarantined_body = ?3, version = version + 1 \
                         WHERE tenant = ?4 AND id = ?5 AND version = ?6",
                    )
                    .db()?
                    .execute(params![
                        q.state.as_str(),
                        json("notification", &q)?,
                        keep,
                        tenant,
                        row.id,
                        row.version
                    ])
                    .db()?;
                }
            }
        }
        tx.commit().db()?;
        Ok(claimed)
    }

    fn account(&self, tenant: &str, id: &str) -> Result<Option<Account>> {
        self.one(
            "SELECT body, version FROM accounts WHERE tenant = ?1 AND id = ?2",
            &[&tenant, &id],
        )
    }

    fn account_by_identifier(
        &self,
        tenant: &str,
        audience: Audience,
        identifier_key: &str,
    ) -> Result<Option<Account>> {
        self.one(
            "SELECT body, version FROM accounts WHERE tenant = ?1 AND audience = ?2 \
             AND identifier_key = ?3 AND status <> 'revoked'",
            &[&tenant, &audience.as_str(), &identifier_key],
        )
    }

    fn accounts(
        &self,
        tenant: &str,
        filter: &AccountFilter,
        offset: u64,
        limit: u32,
    ) -> Result<Page<Account>> {
        let mut args = vec![txt(tenant)];
        let mut wheres = String::from("tenant = ?1");
        let mut add = |col: &str, v: Value| {
            args.push(v);
            wheres.push_str(&format!(" AND {col} = ?{}", args.len()));
        };
        if let Some(a) = filter.audience {
            add("audience", txt(a.as_str()));
        }
        if let Some(p) = &filter.party_code {
            add("party_code", txt(p));
        }
        if let Some(s) = filter.status {
            add("status", txt(s.as_str()));
        }
        if let Some(n) = filter.needs_sync {
            add("needs_sync", Value::Integer(i64::from(n)));
        }
        let n = args.len();
        self.page(
            &format!("SELECT count(*) FROM accounts WHERE {wheres}"),
            &format!(
                "SELECT body, version FROM accounts WHERE {wheres} \
                 ORDER BY audience, party_code, created_at, id LIMIT ?{} OFFSET ?{}",
                n + 1,
                n + 2
            ),
            args,
            offset,
            limit,
        )
    }

    fn token(&self, tenant: &str, hash: &str) -> Result<Option<Token>> {
        self.one(
            "SELECT body, version FROM tokens WHERE tenant = ?1 AND hash = ?2",
            &[&tenant, &hash],
        )
    }

    fn access_events(
        &self,
        tenant: &str,
        document_id: &str,
        offset: u64,
        limit: u32,
    ) -> Result<Page<AccessEvent>> {
        self.page(
            "SELECT count(*) FROM access_events WHERE tenant = ?1 AND document_id = ?2",
            "SELECT body, 0 FROM access_events WHERE tenant = ?1 AND document_id = ?2 \
             ORDER BY at DESC, id DESC LIMIT ?3 OFFSET ?4",
            vec![txt(tenant), txt(document_id)],
            offset,
            limit,
        )
    }

    fn begin_attempt(
        &self,
        tenant: &str,
        key: &str,
        limit: u32,
        lockout: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<AttemptGate> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        // BEGIN IMMEDIATE: read and write under the file's write lock, so processes sharing
        // the file count every attempt too.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let current = read_attempts(&tx, tenant, key)?;
        let (gate, next) = super::next_attempt(current, limit, lockout, now);
        if let Some(next) = next {
            tx.prepare_cached("INSERT OR IGNORE INTO tenants (tenant) VALUES (?1)")
                .db()?
                .execute([tenant])
                .db()?;
            tx.prepare_cached(
                "INSERT INTO attempts (tenant, key, failures, locked_until, since) \
                 VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (tenant, key) DO UPDATE \
                 SET failures = excluded.failures, locked_until = excluded.locked_until, \
                     since = excluded.since",
            )
            .db()?
            .execute(params![
                tenant,
                key,
                i64::from(next.failures),
                next.locked_until.map(ts),
                next.since.map(ts)
            ])
            .db()?;
            // Drop a few spent counters (`store::attempt_is_spent`) with each counted attempt,
            // so rows left by invented identifiers never pile up.
            let window_opened_before = now
                .checked_sub_signed(lockout)
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            tx.prepare_cached(
                "DELETE FROM attempts WHERE tenant = ?1 AND key IN ( \
                   SELECT key FROM attempts INDEXED BY attempts_by_since \
                   WHERE tenant = ?1 AND (since IS NULL OR since <= ?2) \
                   AND (locked_until IS NULL OR locked_until <= ?3) AND key <> ?4 LIMIT 8)",
            )
            .db()?
            .execute(params![tenant, ts(window_opened_before), ts(now), key])
            .db()?;
        }
        tx.commit().db()?;
        Ok(gate)
    }

    fn clear_attempts(&self, tenant: &str, key: &str) -> Result<()> {
        let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        conn.prepare_cached("DELETE FROM attempts WHERE tenant = ?1 AND key = ?2")
            .db()?
            .execute(params![tenant, key])
            .db()?;
        Ok(())
    }

    fn attempts(&self, tenant: &str, key: &str) -> Result<AttemptState> {
        let conn = self.reader()?;
        let out = read_attempts(&conn, tenant, key);
        if let Ok(mut pool) = self.readers.lock() {
            if pool.len() < READERS {
                pool.push(conn);
            }
        }
        out
    }

    fn commit(&self, tenant: &str, changes: &[Change]) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        // A panic while holding the lock dropped its transaction, which rolled it back: the
        // connection is clean, so a poisoned lock is taken over.
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        // A commit that only updates stored records (a dispatcher recording one result) has
        // its tenant already; skip the statement on that hot path.
        let updates_only = changes.iter().all(|c| match c {
            Change::Notification(n) => n.version > 0,
            Change::Account(a) => a.version > 0,
            Change::Document(d) => d.version > 0,
            _ => false,
        });
        if !updates_only {
            tx.prepare_cached("INSERT OR IGNORE INTO tenants (tenant) VALUES (?1)")
                .db()?
                .execute([tenant])
                .db()?;
        }
        for change in changes {
            // On error the transaction is dropped, which rolls every change back.
            Self::apply(&tx, tenant, change)?;
        }
        tx.commit().db()
    }

    /// One autocommit `UPDATE` of the columns a send changes: the indexes on the others
    /// (party, date, document) are left alone, no transaction statements, no tenant row.
    fn finish_notification(&self, tenant: &str, n: &Notification) -> Result<()> {
        if n.version == 0 {
            return self.commit(tenant, &[Change::Notification(n.clone())]);
        }
        let body = json("notification", n)?;
        let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let updated = conn
            .prepare_cached(
                "UPDATE notifications SET state = ?1, open = ?2, next_attempt_at = ?3, \
                 claimed_until = ?4, body = ?5, version = version + 1 \
                 WHERE tenant = ?6 AND id = ?7 AND version = ?8",
            )
            .db()?
            .execute(params![
                n.state.as_str(),
                i64::from(n.state.is_open()),
                ts(n.next_attempt_at),
                n.claimed_until.map(ts),
                body,
                tenant,
                n.id,
                ver(n.version)
            ])
            .db()?;
        if updated == 1 {
            Ok(())
        } else {
            Err(Error::conflict(format!("notification {}", n.id)))
        }
    }

    /// `PRAGMA wal_checkpoint(TRUNCATE)`: every committed page is copied into the database
    /// (where `secure_delete` has zeroed what was erased) and the WAL, which still holds the
    /// older page images, is cut to zero bytes. A reader of another process that still uses old
    /// frames makes it busy: tried three times, then a `storage` error.
    fn forget_erased(&self) -> Result<()> {
        let conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        conn.busy_timeout(CHECKPOINT_BUSY_TIMEOUT).db()?;
        let result = Self::checkpoint_truncate(&conn);
        conn.busy_timeout(BUSY_TIMEOUT).db()?;
        result.map_err(|last| {
            Error::storage(format!(
                "the change was committed, but its erased secrets may remain in {}-wal: \
                 checkpoint failed after {CHECKPOINT_TRIES} tries ({last})",
                self.path.display()
            ))
        })
    }
}

impl SqliteStore {
    /// [`CHECKPOINT_TRIES`] tries of `wal_checkpoint(TRUNCATE)`; the last reason on failure.
    fn checkpoint_truncate(conn: &Connection) -> std::result::Result<(), String> {
        let mut wait = CHECKPOINT_BACKOFF;
        let mut last = String::new();
        for attempt in 1..=CHECKPOINT_TRIES {
            let outcome: rusqlite::Result<(i64, i64, i64)> =
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                });
            match outcome {
                Ok((0, _, _)) => return Ok(()),
                Ok((_, log, done)) => last = format!("busy: {done} of {log} WAL frames copied"),
                Err(e) => last = e.to_string(),
            }
            if attempt < CHECKPOINT_TRIES {
                std::thread::sleep(wait);
                wait *= 2;
            }
        }
        Err(last)
    }
}

/// The conformance suite, one named test per check, each on a fresh file in its own
/// temporary directory (alive until the test ends).
#[cfg(test)]
mod conformance_tests {
    use super::SqliteStore;

    crate::store_conformance_tests!(
        let dir = tempfile::tempdir().expect("temp dir");
        SqliteStore::open(dir.path().join("conformance.sqlite3")).expect("open a fresh store")
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn is_send_sync_and_writes_from_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SqliteStore>();
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path().join("db.sqlite3")).unwrap());
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let code = format!("t{t}-{i}");
                        store
                            .commit("x", &[Change::Party(Party::client(code.clone(), "N"))])
                            .unwrap();
                        assert!(store.party("x", Audience::Client, &code).unwrap().is_some());
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(
            store.parties("x", Audience::Client, 0, 1).unwrap().total,
            200
        );
    }

    /// A v2 file may hold two live accounts of one party (the race v3 closes): the migration
    /// keeps the older in the party's slot, and the file then refuses a third.
    #[test]
    fn a_v2_database_with_twin_accounts_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.sqlite3");
        {
            let mut conn = Connection::open(&path).unwrap();
            assert_eq!(migrate(&mut conn, 2).unwrap(), 2);
            conn.execute("INSERT INTO tenants VALUES ('t')", [])
                .unwrap();
            for (i, id) in ["older", "newer"].into_iter().enumerate() {
                let mut a = crate::store::conformance::sample_account(id, "4", id);
                a.created_at += chrono::Duration::seconds(i as i64);
                conn.execute(
                    "INSERT INTO accounts VALUES ('t', ?1, 'client', '4', ?1, 'draft', 1, ?2, 1, ?3)",
                    params![id, ts(a.created_at), serde_json::to_string(&a).unwrap()],
                )
                .unwrap();
            }
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let slot: Vec<(String, Option<String>)> = store
            .read(|c| {
                c.prepare("SELECT id, live_slot FROM accounts ORDER BY created_at")?
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            })
            .unwrap();
        assert_eq!(
            slot,
            vec![("older".into(), Some("4".into())), ("newer".into(), None)]
        );
        let third = crate::store::conformance::sample_account("third", "4", "third");
        assert_eq!(
            store
                .commit("t", &[Change::Account(third)])
                .unwrap_err()
                .code(),
            "conflict"
        );
        // Sync activates the account in the slot; its twin is left over, not the whole chunk.
        let store = std::sync::Arc::new(store);
        let portal = crate::Portal::builder("t")
            .settings(Settings::new("X", "x.fr"))
            .store(store.clone())
            .security(crate::SecurityPolicy::fast_for_tests())
            .build()
            .unwrap();
        assert_eq!(portal.sync().unwrap().activated, 1);
        let older = store.account("t", "older").unwrap().unwrap();
        assert_eq!(older.status, crate::AccountStatus::Active);
        let mut newer = store.account("t", "newer").unwrap().unwrap();
        assert_eq!(newer.status, crate::AccountStatus::Draft);
        newer.status = crate::AccountStatus::Revoked;
        store.commit("t", &[Change::Account(newer)]).unwrap();
    }

    #[test]
    fn a_v1_database_is_migrated_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        {
            let mut conn = Connection::open(&path).unwrap();
            assert_eq!(migrate(&mut conn, 1).unwrap(), 1);
            let v: u32 = conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .unwrap();
            assert_eq!(v, 1);
            // Rows as the first release wrote them.
            conn.execute("INSERT INTO tenants VALUES ('t')", [])
                .unwrap();
            let party = Party::client("4", "MOI MEME");
            conn.execute(
                "INSERT INTO parties VALUES ('t', 'client', '4', 1, ?1)",
                [serde_json::to_string(&party).unwrap()],
            )
            .unwrap();
            let mut d = crate::store::conformance::sample_document("d1", "4", "f");
            d.payment = PaymentStatus::Unpaid;
            conn.execute(
                "INSERT INTO documents VALUES ('t', 'd1', 'client', '4', 'f', 'other', 'unpaid', \
                 NULL, ?1, 1, ?2)",
                params![ts(d.published_at), serde_json::to_string(&d).unwrap()],
            )
            .unwrap();
            let missing: bool = conn
                .prepare("SELECT 1 FROM sqlite_master WHERE name = 'access_events'")
                .unwrap()
                .exists([])
                .unwrap();
            assert!(!missing, "v1 has no access_events table");
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(SCHEMA_VERSION, 5);
        let p = store.party("t", Audience::Client, "4").unwrap().unwrap();
        assert_eq!((p.name.as_str(), p.version), ("MOI MEME", 1));
        assert!(store.party_has_unpaid("t", Audience::Client, "4").unwrap());
        let d = store.document("t", "d1").unwrap().unwrap();
        assert_eq!(d.version, 1);
        // The v2 table works on the migrated file.
        store
            .commit(
                "t",
                &[Change::AccessEvent(AccessEvent {
                    id: "e1".into(),
                    audience: Audience::Client,
                    party_code: "4".into(),
                    document_id: "d1".into(),
                    account_id: "a1".into(),
                    at: d.published_at,
                })],
            )
            .unwrap();
        assert_eq!(store.access_events("t", "d1", 0, 10).unwrap().total, 1);
        drop(store);
        // Reopening a current file migrates nothing and keeps everything.
        let again = SqliteStore::open(&path).unwrap();
        assert_eq!(again.access_events("t", "d1", 0, 10).unwrap().total, 1);
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite3");
        drop(SqliteStore::open(&path).unwrap());
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
        }
        let e = SqliteStore::open(&path).unwrap_err();
        assert_eq!(e.code(), "storage");
        assert!(e.to_string().contains("newer"), "{e}");
    }

    #[test]
    fn secure_delete_is_on_for_every_connection() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("db.sqlite3")).unwrap();
        let reader: i64 = store
            .read(|c| c.pragma_query_value(None, "secure_delete", |r| r.get(0)))
            .unwrap();
        let writer: i64 = store
            .writer
            .lock()
            .unwrap()
            .pragma_query_value(None, "secure_delete", |r| r.get(0))
            .unwrap();
        assert_eq!((reader, writer), (1, 1));
        store.forget_erased().unwrap();
        let wal = std::fs::metadata(dir.path().join("db.sqlite3-wal")).unwrap();
        assert_eq!(wal.len(), 0, "the WAL is truncated");
    }

    #[test]
    fn wal_and_foreign_keys_are_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("db.sqlite3")).unwrap();
        let (mode, fk): (String, i64) = store
            .read(|c| {
                Ok((
                    c.pragma_query_value(None, "journal_mode", |r| r.get(0))?,
                    c.pragma_query_value(None, "foreign_keys", |r| r.get(0))?,
                ))
            })
            .unwrap();
        assert_eq!((mode.as_str(), fk), ("wal", 1));
        // A row of an unknown tenant is refused by the foreign key.
        let w = store.writer.lock().unwrap();
        let e = w
            .execute("INSERT INTO tokens VALUES ('nobody', 'h', 1, '{}')", [])
            .unwrap_err();
        assert!(is_constraint(&e), "{e}");
    }

    #[test]
    fn queries_use_their_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("db.sqlite3")).unwrap();
        let plan = |sql: &str| -> String {
            store
                .read(|c| {
                    let mut s = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                    let rows = s
                        .query_map([], |r| r.get::<_, String>(3))?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    Ok(rows.join("; "))
                })
                .unwrap()
        };
        for (sql, index) in [
            (
                "SELECT body FROM documents WHERE tenant='t' AND audience='client' \
                 AND party_code='4' AND folder_id IN ('a','b') AND kind <> 'invoice' \
                 ORDER BY published_at DESC, id DESC LIMIT 20",
                "documents_by_party",
            ),
            (
                "SELECT body FROM documents WHERE tenant='t' AND audience='client' \
                 AND external_id='x'",
                "documents_by_external_id",
            ),
            (
                "SELECT count(*) FROM documents WHERE tenant='t' AND folder_id='f'",
                "documents_by_folder",
            ),
            (
                "SELECT 1 FROM documents WHERE tenant='t' AND audience='client' \
                 AND party_code='4' AND payment='unpaid'",
                "documents_unpaid",
            ),
            (
                "SELECT body FROM notifications WHERE tenant='t' AND open = 1 \
                 AND next_attempt_at <= 5 ORDER BY next_attempt_at, id LIMIT 10",
                "notifications_due",
            ),
            (
                "SELECT body FROM notifications WHERE tenant='t' AND party_code='4' \
                 ORDER BY created_at DESC, id DESC LIMIT 10",
                "notifications_by_party",
            ),
            (
                "SELECT body FROM notifications WHERE tenant='t' AND state='sent' \
                 ORDER BY created_at DESC, id DESC LIMIT 10",
                "notifications_by_state",
            ),
            (
                "SELECT body FROM notifications WHERE tenant='t' AND created_at >= 5 \
                 ORDER BY created_at DESC, id DESC LIMIT 10",
                "notifications_by_date",
            ),
            (
                "SELECT body FROM accounts WHERE tenant='t' AND audience='client' \
                 AND identifier_key='x' AND status <> 'revoked'",
                "accounts_by_identifier",
            ),
            (
                "SELECT body FROM access_events WHERE tenant='t' AND document_id='d' \
                 ORDER BY at DESC, id DESC LIMIT 10",
                "access_events_by_document",
            ),
        ] {
            let p = plan(sql);
            assert!(p.contains(index), "{sql}\n  plan: {p}");
            assert!(!p.contains("TEMP B-TREE"), "{sql}\n  sorts: {p}");
        }
    }
}
