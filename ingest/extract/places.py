"""Places: official regions named in the study, `studied` where the research was done and
`mentioned` otherwise (an author's address, a comparison).

A region the title names is studied. English word order ("the City of Kupang", "Kupang City",
"Merauke Regency") names a region as "Kota Kupang" does. A province is studied only when the
study is about the province: it is not the setting of a study of one of its cities or
regencies ("Kota Medan, Provinsi Sumatera Utara"), unless the title names the province without
naming a district of it, or the study covers several districts of it
(MIN_DISTRICTS_FOR_PROVINCE), or names nothing below it as studied.
"""

from __future__ import annotations

import re
from collections import Counter

from ingest.extract.common import Scope, add_evidence, quote_evidence
from ingest.model import Document, Evidence, Mention
from ingest.places import PlaceHit, Region, find_places, region_by_code

PLACE_BASE = "https://w3id.org/jejaring/place/"
# Sections whose places are the study's own setting.
STUDY_SECTIONS = {"front", "abstract", "method", "results", "conclusion", "body"}
_LOCATION_CUE = re.compile(
    r"\b(lokasi penelitian|penelitian ini dilakukan|dilaksanakan di|dilakukan di|studi kasus|"
    r"research was conducted|study was conducted|conducted in|located in|case study|"
    r"took place in|carried out in|fieldwork|field work|lokasi)\b",
    re.IGNORECASE,
)
# A sentence that says what the study is about.
_AIM_CUE = re.compile(
    r"\b(penelitian ini|studi ini|kajian ini|tulisan ini|artikel ini|skripsi ini|tesis ini|"
    r"bertujuan|this (?:study|paper|article|research|thesis|report)|aims? to|we (?:examine|"
    r"analy[sz]e|describe|interviewed))\b",
    re.IGNORECASE,
)
# "the City of Kupang", "the Regency of Bone": English order that find_places does not read.
_ENGLISH_OF = re.compile(
    r"\b(?:the\s+)?(?P<kind>City|Regency|Municipality)\s+of\s+"
    r"(?P<name>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})"
)
# "Kubu Raya and Sintang regencies": several English names sharing one plural kind.
_ENGLISH_PLURAL = re.compile(
    r"\b(?P<names>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?(?:,\s+[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)*"
    r",?\s+and\s+[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)\s+(?P<kind>regencies|cities)\b"
)
_KIND = {
    "cities": "Kota",
    "regencies": "Kabupaten",
    "city": "Kota",
    "municipality": "Kota",
    "regency": "Kabupaten",
}
MIN_DISTRICTS_FOR_PROVINCE = 3


def extract_places(doc: Document, scope: Scope) -> list[Mention]:
    hits = [h for h in find_places(doc.text, scope.address_spans) if _counted(scope, h)]
    hits += [h for h in _english_hits(doc.text, hits) if _counted(scope, h)]
    hits = _without_names_inside_names(hits)
    title_hits = _title_hits(doc) if doc.title else []
    affiliation_hits = _affiliation_hits(doc)

    by_code: dict[str, list[PlaceHit]] = {}
    for hit in hits:
        by_code.setdefault(hit.region.code, []).append(hit)
    body_counts = Counter(
        h.region.code
        for h in hits
        if not scope.in_address(h.start) and _section(scope, h) != "front"
    )
    # What the study is about: the places of its title and of the sentences that give its aim or
    # its location. With such anchors, other places the abstract names are mentioned (a
    # neighbouring regency, a transit route), unless they lie inside an anchored district.
    anchors = {h.code for h in title_hits} | {
        h.region.code
        for h in hits
        if not scope.in_address(h.start) and _in_location_sentence(doc, scope, h)
    }
    anchored_districts = {
        c for c in anchors if "." in c
    }  # a province's districts are not all studied
    studied: set[str] = set()
    for code, code_hits in by_code.items():
        for hit in code_hits:
            if scope.in_address(hit.start):
                continue
            section = _section(scope, hit)
            if anchors:
                inside = any(code.startswith(a + ".") for a in anchored_districts)
                if code in anchors or (inside and section in STUDY_SECTIONS):
                    studied.add(code)
                continue
            sentence = scope.sentence_at(hit.start)
            in_setting = section in {"front", "abstract"} or (
                sentence is not None and _LOCATION_CUE.search(doc.text, sentence[0], sentence[1])
            )
            if in_setting or (section in STUDY_SECTIONS and body_counts[code] >= 2):
                studied.add(code)
    studied |= {h.code for h in title_hits}
    if not studied:
        # Every study has a setting: with no other sign, the first region its own text names.
        first = next(
            (
                h
                for h in hits
                if not scope.in_address(h.start) and _section(scope, h) in STUDY_SECTIONS
            ),
            None,
        )
        if first is not None:
            studied.add(first.region.code)
    # A named parent of a studied place is part of the setting too (Desa Benan, Kabupaten Lingga).
    for code in list(studied):
        region = region_by_code(code)
        for parent in region.parents if region is not None else ():
            if parent in by_code:
                studied.add(parent)
    studied -= _provinces_beside_their_districts(studied, {r.code for r in title_hits})
    if any("." in c for c in studied):
        # A study of districts names other provinces as background ("formerly part of Papua").
        studied -= {
            c
            for c in studied
            if "." not in c
            and not any(d.startswith(c + ".") for d in studied)
            and c not in {h.code for h in title_hits}
        }

    mentions: dict[str, Mention] = {}
    for code, code_hits in by_code.items():
        mention = _mention(code_hits[0].region, "studied" if code in studied else "mentioned")
        for hit in code_hits:
            add_evidence(mention, quote_evidence(doc, scope, hit.start, hit.end))
        mentions[code] = mention
    for region in title_hits:
        if region.code not in mentions:
            mention = _mention(region, "studied" if region.code in studied else "mentioned")
            mention.evidence.append(
                Evidence(page=1, quote=doc.title, start=0, end=0, section="title")
            )
            mentions[region.code] = mention
    for region, affiliation in affiliation_hits:
        if region.code not in mentions:
            mention = _mention(region, "mentioned")
            mention.evidence.append(
                Evidence(page=1, quote=affiliation, start=0, end=0, section="affiliation")
            )
            mentions[region.code] = mention
    return list(mentions.values())


