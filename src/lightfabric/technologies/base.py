"""What a technology is, what it puts at each end of a link group, and the rules every technology
shares.

A link group (:class:`GroupSpec`) joins a lower device (GPU, NIC or switch) to an upper one (a
switch, or an optical circuit switch that needs no optics of its own). A :class:`Technology`
answers, in one place:

* ``ends(catalog, spec)``: the optics or cable end at each side (:class:`PortOptics`) and the
  medium between them (a fiber trunk or a copper cable), or :class:`Infeasible` saying why;
* ``check(catalog, physical, spec, ends)``: the physical check of the group, budgeted with the
  chain of the parts it chose (the module, or the engine and its laser source);
* ``repair_unit(tier_kind)``: what is swapped when its optics fail at a device of that kind;
* ``density(catalog)``: its bandwidth-density limit;
* its ``label`` and ``colour`` in every report, whether it is ``optical`` and ``engine_based``.
"""

from __future__ import annotations

import functools
import operator
from abc import ABC, abstractmethod
from dataclasses import dataclass, fields, is_dataclass
from math import ceil

from lightfabric.catalog import Catalog, CopperCable, FiberCable, FiberPart, OpticalEngine, PluggableModule, PortConfig, SwitchAsic
from lightfabric.catalog.defaults import SHUFFLE_PART
from lightfabric.physics import chains
from lightfabric.physics.chains import LinkOptionError


class Infeasible(Exception):
    """A technology cannot serve a link group; the message says why, in the user's terms."""


