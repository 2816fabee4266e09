"""Bad PDFs get a one-line reason; good ones give their text."""

from __future__ import annotations

import pytest
from pdfs import encrypted_pdf, many_pages_pdf, scanned_pdf, text_pdf

from ingest.errors import CorruptPdf, EmptyInput, EncryptedPdf, NotAPdf, ScannedPdf, TooLarge
from ingest.pdf import read_pdf

BODY = "Kendala utama kemitraan adalah kurangnya anggaran dan terbatasnya tenaga pendamping. " * 5


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (b"", EmptyInput, "empty"),
        (b"<html>not a pdf</html>", NotAPdf, "not a PDF"),
        (text_pdf([BODY])[:600], CorruptPdf, "truncated"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n", CorruptPdf, "corrupt"),
        (encrypted_pdf(BODY, user_password="rahasia"), EncryptedPdf, "password"),
        (scanned_pdf(), ScannedPdf, "OCR"),
    ],
    ids=["zero-byte", "not-a-pdf", "truncated", "garbage", "encrypted", "scanned"],
)
def test_bad_pdf_gets_one_line_reason(data: bytes, error: type, words: str) -> None:
    with pytest.raises(error) as caught:
        read_pdf(data)
    assert words in caught.value.reason
    assert "\n" not in caught.value.reason


def test_encrypted_with_empty_user_password_opens() -> None:
    result = read_pdf(encrypted_pdf(BODY, user_password=""))
    assert "kurangnya anggaran" in result.pages[0]


def test_page_limit_is_a_clear_error() -> None:
    with pytest.raises(TooLarge, match="too many pages: 12"):
        read_pdf(many_pages_pdf(12), max_pages=10)


def test_metadata_is_read_but_not_required() -> None:
    result = read_pdf(text_pdf([BODY], title="Judul Uji", author="A; B"))
    assert result.metadata["title"] == "Judul Uji"
    assert result.metadata["author"] == "A; B"