def _provinces_beside_their_districts(studied: set[str], in_title: set[str]) -> set[str]:
    """Studied provinces that are only the setting's address: the study is of a district."""
    out: set[str] = set()
    for province in (c for c in studied if "." not in c):
        below = {c for c in studied if c.startswith(province + ".")}
        if not below:
            continue
        districts = {".".join(c.split(".")[:2]) for c in below}
        title_names_province = province in in_title and not any(
            c.startswith(province + ".") for c in in_title
        )
        if title_names_province or len(districts) >= MIN_DISTRICTS_FOR_PROVINCE:
            continue
        out.add(province)
    return out


def _without_names_inside_names(hits: list[PlaceHit]) -> list[PlaceHit]:
    """'Kota Jambi', 'Kabupaten Lampung Selatan', 'Banda Aceh' name a district, not also
    the province whose name they contain."""
    districts = [h for h in hits if h.region.level >= 2]
    return [
        h
        for h in hits
        if h.region.level != 1
        or h.explicit
        or not any(d.start < h.end and h.start < d.end for d in districts)
    ]


def _english_hits(text: str, hits: list[PlaceHit]) -> list[PlaceHit]:
    """'the City of Kupang' read as 'Kota Kupang', where find_places found nothing there."""
    found: list[PlaceHit] = []
    for m in _ENGLISH_OF.finditer(text):
        if any(h.start < m.end() and m.start() < h.end for h in hits):
            continue
        region = _district(m.group("kind"), m.group("name"))
        if region is not None:
            found.append(PlaceHit(region, m.start(), m.end(), True))
    for m in _ENGLISH_PLURAL.finditer(text):
        names = re.split(r",\s+and\s+|,\s+|\s+and\s+", m.group("names"))
        at = m.start()
        for name in names:
            start = text.find(name, at, m.end())
            at = max(at, start)
            if any(h.start <= start < h.end for h in hits + found):
                continue
            region = _district(m.group("kind"), name)
            if region is not None:
                found.append(PlaceHit(region, start, start + len(name), True))
    return found


def _district(kind: str, name: str) -> Region | None:
    words = name.split()
    for n in range(len(words), 0, -1):
        resolved = find_places(f"{_KIND[kind.lower()]} {' '.join(words[:n])}", [])
        if resolved and resolved[0].region.level == 2:
            return resolved[0].region
    return None


def _in_location_sentence(doc: Document, scope: Scope, hit: PlaceHit) -> bool:
    sentence = scope.sentence_at(hit.start)
    if sentence is None or sentence[2] not in STUDY_SECTIONS:
        return False
    return bool(
        _LOCATION_CUE.search(doc.text, sentence[0], sentence[1])
        or _AIM_CUE.search(doc.text, sentence[0], sentence[1])
    )


def _counted(scope: Scope, hit: PlaceHit) -> bool:
    # Places in the reference list name other studies' settings.
    return scope.in_address(hit.start) or scope.sentence_at(hit.start) is not None


def _section(scope: Scope, hit: PlaceHit) -> str:
    sentence = scope.sentence_at(hit.start)
    return sentence[2] if sentence else ""


def _title_hits(doc: Document) -> list[Region]:
    """The places the title names are the study's setting (a record's declared title is not
    in its text at all)."""
    return [h.region for h in find_places(doc.title, [])]


def _affiliation_hits(doc: Document) -> list[tuple[Region, str]]:
    """Declared affiliations (a record's "Afiliasi:" line) are not in the text; they name
    the authors' towns, which are mentioned, not studied."""
    found: list[tuple[Region, str]] = []
    for affiliation in {a.affiliation for a in doc.authors if a.affiliation}:
        if affiliation in doc.text:
            continue
        found.extend(
            (h.region, affiliation) for h in find_places(affiliation, [(0, len(affiliation))])
        )
    return found


def _mention(region: Region, role: str) -> Mention:
    province = region_by_code(region.code.split(".")[0])
    return Mention(
        type="place",
        concept=PLACE_BASE + region.code,
        label=region.name,
        code=region.code,
        level=region.level_name,
        province=province.name if province else None,
        parent_codes=region.parents,
        role=role,
    )
