"""The path model of a torus slice: chips at 3-D coordinates, six links each, dimension-order routing.

Chip ``g`` of a slice of ``X x Y x Z`` chips sits at ``x = g mod X``, ``y = (g div X) mod Y``,
``z = g div XY``. Link ``6 g + 2 a + s`` leaves chip ``g`` along axis ``a`` (x, y, z) in the
+ (``s = 0``) or - (``s = 1``) direction; a link that leaves its cube runs through the OCS (an
optic at each chip, two fiber runs), any other stays inside the cube.

Routing is dimension-order (x, then y, then z), each axis the shorter way round its ring; a pair
half a ring apart goes + from an even coordinate and - from an odd one (``spread``), or by a
seeded hash of the flow (``hash``). A torus slice is not routed around a failure: it is formed
again on healthy cubes (``scale_out.torus.failed_cubes``), so a failed link on a flow's path is
reported, not bypassed.

The closed form of a phase takes its most loaded link: for fixed paths a phase cannot finish
before that link has carried its bytes (``t >= max_l bytes_l / c``); an all-to-all over the whole
slice has it in closed form: along an axis of ``k`` chips every link carries ``N / k`` times the
load a ring of ``k`` carries under all pairs (``k^2 / 8`` for even ``k``, ``(k^2 - 1) / 8`` for odd).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from math import prod

import numpy as np

from lightfabric.errors import LightfabricError
from lightfabric.topology.paths import Disconnected, Graph, LinkArrays, PathModel, flow_hash

SAME_CUBE, OTHER_CUBE = 1, 2
KIND_NAMES = ("in-cube", "circuit")
ALL_PAIRS_ROUTED_MAX = 4_000_000


@dataclass(frozen=True, kw_only=True)
class TorusPaths(PathModel):
    """One slice of a reconfigurable torus (``shape`` chips, cubes of ``cube``), links of ``link_rate_gbps``."""

    shape: tuple[int, int, int]
    cube: tuple[int, int, int]
    link_rate_gbps: float

    class_names = ("scale-up", "same cube", "other cube")
    only_network = "scale-up"

    # --- positions -----------------------------------------------------------------------------
    def coords(self, g) -> np.ndarray:
        g = np.asarray(g, dtype=np.int64)
        X, Y, _ = self.shape
        return np.stack([g % X, (g // X) % Y, g // (X * Y)], axis=-1)

    def index(self, c: np.ndarray) -> np.ndarray:
        X, Y, _ = self.shape
        return c[..., 0] + X * (c[..., 1] + Y * c[..., 2])

    def cube_of(self, g) -> np.ndarray:
        c = self.coords(g) // np.asarray(self.cube)
        gx, gy, _ = (s // k for s, k in zip(self.shape, self.cube))
        return c[..., 0] + gx * (c[..., 1] + gy * c[..., 2])

    def torus_shape(self) -> tuple[int, int, int]:
        return self.shape

    def job_scope(self) -> str:
        return f"the chips of slice 1 ({'x'.join(map(str, self.shape))})"

    def path_class(self, src, dst) -> np.ndarray:
        return np.where(self.cube_of(src) == self.cube_of(dst), SAME_CUBE, OTHER_CUBE)

    def _hop_s(self) -> tuple[float, float]:
        """(a link inside a cube, a circuit between cubes: two face optics and fiber runs)."""
        L = self.link_latency_s
        return L.get("in-cube", 0.0), 2 * L.get("cube-faces", 0.0)

    def class_latency_s(self) -> np.ndarray:
        """The longest path of each class: inside a cube at most ``c - 1`` hops an axis; across the
        slice half of each ring, of which one hop per cube passed is a circuit."""
        inside, circuit = self._hop_s()
        same = sum(min(c - 1, k // 2) for c, k in zip(self.cube, self.shape)) * inside
        hops = [k // 2 for k in self.shape]
        circuits = [-(-h // c) if k > c or h else 0 for h, c, k in zip(hops, self.cube, self.shape)]
        far = sum(h - n for h, n in zip(hops, circuits)) * inside + sum(circuits) * circuit
        return np.array([0.0, same, max(far, same)])

    def link_latencies_s(self) -> np.ndarray:
        """The latency of every link of the slice (s): inside a cube, or a circuit between cubes."""
        inside, circuit = self._hop_s()
        return np.where(self._crossing().ravel(), circuit, inside)

    def max_latency_s(self, src, dst, classes=None) -> float:
        """The longest of these pairs' dimension-order paths, hop by hop (the classes are too coarse:
        a neighbour in the next cube is one circuit away, not the slice's diameter)."""
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        if len(src) == 0:
            return 0.0
        links = self.dor_links(src, dst)
        lat = np.where(links >= 0, self.link_latencies_s()[np.maximum(links, 0)], 0.0)
        return float(lat.sum(axis=1).max())

    def describe(self) -> dict:
        return {"slice": "x".join(map(str, self.shape)), "cube": "x".join(map(str, self.cube)),
                "link_rate_gbps": self.link_rate_gbps, "diameter_hops": sum(k // 2 for k in self.shape)}

    # --- graph and routing --------------------------------------------------------------------------
    def _crossing(self) -> np.ndarray:
        """(chips, 6): whether each link leaves its cube (runs through the OCS)."""
        c = self.coords(np.arange(self.gpus))
        out = np.zeros((self.gpus, 6), dtype=bool)
        for a, k in enumerate(self.cube):
            out[:, 2 * a] = (c[:, a] + 1) % k == 0
            out[:, 2 * a + 1] = c[:, a] % k == 0
        return out

    def build_graph(self) -> Graph:
        n = self.gpus
        cross = self._crossing().ravel()
        arrays = LinkArrays()
        ids = arrays.add(6 * n, self.link_rate_gbps, 0.0, 0)
        graph = arrays.graph(self, KIND_NAMES, None)
        lat = self.link_latencies_s()
        kind = cross.astype(np.int8)
        # the circuits a user may fail: the + link of each and the - link coming back
        plus = ids.reshape(n, 6)[:, 0::2][self._crossing()[:, 0::2]]
        chip, axis2 = np.divmod(plus, 6)
        back = self._neighbour(chip, axis2 // 2, +1) * 6 + axis2 + 1
        return replace(graph, latency_s=lat, kind=kind, failable_up=plus, failable_down=back,
                       failable_label="circuits between cubes")

    def _neighbour(self, g, axis, step):
        """The chip one ``step`` along ``axis`` (arrays of chips and axes) from ``g``."""
        c = self.coords(g)
        axis = np.broadcast_to(np.asarray(axis), np.shape(g))
        rows = np.arange(len(c))
        k = np.asarray(self.shape)[axis]
        c[rows, axis] = (c[rows, axis] + step) % k
        return self.index(c)

    def dor_links(self, src, dst, routing: str = "spread", seed: int = 0) -> np.ndarray:
        """The links of each flow's dimension-order path (flows, hops), padded with -1."""
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        n = len(src)
        out = np.full((n, max(1, sum(k // 2 for k in self.shape))), -1, dtype=np.int64)
        col = np.zeros(n, dtype=np.int64)
        cur, goal = self.coords(src), self.coords(dst)
        for axis, k in enumerate(self.shape):
            if k == 1:
                continue
            delta = (goal[:, axis] - cur[:, axis]) % k
            back = k - delta
            plus = delta < back
            tie = delta == back
            if tie.any():
                pick = (cur[:, axis] % 2 == 0) if routing == "spread" else (flow_hash(src, dst, seed + axis) & 1) == 0
                plus = plus | (tie & pick)
            steps = np.where(plus, delta, back)
            step = np.where(plus, 1, -1)
            direction = 2 * axis + np.where(plus, 0, 1)
            for s in range(k // 2):
                rows = np.nonzero(steps > s)[0]
                if not len(rows):
                    break
                out[rows, col[rows]] = self.index(cur[rows]) * 6 + direction[rows]
                col[rows] += 1
                cur[rows, axis] = (cur[rows, axis] + step[rows]) % k
        return out

    def route(self, graph: Graph, src, dst, routing: str, seed: int) -> np.ndarray:
        out = self.dor_links(src, dst, routing, seed)
        used = out[out >= 0]
        if graph.failed.any() and graph.failed[used].any():
            raise Disconnected("a failed link lies on a flow's path: a torus slice is formed again on healthy cubes "
                               "(scale_out.torus.failed_cubes), not routed around the failure")
        return out

    # --- closed form ------------------------------------------------------------------------------
    def link_bound_time_s(self, src, dst, bytes_per_flow, all_pairs=None) -> float:
        """The time the most loaded link needs for a phase's bytes (s)."""
        bits_per_s = self.link_rate_gbps * 1e9
        b = float(bytes_per_flow) * 8.0
        if all_pairs is not None:
            ranks = np.asarray(all_pairs, dtype=np.int64)
            if len(ranks) == self.gpus:
                return self.all_pairs_load(b) / bits_per_s
            n = len(ranks)
            if n * (n - 1) > ALL_PAIRS_ROUTED_MAX:
                raise LightfabricError.for_field(
                    "--gpus", n, f"the whole slice ({self.gpus:,} chips), or at most "
                    f"{int(ALL_PAIRS_ROUTED_MAX ** 0.5):,} chips", problem="an all-to-all over part of a torus slice is "
                    "routed pair by pair")
            i, j = np.divmod(np.arange(n * n, dtype=np.int64), n)
            keep = i != j
            src, dst = ranks[i[keep]], ranks[j[keep]]
        links = self.dor_links(src, dst)
        used = links[links >= 0]
        if not len(used):
            return 0.0
        return float(np.bincount(used).max()) * b / bits_per_s

    def all_pairs_load(self, bits_per_flow: float) -> float:
        """Bits on the most loaded link when every pair of the slice exchanges ``bits_per_flow``."""
        n = prod(self.shape)
        worst = 0.0
        for k in self.shape:
            if k > 1:
                worst = max(worst, n / k * ring_all_pairs_load(k))
        return worst * bits_per_flow


def ring_all_pairs_load(k: int) -> float:
    """Flows on the most loaded directed link of a ring of ``k`` when every ordered pair sends one,
    each the shorter way (a pair half a ring apart: + from an even position, - from an odd one)."""
    a = np.arange(k)
    load = np.zeros(k)
    for d in range(1, k):
        back = k - d
        plus = (d < back) | ((d == back) & (a % 2 == 0))
        length = np.where(plus, d, 0)
        for s in range(int(length.max()) if length.size else 0):
            m = length > s
            np.add.at(load, (a[m] + s) % k, 1.0)
    minus = np.zeros(k)
    for d in range(1, k):
        back = k - d
        go = (back < d) | ((d == back) & (a % 2 == 1))
        length = np.where(go, back, 0)
        for s in range(int(length.max()) if length.size else 0):
            m = length > s
            np.add.at(minus, (a[m] - s) % k, 1.0)
    return float(max(load.max(), minus.max()))
