// Notifications: the outbox history (Pending / Sent / Cancelled), cancel, resend and forced
// resend to a changed address, templates, the audience switch, settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPortal, client4, invoice, caught, T0 } from './helpers.mjs';

test('forced resend goes to the changed billing address; the history shows both', async () => {
  const portal = openPortal();
  client4(portal);
  const doc = await portal.documents().publish(invoice());
  const queued = portal.notifications().get(doc.notification.notificationId);
  assert.equal(queued.state, 'pending');
  assert.equal(queued.recipient, 'keylian.ace@gmail.com');
  assert.equal(queued.purpose, 'document_available');
  assert.equal(queued.createdAt.getTime(), T0.getTime());
  const r = await portal.dispatch(10);
  assert.deepEqual(r, { attempted: 1, sent: 1, failed: 0, abandoned: 0, skipped: 0 });

  client4(portal, 'compta@moimeme.fr');
  portal.advanceClock(60_000);
  const forced = portal.notifications().resend(queued.id, true);
  await portal.dispatch();
  const history = portal.notifications().history({ partyCode: '4' });
  assert.deepEqual(
    history.items.map((n) => [n.recipient, n.state, n.forced]),
    [
      ['compta@moimeme.fr', 'sent', true],
      ['keylian.ace@gmail.com', 'sent', false],
    ],
  );
  assert.equal(history.items[0].id, forced.id);
  assert.ok(history.items[0].sentAt > history.items[1].sentAt);
  assert.deepEqual(portal.sentMessages().map((m) => m.to), ['keylian.ace@gmail.com', 'compta@moimeme.fr']);
  // Each notification keeps its own stable Message-ID.
  const ids = portal.sentMessages().map((m) => m.messageId);
  assert.notEqual(ids[0], ids[1]);
});

test('cancel a pending notification; a forced resend of a pending one replaces it', async () => {
  const portal = openPortal();
  client4(portal);
  const a = await portal.documents().publish(invoice());
  const b = await portal.documents().publish(invoice({ name: 'FA-0003.pdf' }));
  const cancelled = portal.notifications().cancel(a.notification.notificationId);
  assert.equal(cancelled.state, 'cancelled');
  assert.equal((await caught(() => portal.notifications().resend(b.notification.notificationId))).code, 'invalid_state');
  const fresh = portal.notifications().resend(b.notification.notificationId, true);
  assert.equal(portal.notifications().get(b.notification.notificationId).state, 'cancelled');
  const r = await portal.sync();
  assert.equal(r.dispatch.sent, 1);
  assert.equal(portal.notifications().get(fresh.id).state, 'sent');
  const byState = (state) => portal.notifications().history({ state }).total;
  assert.equal(byState('cancelled'), 2);
  assert.equal(byState('sent'), 1);
  assert.equal(byState('pending'), 0);
  assert.equal(portal.notifications().history({ from: new Date(T0.getTime() + 1) }).total, 0);
  assert.equal(portal.notifications().history({ to: new Date(T0.getTime() + 1) }).total, 3);
  const page = portal.notifications().history({}, { offset: 1, limit: 1 });
  assert.equal(page.items.length, 1);
  assert.equal(page.hasMore, true);
});

test('a saved template is used and its version recorded', async () => {
  const portal = openPortal();
  client4(portal);
  const t = portal.templates().get('client', 'document_available');
  assert.equal(t.version, 0);
  assert.ok(portal.templates().fields('document_available').some((f) => f.token === '#lien#'));
  const saved = portal.templates().save({ ...t, subject: '#société# : #document# est disponible' });
  assert.equal(saved.version, 1);
  const doc = await portal.documents().publish(invoice());
  const n = portal.notifications().get(doc.notification.notificationId);
  assert.equal(n.subject, 'MA SOCIETE : FA-0002.pdf est disponible');
  assert.equal(n.templateVersion, 1);
});

test('"Désactiver les notifications" blocks an audience; settings are optimistic', async () => {
  const portal = openPortal();
  client4(portal);
  const s = portal.updateSettings((s) => ({ ...s, client: { ...s.client, notificationsEnabled: false } }));
  assert.equal(s.client.notificationsEnabled, false);
  assert.equal(s.employee.notificationsEnabled, true);
  const doc = await portal.documents().publish(invoice());
  assert.deepEqual(doc.notification, { decision: 'skipped', reason: 'notifications_disabled' });
  const current = portal.settings();
  assert.equal(current.sender, 'noreply@masociete.fr');
  assert.equal(current.timeZone, 'Europe/Paris');
  assert.equal(current.client.pageSize, 25);
  assert.equal(current.client.watermarkText, 'POUR CONSULTATION UNIQUEMENT');
  const next = portal.saveSettings({ ...current, companyName: 'MA SOCIETE SA' });
  assert.equal(next.version, current.version + 1);
  assert.throws(() => portal.updateSettings(() => { throw new Error('no'); }), /no/);
  assert.equal(portal.settings().version, next.version, 'nothing saved when edit throws');
});
