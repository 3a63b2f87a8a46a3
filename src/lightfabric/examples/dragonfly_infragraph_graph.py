"""Regenerate ``dragonfly-infragraph.graph.json``: a balanced dragonfly from the infragraph package's
own blueprint (``infragraph.blueprints.fabrics.dragonfly_fabric.DragonflyFabric``), written with the
package's serializer (compact JSON).

    python src/lightfabric/examples/dragonfly_infragraph_graph.py [OUT.json] [a p h]

a = 8 routers a group, p = 4 host ports and h = 4 global ports a router (a = 2p = 2h, the balanced
dragonfly of Kim, Dally, Scott and Abts, ISCA 2008): a h + 1 = 33 groups, 264 routers; each router
a generic switch of 64 ports (of which p + a - 1 + h = 15 are used) and one generic server of 4
XPUs and 4 NICs (``Server(npu_factor=2)``): 1,056 GPUs. Every link 800 Gb/s.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from infragraph import Infrastructure
from infragraph.blueprints.devices.generic.generic_switch import Switch
from infragraph.blueprints.devices.generic.server import Server
from infragraph.blueprints.fabrics.dragonfly_fabric import DragonflyFabric

HERE = Path(__file__).resolve().parent


def build(a: int = 8, p: int = 4, h: int = 4, ports: int = 64, npu_factor: int = 2, gbps: float = 800.0):
    """The blueprint's infrastructure (infragraph objects)."""
    fabric = DragonflyFabric(Switch(port_count=ports), Server(npu_factor=npu_factor), a, p, h,
                             bandwidth=[gbps, gbps, gbps])
    fabric.name = "dragonfly-infragraph"
    fabric.description = (f"balanced dragonfly a={a} p={p} h={h} from infragraph's DragonflyFabric blueprint; "
                          f"generic Switch({ports} ports), generic Server(npu_factor={npu_factor})")
    return fabric


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else HERE / "dragonfly-infragraph.graph.json"
    a, p, h = (int(x) for x in argv[1:4]) if len(argv) >= 4 else (8, 4, 4)
    data = json.loads(build(a, p, h).serialize(encoding=Infrastructure.JSON))
    out.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {out}: {len(data['edges']):,} edges")


if __name__ == "__main__":
    main(sys.argv[1:])
