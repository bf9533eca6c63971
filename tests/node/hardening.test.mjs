// Hardening (issue 12) through the public Node API: lockout counted for every identifier and
// identifiers normalised, reset tokens dying with the password, the outbox options (claim lease,
// SMTP deadline) and its refusals, input checked against what can be mailed or opened, the
// unpaid copy rewritten in full, a deleted blob as a storage error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { portail, openPortal, client4, invoice, caught, T0 } from './helpers.mjs';

const { ErrorCode, pdf } = portail;

function resetToken(portal) {
  const body = portal.sentMessages().at(-1).body;
  return /token=([0-9a-f]{64})/.exec(body)[1];
}

async function askReset(portal, identifier) {
  portal.requestPasswordReset('client', identifier);
  await portal.dispatch();
  return resetToken(portal);
}

function countOf(buffer, needle) {
  let n = 0;
  for (let i = buffer.indexOf(needle); i >= 0; i = buffer.indexOf(needle, i + 1)) n++;
  return n;
}

// Item 1 -------------------------------------------------------------------------------------

test('an unknown identifier is locked out after five wrong guesses, like a known one', async () => {
  const portal = openPortal();
  client4(portal);
  portal.accounts().generate({ audience: 'client', partyCode: '4', password: 'correct horse', notifyByEmail: false });
  await portal.sync();
  const answers = async (identifier) => {
    const codes = [];
    for (let i = 0; i < 7; i++) codes.push((await caught(() => portal.login('client', identifier, 'wrong'))).code);
    return codes;
  };
  const known = await answers('4');
  const unknown = await answers('nobody');
  assert.deepEqual(unknown, known);
  assert.equal(unknown[4], ErrorCode.InvalidCredentials);
  assert.equal(unknown[6], ErrorCode.LockedOut);
  const lockout = portal.accounts().lockout('client', 'nobody');
  assert.ok(lockout.lockedUntil instanceof Date, 'the lockout of an unknown identifier is visible');
});

test('malformed identifiers are invalid_input; look-alikes are normalised (NFKC, case fold)', async () => {
  const portal = openPortal();
  client4(portal);
  portal.accounts().generate({
    audience: 'client',
    partyCode: '4',
    identifier: 'ééé',
    password: 'correct horse',
    notifyByEmail: false,
  });
  await portal.sync();
  for (const bad of ['pa\u200Bul', '\u202Ednarud', 'é\u00ADé']) {
    const e = await caught(() => portal.login('client', bad, 'x'));
    assert.equal(e.code, ErrorCode.InvalidInput, JSON.stringify(bad));
    assert.ok(e.field, 'invalid_input names the field');
    assert.equal((await caught(() => portal.requestPasswordReset('client', bad))).code, ErrorCode.InvalidInput);
  }
  portal.parties().upsert({ audience: 'client', code: '5', name: 'CINQ', emails: { main: 'cinq@x.fr' } });
  const given = await caught(() =>
    portal.accounts().generate({ audience: 'client', partyCode: '5', identifier: 'cinq\u200B', notifyByEmail: false }),
  );
  assert.equal(given.code, ErrorCode.InvalidInput);
  const lookAlike = await caught(() =>
    portal.accounts().generate({ audience: 'client', partyCode: '5', identifier: 'ÉÉÉ', notifyByEmail: false }),
  );
  assert.equal(lookAlike.code, ErrorCode.IdentifierTaken);

  const composed = await portal.login('client', 'ééé', 'correct horse');
  const upper = await portal.login('client', 'ÉÉÉ', 'correct horse');
  const decomposed = await portal.login('client', 'e\u0301e\u0301e\u0301', 'correct horse');
  assert.equal(upper.accountId, composed.accountId);
  assert.equal(decomposed.accountId, composed.accountId);
  assert.equal(portal.accounts().find('client', 'E\u0301E\u0301E\u0301').id, composed.accountId);
});

// Item 2 -------------------------------------------------------------------------------------

