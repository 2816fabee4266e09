"""Obstacles the study reports, in the fixed categories of the obstacle scheme.

A sentence reports an obstacle when a category term sits next to a deficit word
("kurangnya koordinasi", "anggaran yang terbatas", "lack of trust"), or heads an item of an
enumeration an obstacle word opens ("Kendalanya yaitu anggaran …; koordinasi …; dan …",
"terkendala beberapa hal. Pertama, … Kedua, …"), or is a narrower term that tells the
obstacle as its effect ("keluarga memilih diam", "warga tidak tahu", "do not trust"), which
counts as its broader category. A term before the copula of an enumeration ("Kendala yang
dihadapi petugas adalah …") says whose obstacle it is and is not an item. Terms are matched
tolerantly ("kordinasi", "anggran").
Theory and method sections, recommendations ("perlu meningkatkan koordinasi") and
definitions are not findings and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.extract.common import Scope, add_evidence, found_by, quote_evidence
from ingest.lexicon import LabelHit, Lexicon, phrase_pattern
from ingest.model import Document, Mention, MentionMethod

FINDING_SECTIONS = {"abstract", "introduction", "results", "conclusion", "body", "other"}
# Words between a deficit word and its term ("kurangnya [tindakan] koordinasi") or between a
# term and a deficit word after it ("komunikasi yang [masih] terbatas").
DEFICIT_GAP_WORDS = 3
POSTPOSED_GAP_WORDS = 4
CUE_REACH_WORDS = 12
SUBJECT_GAP_WORDS = 8
# Adjectives that follow the noun in Indonesian: "anggaran yang terbatas", "SDM yang kurang".
_POSTPOSED = (
    "terbatas", "kurang", "minim", "rendah", "lemah", "belum optimal", "belum maksimal",
    "tidak memadai", "belum memadai", "tidak cukup", "belum cukup", "kekurangan", "tidak ada",
    "belum ada", "sangat terbatas", "masih kurang", "masih rendah", "masih lemah", "menghambat",
    "belum berjalan optimal", "belum berjalan maksimal", "belum berjalan dengan baik",
    "tidak berjalan optimal", "tidak berjalan dengan baik", "kurang optimal", "belum efektif",
    "lacking", "is limited", "are limited", "was limited", "is lacking", "are lacking", "is low",
    "is weak", "hindered", "tidak mencukupi", "belum mencukupi", "kurang memadai",
    "belum terbangun", "tidak terbangun", "belum terjalin", "tidak terjalin", "kurang terjalin",
    "belum terwujud", "belum tersedia", "tidak tersedia", "belum selaras", "tidak selaras",
    "belum jelas", "tidak jelas", "kurang jelas", "belum tertata", "jarang dilakukan",
    "jarang diadakan", "terkendala", "minim", "sangat minim", "belum berjalan", "tidak berjalan",
    "belum terpenuhi", "tidak terpenuhi", "is insufficient", "are insufficient", "is inadequate",
    "are inadequate", "was cut", "were cut", "is thin", "was thin", "remains weak",
    "has not yet been built", "have not yet been built", "has not been built", "not yet built",
    "is unclear", "are unclear", "rarely held", "is missing", "are missing", "remains low",
    "remain low", "is still low", "are still low", "remains limited", "remain limited",
    "masih manual", "still manual", "belum terintegrasi", "tidak terintegrasi", "not integrated",
    "not yet integrated", "tidak tersambung", "belum tersambung", "tidak terhubung",
    "belum terhubung", "belum dialokasikan", "tidak dialokasikan", "not allocated", "is scarce",
    "are scarce", "is poor", "are poor", "sangat kecil", "masih kecil", "terlalu kecil",
    "relatif kecil", "sangat sedikit", "masih sedikit", "terlalu sedikit", "yang jauh", "sangat jauh",
    "terlalu jauh", "too small", "very small", "too few", "very few", "shortage", "shortages",
    "tersendat", "macet", "mandek", "tidak lancar", "kurang lancar", "belum lancar", "stalled",
    "belum sesuai", "tidak sesuai", "kurang sesuai", "kecil", "small", "is small", "are small", "hanya cukup", "only enough", "only sufficient",
    "tidak rutin", "tidak teratur", "irregular", "sporadis", "sporadic", "menurun", "berkurang", "melemah", "declined", "declining", "decreased", "waned", "weakened",
)  # fmt: skip
# An English predicate after the term: "coordination remains poor", "referrals were slow".
_EN_PREDICATE = re.compile(
    r"\b(?:is|are|was|were|remains?|remained|still|has\s+been|have\s+been)\s+(?:\w+\s+)?"
    r"(?:poor|weak|low|limited|lacking|inadequate|insufficient|unclear|minimal|scarce|irregular|"
    r"slow|fragmented|absent|missing|ineffective|underfunded|understaffed|overloaded)\b",
    re.IGNORECASE,
)
# A negation after the term, in the same clause ("petunjuk teknis rujukan belum disahkan",
# "data ... tidak saling terhubung", "commitment does not last"), unless it negates the problem.
_NEGATION = re.compile(
    r"\b(?:belum|tidak|tak|not|never|no\s+longer|nyaris\s+tidak|hampir\s+tidak)\b(?!\s+(?:hanya|"
    r"only|saja|lagi|lepas|terlepas|menjadi\s+(?:masalah|kendala|hambatan)|ada\s+(?:masalah|"
    r"kendala|hambatan)|a\s+problem|an?\s+(?:issue|obstacle|barrier)|mengalami|menghambat|hinder))",
    re.IGNORECASE,
)
NEGATION_GAP_WORDS = 3
# People are not lacking because of what they do not do ("petugas tidak pernah menolak laporan"):
# after a term for staff, a negation counts only before a word of having or being enough.
_ENOUGH = re.compile(
    r"\s+(?:\w+\s+)?(?:ada|cukup|memadai|mencukupi|tersedia|terlatih|kompeten|profesional|"
    r"sebanding|sesuai|enough|sufficient|available|trained|qualified|adequate)\b",
    re.IGNORECASE,
)
# What reads as a deficit but is not one: a free service, a fear that is gone.
_NOT_A_DEFICIT = re.compile(
    r"\b(?:tanpa|tidak\s+(?:memungut|dipungut|dikenakan|membayar|perlu\s+membayar))\s+biaya|"
    r"\bfree\s+of\s+charge|\b(?:not|tidak|tak|no\s+longer)\s+(?:lagi\s+)?(?:afraid|takut|malu|"
    r"ragu|segan|enggan|reluctant|ashamed)\b",
    re.IGNORECASE,
)
_COMPLEMENT = re.compile(r"\b(?:tentang|mengenai|terkait|about|on|of|regarding)\s+$", re.I)
# A negated verb before the term: "does not divide authority", "belum menerima honor".
_NEGATED_VERB = re.compile(
    r"\b(?:tidak|belum|tak|not|never)\s+(?:yet\s+|pernah\s+|been\s+)?"
    r"(?!hanya\b|only\b|lepas\b|terlepas\b|menjadi\b|menghambat\b|hinder)[a-z]+\b",
    re.IGNORECASE,
)
# Words that open another clause between a term and a negation: the negation is not the term's.
_SUBORDINATOR = re.compile(
    r"\b(?:agar|supaya|sehingga|karena|sebab|ketika|saat|jika|apabila|untuk|bagi|because|so|since|"
    r"when|if|to|for|who|which|that|while|bahwa|merasa|menilai|menganggap|mengatakan|menyatakan|"
    r"said|says|felt|feel|feels|think|thinks|believe|believes|dan|and|serta|atau|or)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:]|\b(namun|tetapi|but|however|sedangkan|whereas)\b", re.I)
_CONJUNCTION = re.compile(r"\s*(?:,\s*)?(?:dan|serta|atau|and|or|&)?\s*(?:,\s*)?", re.I)
_PREPOSITION = re.compile(
    r"\s+(?:for|of|in|to|untuk|bagi|dalam|di|pada|dari)\s+(?:(?:the|a|an|para)\s+)?", re.I
)
# Where one item of an enumeration ends and the next begins.
_ITEM_BREAK = re.compile(
    r"[;:,]|\b(?:pertama|kedua|ketiga|keempat|kelima|selanjutnya|terakhir|first|second|third|"
    r"fourth|fifth|finally|lastly)\b|\(\w\)|(?<!\w)\d\)",
    re.IGNORECASE,
)
# An item that starts as a consequence or a relative clause is not an obstacle of its own.
_SUBORDINATE = re.compile(
    r"\s*(?:sehingga|maka|yang|so that|so|which|who|that|thus|hence)\b", re.IGNORECASE
)
# A sentence that continues an enumeration an earlier sentence opened.
_ORDINAL_START = re.compile(
    r"\W*(?:pertama|kedua|ketiga|keempat|kelima|selanjutnya|terakhir|selain itu|di samping itu|"
    r"first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|finally|lastly|moreover)\b",
    re.IGNORECASE,
)
_ORDINAL = re.compile(
    r"\b(?:pertama|kedua|ketiga|keempat|kelima|first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth)\b",
    re.IGNORECASE,
)
# "konselor yang ada hanya tiga orang", "staff … only two": a count given as too few.
_ONLY_COUNT = re.compile(
    r"\b(?:hanya|cuma|only)\s+(?:\d+|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|"
    r"sepuluh|beberapa|sedikit|one|two|three|four|five|six|seven|eight|nine|ten|a few|a handful)\b",
    re.IGNORECASE,
)
# "Kendala yang dihadapi petugas adalah anggaran": the list starts after the copula; a term
# before it ("petugas") says whose obstacle it is.
_COPULA = re.compile(
    r"\b(?:adalah|yaitu|ialah|yakni|meliputi|mencakup|berupa|antara lain|di antaranya|"
    r"diantaranya|namely|include|includes|included|including|are|were|is|was)\b|:",
    re.IGNORECASE,
)
_SHORT_DEFICIT = re.compile(r"no|only|without|tanpa|few", re.IGNORECASE)
_NEGATED_DEFICIT = re.compile(r"\b(?:tidak|bukan|not)\s*$", re.IGNORECASE)
ITEM_REACH_WORDS = 12
# An obstacle word that is a verb or an adjective ("menyulitkan korban datang ke kantor",
# "hindered coordination") governs the word right after it, not a list.
_VERB_CUE = re.compile(
    r"(?:menghambat|terhambat|menyulitkan|terkendala|sulit|hinders?|hindered|hindering|"
    r"impeded?|hampered|constrained|difficult)",
    re.IGNORECASE,
)
VERB_CUE_REACH_WORDS = 2
_CONTRAST = re.compile(r"\b(namun|tetapi|akan tetapi|but|however|meskipun|walaupun)\b", re.I)
_GOING_WELL = re.compile(
    r"\b(sudah|telah)\s+(berjalan|terjalin|dilakukan)\s+(dengan\s+)?(baik|optimal|lancar)\b|"
    r"\b(went|worked|running)\s+well\b",
    re.IGNORECASE,
)


def extract_obstacles(doc: Document, scope: Scope, lexicon: Lexicon) -> list[Mention]:
    terms = lexicon.matcher("obstacle")
    deficit = lexicon.cue_pattern("deficitCue")
    obstacle_cue = lexicon.cue_pattern("obstacleCue")
    non_finding = lexicon.cue_pattern("nonFindingCue")
    postposed = phrase_pattern(list(_POSTPOSED))
    found: dict[str, Mention] = {}
    carrying = False  # the previous sentence opened an enumeration of obstacles
    for start, end, section in scope.sentences:
        if section not in FINDING_SECTIONS:
            carrying = False
            continue
        text = doc.text
        before = [(m.start(), m.end()) for m in obstacle_cue.finditer(text, start, end)]
        if carrying and _ORDINAL_START.match(text, start, end):
            before.insert(0, (start, start))
        if before:
            # "terkendala dua hal: pertama …, kedua …": each numbered item opens like a cue.
            before += [(m.start(), m.start()) for m in _ORDINAL.finditer(text, before[0][1], end)]
        cues = Cues(
            deficits=[
                (m.start(), m.end())
                for m in deficit.finditer(text, start, end)
                if not _NEGATED_DEFICIT.search(text, max(start, m.start() - 8), m.start())
            ],
            before=before,
            inherent=[],
            after=sorted(
                (m.start(), m.end())
                for pattern in (postposed, _ONLY_COUNT, _EN_PREDICATE)
                for m in pattern.finditer(text, start, end)
            ),
            negations=[(m.start(), m.end()) for m in _NEGATION.finditer(text, start, end)],
            negated_verbs=[(m.start(), m.end()) for m in _NEGATED_VERB.finditer(text, start, end)],
            sentence_start=start,
        )
        carrying = bool(before)
        # What follows "perlu", "sebaiknya", "should" is a recommendation, not a finding.
        advice = non_finding.search(text, start, end)
        cut = advice.start() if advice else end
        reported: list[LabelHit] = []
        hits = [
            h
            for h in terms.finditer(text, start, cut, tolerant=True)
            if not _proper_name(text, h, start)
        ]
        hits = _with_pattern_hits(hits, lexicon, text, start, cut)
        spared = [(m.start(), m.end()) for m in _NOT_A_DEFICIT.finditer(text, start, cut)]
        hits = [
            h for h in hits if not any(a <= h.start < b or h.start <= a < h.end for a, b in spared)
        ]
        cues.inherent.extend(
            (h.start, h.end) for h in hits if lexicon.concepts[h.iri].match_policy == "inherent"
        )
        for hit in hits:
            inherent = lexicon.concepts[hit.iri].match_policy == "inherent"
            if not inherent and not _reported(text, hit, reported, cues, hits):
                continue
            if _GOING_WELL.search(text, hit.end, min(end, hit.end + 60)):
                continue
            reported.append(hit)
            top = _top_concept(lexicon, hit.iri)
            concept = lexicon.concepts[top]
            mention = found.get(top)
            if mention is None:
                mention = found[top] = Mention(
                    type="obstacle",
                    concept=top,
                    label=concept.label("en"),
                    name=concept.label("id"),
                )
            found_by(mention, _method(hit))
            add_evidence(mention, quote_evidence(doc, scope, hit.start, hit.end))
    return list(found.values())


@dataclass(frozen=True, slots=True)
class Cues:
    deficits: list[tuple[int, int]]  # "kurangnya", "lack of"
    before: list[tuple[int, int]]  # "kendala", "hambatan", "menghambat"
    after: list[tuple[int, int]]  # "yang terbatas", "masih kurang"
    inherent: list[tuple[int, int]]  # terms that are obstacles by themselves ("memilih diam")
    negations: list[tuple[int, int]] = field(default_factory=list)  # "belum", "not"
    negated_verbs: list[tuple[int, int]] = field(default_factory=list)  # "tidak memiliki"
    sentence_start: int = 0


def _method(hit: LabelHit) -> MentionMethod:
    return "pattern" if hit.method == "pattern" else "fuzzy" if hit.method == "fuzzy" else "rule"


def _proper_name(text: str, hit: LabelHit, sentence_start: int) -> bool:
    """'Kota Medan', 'Pulau Hiri': a lower-case term written capitalised in running prose is
    part of a name, not the term ('medan' is terrain). Acronyms and all-capital headings are
    not names; neither is a capital after a list mark or at the start of a sentence."""
    if not hit.label[:1].isupper() or hit.label.isupper():
        return False
    if any(c.isupper() for c in hit.label[1:] if c.isalpha()) and " " not in hit.label:
        return False  # "SDM-nya", "MoU": an acronym's spelling
    before = text[sentence_start : hit.start].rstrip()
    return bool(before) and (before[-1].isalnum() or before[-1] == ",")


def _with_pattern_hits(
    hits: list[LabelHit], lexicon: Lexicon, text: str, start: int, end: int
) -> list[LabelHit]:
    """Label hits plus the effects the scheme's patterns find; a pattern hit inside a label hit
    of the same concept adds nothing."""
    found = list(hits)
    for pattern, iri in lexicon.patterns("obstacle"):
        for m in pattern.finditer(text, start, end):
            if any(h.start <= m.start() < h.end and h.iri == iri for h in found):
                continue
            found.append(LabelHit(m.start(), m.end(), m.group(), iri, "pattern"))
    found.sort(key=lambda h: (h.start, -(h.end - h.start)))
    return found


def _top_concept(lexicon: Lexicon, iri: str) -> str:
    """A narrower obstacle ("memilih diam") counts as its top category ("reporting_stigma")."""
    seen = {iri}
    concept = lexicon.concepts[iri]
    while concept.broader and concept.broader[0] in lexicon.concepts:
        iri = concept.broader[0]
        if iri in seen:
            break
        seen.add(iri)
        concept = lexicon.concepts[iri]
    return iri


def _reported(
    text: str, hit: LabelHit, earlier: list[LabelHit], cues: Cues, hits: list[LabelHit]
) -> bool:
    start, end = hit.start, hit.end
    # "kurangnya koordinasi": the first term after a deficit word is what is lacking.
    for d_start, d_end in cues.deficits:
        # "no", "only", "tanpa" reach one word: "no safe house", not "no problem with funding".
        reach = 1 if _SHORT_DEFICIT.fullmatch(text, d_start, d_end) else DEFICIT_GAP_WORDS
        near = d_end <= start and _words_between(text, d_end, start) <= reach
        first = not any(d_end <= e.start < start for e in earlier)
        if near and _chained(text, earlier, start):
            return True
        if near and first and not _CLAUSE_BREAK.search(text, d_end, start):
            return True
    # "anggaran yang terbatas": a deficit word after the term, in the same clause; further off
    # ("Koordinasi antara A dan B dalam … belum terjalin") when the term heads the clause.
    for a_start, _ in cues.after:
        if a_start < end or _CLAUSE_BREAK.search(text, end, a_start):
            continue
        gap = _words_between(text, end, a_start)
        # "kader sukar menjangkau pedukuhan yang jauh": a term that tells an obstacle by itself
        # stands between, and the deficit word is its.
        claimed = any(end <= s < a_start for s, _ in cues.inherent)
        if gap <= POSTPOSED_GAP_WORDS and not claimed:
            return True
        if gap <= SUBJECT_GAP_WORDS and _heads_clause(text, hit, hits, a_start):
            return True
    # "petunjuk teknis rujukan belum disahkan": a negation after the term in its clause.
    for n_start, n_end in cues.negations:
        if n_start < end or _CLAUSE_BREAK.search(text, end, n_start):
            continue
        gap = _words_between(text, end, n_start)
        if gap > NEGATION_GAP_WORDS and not (
            gap <= SUBJECT_GAP_WORDS and _opens_clause(text, hit, cues.sentence_start)
        ):
            continue
        if _SUBORDINATOR.search(text, end, n_start):
            continue
        if any(end <= s < n_start for s, _ in cues.inherent):
            continue
        if _COMPLEMENT.search(text, max(0, start - 12), start):
            continue  # "informasi tentang perda hampir tidak sampai": the term is not the subject
        if hit.iri.endswith("/human_resources") and not _ENOUGH.match(text, n_end):
            continue
        if _heads_clause(text, hit, hits, n_start):
            return True
    # "does not divide authority": the term right after a negated verb.
    for _, v_end in cues.negated_verbs:
        near = v_end <= start and _words_between(text, v_end, start) <= 1
        if near and not _CLAUSE_BREAK.search(text, v_end, start):
            return True
    for c_start, c_end in cues.before:
        # "Kendala … adalah anggaran; …; dan koordinasi …": the term heads an item of the
        # enumeration the obstacle word opens, not a modifier ("dana untuk rumah aman").
        # A verb cue reaches only the words right after it.
        verb = _VERB_CUE.fullmatch(text, c_start, c_end) is not None
        if (
            c_end <= start
            and not (verb and _words_between(text, c_end, start) > VERB_CUE_REACH_WORDS)
            and not _modifies(text, earlier, start)
            and not _CONTRAST.search(text, c_end, start)
            and _heads_item(text, c_end, hit, earlier, hits)
        ):
            return True
        # "… pertemuan formal menghambat kemajuan": the term is the subject of the verb.
        if (
            c_start >= end
            and _words_between(text, end, c_start) <= SUBJECT_GAP_WORDS
            and not _CLAUSE_BREAK.search(text, end, c_start)
        ):
            return True
    return False


def _opens_clause(text: str, hit: LabelHit, sentence_start: int) -> bool:
    """The term opens its sentence or clause ("Anggaran yang dialokasikan … belum sesuai"), at
    most after one word ("Namun", "The"): it is what the clause is about."""
    clause_start = sentence_start
    for m in re.finditer(r"[,;:]", text[sentence_start : hit.start]):
        clause_start = sentence_start + m.end()
    return _words_between(text, clause_start, hit.start) <= 1


def _heads_clause(text: str, hit: LabelHit, hits: list[LabelHit], until: int) -> bool:
    """No other term in the clause before the term, nor between it and `until`."""
    clause_start = 0
    for m in _CLAUSE_BREAK.finditer(text, 0, hit.start):
        clause_start = m.end()
    return not any(
        h is not hit and (clause_start <= h.start < hit.start or hit.end <= h.start < until)
        for h in hits
    )


def _heads_item(
    text: str, cue_end: int, hit: LabelHit, earlier: list[LabelHit], hits: list[LabelHit]
) -> bool:
    """The term is the first one of its item after the cue (or joined to a reported one)."""
    start = hit.start
    if _chained(text, earlier, start):
        return True
    copulas = list(_COPULA.finditer(text, cue_end, start))
    if not copulas:
        ahead = text[hit.end : hit.end + 80].split(".")[0]
        next_break = _ITEM_BREAK.search(ahead)
        copula = _COPULA.search(ahead, 0, next_break.start() if next_break else len(ahead))
        if copula is not None:
            return False  # the term stands before the copula: it is not an item
    item_start = copulas[-1].end() if copulas else cue_end
    for m in _ITEM_BREAK.finditer(text, item_start, start):
        item_start = m.end()
    if any(item_start <= h.start < start for h in hits if h is not hit):
        return False
    first_item = not _ITEM_BREAK.search(text, copulas[-1].end() if copulas else cue_end, start)
    if not first_item and _SUBORDINATE.match(text, item_start, start):
        return False
    reach = CUE_REACH_WORDS if first_item else ITEM_REACH_WORDS
    return _words_between(text, item_start, start) <= reach


def _chained(text: str, earlier: list[LabelHit], start: int) -> bool:
    """'kurangnya koordinasi dan komunikasi': a term joined to a reported one by 'dan' or ','."""
    if not earlier:
        return False
    return _CONJUNCTION.fullmatch(text[earlier[-1].end : start]) is not None


def _modifies(text: str, earlier: list[LabelHit], start: int) -> bool:
    return bool(earlier) and _PREPOSITION.fullmatch(text[earlier[-1].end : start]) is not None


def _words_between(text: str, a: int, b: int) -> int:
    return len(re.findall(r"[\w-]+", text[a:b]))
