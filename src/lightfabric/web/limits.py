"""What the web API accepts, so that one request cannot take the server down.

The defaults fit the machine lightfabric targets (2 cores): the largest bundled example (about a
million GPUs) is accepted; a request body above 512 KiB, a Monte Carlo above 1,000 trials or a
simulation above 131,072 flows per phase is refused with a 4xx and a message that says the limit.
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
    max_simulated_flows: int = 131_072
    max_concurrent: int = 2          # analyses running at once; more wait
    queue_timeout_s: float = 30.0    # then 503
