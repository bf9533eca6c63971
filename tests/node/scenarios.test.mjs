// The Node runner of the golden scenarios (`tests/scenarios/*.json`, format in its README): every
// file is replayed through the public API of the Node package and its results are compared in
// their canonical JSON form, exactly as the Rust runner (`core/tests/scenarios.rs`, the
// executable spec) does. Prints `scenarios: F files, S steps, A assertions`, the line the Rust,
// Python and Kotlin runners print too.
//
// Results are made canonical generically (camelCase keys -> snake_case, `Date` -> RFC 3339 UTC,
// bytes -> {size, sha256, pdf}). Where the Node binding's shape differs from the canonical
// form beyond that, the runner normalises it; every such place is marked `NORMALISE:` below and
// listed here (the input of a single binding contract):
//
//  1. Optional fields: napi-rs omits a `None` field from the object (no `null`); the canonical
//     form has the key with `null`. The runner adds the missing optional keys (`OPTIONAL`).
//     The other way, an argument object must not carry `null` for an optional field (napi-rs
//     throws `StringExpected` ... `on Settings.replyTo`): the runner leaves null keys out.
//  2. Pages: Node returns the one `Page<T>` {items, total, offset, limit, hasMore, next,
//     cursor}; canonical is {items, total, has_more, next, cursor} (offset and limit dropped).
//  3. Errors: a thrown `Error` with `code`, `message`, `field` (absent unless invalid_input)
//     and `until` (locked_out only); the canonical {code, message, field} is built from these,
//     `field` null when absent. Node exposes no other payload (`what`, `key`, `reason`,
//     `identifier`, `document` are missing). Batch errors (`PublishOutcome.error`, an
//     `ErrorInfo`) have only {code, message, field?}.
//  4. Mails: the Node memory mailer cannot be emptied: `portal.sentMessages()` returns every
//     message so far; the runner keeps a cursor and returns the messages since the previous
//     `mails` step. An `OutgoingMessage` is reduced to {to, from, reply_to, subject, body,
//     notification_id} (Node also has message_id, from_name, date). `mails.fail_next` has no
//     Node equivalent (the memory mailer is not scriptable): the step fails.
//  5. `clock.advance`: Node's `advanceClock(ms)` takes milliseconds; the runner sums
//     seconds/minutes/hours/days into ms.
//  6. Arguments: `audience` is required by every Node call (the runner passes `client` when
//     absent); `party` is `partyCode` (documents.publish(_many), accounts.generate); the
//     identifier choice `"code"`/`"email"` is `identifierFrom`, `{"given": x}` is
//     `identifier: x` (accounts.generate); accounts.generate_batch has no way to pass a given
//     identifier (`BatchOptions` has only `identifierFrom`): the runner passes
//     `identifier: x`, which Node ignores; a saved principal is passed back camelCased;
//     publish `content` is a `Buffer`, or `{"path": f}` the `path` option (the binding reads
//     the file); view.sign's three strings are one `SignOptions` object;
//     notifications.history's filters are a `NotificationFilter`; `offset`, `limit` and
//     `cursor` are a `PageRequest` (passed as given: the binding's rule refuses bad ones).
//  7. settings.update: read `settings()`, make canonical, merge the patch, camelCase it back,
//     `saveSettings()` (as the Rust runner does with settings()/save_settings()).
//  8. Shapes built by the Rust runner, not by serde: view.open -> {document, content,
//     watermarked} (Node `Download`, same keys), sync -> {activated, credentials_queued,
//     dispatch}, publish_many -> {published, already_published, notifications_queued,
//     outcomes}, generate_batch -> {created, rows}: Node gives these shapes directly.
//  9. Not normalised (no scenario reads them), for the contract: Node's `Notification` lacks
//     `claimed_until` and `holds_secret` and adds `last_error`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const portail = require('../../bindings-node');

const SCENARIOS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scenarios');

