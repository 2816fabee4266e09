"""Indonesian -> Indonesian query normalisation: abbreviations, informal and chat spelling.

Researchers type "KDRT", "Dinsos", "peksos", "ortu", "gak punya mobil", "anak2"; the studies
write "kekerasan dalam rumah tangga", "Dinas Sosial", "pekerja sosial", "orang tua", "tidak
memiliki kendaraan", "anak-anak". BM25 matches none of the first, and e5-small knows the
abbreviations barely. synonyms_id.tsv (written for the field and for informal spelling, no entry
names a study) gives each its written forms; `normalise` finds them in a query on BM25's stems,
longest phrase first (as search/crosslingual.py does with the glossary), and returns the query
with each found form replaced by its first written form (the text that is translated and
embedded) and the written forms the query lacks (added to the lexical query and to the
bilingual e5 text). A word repeated with a "2" (anak2, "anak-anak") is folded first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from search.crosslingual import _key, new_targets, phrase_matches
from search.lexical import TOKEN, stem_words

_REDUPLICATED = re.compile(r"\b([^\W\d_]{2,})2\b")
# Lines whose typed form is itself a written one (it heads its own list: "kendala	kendala|
# hambatan") widen a query that already matches the texts; off, only abbreviations and informal
# words are written out.
WRITTEN_SYNONYMS = True


@dataclass(frozen=True, slots=True)
class Normalised:
    text: str  # the query with each informal form replaced by its first written form
    terms: list[str]  # written forms the query does not contain yet


@lru_cache(maxsize=1)
def table() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Stems of a typed form -> its written forms, in the file's order."""
    text = resources.files("search").joinpath("synonyms_id.tsv").read_text(encoding="utf-8")
    found: dict[tuple[str, ...], dict[str, None]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        typed, _, written = line.partition("\t")
        key = _key(typed.strip())
        targets = [t.strip() for t in written.split("|") if t.strip()]
        if targets and targets[0] == typed.strip() and not WRITTEN_SYNONYMS:
            continue
        if key and targets:
            bucket = found.setdefault(key, {})
            for target in targets:
                bucket.setdefault(target)
    return {k: tuple(v) for k, v in found.items()}


def normalise(query: str, limit: int = 24) -> Normalised:
    entries = table()
    longest = max((len(k) for k in entries), default=0)
    query = _REDUPLICATED.sub(r"\1-\1", query)
    words = list(TOKEN.finditer(query.lower()))
    stems = stem_words([w.group() for w in words])
    own = set(stems)
    pieces: list[str] = []
    terms: dict[str, None] = {}
    last = 0
    for i, n, targets in phrase_matches(stems, entries, longest):
        start, end = words[i].start(), words[i + n - 1].end()
        pieces.extend([query[last:start], targets[0]])
        last = end
        terms.update(dict.fromkeys(new_targets(targets, own)))
    pieces.append(query[last:])
    return Normalised("".join(pieces), list(terms)[:limit])
