"""Reading an InfraGraph infrastructure file into arrays: devices, instances and every link between
two devices, expanded with numpy (``scale_out.topology: infragraph``).

InfraGraph (Keysight's "infrastructure as a graph", the ``infragraph`` package 3.1) writes a fabric
as devices (each a set of components: ``xpu``, ``nic``, ``port``, ``switch``, ``cpu``, nested
``device``s...), instances of them (``server`` x 36), links (a bandwidth, a latency) and edges
between endpoints in Python slice notation (``instance: leaf[0:4]``, ``component: port[0:32:2]``).
InfraGraph's own service (``InfraGraphService.set_graph``) expands an edge instance by instance,
then component by component (``leaf.0.port.0, leaf.0.port.1, ..., leaf.1.port.0``), and joins the
two endpoint lists one to one (``one2one``) or every one to every one (``many2many``), into a
networkx graph of components; that takes seconds for a few thousand links in pure Python.

Here the same expansion is done with index arrays: an endpoint is (instance indices) x (component
indices) in the same order, a component of a nested device is ``base + i x size + inner``, and the
links are deduplicated as InfraGraph's simple graph does (the same two components joined twice
are one link; the link named last wins). The file is first validated by the package's own model
(``infragraph.Infrastructure.deserialize``: types, enums and required properties; the devices, links
and instances whole, the edges one of each shape, since the package takes about a millisecond an
edge), then every edge and value is checked here
for what that model leaves to the expansion, each problem named with the file, the path inside it
(``edges[3].ep2.component``), the value and what is allowed:

* an unknown instance, device, component or link; a slice outside the instance or component count
  (InfraGraph would add a node that no device has), or one that selects nothing;
* ``one2one`` endpoints of different lengths (InfraGraph silently drops the longer list's tail);
  the ``ring`` scheme (InfraGraph's service does not expand it either);
* a link without a bandwidth, or with one in transfers (GT/s) rather than bits;
* more than :data:`MAX_LINKS` links or :data:`MAX_DEVICES` devices, counted from the slices before
  anything is expanded; a file over :data:`MAX_GRAPH_BYTES`.

YAML is read with the project's safe loader (:func:`lightfabric.inputs.load_yaml`: no anchors or
aliases, no duplicate keys); JSON with duplicate keys refused. An annotation file written beside
the graph (``<stem>.annotations<suffix>``, as ``lightfabric export infragraph`` writes it) is read
too, validated by ``infragraph.Annotation``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lightfabric.errors import TopologyError, did_you_mean
from lightfabric.inputs import InputError, load_yaml, read_text_file

MAX_LINKS = 2_000_000
MAX_DEVICES = 2_000_000
MAX_GRAPH_BYTES = 64 * 1024 * 1024
TOP_KEYS = ("name", "description", "devices", "links", "instances", "edges", "annotations")
GBPS_PER_UNIT = {"gigabits_per_second": 1.0, "gigabytes_per_second": 8.0}
_NAME = re.compile(r"^([A-Za-z0-9_-]+)(?:\[([^\]]*)\])?$")
XPU, NIC, SWITCH, DEVICE = "xpu", "nic", "switch", "device"


def graph_error(path: str, where: str, value, allowed: str, problem: str | None = None) -> TopologyError:
    """The user's error for a value at ``where`` inside the graph file ``path``."""
    return TopologyError.for_field(f"{where}", value, allowed, problem=problem, location=path)


@dataclass(frozen=True)
class Part:
    """One component entry of a device: its flat offset, count, flat size of one (1, or a nested
    device's size) and the nested device's name."""

    base: int
    count: int
    size: int
    sub: str | None


@dataclass(frozen=True)
class DeviceDef:
    """A device definition, flattened: every leaf component in InfraGraph's order, with its type and
    qualified name (``nic.3``, ``cx7.0.port.1``). ``kind``: ``host`` (it has XPUs) or ``switch``.
    ``owner``: for each flat component the XPU (0..xpus-1) it serves, -1 for none."""

    name: str
    kind: str
    types: tuple[str, ...]
    parts: dict
    xpus: int
    owner: np.ndarray
    owner_rule: str                 # "edges" (the device's own edges), "position" or "" (not a host)
    switch_components: bool = True  # a switch device with a switch component (else taken as one)

    @property
    def size(self) -> int:
        return len(self.types)


