// Issue 13, item 3: input checked at the boundary. An unknown (misspelt) option key is
// invalid_input naming the key; a wrong JS type or a bad enum string is invalid_input naming
// the argument or key (never napi's InvalidArg); a method returning a Promise rejects, never
// throws synchronously; string enums are string-literal unions in index.d.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { portail, openPortal, client4, invoice, caught, PDF, settings } from './helpers.mjs';

const DTS = fs.readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bindings-node/index.d.ts'),
  'utf8',
);

function invalid(e, field) {
  assert.ok(e instanceof Error, String(e));
  assert.equal(e.code, 'invalid_input', `${e.code}: ${e.message}`);
  assert.equal(e.field, field, e.message);
  return e;
}

/** `fn()` must return a Promise that rejects (a synchronous throw fails the test). */
async function rejects(fn) {
  let promise;
  try {
    promise = fn();
  } catch (e) {
    assert.fail(`threw synchronously instead of rejecting: ${e.code} ${e.message}`);
  }
  assert.ok(promise instanceof Promise, 'returns a Promise');
  return promise.then(
    () => assert.fail('resolved'),
    (e) => e,
  );
}

test('a misspelt externalID is refused (a rerun payroll would duplicate its payslips)', async () => {
  const portal = openPortal();
  client4(portal);
  const e = invalid(await rejects(() => portal.documents().publish(invoice({ externalID: 'PAY-1' }))), 'externalID');
  assert.match(e.message, /externalId/, 'suggests the right spelling');
  const many = await rejects(() => portal.documents().publishMany([invoice(), invoice({ externalID: 'PAY-2' })]));
  invalid(many, 'items[1].externalID');
  assert.equal(portal.documents().list('client', '4').total, 0, 'nothing published');
  const doc = await portal.documents().publish(invoice({ externalId: 'PAY-1' }));
  assert.equal(doc.externalId, 'PAY-1');
});

test('unknown keys are refused in every option object, nested ones with their path', async () => {
  const portal = openPortal();
  client4(portal);
  const { Portal } = portail;
  invalid(await caught(() => Portal.inMemory('t', settings(), { fastHashing: true, mailDirectory: '/tmp' })), 'mailDirectory');
  invalid(await caught(() => Portal.inMemory('t', settings(), { security: { lockoutMS: 1 } })), 'security.lockoutMS');
  invalid(await caught(() => Portal.inMemory('t', settings(), { smtp: { host: 'x', timeout: 1 } })), 'smtp.timeout');
  invalid(await caught(() => Portal.inMemory('t', { ...settings(), companyname: 'X' })), 'companyname');
  const s = portal.settings();
  invalid(await caught(() => portal.saveSettings({ ...s, client: { ...s.client, pageLimit: 20 } })), 'client.pageLimit');
  invalid(await caught(() => portal.parties().upsert({ audience: 'client', code: '5', name: 'X', emails: { mian: 'a@b.fr' } })), 'emails.mian');
  invalid(await caught(() => portal.parties().list('client', { offset: 0, size: 10 })), 'size');
  invalid(await caught(() => portal.notifications().history({ status: 'sent' })), 'status');
  invalid(await caught(() => portal.folders().add({ audience: 'client', path: 'X', label: 'X', notifyBy: 'main' })), 'notifyBy');
  invalid(
    await caught(() => portal.templates().save({ audience: 'client', purpose: 'invitation', subject: 's', body: 'b', lang: 'fr' })),
    'lang',
  );
  invalid(await caught(() => portal.accounts().generate({ audience: 'client', partyCode: '4', notify: false })), 'notify');
  invalid(await caught(() => portal.accounts().invite({ audience: 'client', partyCode: '4', sendLater: true })), 'sendLater');
  invalid(await rejects(() => portal.accounts().generateBatch('client', ['4'], { identifierSource: 'email' })), 'identifierSource');
  const view = portal.view({ accountId: 'a', audience: 'client', partyCode: '4', identifier: '4' });
  invalid(await rejects(() => view.sign('d', { signerName: 'X', ipAddress: '1', userAgent: 'u', image: PDF })), 'image');
  invalid(await rejects(() => portail.pdf.stampSignature(PDF, { lines: [], placement: 'left', png: PDF })), 'png');
});

test('every key the .d.ts declares for an input interface is accepted, and no other', () => {
  const keys = portail._inputKeys();
  assert.ok(Object.keys(keys).length >= 20);
  for (const [name, list] of Object.entries(keys)) {
    const m = new RegExp(`export interface ${name} \\{\\n([\\s\\S]*?)\\n\\}`).exec(DTS);
    assert.ok(m, `interface ${name} in index.d.ts`);
    const declared = [...m[1].matchAll(/^ {2}([A-Za-z0-9_]+)\??:/gm)].map((x) => x[1]);
    assert.deepEqual([...list].sort(), declared.sort(), name);
  }
});

