// PDF stamping: the unpaid watermark and the signature block, off the main thread; bad
// input gives the `pdf` error code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { portail, caught } from './helpers.mjs';

const { pdf, ErrorCode } = portail;

test('watermark and signature stamps keep the pages', async () => {
  const original = pdf.samplePdf(['Facture FA-0002', 'Conditions']);
  assert.ok(Buffer.isBuffer(original));
  assert.equal(pdf.pageCount(original), 2);
  const unpaid = await pdf.watermark(original, 'POUR CONSULTATION UNIQUEMENT');
  assert.ok(unpaid.subarray(0, 5).equals(Buffer.from('%PDF-')));
  assert.notDeepEqual(unpaid, original);
  assert.equal(pdf.pageCount(unpaid), 2);
  const signed = await pdf.stampSignature(new Uint8Array(original), {
    lines: ['Signé électroniquement par MOI MEME', 'le 08/03/2019 à 16:55'],
    placement: 'right',
  });
  assert.equal(pdf.pageCount(signed), 2);
  assert.equal(pdf.toWinansiLossy('a → b'), pdf.toWinansiLossy(pdf.toWinansiLossy('a → b')));
});

test('unreadable PDFs give the pdf error code', async () => {
  const e = await caught(() => pdf.pageCount(Buffer.from('not a pdf')));
  assert.equal(e.code, ErrorCode.Pdf);
  const w = await caught(() => pdf.watermark(Buffer.from('%PDF-1.4 truncated'), 'X'));
  assert.equal(w.code, ErrorCode.Pdf);
  assert.ok(w instanceof Error);
});

test('the stamping method: incremental keeps the original, the watermark refuses it, a bad name is invalid_input', async () => {
  const original = pdf.samplePdf(['Contrat', 'page 2']);
  const stamp = { lines: ['Signe electroniquement par MOI MEME'], placement: 'left' };
  const signed = await pdf.stampSignature(original, stamp, 'incremental');
  assert.ok(signed.subarray(0, original.length).equals(original), 'an incremental update appends');
  assert.equal(pdf.pageCount(await pdf.stampSignature(original, stamp, portail.StampMethod.Rewrite)), 2);
  assert.equal(pdf.pageCount(await pdf.watermark(original, 'COPIE', 'rewrite')), 2);
  await assert.rejects(pdf.watermark(original, 'COPIE', 'incremental'), { code: 'pdf' });
  await assert.rejects(pdf.watermark(original, 'COPIE', 'fast'), { code: 'invalid_input', field: 'method' });
});
