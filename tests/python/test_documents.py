"""Publishing documents: the decision, bytes or a path, batches with progress, payment."""

from __future__ import annotations

import pathlib

import pytest

import portail
from conftest import PDF, client_4


def test_publish_from_a_path_takes_its_name(portal: portail.Portal, tmp_path: pathlib.Path) -> None:
    portal.parties().upsert(client_4())
    f = tmp_path / "Contrat-2026.pdf"
    f.write_bytes(PDF)
    doc = portal.documents().publish("4", "Contrats", f)
    assert doc.name == "Contrat-2026.pdf"
    by_str = portal.documents().publish("4", "Contrats", str(f), name="copie.pdf")
    assert by_str.name == "copie.pdf"
    assert by_str.sha256 == doc.sha256


def test_external_id_makes_publish_idempotent(portal: portail.Portal) -> None:
    portal.parties().upsert(client_4())
    first = portal.documents().publish("4", "Contrats", PDF, name="C.pdf", external_id="C-1")
    again = portal.documents().publish("4", "Contrats", b"%PDF-1.4\nother", name="C.pdf", external_id="C-1")
    assert again == first
    assert portal.documents().find_by_external_id("C-1") == first
    assert portal.documents().find_by_external_id("C-2") is None


def test_publish_many_reports_each_input_and_progress(portal: portail.Portal) -> None:
    portal.parties().upsert(client_4())
    seen: list[portail.Progress] = []
    requests = [
        portail.Publish("4", "Contrats", PDF, name=f"C-{i}.pdf", external_id=f"C-{i}")
        for i in range(3)
    ] + [portail.Publish("404", "Contrats", PDF, name="X.pdf")]
    report = portal.documents().publish_many(requests, progress=seen.append)
    assert report.published == 3
    assert report.notifications_queued == 3
    assert isinstance(report.outcomes[3], portail.NotFoundError)
    assert [type(o) for o in report.outcomes[:3]] == [portail.Document] * 3
    assert seen and seen[-1] == portail.Progress(portail.Phase.PUBLISHING, 4, 4)
    rerun = portal.documents().publish_many(requests[:3])
    assert (rerun.published, rerun.already_published) == (0, 3)


def test_progress_callback_errors_are_raised_after_the_work(portal: portail.Portal) -> None:
    portal.parties().upsert(client_4())

    def broken(_: portail.Progress) -> None:
        raise RuntimeError("bar closed")

    with pytest.raises(RuntimeError, match="bar closed"):
        portal.documents().publish_many(
            [portail.Publish("4", "Contrats", PDF, name="C.pdf")], progress=broken
        )
    assert portal.documents().list("4").total == 1


def test_list_pages_and_set_payment(portal: portail.Portal) -> None:
    portal.parties().upsert(client_4())
    for i in range(12):
        portal.documents().publish("4", "Contrats", PDF + bytes([i]), name=f"C-{i}.pdf")
    page = portal.documents().list("4", limit=10)
    assert (len(page), page.total, page.has_more) == (10, 12, True)
    rest = portal.documents().list("4", offset=page.next, limit=10)
    assert len(rest) == 2 and not rest.has_more
    names = {d.name for d in page} | {d.name for d in rest}
    assert len(names) == 12
    unpaid = portal.documents().set_payment(page[0].id, portail.PaymentStatus.UNPAID)
    assert unpaid.payment is portail.PaymentStatus.UNPAID
    assert unpaid.version == page[0].version + 1


def test_employees_get_payslip_links_on_their_own_portal(
    portal: portail.Portal, mailer: portail.MemoryMailer
) -> None:
    portal.parties().upsert(
        portail.Party.employee("S01", "JEAN DUPONT", emails={portail.EmailRole.MAIN: "jean@example.fr"})
    )
    doc = portal.documents().publish(
        "S01", "Bulletins", PDF, name="BP-2019-03.pdf",
        audience=portail.Audience.EMPLOYEE, kind=portail.DocumentKind.PAYSLIP,
    )
    assert doc.audience is portail.Audience.EMPLOYEE and doc.notification.queued
    portal.sync()
    [m] = mailer.messages()
    assert "https://masociete.fr/employees/payslips" in m.body
    with pytest.raises(portail.NotFoundError):
        portal.documents().publish("S01", "Bulletins", PDF, name="x.pdf")  # no client "S01"
