// The binding overhead benchmark in Node (issue 13, item 6): the same work as
// examples/rust/bench_binding.rs, whose figures scripts/bench-bindings compares it with.
//
//   node --expose-gc examples/node/bench_binding.mjs   (after a release build; BENCH_ROUNDS, BENCH_CALLS)
//
// An in-memory portal with 1,000 employees; publishMany of 50,000 payslips (about 300 bytes,
// with external ids) in one call, on a fresh portal each round, timed with what a host pays
// (building the input array in JavaScript, awaiting the call and the report of 50,000 documents
// converted back); then the first page (20) of one employee's documents, BENCH_CALLS times
// after 200 warm-up calls. Lines starting RESULT are read by the script.
import { Portal } from 'portail';

const DOCS = 50_000;
const EMPLOYEES = 1_000;
const PAGE = 20;
const WARMUP = 200;

const code = (e) => `E${String(e).padStart(5, '0')}`;
const pad = (n, w) => String(n).padStart(w, '0');

function payslip(i) {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% bulletin de paie ${pad(i, 8)}\n` +
      `BT /F1 10 Tf (Salaire de base 2 150,00 EUR - matricule ${pad(i % EMPLOYEES, 5)}) Tj ET\n` +
      'BT /F1 10 Tf (Cotisations salariales 468,70 EUR - net a payer 1 681,30 EUR) Tj ET\n' +
      'BT /F1 10 Tf (Periode du 01/03/2026 au 31/03/2026 - ACME PAIE) Tj ET\n%%EOF\n',
  );
}

function newPortal() {
  const portal = Portal.inMemory('bench', { companyName: 'ACME PAIE', domain: 'acme.example' }, { fastHashing: true });
  const parties = portal.parties();
  for (let e = 0; e < EMPLOYEES; e++) {
    parties.upsert({
      audience: 'employee',
      code: code(e),
      name: `SALARIE ${e}`,
      emails: { main: `salarie${e}@acme.example` },
    });
  }
  return portal;
}

function percentile(v, p) {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
}

const now = () => Number(process.hrtime.bigint()) / 1e9;
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const calls = Math.max(1, Number(process.env.BENCH_CALLS ?? 2000));
console.log(
  `bench_binding node: ${EMPLOYEES} employees, publish_many of ${DOCS} payslips ` +
    `(${payslip(0).length} bytes each) x ${rounds} rounds; listing first page of ${PAGE} x ${calls} calls`,
);

const total = [], build = [], core = [], back = [];
let portal;
for (let r = 0; r < rounds; r++) {
  portal = newPortal();
  globalThis.gc?.();
  let last = 0;
  const t = now();
  const commands = [];
  for (let i = 0; i < DOCS; i++) {
    commands.push({
      audience: 'employee',
      partyCode: code(i % EMPLOYEES),
      folder: 'Bulletins',
      name: `BP-2026-03-${pad(i, 6)}.pdf`,
      content: payslip(i),
      kind: 'payslip',
      externalId: `BP-2026-03-${pad(i, 6)}`,
    });
  }
  const built = now();
  const report = await portal.documents().publishMany(commands, () => {
    last = now();
  });
  const took = now();
  if (report.published !== DOCS || report.notificationsQueued !== DOCS || report.outcomes.length !== DOCS) {
    throw new Error(`unexpected report: ${report.published} published`);
  }
  total.push(took - t);
  build.push(built - t);
  core.push(last - built);
  back.push(took - last);
}
const [t50, b50, c50, k50] = [total, build, core, back].map((v) => percentile(v, 0.5));
console.log(
  `publish_many: median ${t50.toFixed(3)} s (min ${Math.min(...total).toFixed(3)}, max ${Math.max(...total).toFixed(3)}); ` +
    `build input ${b50.toFixed(3)} s, call to last progress ${c50.toFixed(3)} s, after it ${k50.toFixed(3)} s`,
);
console.log(`RESULT publish_many ${t50.toFixed(6)} ${b50.toFixed(6)} ${c50.toFixed(6)} ${k50.toFixed(6)}`);

const documents = portal.documents();
const times = [];
for (let q = 0; q < WARMUP + calls; q++) {
  const party = code(q % EMPLOYEES);
  const t = process.hrtime.bigint();
  const listed = documents.list('employee', party, { offset: 0, limit: PAGE });
  const took = Number(process.hrtime.bigint() - t) / 1e3;
  if (listed.items.length !== PAGE || listed.total !== DOCS / EMPLOYEES) throw new Error('unexpected page');
  if (q >= WARMUP) times.push(took);
}
const [p50, p99] = [percentile(times, 0.5), percentile(times, 0.99)];
console.log(`listing: median ${p50.toFixed(1)} us, p99 ${p99.toFixed(1)} us`);
console.log(`RESULT listing ${p50.toFixed(3)} ${p99.toFixed(3)}`);
