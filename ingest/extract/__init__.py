"""Mentions of stakeholders, theories, methods, obstacles and places, each with evidence."""

from __future__ import annotations

from ingest.extract.common import Scope, calibrate
from ingest.extract.obstacles import extract_obstacles
from ingest.extract.places import extract_places
from ingest.extract.stakeholders import extract_stakeholders
from ingest.extract.theories import extract_theories
from ingest.lexicon import Lexicon
from ingest.model import Document, Mention

# Recorded on every mention (kg.model); raise it when extraction changes, so that
# `jejaring reextract` and a reader can tell which mentions an older extractor made.
EXTRACTOR_VERSION = "0.3"


def extract_mentions(doc: Document, lexicon: Lexicon) -> list[Mention]:
    scope = Scope.of(doc)
    mentions: list[Mention] = []
    mentions += extract_stakeholders(doc, scope, lexicon)
    mentions += extract_theories(doc, scope, lexicon)
    mentions += extract_obstacles(doc, scope, lexicon)
    mentions += extract_places(doc, scope)
    calibrate(mentions)
    return mentions


__all__ = ["EXTRACTOR_VERSION", "extract_mentions"]
