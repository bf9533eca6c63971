// Accounts: the seed-000 access rights, batches with a per-party report, lockout, reset,
// invitations, the portal view and its downloads history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPortal, client4, invoice, caught, PDF, T0 } from './helpers.mjs';

const READABLE = /^[abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679]{10}$/;

test('seed 000: draft with a readable password, regenerated, synced, frozen, e-mailed, login', async () => {
  const portal = openPortal();
  client4(portal);
  const draft = portal.accounts().generate({ audience: 'client', partyCode: '4' });
  assert.equal(draft.status, 'draft');
  assert.equal(draft.identifier, '4');
  assert.equal(draft.needsSync, true);
  assert.equal(draft.authorized, true);
  assert.equal(draft.notifyByEmail, true);
  assert.equal('passwordHash' in draft, false, 'never a hash in the record');
  const first = portal.accounts().draftPassword(draft.id);
  assert.match(first, READABLE);
  assert.equal(draft.hasDraftPassword, true, 'the account view says a draft password is held');
  assert.equal('draftPassword' in draft, false, 'and never carries it');

  portal.accounts().regeneratePassword(draft.id);
  const password = portal.accounts().draftPassword(draft.id);
  assert.match(password, READABLE);
  assert.notEqual(password, first);

  const report = await portal.sync();
  assert.equal(report.activated, 1);
  assert.equal(report.credentialsQueued, 1);
  assert.equal(report.dispatch.sent, 1);

  const active = portal.accounts().get(draft.id);
  assert.equal(active.status, 'active');
  assert.equal(active.needsSync, false);
  assert.equal(active.hasDraftPassword, false, 'frozen once active');
  assert.equal(active.credentialsSentTo, 'keylian.ace@gmail.com');
  assert.ok(active.credentialsSentAt instanceof Date);
  assert.equal(active.credentialsSentAt.getTime(), T0.getTime());
  assert.equal((await caught(() => portal.accounts().draftPassword(draft.id))).code, 'invalid_state');

  const mail = portal.sentMessages()[0];
  assert.equal(mail.to, 'keylian.ace@gmail.com');
  assert.ok(mail.body.includes(password), 'the credentials e-mail carries the password');
  const stored = portal.notifications().history({ partyCode: '4' }).items[0];
  assert.equal(stored.purpose, 'access_credentials');
  assert.ok(!stored.body.includes(password), 'redacted once sent');

  const me = await portal.login('client', '4', password);
  assert.deepEqual(me, { accountId: draft.id, audience: 'client', partyCode: '4', identifier: '4' });
  assert.equal((await caught(() => portal.login('employee', '4', password))).code, 'invalid_credentials');
  assert.deepEqual(portal.principal(draft.id), me);
});

test('batch generation reports each party', async () => {
  const portal = openPortal();
  client4(portal);
  portal.parties().upsert({ audience: 'client', code: '5', name: 'SANS MAIL' });
  portal.parties().upsert({ audience: 'client', code: '6', name: 'SIX', emails: { main: 'six@x.fr' } });
  portal.accounts().generate({ audience: 'client', partyCode: '6' });
  const seen = [];
  const report = await portal.accounts().generateBatch('client', ['4', '5', '6', 'nobody'], {}, (p) => seen.push(p));
  assert.equal(report.created, 1);
  assert.deepEqual(report.rows.map((r) => [r.partyCode, r.outcome]), [
    ['4', 'created'],
    ['5', 'no_email'],
    ['6', 'already_has_access'],
    ['nobody', 'unknown_party'],
  ]);
  assert.equal(report.rows[0].identifier, '4');
  assert.deepEqual(seen.at(-1), { phase: 'generating', done: 4, total: 4 });
  const byEmail = await portal.accounts().generateBatch('client', ['4'], { identifierFrom: 'email' });
  assert.equal(byEmail.rows[0].outcome, 'already_has_access');
  const drafts = portal.accounts().list({ status: 'draft' });
  assert.equal(drafts.total, 2);
});

test('lockout after repeated failures, lifted by time; suspend, revoke, regenerate', async () => {
  const portal = openPortal();
  client4(portal);
  const a = portal.accounts().generate({ audience: 'client', partyCode: '4', password: 'correct horse' });
  await portal.sync();
  for (let i = 0; i < 5; i++) {
    assert.equal((await caught(() => portal.login('client', '4', 'wrong'))).code, 'invalid_credentials');
  }
  const locked = await caught(() => portal.login('client', '4', 'correct horse'));
  assert.equal(locked.code, 'locked_out');
  assert.ok(locked.until, 'err.until is set');
  assert.ok(portal.accounts().lockout('client', '4').lockedUntil instanceof Date);
  portal.advanceClock(16 * 60 * 1000);
  await portal.login('client', '4', 'correct horse');

  portal.accounts().setAuthorized(a.id, false);
  assert.equal((await caught(() => portal.login('client', '4', 'correct horse'))).code, 'invalid_credentials');
  assert.equal((await caught(() => portal.principal(a.id))).code, 'access_denied');
  portal.accounts().setAuthorized(a.id, true);

  const fresh = portal.accounts().regenerate(a.id);
  assert.equal(fresh.status, 'draft');
  assert.equal(fresh.identifier, '4');
  assert.equal(portal.accounts().get(a.id).status, 'revoked');
  const revoked = portal.accounts().revoke(fresh.id);
  assert.equal(revoked.status, 'revoked');
  assert.equal(portal.accounts().find('client', '4'), null);
});

