"""The scenarios and the slow-path sweep that tests/test_build_speed.py compares against stored outputs.

``python tests/build_speed_cases.py`` records ``tests/data/build_speed_reference.json`` (run it only
to accept a deliberate change of results: the file holds the outputs of the code before issue 25's
build-speed work, against which the faster code is checked).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data" / "build_speed_reference.json"
EXAMPLES = Path(__file__).resolve().parent.parent / "src" / "lightfabric" / "examples"

# sizes and placements on two switches: partial racks, rows, halls and buildings included
_TH5 = {"switch": "tomahawk-5", "port_rate_gbps": 800, "nic": "connectx-8"}
_TH6 = {"switch": "tomahawk-6-100g", "port_rate_gbps": 400, "nic": "connectx-8"}
_PLACEMENTS = {
    "eor": {},
    "tor": {"leaf_location": "top-of-rack"},
    "mor": {"leaf_location": "middle-of-row"},
    "small-racks": {"gpus_per_rack": 8, "racks_per_row": 10, "rows_per_hall": 7, "leaf_location": "top-of-rack"},
    "campus": {"gpus_per_rack": 64, "racks_per_row": 12, "rows_per_hall": 5, "halls_per_building": 3,
               "hall_columns": 2, "leaf_location": "middle-of-row"},
}


def sized_scenarios() -> dict[str, dict]:
    """Scenario bodies of several sizes (512 to 1M GPUs), switches, oversubscriptions and placements."""
    out = {}
    for gpus in (512, 1000, 4096, 12345, 32768, 65536):
        for pname, place in _PLACEMENTS.items():
            for over in (1.0, 3.0):
                out[f"th5-{gpus}-{pname}-o{over:g}"] = {
                    "name": f"th5-{gpus}", "cluster": {"gpus": gpus, "gpu": "gb300"},
                    "scale_out": {**_TH5, "oversubscription": over}, "placement": place,
                    "technologies": ["pluggable-dsp", "lpo", "cpo"]}
    for gpus in (512, 100_000, 262_144, 1_000_000):
        for pname, place in _PLACEMENTS.items():
            out[f"th6-{gpus}-{pname}"] = {
                "name": f"th6-{gpus}", "cluster": {"gpus": gpus, "gpu": "gb300"}, "scale_out": dict(_TH6),
                "placement": place, "technologies": ["pluggable-dsp", "lpo", "cpo"]}
    return out


# the slow path of a sweep: every point a new fabric
SLOW_SWEEP = {
    "base": "default",
    "sample": {"method": "grid"},
    "axes": {
        "cluster.gpus": [1024, 6000, 32768],
        "scale_out.switch": ["tomahawk-5", "tomahawk-6-100g"],
        "scale_out.port_rate_gbps": [400, 800],
        "scale_out.tiers": [2, 3, "auto"],
        "scale_out.oversubscription": [1.0, 2.0],
    },
}


def _num(x):
    if x is None or isinstance(x, (bool, str)):
        return x
    x = float(x)
    return None if math.isnan(x) else x


def lengths_record(plan) -> dict:
    """Per link group: min, mean, p50, p95, max (m) and the source."""
    return {name: [s.min_m, s.mean_m, s.p50_m, s.p95_m, s.max_m, s.source] for name, s in plan.lengths.items()}


def compare_record(comparison) -> dict:
    """The lengths and, per design, feasibility, the chosen technologies and parts, and the totals."""
    results = {}
    for r in comparison.results:
        rec = {"feasible": r.feasible, "reasons": list(r.reasons)}
        if r.feasible:
            rec.update(capex_usd=r.capex_usd, energy_usd=r.energy_usd, capex_energy_usd=r.capex_energy_usd,
                       power_w=dict(r.power_w), bom={k: _num(v) for k, v in r.bom.items()},
                       groups=[[g.name, g.technology, g.lower_end.part_id,
                                g.upper_end.part_id if g.upper_end else None, g.medium.id, g.cables]
                               for g in r.design.link_groups])
        results[r.technology] = rec
    return {"lengths": lengths_record(comparison.plan), "results": results}


def run_cases() -> dict:
    """Every example and sized scenario through ``compare``: name -> record (or the error's text)."""
    import lightfabric
    from lightfabric.errors import LightfabricError
    out = {}
    bodies = {f"example:{p.stem}": yaml.safe_load(p.read_text()) for p in sorted(EXAMPLES.glob("*.yaml"))}
    bodies.update(sized_scenarios())
    for name, body in bodies.items():
        try:
            sc = lightfabric.parse_scenario(yaml.safe_dump(body))
            out[name] = compare_record(lightfabric.compare(sc))
        except LightfabricError as e:
            out[name] = {"error": str(e)}
    return out


def run_slow_sweep(tmp: Path) -> dict:
    """The rows of the slow-path sweep, evaluated in this process: column -> list."""
    from lightfabric.sweep import load_sweep
    from lightfabric.sweep.evaluate import FabricCache, evaluate_partition
    from lightfabric.sweep.spec import size
    path = tmp / "slow.yaml"
    path.write_text(yaml.safe_dump(SLOW_SWEEP))
    sweep = load_sweep(path)
    cols = evaluate_partition(sweep.spec, sweep.base, 0, size(sweep.spec), FabricCache())
    return {k: [_num(x) if not isinstance(x, str) else x for x in v.tolist()] for k, v in cols.items()}


def main() -> None:
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        data = {"cases": run_cases(), "slow_sweep": run_slow_sweep(Path(d))}
    DATA.write_text(json.dumps(data, indent=0, sort_keys=True))
    print(f"wrote {DATA} ({len(data['cases'])} scenarios, {len(data['slow_sweep']['point'])} sweep rows)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
