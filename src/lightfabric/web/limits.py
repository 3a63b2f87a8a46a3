"""What the web API accepts, so that one request cannot take the server down.

The defaults fit the machine lightfabric targets (2 cores): the largest bundled example (about a
million GPUs) is accepted; a request body above 512 KiB, a Monte Carlo above 1,000 trials or 20
million failure events, a simulation above 131,072 flows per phase or 1 million flow-phases in all
is refused with a 4xx and a message that says the limit (docs/limits.md). Each bound keeps one
request under about ten seconds of work on one core.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_TRIALS = 1_000
MAX_HORIZON_DAYS = 365.0
MAX_YAML_CHARS = 200_000


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 512 * 1024
    max_gpus: int = 2_097_152
    max_simulated_flows: int = 131_072        # in one phase
    max_simulated_flow_phases: int = 1_000_000  # over every distinct phase of every design in one request
    max_closed_form_flow_phases: int = 50_000_000  # the same for the closed form
    max_failure_events: float = 20e6          # Monte Carlo: trials x horizon days x failures a day, all designs
    max_concurrent: int = 2          # heavy analyses (reliability, economics, collective) at once; more wait
    max_concurrent_light: int = 4    # light ones (compare, link) at once, queued apart
    queue_timeout_s: float = 30.0    # then 503
    max_design_evaluations: int = 500     # exact evaluations of one design search (10 ms each at 100k GPUs, 35 at 1M)