test('reset tokens die with the password; a suspended account is sent no reset', async () => {
  const portal = openPortal();
  client4(portal);
  const a = portal.accounts().generate({ audience: 'client', partyCode: '4', password: 'password-1', notifyByEmail: false });
  await portal.sync();

  const beforeChange = await askReset(portal, '4');
  const me = await portal.login('client', '4', 'password-1');
  await portal.changePassword(me, 'password-1', 'password-2');
  const changed = await caught(() => portal.resetPassword('client', beforeChange, 'password-3'));
  assert.equal(changed.code, ErrorCode.InvalidToken, 'after change_password');

  const older = await askReset(portal, '4');
  const newer = await askReset(portal, '4');
  assert.notEqual(older, newer);
  await portal.resetPassword('client', newer, 'password-4');
  const superseded = await caught(() => portal.resetPassword('client', older, 'password-5'));
  assert.equal(superseded.code, ErrorCode.InvalidToken, 'after a newer reset was used');
  await portal.login('client', '4', 'password-4');

  portal.accounts().setAuthorized(a.id, false);
  const sent = portal.sentMessages().length;
  portal.requestPasswordReset('client', '4');
  await portal.sync();
  assert.equal(portal.sentMessages().length, sent, 'no reset mail while suspended');
});

// Item 4 -------------------------------------------------------------------------------------

test('claimLeaseMs is validated by the core (100 ms .. 1 day)', async () => {
  for (const ms of [99, 86_400_001]) {
    const e = await caught(() => openPortal({ claimLeaseMs: ms }));
    assert.equal(e.code, ErrorCode.InvalidInput, String(ms));
    assert.equal(e.field, 'claim_lease');
  }
  const portal = openPortal({ claimLeaseMs: 100 });
  client4(portal);
  await portal.documents().publish(invoice());
  assert.equal((await portal.sync()).dispatch.sent, 1);
  openPortal({ claimLeaseMs: 86_400_000 });
});

/** An SMTP sink that greets and answers every command but never acknowledges the DATA end. */
function hangingSink() {
  const sockets = new Set();
  let messages = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk;
      let i;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') messages++; // and never reply
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (verb === 'EHLO' || verb === 'HELO') socket.write('250 sink\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  const close = () => {
    for (const s of sockets) s.destroy();
    server.close();
  };
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: server.address().port, close, messages: () => messages }),
    );
  });
}

test('smtp.deadlineMs bounds a send to a relay that hangs after DATA', async () => {
  const sink = await hangingSink();
  try {
    const portal = openPortal({ smtp: { host: '127.0.0.1', port: sink.port, deadlineMs: 500 } });
    client4(portal);
    await portal.documents().publish(invoice());
    const started = Date.now();
    const r = await portal.sync();
    const elapsed = Date.now() - started;
    console.log(`hung relay, deadlineMs 500: sync returned after ${elapsed} ms`);
    assert.equal(r.dispatch.sent, 0);
    assert.equal(r.dispatch.failed, 1, 'a deadline is a transient failure');
    assert.ok(elapsed < 10_000, `bounded by the deadline, took ${elapsed} ms`);
    const n = portal.notifications().history().items[0];
    assert.notEqual(n.state, 'sent');
    assert.notEqual(n.state, 'abandoned', 'transient: kept for a retry');
  } finally {
    sink.close();
  }
});

test('cancelling a notification being sent is invalid_state', async () => {
  let cancelError = null;
  let date = null;
  let portal;
  portal = openPortal({
    mailer: {
      async send(message) {
        date = message.date;
        cancelError = await caught(() => portal.notifications().cancel(message.notificationId));
      },
    },
  });
  client4(portal);
  await portal.documents().publish(invoice());
  const r = await portal.sync();
  assert.equal(r.dispatch.sent, 1);
  assert.ok(cancelError, 'cancel was tried during the send');
  assert.equal(cancelError.code, ErrorCode.InvalidState);
  assert.equal(portal.notifications().history().items[0].state, 'sent', 'the history says what happened');
  assert.equal(date.getTime(), T0.getTime(), "the Date header comes from the portal's clock");
});

