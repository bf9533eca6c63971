// Nothing slow runs on the event loop: while argon2 batches, sync and large publishes run,
// timers keep firing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { portail, settings, T0, PDF } from './helpers.mjs';

async function ticksDuring(work, everyMs = 5) {
  let ticks = 0;
  const timer = setInterval(() => ticks++, everyMs);
  const started = Date.now();
  try {
    const result = await work();
    return { result, ticks, ms: Date.now() - started };
  } finally {
    clearInterval(timer);
  }
}

test('sync of 50 drafts with OWASP argon2 keeps the event loop free', async () => {
  // Default (OWASP) hashing: no fastHashing here.
  const portal = portail.Portal.inMemory('ma-societe', settings(), { now: T0 });
  const codes = [];
  for (let i = 0; i < 50; i++) {
    const code = `C${i}`;
    codes.push(code);
    portal.parties().upsert({ audience: 'client', code, name: `CLIENT ${i}`, emails: { main: `c${i}@x.fr` } });
  }
  const batch = await portal.accounts().generateBatch('client', codes, { notifyByEmail: false });
  assert.equal(batch.created, 50);
  const phases = new Set();
  const { result, ticks, ms } = await ticksDuring(() => portal.sync((p) => phases.add(p.phase)));
  assert.equal(result.activated, 50);
  assert.ok(phases.has('activating'));
  // A blocked loop would give 0 or 1 tick; a free one about ms / 5.
  assert.ok(ticks >= Math.min(10, Math.floor(ms / 20)), `${ticks} ticks in ${ms} ms`);
  assert.ok(ticks >= 3, `${ticks} ticks in ${ms} ms`);
  const a = portal.accounts().find('client', 'C0');
  assert.equal(a.status, 'active');
});

test('a large publishMany keeps the event loop free', async () => {
  const portal = portail.Portal.inMemory('ma-societe', settings(), { now: T0, fastHashing: true });
  portal.parties().upsert({ audience: 'employee', code: 'E1', name: 'SALARIE', emails: { main: 'e1@x.fr' } });
  const items = [];
  for (let i = 0; i < 3000; i++) {
    items.push({ audience: 'employee', partyCode: 'E1', folder: 'Bulletins', name: `bulletin-${i}.pdf`, content: PDF, kind: 'payslip', externalId: `B-${i}` });
  }
  let progressCalls = 0;
  const { result, ticks, ms } = await ticksDuring(() => portal.documents().publishMany(items, () => progressCalls++));
  assert.equal(result.published, 3000);
  assert.equal(result.notificationsQueued, 3000);
  assert.ok(ticks >= 3, `${ticks} ticks in ${ms} ms`);
  const { result: sent, ticks: t2, ms: ms2 } = await ticksDuring(() => portal.sync());
  assert.equal(sent.dispatch.sent, 3000);
  assert.ok(t2 >= 3, `${t2} ticks in ${ms2} ms`);
});
