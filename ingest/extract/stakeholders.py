"""Stakeholders: labels of the stakeholder scheme, plus organisations the text defines as
"Full Name (ACRONYM)" that the scheme lacks (added as discovered concepts)."""

from __future__ import annotations

import re

from ingest.extract.common import Scope, add_evidence, found_by, quote_evidence
from ingest.lexicon import LabelHit, Lexicon
from ingest.model import Document, Mention

DISCOVERED_BASE = "https://w3id.org/jejaring/concept/stakeholder/discovered/"
# A weak label ("masyarakat", "orang tua") names an actor when the sentence treats it as one.
_ACTOR_CUES = re.compile(
    r"\b(peran|berperan|partisipasi|keterlibatan|melibatkan|dilibatkan|terlibat|bekerja\s*sama|"
    r"kerja\s*sama|kerjasama|bermitra|mitra|kemitraan|kolaborasi|bersama|antara|informan|"
    r"narasumber|wawancara|role|roles|participation|participate[sd]?|involvement|involving|"
    r"involved|partners?|collaboration|collaborate|between|informants?|interview(?:s|ed)?|"
    r"took\s+part|contribut\w+|berkontribusi|pemahaman|kesadaran|kepedulian|pengetahuan|"
    r"awareness|understanding|reluctan\w+|keengganan)\b",
    re.IGNORECASE,
)
ACTOR_CUE_REACH = 60  # characters either side of a weak label
# A weak label as the subject of what it does: "orang tua tidak tahu", "families withdraw".
_ACTS = re.compile(
    r"(?:\s+korban)?\s+(?:(?:yang|masih|sering|kerap|juga|pun|cenderung|banyak|often|also|still|"
    r"usually|tend\s+to)\s+){0,2}"
    r"(?:tidak|belum|enggan|kurang|memilih|menolak|melapor\w*|mengadu\w*|menyelesaikan|"
    r"menganggap|menutupi|takut|malu|bersedia|aktif|ikut|do|does|did|often|rarely|seldom|never|"
    r"fear\w*|chose|choose|refuse[sd]?|withdr\w+|settle[sd]?|keep|kept|report(?:ed)?)\b",
    re.IGNORECASE,
)
# Stakeholders listed together: "DP3A, UPTD PPA dan orang tua korban".
_LIST_JOINT = re.compile(
    r"(?:\s*[\w'()-]+){0,3}?\s*(?:,|;|\s(?:dan|serta|and|or|atau|&))\s*(?:(?:para|the)\s+)?", re.I
)
_ORG_HEAD = (
    "lembaga|pusat|yayasan|dinas|badan|komisi|forum|unit|kantor|balai|satuan|tim|gugus|komite|"
    "perkumpulan|organisasi|himpunan|ikatan|asosiasi|kelompok|jaringan|rumah|women|center|centre|"
    "institute|foundation|commission|agency|council|crisis|layanan|pelayanan|posko|pos|sentra|"
    "persatuan|solidaritas|gerakan|koalisi|aliansi|relawan|satgas|tenaga"
)
_DEFINED_ORG = re.compile(
    rf"\b(?P<name>(?:{_ORG_HEAD})\b[^()\n]{{3,120}}?)\s*"
    r"\((?P<acr>[A-Z][A-Za-z0-9\-]{1,11}(?: [A-Z][A-Za-z0-9\-]{1,6})?)\)",
    re.IGNORECASE,
)


def extract_stakeholders(doc: Document, scope: Scope, lexicon: Lexicon) -> list[Mention]:
    matcher = lexicon.matcher("stakeholder")
    found: dict[str, Mention] = {}
    weak_support: dict[str, int] = {}
    matched_text: dict[str, set[str]] = {}
    for start, end, _section in scope.sentences:
        sentence_hits = _with_patterns(
            list(matcher.finditer(doc.text, start, end)), lexicon, doc.text, start, end
        )
        for i, hit in enumerate(sentence_hits):
            concept = lexicon.concepts[hit.iri]
            matched_text.setdefault(hit.iri, set()).add(" ".join(hit.label.lower().split()))
            if concept.weak:
                neighbours = [
                    other
                    for other in sentence_hits[max(0, i - 1) : i] + sentence_hits[i + 1 : i + 2]
                    if not lexicon.concepts[other.iri].weak
                ]
                acting = (
                    _ACTOR_CUES.search(doc.text, max(start, hit.start - ACTOR_CUE_REACH), hit.start)
                    or _ACTOR_CUES.search(doc.text, hit.end, min(end, hit.end + ACTOR_CUE_REACH))
                    or _ACTS.match(doc.text, hit.end, end)
                    or any(_listed(doc.text, hit, other) for other in neighbours)
                )
                if not acting:
                    continue
                weak_support[hit.iri] = weak_support.get(hit.iri, 0) + 1
            mention = found.get(hit.iri)
            if mention is None:
                mention = found[hit.iri] = Mention(
                    type="stakeholder",
                    concept=hit.iri,
                    label=concept.acronym or concept.label("id"),
                    name=concept.label("id"),
                )
            found_by(mention, "pattern" if hit.method == "pattern" else "rule")
            add_evidence(mention, quote_evidence(doc, scope, hit.start, hit.end))
    # A weak concept counts only where it acts, is listed among actors or is asked.
    mentions = [
        m
        for iri, m in found.items()
        if (not lexicon.concepts[iri].weak or weak_support.get(iri, 0) >= 1)
        and not _short_form_of_another(iri, matched_text)
    ]
    return mentions + _discovered(doc, scope, lexicon, set(found))


