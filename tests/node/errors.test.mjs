// Errors: every failure is a real Error whose `code` is the core's stable code, with the
// offending `field` for invalid_input; each code here comes from real bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { portail, openPortal, client4, invoice, caught, settings } from './helpers.mjs';

const { ErrorCode } = portail;

test('ErrorCode lists the 13 stable codes of the core, then internal', () => {
  assert.deepEqual(Object.values(ErrorCode).sort(), portail.errorCodes().sort());
  assert.equal(portail.errorCodes().length, 14);
  assert.equal(portail.errorCodes()[13], 'internal');
  assert.equal(ErrorCode.InvalidCredentials, 'invalid_credentials');
});

test('every code carries the same payload fields as in Python and Kotlin', () => {
  const thrown = (code) => {
    try {
      portail._throwForTest(code);
    } catch (e) {
      return e;
    }
    assert.fail(`${code} did not throw`);
  };
  for (const code of portail.errorCodes()) {
    const e = thrown(code);
    assert.ok(e instanceof Error, code);
    assert.equal(e.code, code);
  }
  const nf = thrown('not_found');
  assert.deepEqual([nf.what, nf.key, nf.field], ['party', '4', undefined]);
  const st = thrown('invalid_state');
  assert.deepEqual([st.what, st.reason], ['notification n1', 'already sent']);
  const ii = thrown('invalid_input');
  assert.deepEqual([ii.field, ii.reason], ['emails.billing', '"x" has no @']);
  assert.equal(thrown('identifier_taken').identifier, '4');
  assert.equal(thrown('locked_out').until, '2026-01-01T00:15:00Z');
  assert.equal(thrown('payment_required').document, 'FA-0002.pdf');
  assert.equal(thrown('storage').reason, 'disk full');
  const panic = thrown('internal');
  assert.match(panic.message, /test panic/);
});

test('invalid_input names the field', async () => {
  const portal = openPortal();
  const e = await caught(() =>
    portal.parties().upsert({ audience: 'client', code: '4', name: 'X', emails: { billing: 'not-an-address' } }),
  );
  assert.ok(e instanceof Error);
  assert.equal(e.code, ErrorCode.InvalidInput);
  assert.equal(e.field, 'emails.billing');
  assert.match(e.message, /invalid emails\.billing/);
  const page = await caught(() => portal.saveSettings({ ...portal.settings(), client: { ...portal.settings().client, pageSize: 5 } }));
  assert.equal(page.field, 'client.page_size');
  const tz = await caught(() => portail.Portal.inMemory('t', { ...settings(), timeZone: 'Mars/Olympus' }));
  assert.equal(tz.field, 'time_zone');
  const tpl = await caught(() =>
    portal.templates().save({ audience: 'client', purpose: 'document_available', subject: 'Hi #nope#', body: 'x' }),
  );
  assert.equal(tpl.field, 'subject');
  client4(portal);
  const name = await caught(() => portal.documents().publish(invoice({ name: '../x.pdf' })));
  assert.equal(name.code, 'invalid_input');
  assert.equal(name.field, 'name');
  const neither = await caught(() => portal.documents().publish({ audience: 'client', partyCode: '4', folder: 'Factures', name: 'x.pdf' }));
  assert.equal(neither.field, 'content');
  assert.equal((await caught(() => portal.parties().list('client', { offset: -1 }))).field, 'offset');
  assert.equal((await caught(() => portal.notifications().history({}, { limit: 0 }))).field, 'limit');
  const missing = await caught(() => portal.documents().publish({ audience: 'client', partyCode: '4', folder: 'Factures', path: '/nonexistent/x.pdf' }));
  assert.equal(missing.field, 'path');
});

