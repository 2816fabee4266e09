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


# --- hostile PDFs, written by hand: a few KB that cost a reader minutes or its stack ---------


def _assemble(objects: list[bytes]) -> bytes:
    """Numbered objects with a correct cross-reference table and trailer (object 1: root)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def one_page_pdf(content: bytes, *, compress: bool = True) -> bytes:
    """One page drawing `content` (a content stream) in Helvetica, Flate-compressed."""
    import zlib

    data = zlib.compress(content, 9) if compress else content
    flate = b" /Filter /FlateDecode" if compress else b""
    return _assemble([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d%b >>\nstream\n%b\nendstream" % (len(data), flate, data),
    ])  # fmt: skip


def slow_pdf(inflated_mb: float = 4) -> bytes:
    """A few KB whose content stream inflates to megabytes of tiny text operators: pypdf
    parses them at about half a megabyte a second."""
    step = b"(kata ) Tj 0 -1 Td "
    return one_page_pdf(
        b"BT /F1 12 Tf 72 700 Td " + step * int(inflated_mb * 2**20 / len(step)) + b"ET"
    )


def wordy_pdf(text_mb: float = 2) -> bytes:
    """A small file that yields megabytes of text quickly: long strings, few operators."""
    line = b"(" + b"hambatan koordinasi anggaran " * 300 + b") Tj 0 -12 Td "
    count = int(text_mb * 2**20 / (len(line) - 16)) + 1
    return one_page_pdf(b"BT /F1 12 Tf 72 700 Td " + line * count + b"ET")


def nested_array_pdf(depth: int = 50_000) -> bytes:
    """A text array nested `depth` deep: pypdf's parser recurses once per level."""
    return one_page_pdf(b"BT /F1 12 Tf 72 700 Td " + b"[" * depth + b"]" * depth + b" TJ ET")
