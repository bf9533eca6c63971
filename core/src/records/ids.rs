//! Record ids: random ones, and ones that sort by creation.

/// A new random id (UUID v4, simple form).
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A new id like [`new_id`] (32 lowercase hex digits) that sorts by creation:
/// 48 bits of milliseconds, a 16-bit per-process counter, 64 random bits. Documents published
/// at the same instant then list newest first, and a bulk publish appends to the id indexes
/// instead of touching every page of them.
pub(crate) fn ordered_id() -> String {
    use rand::RngCore;
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "{:012x}{:04x}{:016x}",
        millis & 0xffff_ffff_ffff,
        n & 0xffff,
        rand::thread_rng().next_u64()
    )
}
