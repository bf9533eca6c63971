//! Sending the outbox: claim due notifications on the store's clock, send them through the
//! mailer, and record each attempt ("Synchroniser" sends them too).

use std::collections::HashMap;
use std::sync::{mpsc, Mutex};
use std::time::Instant;

use chrono::Duration;

use crate::error::{Error, Result};
use crate::mail::{MailError, OutgoingMessage};
use crate::operations::Portal;
use crate::records::notification::{AttemptOutcome, Notification, NotificationState};
use crate::records::progress::{DispatchReport, Phase, Progress};
use crate::records::settings::Settings;

/// Notifications taken per dispatch round of a sync.
const SYNC_DISPATCH_BATCH: u32 = 500;

impl Portal {
    /// Send up to `limit` due notifications through the mailer ("Synchroniser" sends them too).
    ///
    /// The batch is claimed in one store call, with a lease measured on the store's clock
    /// ([`crate::Store::store_time`]), so several dispatchers on one store never send one notification
    /// twice whatever their own clocks say. While the batch is being sent a heartbeat renews
    /// the claims still in flight, and each result is committed right after its send: a
    /// dispatcher killed mid-batch leaves at most the message in flight unrecorded (the
    /// relay may have taken it; the stable Message-ID lets a receiver drop the duplicate).
    /// Each attempt is recorded and transient failures are retried with backoff.
    ///
    /// Mails holding a secret (credentials, reset and invitation links) are redacted when
    /// they end (sent, cancelled or abandoned); the store then drops its older copies of them
    /// ([`crate::Store::forget_erased`]).
    pub fn dispatch(&self, limit: u32) -> Result<DispatchReport> {
        let (report, redacted) = self.dispatch_round(limit)?;
        if redacted {
            self.forget_erased()?;
        }
        Ok(report)
    }