@dataclass(frozen=True)
class InstanceDef:
    name: str
    device: str
    count: int
    first: int                      # global id of its device 0


@dataclass(frozen=True)
class LinkDef:
    name: str
    gbps: float
    latency_ns: float | None
    index: int                      # in the file's links


@dataclass(frozen=True)
class InfraGraphFile:
    """An expanded InfraGraph file: its devices, instances, links and the links between devices
    (``end_dev`` and ``end_comp``: (links, 2) global device ids and flat component indices; ``link``:
    the index into ``links``; ``edge``: the edge object each came from)."""

    path: str
    name: str
    devices: dict
    instances: tuple[InstanceDef, ...]
    links: tuple[LinkDef, ...]
    dev_instance: np.ndarray
    end_dev: np.ndarray
    end_comp: np.ndarray
    link: np.ndarray
    edge: np.ndarray
    annotation: dict | None = None
    annotation_path: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def device_count(self) -> int:
        return len(self.dev_instance)

    def device_def(self, dev: int) -> DeviceDef:
        return self.devices[self.instances[int(self.dev_instance[dev])].device]

    def device_label(self, dev: int) -> str:
        inst = self.instances[int(self.dev_instance[dev])]
        return f"{inst.name}[{dev - inst.first}]"


# --- reading ---------------------------------------------------------------------------------------

def _read_data(path: Path, what: str):
    try:
        text = read_text_file(path, what, max_bytes=MAX_GRAPH_BYTES)
    except FileNotFoundError:
        raise TopologyError.for_field("scale_out.graph", str(path), "the path of an InfraGraph file (YAML or JSON), "
                                      "relative to the scenario file", problem="file not found") from None
    except IsADirectoryError:
        raise TopologyError.for_field("scale_out.graph", str(path), "the path of an InfraGraph file, not a directory")
    except InputError as e:
        raise TopologyError(str(e), field="scale_out.graph", value=str(path)) from None
    if path.suffix.lower() == ".json":
        def pairs(items):
            keys = [k for k, _ in items]
            dup = next((k for k in keys if keys.count(k) > 1), None)
            if dup is not None:
                raise ValueError(f"duplicate key {dup!r}; each key may be given once")
            return dict(items)
        try:
            return json.loads(text, object_pairs_hook=pairs)
        except ValueError as e:
            raise TopologyError(f"{path}: malformed JSON: {e}", field="scale_out.graph", value=str(path)) from None
    try:
        data, _ = load_yaml(text, str(path))
    except InputError as e:
        raise TopologyError(str(e), field="scale_out.graph", value=str(path)) from None
    return data


def _validated(ig_class, data, path: str, what: str):
    """``data`` through the infragraph package's own model (types, enums, required properties)."""
    obj = ig_class()
    try:
        obj.deserialize(data)
        obj.validate()
    except Exception as e:  # the package raises TypeError, ValueError and others with its own words
        raise TopologyError(f"{path}: not a valid InfraGraph {what}: {str(e).strip()}", field="scale_out.graph",
                            value=path) from None
    return obj


def _slice(expr: str | None, count: int, path: str, where: str, value: str) -> np.ndarray:
    """Indices of a slice expression as InfraGraph resolves it (``3``, ``-1``, ``0:8``, ``::2``, or
    all without brackets), refusing what selects nothing or lies outside ``count``."""
    if expr is None or expr == "":
        return np.arange(count, dtype=np.int64)
    parts = expr.split(":")
    try:
        nums = [int(p) if p.strip() != "" else None for p in parts]
    except ValueError:
        raise graph_error(path, where, value, "Python slice notation: name[3], name[0:8], name[0:8:2], name[-1]",
                          problem="a slice of whole numbers") from None
    if len(parts) > 3:
        raise graph_error(path, where, value, "Python slice notation with at most start:stop:step")
    if len(parts) == 1:
        i = nums[0]
        if not -count <= i < count:
            raise graph_error(path, where, value, f"an index from 0 to {count - 1} (or -{count} to -1)",
                              problem=f"{count} there")
        return np.array([i % count], dtype=np.int64)
    start, stop = nums[0], nums[1]
    step = nums[2] if len(nums) == 3 else None
    if step == 0:
        raise graph_error(path, where, value, "a slice step other than 0")
    out = np.arange(*slice(start, stop, step).indices(count), dtype=np.int64)
    if stop is not None and stop > count and (step is None or step > 0):
        raise graph_error(path, where, value, f"a slice within the {count} there (stop at most {count})",
                          problem="InfraGraph would cut it short silently")
    if not len(out):
        raise graph_error(path, where, value, f"a slice that selects at least one of the {count} there")
    return out


