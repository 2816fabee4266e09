"""Graph-wide answers, remembered until the store's next write.

The policy questions read the whole graph (recurring obstacles take a second at 1,000 studies)
and are asked far more often than studies arrive. The embedded store counts its writes (a
generation, bumped by failed writes too); an answer is good for the generation it was computed
at. A remote store has no generation, since others may write to it, so nothing is kept there.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from kg.store import GraphStore

T = TypeVar("T")
MAX_CACHED_ANSWERS = 256


class AnswerCache:
    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._answers: dict[Hashable, tuple[int, object]] = {}

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, remembered until the store's next write."""
        generation = self.store.generation
        if generation is None:
            return compute()
        found = self._answers.get(key)
        if found is not None and found[0] == generation:
            return found[1]  # type: ignore[return-value]
        value = compute()
        if len(self._answers) > MAX_CACHED_ANSWERS:
            self._answers.clear()
        self._answers[key] = (generation, value)
        return value
