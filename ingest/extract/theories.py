"""Theories and methods: author–year citations ("Ansell dan Gash (2007)", "(Notoatmodjo,
2010: 253)", "menurut Notoatmodjo") and theory names, tied to concepts of the scheme.

A theory is the study's `framework` when a sentence citing it says the study uses it
("menggunakan teori …", "digunakan sebagai landasan", "using the … model") and no other theory
stands between that cue and it, or when the study organises its findings by several of the
theory's dimensions; otherwise `cited`.

A theory the scheme lacks, named with its authors ("teori peran Biddle dan Thomas (1966)",
"the stakeholder analysis approach of Reed et al. (2009)", "Bronfenbrenner's ecological
systems theory"), is recorded as a discovered theory. Authors come in the order the study gives
them; the year only where the study states it next to them, never from the scheme and never
from a secondary citation ("… dalam Sugiyono (2017)").
"""

from __future__ import annotations

import re

from ingest.extract.common import Scope, add_evidence, quote_evidence
from ingest.lexicon import Concept, Lexicon, phrase_pattern
from ingest.model import Document, Mention

_YEAR_AFTER = re.compile(r"^[^.;]{0,60}?\b((?:19|20)\d{2})\b")
# "Miles dan Huberman dalam Sugiyono (2017)": the year is the secondary source's.
_SECONDARY = re.compile(
    r"\b(?:dalam|dikutip|sebagaimana dikutip|cited in|quoted in|in)\s+[A-Z]", re.UNICODE
)
_CONTRAST = re.compile(r"\b(?:sedangkan|namun|tetapi|whereas|while|but|however)\b", re.I)
_JOINED = re.compile(r"\b(?:serta|dan|and|as well as)\b|&", re.IGNORECASE)
# An institution, not a person, after a framework's name: "model kemitraan Kemen PPPA".
_INSTITUTION = re.compile(
    r"^(?:Kemen|Kementerian|Kementrian|Ministry|Dinas|Badan|Komisi|Pemerintah)\b"
)
# Words that start a place's or an organisation's name, never a surname.
_NOT_A_SURNAME = re.compile(
    r"^(?:Kota|Kabupaten|Provinsi|Desa|Kecamatan|Kelurahan|City|Regency|Province|Unit|UPTD?|"
    r"Polres\w*|Universitas|University|Indonesia|Dalam|Pada|Dan)\b"
)
DISCOVERED_BASE = "https://w3id.org/jejaring/concept/theory/discovered/"
_SURNAME = r"(?:[A-Z][a-z]+\.?\s+){0,2}(?:(?:van|von|de|Van|Von|De)\s+)?[A-Z][A-Za-z'-]+"
_AUTHORS = (
    rf"(?P<authors>{_SURNAME}(?:(?:\s*,\s*|\s+(?:dan|and|&)\s+){_SURNAME}){{0,3}}"
    r"(?:\s+(?:et\.?\s*al\.?|dkk\.?))?)"
)
_YEAR = r"(?:\s*\(\s*(?P<year>(?:19|20)\d{2})[a-z]?\s*(?:[:,][^)]*)?\))?"
_HEAD_ID = (
    r"(?i:teori|model|konsep|kerangka|pendekatan|tingkatan|matriks|tahapan|prinsip|pola|gagasan|"
    r"analisis|perspektif|paradigma|tipologi|indikator|kriteria|dimensi)"
)
_HEAD_EN = (
    r"(?:theory|model|framework|approach|analysis|grid|concept|capacity|matrix|perspective|"
    r"continuum|typology|ladder|spectrum|criteria|principles|dimensions|indicators|stages)"
    r"(?:\s+of\s+[a-z][\w–-]*)?"
)
_DISCOVERED_PATTERNS = [
    # "teori peran Biddle dan Thomas (1966)", "tingkatan kolaborasi menurut Wanna (2008)"
    re.compile(
        rf"\b(?P<label>{_HEAD_ID}(?:\s+[a-z][\w–-]*){{1,4}}?)\s+(?:menurut|dari|oleh|yang dikemukakan oleh|"
        rf"yang dikembangkan oleh)?\s*{_AUTHORS}{_YEAR}(?![\w-])"
    ),
    # "the stakeholder analysis approach of Reed et al. (2009)"
    re.compile(
        rf"\b(?P<label>(?:[a-z][\w–-]*\s+){{1,4}}{_HEAD_EN})\s+(?:of|by|from)\s+{_AUTHORS}{_YEAR}"
    ),
    # "Bronfenbrenner's ecological systems theory", "Bryson's (2004) power–interest grid"
    re.compile(rf"{_AUTHORS}'s{_YEAR}\s+(?P<label>(?:[a-z][\w–-]*\s+){{0,3}}{_HEAD_EN})\b"),
    # "what Bardach (1998) calls interagency collaborative capacity"
    re.compile(
        rf"\b(?:what|yang)\s+{_AUTHORS}{_YEAR}\s+(?:calls|sebut|disebut|namakan)\s+"
        r"(?P<label>[a-z][\w–-]*(?:\s+[a-z][\w–-]*){1,3})"
    ),
]
# Words a theory label does not run across: "teori peran yang", "following the … approach".
_STOP_WORD = re.compile(
    r"yang|dan|untuk|sebagai|dalam|di|ini|itu|menggunakan|memakai|antara|bagi|pada|oleh|menurut|"
    r"dari|of|the|to|for|in|as|which|between|"
    r"that|using|uses|use|following|follows|applies|applying|its|a|an|this|with|dengan"
)
_ET_AL = re.compile(r"^\s*,?\s*(?:et\.?\s*al|dkk|dan kawan-kawan)", re.IGNORECASE)
# Sections where using a theory's dimensions shows it is the study's lens.
_FINDING_SECTIONS = {"abstract", "results", "conclusion", "body"}
MIN_DIMENSIONS = 3