test('wrong JS types and bad enum strings are invalid_input naming the argument or key', async () => {
  const portal = openPortal();
  client4(portal);
  invalid(await caught(() => portal.parties().get('martians', '4')), 'audience');
  invalid(await caught(() => portal.parties().get('client', 4)), 'code');
  invalid(await caught(() => portal.parties().upsert({ audience: 'client', code: 4, name: 'X' })), 'code');
  invalid(await caught(() => portal.parties().upsert({ audience: 'martians', code: '4', name: 'X' })), 'audience');
  invalid(await caught(() => portal.parties().upsert({ audience: 'client', code: '4' })), 'name');
  invalid(await caught(() => portal.parties().upsert({ audience: 'client', code: '4', name: 'X', emails: { main: 5 } })), 'emails.main');
  invalid(await caught(() => portal.parties().upsert('client')), 'party');
  invalid(await caught(() => portal.documents().setPayment('x', 'maybe')), 'payment');
  invalid(await caught(() => portal.accounts().setAuthorized('x', 'yes')), 'authorized');
  invalid(await caught(() => portal.notifications().resend('x', 'force')), 'force');
  invalid(await caught(() => portal.setClock('tomorrow')), 'now');
  invalid(await caught(() => portal.parties().list('client', { offset: 'x' })), 'offset');
  invalid(await caught(() => portail.Portal.inMemory('t', settings(), { fastHashing: 'yes' })), 'fastHashing');
  invalid(await caught(() => portail.messageToRfc5322({ to: 'x' })), 'messageId');
  const e = invalid(await caught(() => portal.parties().get('martians', '4')), 'audience');
  assert.match(e.message, /martians/);
});

// Every method whose .d.ts return type is a Promise, called with bad input.
test('every Promise method rejects on bad input, never throws synchronously', async () => {
  const portal = openPortal();
  client4(portal);
  const view = portal.view({ accountId: 'a', audience: 'client', partyCode: '4', identifier: '4' });
  const promiseMethods = [...DTS.matchAll(/^\s+(?:export function )?(\w+)\(.*\): Promise</gm)].map((m) => m[1]).sort();
  const calls = {
    acceptInvitation: [() => portal.acceptInvitation('martians', 't', 'p'), 'audience'],
    changePassword: [() => portal.changePassword({ accountId: 'a' }, 'x', 'y'), 'audience'],
    content: [() => portal.documents().content(42), 'id'],
    dispatch: [() => portal.dispatch('ten'), 'limit'],
    generateBatch: [() => portal.accounts().generateBatch('client', '4'), 'partyCodes'],
    login: [() => portal.login('client', 4, 'p'), 'identifier'],
    open: [() => view.open({}), 'documentId'],
    publish: [() => portal.documents().publish({ ...invoice(), kind: 'bill' }), 'kind'],
    publishMany: [() => portal.documents().publishMany([invoice()], 'not a function'), 'onProgress'],
    resetPassword: [() => portal.resetPassword('client', null, 'p'), 'token'],
    sign: [() => view.sign('d', { signerName: 1 }), 'signerName'],
    signedContent: [() => portal.documents().signedContent(undefined), 'id'],
    stampSignature: [() => portail.pdf.stampSignature('not bytes', { lines: [], placement: 'left' }), 'pdf'],
    sync: [() => portal.sync(42), 'onProgress'],
    watermark: [() => portail.pdf.watermark(PDF, 7), 'text'],
  };
  assert.deepEqual(Object.keys(calls).sort(), promiseMethods, 'every Promise method of index.d.ts is covered');
  for (const [name, [call, field]] of Object.entries(calls)) {
    const e = await rejects(call);
    assert.equal(e.code, 'invalid_input', `${name}: ${e.code} ${e.message}`);
    assert.equal(e.field, field, `${name}: ${e.message}`);
  }
});

test('string enums are string-literal unions in index.d.ts, with their runtime objects declared', () => {
  assert.match(DTS, /export type Audience = 'client' \| 'employee'/);
  assert.doesNotMatch(DTS, /export declare enum/);
  assert.match(DTS, /export declare const Audience: EnumObject<Audience>/);
  // The runtime objects keep PascalCase keys for snake_case values, which EnumObject mirrors.
  const pascal = (v) => v.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  for (const m of DTS.matchAll(/^export type (\w+) = ('[a-z_]+'(?: \| '[a-z_]+')*)$/gm)) {
    const values = [...m[2].matchAll(/'([a-z_]+)'/g)].map((x) => x[1]);
    const runtime = portail[m[1]];
    assert.ok(runtime, `${m[1]} exists at runtime`);
    assert.deepEqual(Object.values(runtime).sort(), [...values].sort(), m[1]);
    for (const [k, v] of Object.entries(runtime)) assert.equal(k, pascal(v), `${m[1]}.${k}`);
    assert.match(DTS, new RegExp(`export declare const ${m[1]}: EnumObject<${m[1]}>`), `${m[1]} value declared`);
  }
});