def _flatten(raw_devices: dict, name: str, path: str, stack: tuple = ()) -> tuple[list[str], dict]:
    """(types of every leaf component in order, {component name: Part}) of device ``name``."""
    if name in stack:
        raise graph_error(path, f"devices[{raw_devices[name][0]}]", name, "devices that do not contain themselves")
    index, dev = raw_devices[name]
    types: list[str] = []
    parts: dict = {}
    for ci, comp in enumerate(dev.get("components") or []):
        choice = comp.get("choice")
        cname, count = comp["name"], comp["count"]
        where = f"devices[{index}].components[{ci}]"
        if count < 1:
            raise graph_error(path, f"{where}.count", count, "a whole number >= 1")
        if cname in parts:
            raise graph_error(path, f"{where}.name", cname, "a component name used once in its device")
        if choice == DEVICE:
            if cname not in raw_devices:
                raise graph_error(path, f"{where}.name", cname, f"the name of a device of the file: "
                                  f"{', '.join(raw_devices)}", problem="InfraGraph finds a nested device by its "
                                  "component's name")
            sub_types, _ = _flatten(raw_devices, cname, path, stack + (name,))
            parts[cname] = Part(len(types), count, len(sub_types), cname)
            types.extend(sub_types * count)
        else:
            kind = (comp.get("custom") or {}).get("type", "custom") if choice == "custom" else choice
            parts[cname] = Part(len(types), count, 1, None)
            types.extend([kind] * count)
        if len(types) > MAX_DEVICES:
            raise graph_error(path, f"{where}.count", count, f"devices of at most {MAX_DEVICES:,} components")
    return types, parts


def _component_indices(defs: dict, device: str, expr: str, path: str, where: str) -> np.ndarray:
    """Flat component indices of ``expr`` (``nic[0:8]``, ``cx7[0:2].port[0]``) in device ``device``,
    in InfraGraph's order (outer component first)."""
    if not isinstance(expr, str) or not expr:
        raise graph_error(path, where, expr, "a component of the device in slice notation, e.g. port[0:32]")
    idx = np.zeros(1, dtype=np.int64)
    cur: DeviceDef | None = defs[device]
    for element in expr.split("."):
        m = _NAME.match(element)
        if m is None:
            raise graph_error(path, where, expr, "component[slice] elements joined by dots, e.g. port[0:32]")
        name, sl = m.group(1), m.group(2)
        if cur is None:
            raise graph_error(path, where, expr, "a nested component only under a component that is a device")
        part = cur.parts.get(name)
        if part is None:
            raise graph_error(path, where, expr, f"a component of device {cur.name}: {', '.join(cur.parts)}",
                              problem=f"no component {name!r}{did_you_mean(name, cur.parts)}")
        sel = _slice(sl, part.count, path, where, expr)
        idx = (idx[:, None] + (part.base + sel * part.size)[None, :]).ravel()
        cur = defs[part.sub] if part.sub else None
    if cur is not None:
        raise graph_error(path, where, expr, f"a component inside device {cur.name} (e.g. {expr}.{next(iter(cur.parts))})",
                          problem="it names a whole device")
    return idx


def _count(scheme, n1: int, n2: int, path: str, where: str, label1: str, label2: str) -> int:
    """The links an edge of ``scheme`` makes between endpoint lists of ``n1`` and ``n2``, refusing
    what InfraGraph would expand silently wrong or not at all."""
    if scheme == "one2one":
        if n1 != n2:
            raise graph_error(path, f"{where}.scheme", scheme, "one2one between endpoint lists of equal length, or "
                              "many2many", problem=f"ep1 ({label1}) expands to {n1:,} endpoints, ep2 ({label2}) to "
                              f"{n2:,}; InfraGraph would silently drop the longer list's tail")
        return n1
    if scheme == "many2many":
        return n1 * n2
    raise graph_error(path, f"{where}.scheme", scheme, "one2one or many2many",
                      problem="InfraGraph's own expansion does not build it either")


