"""Catalog entries that apply to other parts (failure rates, value shares, packaging flows).

Such an entry names its target in ``applies_to``: a part id, a kind (``switch``), or a kind and a
selector (``module:lpo``, ``copper-cable:aec``) matched against the part's ``role``, ``variant``,
``technology`` or ``protocol``. The most specific entry wins: id, then ``kind:selector``, then kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from lightfabric.catalog.models import Part

SELECTOR_FIELDS = ("role", "variant", "technology", "protocol")

E = TypeVar("E")


def match_keys(part: Part) -> list[str]:
    """The ``applies_to`` values that can match ``part``, most specific first."""
    keys = [part.id]
    fields = vars(part)         # a part's fields (read here: a missing one is no exception raised and caught)
    for f in SELECTOR_FIELDS:
        value = fields.get(f)
        if isinstance(value, str):
            keys.append(f"{part.kind}:{value}")
    keys.append(part.kind)
    return keys


def index_by_target(entries: Iterable[E]) -> dict[str, E]:
    """Entries by their ``applies_to``."""
    return {e.applies_to: e for e in entries}


def most_specific(index: dict[str, E], part: Part) -> E | None:
    """The entry of ``index`` that applies to ``part`` most specifically, or None."""
    for k in match_keys(part):
        if k in index:
            return index[k]
    return None