test('the key check costs little per call', () => {
  const portal = openPortal();
  const principal = { accountId: 'a', audience: 'client', partyCode: '4', identifier: '4' };
  const n = 20000;
  const time = (fn) => {
    for (let i = 0; i < 1000; i++) fn();
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    return Number(process.hrtime.bigint() - t) / n / 1000;
  };
  // view(principal) converts a 4-key object (keys checked); parties() takes no argument.
  const bare = time(() => portal.parties());
  const checked = time(() => portal.view(principal));
  console.log(`# input: parties() ${bare.toFixed(1)} µs, view(principal) ${checked.toFixed(1)} µs per call`);
  assert.ok(checked < bare + 50, 'a 4-key object costs microseconds, not more');
});

// The entry points that took napi's own conversion until issue 13's contract: a wrong JS type
// is invalid_input naming the argument (never napi's InvalidArg), one test each.
const WRONG_TYPES = [
  ['pdf.pageCount', () => portail.pdf.pageCount('not bytes'), 'pdf'],
  ['pdf.samplePdf', () => portail.pdf.samplePdf('one page'), 'pages'],
  ['pdf.samplePdf (an item)', () => portail.pdf.samplePdf(['ok', 2]), 'pages[1]'],
  ['pdf.toWinansiLossy', () => portail.pdf.toWinansiLossy(42), 'text'],
  ['templates().fields', () => openPortal().templates().fields('no_such_purpose'), 'purpose'],
  ['updateSettings (not a function)', () => openPortal().updateSettings({}), 'edit'],
  ['updateSettings (callback result)', () => openPortal().updateSettings(() => 42), 'edit'],
  ['updateSettings (callback key)', () => openPortal().updateSettings((s) => ({ ...s, replyto: 'x@y.fr' })), 'replyto'],
  ['_throwForTest', () => portail._throwForTest(7), 'code'],
];

for (const [name, call, field] of WRONG_TYPES) {
  test(`${name}: a wrong JS type is invalid_input naming ${field}`, async () => {
    invalid(await caught(call), field);
  });
}

test('updateSettings saves nothing when the callback returns a wrong shape', async () => {
  const portal = openPortal();
  const before = portal.settings();
  invalid(await caught(() => portal.updateSettings((s) => ({ ...s, client: { ...s.client, pageLimit: 3 } }))), 'client.pageLimit');
  assert.deepEqual(portal.settings(), before);
});

test('listings take offset, limit and cursor by the contract and return the one Page<T>', async () => {
  const portal = openPortal();
  client4(portal);
  invalid(await caught(() => portal.parties().list('client', { offset: -1 })), 'offset');
  invalid(await caught(() => portal.parties().list('client', { limit: -1 })), 'limit');
  invalid(await caught(() => portal.parties().list('client', { cursor: 'nope' })), 'cursor');
  invalid(await caught(() => portal.parties().list('client', { curser: 'x' })), 'curser');
  const first = portal.parties().list('client', { limit: 1 });
  assert.deepEqual(
    { ...first, items: first.items.length },
    { items: 1, total: 1, offset: 0, limit: 1, hasMore: false, next: null, cursor: null },
  );
  assert.match(DTS, /export interface Page<T> \{/);
  assert.doesNotMatch(DTS, /interface \w+Page \{/, 'no page interface per row type');
  for (const listing of ['list(filter?: AccountFilter', 'history(filter?: NotificationFilter']) {
    const line = DTS.split('\n').find((l) => l.includes(listing));
    assert.match(line, /: Page<\w+>$/, line);
  }
});

test("a folder's defaults are the core's (ffi::FolderInput): a negative version is invalid_input", async () => {
  const portal = openPortal();
  const f = portal.folders().add({ audience: 'client', path: 'Divers', label: 'Divers' });
  assert.deepEqual(
    [f.shared, f.notify, f.notifyOn, f.link, f.signature, f.version],
    [true, false, 'main', 'portal_home', undefined, 1],
  );
  invalid(await caught(() => portal.folders().update({ ...f, version: -1 })), 'version');
});

test('the contract views come from the core (napi derives under its `napi` feature)', () => {
  for (const view of ['AccountView', 'InvitationView', 'LockoutView', 'BatchReportView', 'BatchRowView', 'NotificationDecisionView', 'ErrorInfo', 'AccessEvent']) {
    assert.match(DTS, new RegExp(`export interface ${view} \\{`), view);
  }
  assert.match(DTS, /export type Account = AccountView/);
  assert.match(DTS, /reason\?: SkipCause/);
});