def extract_theories(doc: Document, scope: Scope, lexicon: Lexicon) -> list[Mention]:
    framework_cue = lexicon.cue_pattern("frameworkCue")
    concepts = lexicon.in_scheme("theory") + lexicon.in_scheme("method")
    citations = {c.iri: list(_citations(doc, scope, c)) for c in concepts}
    # A sentence citing one theory's authors names that theory, even in another's words
    # ("collaborative governance dari Emerson, Nabatchi dan Balogh").
    cited_sentences: dict[int, set[str]] = {}
    for iri, hits in citations.items():
        for start, _, _ in hits:
            sentence = scope.sentence_at(start)
            if sentence:
                cited_sentences.setdefault(sentence[0], set()).add(iri)
    discovered = _discovered(doc, scope, lexicon, citations)
    found_spans = [span for _, spans in discovered for span in spans]
    hits_by_concept: dict[str, list[tuple[int, int, int | None]]] = {}
    for concept in concepts:
        named = [
            hit
            for hit in _named(doc, scope, concept, framework_cue)
            if not (cited_sentences.get(_sentence_start(scope, hit[0]), set()) - {concept.iri})
            # "teori peran Biddle dan Thomas": the scheme's name with other authors.
            and not any(s <= hit[0] < e for s, e in found_spans)
        ]
        hits_by_concept[concept.iri] = citations[concept.iri] + named
    # Every theory's place in the text, so that a framework cue goes to the nearest one.
    spots = sorted(
        [(s, e) for hits in hits_by_concept.values() for s, e, _ in hits]
        + [(s, e) for _, spans in discovered for s, e in spans]
    )
    mentions: list[Mention] = []
    for concept in concepts:
        mention = _mention(doc, scope, concept, hits_by_concept[concept.iri], framework_cue, spots)
        if mention is not None:
            mentions.append(mention)
    for mention, spans in discovered:
        mention.role = (
            "framework"
            if any(_cued(doc, scope, s, e, framework_cue, spots) for s, e in spans)
            else "cited"
        )
        mentions.append(mention)
    return mentions


def _cued(
    doc: Document,
    scope: Scope,
    start: int,
    end: int,
    framework_cue: re.Pattern[str],
    spots: list[tuple[int, int]],
) -> bool:
    """A framework cue in the sentence with no other theory between the cue and this one."""
    sentence = scope.sentence_at(start)
    if sentence is None:
        return False
    others = [(s, e) for s, e in spots if sentence[0] <= s < sentence[1] and (s, e) != (start, end)]
    for cue in framework_cue.finditer(doc.text, sentence[0], sentence[1]):
        if cue.end() <= start:
            between = (cue.end(), start)
        elif cue.start() >= end:
            between = (end, cue.start())
        else:
            return True
        gap = doc.text[between[0] : between[1]]
        if ";" in gap or _CONTRAST.search(gap):
            continue  # the cue is another clause's ("…, sedangkan gagasan … dari Bardach")
        inside = [
            (s, e) for s, e in others if between[0] <= s < between[1] and not start <= s < end
        ]
        if not inside:
            return True
        # "menurut Sulistiyani (2004) serta … menurut Notoatmodjo (2003)": joined to the cued one.
        if cue.end() <= start:
            joint = doc.text[max(e for _, e in inside) : start]
            if ";" not in joint and _JOINED.search(joint):
                return True
    return False


