"""Faces of a comparison: terminal table, JSON and CSV. They draw; they compute nothing."""

from lightfabric.report.formats import to_csv, to_json
from lightfabric.report.table import comparison_table, sources_table

__all__ = ["comparison_table", "sources_table", "to_csv", "to_json"]