def _with_patterns(
    hits: list[LabelHit], lexicon: Lexicon, text: str, start: int, end: int
) -> list[LabelHit]:
    """Label hits plus the scheme's patterns ("DP3AP2KBPM", "Dinas Sosial, Pemberdayaan
    Perempuan dan Perlindungan Anak") where no label already covers the text."""
    found = list(hits)
    for pattern, iri in lexicon.patterns("stakeholder"):
        for m in pattern.finditer(text, start, end):
            if not any(h.start < m.end() and m.start() < h.end for h in found):
                found.append(LabelHit(m.start(), m.end(), m.group(), iri, "pattern"))
    return sorted(found, key=lambda h: h.start)


def _listed(text: str, hit: LabelHit, other: LabelHit) -> bool:
    a, b = (hit, other) if hit.end <= other.start else (other, hit)
    return _LIST_JOINT.fullmatch(text, a.end, b.start) is not None


def _short_form_of_another(iri: str, matched_text: dict[str, set[str]]) -> bool:
    """'pusat pelayanan terpadu ini' after 'Pusat Pelayanan Terpadu Pemberdayaan Perempuan dan
    Anak': every match of this concept is part of a longer name the study also uses."""
    others = [t for other, texts in matched_text.items() if other != iri for t in texts]
    return all(
        any(text in other and text != other for other in others) for text in matched_text[iri]
    )


def _discovered(doc: Document, scope: Scope, lexicon: Lexicon, known: set[str]) -> list[Mention]:
    matcher = lexicon.matcher("stakeholder")
    out: dict[str, Mention] = {}
    for match in _DEFINED_ORG.finditer(doc.text):
        if scope.sentence_at(match.start()) is None:
            continue  # reference list or an address line
        acronym = match.group("acr")
        # "rumah sakit daerah, serta lembaga … Legal Resources Center … (LRC-KJHAM)": the name
        # is the longest tail of the match that the acronym fits.
        name = _fitting_tail(" ".join(match.group("name").split()), acronym)
        if name is None:
            continue
        # Known to the scheme under its acronym or its full name: not a discovery.
        if any(True for _ in matcher.finditer(acronym)) or any(
            h.end - h.start >= 0.8 * len(name) for h in matcher.finditer(name)
        ):
            continue
        iri = DISCOVERED_BASE + re.sub(r"[^a-z0-9]+", "-", acronym.lower()).strip("-")
        mention = out.get(iri)
        if mention is None:
            mention = out[iri] = Mention(
                type="stakeholder", concept=iri, label=acronym, name=name, discovered=True
            )
        add_evidence(mention, quote_evidence(doc, scope, match.start(), match.end()))
    return [m for iri, m in out.items() if iri not in known]


def _fitting_tail(name: str, acronym: str) -> str | None:
    words = name.split()
    for i in range(len(words)):
        tail = " ".join(words[i:])
        if _acronym_fits(acronym, tail):
            return tail
    return None


def _acronym_fits(acronym: str, name: str) -> bool:
    """The acronym's letters appear, in order, among the name's word initials and letters."""
    letters = [c.lower() for c in acronym if c.isalpha()]
    words = [w for w in re.split(r"[\s\-/]+", name) if w]
    if not letters or not words or letters[0] != words[0][0].lower():
        return False
    text = "".join(w.lower() for w in words)
    i = 0
    for c in text:
        if i < len(letters) and c == letters[i]:
            i += 1
    return i == len(letters)
