// Signing on the portal: a contract in "Contrats à signer" is signed by its client with the
// host's evidence; the signed PDF is served from then on, the original kept, the trail recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { portail, openPortal, client4, caught, T0 } from './helpers.mjs';

test('sign a contract, keep the original, serve the signed version', async () => {
  const portal = openPortal();
  client4(portal);
  const original = portail.pdf.samplePdf(['Contrat de maintenance', 'Conditions générales']);
  const doc = await portal.documents().publish({ audience: 'client', partyCode: '4', folder: 'Contrats à signer', name: 'contrat.pdf', content: original, kind: 'contract' });
  const plain = await portal.documents().publish({ audience: 'client', partyCode: '4', folder: 'Contrats', name: 'copie.pdf', content: original });
  portal.accounts().generate({ audience: 'client', partyCode: '4', password: 'correct horse' });
  await portal.sync();
  const me = await portal.login('client', '4', 'correct horse');
  const view = portal.view(me);
  assert.equal(view.awaitsSignature(doc.id), true);
  assert.equal(view.awaitsSignature(plain.id), false);

  const evidence = { signerName: 'MOI MEME', ipAddress: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)' };
  assert.equal((await caught(() => view.sign(doc.id, { ...evidence, ipAddress: 'not-an-ip' }))).field, 'ip_address');
  const signed = await view.sign(doc.id, evidence);
  const s = signed.signature;
  assert.equal(s.signerName, 'MOI MEME');
  assert.equal(s.ipAddress, '203.0.113.7');
  assert.equal(s.placement, 'right');
  assert.equal(s.accountId, me.accountId);
  assert.equal(s.originalSha256, doc.sha256);
  assert.notEqual(s.signedSha256, doc.sha256);
  assert.equal(s.withImage, false);
  assert.equal(s.signedAt.getTime(), T0.getTime());
  assert.equal(view.awaitsSignature(doc.id), false);
  assert.equal((await caught(() => view.sign(doc.id, evidence))).code, 'invalid_state');
  assert.equal((await caught(() => view.sign(plain.id, evidence))).code, 'invalid_state');

  const served = await view.open(doc.id);
  const kept = await portal.documents().signedContent(doc.id);
  assert.deepEqual(served.content, kept);
  assert.equal(portail.pdf.pageCount(kept), 2);
  assert.deepEqual(await portal.documents().content(doc.id), original);
  assert.equal((await caught(() => portal.documents().signedContent(plain.id))).code, 'invalid_state');
  assert.equal(portal.documents().get(doc.id).signature.signedSize, kept.length);
  // The back office hears of it at the reply-to address.
  const notice = portal.notifications().history({ documentId: doc.id }).items.find((n) => n.purpose === 'signature_received');
  assert.equal(notice.recipient, 'contact@masociete.fr');
});
