//! Benchmark of sync (issue 4), in one run: activating draft accounts through `Portal::sync`
//! (argon2id with OWASP parameters, spread over the cores, store commits included) beside bare
//! argon2id hashing of as many passwords with the same number of threads. The two alternate for
//! `ROUNDS` rounds and the best time of each is kept, so a busy machine hurts both alike.
//!
//! ```text
//! cargo run --release -p portail --example bench_sync [-- COUNT [ROUNDS]]
//! ```

use std::time::{Duration, Instant};

use portail::*;

fn bare(policy: &SecurityPolicy, count: usize, threads: usize) -> Duration {
    let passwords: Vec<String> = (0..count).map(|_| policy.generate_password()).collect();
    let start = Instant::now();
    let per = count.div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = passwords
            .chunks(per)
            .map(|chunk| {
                s.spawn(|| {
                    chunk
                        .iter()
                        .map(|p| policy.hash_password(p))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        for h in handles {
            let _ = h.join();
        }
    });
    start.elapsed()
}

fn synced(count: usize, round: usize) -> Result<Duration> {
    let dir =
        std::env::temp_dir().join(format!("portail-bench-sync-{}-{round}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let portal = Portal::builder("bench")
        .settings(Settings::new("MA SOCIETE", "masociete.fr"))
        .data_dir(&dir)?
        .build()?;
    let codes: Vec<String> = (0..count).map(|i| format!("C{i:05}")).collect();
    for c in &codes {
        portal.parties().upsert(
            Party::client(c.clone(), "CLIENT")
                .email(EmailRole::Main, format!("{}@example.fr", c.to_lowercase())),
        )?;
    }
    let options = BatchOptions {
        notify_by_email: false,
        ..Default::default()
    };
    portal
        .accounts()
        .generate_batch(Audience::Client, &codes, &options, &|_| {})?;
    let start = Instant::now();
    let report = portal.sync()?;
    let took = start.elapsed();
    assert_eq!(report.activated as usize, count);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(took)
}

fn main() -> Result<()> {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let policy = SecurityPolicy::default();
    let (mut best_bare, mut best_sync) = (Duration::MAX, Duration::MAX);
    for round in 0..rounds {
        best_bare = best_bare.min(bare(&policy, count, threads));
        best_sync = best_sync.min(synced(count, round)?);
    }
    let bare_rate = count as f64 / best_bare.as_secs_f64();
    let sync_rate = count as f64 / best_sync.as_secs_f64();
    println!("activate {count} drafts (argon2id m=19456 t=2 p=1, {threads} threads, best of {rounds} alternating rounds)");
    println!(
        "  bare argon2id hashing : {:>7.2} s  {:>7.1} hashes/s",
        best_bare.as_secs_f64(),
        bare_rate
    );
    println!(
        "  portail sync          : {:>7.2} s  {:>7.1} accounts/s",
        best_sync.as_secs_f64(),
        sync_rate
    );
    println!(
        "  throughput ratio      : {:>7.3}   (target >= 0.95)",
        sync_rate / bare_rate
    );
    Ok(())
}
