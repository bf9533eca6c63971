// The seed-000 worked example with the Node binding: client "4" (MOI MEME), invoice FA-0002
// in "Factures", the notification to the billing address, a changed address and a forced
// resend, then the client's portal access. Prints the notification history.
//
//   node examples/node/demo.mjs        (after building bindings-node)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Portal } from 'portail';

// The embedded default: SQLite file, blob folder and .eml outbox in one folder.
const data = fs.mkdtempSync(path.join(os.tmpdir(), 'portail-demo-'));
const portal = Portal.open(data, {
  tenant: 'ma-societe',
  settings: { companyName: 'MA SOCIETE', domain: 'masociete.fr', replyTo: 'contact@masociete.fr' },
});

// The host pushes its client record ("fiche client") with its billing address.
portal.parties().upsert({
  audience: 'client',
  code: '4',
  name: 'MOI MEME',
  emails: { main: 'keylian.ace@gmail.com', billing: 'keylian.ace@gmail.com' },
  einvoicing: 'accepted',
});

// The invoice is closed: it lands in "Factures", which notifies the billing address.
const invoice = await portal.documents().publish({
  audience: 'client',
  partyCode: '4',
  folder: 'Factures',
  name: 'FA-0002.pdf',
  content: Buffer.from('%PDF-1.4\n% FA-0002\n'),
  kind: 'invoice',
  externalId: 'FA-0002',
});
console.log(`published ${invoice.name}: notification ${invoice.notification.decision}`);

// "Synchroniser": the notification goes out (an .eml file in the outbox folder).
let report = await portal.sync();
console.log(`sync: ${report.dispatch.sent} sent`);

// The billing address changes; a forced resend goes to the new one.
portal.parties().upsert({
  audience: 'client',
  code: '4',
  name: 'MOI MEME',
  emails: { main: 'keylian.ace@gmail.com', billing: 'compta@moimeme.fr' },
  einvoicing: 'accepted',
});
const [first] = portal.notifications().history({ partyCode: '4' }).items;
portal.notifications().resend(first.id, true);
report = await portal.sync();
console.log(`forced resend: ${report.dispatch.sent} sent`);

// Portal access: a draft account with a readable password, synchronised, then a login.
const account = portal.accounts().generate({ audience: 'client', partyCode: '4' });
const password = portal.accounts().draftPassword(account.id);
console.log(`account ${account.identifier} (${account.status}), password ${password}`);
report = await portal.sync();
const active = portal.accounts().get(account.id);
console.log(`sync: ${report.activated} activated; credentials sent to ${active.credentialsSentTo}`);
const me = await portal.login('client', '4', password);
const page = portal.view(me).documents('Factures');
console.log(`logged in as ${me.identifier}: ${page.total} document(s) in Factures`);

console.log('\nNotification history (newest first):');
for (const n of portal.notifications().history({ partyCode: '4' }).items) {
  const when = n.sentAt ? n.sentAt.toISOString() : '-';
  console.log(`  ${n.state.padEnd(9)} ${n.purpose.padEnd(18)} ${n.recipient.padEnd(22)} ${when}${n.forced ? '  (forced)' : ''}`);
}
console.log(`\n.eml files in ${path.join(data, 'outbox')}: ${fs.readdirSync(path.join(data, 'outbox')).length}`);
fs.rmSync(data, { recursive: true });
