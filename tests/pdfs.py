"""Small PDFs made at test time with fpdf2: real text layers, and every kind of bad input."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import EncryptionMethod
from PIL import Image


def _latin1(text: str) -> str:
    # fpdf2's core fonts are Latin-1; test texts stay within it.
    return text.replace("“", '"').replace("”", '"').replace("–", "-").replace("’", "'")


def text_pdf(
    pages: list[str],
    *,
    title: str | None = None,
    author: str | None = None,
    header: str | None = None,
) -> bytes:
    pdf = FPDF()
    pdf.set_auto_page_break(auto=False)
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    for number, page in enumerate(pages, start=1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=10)
        if header:
            pdf.set_xy(10, 8)
            pdf.cell(0, 5, _latin1(header))
        pdf.set_xy(10, 20)
        pdf.multi_cell(0, 5, _latin1(page))
        pdf.set_xy(10, 285)
        pdf.cell(0, 5, str(number), align="C")
    return bytes(pdf.output())


def encrypted_pdf(text: str, *, user_password: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 5, _latin1(text))
    pdf.set_encryption(
        owner_password="owner-secret",
        user_password=user_password,
        encryption_method=EncryptionMethod.AES_128,
    )
    return bytes(pdf.output())


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages that are only an image, as a scanner makes them: no text layer."""
    pdf = FPDF()
    image = Image.new("L", (400, 560), color=235)
    for _ in range(pages):
        pdf.add_page()
        pdf.image(image, x=10, y=10, w=190)
    return bytes(pdf.output())


def many_pages_pdf(count: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=9)
    line = "Kendala utama adalah kurangnya koordinasi antar lembaga di Kabupaten Lingga. "
    for number in range(count):
        pdf.add_page()
        pdf.set_font("Helvetica", size=9)
        pdf.multi_cell(
            0, 4, f"Bagian {number + 1}: wawancara informan ke-{number + 1}. " + line * 3
        )
    return bytes(pdf.output())
