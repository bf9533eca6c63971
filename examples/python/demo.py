"""The seed-000 story ("Mise en situation") in Python, on the embedded default: one SQLite
file, one blob folder and an ``.eml`` outbox in a data folder (default ``data/``). Run it twice:
the second run reopens the same folder and carries on.

    python examples/python/demo.py [DATA_DIR]
"""

from __future__ import annotations

import sys
from typing import Optional

import portail
from portail import Audience, DocumentKind, EInvoicingConsent, EmailRole


def client_4(billing: str) -> portail.Party:
    return portail.Party.client(
        "4",
        "MOI MEME",
        emails={EmailRole.MAIN: "keylian.ace@gmail.com", EmailRole.BILLING: billing},
        einvoicing=EInvoicingConsent.ACCEPTED,
    )


def run(data_dir: str) -> None:
    portal = portail.Portal.open(
        data_dir,
        settings=portail.Settings.new(
            "MA SOCIETE", "masociete.fr", sender="noreply@masociete.fr", reply_to="contact@masociete.fr"
        ),
    )
    print(f"portail demo in {data_dir}/ (SQLite store, blob folder, .eml outbox)\n")

    # The host pushes client "4" and an employee.
    portal.parties().upsert(client_4(billing="keylian.ace@gmail.com"))
    portal.parties().upsert(
        portail.Party.employee("S01", "JEAN DUPONT", emails={EmailRole.MAIN: "jean.dupont@example.fr"})
    )

    # "J'ai créé un nouveau client « 4 » qui n'a pas encore d'accès donc je vais lui générer".
    accounts = portal.accounts()
    password: Optional[str] = None
    existing = accounts.live_account_of("4")
    if existing is not None:
        print(f"client 4 already has access: identifier {existing.identifier!r}, {existing.status}")
    else:
        draft = accounts.generate("4")
        print(
            f"generated: identifier {draft.identifier!r}, password {accounts.draft_password(draft.id)!r},"
            f" not synchronised (red) = {draft.needs_sync}"
        )
        again = accounts.regenerate_password(draft.id)
        password = accounts.draft_password(again.id)
        print(f"random password regenerated before sync: {password!r}")

    # The invoice is closed and published; consent is Accepted, so it reaches the portal.
    invoice = portal.documents().publish(
        "4", "Factures", sample_pdf("Facture FA-0002"), name="FA-0002.pdf",
        kind=DocumentKind.INVOICE, external_id="FA-0002",
    )
    print(f"published {invoice.name} in Factures: {invoice.notification}")
    portal.documents().publish(
        "S01", "Bulletins", sample_pdf("Bulletin mars 2019"), name="BP-2019-03.pdf",
        audience=Audience.EMPLOYEE, kind=DocumentKind.PAYSLIP, external_id="BP-S01-2019-03",
    )

    # "Synchroniser".
    report = portal.sync()
    print(
        f"sync: {report.activated} account(s) activated, {report.credentials_queued} credentials"
        f" mail(s), {report.dispatch.sent} notification(s) sent"
    )
    account = accounts.live_account_of("4")
    if account is not None:
        sent_at = account.credentials_sent_at.isoformat() if account.credentials_sent_at else ""
        print(
            f"account 4 is now {account.status}: e-mail sent to {account.credentials_sent_to!r}"
            f" at {sent_at}; password frozen"
        )

    # The billing address changes; a forced resend reaches the new one.
    portal.parties().upsert(client_4(billing="compta@moimeme.fr"))
    if invoice.notification.notification_id is not None:
        fresh = portal.notifications().resend(invoice.notification.notification_id, force=True)
        print(f"forced resend queued to {fresh.recipient}")
    portal.sync()

    # The client logs in and downloads the invoice.
    if password is not None:
        me = portal.login("4", password)
        view = portal.view(me)
        print(f"client 4 logged in and sees {view.documents().total} document(s)")
        download = view.open(invoice.id)
        print(
            f"downloaded {download.document.name} ({len(download.content)} bytes),"
            f" downloads: {download.document.downloads}"
        )

    # "Historique des notifications".
    print("\nnotification history (newest first):")
    print(f"{'created':<20} {'audience':<9} {'recipient':<24} {'state':<10} {'forced':<6} subject")
    history = portal.notifications().history(limit=50)
    for n in history:
        print(
            f"{n.created_at:%d/%m/%Y %H:%M:%S} {n.audience.value:<9} {n.recipient:<24}"
            f" {n.state.value:<10} {str(n.forced):<6} {n.subject}"
        )
    print(f"\n{history.total} notification(s); the sent ones are .eml files in {data_dir}/outbox/")


def sample_pdf(text: str) -> bytes:
    """A small valid one-page PDF with a line of text."""
    content = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = "%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objects):
        offsets.append(len(pdf))
        pdf += f"{i + 1} 0 obj\n{o}\nendobj\n"
    xref = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    pdf += "".join(f"{off:010} 00000 n \n" for off in offsets)
    pdf += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return pdf.encode("ascii")


def main() -> int:
    data_dir = sys.argv[1] if len(sys.argv) > 1 else "data"
    try:
        run(data_dir)
    except portail.PortailError as e:
        print(f"demo failed: [{e.code}] {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
