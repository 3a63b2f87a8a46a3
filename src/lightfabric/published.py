"""Figures published for a scenario's cluster (``published:`` in the scenario), set beside the tool's.

Each entry names the command whose output shows it and the dotted paths of the tool's figure in
that command's JSON row of each design; the values at the paths are added (a published count of
"switch and cable" interruptions is the tool's switches, optics and cables together).
"""

from __future__ import annotations

from lightfabric.errors import LightfabricError


def _at(row: dict, path: str):
    value = row
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value if isinstance(value, (int, float)) else None


def beside(scenario, command: str, results: list[dict]) -> list[dict]:
    """The scenario's published figures for ``command``, each with the tool's figure per feasible
    design and whether it lies in the published range (``low``-``high``; None when none is given).
    A path that names no number in a feasible design's row is refused naming the field."""
    out = []
    for i, p in enumerate(scenario.published):
        if p.command != command:
            continue
        tool, within = {}, {}
        for r in results:
            if not r.get("feasible"):
                continue
            values = [_at(r, path) for path in p.figure]
            missing = [path for path, v in zip(p.figure, values) if v is None]
            if missing:
                raise LightfabricError.for_field(
                    f"published[{i}].figure", missing[0], f"a dotted path to a number in the {command} JSON of a design "
                    f"(lightfabric {command} --format json), e.g. job.interruptions_per_day",
                    location=scenario.location("published", i, "figure"))
            tool[r["technology"]] = float(sum(values))
            within[r["technology"]] = (None if p.low is None or p.high is None
                                       else bool(p.low <= tool[r["technology"]] <= p.high))
        out.append({"label": p.label, "value": p.value, "unit": p.unit, "low": p.low, "high": p.high,
                    "source": p.source, "figure": list(p.figure), "tool": tool, "within_range": within})
    return out
