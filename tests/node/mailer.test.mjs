// A mailer written in JavaScript: called from the worker running dispatch/sync, its Promise
// awaited without blocking the event loop; rejections become transient or permanent failures;
// it never keeps Node alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { portail, openPortal, client4, invoice } from './helpers.mjs';

function recordingMailer(behaviour = async () => {}) {
  const sent = [];
  return {
    sent,
    async send(message) {
      await behaviour(message, sent.length);
      sent.push(message);
    },
  };
}

test('a JS mailer receives the seed-000 notification; its Promise is awaited off the main thread', async () => {
  // The mailer itself waits on a timer: if dispatch blocked the event loop, this would hang.
  const mailer = recordingMailer(() => sleep(20));
  const portal = openPortal({ mailer });
  client4(portal);
  await portal.documents().publish(invoice());
  const report = await portal.sync();
  assert.equal(report.dispatch.sent, 1);
  assert.equal(mailer.sent.length, 1);
  const m = mailer.sent[0];
  assert.equal(m.to, 'keylian.ace@gmail.com');
  assert.equal(m.from, 'noreply@masociete.fr');
  assert.equal(m.fromName, 'MA SOCIETE');
  assert.match(m.messageId, /^<[0-9a-f]+@masociete\.fr>$/);
  assert.match(m.subject, /MA SOCIETE/);
  const n = portal.notifications().get(m.notificationId);
  assert.equal(n.state, 'sent');
  assert.equal(n.attempts.length, 1);
  assert.equal(n.attempts[0].outcome, 'sent');
  assert.throws(() => portal.sentMessages(), { code: 'invalid_state' });
});

test('a rejection is transient (retried after backoff); permanent: true abandons', async () => {
  let fail = 'transient';
  const mailer = recordingMailer(async () => {
    if (fail === 'transient') throw new Error('421 try later');
    if (fail === 'permanent') throw Object.assign(new Error('550 no such user'), { permanent: true });
  });
  const portal = openPortal({ mailer });
  client4(portal);
  const doc = await portal.documents().publish(invoice());
  let r = await portal.dispatch();
  assert.deepEqual(r, { attempted: 1, sent: 0, failed: 1, abandoned: 0, skipped: 0 });
  const id = doc.notification.notificationId;
  let n = portal.notifications().get(id);
  assert.equal(n.state, 'failed');
  assert.equal(n.lastError, '421 try later');
  assert.equal(n.attempts[0].outcome, 'transient');
  assert.ok(n.nextAttemptAt > portal.now());
  assert.equal((await portal.dispatch()).attempted, 0, 'not due before the backoff');

  portal.advanceClock(60_000);
  fail = 'none';
  r = await portal.dispatch();
  assert.equal(r.sent, 1);
  assert.equal(portal.notifications().get(id).state, 'sent');

  fail = 'permanent';
  const again = portal.notifications().resend(id, true);
  r = await portal.dispatch();
  assert.equal(r.abandoned, 1);
  n = portal.notifications().get(again.id);
  assert.equal(n.state, 'abandoned');
  assert.equal(n.attempts[0].outcome, 'permanent');
  assert.equal(n.lastError, '550 no such user');
});

test('a synchronous throw or a non-Error rejection is a transient failure, not a crash', async () => {
  const portal = openPortal({
    mailer: {
      send() {
        throw new TypeError('boom');
      },
    },
  });
  client4(portal);
  await portal.documents().publish(invoice());
  const r = await portal.dispatch();
  assert.equal(r.failed, 1);
  assert.equal(portal.notifications().history().items[0].lastError, 'boom');

  const other = openPortal({ mailer: { send: () => Promise.reject('just a string') } });
  client4(other);
  await other.documents().publish(invoice());
  assert.equal((await other.dispatch()).failed, 1);
  assert.equal(other.notifications().history().items[0].lastError, 'just a string');
});

test('an object without send is invalid_input on the mailer field', () => {
  assert.throws(() => openPortal({ mailer: { post() {} } }), { code: 'invalid_input', field: 'mailer' });
});

test('a JS mailer does not keep the process alive', () => {
  const helpers = fileURLToPath(new URL('./helpers.mjs', import.meta.url));
  const script = `
    import { openPortal, client4, invoice } from ${JSON.stringify(helpers)};
    const portal = openPortal({ mailer: { async send() {} } });
    client4(portal);
    await portal.documents().publish(invoice());
    const r = await portal.sync();
    console.log('sent', r.dispatch.sent);
  `;
  const started = Date.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'sent 1');
  assert.ok(Date.now() - started < 15_000);
});

test('messageToRfc5322 builds the raw message; an unbuildable one is a mail error', () => {
  const message = {
    messageId: '<n1@masociete.fr>',
    notificationId: 'n1',
    from: 'noreply@masociete.fr',
    fromName: 'MA SOCIETE',
    replyTo: 'contact@masociete.fr',
    to: 'keylian.ace@gmail.com',
    subject: 'Été : un nouveau document',
    body: 'Bonjour,\n',
  };
  const raw = portail.messageToRfc5322(message).toString('utf8');
  assert.match(raw, /^Message-ID: <n1@masociete\.fr>\r?$/m);
  assert.match(raw, /^To: keylian\.ace@gmail\.com\r?$/m);
  assert.match(raw, /^Subject: =\?utf-8\?/im);
  assert.throws(() => portail.messageToRfc5322({ ...message, to: 'not an address' }), { code: portail.ErrorCode.Mail });
});

test('a send that never settles fails (transient) after mailerTimeoutMs', async () => {
  const portal = openPortal({ mailer: { send: () => new Promise(() => {}) }, mailerTimeoutMs: 50 });
  client4(portal);
  await portal.documents().publish(invoice());
  const r = await portal.dispatch();
  assert.equal(r.failed, 1);
  assert.match(portal.notifications().history().items[0].lastError, /did not settle within 50 ms/);
});