/** A malformed file or a failed step: not an error of the library. */
class Failure extends Error {}

const fail = (msg) => {
  throw new Failure(msg);
};

// ---------------------------------------------------------------------------------------------
// Canonical values

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

const snake = (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k) => k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());

/** RFC 3339 UTC, `Z`, no fraction when it is zero (chrono's serde form). */
function timestamp(d) {
  return d.toISOString().replace(/\.000Z$/, 'Z');
}

function bytes(b) {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return {
    size: buf.length,
    sha256: crypto.createHash('sha256').update(buf).digest('hex'),
    pdf: buf.subarray(0, 5).toString('latin1') === '%PDF-',
  };
}

/** The generic canonical form of a value returned by the binding. */
function canon(v) {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return timestamp(v);
  if (v instanceof Uint8Array) return bytes(v);
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) out[snake(k)] = canon(x);
    return out;
  }
  return v;
}

/**
 * Canonical keys back to the binding's camelCase (arguments). NORMALISE (1'): a `null` is left
 * out: napi-rs refuses `null` for an optional field (`StringExpected`), it wants it absent.
 */
function camelize(v) {
  if (Array.isArray(v)) return v.map(camelize);
  if (isObject(v)) {
    const out = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[camel(k)] = camelize(x);
    return out;
  }
  return v;
}

// NORMALISE (1): the optional fields napi-rs leaves out when `None`, by record (canonical
// names), filled with null. Nested records are named by their key.
const OPTIONAL = {
  document: ['external_id', 'first_download_at', 'last_download_at', 'signature'],
  decision: ['notification_id', 'reason', 'role'],
  account: ['invitation', 'credentials_sent_to', 'credentials_sent_at', 'activated_at', 'last_login_at'],
  invitation: ['sent_at', 'accepted_at'],
  notification: ['document_id', 'account_id', 'role', 'link', 'resend_of', 'sent_at', 'quarantine'],
  party: ['company'],
  folder: ['signature'],
  settings: ['reply_to'],
  batchRow: ['account_id', 'identifier'],
  error: ['field'],
};

function fill(v, kind) {
  if (isObject(v)) for (const k of OPTIONAL[kind]) if (!(k in v)) v[k] = null;
  return v;
}

const party = (p) => fill(canon(p), 'party');
const folder = (f) => fill(canon(f), 'folder');
const settings = (s) => fill(canon(s), 'settings');

function document(d) {
  const v = fill(canon(d), 'document');
  fill(v.notification, 'decision');
  return v;
}

function account(a) {
  const v = fill(canon(a), 'account');
  if (v.invitation) fill(v.invitation, 'invitation');
  return v;
}

const notification = (n) => fill(canon(n), 'notification');

// NORMALISE (2): a page is {items, total, has_more, next, cursor}.
const page = (p, item) => ({
  items: p.items.map(item),
  total: p.total,
  has_more: p.hasMore,
  next: p.next,
  cursor: p.cursor,
});

function batchReport(r) {
  return { created: r.created, rows: r.rows.map((row) => fill(canon(row), 'batchRow')) };
}

function publishReport(r) {
  return {
    published: r.published,
    already_published: r.alreadyPublished,
    notifications_queued: r.notificationsQueued,
    outcomes: r.outcomes.map((o) =>
      o.document !== undefined && o.document !== null
        ? { document: document(o.document) }
        : { error: fill(canon(o.error), 'error') },
    ),
  };
}

const dispatchReport = (r) => canon(r);

const principal = (p) => ({
  account_id: p.accountId,
  audience: p.audience,
  party_code: p.partyCode,
  identifier: p.identifier,
});

