"""Abstract records written for the tests: the shapes real records come in."""

HEADER_RECORD = """Judul: Kolaborasi UPTD PPA dan Polres dalam Penanganan Kekerasan Anak di Kabupaten Garut
Penulis: Siti Rahmawati; Budi Santoso
Tahun: 2021
Afiliasi: Universitas Padjadjaran, Bandung
Jenis: artikel

Abstrak. Penelitian ini menganalisis kolaborasi antara UPTD PPA Kabupaten Garut dan Unit PPA
Polres Garut dalam penanganan kekerasan terhadap anak. Penelitian ini menggunakan teori
collaborative governance dari Ansell dan Gash (2007) dengan pendekatan kualitatif. Hasil
penelitian menunjukkan bahwa kendala utama adalah keterbatasan anggaran dan kurangnya tenaga
pendamping, serta rendahnya kesadaran masyarakat untuk melapor.

Kata kunci: kolaborasi, perlindungan anak, UPTD PPA
"""

ENGLISH_RECORD = """# Child protection partnership in Makassar City

**Abstract**
This study examines the partnership between DP3A and community-based child protection groups
(PATBM) in Makassar City, South Sulawesi. Using the partnership model of Notoatmodjo (2010),
it finds that the main obstacles are limited funding, weak coordination between agencies and
sectoral ego among the offices involved.

Keywords: partnership; PATBM; child protection
"""

_WORDS = (
    "penelitian kolaborasi perlindungan anak kekerasan pemerintah desa dinas sosial lembaga "
    "koordinasi anggaran pendamping masyarakat kabupaten kota layanan korban hukum polisi "
    "sekolah keluarga program kebijakan pelaksanaan evaluasi hambatan dukungan kapasitas "
    "sumber daya manusia informan wawancara data analisis kualitatif temuan rekomendasi"
)


def long_record(passages: int, seed: int = 7) -> str:
    """A record whose body chunks into `passages` passages: seven 12-word sentences each (the
    chunker closes a passage at 80 words), a large upload for the embedding step."""
    import random

    rng = random.Random(seed)
    words = _WORDS.split()
    paragraphs = []
    for _ in range(passages):
        sentences = [
            " ".join(rng.choice(words) for _ in range(12)).capitalize() + "." for _ in range(7)
        ]
        paragraphs.append(" ".join(sentences))
    body = "\n\n".join(paragraphs)
    return f"Judul: Studi panjang nomor {seed}\nTahun: 2020\n\nAbstrak. {body}\n"