test('not_found, invalid_state, conflict', async () => {
  const portal = openPortal();
  assert.equal((await caught(() => portal.parties().get('client', 'nobody'))).code, 'not_found');
  assert.equal((await caught(() => portal.documents().get('nope'))).code, 'not_found');
  assert.equal((await caught(() => portal.folders().get('client', 'Nope'))).code, 'not_found');
  assert.equal((await caught(() => portal.documents().publish(invoice({ partyCode: 'nobody' })))).code, 'not_found');

  client4(portal);
  const doc = await portal.documents().publish(invoice());
  await portal.sync();
  const sent = portal.notifications().history().items[0];
  const again = await caught(() => portal.notifications().cancel(sent.id));
  assert.equal(again.code, ErrorCode.InvalidState);
  assert.equal(again.field, undefined);
  assert.equal((await caught(() => portal.folders().remove('client', 'Factures'))).code, 'invalid_state');
  assert.equal((await caught(() => portail.Portal.inMemory('x', settings()).advanceClock(1))).code, 'invalid_state');
  assert.ok(doc.id);

  const s = portal.settings();
  portal.saveSettings({ ...s, companyName: 'MA SOCIETE SA' });
  assert.equal((await caught(() => portal.saveSettings({ ...s, companyName: 'STALE' }))).code, 'conflict');
  assert.equal(portal.settings().companyName, 'MA SOCIETE SA');
});

test('identifier_taken, invalid_credentials, locked_out, invalid_token, access_denied', async () => {
  const portal = openPortal();
  client4(portal);
  portal.parties().upsert({ audience: 'client', code: '5', name: 'CINQ', emails: { main: 'cinq@x.fr' } });
  portal.accounts().generate({ audience: 'client', partyCode: '4', identifier: 'moi', password: 'correct horse' });
  const taken = await caught(() => portal.accounts().generate({ audience: 'client', partyCode: '5', identifier: 'MOI' }));
  assert.equal(taken.code, ErrorCode.IdentifierTaken);
  await portal.sync();
  assert.equal((await caught(() => portal.login('client', 'moi', 'bad'))).code, ErrorCode.InvalidCredentials);
  assert.equal((await caught(() => portal.login('client', 'nobody', 'bad'))).code, ErrorCode.InvalidCredentials);
  for (let i = 0; i < 4; i++) await caught(() => portal.login('client', 'moi', 'bad'));
  const locked = await caught(() => portal.login('client', 'moi', 'correct horse'));
  assert.equal(locked.code, ErrorCode.LockedOut);
  assert.match(locked.until, /^\d{4}-\d\d-\d\dT/);
  assert.equal((await caught(() => portal.resetPassword('client', 'f'.repeat(64), 'new password'))).code, ErrorCode.InvalidToken);
  assert.equal((await caught(() => portal.acceptInvitation('client', 'short', 'new password'))).code, ErrorCode.InvalidToken);
  const five = portal.accounts().generate({ audience: 'client', partyCode: '5' });
  assert.equal((await caught(() => portal.principal(five.id))).code, ErrorCode.AccessDenied);
  const ghost = portal.view({ accountId: five.id, audience: 'client', partyCode: '5', identifier: 'x' });
  assert.equal((await caught(() => ghost.folders())).code, ErrorCode.AccessDenied);
});

test('storage: a blob folder that cannot be created', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portail-node-'));
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'x');
  const e = await caught(() => portail.Portal.inMemory('t', settings(), { blobsDir: path.join(file, 'blobs') }));
  assert.equal(e.code, ErrorCode.Storage);
  fs.rmSync(dir, { recursive: true });
});

test('payment_required under the block policy', async () => {
  const portal = openPortal();
  client4(portal);
  portal.updateSettings((s) => ({ ...s, client: { ...s.client, unpaidPolicy: 'block' } }));
  assert.equal(portal.settings().client.unpaidPolicy, 'block');
  const doc = await portal.documents().publish(invoice({ payment: 'unpaid' }));
  portal.accounts().generate({ audience: 'client', partyCode: '4', password: 'correct horse' });
  await portal.sync();
  const me = await portal.login('client', '4', 'correct horse');
  const e = await caught(() => portal.view(me).open(doc.id));
  assert.equal(e.code, ErrorCode.PaymentRequired);
  assert.match(e.message, /FA-0002\.pdf|payment required/);
});

test('bad JS types are rejected before reaching the core, never crash', async () => {
  const portal = openPortal();
  const e = await caught(() => portal.parties().get('martian', '4'));
  assert.ok(e instanceof Error);
  const f = await caught(() => portal.parties().upsert({ audience: 'client', code: 4, name: 'X' }));
  assert.ok(f instanceof Error);
});
