"""PDF stamping through portail.pdf (the core's engine)."""

from __future__ import annotations

import pytest

import portail
from portail import pdf


def test_watermark_and_signature_keep_pages() -> None:
    original = pdf.sample_pdf(["Facture FA-0002", "Conditions"])
    assert pdf.page_count(original) == 2
    unpaid = pdf.watermark(original, "POUR CONSULTATION UNIQUEMENT")
    assert unpaid != original and pdf.page_count(unpaid) == 2
    rewritten = pdf.watermark(original, "COPIE", method="rewrite")
    assert pdf.page_count(rewritten) == 2
    signed = pdf.stamp_signature(
        original,
        ["Signé électroniquement par MOI MEME", "le 08/03/2019 à 16:55"],
        placement=portail.SignaturePlacement.LEFT,
    )
    assert signed.startswith(b"%PDF-") and pdf.page_count(signed) == 2


def test_bad_pdf_and_text_raise_pdf_error() -> None:
    with pytest.raises(portail.PdfError) as e:
        pdf.page_count(b"not a pdf")
    assert e.value.code == "pdf" and e.value.reason
    with pytest.raises(portail.PdfError, match="U\\+7B7E"):
        pdf.watermark(pdf.sample_pdf(["x"]), "签名")
    assert pdf.to_winansi_lossy("签名 ok").endswith(" ok")
    with pytest.raises(portail.InvalidInputError) as bad:
        pdf.watermark(pdf.sample_pdf(["x"]), "X", method="fast")  # type: ignore[arg-type]
    assert bad.value.field == "method"