@dataclass(frozen=True)
class PortOptics:
    """The optics (or cable end) at one end of a link.

    ``power_w``, ``lasers`` and ``cost_usd`` are for this one end. ``parts_per_end`` is the share
    of the part one end takes: 1 for a module per port, 1/2 for a module that serves two ports,
    the port's share of an engine for co-packaged optics. ``laser_power_w`` is the part of
    ``power_w`` drawn by external lasers.
    """

    kind: str                      # module, cpo, npo, oio, cable
    part_id: str
    rate_gbps: float
    interface: str                 # DR, FR, SR, or "copper"
    optical_lane_rate_gbps: float
    reach_m: float
    power_w: float
    laser_power_w: float
    lasers: float
    cost_usd: float
    breakout: int = 1
    parts_per_end: float = 1.0
    fibers: int = 0                # fibers at this end (0 for copper)

    @property
    def optical_lanes(self) -> int:
        return round(self.rate_gbps / self.optical_lane_rate_gbps)

    @property
    def fiber_pairs(self) -> int:
        """Duplex fiber pairs: one per lane for parallel optics, one per 4 lanes for CWDM (FR)."""
        return max(1, self.fibers // 2)

    def talks_to(self, other: "PortOptics | PluggableModule") -> bool:
        """Same PMD family and optical lane rate: the two ends interoperate over the fiber."""
        return (self.interface == other.interface
                and self.optical_lane_rate_gbps == other.optical_lane_rate_gbps)


def check_interop(spec: "GroupSpec", lower: PortOptics, upper: PortOptics | None) -> None:
    """Raise :class:`Infeasible` if the two ends of a link do not speak the same optics."""
    if upper is not None and not lower.talks_to(upper):
        raise Infeasible(f"{spec.name}: {lower.part_id} ({lower.interface}) and {upper.part_id} "
                         f"({upper.interface}) do not interoperate")


def module_fibers(m: PluggableModule) -> int:
    if m.fibers:
        return m.fibers
    per_fiber = 4 if m.interface == "FR" else 1
    return 2 * max(1, m.optical_lanes // per_fiber)


@dataclass(frozen=True)
class Endpoint:
    """One side of a link group: what device, how many of them, and its port."""

    kind: str                      # gpu, nic, switch, ocs
    tier: str                      # gpu, nic, leaf, spine, core, su-l1, su-l2, ocs
    device: object
    devices: int
    port: PortConfig | None        # the port the link uses at this side (rate each way, lanes)

    @functools.cached_property
    def value_key(self) -> tuple:
        """Every field by value, the device by its type and id (what a catalog's ``value_key``
        pins, for a device that is that catalog's part), computed once per endpoint."""
        return (type(self).__name__, self.kind, self.tier, _part_key(self.device), self.devices, _value(self.port))


def _part_key(part) -> object:
    return None if part is None else (type(part).__name__, getattr(part, "id", None))


_PLAIN = frozenset((str, int, float, bool, type(None)))
_GETTERS: dict[type, object] = {}     # per model or dataclass type: a getter of its compared fields, in order


def _value(x) -> object:
    """A hashable value of a field: a pydantic model's fields or a dataclass's compared fields in
    order (after its type's name), an endpoint's ``value_key``, a plain value as it is."""
    t = type(x)
    if t in _PLAIN:
        return x
    if t is Endpoint:
        return x.value_key
    get = _GETTERS.get(t)
    if get is None:
        if hasattr(t, "model_fields"):                  # pydantic
            names = tuple(t.model_fields)
        elif is_dataclass(x):
            names = tuple(f.name for f in fields(x) if f.compare)
        else:
            names = ()
        get = _GETTERS[t] = (operator.attrgetter(*names) if len(names) > 1 else
                             (lambda obj, name=names[0]: (getattr(obj, name),)) if names else False)
    if get is False:
        return tuple(_value(v) for v in x) if t is tuple else x
    return (t.__name__, *[v if type(v) in _PLAIN else _value(v) for v in get(x)])


@dataclass(frozen=True)
class GroupSpec:
    """A link group before a technology is chosen for it."""

    name: str                      # the topology's name of the group
    policy_key: str                # scale_up, nic_leaf, leaf_spine, spine_core
    links: int
    rate_gbps: float               # each way, one link
    lengths: object                # placement.LengthStats
    lower: Endpoint
    upper: Endpoint
    upper_ends: int                # optics at the upper side (fewer than links with breakout)
    breakout: int = 1
    ocs_passes: int = 0
    shuffles: int = 0              # fiber shuffle passes
    scale_up: bool = False         # a module or cable may serve several ports (scale-up links)
    design_margin_db: float = chains.DESIGN_MARGIN_DB  # scenario physical.design_margin_db
    laser_case_temperature_c: float | None = None     # scenario physical (None: the laser type's default)

    @functools.cached_property
    def value_key(self) -> tuple:
        """Every field by value, computed once per spec (a frozen spec never changes): the ends'
        devices by type and id (a catalog's ``value_key`` pins a catalog part's values), ports,
        lengths and the rest field by field. Equal specs have equal keys; specs that differ in any
        field have different keys (for devices that are parts of the same catalog)."""
        return _value(self)

    @property
    def length_m(self) -> float:
        """The longest link: the one every technology of the group must reach."""
        return self.lengths.max_m

    @property
    def upper_is_ocs(self) -> bool:
        return self.upper.kind == "ocs"


@dataclass(frozen=True)
class GroupEnds:
    lower: PortOptics
    upper: PortOptics | None       # None where the upper side is an optical circuit switch
    medium: FiberCable | CopperCable
    cables: int                    # trunks or copper cables in the group
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkNeed:
    """What one end must offer: rate, host lanes, reach and breakout."""

    rate_gbps: float
    lane_rate_gbps: float          # host SerDes lane rate at this end
    length_m: float
    breakout: int = 1
    group: str = ""
    gang: bool = False             # a module may serve several ports of this rate (scale-up)
    ports_per_cage: int = 1        # switch ports one module cage holds (twin-port modules: 2)
    shuffles: int = 0              # fiber shuffle passes in the channel
    ocs_passes: int = 0            # optical circuit switch passes in the channel
    ocs_port_usd: float = 0.0      # the link ends on an OCS: the price of the OCS ports one fiber pair takes


def module_optics(m: PluggableModule, need: LinkNeed | None = None) -> PortOptics:
    ports = 1
    if need is not None and (need.gang or need.ports_per_cage > 1) and m.rate_gbps > need.rate_gbps:
        ports = int(m.rate_gbps // need.rate_gbps)
    share = 1.0 / ports
    return PortOptics(kind="module", part_id=m.id, rate_gbps=m.rate_gbps * share, interface=m.interface,
                      optical_lane_rate_gbps=m.optical_lane_rate_gbps, reach_m=m.reach_m,
                      power_w=m.power_w * share, laser_power_w=0.0, lasers=m.lasers * share,
                      cost_usd=m.price_usd * share, breakout=m.breakout, parts_per_end=share,
                      fibers=max(2, round(module_fibers(m) * share)))


def select_module(catalog: Catalog, technology: str, need: LinkNeed, *, exact_lane_rate: bool = True,
                  far: PortOptics | None = None, end: str = "switch") -> PluggableModule:
    """The cheapest module of ``technology`` that meets ``need`` (then the lowest power).

    ``exact_lane_rate``: a switch port's lanes are fixed by its port configuration; a NIC's SerDes
    are taken to run any lane rate up to their top rate (200G SerDes also run 100G PAM4).
    ``need.gang``: a module of a whole multiple of the port rate may serve several ports.
    Raises :class:`Infeasible` naming the first requirement no module meets.
    """
    candidates = [m for m in catalog.of_kind(PluggableModule) if m.technology == technology]
    if need.ports_per_cage > 1:
        # a switch with fewer cages than ports (Quantum-X800: 72 cages, 144 ports) takes modules that
        # carry several of its ports, each to its own far end (twin-port 2 x 800G)
        ppc = need.ports_per_cage
        rate_step = (f"carrying {ppc} ports of {need.rate_gbps:g}G in one cage (the switch has fewer cages than ports)",
                     lambda m: m.rate_gbps == need.rate_gbps * ppc and m.breakout >= ppc * need.breakout)
    elif need.gang:
        rate_step = (f"at a multiple of {need.rate_gbps:g}G",
                     lambda m: m.rate_gbps >= need.rate_gbps and (m.rate_gbps / need.rate_gbps).is_integer())
    else:
        rate_step = (f"at {need.rate_gbps:g}G", lambda m: m.rate_gbps == need.rate_gbps)
    steps = [
        rate_step,
        (f"with {need.lane_rate_gbps:g}G host lanes" if exact_lane_rate
         else f"with host lanes of at most {need.lane_rate_gbps:g}G",
         (lambda m: m.host_lane_rate_gbps == need.lane_rate_gbps) if exact_lane_rate
         else (lambda m: m.host_lane_rate_gbps <= need.lane_rate_gbps)),
    ]
    if far is not None:
        steps.append((f"whose optics talk to {far.part_id} ({far.interface}, "
                      f"{far.optical_lane_rate_gbps:g}G per lane)", lambda m: far.talks_to(m)))
    if need.breakout > 1 and need.ports_per_cage == 1:
        steps.append((f"that breaks out to {need.breakout} ports", lambda m: m.breakout >= need.breakout))
    steps.append((f"reaching {need.length_m:g} m", lambda m: m.reach_m >= need.length_m))
    steps.append((f"whose multimode channel fits its budget over {need.length_m:g} m", lambda m: _sr_fits(catalog, m, need)))

    pool = candidates
    for label, keep in steps:
        kept = [m for m in pool if keep(m)]
        if not kept:
            have = ", ".join(f"{m.id} ({m.rate_gbps:g}G, {m.host_lanes}x{m.host_lane_rate_gbps:g}G, "
                             f"{m.reach_m:g} m)" for m in pool) or "none"
            where = f" for the {end} end of {need.group} links" if need.group else ""
            raise Infeasible(f"no {technology} module {label}{where}; candidates: {have}")
        pool = kept
    per_port = need.gang or need.ports_per_cage > 1
    # into an OCS each fiber pair takes OCS ports: a module of fewer fibers (WDM) saves them
    return min(pool, key=lambda m: (m.price_usd * (need.rate_gbps / m.rate_gbps if per_port else 1)
                                    + need.ocs_port_usd * max(1, module_fibers(m) // 2), m.power_w, m.id))


def pluggable_boxes(catalog: Catalog) -> list[dict]:
    """The catalog's switches with front-panel cages: what a faceplate-limited technology is built in."""
    return [{"id": s.id, "capacity_tbps": s.capacity_gbps / 1000.0, "cages": s.cages, "rack_units": s.rack_units}
            for s in catalog.of_kind(SwitchAsic) if s.cages]


def fastest(rates_and_parts) -> tuple[float, float, str | None]:
    """(fastest shipping, fastest at any status, note) of (rate, part) pairs, in Tb/s; the shipping
    one falls back to the fastest when the catalog states no shipping part, and the note says so."""
    rates = [(r, p) for r, p in rates_and_parts]
    shipping = [r for r, p in rates if p.available is not None and p.available.status == "shipping"]
    top = max(r for r, _ in rates)
    note = None if shipping else "no part of this kind is stated as shipping: the fastest at any status is taken as today's"
    return (max(shipping) if shipping else top) / 1000.0, top / 1000.0, note


def _sr_fits(catalog: Catalog, m: PluggableModule, need: LinkNeed) -> bool:
    """A single-mode module always passes here (its budget is checked with its chain); a multimode
    (SR) one only if its channel fits the SR budget at the group's length and shuffles."""
    if m.interface != "SR":
        return True
    if need.ocs_passes or need.gang:
        return False           # no multimode optical circuit switch; scale-up optics are single-mode here
    from lightfabric.physics.multimode import sr_check
    try:
        fiber = fiber_for(catalog, module_optics(m))
    except Infeasible:
        return False
    shuffle_db = need.shuffles * catalog.get(SHUFFLE_PART, kind="fiber-part").loss_db if need.shuffles else 0.0
    return sr_check(catalog, fiber, need.length_m, m.reach_m, shuffle_db)["feasible"]


def catalog_fiber_for_sr(catalog: Catalog, optics: PortOptics) -> str:
    return fiber_for(catalog, optics).id


def fiber_for(catalog: Catalog, optics: PortOptics) -> FiberCable:
    medium = "mmf" if optics.interface == "SR" else "smf"
    fibers = max(optics.fibers, 2)
    cables = [f for f in catalog.of_kind(FiberCable) if f.medium == medium and f.fibers >= fibers]
    if not cables:
        raise Infeasible(f"no {medium} fiber cable in the catalog carries {fibers} fibers")
    return min(cables, key=lambda f: (f.price_usd_per_m, f.price_usd_fixed, f.id))


def trunks(spec: GroupSpec, lower: PortOptics, medium: FiberCable) -> int:
    """Fiber trunks of a group: one per link (per leaf port with breakout); scale-up links that
    share a module share its trunk."""
    if spec.breakout > 1:
        return spec.upper_ends
    if spec.scale_up and lower.parts_per_end < 1:
        return ceil(spec.links * lower.parts_per_end - 1e-9)
    return spec.links


def need_at(spec: GroupSpec, side: str) -> LinkNeed:
    """The need of one side's port: its rate and lanes, the group's longest link and breakout."""
    ep = spec.lower if side == "lower" else spec.upper
    port = ep.port
    gang = spec.scale_up
    cages = getattr(ep.device, "cages", None) if ep.kind == "switch" else None
    ppc = port.count // cages if cages and port.count > cages and port.count % cages == 0 else 1
    ocs_port_usd = spec.upper.device.fiber_pair_price_usd if spec.upper_is_ocs else 0.0
    return LinkNeed(rate_gbps=port.rate_gbps, lane_rate_gbps=port.lane_rate_gbps, length_m=spec.length_m,
                    breakout=spec.breakout if side == "upper" else 1, group=spec.name, gang=gang,
                    ports_per_cage=1 if gang else ppc, shuffles=spec.shuffles, ocs_passes=spec.ocs_passes,
                    ocs_port_usd=ocs_port_usd)


@functools.lru_cache(maxsize=4096)
def optical_budget(catalog: Catalog, chain_kind: str, engine_id: str | None, length_m: float, lane_rate_gbps: float,
                   ocs_passes: int, design_margin_db: float, case_c: float | None, extra_loss_db: float):
    """The budget of one lane (cached: many groups and designs share it)."""
    engine = catalog.get(engine_id, kind="optical-engine") if engine_id else None
    return chains.optical_link(catalog, chain_kind, length_m, lane_rate_gbps, ocs_passes=ocs_passes,
                               design_margin_db=design_margin_db, laser_case_temperature_c=case_c,
                               extra_loss_db=extra_loss_db, engine=engine)


def chain_of(catalog: Catalog, optics: PortOptics) -> tuple[str, OpticalEngine | None]:
    """The physics chain family of the part at one end, and its engine if it is one."""
    part = catalog.get(optics.part_id)
    if isinstance(part, OpticalEngine):
        return "cpo", part
    if isinstance(part, PluggableModule):
        return part.technology, None
    raise LinkOptionError(f"{optics.part_id} is not an optical part")


def budget_of_check(catalog: Catalog, physical, check: dict):
    """The full link budget (a :class:`~lightfabric.physics.chains.LinkResult`, every element) behind
    an optical group's recorded check: same part, length, lane rate, OCS passes, shuffles and margin."""
    kind, engine_id = check["chain"], check.get("engine")
    case_c = physical.laser_case_temperature_c if kind == "cpo" else None
    return optical_budget(catalog, kind, engine_id, float(check["length_m"]), float(check["lane_rate_gbps"]),
                          int(check.get("ocs_passes", 0)), float(physical.design_margin_db), case_c,
                          float(check.get("shuffle_loss_db", 0.0)))


class Technology(ABC):
    """How links are built with one interconnect technology, and everything else that belongs to it.

    ``order`` sets where it stands in every list; ``co_packaged``: its engines sit on the switch
    package, so a switch tier built with it carries all of them and is swapped whole;
    ``scale_up_port``: it can be a scale-up domain's technology (copper, or optics in or beside the
    switch and GPU packages); a pluggable cannot (no platform of 2025-2027 has scale-up cages).
    """

    id: str = ""
    label: str = ""
    colour: str = "#666666"
    optical: bool = True
    engine_based: bool = False
    co_packaged: bool = False
    scale_up_port: bool = False        # builds a scale-up domain's ports (no pluggable cage needed there)
    order: int = 100

    def scale_up_reason(self, spec: GroupSpec) -> str | None:
        """Why this technology cannot be the scale-up domain's technology for ``spec``'s links (None
        if it can): a listed column then keeps the scenario's scale-up technology there."""
        if not self.scale_up_port and spec.lower.kind == "gpu" and not getattr(spec.lower.device, "ici_cages", False):
            return (f"{self.id} has no scale-up port at the GPU (no GPU platform of 2025-2027 has pluggable cages for "
                    f"its scale-up links; a TPU's direct links between cubes do: catalog ici_cages)")
        # between scale-up switch tiers a pluggable has cages: NVLink switch trays with OSFP ports tie
        # DGX GH200's 256-GPU domain together
        return None

    def switch_reason(self, spec: GroupSpec) -> str | None:
        """Why this technology cannot serve a port of ``spec``'s switches (None if it can): a
        co-packaged-optics switch (catalog ``co_packaged_optics``: SN6800, Quantum-X800 Photonics)
        has no cages, so only a co-packaged technology meets its ports."""
        for ep in (spec.lower, spec.upper):
            if ep.kind == "switch" and getattr(ep.device, "co_packaged_optics", False) and not self.co_packaged:
                return (f"{ep.device.id} is a co-packaged-optics switch: its ports are its own optical engines, "
                        f"with no cages for {self.id}")
        return None

    @abstractmethod
    def ends(self, catalog: Catalog, spec: GroupSpec) -> GroupEnds:
        """The two ends and the medium of ``spec``'s links (raise :class:`Infeasible` if none)."""

    @abstractmethod
    def repair_unit(self, tier_kind: str) -> str:
        """The ``repair-unit`` id swapped when this technology's optics fail at a device of ``tier_kind``."""

    @abstractmethod
    def density(self, catalog: Catalog) -> dict:
        """Its bandwidth-density limit (:mod:`lightfabric.physics.density`)."""

    # --- one link, outside a design (lightfabric link / laser) -------------------------------------
    def chain_for(self, catalog: Catalog, lane_rate_gbps: float,
                  part: str | None = None) -> tuple[str, OpticalEngine | None, str | None]:
        """The chain family and engine one of this technology's links is budgeted with, and a note
        naming the engine when it was not given but picked by rule."""
        raise LinkOptionError(f"--technology {self.id} has no optical chain")

    def link_budget(self, catalog: Catalog, length_m: float, lane_rate_gbps: float, *, part: str | None = None,
                    modulation: str = "pam4", laser_power_mw: float | None = None, lanes_per_laser: int | None = None,
                    ocs_passes: int = 0, design_margin_db: float = chains.DESIGN_MARGIN_DB,
                    cable: str | None = None):
        """Budget one lane of this technology over ``length_m`` (``lightfabric link``): every element,
        the margin and the BER. Options that do not apply raise :class:`LinkOptionError` naming them."""
        if cable is not None:
            raise LinkOptionError(f"--cable {cable}: only with --technology copper; {self.id} links are optical")
        kind, engine, note = self.chain_for(catalog, lane_rate_gbps, part)
        link = chains.optical_link(catalog, kind, length_m, lane_rate_gbps, modulation=modulation,
                                   laser_power_mw=laser_power_mw, lanes_per_laser=lanes_per_laser, ocs_passes=ocs_passes,
                                   design_margin_db=design_margin_db, engine=engine)
        if note:
            link.details["notes"] = [note] + list(link.details.get("notes", []))
        return link

    def laser_report(self, catalog: Catalog, *, part: str | None = None, lane_rate_gbps: float = 100.0, **options) -> dict:
        """What the lasers of one port must do (``lightfabric laser``)."""
        kind, engine, note = self.chain_for(catalog, lane_rate_gbps, part)
        report = chains.laser_report(catalog, kind, lane_rate_gbps=lane_rate_gbps, engine=engine, **options)
        return {**report, "technology": self.id, "notes": ([note] if note else []) + report["notes"]}

    def optical_groups_only(self, spec: GroupSpec) -> None:
        if spec.upper_is_ocs and not self.optical:
            raise Infeasible(f"{spec.name} links run through an optical circuit switch; {self.id} is not optical")

    def check(self, catalog: Catalog, physical, spec: GroupSpec, ends: GroupEnds) -> dict:
        """The physical check of one group: its chosen part's chain budgeted over the group's longest
        link at its optical lane rate, with its OCS passes and fiber shuffles, the scenario's design
        margin and laser case temperature. A dict with ``feasible`` and ``reasons``; a check that
        cannot run says so in ``note`` and ``checked: false``, and is never called feasible."""
        base = {"group": spec.name, "links": spec.links, "length_m": round(spec.length_m, 2),
                "mean_length_m": round(spec.lengths.mean_m, 2)}
        optics = ends.upper or ends.lower
        lane = optics.optical_lane_rate_gbps
        shuffle_db = 0.0
        if spec.shuffles:
            shuffle = catalog.get(SHUFFLE_PART, kind="fiber-part")
            assert isinstance(shuffle, FiberPart)
            shuffle_db = spec.shuffles * shuffle.loss_db
        if optics.interface == "SR":
            from lightfabric.physics.multimode import sr_check
            medium = catalog.get(catalog_fiber_for_sr(catalog, optics), kind="fiber")
            return {**base, "lane_rate_gbps": lane, "part": optics.part_id, "engine": None, "ocs_passes": 0,
                    "shuffle_loss_db": shuffle_db, **sr_check(catalog, medium, float(spec.length_m), optics.reach_m,
                                                              shuffle_db)}
        try:
            kind, engine = chain_of(catalog, optics)
            case_c = physical.laser_case_temperature_c if kind == "cpo" else None
            link = optical_budget(catalog, kind, engine.id if engine else None, float(spec.length_m), float(lane),
                                  int(spec.ocs_passes), float(physical.design_margin_db), case_c, shuffle_db)
        except LinkOptionError as e:
            return {**base, "lane_rate_gbps": lane, "part": optics.part_id, "checked": False, "feasible": False,
                    "reasons": [f"{spec.name} links: the physical check of {optics.part_id} could not run ({e})"],
                    "note": f"physical checks not run ({e})", "margin_db": None}
        d = link.details
        reasons = list(link.reasons)
        if optics.reach_m < spec.length_m:
            reasons.append(f"{optics.part_id} reaches {optics.reach_m:g} m; the longest {spec.name} link is "
                           f"{spec.length_m:.1f} m")
        return {**base, "lane_rate_gbps": lane, "part": optics.part_id, "chain": kind,
                "engine": engine.id if engine else None, "lanes_per_laser": d["lanes_per_laser"],
                "ocs_passes": spec.ocs_passes, "shuffle_loss_db": shuffle_db,
                "margin_db": round(link.margin_db, 3), "pre_fec_ber": float(f"{link.ber:.3g}"),
                "laser_power_mw": d["laser_power_mw"], "laser_case_temperature_c": d["laser_case_temperature_c"],
                "laser_junction_temperature_c": d["laser_junction_temperature_c"], "checked": True,
                "feasible": not reasons, "reasons": reasons}