def _sentence_start(scope: Scope, offset: int) -> int:
    sentence = scope.sentence_at(offset)
    return sentence[0] if sentence else -1


def _mention(
    doc: Document,
    scope: Scope,
    concept: Concept,
    hits: list[tuple[int, int, int | None]],
    framework_cue: re.Pattern[str],
    spots: list[tuple[int, int]],
) -> Mention | None:
    if not hits:
        return None
    hits.sort()
    is_framework = False
    years: list[int] = []
    mention = Mention(
        type="theory" if concept.scheme == "theory" else "method",
        concept=concept.iri,
        label=concept.label("en"),
        authors=concept.citation_authors,
    )
    ordered: tuple[str, ...] | None = None
    for start, end, year in hits:
        if year:
            years.append(year)
        if _cued(doc, scope, start, end, framework_cue, spots):
            is_framework = True
        if ordered is None:
            ordered = _authors_as_given(doc.text, start, concept.citation_authors)
        add_evidence(mention, quote_evidence(doc, scope, start, end))
    if concept.scheme == "theory" and not is_framework:
        is_framework = _uses_dimensions(doc, scope, concept)
    mention.authors = ordered or concept.citation_authors
    # The year only as the study states it next to the authors.
    mention.year = min(years) if years else None
    mention.role = "framework" if is_framework and concept.scheme == "theory" else "cited"
    return mention


def _citations(doc: Document, scope: Scope, concept: Concept):
    """Spans where the concept's first author is cited (with the co-authors it needs)."""
    if not concept.citation_authors:
        return
    first = concept.citation_authors[0]
    others = concept.citation_authors[1:]
    pattern = re.compile(rf"\b{re.escape(first)}\b")
    for start, end, _section in scope.sentences:
        for m in pattern.finditer(doc.text, start, end):
            after = doc.text[m.end() : min(end, m.end() + 80)]
            if others and not _has_coauthors(after, others):
                continue
            year_match = _YEAR_AFTER.match(after)
            year = int(year_match.group(1)) if year_match else None
            if year_match and _SECONDARY.search(after, 0, year_match.start(1)):
                year = None  # "… dalam Sugiyono (2017)": the secondary source's year
            # The same surname with a year the scheme does not know is another work.
            if year and concept.citation_years and not _year_known(year, concept.citation_years):
                continue
            yield m.start(), m.end(), year


def _authors_as_given(text: str, start: int, authors: tuple[str, ...]) -> tuple[str, ...] | None:
    """The concept's authors in the order this citation gives them ("Miles dan Huberman")."""
    window = text[max(0, start - 60) : start + 80]
    at = {a: m.start() for a in authors if (m := re.search(rf"\b{re.escape(a)}\b", window))}
    if not at:
        return None
    return tuple(sorted(at, key=at.__getitem__)) + tuple(a for a in authors if a not in at)


