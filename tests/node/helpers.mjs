// Shared set-up of the Node tests: the seed-000 tenant, client "4", a fixed clock.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const portail = require('../../bindings-node');

export const T0 = new Date('2019-03-08T16:55:15Z');

export function settings() {
  return { companyName: 'MA SOCIETE', domain: 'masociete.fr', replyTo: 'contact@masociete.fr' };
}

export function openPortal(options = {}) {
  return portail.Portal.inMemory('ma-societe', settings(), { now: T0, fastHashing: true, ...options });
}

export function client4(portal, billing = 'keylian.ace@gmail.com') {
  return portal.parties().upsert({
    audience: 'client',
    code: '4',
    name: 'MOI MEME',
    emails: { main: 'keylian.ace@gmail.com', billing },
    einvoicing: 'accepted',
  });
}

export const PDF = Buffer.from('%PDF-1.4\n% portail test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

export function invoice(extra = {}) {
  return {
    audience: 'client',
    partyCode: '4',
    folder: 'Factures',
    name: 'FA-0002.pdf',
    content: PDF,
    kind: 'invoice',
    ...extra,
  };
}

/** Run `fn` and return the error it throws (or its Promise rejects with). */
export async function caught(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}