// NORMALISE (3): an error's canonical form from what the thrown Error carries.
function error(e) {
  const v = {
    code: e?.code ?? null,
    message: e?.message ?? String(e),
    field: e?.field ?? null,
  };
  for (const k of ['what', 'key', 'reason', 'identifier', 'until', 'document']) {
    if (e && e[k] !== undefined) v[k] = canon(e[k]);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Arguments

const str = (args, key) => {
  const v = args?.[key];
  if (typeof v !== 'string') fail(`${JSON.stringify(key)} must be a string`);
  return v;
};
const optStr = (args, key) => (typeof args?.[key] === 'string' ? args[key] : undefined);
const optBool = (args, key) => (typeof args?.[key] === 'boolean' ? args[key] : undefined);
const optU64 = (args, key) => {
  const v = args?.[key];
  return Number.isInteger(v) && v >= 0 ? v : undefined;
};
const optI64 = (args, key) => (Number.isInteger(args?.[key]) ? args[key] : 0);

/** An enum value the binding knows (the Rust runner fails on one serde refuses). */
function enumValue(values, v) {
  if (typeof v !== 'string' || !Object.values(values).includes(v)) fail(`bad value ${JSON.stringify(v)}`);
  return v;
}

const audience = (args) => (args?.audience === undefined ? 'client' : enumValue(portail.Audience, args.audience));

function known(kind, args, keys) {
  if (isObject(args)) {
    for (const k of Object.keys(args)) {
      if (!keys.includes(k)) fail(`${kind}: unknown argument ${JSON.stringify(k)}`);
    }
  }
}

function content(v) {
  if (typeof v?.text === 'string') return Buffer.from(v.text, 'utf8');
  if (typeof v?.file === 'string') {
    try {
      return fs.readFileSync(path.join(SCENARIOS, 'fixtures', v.file));
    } catch (e) {
      fail(`${v.file}: ${e.message}`);
    }
  }
  fail(`bad content ${JSON.stringify(v)}`);
}

const PUBLISH_KEYS = ['audience', 'party', 'folder', 'name', 'content', 'kind', 'payment', 'external_id'];

// NORMALISE (6): `party` -> `partyCode`, `audience` always given, content as a Buffer.
function publishOptions(args) {
  if (!isObject(args)) fail('publish arguments are an object');
  for (const k of Object.keys(args)) {
    if (!PUBLISH_KEYS.includes(k)) fail(`documents.publish: unknown argument ${JSON.stringify(k)}`);
  }
  if (args.content === undefined) fail('content');
  const o = { partyCode: str(args, 'party'), folder: str(args, 'folder') };
  if (typeof args.content?.path === 'string') {
    // The binding reads the file (its name is then the default name).
    o.path = path.join(SCENARIOS, 'fixtures', args.content.path);
    const name = optStr(args, 'name');
    if (name !== undefined) o.name = name;
  } else {
    o.content = content(args.content);
    o.name = str(args, 'name');
  }
  o.audience = audience(args);
  if (args.kind !== undefined) o.kind = enumValue(portail.DocumentKind, args.kind);
  if (args.payment !== undefined) o.payment = enumValue(portail.PaymentStatus, args.payment);
  const x = optStr(args, 'external_id');
  if (x !== undefined) o.externalId = x;
  return o;
}

/** The identifier choice: `"code"`, `"email"` or `{"given": "..."}`. NORMALISE (6) */
function identifier(v) {
  if (v === 'code' || v === 'email') return { identifierFrom: v };
  if (isObject(v) && typeof v.given === 'string') return { identifier: v.given };
  fail(`bad identifier ${JSON.stringify(v)}`);
}

function principalArg(args) {
  const p = args?.principal;
  if (p === undefined) fail('principal');
  if (p?.audience === undefined) fail('principal.audience');
  return {
    accountId: str(p, 'account_id'),
    audience: enumValue(portail.Audience, p.audience),
    partyCode: str(p, 'party_code'),
    identifier: str(p, 'identifier'),
  };
}

/** The step's paging arguments as a `PageRequest`, as given (the binding applies the rule). */
const pageRequest = (args) => {
  const o = {};
  for (const k of ['offset', 'limit', 'cursor']) if (args?.[k] !== undefined) o[k] = args[k];
  return o;
};

/** Merge `patch` into `v` key by key. */
function merge(v, patch) {
  if (isObject(v) && isObject(patch)) {
    for (const [k, x] of Object.entries(patch)) {
      if (isObject(v[k]) && isObject(x)) merge(v[k], x);
      else v[k] = isObject(x) ? merge({}, x) : structuredClone(x);
    }
    return v;
  }
  return structuredClone(patch);
}

/** Code-point order (UTF-8 byte order), as Rust compares strings. */
const cmp = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

// ---------------------------------------------------------------------------------------------
// Matching

function jsonEq(e, a) {
  if (typeof e === 'number' && typeof a === 'number') return e === a;
  if (e === null || a === null) return e === a;
  if (Array.isArray(e)) return Array.isArray(a) && e.length === a.length && e.every((x, i) => jsonEq(x, a[i]));
  if (isObject(e)) {
    if (!isObject(a)) return false;
    const ek = Object.keys(e);
    return ek.length === Object.keys(a).length && ek.every((k) => k in a && jsonEq(e[k], a[k]));
  }
  return e === a;
}

const show = (v) => JSON.stringify(v === undefined ? null : v);

// ---------------------------------------------------------------------------------------------
// A replay

class Run {
  constructor(p) {
    if (!isObject(p)) fail('portal is an object');
    for (const key of Object.keys(p)) {
      if (!['tenant', 'company', 'domain', 'reply_to', 'now'].includes(key)) {
        fail(`unknown portal key ${JSON.stringify(key)}`);
      }
    }
    const nowText = str(p, 'now');
    const now = new Date(nowText);
    if (Number.isNaN(now.getTime()) || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(nowText)) {
      fail(`now: bad timestamp ${JSON.stringify(nowText)}`);
    }
    const s = { companyName: str(p, 'company'), domain: str(p, 'domain') };
    const replyTo = optStr(p, 'reply_to');
    if (replyTo !== undefined) s.replyTo = replyTo;
    try {
      // The memory mailer is the default of `inMemory`; `fastHashing` is
      // SecurityPolicy::fast_for_tests().
      this.portal = portail.Portal.inMemory(str(p, 'tenant'), s, { now, fastHashing: true });
    } catch (e) {
      if (e instanceof Failure) throw e;
      fail(`open: ${e.message}`);
    }
    this.mailCursor = 0;
    this.saved = new Map();
    this.assertions = 0;
  }

  async step(step) {
    if (!isObject(step)) fail('a step is an object');
    for (const key of Object.keys(step)) {
      if (!['do', 'with', 'save', 'expect', 'error', 'note'].includes(key)) {
        fail(`unknown step key ${JSON.stringify(key)}`);
      }
    }
    if ('expect' in step && 'error' in step) fail('expect and error exclude each other');
    const kind = str(step, 'do');
    const args = this.resolve(step.with === undefined ? {} : step.with);
    const outcome = await this.call(kind, args);
    let result;
    if ('ok' in outcome) {
      if ('error' in step) fail(`expected an error, got ${show(outcome.ok)}`);
      result = outcome.ok;
    } else {
      if (!('error' in step)) fail(`failed: ${show(outcome.err)}`);
      this.assertions += 1;
      this.matches(this.resolve(step.error), outcome.err, 'error');
      return;
    }
    if ('expect' in step) this.matches(this.resolve(step.expect), result, 'result');
    if ('save' in step) {
      if (typeof step.save !== 'string') fail('save is a name');
      this.saved.set(step.save, result);
    }
  }

  /** Replace `$name.path` references by saved values. */
  resolve(v) {
    if (typeof v === 'string' && v.startsWith('$$')) return v.slice(1);
    if (typeof v === 'string' && v.startsWith('$')) {
      const [name, ...parts] = v.slice(1).split('.');
      if (!this.saved.has(name)) fail(`nothing saved as ${JSON.stringify(name)}`);
      let cur = this.saved.get(name);
      for (const part of parts) {
        let next;
        if (isObject(cur)) {
          next = Object.hasOwn(cur, part) ? cur[part] : undefined;
        } else if (Array.isArray(cur) && /^[+-]?\d+$/.test(part)) {
          let i = Number(part);
          if (i < 0) i += cur.length;
          next = i >= 0 && i < cur.length ? cur[i] : undefined;
        }
        if (next === undefined) fail(`${v}: no ${JSON.stringify(part)}`);
        cur = next;
      }
      return structuredClone(cur);
    }
    if (Array.isArray(v)) return v.map((x) => this.resolve(x));
    if (isObject(v)) {
      const out = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.resolve(x);
      return out;
    }
    return v;
  }

  /** Match `actual` against `expected` (README: Matching), counting assertions. */
  matches(expected, actual, at) {
    if (isObject(expected) && Object.keys(expected).some((k) => k.startsWith('$'))) {
      const keys = Object.keys(expected);
      if (keys.length !== 1) fail(`${at}: a matcher has one key`);
      const [k] = keys;
      const arg = expected[k];
      this.assertions += 1;
      let ok;
      switch (k) {
        case '$contains':
          ok = typeof actual === 'string' && typeof arg === 'string' && actual.includes(arg);
          break;
        case '$len': {
          let len;
          if (typeof actual === 'string') len = [...actual].length;
          else if (Array.isArray(actual)) len = actual.length;
          ok = len !== undefined && Number.isInteger(arg) && arg >= 0 && len === arg;
          break;
        }
        case '$not':
          ok = !jsonEq(arg, actual);
          break;
        case '$any':
          ok = actual !== null && actual !== undefined;
          break;
        default:
          fail(`${at}: unknown matcher ${k}`);
      }
      if (!ok) fail(`${at}: ${show(actual)} does not match ${show(expected)}`);
      return;
    }
    if (isObject(expected)) {
      if (!isObject(actual)) fail(`${at}: expected an object, got ${show(actual)}`);
      for (const [k, e] of Object.entries(expected)) {
        const has = Object.hasOwn(actual, k);
        if (!has && e !== null) fail(`${at}: no key ${JSON.stringify(k)} in ${show(actual)}`);
        this.matches(e, has ? actual[k] : null, `${at}.${k}`);
      }
      return;
    }
    if (Array.isArray(expected)) {
      if (!Array.isArray(actual)) fail(`${at}: expected an array, got ${show(actual)}`);
      this.assertions += 1;
      if (actual.length !== expected.length) {
        fail(`${at}: ${actual.length} items, expected ${expected.length}: ${show(actual)}`);
      }
      expected.forEach((e, i) => this.matches(e, actual[i], `${at}.${i}`));
      return;
    }
    this.assertions += 1;
    if (!jsonEq(expected, actual === undefined ? null : actual)) {
      fail(`${at}: ${show(actual)}, expected ${show(expected)}`);
    }
  }

  /** Run one step kind: `{ok: canonical result}` or `{err: canonical error}`. */
  async call(kind, args) {
    const p = this.portal;
    const k = (keys) => known(kind, args, keys);
    /** Call the binding; what it throws is the step's error. */
    const attempt = async (fn, conv) => {
      let v;
      try {
        v = await fn();
      } catch (e) {
        if (e instanceof Failure) throw e;
        return { err: error(e) };
      }
      return { ok: conv(v) };
    };
    const nothing = () => null;
    switch (kind) {
      case 'settings.get':
        k([]);
        return attempt(() => p.settings(), settings);
      case 'settings.update':
        // NORMALISE (7)
        return attempt(() => {
          const v = merge(settings(p.settings()), args);
          return p.saveSettings(camelize(v));
        }, settings);
      case 'parties.upsert': {
        k(['audience', 'code', 'name', 'emails', 'einvoicing', 'company', 'unpaid_exempt']);
        const o = { audience: audience(args), code: str(args, 'code'), name: str(args, 'name') };
        if (isObject(args.emails)) {
          o.emails = {};
          for (const [role, address] of Object.entries(args.emails)) {
            enumValue(portail.EmailRole, role);
            if (typeof address !== 'string') fail('an address is a string');
            o.emails[camel(role)] = address;
          }
        }
        if (args.einvoicing !== undefined) o.einvoicing = enumValue(portail.EInvoicingConsent, args.einvoicing);
        const c = optStr(args, 'company');
        if (c !== undefined) o.company = c;
        const x = optBool(args, 'unpaid_exempt');
        if (x !== undefined) o.unpaidExempt = x;
        return attempt(() => p.parties().upsert(o), party);
      }
      case 'parties.get':
        k(['audience', 'code']);
        return attempt(() => p.parties().get(audience(args), str(args, 'code')), party);
      case 'folders.get':
        k(['audience', 'folder']);
        return attempt(() => p.folders().get(audience(args), str(args, 'folder')), folder);
      case 'documents.publish': {
        const o = publishOptions(args);
        return attempt(() => p.documents().publish(o), document);
      }
      case 'documents.publish_many': {
        k(['items']);
        if (!Array.isArray(args.items)) fail('items is a list');
        const items = args.items.map(publishOptions);
        return attempt(() => p.documents().publishMany(items), publishReport);
      }
      case 'documents.get':
        k(['id']);
        return attempt(() => p.documents().get(str(args, 'id')), document);
      case 'documents.set_payment': {
        k(['id', 'payment']);
        if (args.payment === undefined) fail('payment');
        const payment = enumValue(portail.PaymentStatus, args.payment);
        return attempt(() => p.documents().setPayment(str(args, 'id'), payment), document);
      }
      case 'documents.content':
        k(['id']);
        return attempt(() => p.documents().content(str(args, 'id')), bytes);
      case 'notifications.history': {
        k(['audience', 'party_code', 'state', 'offset', 'limit', 'cursor']);
        const filter = {};
        if (args.audience !== undefined) filter.audience = enumValue(portail.Audience, args.audience);
        const code = optStr(args, 'party_code');
        if (code !== undefined) filter.partyCode = code;
        if (args.state !== undefined) filter.state = enumValue(portail.NotificationState, args.state);
        return attempt(
          () => p.notifications().history(filter, pageRequest(args)),
          (pg) => page(pg, notification),
        );
      }
      case 'notifications.get':
        k(['id']);
        return attempt(() => p.notifications().get(str(args, 'id')), notification);
      case 'notifications.resend': {
        k(['id', 'force']);
        const force = optBool(args, 'force') ?? false;
        return attempt(() => p.notifications().resend(str(args, 'id'), force), notification);
      }
      case 'notifications.cancel':
        k(['id']);
        return attempt(() => p.notifications().cancel(str(args, 'id')), notification);
      case 'accounts.generate': {
        k(['audience', 'party', 'identifier', 'password', 'notify_by_email', 'authorized']);
        const o = { audience: audience(args), partyCode: str(args, 'party') };
        if (args.identifier !== undefined) Object.assign(o, identifier(args.identifier));
        const pw = optStr(args, 'password');
        if (pw !== undefined) o.password = pw;
        const n = optBool(args, 'notify_by_email');
        if (n !== undefined) o.notifyByEmail = n;
        const a = optBool(args, 'authorized');
        if (a !== undefined) o.authorized = a;
        return attempt(() => p.accounts().generate(o), account);
      }
      case 'accounts.generate_batch': {
        k(['audience', 'parties', 'identifier', 'notify_by_email']);
        const codes = args.parties === undefined ? [] : args.parties;
        if (!Array.isArray(codes) || !codes.every((c) => typeof c === 'string')) fail('parties: a list of codes');
        const options = {};
        // NORMALISE (6): `{given}` has no BatchOptions field; passed as `identifier`.
        if (args.identifier !== undefined) Object.assign(options, identifier(args.identifier));
        const n = optBool(args, 'notify_by_email');
        if (n !== undefined) options.notifyByEmail = n;
        const aud = audience(args);
        return attempt(() => p.accounts().generateBatch(aud, codes, options), batchReport);
      }
      case 'accounts.get':
        k(['id']);
        return attempt(() => p.accounts().get(str(args, 'id')), account);
      case 'accounts.set_authorized': {
        k(['id', 'authorized']);
        const a = optBool(args, 'authorized');
        if (a === undefined) fail('authorized');
        return attempt(() => p.accounts().setAuthorized(str(args, 'id'), a), account);
      }
      case 'accounts.revoke':
        k(['id']);
        return attempt(() => p.accounts().revoke(str(args, 'id')), account);
      case 'accounts.draft_password':
        k(['id']);
        return attempt(() => p.accounts().draftPassword(str(args, 'id')), (s) => s);
      case 'access.login':
        k(['audience', 'identifier', 'password']);
        return attempt(
          () => p.login(audience(args), str(args, 'identifier'), str(args, 'password')),
          principal,
        );
      case 'access.change_password': {
        k(['principal', 'current', 'new_password']);
        const who = principalArg(args);
        return attempt(
          () => p.changePassword(who, str(args, 'current'), str(args, 'new_password')),
          nothing,
        );
      }
      case 'access.request_password_reset':
        k(['audience', 'identifier']);
        return attempt(() => p.requestPasswordReset(audience(args), str(args, 'identifier')), nothing);
      case 'access.reset_password':
        k(['audience', 'token', 'new_password']);
        return attempt(
          () => p.resetPassword(audience(args), str(args, 'token'), str(args, 'new_password')),
          nothing,
        );
      case 'view.folders': {
        k(['principal']);
        const who = principalArg(args);
        return attempt(() => p.view(who).folders(), (fs_) => fs_.map(folder));
      }
      case 'view.documents': {
        k(['principal', 'folder', 'offset', 'limit', 'cursor']);
        const who = principalArg(args);
        const f = optStr(args, 'folder');
        return attempt(
          () => p.view(who).documents(f, pageRequest(args)),
          (pg) => page(pg, document),
        );
      }
      case 'view.open': {
        k(['principal', 'document']);
        const who = principalArg(args);
        return attempt(
          () => p.view(who).open(str(args, 'document')),
          (d) => ({ document: document(d.document), content: bytes(d.content), watermarked: d.watermarked }),
        );
      }
      case 'view.sign': {
        k(['principal', 'document', 'signer_name', 'ip_address', 'user_agent']);
        const who = principalArg(args);
        const request = {
          signerName: str(args, 'signer_name'),
          ipAddress: str(args, 'ip_address'),
          userAgent: str(args, 'user_agent'),
        };
        return attempt(() => p.view(who).sign(str(args, 'document'), request), document);
      }
      case 'sync':
        k([]);
        return attempt(
          () => p.sync(),
          (r) => ({
            activated: r.activated,
            credentials_queued: r.credentialsQueued,
            dispatch: dispatchReport(r.dispatch),
          }),
        );
      case 'dispatch': {
        k(['limit']);
        const limit = optU64(args, 'limit') ?? 100;
        if (limit > 0xffffffff) fail('limit: out of range');
        return attempt(() => p.dispatch(limit), dispatchReport);
      }
      case 'clock.advance': {
        // NORMALISE (5)
        k(['seconds', 'minutes', 'hours', 'days']);
        const ms =
          (optI64(args, 'seconds') + 60 * optI64(args, 'minutes') + 3600 * optI64(args, 'hours') + 86400 * optI64(args, 'days')) *
          1000;
        return attempt(() => p.advanceClock(ms), nothing);
      }
      case 'mails': {
        // NORMALISE (4)
        k([]);
        return attempt(
          () => {
            const all = p.sentMessages();
            const fresh = all.slice(this.mailCursor);
            this.mailCursor = all.length;
            return fresh;
          },
          (messages) =>
            messages
              .sort((a, b) => cmp(a.to, b.to) || cmp(a.subject, b.subject) || cmp(a.body, b.body))
              .map((m) => ({
                to: m.to,
                from: m.from,
                reply_to: m.replyTo ?? null,
                subject: m.subject,
                body: m.body,
                notification_id: m.notificationId,
              })),
        );
      }
      case 'mails.fail_next': {
        k(['errors']);
        if (!Array.isArray(args.errors)) fail('errors is a list');
        for (const e of args.errors) {
          const t = optStr(e, 'transient');
          const pm = optStr(e, 'permanent');
          if ((t === undefined) === (pm === undefined)) fail(`bad mail error ${show(e)}`);
        }
        fail('mails.fail_next: the Node memory mailer has no fail_next (not scriptable from JS)');
        break;
      }
      case 'text.between': {
        k(['text', 'after', 'until']);
        const text = str(args, 'text');
        const after = str(args, 'after');
        const at = text.indexOf(after);
        if (at < 0) fail(`${JSON.stringify(after)} not in ${JSON.stringify(text)}`);
        const rest = text.slice(at + after.length);
        const until = optStr(args, 'until');
        let end = until === undefined ? -1 : rest.indexOf(until);
        if (end < 0) end = rest.length;
        return { ok: rest.slice(0, end) };
      }
      default:
        fail(`unknown step kind ${JSON.stringify(kind)}`);
    }
    return undefined;
  }
}

async function runFile(file) {
  const text = fs.readFileSync(file, 'utf8');
  let data;
  try {
    data = JSON.parse(text);
  } catch (e) {
    fail(`bad JSON: ${e.message}`);
  }
  if (!isObject(data)) fail('a scenario is an object');
  for (const key of Object.keys(data)) {
    if (!['title', 'source', 'portal', 'steps'].includes(key)) fail(`unknown top-level key ${JSON.stringify(key)}`);
  }
  if (!('portal' in data)) fail('no portal');
  const run = new Run(data.portal);
  if (!Array.isArray(data.steps)) fail('no steps');
  for (const [i, step] of data.steps.entries()) {
    try {
      await run.step(step);
    } catch (e) {
      const msg = e instanceof Failure ? e.message : `runner error: ${e?.stack ?? e}`;
      throw new Failure(`step ${i + 1} (${show(step?.do)}): ${msg}`);
    }
  }
  return { steps: data.steps.length, assertions: run.assertions };
}

// ---------------------------------------------------------------------------------------------
// The tests: one per file, then the summary line.

const files = fs
  .readdirSync(SCENARIOS)
  .filter((f) => f.endsWith('.json'))
  .sort((a, b) => cmp(a, b));

let steps = 0;
let assertions = 0;

if (files.length === 0) {
  test('scenarios', () => assert.fail('no scenario files'));
}

for (const name of files) {
  test(name, async () => {
    let counts;
    try {
      counts = await runFile(path.join(SCENARIOS, name));
    } catch (e) {
      assert.fail(`${name}: ${e instanceof Failure ? e.message : e?.stack ?? e}`);
    }
    steps += counts.steps;
    assertions += counts.assertions;
  });
}

after(() => {
  // On stdout: node --test shows it (as a "# " comment with the TAP reporter, which
  // scripts/ci/node.sh echoes as a plain line).
  console.log(`scenarios: ${files.length} files, ${steps} steps, ${assertions} assertions`);
});
