// Documents: the seed-000 worked example end to end, publish from a path, publishMany.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { portail, openPortal, client4, invoice, PDF, T0 } from './helpers.mjs';

test('seed 000: invoice FA-0002 notifies the billing address, forced resend reaches the new one', async () => {
  const portal = openPortal();
  const party = client4(portal);
  assert.equal(party.version, 1);
  assert.equal(party.einvoicing, 'accepted');

  const doc = await portal.documents().publish(invoice({ externalId: 'FA-0002' }));
  assert.equal(doc.name, 'FA-0002.pdf');
  assert.equal(doc.kind, portail.DocumentKind.Invoice);
  assert.equal(doc.contentType, 'application/pdf');
  assert.equal(doc.size, PDF.length);
  assert.ok(doc.publishedAt instanceof Date);
  assert.equal(doc.publishedAt.getTime(), T0.getTime());
  assert.equal(doc.notification.decision, 'queued');

  const report = await portal.sync();
  assert.equal(report.dispatch.sent, 1);
  let sent = portal.sentMessages();
  assert.equal(sent.length, 1);
  assert.equal(sent[0].to, 'keylian.ace@gmail.com');
  assert.equal(sent[0].from, 'noreply@masociete.fr');
  assert.equal(sent[0].replyTo, 'contact@masociete.fr');
  assert.match(sent[0].body, /FA-0002\.pdf/);
  assert.match(sent[0].body, /https:\/\/masociete\.fr\/clients\/account-statement/);

  // The billing address changes; a plain resend is refused, a forced one goes to the new one.
  client4(portal, 'compta@moimeme.fr');
  const first = portal.notifications().history({ partyCode: '4' }).items[0];
  assert.equal(first.state, 'sent');
  assert.equal(first.role, 'billing');
  assert.throws(() => portal.notifications().resend(first.id), { code: 'invalid_state' });
  const again = portal.notifications().resend(first.id, true);
  assert.equal(again.forced, true);
  assert.equal(again.resendOf, first.id);
  assert.equal(again.recipient, 'compta@moimeme.fr');
  await portal.sync();
  sent = portal.sentMessages();
  assert.equal(sent.length, 2);
  assert.equal(sent[1].to, 'compta@moimeme.fr');

  const history = portal.notifications().history({ partyCode: '4', documentId: doc.id });
  assert.equal(history.total, 2);
  assert.deepEqual(history.items.map((n) => n.recipient).sort(), ['compta@moimeme.fr', 'keylian.ace@gmail.com']);
  assert.ok(history.items.every((n) => n.state === 'sent' && n.sentAt instanceof Date));

  // Publishing again under the same external id changes nothing.
  const same = await portal.documents().publish(invoice({ externalId: 'FA-0002' }));
  assert.equal(same.id, doc.id);
  assert.equal(portal.documents().list('client', '4').total, 1);
  assert.deepEqual(await portal.documents().content(doc.id), PDF);
});

test('invoices without accepted e-invoicing consent are not notified', async () => {
  const portal = openPortal();
  portal.parties().upsert({ audience: 'client', code: '5', name: 'X', emails: { billing: 'x@x.fr' } });
  const doc = await portal.documents().publish(invoice({ partyCode: '5' }));
  assert.deepEqual(doc.notification, { decision: 'skipped', reason: 'e_invoicing_not_accepted' });
  portal.parties().upsert({ audience: 'client', code: '6', name: 'Y', einvoicing: 'accepted' });
  const noAddress = await portal.documents().publish(invoice({ partyCode: '6' }));
  assert.equal(noAddress.notification.reason, 'no_address');
  assert.equal(noAddress.notification.role, 'billing');
});

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

test('unpaid policy: watermarked download, exempt party gets the original', async () => {
  const portal = openPortal();
  portal.updateSettings((s) => ({ ...s, client: { ...s.client, unpaidPolicy: 'watermark' } }));
  client4(portal);
  const original = portail.pdf.samplePdf(['Facture FA-0002']);
  const doc = await portal.documents().publish(invoice({ content: original, payment: 'unpaid' }));
  portal.accounts().generate({ audience: 'client', partyCode: '4', password: 'correct horse' });
  await portal.sync();
  const me = await portal.login('client', '4', 'correct horse');
  const dl = await portal.view(me).open(doc.id);
  assert.equal(dl.watermarked, true);
  assert.notDeepEqual(dl.content, original);
  assert.equal(portail.pdf.pageCount(dl.content), 1);

  portal.parties().upsert({ ...portal.parties().get('client', '4'), unpaidExempt: true });
  const exempt = await portal.view(me).open(doc.id);
  assert.equal(exempt.watermarked, false);
  assert.deepEqual(exempt.content, original);

  portal.documents().setPayment(doc.id, 'paid');
  portal.parties().upsert({ ...portal.parties().get('client', '4'), unpaidExempt: false });
  assert.equal((await portal.view(me).open(doc.id)).watermarked, false);
  assert.equal(portal.documents().get(doc.id).downloads, 3);
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
