"""Facts and their subscribers.

A package announces what it did as a fact (a small frozen dataclass it defines, such as
`IncidentActed`); what follows in other packages (deadlines, queue offers, missing-person
checks) subscribes to the fact type at the composition root (`cad110/runtime.py`). A
subscriber runs in the emitter's transaction, in the order it was registered, so a refusal
anywhere undoes the whole change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from cad110.kernel.context import Ctx

F = TypeVar("F")
Subscriber = Callable[["Ctx", Any], None]


class Hooks:
    """Subscribers by fact type, each list in registration order."""

    def __init__(self) -> None:
        self._by_fact: dict[type, list[Subscriber]] = {}

    def on(self, fact: type[F], subscriber: Callable[[Ctx, F], None]) -> None:
        self._by_fact.setdefault(fact, []).append(subscriber)

    def emit(self, ctx: Ctx, fact: object) -> None:
        for subscriber in self._by_fact.get(type(fact), ()):
            subscriber(ctx, fact)

    def subscribers(self, fact: type) -> list[str]:
        """Who follows `fact`, in order (for the docs and the tests)."""
        return [f"{s.__module__}.{s.__qualname__}" for s in self._by_fact.get(fact, ())]
