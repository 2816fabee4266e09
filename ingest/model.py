"""Plain data classes passed from ingest to kg and search.

They carry no RDF and no I/O, so every later stage can be tested on hand-made values.
Offsets are character offsets into `Document.text`, the cleaned text of the whole document;
`Document.page_at` turns an offset into a page number so that evidence can cite its page.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

MentionType = Literal["stakeholder", "theory", "method", "obstacle", "place"]
PlaceRole = Literal["studied", "mentioned"]
TheoryRole = Literal["framework", "cited"]
DocumentKind = Literal["article", "thesis", "report", "other"]
# How a mention was found: a label of the scheme with its cue ("rule"), a label matched despite
# a typo ("fuzzy"), a pattern of the scheme that tells it in other words ("pattern"), or a
# stakeholder or theory the scheme lacks ("discovered").
MentionMethod = Literal["rule", "fuzzy", "pattern", "discovered"]


@dataclass(frozen=True, slots=True)
class Evidence:
    page: int
    quote: str
    start: int  # offset of the quote in Document.text
    end: int
    section: str = ""


@dataclass(slots=True)
class Mention:
    """One concept found in a document, with every passage that supports it."""

    type: MentionType
    concept: str  # concept IRI (place IRIs are built by kg from `code`)
    label: str
    evidence: list[Evidence] = field(default_factory=list)
    role: str | None = None  # framework|cited for theories, studied|mentioned for places
    name: str | None = None  # full name of a stakeholder, phrase of an obstacle
    # Places only: official Kemendagri region, e.g. code "21.04", level "regency".
    code: str | None = None
    level: str | None = None
    province: str | None = None
    parent_codes: tuple[str, ...] = ()
    # Theories only: the citation as the text gives it.
    authors: tuple[str, ...] = ()
    year: int | None = None
    # A stakeholder the scheme lacked, defined in the text as "Full Name (ACRONYM)".
    discovered: bool = False
    # The most reliable way it was found, and how often that way is right (0-1, measured).
    method: MentionMethod = "rule"
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    affiliation: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    raw: str
    authors: tuple[str, ...]
    year: int | None
    title: str | None


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    kind: (
        str  # normalised: abstract, introduction, theory, method, results, conclusion, references …
    )
    start: int
    end: int
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """A chunk of ~80–200 words inside one section: the unit of search and of evidence."""

    index: int
    text: str
    start: int
    end: int
    page: int
    section: str


@dataclass(slots=True)
class Document:
    id: str  # first 16 hex digits of sha256(content)
    sha256: str
    filename: str
    text: str
    page_starts: list[int]  # offset where each page starts in `text`
    title: str = ""
    year: int | None = None
    language: str = "id"
    kind: DocumentKind = "other"
    authors: list[Author] = field(default_factory=list)
    abstracts: dict[str, str] = field(default_factory=dict)  # language code -> text
    keywords: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    source_format: Literal["pdf", "record"] = "pdf"

    @property
    def pages(self) -> int:
        return len(self.page_starts)

    def page_at(self, offset: int) -> int:
        """1-based page of a character offset."""
        return max(1, bisect.bisect_right(self.page_starts, offset))

    def section_at(self, offset: int) -> Section | None:
        for section in self.sections:
            if section.start <= offset < section.end:
                return section
        return None

    def evidence(self, start: int, end: int) -> Evidence:
        section = self.section_at(start)
        return Evidence(
            page=self.page_at(start),
            quote=self.text[start:end],
            start=start,
            end=end,
            section=section.kind if section else "",
        )
