"""Places: official regions named in the study, `studied` where the research was done and
`mentioned` otherwise (an author's address, a comparison)."""

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
    r"research was conducted|study was conducted|conducted in|located in|case study)\b",
    re.IGNORECASE,
)


def extract_places(doc: Document, scope: Scope) -> list[Mention]:
    hits = [h for h in find_places(doc.text, scope.address_spans) if _counted(scope, h)]
    title_hits = _title_hits(doc) if doc.title and scope.title_span is None else []
    affiliation_hits = _affiliation_hits(doc)

    by_code: dict[str, list[PlaceHit]] = {}
    for hit in hits:
        by_code.setdefault(hit.region.code, []).append(hit)
    studied: set[str] = set()
    body_counts = Counter(
        h.region.code
        for h in hits
        if not scope.in_address(h.start) and _section(scope, h) != "front"
    )
    for code, code_hits in by_code.items():
        for hit in code_hits:
            if scope.in_address(hit.start):
                continue
            section = _section(scope, hit)
            sentence = scope.sentence_at(hit.start)
            in_setting = section in {"front", "abstract"} or (
                sentence is not None and _LOCATION_CUE.search(doc.text, sentence[0], sentence[1])
            )
            if in_setting or (section in STUDY_SECTIONS and body_counts[code] >= 2):
                studied.add(code)
    studied |= {h.code for h in title_hits}
    # A named parent of a studied place is part of the setting too (Desa Benan, Kabupaten Lingga).
    for code in list(studied):
        for parent in region_by_code(code).parents if region_by_code(code) else ():
            if parent in by_code:
                studied.add(parent)

    mentions: dict[str, Mention] = {}
    for code, code_hits in by_code.items():
        mention = _mention(code_hits[0].region, "studied" if code in studied else "mentioned")
        for hit in code_hits:
            add_evidence(mention, quote_evidence(doc, scope, hit.start, hit.end))
        mentions[code] = mention
    for region in title_hits:
        if region.code not in mentions:
            mention = _mention(region, "studied")
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


def _counted(scope: Scope, hit: PlaceHit) -> bool:
    # Places in the reference list name other studies' settings.
    return scope.in_address(hit.start) or scope.sentence_at(hit.start) is not None


def _section(scope: Scope, hit: PlaceHit) -> str:
    sentence = scope.sentence_at(hit.start)
    return sentence[2] if sentence else ""


def _title_hits(doc: Document) -> list[Region]:
    """A record's declared title is not in its text; its places are the study's setting."""
    return [h.region for h in find_places(doc.title, [])]


def _affiliation_hits(doc: Document) -> list[tuple[Region, str]]:
    """Declared affiliations (a record's "Afiliasi:" line) are not in the text; they name
    the authors' towns, which are mentioned, not studied."""
    found = []
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
