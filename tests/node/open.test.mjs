// Portal.open: the embedded default (SQLite file, blob folder, .eml outbox) reopens its data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { portail, settings, client4, invoice, PDF, T0 } from './helpers.mjs';

test('Portal.open keeps everything in one folder and reopens it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portail-open-'));
  const options = { now: T0, fastHashing: true, settings: settings() };
  let portal = portail.Portal.open(dir, options);
  assert.equal(portal.tenant, 'default');
  assert.equal(portal.settings().companyName, 'MA SOCIETE');
  client4(portal);
  const doc = await portal.documents().publish(invoice());
  await portal.sync();
  const eml = portal.readMail(doc.notification.notificationId);
  assert.match(eml, /^To: keylian\.ace@gmail\.com\r?$/m);
  assert.ok(fs.existsSync(path.join(dir, 'portail.sqlite3')));
  assert.ok(fs.readdirSync(path.join(dir, 'outbox')).length >= 1);

  portal = portail.Portal.open(dir, { now: T0 });
  assert.equal(portal.parties().get('client', '4').name, 'MOI MEME');
  assert.deepEqual(await portal.documents().content(doc.id), PDF);
  assert.equal(portal.notifications().history({ partyCode: '4' }).items[0].state, 'sent');
  const other = portail.Portal.open(dir, { tenant: 'autre-societe', settings: { companyName: 'AUTRE', domain: 'autre.fr' } });
  assert.equal(other.parties().find('client', '4'), null, 'tenants are walls');
  fs.rmSync(dir, { recursive: true });
});
