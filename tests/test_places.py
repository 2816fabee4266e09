"""Places resolve to Kemendagri codes; ambiguous bare names need a level word or a parent."""

from __future__ import annotations

import pytest

from ingest.places import find_places


def codes(text: str) -> set[str]:
    return {h.region.code for h in find_places(text, [])}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Penelitian di Kabupaten Lingga.", "21.04"),
        ("Penelitian di Kab. Lingga.", "21.04"),
        ("This study in Lingga Regency.", "21.04"),
        ("kasus di Kota Tebing Tinggi meningkat", "12.76"),
        ("violence in Tebing Tinggi City", "12.76"),
        ("berlokasi di Kota Tanjung Pinang", "21.72"),
        ("berlokasi di Kota Tanjungpinang", "21.72"),
        ("di Kota Palangkaraya", "62.71"),
        ("Provinsi Kepri", "21"),
        ("Provinsi Jawa Barat", "32"),
    ],
)
def test_level_words_and_spellings(text: str, code: str) -> None:
    assert code in codes(text)


def test_village_needs_its_parent() -> None:
    assert "21.04.11.2001" in codes("di Desa Benan Kecamatan Katang Bidare Kabupaten Lingga")
    assert not any(c.count(".") == 3 for c in codes("di Desa Benan saja"))


def test_ambiguous_bare_name_is_not_guessed() -> None:
    # Tebing Tinggi is a city and six kecamatan: without a level word it is not resolved.
    assert "12.76" not in codes("penelitian di Tebing Tinggi")
    assert codes("penelitian di Tebing Tinggi, Sumatera Utara, Provinsi Sumatera Utara") >= {"12"}


def test_unambiguous_bare_name_after_a_locative() -> None:
    assert "34.02" in codes("Penelitian ini dilakukan di Bantul.")


def test_common_words_are_not_places() -> None:
    assert codes("pemerintah kabupaten dan pemerintah kota bekerja sama di desa") == set()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The study was conducted in Central Papua.", "94"),
        ("Highland Papua has few services.", "95"),
        ("di Provinsi Bangka Belitung", "19"),
        ("in North Sumatera province", "12"),
        ("di Jatim", "35"),
    ],
)
def test_every_province_name_of_the_one_table_is_found(text: str, code: str) -> None:
    assert code in codes(text)
