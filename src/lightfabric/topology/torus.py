"""The reconfigurable torus (``scale_out.topology: torus``): cubes of chips wired inside, joined
through optical circuit switches into the 3-D torus of each slice, as Google's TPU v4 and
Ironwood pods.

N. P. Jouppi et al., "TPU v4: an optically reconfigurable supercomputer for machine learning with
hardware support for embeddings", ISCA 2023 (arXiv 2304.01433): a pod of 4,096 chips in 64 cubes
of 4 x 4 x 4; inside a cube each chip links to its neighbours over copper; the 16 chips of each of
a cube's six faces link through 48 OCS (one per axis and face position) to the opposite face of
another cube, so the OCS set a slice's shape: any torus of whole cubes (4 x 4 x 8, 8 x 8 x 16, ...),
allocated from whichever cubes are healthy. A failed chip takes its cube out; its slice is formed
again on a spare cube by reconfiguring the OCS (seconds), not re-cabled.

Counts for a cube of ``cx x cy x cz`` chips and a pod of ``C`` cubes (``scale_out.torus``):

* chips ``C cx cy cz``, each with six direct-link ports (catalog ``ici_port``);
* links inside a cube ``(cx - 1) cy cz + cx (cy - 1) cz + cx cy (cz - 1)`` (copper or short optics);
* face ends (an optic at the chip, a fiber to the OCS) ``2 (cy cz + cx cz + cx cy)`` a cube: 96 for
  4 x 4 x 4, "1.5 optical transceivers per TPU";
* one set of OCS ports for each axis and face position (``cy cz + cx cz + cx cy`` = 48 sets), each
  holding the ``2 C`` ends of that position (+ faces on one side, - faces on the other). A set's
  ends meet only each other, so a set must fit one OCS (``C`` at most the OCS's ports per side);
  a module of several fiber pairs takes one OCS for each pair.

A slice of ``X x Y x Z`` chips is a grid of ``X/cx x Y/cy x Z/cz`` cubes; circuit ``(axis, position)``
joins the + face of each cube to the - face of the next cube along that axis, wrapping around
(a slice one cube long along an axis joins a cube's two faces to each other).

What the model leaves out, named in the fabric's notes: the chips' ICI router latency (not in the
catalog: 0 per hop), twisted tori, and the data-center network (DCN) the pod's hosts also reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import numpy as np

from lightfabric.errors import TopologyError
from lightfabric.placement import IN_RACK, SITE_CENTRE
from lightfabric.topology.base import GPU, SWITCH, ClusterSpec, DeviceTier, Fabric, LinkClass, LinkLatency, Topology

IN_CUBE, FACES = "in-cube", "cube-faces"
AXES = "xyz"
NOTES = ("the chips' ICI routers add no latency per hop (not in the catalog); tori are not twisted; the "
         "pod's data-center network (DCN) is not part of this fabric",
         "a failed chip, ICI link or its optics takes its cube out; the slice is formed again on a spare "
         "cube by reconfiguring the OCS, and the cube waits for repair out of service")


@dataclass(frozen=True)
class Slice:
    """One slice: its torus shape in chips, its grid of cubes and the pod's cubes it holds (in grid
    order, x fastest)."""

    shape: tuple[int, int, int]
    grid: tuple[int, int, int]
    cubes: np.ndarray

    @property
    def chips(self) -> int:
        return prod(self.shape)

    def label(self) -> str:
        return "x".join(map(str, self.shape))

    def circuits(self) -> dict[str, np.ndarray]:
        """The cube pairs the OCS join, per axis: rows (cube whose + face, cube whose - face), one a
        cube of the slice (each carries one circuit per face position of that axis)."""
        grid = self.cubes.reshape(self.grid[::-1])          # [z, y, x]
        out = {}
        for axis, name in enumerate(AXES):
            np_axis = 2 - axis
            nxt = np.roll(grid, -1, axis=np_axis)
            out[name] = np.stack([grid.ravel(), nxt.ravel()], axis=1)
        return out


def cube_links(cube: tuple[int, int, int]) -> tuple[int, int]:
    """(links inside one cube, face ends of one cube)."""
    cx, cy, cz = cube
    inside = (cx - 1) * cy * cz + cx * (cy - 1) * cz + cx * cy * (cz - 1)
    return inside, 2 * face_positions(cube)


def face_positions(cube: tuple[int, int, int]) -> int:
    """Face positions over the three axes: the sets of OCS ports (one per axis and position)."""
    cx, cy, cz = cube
    return cy * cz + cx * cz + cx * cy


def squarest_grid(cubes: int) -> tuple[int, int, int]:
    """The grid of ``cubes`` whose sides differ least (x <= y <= z)."""
    best = (1, 1, cubes)
    for a in range(1, round(cubes ** (1 / 3)) + 2):
        if cubes % a:
            continue
        for b in range(a, int((cubes // a) ** 0.5) + 2):
            if (cubes // a) % b:
                continue
            c = cubes // a // b
            if c >= b and (c - a) < (best[2] - best[0]):
                best = (a, b, c)
    return best


def allocate_slices(pod_cubes: int, cube: tuple[int, int, int], shapes, failed, where=lambda *k: None) -> list[Slice]:
    """Slices of ``shapes`` (chips along x, y, z) from the pod's healthy cubes, in order (the OCS join
    any cubes, so a slice takes the next healthy ones). Raises :class:`TopologyError` naming the field
    when a shape is not whole cubes, a failed cube is not in the pod, or the healthy cubes run out."""
    failed = tuple(failed)
    bad = [c for c in failed if not 0 <= c < pod_cubes]
    if bad:
        raise TopologyError.for_field("scale_out.torus.failed_cubes", bad[0], f"cube ids 0 to {pod_cubes - 1}",
                                      location=where("scale_out", "torus", "failed_cubes"))
    healthy = np.setdiff1d(np.arange(pod_cubes), np.asarray(failed, dtype=np.int64))
    cube_label = "x".join(map(str, cube))
    out, used = [], 0
    for i, shape in enumerate(shapes):
        if any(s % c for s, c in zip(shape, cube)):
            raise TopologyError.for_field(
                f"scale_out.torus.slices[{i}]", list(shape), f"whole cubes of {cube_label}: each side a multiple "
                f"of the cube's ({', '.join(f'{a} a multiple of {c}' for a, c in zip(AXES, cube))})",
                problem="the OCS join whole cubes", location=where("scale_out", "torus", "slices"))
        grid = tuple(s // c for s, c in zip(shape, cube))
        need = prod(grid)
        if used + need > len(healthy):
            raise TopologyError.for_field(
                "scale_out.torus.slices", [list(s) for s in shapes],
                f"slices of at most {len(healthy) - used} more cube(s): the pod has {pod_cubes} cubes, "
                f"{len(failed)} failed, {used} already allocated",
                problem=f"slice {i + 1} ({'x'.join(map(str, shape))}) needs {need} cubes",
                location=where("scale_out", "torus", "slices"))
        out.append(Slice(tuple(shape), grid, healthy[used:used + need]))
        used += need
    return out


@dataclass(frozen=True)
class TorusDetail:
    """What the torus's path model needs."""

    spec: ClusterSpec
    cube: tuple[int, int, int]
    slices: tuple[Slice, ...]
    spare_cubes: int