test('a secret merge field in a subject is refused', async () => {
  const portal = openPortal();
  const e = await caught(() =>
    portal.templates().save({
      audience: 'client',
      purpose: 'access_credentials',
      subject: 'Votre mot de passe : #mot_de_passe#',
      body: 'Identifiant : #identifiant#\nMot de passe : #mot_de_passe#\n',
    }),
  );
  assert.equal(e.code, ErrorCode.InvalidInput);
  assert.equal(e.field, 'subject');
});

// Item 5 -------------------------------------------------------------------------------------

test('addresses the mail library refuses, over-long names and non-PDF bytes are invalid_input', async () => {
  const portal = openPortal();
  for (const address of ['a\\b@x.fr', '(x)@x.fr']) {
    const e = await caught(() =>
      portal.parties().upsert({ audience: 'client', code: '4', name: 'X', emails: { main: address } }),
    );
    assert.equal(e.code, ErrorCode.InvalidInput, address);
    assert.equal(e.field, 'emails.main');
    const reply = await caught(() => portal.saveSettings({ ...portal.settings(), replyTo: address }));
    assert.equal(reply.code, ErrorCode.InvalidInput, address);
  }
  const long = await caught(() => portal.parties().upsert({ audience: 'client', code: '4', name: 'é'.repeat(201) }));
  assert.equal(long.code, ErrorCode.InvalidInput);
  assert.equal(long.field, 'name');
  portal.parties().upsert({ audience: 'client', code: '4', name: 'é'.repeat(200), einvoicing: 'accepted' });

  const notPdf = await caught(() =>
    portal.documents().publish(invoice({ content: Buffer.from('MZ\x90\x00 not a pdf at all') })),
  );
  assert.equal(notPdf.code, ErrorCode.InvalidInput);
  assert.equal(notPdf.field, 'content');
  assert.equal(portal.notifications().history().total, 0, 'nothing queued');
});

// Item 6 -------------------------------------------------------------------------------------

test('the unpaid copy is a full rewrite: one %%EOF, not starting with the original', async () => {
  const original = pdf.samplePdf(['Facture FA-0002', 'Conditions']);
  const marker = Buffer.from('%%EOF');
  const copy = await pdf.watermark(original, 'POUR CONSULTATION UNIQUEMENT');
  assert.equal(countOf(copy, marker), 1);
  assert.ok(!copy.subarray(0, original.length).equals(original));
  assert.equal(pdf.pageCount(copy), 2);

  const portal = openPortal();
  portal.updateSettings((s) => ({ ...s, client: { ...s.client, unpaidPolicy: 'watermark' } }));
  client4(portal);
  const doc = await portal.documents().publish(invoice({ content: original, payment: 'unpaid' }));
  portal.accounts().generate({ audience: 'client', partyCode: '4', password: 'correct horse', notifyByEmail: false });
  await portal.sync();
  const me = await portal.login('client', '4', 'correct horse');
  const dl = await portal.view(me).open(doc.id);
  assert.equal(dl.watermarked, true);
  assert.equal(countOf(dl.content, marker), 1, 'no earlier revision to cut back to');
  assert.ok(!dl.content.subarray(0, original.length).equals(original), 'does not start with the original');
  assert.equal(pdf.pageCount(dl.content), 2);
});

// Item 7 -------------------------------------------------------------------------------------

test('a blob deleted behind the portal reads as a storage error', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portail-blobs-'));
  try {
    const portal = openPortal({ blobsDir: dir });
    client4(portal);
    const doc = await portal.documents().publish(invoice());
    const files = fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, f)).isFile());
    assert.ok(files.length >= 1);
    for (const f of files) fs.rmSync(path.join(dir, f));
    const e = await caught(() => portal.documents().content(doc.id));
    assert.equal(e.code, ErrorCode.Storage);
    assert.ok(e instanceof Error);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
