// The package loads with `import` (named exports) and with `require`, by path and by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Portal, ErrorCode, Audience, errorCodes } from '../../bindings-node/index.js';
import * as namespace from '../../bindings-node/index.js';

const pkgDir = fileURLToPath(new URL('../../bindings-node/', import.meta.url));

test('named ESM imports are the same objects as require()', () => {
  const required = createRequire(import.meta.url)('../../bindings-node');
  assert.equal(Portal, required.Portal);
  assert.equal(namespace.default.Portal, required.Portal);
  assert.equal(ErrorCode.NotFound, 'not_found');
  assert.equal(Audience.Client, 'client');
  assert.equal(errorCodes().length, 14);
  const portal = Portal.inMemory('t', { companyName: 'A', domain: 'a.fr' });
  assert.equal(portal.tenant, 't');
});

test("import 'portail' and require('portail') by package name", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portail-esm-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(pkgDir, path.join(dir, 'node_modules', 'portail'), 'dir');
  fs.writeFileSync(
    path.join(dir, 'esm.mjs'),
    "import { Portal, ErrorCode } from 'portail';\n" +
      "const p = Portal.inMemory('t', { companyName: 'A', domain: 'a.fr' });\n" +
      "try { p.parties().get('client', 'x'); } catch (e) { console.log(e.code === ErrorCode.NotFound ? 'esm ok' : 'bad'); }\n",
  );
  fs.writeFileSync(
    path.join(dir, 'cjs.cjs'),
    "const { Portal } = require('portail');\n" +
      "console.log(Portal.inMemory('t', { companyName: 'A', domain: 'a.fr' }).folders().list('employee').length === 5 ? 'cjs ok' : 'bad');\n",
  );
  for (const [file, expected] of [['esm.mjs', 'esm ok'], ['cjs.cjs', 'cjs ok']]) {
    const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), expected);
  }
  fs.rmSync(dir, { recursive: true });
});