def _pairs(scheme, n1: int, n2: int):
    """The index pairs an edge of ``scheme`` joins between endpoint lists of ``n1`` and ``n2``."""
    if scheme == "one2one":
        a = np.arange(n1, dtype=np.int64)
        return a, a
    return np.repeat(np.arange(n1, dtype=np.int64), n2), np.tile(np.arange(n2, dtype=np.int64), n1)


def _owners(defs: dict, raw: dict, name: str, types: list[str], path: str) -> tuple[np.ndarray, str]:
    """For each flat component of host device ``name``, the XPU it serves: an XPU itself; a NIC the
    one XPU the device's own edges join it to, if every NIC has exactly one; else NIC ``k`` of ``M``
    serves XPU ``floor(k X / M)`` (by position)."""
    t = np.asarray(types)
    xpu_flat = np.flatnonzero(t == XPU)
    nic_flat = np.flatnonzero(t == NIC)
    owner = np.full(len(types), -1, dtype=np.int64)
    owner[xpu_flat] = np.arange(len(xpu_flat))
    if not len(nic_flat):
        return owner, "edges"
    xpu_of = {int(f): i for i, f in enumerate(xpu_flat)}
    joined: dict[int, set] = {int(f): set() for f in nic_flat}
    index, dev = raw[name]
    for ei, e in enumerate(dev.get("edges") or []):
        where = f"devices[{index}].edges[{ei}]"
        ends = []
        for k in ("ep1", "ep2"):
            ep = e.get(k) or {}
            expr = ep.get("component")
            if ep.get("device"):
                expr = f"{ep['device']}.{expr}"
            ends.append(_component_indices(defs, name, expr, path, f"{where}.{k}.component"))
        a, b = ends
        if e.get("scheme") == "many2many":
            a, b = np.repeat(a, len(b)), np.tile(b, len(a))
        else:  # InfraGraph joins a device's one2one lists by zip, cut to the shorter
            n = min(len(a), len(b))
            a, b = a[:n], b[:n]
        for x, y in zip(a.tolist(), b.tolist()):
            for nic, xpu in ((x, y), (y, x)):
                if nic in joined and xpu in xpu_of:
                    joined[nic].add(xpu_of[xpu])
    if all(len(v) == 1 for v in joined.values()):
        for nic, xs in joined.items():
            owner[nic] = next(iter(xs))
        return owner, "edges"
    X, M = len(xpu_flat), len(nic_flat)
    owner[nic_flat] = np.arange(M) * X // M
    return owner, "position"


def _device_defs(infra: dict, path: str) -> tuple[dict, list[str]]:
    raw: dict = {}
    for i, d in enumerate(infra.get("devices") or []):
        if d["name"] in raw:
            raise graph_error(path, f"devices[{i}].name", d["name"], "a device name used once")
        raw[d["name"]] = (i, d)
    defs: dict = {}
    notes: list[str] = []
    flat = {n: _flatten(raw, n, path) for n in raw}
    # a first pass without owners, so component paths resolve while owners are found
    for n, (types, parts) in flat.items():
        defs[n] = DeviceDef(n, "", tuple(types), parts, types.count(XPU), np.zeros(0, dtype=np.int64), "")
    for n, (types, parts) in flat.items():
        xpus = types.count(XPU)
        if xpus:
            owner, rule = _owners(defs, raw, n, types, path)
            defs[n] = DeviceDef(n, "host", tuple(types), parts, xpus, owner, rule)
        else:
            has_switch = SWITCH in types
            defs[n] = DeviceDef(n, "switch", tuple(types), parts, 0, np.full(len(types), -1, dtype=np.int64), "",
                                switch_components=has_switch)
    return defs, notes


