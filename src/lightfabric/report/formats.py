"""JSON and CSV renderings of a comparison."""

from __future__ import annotations

import csv
import io
import json

from lightfabric.compare import Comparison


def to_json(comparison: Comparison, indent: int = 2) -> str:
    """The JSON contract: ``{"scenario": ..., "results": [...], "assumptions": [...]}``."""
    return json.dumps(comparison.to_dict(), indent=indent)


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