    /// One dispatch round; also says whether a secret was redacted (the caller then runs
    /// [`Portal::forget_erased`]).
    fn dispatch_round(&self, limit: u32) -> Result<(DispatchReport, bool)> {
        let settings = self.settings()?;
        let now = self.clock.now();
        let claimed_at = Instant::now();
        let claimed = self
            .store
            .claim_due(&self.tenant, now, self.claim_lease, limit)?;
        let mut report = DispatchReport::default();
        if claimed.is_empty() {
            return Ok((report, false));
        }
        // id -> (version held, when the claim ends at the latest on this machine's monotonic
        // clock). The store set each claim to end at `store_time + lease`, read after
        // `claimed_at`: `claimed_at + lease` is a lower bound of that end whatever the clocks
        // say, and checking it costs no store call per message.
        let deadline = claimed_at + lease_std(self.claim_lease);
        let inflight: Mutex<HashMap<String, (u64, Instant)>> = Mutex::new(
            claimed
                .iter()
                .map(|n| (n.id.clone(), (n.version, deadline)))
                .collect(),
        );
        let (stop, stopped) = mpsc::channel::<()>();
        let beat = (self.claim_lease / 3)
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(1));
        let redacted = std::thread::scope(|scope| {
            let inflight = &inflight;
            scope.spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(beat) {
                    self.renew_in_flight(inflight);
                }
            });
            let result = self.send_claimed(&settings, claimed, inflight, &mut report);
            drop(stop);
            result
        })?;
        Ok((report, redacted))
    }

    /// The heartbeat: extend the claims still in flight; forget the ones lost meanwhile.
    fn renew_in_flight(&self, inflight: &Mutex<HashMap<String, (u64, Instant)>>) {
        let mut held = inflight.lock().unwrap_or_else(|p| p.into_inner());
        if held.is_empty() {
            return;
        }
        let claims: Vec<(String, u64)> = held.iter().map(|(id, (v, _))| (id.clone(), *v)).collect();
        // Taken before the store renews: a lower bound of the renewed end (see dispatch_round).
        let start = Instant::now();
        // On a store error the claims keep their current end; the send loop checks it.
        if let Ok(renewed) = self
            .store
            .renew_claims(&self.tenant, &claims, self.claim_lease)
        {
            let until = start + lease_std(self.claim_lease);
            let renewed: HashMap<String, u64> = renewed.into_iter().collect();
            held.retain(|id, _| renewed.contains_key(id));
            for (id, entry) in held.iter_mut() {
                if let Some(v) = renewed.get(id) {
                    *entry = (*v, until);
                }
            }
        }
    }

    /// Send each claimed notification still held, committing its result right after; says
    /// whether a mail holding a secret was redacted.
    fn send_claimed(
        &self,
        settings: &Settings,
        claimed: Vec<Notification>,
        inflight: &Mutex<HashMap<String, (u64, Instant)>>,
        report: &mut DispatchReport,
    ) -> Result<bool> {
        let lock = || inflight.lock().unwrap_or_else(|p| p.into_inner());
        let mut redacted = false;
        for mut n in claimed {
            let held = lock().get(&n.id).copied();
            let still_ours = match held {
                Some((_, until)) => until > Instant::now(),
                None => false,
            };
            if !still_ours {
                lock().remove(&n.id);
                report.skipped += 1;
                continue;
            }
            report.attempted += 1;
            let outcome = match self.mailer.send(&self.message_for(settings, &n)) {
                Ok(()) => AttemptOutcome::Sent,
                Err(MailError::Transient(e)) => AttemptOutcome::Transient(e),
                Err(MailError::Permanent(e)) => AttemptOutcome::Permanent(e),
            };
            let at = self.clock.now();
            let body = n.holds_secret.then(|| n.body.clone());
            n.record_attempt(at, outcome, &self.retry)?;
            // Under the lock, so the heartbeat cannot renew (and re-version) it meanwhile.
            let mut held = lock();
            let Some((version, _)) = held.remove(&n.id) else {
                report.skipped += 1;
                continue;
            };
            n.version = version;
            match self.store.finish_notification(&self.tenant, &n) {
                Ok(()) => {
                    redacted |= body.as_ref().is_some_and(|b| *b != n.body);
                    match n.state {
                        NotificationState::Sent => report.sent += 1,
                        NotificationState::Failed => report.failed += 1,
                        _ => report.abandoned += 1,
                    }
                }
                Err(Error::Conflict { .. }) => report.skipped += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(redacted)
    }

    pub(crate) fn message_for(&self, settings: &Settings, n: &Notification) -> OutgoingMessage {
        OutgoingMessage {
            date: self.clock.now(),
            message_id: n.message_id(&settings.domain),
            notification_id: n.id.clone(),
            from: settings.sender.clone(),
            from_name: Some(settings.company_name.clone()),
            reply_to: settings.reply_to.clone(),
            to: n.recipient.clone(),
            subject: n.subject.clone(),
            body: n.body.clone(),
        }
    }

    /// Dispatch until nothing is due, reporting progress; the store drops the older copies of
    /// redacted mails once, at the end.
    pub(crate) fn dispatch_all(&self, progress: &dyn Fn(Progress)) -> Result<DispatchReport> {
        let mut total = DispatchReport::default();
        let mut redacted = false;
        loop {
            let (round, secret) = match self.dispatch_round(SYNC_DISPATCH_BATCH) {
                Ok(r) => r,
                Err(e) => {
                    if redacted {
                        // Best effort: the round's error is the one to report.
                        let _ = self.forget_erased();
                    }
                    return Err(e);
                }
            };
            redacted |= secret;
            total.add(round);
            progress(Progress {
                phase: Phase::Dispatching,
                done: total.attempted,
                total: total.attempted,
            });
            if round.attempted == 0 {
                if redacted {
                    self.forget_erased()?;
                }
                return Ok(total);
            }
        }
    }
}

/// A claim lease as a monotonic duration (zero if negative).
fn lease_std(lease: Duration) -> std::time::Duration {
    lease.to_std().unwrap_or_default()
}
