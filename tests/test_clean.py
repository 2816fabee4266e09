"""Page cleaning: hyphenation, running headers, page numbers, paragraphs."""

from __future__ import annotations

from ingest.clean import clean_pages


def test_words_split_across_lines_are_joined_but_reduplication_keeps_its_hyphen() -> None:
    page = (
        "Pemerintah desa perlu memberikan dukungan kepada lembaga yang menangani ke\u2010\n"
        "kerasan terhadap anak-\nanak di desa, termasuk soal anggaran dan kualitas SDM-\n"
        "nya yang masih kurang, serta Unsur-\nUnsur kemitraan yang belum berjalan ha\u00ad\n"
        "nya karena kurang-\nnya dana operasional dari pemerintah kabupaten setiap tahun.\n"
    )
    text = clean_pages([page])[0]
    assert "kekerasan" in text
    assert "anak-anak" in text
    assert "SDM-nya" in text
    assert "Unsur-Unsur" in text
    assert "hanya" in text
    assert "kurangnya" in text


def test_running_headers_footers_and_page_numbers_are_removed() -> None:
    bodies = [
        "Latar belakang penelitian tentang kekerasan terhadap anak nomor 1.",
        "Kajian teori kemitraan menurut Notoatmodjo dibahas di sini nomor 2.",
        "Metode penelitian deskriptif kualitatif dengan wawancara nomor 3.",
        "Hasil penelitian menunjukkan kendala anggaran yang besar nomor 4.",
    ]
    pages = [
        f"Jurnal Ilmu Pemerintahan Vol. 3 No. {n}\n{body}\nKemitraan P2TP2A Sapitri\n{n}"
        for n, body in enumerate(bodies, start=1)
    ]
    cleaned = clean_pages(pages)
    for n, page in enumerate(cleaned, start=1):
        assert "Jurnal Ilmu Pemerintahan" not in page
        assert "Kemitraan P2TP2A Sapitri" not in page
        assert f"nomor {n}." in page
        assert not page.strip().endswith(f"\n{n}")


def test_wrapped_lines_merge_and_headings_stay_apart() -> None:
    page = (
        "HASIL DAN PEMBAHASAN\n"
        "Kendala yang dihadapi dalam kemitraan antara P2TP2A dan pemerintah desa\n"
        "adalah kurangnya anggaran yang disalurkan oleh pemerintah kabupaten setiap\n"
        "tahunnya kepada lembaga tersebut.\n"
        "KESIMPULAN\n"
    )
    lines = clean_pages([page])[0].split("\n")
    assert lines[0] == "HASIL DAN PEMBAHASAN"
    assert lines[1].startswith("Kendala yang") and lines[1].endswith("lembaga tersebut.")
    assert lines[2] == "KESIMPULAN"
