// Documents: what the Node API adds to the golden scenarios (the seed-000 example, consent,
// the unpaid policy are tests/scenarios/*.json): a path or a Uint8Array, publishMany progress,
// the back-office listing, folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPortal, client4, invoice, PDF } from './helpers.mjs';

test('publish from a path and a Uint8Array; folders by label and path', async () => {
  const portal = openPortal();
  client4(portal);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portail-node-'));
  const file = path.join(dir, 'Contrat-2019.pdf');
  fs.writeFileSync(file, PDF);
  const d = await portal.documents().publish({ audience: 'client', partyCode: '4', folder: 'Contrats', path: file });
  assert.equal(d.name, 'Contrat-2019.pdf');
  assert.equal(d.size, PDF.length);
  const u8 = new Uint8Array([1, 2, 3]);
  const e = await portal.documents().publish({ audience: 'client', partyCode: '4', folder: 'A signer/Devis', name: 'devis.txt', content: u8 });
  assert.equal(e.contentType, 'text/plain');
  assert.deepEqual([...(await portal.documents().content(e.id))], [1, 2, 3]);
  const folders = portal.folders().list('client');
  assert.deepEqual(folders.map((f) => f.label), ['Contrats à signer', 'Devis à signer', 'Contrats', 'Devis', 'Factures']);
  assert.equal(portal.folders().get('client', 'Factures').notifyOn, 'billing');
  fs.rmSync(dir, { recursive: true });
});

test('publishMany reports each input and progress', async () => {
  const portal = openPortal();
  client4(portal);
  const items = [];
  for (let i = 0; i < 30; i++) {
    items.push({ audience: 'client', partyCode: '4', folder: 'Contrats', name: `c-${i}.pdf`, content: PDF, externalId: `C-${i}` });
  }
  items.push({ audience: 'client', partyCode: 'nobody', folder: 'Contrats', name: 'x.pdf', content: PDF });
  items.push({ audience: 'client', partyCode: '4', folder: 'Contrats', name: 'bad/name.pdf', content: PDF });
  const seen = [];
  const report = await portal.documents().publishMany(items, (p) => seen.push(p));
  assert.equal(report.published, 30);
  assert.equal(report.notificationsQueued, 30);
  assert.equal(report.outcomes.length, 32);
  assert.equal(report.outcomes[0].document.name, 'c-0.pdf');
  assert.equal(report.outcomes[30].error.code, 'not_found');
  assert.equal(report.outcomes[31].error.code, 'invalid_input');
  assert.equal(report.outcomes[31].error.field, 'name');
  assert.ok(seen.length >= 1);
  assert.deepEqual(seen.at(-1), { phase: 'publishing', done: 32, total: 32 });
  const again = await portal.documents().publishMany(items.slice(0, 30));
  assert.equal(again.alreadyPublished, 30);
  assert.equal(again.published, 0);
});

test('payment status and the back-office listing', async () => {
  const portal = openPortal();
  client4(portal);
  const d = await portal.documents().publish(invoice({ payment: 'unpaid' }));
  assert.equal(d.payment, 'unpaid');
  const paid = portal.documents().setPayment(d.id, 'paid');
  assert.equal(paid.payment, 'paid');
  assert.equal(paid.version, 2);
  const page = portal.documents().list('client', '4', { offset: 0, limit: 10 });
  assert.equal(page.items[0].id, d.id);
  assert.equal(page.hasMore, false);
  assert.equal(portal.documents().findByExternalId('client', 'none'), null);
});

test('employee payslips link to the payslips page; folders added, updated, removed', async () => {
  const portal = openPortal();
  portal.parties().upsert({ audience: 'employee', code: 'E1', name: 'SALARIE', emails: { main: 'e1@x.fr' } });
  const slip = await portal.documents().publish({ audience: 'employee', partyCode: 'E1', folder: 'Bulletins', name: 'bulletin-2019-03.pdf', content: PDF, kind: 'payslip' });
  const n = portal.notifications().get(slip.notification.notificationId);
  assert.equal(n.link, 'https://masociete.fr/employees/payslips');
  assert.equal(n.recipient, 'e1@x.fr');

  const added = portal.folders().add({ audience: 'employee', path: 'Notes de frais', label: 'Notes de frais', notify: true, link: 'download' });
  assert.ok(added.id);
  assert.equal(added.version, 1);
  assert.equal(added.notifyOn, 'main');
  const updated = portal.folders().update({ ...added, label: 'Frais', shared: false });
  assert.equal(updated.label, 'Frais');
  assert.equal(portal.folders().get('employee', 'Frais').shared, false);
  const hidden = await portal.documents().publish({ audience: 'employee', partyCode: 'E1', folder: 'Frais', name: 'nf.pdf', content: PDF });
  assert.equal(hidden.notification.reason, 'folder_not_shared');
  assert.throws(() => portal.folders().add({ audience: 'employee', path: 'X', label: 'X', notifyOn: 'billing' }), { code: 'invalid_input', field: 'notify_on' });
  const empty = portal.folders().add({ audience: 'employee', path: 'Vide', label: 'Vide' });
  portal.folders().remove('employee', 'Vide');
  assert.equal(portal.folders().list('employee').some((f) => f.id === empty.id), false);
});
