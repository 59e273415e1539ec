"""Text out of an uploaded PDF (pypdf): what the sensitive-data guard and matching read."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

MAX_PAGES = 20
MAX_CHARS = 50_000

logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings may quote the document


class BadPdf(ValueError):
    """Not a PDF we can read (malformed, encrypted, too long)."""


def extract_text(data: bytes) -> str:
    if not data.startswith(b"%PDF-"):
        raise BadPdf("not a PDF file")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise BadPdf("the PDF is encrypted")
        if len(reader.pages) > MAX_PAGES:
            raise BadPdf(f"the PDF has more than {MAX_PAGES} pages")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, BadPdf):
            raise
        raise BadPdf("the PDF could not be read") from exc
    return text.replace("\x00", "")[:MAX_CHARS].strip()
