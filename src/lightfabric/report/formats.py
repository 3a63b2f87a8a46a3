"""JSON and CSV renderings of a comparison."""

from __future__ import annotations

import csv
import io
import json
import math

from lightfabric.compare import Comparison


def plain(obj):
    """``obj`` with numpy scalars made plain and NaN or infinite numbers made ``None`` (JSON has no
    NaN; ``json.dumps`` would write an invalid ``NaN`` or ``Infinity``)."""
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def json_text(obj, indent: int | None = 2) -> str:
    """Valid JSON of ``obj`` (see :func:`plain`)."""
    return json.dumps(plain(obj), indent=indent, allow_nan=False, default=str)


def to_json(comparison: Comparison, indent: int = 2) -> str:
    """The JSON contract: ``{"scenario": ..., "results": [...], "assumptions": [...]}``."""
    return json_text(comparison.to_dict(), indent=indent)


def to_csv(comparison: Comparison) -> str:
    """One row per technology, flat columns such as ``power_w.total`` and ``capex_usd``."""
    rows = comparison.to_rows()
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buf.getvalue()