def _links(infra: dict, path: str) -> tuple[LinkDef, ...]:
    out = []
    for i, link in enumerate(infra.get("links") or []):
        where = f"links[{i}]"
        bw = ((link.get("physical") or {}).get("bandwidth")) or {}
        unit = next((u for u in GBPS_PER_UNIT if bw.get(u) is not None), None)
        if unit is None:
            other = next((u for u in bw if u != "choice"), None)
            raise graph_error(path, f"{where}.physical.bandwidth", bw or None,
                              "gigabits_per_second or gigabytes_per_second (a link's rate each way)",
                              problem=f"link {link.get('name')!r} has " + (f"a bandwidth in {other}, not in bits"
                                                                             if other else "no bandwidth"))
        gbps = float(bw[unit]) * GBPS_PER_UNIT[unit]
        if not gbps > 0:
            raise graph_error(path, f"{where}.physical.bandwidth.{unit}", bw[unit], "a bandwidth > 0")
        lat = ((link.get("physical") or {}).get("latency")) or {}
        ns = lat.get("ns")
        ns = ns if ns is not None else (lat["us"] * 1e3 if lat.get("us") is not None else
                                        (lat["ms"] * 1e6 if lat.get("ms") is not None else None))
        out.append(LinkDef(link["name"], gbps, ns, i))
    names = [x.name for x in out]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise graph_error(path, f"links[{names.index(dup, names.index(dup) + 1)}].name", dup, "a link name used once")
    return tuple(out)


def _instances(infra: dict, defs: dict, path: str) -> tuple[InstanceDef, ...]:
    out, first = [], 0
    for i, inst in enumerate(infra.get("instances") or []):
        where = f"instances[{i}]"
        if inst["device"] not in defs:
            raise graph_error(path, f"{where}.device", inst["device"], f"a device of the file: {', '.join(defs)}",
                              problem="unknown device" + did_you_mean(inst["device"], defs))
        if inst["count"] < 1:
            raise graph_error(path, f"{where}.count", inst["count"], "a whole number >= 1")
        if any(o.name == inst["name"] for o in out):
            raise graph_error(path, f"{where}.name", inst["name"], "an instance name used once")
        out.append(InstanceDef(inst["name"], inst["device"], int(inst["count"]), first))
        first += int(inst["count"])
        if first > MAX_DEVICES:
            raise graph_error(path, f"{where}.count", inst["count"], f"at most {MAX_DEVICES:,} devices in all",
                              problem=f"{first:,} devices so far")
    if not out:
        raise graph_error(path, "instances", [], "at least one instance of a device with XPUs and the switches "
                          "they link to", problem="no devices")
    return tuple(out)


def _endpoint(ep: dict, insts: dict, defs: dict, path: str, where: str):
    """(instance, instance indices, flat component indices) of an edge endpoint."""
    value = ep.get("instance")
    m = _NAME.match(value) if isinstance(value, str) else None
    if m is None:
        raise graph_error(path, f"{where}.instance", value, "an instance name with an optional slice, e.g. leaf[0:4]")
    inst = insts.get(m.group(1))
    if inst is None:
        raise graph_error(path, f"{where}.instance", value, f"an instance of the file: {', '.join(insts)}",
                          problem="unknown instance" + did_you_mean(m.group(1), insts))
    sel = _slice(m.group(2), inst.count, path, f"{where}.instance", value)
    comps = _component_indices(defs, inst.device, ep.get("component"), path, f"{where}.component")
    return inst, sel, comps


def _expand_edges(infra: dict, insts: dict, defs: dict, link_index: dict, path: str):
    """Every edge object's links as (device, component) pairs, counted before they are made."""
    plans, total = [], 0
    for i, e in enumerate(infra.get("edges") or []):
        where = f"edges[{i}]"
        if e.get("link") not in link_index:
            raise graph_error(path, f"{where}.link", e.get("link"), f"a link of the file: {', '.join(link_index) or 'none'}",
                              problem="unknown link" + did_you_mean(str(e.get("link")), link_index))
        for k in ("ep1", "ep2"):
            if not isinstance(e.get(k), dict):
                raise graph_error(path, f"{where}.{k}", e.get(k), "an endpoint: a mapping of instance and component")
        ends = [_endpoint(e[k], insts, defs, path, f"{where}.{k}") for k in ("ep1", "ep2")]
        n1, n2 = (len(s) * len(c) for _, s, c in ends)
        scheme = e.get("scheme")
        total += _count(scheme, n1, n2, path, where, f"{e['ep1'].get('instance')} {e['ep1'].get('component')}",
                        f"{e['ep2'].get('instance')} {e['ep2'].get('component')}")
        if total > MAX_LINKS:
            raise graph_error(path, where, f"{total:,} links so far", f"at most {MAX_LINKS:,} links in one graph",
                              problem="the graph is too large to expand")
        plans.append((i, ends, scheme, link_index[e["link"]]))
    if not plans:
        raise graph_error(path, "edges", [], "edges joining the hosts' NICs to switch ports", problem="no edges")
    devs, comps, links, edges = [], [], [], []
    for i, ends, scheme, li in plans:
        flat = []
        for inst, sel, comp in ends:
            flat.append((np.repeat(inst.first + sel, len(comp)), np.tile(comp, len(sel))))
        (d1, c1), (d2, c2) = flat
        a, b = _pairs(scheme, len(d1), len(d2))
        devs.append(np.stack([d1[a], d2[b]], axis=1))
        comps.append(np.stack([c1[a], c2[b]], axis=1))
        links.append(np.full(len(a), li, dtype=np.int64))
        edges.append(np.full(len(a), i, dtype=np.int64))
    return np.concatenate(devs), np.concatenate(comps), np.concatenate(links), np.concatenate(edges)


