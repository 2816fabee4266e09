"""English <-> Indonesian query translation from a glossary of the field's words.

e5 carries some meaning across the two languages, but BM25 only matches words: an English
query ("obstacles to handling child abuse") shares no word with an Indonesian abstract
("kendala penanganan kekerasan terhadap anak"). The glossary (glossary_en_id.tsv, several
hundred entries written for child protection, public administration and research writing)
gives each English word or phrase its Indonesian equivalents and back; `translate` finds them
in a query, longest phrase first, and returns the other language's terms for the lexical
query. Matching is on the stems BM25 uses (search/lexical.py), so "children"/"child",
"penanganan"/"menangani" find the same entry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from search.lexical import TOKEN, stem_words

MAX_PHRASE = 6  # words in the longest glossary phrase looked for


@dataclass(frozen=True, slots=True)
class Glossary:
    # stems of a phrase in either language -> the other language's phrases
    entries: dict[tuple[str, ...], tuple[str, ...]]

    @property
    def longest(self) -> int:
        return max((len(k) for k in self.entries), default=0)


@lru_cache(maxsize=8192)
def _key(phrase: str) -> tuple[str, ...]:
    return tuple(stem_words(TOKEN.findall(phrase.lower())))


@lru_cache(maxsize=1)
def glossary() -> Glossary:
    text = resources.files("search").joinpath("glossary_en_id.tsv").read_text(encoding="utf-8")
    found: dict[tuple[str, ...], dict[str, None]] = {}

    def add(source: str, targets: list[str]) -> None:
        key = _key(source)
        if key:
            bucket = found.setdefault(key, {})
            for target in targets:
                if _key(target) != key:  # "data" -> "data" adds nothing
                    bucket.setdefault(target)

    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, _, indonesian = line.partition("\t")
        equivalents = [t.strip() for t in indonesian.split("|") if t.strip()]
        if not english.strip() or not equivalents:
            continue
        add(english.strip(), equivalents)
        for term in equivalents:
            add(term, [english.strip()])
    return Glossary({k: tuple(v) for k, v in found.items() if v})


def phrase_matches(
    stems: list[str], entries: Mapping[tuple[str, ...], tuple[str, ...]], longest: int
) -> Iterator[tuple[int, int, tuple[str, ...]]]:
    """(position, length in words, targets) of each table phrase found in `stems`, left to
    right, the longest phrase first at each position (at most `longest` words); a found phrase's
    words are not looked at again. The glossary and the synonym table (search/synonyms.py) are
    both read this way."""
    longest = min(MAX_PHRASE, longest)
    i = 0
    while i < len(stems):
        for n in range(min(longest, len(stems) - i), 0, -1):
            targets = entries.get(tuple(stems[i : i + n]))
            if targets:
                yield i, n, targets
                i += n
                break
        else:
            i += 1


def new_targets(targets: tuple[str, ...], own: set[str]) -> list[str]:
    """The targets whose words are not all among the query's own stems already."""
    return [t for t in targets if not set(_key(t)) <= own]


def translate(query: str, limit: int = 40) -> list[str]:
    """The glossary's equivalents of the query's words and phrases, in the other language,
    each once, without those the query already contains (at most `limit` terms)."""
    table = glossary()
    stems = stem_words(TOKEN.findall(query.lower()))
    own = set(stems)
    out: dict[str, None] = {}
    for _, _, targets in phrase_matches(stems, table.entries, table.longest):
        out.update(dict.fromkeys(new_targets(targets, own)))
    return list(out)[:limit]


# Words of regency and city names that say where, not which: left out of a province's names.
_GENERIC_PLACE_WORDS = frozenset(
    [
        "kabupaten",
        "kota",
        "administrasi",
        "kepulauan",
        "pulau",
        "barat",
        "timur",
        "utara",
        "selatan",
        "tengah",
        "laut",
        "darat",
        "raya",
        "baru",
        "hulu",
        "hilir",
        "tanah",
        "sungai",
        "gunung",
        "lima",
        "puluh",
        "daya",
        "tenggara",
        "daerah",
        "istimewa",
    ]
)


def place_terms(query: str) -> list[str]:
    """A province the query names, in the words a study in it uses: the province's names in
    both languages and the names of its regencies and cities ("West Java" -> "Jawa Barat",
    "Garut", "Bogor", ...), from the Kemendagri gazetteer; a study names its regency, seldom
    its province."""
    from lokal import wilayah

    from ingest.places import PROVINCE_NAMES, find_places

    out: dict[str, None] = {}
    lowered = query.lower()
    for hit in find_places(query, []):
        if hit.region.level != 1:
            continue
        code = hit.region.code
        for name in [hit.region.name, *PROVINCE_NAMES.get(code, [])]:
            if name.lower() not in lowered:
                out.setdefault(name)
        for regency in wilayah.list_wilayah(code):
            words = [
                w for w in TOKEN.findall(regency.name.lower()) if w not in _GENERIC_PLACE_WORDS
            ]
            if words:
                out.setdefault(" ".join(words))
    return list(out)


_ENGLISH_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "in",
        "on",
        "for",
        "to",
        "with",
        "by",
        "from",
        "an",
        "is",
        "are",
        "was",
        "were",
        "that",
        "which",
        "who",
        "whom",
        "how",
        "what",
        "their",
        "its",
        "at",
        "as",
        "about",
        "into",
        "against",
        "after",
        "before",
        "during",
        "why",
        "where",
        "when",
        "this",
        "these",
        "those",
        "does",
        "do",
        "not",
        "no",
    ]
)


@lru_cache(maxsize=1)
def _sides() -> tuple[frozenset[str], frozenset[str]]:
    """The stems of the glossary's English words and of its Indonesian ones."""
    text = resources.files("search").joinpath("glossary_en_id.tsv").read_text(encoding="utf-8")
    english: set[str] = set()
    indonesian: set[str] = set()
    for line in text.splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        left, _, right = line.partition("\t")
        english.update(_key(left))
        for term in right.split("|"):
            indonesian.update(_key(term))
    both = english & indonesian  # "data", "model", "media": no evidence either way
    return frozenset(english - both), frozenset(indonesian - both)


def language(query: str) -> str:
    """The query language, "en" or "id": which language most of the query's known words are in (stop words and
    the glossary's words); Indonesian when none is known, as most of the texts are."""
    from search.lexical import stopwords

    words = TOKEN.findall(query.lower())
    english, indonesian = _sides()
    stop_id = frozenset(stopwords()) - _ENGLISH_WORDS  # the list has English ones too
    stems = stem_words(words)
    en = sum(w in _ENGLISH_WORDS or s in english for w, s in zip(words, stems, strict=True))
    id_ = sum(w in stop_id or s in indonesian for w, s in zip(words, stems, strict=True))
    return "en" if en > id_ else "id"
