"""Errors that lightfabric reports to its users.

Every error a user can cause (a bad scenario, an unknown part, an impossible topology) is raised
as a :class:`LightfabricError` whose message names the field, the value and what is allowed. The
CLI prints the message and exits with code 2; it never shows a traceback for these.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class LightfabricError(Exception):
    """An error in the user's input, reported as one clear message."""

    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None, value: object = None,
                 allowed: str | None = None, location: str | None = None):
        self.field = field
        self.value = value
        self.allowed = allowed
        self.location = location
        super().__init__(message)

    @classmethod
    def for_field(cls, field: str, value: object, allowed: str, *, problem: str | None = None,
                  location: str | None = None) -> "LightfabricError":
        """Build the standard message: ``field: got VALUE; allowed: ALLOWED``."""
        where = f"{location}: " if location else ""
        what = f" ({problem})" if problem else ""
        msg = f"{where}{field}: got {value!r}{what}; allowed: {allowed}"
        return cls(msg, field=field, value=value, allowed=allowed, location=location)


class WorkTooLarge(LightfabricError):
    """A request whose work exceeds a stated bound (a 413 in the web API)."""

    status = 413


class ScenarioError(LightfabricError):
    """The scenario file cannot be read or does not validate."""


class CatalogError(LightfabricError):
    """A catalog entry or an override is invalid, or a part id is unknown."""


class TopologyError(LightfabricError):
    """The cluster cannot be built with the chosen switch, port rate and tiers."""


def either(choices: Iterable[str]) -> str:
    """``a, b or c``: the allowed values as a user reads them."""
    choices = list(choices)
    return choices[0] if len(choices) == 1 else ", ".join(choices[:-1]) + " or " + choices[-1]


def closest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The closest matches of ``word`` among ``choices`` (for "did you mean" hints)."""
    choices = list(choices)
    found = difflib.get_close_matches(word, choices, n=n, cutoff=0.5)
    if not found:
        found = [c for c in choices if word.lower() in c.lower() or c.lower() in word.lower()][:n]
    return found


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A "did you mean" phrase, or an empty string when nothing is close."""
    found = closest(word, choices)
    return f" (did you mean {', '.join(repr(f) for f in found)}?)" if found else ""
