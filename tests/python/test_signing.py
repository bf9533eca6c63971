"""Signing on the portal: "Contrats à signer", the stamped copy, the audit trail."""

from __future__ import annotations

import pytest

import portail
from conftest import client_4


def signed_in(portal: portail.Portal) -> portail.PortalView:
    portal.accounts().generate("4", password="correct horse", notify_by_email=False)
    portal.sync()
    return portal.view(portal.login("4", "correct horse"))


def test_sign_a_contract(portal: portail.Portal, mailer: portail.MemoryMailer) -> None:
    portal.parties().upsert(client_4())
    original = portail.pdf.sample_pdf(["Contrat", "Signatures"])
    contract = portal.documents().publish("4", "Contrats à signer", original, name="Contrat.pdf")
    plain = portal.documents().publish("4", "Contrats", original, name="Copie.pdf")
    view = signed_in(portal)
    assert view.awaits_signature(contract.id)
    assert not view.awaits_signature(plain.id)
    signed = view.sign(
        contract.id, signer_name="MOI MEME", ip_address="203.0.113.7", user_agent="pytest"
    )
    record = signed.signature
    assert record is not None
    assert (record.signer_name, record.ip_address, record.user_agent) == (
        "MOI MEME",
        "203.0.113.7",
        "pytest",
    )
    assert record.placement is portail.SignaturePlacement.RIGHT
    assert record.original_sha256 == contract.sha256 and not record.with_image
    assert not view.awaits_signature(contract.id)
    stamped = portal.documents().signed_content(contract.id)
    assert stamped != original and portail.pdf.page_count(stamped) == 2
    assert portal.documents().content(contract.id) == original, "the original is kept"
    assert view.open(contract.id).content == stamped, "the portal serves the signed copy"
    with pytest.raises(portail.InvalidStateError):
        view.sign(contract.id, signer_name="MOI MEME", ip_address="203.0.113.7", user_agent="x")
    with pytest.raises(portail.InvalidStateError):
        view.sign(plain.id, signer_name="MOI MEME", ip_address="203.0.113.7", user_agent="x")
    with pytest.raises(portail.InvalidStateError):
        portal.documents().signed_content(plain.id)
    portal.sync()
    notice = [m for m in mailer.messages() if m.to == "contact@masociete.fr"]
    assert len(notice) == 1, "the back office is told at the reply-to address"


def test_bad_evidence_and_broken_pdf_store_nothing(portal: portail.Portal) -> None:
    portal.parties().upsert(client_4())
    broken = portal.documents().publish("4", "Contrats à signer", b"%PDF-1.4 broken", name="X.pdf")
    view = signed_in(portal)
    with pytest.raises(portail.InvalidInputError) as e:
        view.sign(broken.id, signer_name="MOI MEME", ip_address="not an ip", user_agent="x")
    assert e.value.field == "ip_address"
    with pytest.raises(portail.PdfError):
        view.sign(broken.id, signer_name="MOI MEME", ip_address="::1", user_agent="x")
    assert portal.documents().get(broken.id).signature is None
    assert view.awaits_signature(broken.id)
