// The seed-000 story in TypeScript: type-checked by `tsc --noEmit -p examples/node` in CI.
import {
  Portal,
  Audience,
  DocumentKind,
  EInvoicingConsent,
  ErrorCode,
  NotificationState,
  type Document,
  type Documents,
  type Mailer,
  type OutgoingMessage,
  type Progress,
  type SyncReport,
} from 'portail';

const outbox: OutgoingMessage[] = [];
const mailer: Mailer = {
  async send(message: OutgoingMessage): Promise<void> {
    if (message.to.endsWith('.invalid')) {
      throw Object.assign(new Error('550 no such domain'), { permanent: true });
    }
    outbox.push(message);
  },
};

export async function demo(): Promise<void> {
  const portal = Portal.inMemory(
    'ma-societe',
    { companyName: 'MA SOCIETE', domain: 'masociete.fr', replyTo: 'contact@masociete.fr' },
    { mailer, now: new Date('2019-03-08T16:55:15Z'), fastHashing: true },
  );
  portal.parties().upsert({
    audience: Audience.Client,
    code: '4',
    name: 'MOI MEME',
    emails: { main: 'keylian.ace@gmail.com', billing: 'keylian.ace@gmail.com' },
    einvoicing: EInvoicingConsent.Accepted,
  });
  const invoice: Document = await portal.documents().publish({
    audience: Audience.Client,
    partyCode: '4',
    folder: 'Factures',
    name: 'FA-0002.pdf',
    content: new TextEncoder().encode('%PDF-1.4\n% FA-0002\n'),
    kind: DocumentKind.Invoice,
  });
  const phases: Progress[] = [];
  const report: SyncReport = await portal.sync((p: Progress) => phases.push(p));
  console.log(invoice.notification.decision, report.dispatch.sent, outbox.length, phases.length);

  const history = portal.notifications().history({ partyCode: '4', state: NotificationState.Sent });
  for (const n of history.items) {
    const sentAt: Date | undefined = n.sentAt;
    console.log(n.recipient, sentAt?.toISOString());
  }

  try {
    await portal.login(Audience.Client, '4', 'wrong password');
  } catch (e) {
    const err = e as Error & { code?: ErrorCode; field?: string };
    if (err.code === ErrorCode.InvalidCredentials) {
      console.log('refused, as expected');
    }
  }

  // String enums are string-literal unions: plain strings type-check where an enum is expected,
  // and the enum objects stay available (`Audience.Client === 'client'`).
  const audience: Audience = 'client';
  const kind: DocumentKind = DocumentKind.Payslip;
  const code: ErrorCode = 'invalid_input';
  const employees = portal.parties().list(audience === Audience.Client ? 'employee' : audience);
  console.log(employees.total, kind, code);
  // @ts-expect-error: a misspelt key is a type error (and `invalid_input` at run time)
  const misspelt: Parameters<Documents['publish']>[0] = { ...invoiceRequest, externalID: 'PAY-1' };
  void misspelt;
}

const invoiceRequest = {
  audience: 'client',
  partyCode: '4',
  folder: 'Factures',
  content: new Uint8Array(),
} as const;
