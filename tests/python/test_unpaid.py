"""Unpaid documents on the portal ("Gestion des impayés"): watermark or block."""

from __future__ import annotations

import dataclasses

import pytest

import portail
from conftest import client_4


def set_policy(portal: portail.Portal, policy: portail.UnpaidPolicy) -> None:
    s = portal.settings()
    portal.save_settings(dataclasses.replace(s, client=dataclasses.replace(s.client, unpaid_policy=policy)))


def logged_in(portal: portail.Portal) -> portail.PortalView:
    portal.accounts().generate("4", password="correct horse", notify_by_email=False)
    portal.sync()
    return portal.view(portal.login("4", "correct horse"))


def test_unpaid_invoice_downloads_watermarked(portal: portail.Portal) -> None:
    set_policy(portal, portail.UnpaidPolicy.WATERMARK)
    portal.parties().upsert(client_4())
    original = portail.pdf.sample_pdf(["Facture FA-0002"])
    invoice = portal.documents().publish(
        "4", "Factures", original, name="FA-0002.pdf",
        kind=portail.DocumentKind.INVOICE, payment=portail.PaymentStatus.UNPAID,
    )
    view = logged_in(portal)
    download = view.open(invoice.id)
    assert download.watermarked and download.content != original
    assert portail.pdf.page_count(download.content) == 1
    portal.documents().set_payment(invoice.id, portail.PaymentStatus.PAID)
    paid = view.open(invoice.id)
    assert not paid.watermarked and paid.content == original


def test_block_policy_is_payment_required(portal: portail.Portal) -> None:
    set_policy(portal, portail.UnpaidPolicy.BLOCK)
    portal.parties().upsert(client_4())
    pdf = portail.pdf.sample_pdf(["Contrat"])
    portal.documents().publish(
        "4", "Factures", pdf, name="FA-0002.pdf",
        kind=portail.DocumentKind.INVOICE, payment=portail.PaymentStatus.UNPAID,
    )
    contract = portal.documents().publish("4", "Contrats", pdf, name="Contrat.pdf")
    view = logged_in(portal)
    with pytest.raises(portail.PaymentRequiredError) as e:
        view.open(contract.id)
    assert e.value.code == "payment_required" and e.value.document == "Contrat.pdf"
    portal.parties().upsert(dataclasses.replace(portal.parties().get("4"), unpaid_exempt=True))
    assert view.open(contract.id).content == pdf
