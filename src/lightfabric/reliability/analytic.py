"""Expected failures, downtime and repairs of a design, in closed form.

Failures of each class are a Poisson process (constant rates: the flat bottom of the bathtub).
By Little's law the expected number of units in repair is rate x mean repair time, so the
expected GPUs down is the sum over classes of rate x (wait x GPUs cut while waiting + swaps per
failure x replace x GPUs cut while replacing); the same holds for links down. Overlapping failures
on the same GPUs are counted twice, which over-counts by a negligible amount at these rates. What
the failures do to the jobs is :mod:`~lightfabric.reliability.jobs`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from lightfabric.reliability.inventory import FailureClass
from lightfabric.reliability.rates import HOURS_PER_DAY


@dataclass
class Expectation:
    failures_per_day: dict[str, float]          # by part
    failures_per_day_by_category: dict[str, float]
    flaps_per_day: float
    gpus_down_mean: float
    links_down_mean: dict[str, float]           # by link group
    link_availability: dict[str, float]         # by link group
    bisection_availability: float
    swaps_per_day: float


def expectation(classes: list[FailureClass], *, gpus: int, group_links: dict[str, int],
                bisection_groups: list[str]) -> Expectation:
    by_part: dict[str, float] = defaultdict(float)
    by_cat: dict[str, float] = defaultdict(float)
    links_down: dict[str, float] = defaultdict(float)
    gpus_down = flaps = swaps = 0.0
    for fc in classes:
        r = fc.rate_per_h
        by_part[fc.part] += r * HOURS_PER_DAY
        by_cat[fc.category] += r * HOURS_PER_DAY
        flaps += fc.flap_rate_per_h * HOURS_PER_DAY
        swaps += fc.swaps_per_h * HOURS_PER_DAY
        replace_h = fc.swaps_per_failure * fc.replace_h
        gpus_down += r * (fc.wait_h * fc.gpus_waiting + replace_h * fc.gpus_replacing)
        for g, n in fc.links_waiting.items():
            links_down[g] += r * fc.wait_h * n
        for g, n in fc.links_replacing.items():
            links_down[g] += r * replace_h * n
    avail = {g: max(0.0, 1.0 - links_down.get(g, 0.0) / n) for g, n in group_links.items() if n}
    bis = min((avail[g] for g in bisection_groups if g in avail), default=1.0)
    return Expectation(dict(by_part), dict(by_cat), flaps, min(float(gpus), gpus_down), dict(links_down), avail, bis,
                       swaps)