class TorusTopology(Topology):
    name = "torus"
    label = "Reconfigurable torus: cubes of chips joined by optical circuit switches into 3-D tori (TPU pods)"
    reference = "Jouppi et al., ISCA 2023 (TPU v4)"
    switched = False
    order = 50
    small_cluster_scenario = """
name: registry-torus
cluster: {{gpus: 512, gpu: tpu-ironwood}}
scale_out: {{topology: torus, torus: {{cube: [4, 4, 4], slices: [[8, 8, 4], [4, 4, 8]]}}}}
placement: {{gpus_per_rack: 64}}
economics: {{gpu_hour_usd: 4.0}}
technologies: [{technologies}]
"""

    def build(self, spec: ClusterSpec) -> Fabric:
        sc = spec.scenario
        where = sc.location
        t = sc.scale_out.torus
        cube = tuple(t.cube)
        per_cube = prod(cube)
        if spec.gpus % per_cube:
            raise TopologyError.for_field(
                "cluster.gpus", spec.gpus, f"a multiple of {per_cube} (whole cubes of {'x'.join(map(str, cube))} "
                f"chips, scale_out.torus.cube)", location=where("cluster", "gpus"))
        cubes = spec.gpus // per_cube
        ports = spec.port.count
        if ports < 6:
            raise TopologyError.for_field("cluster.gpu", spec.gpu.id, "a chip with six direct-link ports (a 3-D torus)",
                                          problem=f"{spec.gpu.id} has {ports}", location=where("cluster", "gpu"))
        shapes = t.slices if t.slices is not None else (self._whole_pod(cubes, cube, len(t.failed_cubes)),)
        slices = allocate_slices(cubes, cube, shapes, t.failed_cubes, where)
        ocs = spec.ocs
        if ocs is not None and cubes * ocs.ports_per_fiber_pair > ocs.ports:
            raise TopologyError.for_field(
                "scale_out.ocs", ocs.id, f"an OCS with at least {cubes * ocs.ports_per_fiber_pair} ports a side "
                f"(lumentum-r300 has 300), or a pod of at most {ocs.ports // ocs.ports_per_fiber_pair} cubes",
                problem=f"each face position's {2 * cubes} ends (+ faces on one side, - faces on the other) must meet "
                        f"on one OCS; {ocs.id} has {ocs.ports} ports a side",
                location=where("scale_out", "ocs"))
        inside, ends = cube_links(cube)
        sets = face_positions(cube)
        rate = spec.port.rate_gbps
        slice_chips = max(s.chips for s in slices)
        used = sum(len(s.cubes) for s in slices)
        allocated = used * per_cube
        tiers = (
            DeviceTier("chip", GPU, spec.gpu, spec.gpus, spec.port, IN_RACK, "chips", gpus_cut=float(per_cube),
                       gpus_replacing=float(per_cube), scope_gpus=float(slice_chips)),
            # an OCS carries one face position of one axis for every cube: each slice's torus loses a ring
            DeviceTier("ocs", SWITCH, None, 0, spec.port, SITE_CENTRE, "OCS layer (no switches)",
                       gpus_cut=float(allocated), above_first_switch=True, scope_gpus=float(allocated),
                       ocs_replaceable=True),
        )
        groups = (
            LinkClass(IN_CUBE, "scale_up", "chip", "chip", cubes * inside, rate, cubes * inside,
                      label="chip to chip inside a cube", gpu_link=True, scale_up=True, unit_gpus_cut=float(per_cube)),
            LinkClass(FACES, "scale_up", "chip", "ocs", cubes * ends, rate, cubes * ends,
                      label="cube faces to the OCS", gpu_link=True, bisection=True, scale_up=True,
                      circuit_groups=sets, unit_gpus_cut=float(per_cube)),
        )
        circuits = sum(len(s.cubes) for s in slices) * sets
        summary = {
            "topology": self.name, "tiers": 0, "switches": 0, "switches_per_tier": [], "links_per_tier": [],
            "ports_total": 0, "ports_used": 0, "ports_spare": 0,
            "planes": 1, "cube": "x".join(map(str, cube)), "cube_chips": per_cube, "cubes": cubes,
            "slices": [s.label() for s in slices], "slice_chips": [s.chips for s in slices],
            "spare_cubes": cubes - used - len(t.failed_cubes), "failed_cubes": list(t.failed_cubes),
            "links_in_cubes": cubes * inside, "face_ends": cubes * ends, "face_ends_per_chip": ends / per_cube,
            "ocs_port_sets": sets, "ocs_ends_per_set": 2 * cubes, "circuits": circuits,
            "ocs": ocs.id if ocs is not None else None,
            "circuit_switched_core": True,
        }
        detail = TorusDetail(spec, cube, tuple(slices), summary["spare_cubes"])
        return Fabric(topology=self.name, tiers=tiers, groups=groups, planes=1, first_switch_gpus=float(per_cube),
                      job_gpus=slices[0].chips,
                      summary=summary, notes=NOTES + (self._allocation_note(slices, cubes, t.failed_cubes),),
                      detail=detail)

    @staticmethod
    def _allocation_note(slices: list[Slice], cubes: int, failed) -> str:
        given = ", ".join(f"{s.label()} ({len(s.cubes)} cubes)" for s in slices)
        spare = cubes - sum(len(s.cubes) for s in slices) - len(failed)
        down = f"cube(s) {', '.join(map(str, failed))} failed, formed around; " if failed else ""
        return (f"{cubes} cubes: slices {given}; {down}{spare} spare; collectives and the step run on slice 1 "
                f"({slices[0].label()})")

    @staticmethod
    def _whole_pod(cubes: int, cube: tuple[int, int, int], failed: int) -> tuple[int, int, int]:
        grid = squarest_grid(cubes - failed) if cubes > failed else (1, 1, 1)
        return tuple(g * c for g, c in zip(grid, cube))

    def paths(self, fabric: Fabric, latency: LinkLatency):
        from lightfabric.topology.torus_paths import TorusPaths
        d: TorusDetail = fabric.detail
        first = d.slices[0]
        return TorusPaths(gpus=first.chips, planes=1, gpu_bw_gbps=d.spec.port.count * d.spec.port.rate_gbps,
                          domain_gpus=None, scale_up_bw_gbps=0.0, link_latency_s=dict(latency.link_s),
                          notes=fabric.notes, shape=first.shape, cube=d.cube, link_rate_gbps=d.spec.port.rate_gbps)