def _dedupe(graph_file_path: str, dev, comp, link, edge, insts, defs):
    """InfraGraph's simple graph: a component joined to itself is skipped, the same two components
    joined twice are one link (the link named last wins); returns the arrays and what was dropped."""
    sizes = np.array([defs[i.device].size for i in insts], dtype=np.int64)
    firsts = np.array([i.first for i in insts], dtype=np.int64)
    node_base = np.concatenate([[0], np.cumsum(sizes * np.array([i.count for i in insts]))])[:-1]
    inst_of = np.searchsorted(firsts, dev, side="right") - 1
    node = node_base[inst_of] + (dev - firsts[inst_of]) * sizes[inst_of] + comp
    self_loop = node[:, 0] == node[:, 1]
    lo, hi = np.minimum(node[:, 0], node[:, 1]), np.maximum(node[:, 0], node[:, 1])
    key = lo * (int(node.max()) + 1) + hi
    keep = ~self_loop
    idx = np.flatnonzero(keep)
    # the last occurrence of each key wins (networkx's add_edge updates the attributes)
    rev = idx[::-1]
    _, first_in_rev = np.unique(key[rev], return_index=True)
    chosen = np.sort(rev[first_in_rev])
    dropped = len(idx) - len(chosen)
    return dev[chosen], comp[chosen], link[chosen], edge[chosen], int(self_loop.sum()), dropped


def _annotation(path: Path) -> tuple[dict | None, str | None]:
    """The annotation written beside the graph (``<stem>.annotations<suffix>``), as plain dicts."""
    ann = path.with_name(f"{path.stem}.annotations{path.suffix}")
    if not ann.is_file():
        return None, None
    import infragraph
    data = _read_data(ann, "InfraGraph annotation")
    if not isinstance(data, dict):
        raise TopologyError(f"{ann}: not an InfraGraph annotation (a mapping of nodes, edges, links and graph)",
                            field="scale_out.graph", value=str(ann))
    _validated(infragraph.Annotation, data, str(ann), "annotation")

    def attrs(items):
        return {a["attribute"]: a["value"] for a in items or [] if "attribute" in a}
    out = {"graph": attrs(data.get("graph")),
           "links": {x["name"]: attrs(x.get("attributes")) for x in data.get("links") or [] if "name" in x},
           "nodes": {x["name"]: attrs(x.get("attributes")) for x in data.get("nodes") or [] if "name" in x}}
    return out, str(ann)


def _shape(value) -> object:
    if isinstance(value, dict):
        return tuple(sorted((k, _shape(v)) for k, v in value.items()))
    return type(value).__name__ if not isinstance(value, list) else ("list", len(value))


def _edge_shapes(edges, path: str) -> list:
    """One edge of each shape (keys, value types, scheme), for the package's model: it takes about a
    millisecond an edge, and the values of every edge are checked by the expansion here."""
    if not isinstance(edges, list):
        raise graph_error(path, "edges", type(edges).__name__, "a list of edges")
    seen: dict = {}
    for i, e in enumerate(edges):
        if not isinstance(e, dict):
            raise graph_error(path, f"edges[{i}]", e, "an edge: a mapping of ep1, ep2, link and scheme")
        seen.setdefault((_shape(e), e.get("scheme")), e)
    return list(seen.values())


_CACHE: dict[tuple, InfraGraphFile] = {}


