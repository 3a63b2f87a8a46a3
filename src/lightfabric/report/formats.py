"""JSON and CSV renderings: of a comparison, of any list of flat rows, and the rows of one link's
budget and of one port's lasers."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:   # for the annotations only: the JSON helpers here load without the pipeline
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
    return rows_to_csv(comparison.to_rows())


def rows_to_csv(rows: list[dict]) -> str:
    """CSV of flat rows: the columns of every row in order of first appearance, a missing or None
    value left empty, a list joined with "; "."""
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in plain(rows):
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buf.getvalue()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return value


def link_rows(link: dict) -> list[dict]:
    """One row per element of a link budget (``LinkResult.to_dict()``), then a ``margin`` row with the
    receiver's figures, the margin, the BER and whether the link closes."""
    head = {"technology": link["technology"], "lane_rate_gbps": link["lane_rate_gbps"], "length_m": link["length_m"]}
    rows = [{**head, "element": e["name"], "part": e.get("part") or "",
             **{k: v for k, v in e.items() if k not in ("name", "part")}} for e in link["elements"]]
    details = link.get("details") or {}
    rows.append({**head, "element": "margin", "margin_db": link["margin_db"],
                 "received_oma_dbm": link["received_oma_dbm"], "sensitivity_dbm": link["sensitivity_dbm"],
                 "penalties_db": link["penalties_db"], "pre_fec_ber": link["ber"], "post_fec_ber": link["post_fec_ber"],
                 "channel_loss_db": details.get("channel_loss_db"), "loss_budget_db": details.get("loss_budget_db"),
                 "reach_m": details.get("reach_m"), "feasible": link["feasible"], "reasons": link["reasons"]})
    return rows


def laser_rows(report: dict) -> list[dict]:
    """One row per figure of a port's lasers (``laser_report``): ``quantity`` (its name, with its unit)
    and ``value``; notes and reasons as rows of their own."""
    return [{"quantity": k, "value": v} for k, v in report.items()]
