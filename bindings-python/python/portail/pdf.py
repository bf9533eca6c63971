"""PDF stamping: the "POUR CONSULTATION UNIQUEMENT" watermark and the visible e-signature block.

Pure functions from bytes to new bytes (the input is never modified); a file that is encrypted,
truncated, malformed or has no pages raises :class:`portail.PdfError`. They release the GIL.

``method`` chooses how the signature stamp is written: ``"auto"`` (an incremental update when
the file allows it, else a full rewrite), ``"incremental"`` (keeps the original bytes and earlier
digital signatures valid) or ``"rewrite"``. The watermark is always a full rewrite with the
mention merged into each page's content (no earlier revision, so no clean original, is left in
the copy; a digital signature of the original is invalidated, on purpose): ``"auto"`` and
``"rewrite"`` both do that, ``"incremental"`` raises :class:`portail.PdfError`.
"""

from __future__ import annotations

from ._native import pdf_page_count as page_count
from ._native import pdf_sample as sample_pdf
from ._native import pdf_stamp_signature as stamp_signature
from ._native import pdf_to_winansi_lossy as to_winansi_lossy
from ._native import pdf_watermark as watermark

__all__ = ["page_count", "sample_pdf", "stamp_signature", "to_winansi_lossy", "watermark"]