def _discovered(
    doc: Document,
    scope: Scope,
    lexicon: Lexicon,
    known: dict[str, list[tuple[int, int, int | None]]],
) -> list[tuple[Mention, list[tuple[int, int]]]]:
    """Theories the scheme lacks, named with their authors (`known`: the scheme's citations)."""
    known_spans = [(s, e) for hits in known.values() for s, e, _ in hits]
    known_authors = {
        a.lower()
        for c in lexicon.in_scheme("theory") + lexicon.in_scheme("method")
        for a in c.citation_authors
    }
    scheme_labels = phrase_pattern(
        [lbl for c in lexicon.in_scheme("theory") for lbl in c.labels if len(lbl) > 8]
    )
    stakeholders = lexicon.matcher("stakeholder")
    out: dict[str, tuple[Mention, list[tuple[int, int]]]] = {}
    for start, end, section in scope.sentences:
        if section in {"method", "references"}:
            continue
        for index, pattern in enumerate(_DISCOVERED_PATTERNS):
            for m in pattern.finditer(doc.text, start, end):
                raw = " ".join(m.group("label").split())
                label = _label(raw, head_first=index == 0)
                written = " ".join(m.group("authors").split())
                whole = label == raw and index == 0
                if whole and _INSTITUTION.match(written) and len(written.split()) <= 3:
                    label, authors = f"{label} {written}", []
                elif (
                    whole
                    and re.fullmatch(r"[A-Z]{2,8}", written)
                    and not any(True for _ in stakeholders.finditer(written))
                ):
                    authors = [written]  # "konsep good governance UNDP": an institution's
                else:
                    authors = _surnames(written)
                    # A person is cited with a year, "menurut", or a possessive.
                    introduced = re.search(
                        r"\b(?:menurut|oleh|dari|of|by|from)\s*$",
                        doc.text[m.start() : m.start("authors")],
                    )
                    # "teori modal sosial Putnam": a surname right after a named theory.
                    bare = (
                        index == 0
                        and whole
                        and len(written.split()) == 1
                        and not re.match(r"\s+[A-Z]", doc.text[m.end("authors") :])
                        and not any(True for _ in stakeholders.finditer(written))
                    )
                    if not authors or not (m.group("year") or introduced or index == 2 or bare):
                        continue
                    if _NOT_A_SURNAME.match(written):
                        continue
                if len(label.split()) < 2:
                    continue
                # A scheme theory cited here already, or one of its names: not a discovery.
                if any(m.start() <= s < m.end() + 20 for s, _ in known_spans):
                    continue
                # A scheme author without the year, under the scheme's own name: the scheme's.
                if (
                    authors
                    and authors[0].lower() in known_authors
                    and not m.group("year")
                    and scheme_labels.search(label)
                ):
                    continue
                if not authors and scheme_labels.search(label):
                    continue
                year = int(m.group("year")) if m.group("year") else None
                first = authors[0] if authors else label
                key = re.sub(r"[^a-z0-9]+", "-", f"{first} {year or ''}".lower()).strip("-")
                if year and _SECONDARY.search(doc.text, m.start("authors"), m.end("authors")):
                    year = None
                entry = out.get(key)
                if entry is None:
                    mention = Mention(
                        type="theory",
                        concept=DISCOVERED_BASE + key,
                        label=label,
                        name=label,
                        authors=tuple(authors),
                        year=year,
                        discovered=True,
                    )
                    entry = out[key] = (mention, [])
                elif entry[0].year is None and year:
                    entry[0].year = year
                entry[1].append((m.start(), m.end()))
                add_evidence(entry[0], quote_evidence(doc, scope, m.start(), m.end()))
    return list(out.values())


def _label(text: str, *, head_first: bool) -> str:
    # "continuum of collaboration": the head's own "of" phrase stays with it.
    tail = re.search(r"\s+of\s+[a-z][\w–-]*$", text) if not head_first else None
    if tail:
        return (_label(text[: tail.start()], head_first=False) + tail.group()).strip()
    words = text.split()
    stops = [i for i, w in enumerate(words) if _STOP_WORD.fullmatch(w.lower())]
    if head_first:
        return " ".join(words[: stops[0]] if stops else words)
    return " ".join(words[stops[-1] + 1 :] if stops else words)


def _surnames(authors: str) -> list[str]:
    authors = re.sub(r"\s+(?:et\.?\s*al\.?|dkk\.?)\s*$", "", authors)
    names = re.split(r"\s*,\s*|\s+(?:dan|and|&)\s+", authors)
    return [n.split()[-1] for n in names if n.strip() and n.split()[-1][0].isupper()]


def _has_coauthors(after: str, others: tuple[str, ...]) -> bool:
    window = after[:60]
    return bool(re.search(rf"\b{re.escape(others[0])}\b", window)) or bool(_ET_AL.match(window))


def _year_known(year: int, known: tuple[int, ...]) -> bool:
    # Reprints and new editions: allow a few years of drift from a known edition.
    return any(abs(year - k) <= 3 for k in known)


def _named(doc: Document, scope: Scope, concept: Concept, framework_cue: re.Pattern[str]):
    """The theory named without an author counts where the study says it uses it."""
    labels = [lbl for lbl in concept.labels if len(lbl) > 8]
    if not labels:
        return
    pattern = phrase_pattern(labels)
    for start, end, _section in scope.sentences:
        if not framework_cue.search(doc.text, start, end):
            continue
        for m in pattern.finditer(doc.text, start, end):
            yield m.start(), m.end(), None


def _uses_dimensions(doc: Document, scope: Scope, concept: Concept) -> bool:
    if len(concept.dimensions) < MIN_DIMENSIONS:
        return False
    pattern = phrase_pattern([d for d in concept.dimensions if len(d) > 4])
    seen: set[str] = set()
    for start, end, section in scope.sentences:
        if section not in _FINDING_SECTIONS:
            continue
        for m in pattern.finditer(doc.text, start, end):
            seen.add(" ".join(m.group().lower().split()))
    return len(seen) >= MIN_DIMENSIONS
