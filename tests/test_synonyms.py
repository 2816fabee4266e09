"""Indonesian query normalisation (search/synonyms.py): abbreviations, informal spelling and
typos written out, for BM25, the translation and the e5 vector (real table, real bm25s, the
demo workspace's real index)."""

from __future__ import annotations

from search import hybrid, studies
from search.synonyms import normalise, table


def test_the_table_loads_and_keys_on_stems() -> None:
    entries = table()
    assert len(entries) > 200
    assert entries[("kdrt",)][0] == "kekerasan dalam rumah tangga"


def test_an_abbreviation_is_written_out_in_the_text_and_the_terms() -> None:
    out = normalise("KDRT dianggap urusan pribadi")
    assert out.text == "kekerasan dalam rumah tangga dianggap urusan pribadi"
    assert "kekerasan dalam keluarga" in out.terms


def test_informal_spelling_and_reduplication_are_folded() -> None:
    out = normalise("petugas gak punya mobil buat jemput anak2")
    assert out.text == "petugas tidak punya kendaraan buat penjemputan anak-anak"
    assert "kendaraan operasional" in out.terms
    # a typo the texts themselves make finds the written word
    assert normalise("kordinasi lemah").text == "koordinasi lemah"


def test_longest_phrase_first_and_words_already_typed_are_not_added() -> None:
    out = normalise("peran pekerja sosial UPTD PPA")
    assert out.text.endswith("unit pelaksana teknis daerah perlindungan perempuan dan anak")
    assert "perlindungan perempuan dan anak" not in out.terms  # "PPA" alone did not match
    assert normalise("kolaborasi perlindungan anak") == normalise("kolaborasi perlindungan anak")
    assert normalise("kolaborasi perlindungan anak").terms == []


def test_only_indonesian_queries_are_normalised(lexicon) -> None:
    indonesian = hybrid.expand("peran Dinsos dan peksos", lexicon)
    assert indonesian.normalised == "peran dinas sosial dan pekerja sosial"
    assert {"dinas sosial", "pekerja sosial"} <= set(indonesian.terms)
    assert "social worker" in indonesian.translated  # translated from the written-out words
    assert hybrid.expand("school bullying and the social affairs office", lexicon).normalised == ""


def test_an_abbreviation_finds_the_words_the_study_writes(demo_workspace) -> None:
    ws = demo_workspace

    def lexical(query: str) -> list[str]:
        hits = hybrid.search(ws.index, query, 5, lexicon=ws.lexicon, mode="lexical")
        return [h.passage.text.lower() for h in hits]

    try:
        hybrid.SYNONYMS = False
        assert lexical("ortu") == []  # no study writes the chat form
    finally:
        hybrid.SYNONYMS = True
    found = lexical("ortu")
    assert found and "orang tua" in found[0]


def test_an_informal_typed_query_still_finds_its_study(demo_workspace) -> None:
    ws = demo_workspace
    found = studies.search(
        ws.index,
        "kerja sama uptd ppa dgn polres utk kekerasan thd anak2 di garut",
        3,
        lexicon=ws.lexicon,
        concepts_of=ws.searching._concepts_of,
    )
    assert "Garut" in found[0].passages[0].passage.text