def read_graph(path: str | Path) -> InfraGraphFile:
    """The InfraGraph file at ``path`` expanded into arrays (cached while the file and its annotation
    are unchanged). Raises :class:`~lightfabric.errors.TopologyError` naming the file, the path inside
    it, the value and what is allowed."""
    p = Path(path)
    try:
        st = os.stat(p)
        ann = p.with_name(f"{p.stem}.annotations{p.suffix}")
        ast = os.stat(ann) if ann.is_file() else None
        key = (str(p.resolve()), st.st_mtime_ns, st.st_size, ast and (ast.st_mtime_ns, ast.st_size))
    except OSError:
        key = None
    if key is not None and key in _CACHE:
        return _CACHE[key]
    out = _read_graph(p)
    if key is not None:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = out
    return out


def _read_graph(p: Path) -> InfraGraphFile:
    import infragraph
    path = str(p)
    data = _read_data(p, "InfraGraph")
    if not isinstance(data, dict) or not data:
        raise TopologyError(f"{path}: not an InfraGraph infrastructure: a mapping of {', '.join(TOP_KEYS[:-1])} "
                            f"is needed, got {type(data).__name__}", field="scale_out.graph", value=path)
    unknown = [k for k in data if k not in TOP_KEYS]
    if unknown:
        raise graph_error(path, str(unknown[0]), unknown[0], f"the keys of an InfraGraph infrastructure: "
                          f"{', '.join(TOP_KEYS[:-1])}", problem="not an InfraGraph infrastructure (an annotation "
                          "file? give the infrastructure; its annotation beside it is read too)")
    missing = [k for k in ("devices", "instances", "edges") if not data.get(k)]
    if missing:
        raise graph_error(path, missing[0], data.get(missing[0]), "a non-empty list",
                          problem="not an InfraGraph infrastructure of devices, instances and edges")
    _validated(infragraph.Infrastructure, {**{k: v for k, v in data.items() if k not in ("annotations", "edges")},
                                           "edges": _edge_shapes(data["edges"], path)}, path, "infrastructure")
    defs, notes = _device_defs(data, path)
    links = _links(data, path)
    instances = _instances(data, defs, path)
    insts = {i.name: i for i in instances}
    link_index = {x.name: k for k, x in enumerate(links)}
    dev, comp, link, edge = _expand_edges(data, insts, defs, link_index, path)
    dev, comp, link, edge, loops, dups = _dedupe(path, dev, comp, link, edge, instances, defs)
    if loops:
        notes.append(f"{loops:,} edge endpoint pair(s) join a component to itself: skipped, as InfraGraph does")
    if dups:
        notes.append(f"{dups:,} link(s) join two components already joined: one link each, as in InfraGraph's graph")
    dev_instance = np.repeat(np.arange(len(instances)), [i.count for i in instances])
    annotation, ann_path = _annotation(p)
    return InfraGraphFile(path, str(data.get("name") or p.stem), defs, instances, links, dev_instance, dev, comp,
                          link, edge, annotation, ann_path, tuple(notes))


def expanded_links(graph: InfraGraphFile) -> set[tuple[str, str, str]]:
    """Every link as InfraGraph's own service names it: (component node, component node, link name),
    the node names sorted; for comparing this expansion with ``InfraGraphService.set_graph``."""
    out = set()
    for (d1, d2), (c1, c2), li in zip(graph.end_dev.tolist(), graph.end_comp.tolist(), graph.link.tolist()):
        names = sorted(_node_name(graph, d, c) for d, c in ((d1, c1), (d2, c2)))
        out.add((names[0], names[1], graph.links[li].name))
    return out


def _node_name(graph: InfraGraphFile, dev: int, comp: int) -> str:
    inst = graph.instances[int(graph.dev_instance[dev])]
    d = graph.devices[inst.device]
    return f"{inst.name}.{dev - inst.first}.{_qualified(graph.devices, d, comp)}"


def _qualified(defs: dict, d: DeviceDef, comp: int) -> str:
    for name, part in d.parts.items():
        if part.base <= comp < part.base + part.count * part.size:
            i, inner = divmod(comp - part.base, part.size)
            head = f"{name}.{i}"
            return head if part.sub is None else f"{head}.{_qualified(defs, defs[part.sub], inner)}"
    raise IndexError(comp)