test('change password, reset by e-mailed token, invitation accepted', async () => {
  const portal = openPortal();
  client4(portal);
  const a = portal.accounts().generate({ audience: 'client', partyCode: '4', password: 'first-pass', notifyByEmail: false });
  await portal.sync();
  const me = await portal.login('client', '4', 'first-pass');
  assert.equal((await caught(() => portal.changePassword(me, 'nope-nope', 'second-pass'))).code, 'invalid_credentials');
  await portal.changePassword(me, 'first-pass', 'second-pass');
  await portal.login('client', '4', 'second-pass');

  portal.requestPasswordReset('client', '4');
  portal.requestPasswordReset('client', 'nobody');
  await portal.sync();
  const reset = portal.sentMessages().at(-1);
  const token = /token=([0-9a-f]{64})/.exec(reset.body)[1];
  await portal.resetPassword('client', token, 'third-pass');
  assert.equal((await caught(() => portal.resetPassword('client', token, 'fourth-pass'))).code, 'invalid_token');
  await portal.login('client', '4', 'third-pass');
  assert.equal(portal.accounts().get(a.id).status, 'active');

  portal.parties().upsert({ audience: 'employee', code: 'E1', name: 'SALARIE', emails: { main: 'salarie@x.fr' } });
  const invited = portal.accounts().invite({ audience: 'employee', partyCode: 'E1' });
  assert.equal(invited.identifier, 'salarie@x.fr');
  assert.equal(portal.accounts().invitationStatus(invited.id), 'pending');
  await portal.dispatch();
  const link = /token=([0-9a-f]{64})/.exec(portal.sentMessages().at(-1).body)[1];
  const p = await portal.acceptInvitation('employee', link, 'my own pass');
  assert.equal(p.partyCode, 'E1');
  assert.equal(portal.accounts().invitationStatus(invited.id), 'accepted');
  assert.equal((await caught(() => portal.acceptInvitation('employee', link, 'again-pass'))).code, 'invalid_token');
});

test('the portal view lists and opens documents; downloads are recorded', async () => {
  const portal = openPortal();
  client4(portal);
  const doc = await portal.documents().publish(invoice());
  const hidden = await portal.documents().publish(invoice({ name: 'FA-0003.pdf' }));
  portal.accounts().generate({ audience: 'client', partyCode: '4', password: 'correct horse' });
  await portal.sync();
  const me = await portal.login('client', '4', 'correct horse');
  const view = portal.view(me);
  assert.ok(view.folders().some((f) => f.label === 'Factures'));
  const page = view.documents('Factures');
  assert.equal(page.total, 2);
  assert.ok(page.items.some((d) => d.id === doc.id));
  const dl = await view.open(doc.id);
  assert.ok(Buffer.isBuffer(dl.content));
  assert.deepEqual(dl.content, PDF);
  assert.equal(dl.watermarked, false);
  assert.equal(dl.document.downloads, 1);
  assert.ok(dl.document.firstDownloadAt instanceof Date);
  const history = portal.documents().downloads(doc.id);
  assert.equal(history.total, 1);
  assert.equal(history.items[0].accountId, me.accountId);
  assert.equal(portal.documents().downloads(hidden.id).total, 0);

  // Another party's document is out of reach.
  portal.parties().upsert({ audience: 'client', code: '9', name: 'AUTRE', einvoicing: 'accepted' });
  const other = await portal.documents().publish(invoice({ partyCode: '9' }));
  assert.equal((await caught(() => view.open(other.id))).code, 'access_denied');
  assert.equal((await caught(() => view.document(other.id))).code, 'access_denied');
});

test('security options: a stricter lockout, a longer generated password', async () => {
  const portal = openPortal({ security: { maxFailedLogins: 2, lockoutMs: 60_000, generatedPasswordLength: 16 } });
  client4(portal);
  const a = portal.accounts().generate({ audience: 'client', partyCode: '4' });
  assert.equal(portal.accounts().draftPassword(a.id).length, 16);
  assert.equal(portal.accounts().liveAccountOf('client', '4').id, a.id);
  await portal.sync();
  for (let i = 0; i < 2; i++) await caught(() => portal.login('client', '4', 'wrong'));
  const locked = await caught(() => portal.login('client', '4', 'wrong'));
  assert.equal(locked.code, 'locked_out');
  assert.equal(new Date(locked.until).getTime(), T0.getTime() + 60_000);
  const bad = await caught(() => openPortal({ security: { generatedPasswordLength: 4 } }));
  assert.equal(bad.code, 'invalid_input');
  assert.equal(bad.field, 'generated_password_length');
});
