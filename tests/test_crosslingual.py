"""Cross-lingual query expansion: the glossary, the query language, provinces' places, and
the weighted translation in BM25 (real glossary file, real gazetteer, real bm25s)."""

from __future__ import annotations

from search.crosslingual import glossary, language, place_terms, translate
from search.hybrid import Expansion, expand, lexical_query
from search.lexical import TRANSLATED, LexicalIndex


def test_the_glossary_loads_hundreds_of_entries_both_ways() -> None:
    entries = glossary().entries
    assert len(entries) > 600
    assert ("child",) in entries and ("anak",) in entries  # stems of both sides are keys


def test_an_english_query_gets_indonesian_words_phrase_first() -> None:
    out = translate("obstacles to handling sexual violence against children")
    assert {"hambatan", "kendala", "penanganan", "kekerasan seksual"} <= set(out)
    # the phrase "sexual violence" is translated as a whole, not word by word
    assert "seksual" not in out and "kekerasan" not in out


def test_inflected_and_affixed_forms_find_the_same_entry() -> None:
    assert "kendala" in translate("obstacle") and "kendala" in translate("obstacles")
    assert "handling" in translate("penanganan") and "handling" in translate("menangani")


def test_an_indonesian_query_gets_english_words() -> None:
    out = translate("kemitraan pemerintah desa dalam pencegahan perkawinan anak")
    assert {"partnership", "village government", "prevention", "child marriage"} <= set(out)


def test_words_the_query_already_has_are_not_repeated() -> None:
    assert "data" not in translate("data kasus")  # "data" is the same word in both
    assert translate("") == []


def test_query_language() -> None:
    assert language("the role of religious leaders in preventing child marriage") == "en"
    assert language("peran tokoh agama dalam mencegah perkawinan anak") == "id"
    assert language("P2TP2A") == "id"  # nothing known: the texts' own language


def test_a_province_brings_its_names_and_its_regencies() -> None:
    terms = place_terms("child protection studies in West Java")
    assert "Jawa Barat" in terms and "garut" in terms and "bogor" in terms
    assert "kabupaten" not in " ".join(terms) and "barat" not in terms
    assert place_terms("kekerasan anak di Kalimantan Timur")[:2] == ["Kaltim", "East Kalimantan"]
    assert place_terms("no place named here") == []


def test_expand_carries_the_translation_and_language(lexicon) -> None:
    expansion = expand("budget obstacles in villages", lexicon)
    assert expansion.language == "en"
    assert "anggaran" in expansion.translated and "desa" in expansion.translated
    text = lexical_query("budget obstacles in villages", expansion)
    own, _, tail = text.partition(TRANSLATED)
    assert own.startswith("budget obstacles in villages") and "anggaran" in tail
    assert lexical_query("x", Expansion([], [])) == "x"


def test_translated_words_count_less_than_the_query_own() -> None:
    import search.lexical as lexical

    texts = ["anggaran desa terbatas", "budget of the village", "laporan tahunan dinas"]
    index = LexicalIndex()
    index.build([0, 1, 2], texts)
    scores = dict(index.search(f"budget {TRANSLATED} anggaran", 3))
    assert set(scores) == {0, 1}  # the typed word and its translation both match
    old = lexical.TRANSLATED_WEIGHT
    try:
        lexical.TRANSLATED_WEIGHT = 0.5
        halved = dict(index.search(f"budget {TRANSLATED} anggaran", 3))
        assert abs(halved[0] - scores[0] / 2) < 1e-6 and halved[1] == scores[1]
        lexical.TRANSLATED_WEIGHT = 0.0
        assert [r for r, _ in index.search(f"budget {TRANSLATED} anggaran", 3)] == [1]
    finally:
        lexical.TRANSLATED_WEIGHT = old
    assert [r for r, _ in index.search(f"{TRANSLATED} anggaran", 3)] == [0]


def test_a_query_cannot_smuggle_in_the_translation_mark() -> None:
    from search.hybrid import validate

    assert validate(f"budget {TRANSLATED} anggaran") == "budget anggaran"


def test_labels_and_translation_are_weighted_parts_of_the_lexical_query(lexicon) -> None:
    from search import hybrid
    from search.lexical import query_parts, weighted_query

    assert query_parts(weighted_query("kendala", [(0.25, ["hambatan"]), (0.5, [])])) == [
        (1.0, "kendala"),
        (0.25, "hambatan"),
    ]
    assert query_parts(f"budget {TRANSLATED} anggaran")[1][0] == 1.0  # the unweighted mark
    expansion = Expansion(["c"], ["staf", "dinas sosial"], ["staff"], "id", labels=["staf"])
    parts = query_parts(lexical_query("peksos", expansion))
    assert parts[0] == (1.0, "peksos dinas sosial")  # written-out words count in full
    assert parts[1] == (hybrid.LABEL_WEIGHT, "staf")
    assert parts[2] == (hybrid.TRANSLATED_WEIGHTS["id"], "staff")
    english = expand("budget obstacles in villages", lexicon)
    assert set(english.labels) <= set(english.terms)


def test_weighted_parts_scale_their_scores() -> None:
    from search.lexical import weighted_query

    index = LexicalIndex()
    index.build([0, 1], ["anggaran desa", "budget of the village"])
    full = dict(index.search("budget", 2))
    quarter = dict(index.search(weighted_query("", [(0.25, ["budget"])]), 2))
    assert abs(quarter[1] - full[1] / 4) < 1e-6
