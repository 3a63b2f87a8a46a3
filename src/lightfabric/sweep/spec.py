"""A sweep file: a base scenario, the axes to vary and the constraints that drop points.

Points are never held all at once: :func:`chunk` makes any slice of the design space from its
indices (mixed-radix digits for a grid; a seeded sample for random and Latin-hypercube designs),
so a million-point sweep streams through in bounded memory and any partition can be re-made
exactly on any machine.

Example (docs/sweeps.md)::

    base: default                 # a packaged example name or a scenario path
    sample: {method: grid}        # grid, random or lhs (with points: N)
    axes:
      cluster.gpus: [8192, 16384, 32768]
      economics.electricity_usd_per_kwh: {linspace: [0.04, 0.20, 5]}
      scale_out.oversubscription: {low: 1, high: 3}        # random / lhs only
    constraints:
      - "cluster.gpus * economics.electricity_usd_per_kwh < 5000"
"""

from __future__ import annotations

import ast
import copy
import math
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import (BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator,
                      model_validator)

from lightfabric.errors import LightfabricError, did_you_mean
from lightfabric.inputs import InputError, load_yaml, read_text_file
from lightfabric.scenario.models import Scenario

Value = Union[float, int, str, bool, list[str]]  # a list: e.g. one value of the technologies axis


MAX_POINTS = 1_000_000_000        # points of a sweep (a grid's product, or a sample's points)
MAX_AXIS_VALUES = 10_000_000      # values of one linspace or range
MAX_CONSTRAINT_CHARS = 1_000      # one constraint's text
MAX_CONSTRAINT_NODES = 200        # its terms and operators
MAX_EXPONENT = 64                 # the right side of **
MAX_VALUES_CHECKED = 1_000        # discrete values of an axis validated against the scenario, all of them
INTEGER_LIMIT = 2 ** 53           # an integer interval's ends (exact in a float)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Values(_Strict):
    values: list[Value] = Field(min_length=1)


class Linspace(_Strict):
    linspace: tuple[float, float, int] = Field(description="start, stop, number of values (both ends included)")

    @field_validator("linspace")
    @classmethod
    def _count(cls, v):
        if not 1 <= v[2] <= MAX_AXIS_VALUES:
            raise ValueError(f"the number of values must be from 1 to {MAX_AXIS_VALUES:,}")
        return v


class Range(_Strict):
    range: tuple[float, float, float] = Field(description="start, stop (excluded), step, as numpy.arange")

    @field_validator("range")
    @classmethod
    def _step(cls, v):
        if v[2] == 0 or (v[1] - v[0]) / v[2] <= 0:
            raise ValueError("the step must be non-zero and lead from start towards stop")
        if (v[1] - v[0]) / v[2] > MAX_AXIS_VALUES:
            raise ValueError(f"at most {MAX_AXIS_VALUES:,} values (start to stop in steps of step)")
        return v


class Interval(_Strict):
    """A continuous axis for random and Latin-hypercube samples."""

    low: float
    high: float
    log: bool = False
    integer: bool = False

    @model_validator(mode="after")
    def _order(self):
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.log and self.low <= 0:
            raise ValueError("a log axis needs low > 0")
        if self.integer and max(abs(self.low), abs(self.high)) > INTEGER_LIMIT:
            raise ValueError(f"an integer interval's ends must lie within +-{INTEGER_LIMIT:,}")
        if self.integer and np.ceil(self.low) > np.floor(self.high):
            raise ValueError(f"an integer interval needs a whole number between low ({self.low:g}) and high "
                             f"({self.high:g})")
        return self


def _axis_kind(v) -> str | None:
    if isinstance(v, BaseModel):  # serialising a parsed axis
        return type(v).__name__
    if isinstance(v, list):
        return "List"
    if isinstance(v, dict):
        for key, tag in (("values", "Values"), ("linspace", "Linspace"), ("range", "Range"), ("low", "Interval"),
                         ("high", "Interval")):
            if key in v:
                return tag
    return None


# One form per axis, chosen by its keys, so that an error speaks of that form only.
Axis = Annotated[Union[Annotated[list[Value], Tag("List")], Annotated[Values, Tag("Values")],
                       Annotated[Linspace, Tag("Linspace")], Annotated[Range, Tag("Range")],
                       Annotated[Interval, Tag("Interval")]],
                 Discriminator(_axis_kind, custom_error_type="axis_form",
                               custom_error_message="an axis is a list of values, or {values: [...]}, "
                                                    "{linspace: [start, stop, num]}, {range: [start, stop, step]} "
                                                    "or {low, high[, log, integer]}")]


class Sample(_Strict):
    method: Literal["grid", "random", "lhs"] = "grid"
    points: int | None = Field(None, gt=0, le=10**9, description="random and lhs: how many points")

    @model_validator(mode="after")
    def _points(self):
        if self.method != "grid" and self.points is None:
            raise ValueError(f"sample.points is required for method {self.method}")
        if self.method == "grid" and self.points is not None:
            raise ValueError("a grid has the product of its axes' lengths; leave sample.points out")
        return self


class SweepSpec(_Strict):
    base: str = Field("default", min_length=1, description="a packaged example name or a scenario path")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    sample: Sample = Sample()
    axes: dict[str, Axis] = Field(min_length=1)
    constraints: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self):
        for name, axis in self.axes.items():
            check_path(name)
            if isinstance(axis, Interval) and self.sample.method == "grid":
                raise ValueError(f"axes.{name}: an interval (low/high) needs sample.method random or lhs; "
                                 f"a grid takes values, linspace or range")
            if isinstance(axis, list) and not axis:
                raise ValueError(f"axes.{name}: an empty list of values")
        for c in self.constraints:
            compile_constraint(c, list(self.axes))
        if self.sample.method == "grid":
            n = math.prod(len(values_of(a)) for a in self.axes.values())
            if n > MAX_POINTS:
                raise ValueError(f"the grid has {n:,} points; at most {MAX_POINTS:,} (fewer values, or a random or "
                                 f"lhs sample)")
        return self


def _submodel(annotation) -> type[BaseModel] | None:
    """The section model a field holds (``ScaleUp`` for ``ScaleUp | None``), or None for a value."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    inner = [a for a in getattr(annotation, "__args__", ()) if isinstance(a, type) and issubclass(a, BaseModel)]
    return inner[0] if inner else None


def check_path(path: str) -> None:
    """Raise ValueError unless ``path`` is a scenario field (e.g. ``scale_out.port_rate_gbps``) or a
    catalog figure written as ``overrides.PART_ID.FIELD`` (e.g. ``overrides.cpo-engine-1.6t.price_usd``)."""
    if path.startswith("overrides."):
        from lightfabric.catalog import Catalog
        from lightfabric.errors import CatalogError
        key = path.removeprefix("overrides.")
        if "." not in key:
            raise ValueError(f"axis {path!r}: name a catalog figure as overrides.PART_ID.FIELD")
        part_id, name = key.rsplit(".", 1)
        try:
            part = Catalog.default().get(part_id, field=f"axis {path!r}")
        except CatalogError as e:
            raise ValueError(str(e)) from None
        fields = part.data_fields()
        if name not in fields:
            raise ValueError(f"axis {path!r}: {name!r} is not a field of {part.kind} {part_id!r}"
                             f"{did_you_mean(name, fields)}; fields: {', '.join(fields)}")
        return
    model: type[BaseModel] = Scenario
    parts = path.split(".")
    for i, key in enumerate(parts):
        fields = model.model_fields
        if key not in fields:
            where = ".".join(parts[:i]) or "the scenario"
            raise ValueError(f"axis {path!r}: {key!r} is not a field of {where}{did_you_mean(key, fields)}; "
                             f"fields there: {', '.join(fields)}")
        sub = _submodel(fields[key].annotation)
        if i < len(parts) - 1:
            if sub is None:
                raise ValueError(f"axis {path!r}: {key!r} has no fields below it")
            model = sub
        elif sub is not None:
            raise ValueError(f"axis {path!r} is a section; name one of its fields: {', '.join(sub.model_fields)}")
        elif path == "overrides":
            raise ValueError("axis 'overrides' is a section; name a catalog figure as overrides.PART_ID.FIELD")


# --- constraints: a small, safe expression language over the axes -----------------------------

class ConstraintError(ValueError):
    """A constraint that cannot be evaluated on the points (division by zero, a number too large)."""


def _numbers(op_name: str, f):
    """``f`` on numbers only (text is for comparisons), with its arithmetic errors in words."""
    def apply(a, b):
        for x in (a, b):
            if isinstance(x, str) or (isinstance(x, np.ndarray) and x.dtype == object):
                raise ConstraintError(f"{op_name} takes numbers, not text")
        try:
            with np.errstate(divide="raise", invalid="raise", over="raise"):
                return f(a, b)
        except (ZeroDivisionError, FloatingPointError) as e:
            raise ConstraintError("division by zero" if "divi" in str(e) or isinstance(e, ZeroDivisionError)
                                  else f"{op_name}: {e}") from None
        except OverflowError:
            raise ConstraintError(f"{op_name}: a result too large") from None
    return apply


def _power(a, b):
    if np.any(np.abs(np.asarray(b, dtype=float)) > MAX_EXPONENT):
        raise ConstraintError(f"an exponent too large (at most {MAX_EXPONENT})")
    return operator.pow(np.asarray(a, dtype=float) if isinstance(a, int) else a, b)


_BINOPS = {ast.Add: _numbers("+", operator.add), ast.Sub: _numbers("-", operator.sub),
           ast.Mult: _numbers("*", operator.mul), ast.Div: _numbers("/", operator.truediv),
           ast.Mod: _numbers("%", operator.mod), ast.Pow: _numbers("**", _power),
           ast.FloorDiv: _numbers("//", operator.floordiv)}
_CMPOPS = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
           ast.Eq: operator.eq, ast.NotEq: operator.ne}


def compile_constraint(text: str, axes: list[str]):
    """Parse a constraint such as ``"cluster.gpus <= 65536 and scale_out.oversubscription < 2"``.

    Allowed: numbers, strings, axis names, + - * / // % ** (on numbers; exponents up to 64),
    comparisons, and/or/not, parentheses; at most 1,000 characters and 200 terms and operators.
    Anything else (calls, attributes of other things, subscripts) is refused. Returns a function of
    a column dict giving a boolean array; evaluating it raises :class:`ConstraintError` with the
    reason when the arithmetic fails.
    """
    if len(text) > MAX_CONSTRAINT_CHARS:
        raise ValueError(f"constraint {text[:40]!r}...: too long ({len(text):,} characters; at most "
                         f"{MAX_CONSTRAINT_CHARS:,})")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        raise ValueError(f"constraint {text!r}: not an expression ({e.msg})") from None
    except (RecursionError, MemoryError):
        raise ValueError(f"constraint {text[:40]!r}...: too long to parse") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_CONSTRAINT_NODES:
        raise ValueError(f"constraint {text[:40]!r}...: too long (more than {MAX_CONSTRAINT_NODES} terms and "
                         f"operators)")

    def name_of(node) -> str | None:
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            inner = name_of(node.value)
            return None if inner is None else f"{inner}.{node.attr}"
        return None

    def build(node):
        if isinstance(node, ast.Expression):
            return build(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
            v = node.value
            return lambda cols: v
        name = name_of(node)
        if name is not None:
            if name not in axes:
                raise ValueError(f"constraint {text!r}: {name!r} is not an axis{did_you_mean(name, axes)}; "
                                 f"axes: {', '.join(axes)}")
            return lambda cols: cols[name]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            f, a, b = _BINOPS[type(node.op)], build(node.left), build(node.right)
            return lambda cols: f(a(cols), b(cols))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
            a = build(node.operand)
            return (lambda cols: -a(cols)) if isinstance(node.op, ast.USub) else (lambda cols: np.logical_not(a(cols)))
        if isinstance(node, ast.BoolOp):
            parts = [build(v) for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or

            def boolean(cols):
                out = parts[0](cols)
                for p in parts[1:]:
                    out = combine(out, p(cols))
                return out
            return boolean
        if isinstance(node, ast.Compare) and all(type(op) in _CMPOPS for op in node.ops):
            terms = [build(node.left)] + [build(c) for c in node.comparators]
            ops = [_CMPOPS[type(op)] for op in node.ops]

            def compare(cols):
                out, left = True, terms[0](cols)
                for op, term in zip(ops, terms[1:]):
                    right = term(cols)
                    out = np.logical_and(out, op(left, right))
                    left = right
                return out
            return compare
        raise ValueError(f"constraint {text!r}: {ast.unparse(node)!r} is not allowed; use numbers, axis names, "
                         f"arithmetic, comparisons, and/or/not")

    return build(tree)


# --- the design space ------------------------------------------------------------------------

def values_of(axis) -> np.ndarray | None:
    """The discrete values of an axis (None for an interval)."""
    if isinstance(axis, list):
        if any(isinstance(v, (str, list)) for v in axis):
            out = np.empty(len(axis), dtype=object)  # element by element: a list value stays one value
            for i, v in enumerate(axis):
                out[i] = tuple(v) if isinstance(v, list) else v
            return out
        return np.asarray(axis)
    if isinstance(axis, Values):
        return values_of(axis.values)
    if isinstance(axis, Linspace):
        start, stop, num = axis.linspace
        return np.linspace(start, stop, num)
    if isinstance(axis, Range):
        return np.arange(*axis.range)
    return None


def size(spec: SweepSpec) -> int:
    """Points before constraints."""
    if spec.sample.method != "grid":
        return spec.sample.points
    return math.prod(len(values_of(a)) for a in spec.axes.values())


def chunk(spec: SweepSpec, start: int, stop: int) -> dict[str, np.ndarray]:
    """Points ``start`` to ``stop`` (excluded) as columns, before constraints.

    Every point is made from its index alone, so any chunk is made the same way on any machine in
    time and memory proportional to the chunk: grid points from their mixed-radix digits (the last
    axis varies fastest); random points from counter-based uniforms (:func:`uniforms`); Latin
    hypercube points put point ``i`` in stratum ``pi_j(i)`` of axis ``j``, with ``pi_j`` a seeded
    permutation of ``0..n-1`` (:func:`permute`), plus a uniform offset inside the stratum
    (McKay, Beckman and Conover, Technometrics 21(2), 1979).
    """
    n = size(spec)
    if not 0 <= start <= stop <= n:
        raise ValueError(f"chunk {start}:{stop} outside 0:{n}")
    idx = np.arange(start, stop, dtype=np.uint64)
    cols: dict[str, np.ndarray] = {}
    names = list(spec.axes)
    if spec.sample.method == "grid":
        rest = idx.astype(np.int64)
        for name in reversed(names):
            vals = values_of(spec.axes[name])
            cols[name] = vals[rest % len(vals)]
            rest //= len(vals)
        return {name: cols[name] for name in names}
    for j, name in enumerate(names):
        u = uniforms(spec.seed, j, idx)
        if spec.sample.method == "lhs":
            strata = permute(idx, n, _mix(np.uint64((spec.seed * 0x9E3779B97F4A7C15 + j + 1) & _M64)))
            u = (strata.astype(np.float64) + u) / n
        cols[name] = _scale(spec.axes[name], u)
    return cols


# --- counter-based random numbers: the i-th number needs no other ------------------------------

_M64 = 0xFFFFFFFFFFFFFFFF


def _mix(x):
    """SplitMix64's finaliser (Steele, Lea and Flood, "Fast splittable pseudorandom number
    generators", OOPSLA 2014): a bijection of 64-bit words whose outputs pass BigCrush."""
    x = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def uniforms(seed: int, stream: int, idx: np.ndarray) -> np.ndarray:
    """Uniform numbers in [0, 1), one per index, for ``(seed, stream)``: 53 bits of
    ``mix(mix(seed, stream) + golden * (index + 1))``."""
    key = _mix(np.uint64((seed * 0x100000001B3 + stream * 0x9E3779B97F4A7C15 + 1) & _M64))
    with np.errstate(over="ignore"):
        x = _mix(key + np.uint64(0x9E3779B97F4A7C15) * (np.asarray(idx, dtype=np.uint64) + np.uint64(1)))
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)


def permute(idx: np.ndarray, n: int, key) -> np.ndarray:
    """A keyed permutation of ``0..n-1`` applied to ``idx``, without making the whole permutation.

    A four-round Feistel network on the smallest even number of bits covering ``n`` is a bijection
    of ``0..2^bits-1``; cycle-walking (re-applying it while the result is ``>= n``) restricts it to
    ``0..n-1`` (Black and Rogaway, "Ciphers with arbitrary finite domains", CT-RSA 2002). The domain
    is under ``4 n``, so a few walks suffice.
    """
    half = max(1, (max(n - 1, 1).bit_length() + 1) // 2)
    mask = np.uint64((1 << half) - 1)
    sh = np.uint64(half)
    keys = [_mix(np.uint64((int(key) + r + 1) & _M64)) for r in range(4)]

    def feistel(x):
        left, right = x >> sh, x & mask
        for k in keys:
            with np.errstate(over="ignore"):
                left, right = right, left ^ (_mix(right ^ k) & mask)
        return (left << sh) | right

    out = feistel(np.asarray(idx, dtype=np.uint64))
    over = out >= np.uint64(n)
    while over.any():
        out[over] = feistel(out[over])
        over = out >= np.uint64(n)
    return out


def _scale(axis, u: np.ndarray) -> np.ndarray:
    vals = values_of(axis)
    if vals is not None:
        return vals[np.minimum((u * len(vals)).astype(np.int64), len(vals) - 1)]
    lo, hi = axis.low, axis.high
    if axis.integer:
        # every whole number k in [low, high] owns the interval [k, k + 1) of the draw (its log in a
        # log axis), so the end values are drawn as often as the others (rounding gave them half)
        lo, hi = np.ceil(lo), np.floor(hi) + 1.0
        x = np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo))) if axis.log else lo + u * (hi - lo)
        return np.minimum(np.floor(x), hi - 1.0).astype(np.int64)
    return np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo))) if axis.log else lo + u * (hi - lo)


def keep(spec: SweepSpec, cols: dict[str, np.ndarray]) -> np.ndarray:
    """The points of a chunk that meet every constraint (a :class:`LightfabricError` naming the
    constraint if one cannot be evaluated)."""
    n = len(next(iter(cols.values()))) if cols else 0
    mask = np.ones(n, dtype=bool)
    for c in spec.constraints:
        try:
            mask &= np.broadcast_to(np.asarray(compile_constraint(c, list(spec.axes))(cols), dtype=bool), (n,))
        except ConstraintError as e:
            raise LightfabricError.for_field("constraints", c, "an expression the points can be evaluated on",
                                             problem=f"constraint {c!r}: {e}") from None
    return mask


def parse_sweep(data: object, filename: str = "<sweep>") -> SweepSpec:
    """Validate a sweep file's data; errors name the file, the field, the value and what is allowed."""
    if not isinstance(data, dict):
        raise LightfabricError(f"{filename}: a sweep file is a mapping with base, axes, sample and constraints")
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as e:
        msgs: dict[str, list[str]] = {}
        for err in e.errors():
            # union branches (list[...], Values, Linspace, ...) are pydantic's words, not the user's
            loc = ".".join(str(x) for x in err["loc"] if not (isinstance(x, str) and ("[" in x or x[:1].isupper()
                                                                                       or x in ("float", "int", "str", "bool"))))
            msgs.setdefault(loc or "sweep", [])
            msg = err["msg"].removeprefix("Value error, ")
            if msg not in msgs[loc or "sweep"]:
                msgs[loc or "sweep"].append(msg)
        raise LightfabricError("\n".join(f"{filename}: {loc}: {'; or '.join(m)}" for loc, m in msgs.items())) from None


def _field_at(path: str):
    """The pydantic field of a dotted scenario path, or None (an override or unknown path)."""
    model: type[BaseModel] = Scenario
    field = None
    for key in path.split("."):
        if model is None or key not in model.model_fields:
            return None
        field = model.model_fields[key]
        model = _submodel(field.annotation)
    return field


def field_is_int(path: str) -> bool:
    """Whether a scenario field takes whole numbers (so 8192.0 from a linspace is given as 8192)."""
    field = _field_at(path)
    if field is None:
        return False
    ann = field.annotation
    args = getattr(ann, "__args__", ()) or (ann,)
    return any(a is int for a in args) and not any(a is float for a in args)


def axis_extremes(axis) -> list:
    """The values of a discrete axis, or the ends of an interval: what a range check must see."""
    vals = values_of(axis)
    if vals is None:
        if axis.integer:
            return [int(math.ceil(axis.low)), int(math.floor(axis.high))]
        return [axis.low, axis.high]
    return [v.item() if isinstance(v, np.generic) else v for v in vals]


def scenario_at(base: dict, values: dict[str, object]) -> Scenario:
    """The base scenario's data with the axes' values put in, validated.

    Raises LightfabricError naming the axis whose value the scenario does not accept."""
    data = copy.deepcopy(base)
    data.setdefault("name", "sweep point")
    for path, v in values.items():
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, tuple):
            v = list(v)
        if isinstance(v, float) and v.is_integer() and field_is_int(path):
            v = int(v)
        if path.startswith("overrides."):
            data.setdefault("overrides", {})
            data["overrides"] = {**(data["overrides"] or {}), path.removeprefix("overrides."): v}
            continue
        node = data
        keys = path.split(".")
        for k in keys[:-1]:
            if not isinstance(node.get(k), dict):
                node[k] = {}
            node = node[k]
        node[keys[-1]] = v
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise LightfabricError(f"{where}: got {first.get('input')!r}: {first['msg'].removeprefix('Value error, ')}",
                               field=where) from None


def check_axis_values(name: str, axis, base: dict, filename: str) -> None:
    """Every value of an axis (or, past :data:`MAX_VALUES_CHECKED`, its extremes; an interval's ends)
    put into the base scenario must validate: what ``sweep check`` accepts, ``sweep run`` can build."""
    values = axis_extremes(axis)
    if len(values) > MAX_VALUES_CHECKED:
        numeric = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        values = ([min(numeric), max(numeric)] if numeric else []) + [v for v in values if v not in numeric][:10]
    seen = set()
    for v in values:
        key = repr(v)
        if key in seen:
            continue
        seen.add(key)
        try:
            sc = scenario_at(base, {name: v})
            if name.startswith("overrides."):
                from lightfabric.catalog import Catalog
                Catalog.default().with_overrides(sc.overrides)
        except LightfabricError as e:
            raise LightfabricError(f"{filename}: axes.{name}: got {v!r}: {e}", field=f"axes.{name}", value=v) from None


@dataclass
class Sweep:
    """A sweep file read and checked: its spec, the base scenario's data and where each came from."""

    spec: SweepSpec
    base: dict
    base_text: str
    base_name: str
    filename: str


def load_sweep(path: str | Path) -> Sweep:
    """Read a sweep file and its base scenario; every error names the file, the field, the value
    and what is allowed (LightfabricError)."""
    from lightfabric.scenario.loader import packaged_scenarios, parse_scenario

    p = Path(path)
    if p.suffix.lower() not in (".yaml", ".yml"):
        raise LightfabricError.for_field("SWEEP", str(p), "a sweep file ending in .yaml or .yml")
    try:
        text = read_text_file(p, "sweep")
    except FileNotFoundError:
        raise LightfabricError.for_field("SWEEP", str(p), "the path of a sweep YAML file (see examples/sweeps/)",
                                         problem="no such file") from None
    except IsADirectoryError:
        raise LightfabricError.for_field("SWEEP", str(p), "a UTF-8 YAML file", problem="a directory") from None
    except InputError as e:
        raise LightfabricError(str(e), field="SWEEP") from None
    try:
        data, _ = load_yaml(text, str(p))
    except InputError as e:
        raise LightfabricError(str(e), field="SWEEP") from None
    spec = parse_sweep(data, filename=str(p))

    named = packaged_scenarios()
    base_path = (p.parent / spec.base) if (p.parent / spec.base).is_file() else Path(spec.base)
    if spec.base in named:
        base_path = named[spec.base]
    elif not base_path.is_file():
        raise LightfabricError.for_field(f"{p}: base", spec.base, "a packaged scenario (" + ", ".join(named)
                                         + ") or the path of a scenario file, relative to the sweep file",
                                         problem="no such scenario" + did_you_mean(spec.base, named))
    try:
        base_text = read_text_file(base_path, "base scenario")
    except (InputError, OSError) as e:
        raise LightfabricError.for_field(f"{p}: base", spec.base, "a readable scenario file", problem=str(e)) from None
    parse_scenario(base_text, filename=str(base_path))  # the base itself must be valid
    base, _ = load_yaml(base_text, str(base_path))

    for name, axis in spec.axes.items():
        check_axis_values(name, axis, base, str(p))
    return Sweep(spec=spec, base=base, base_text=base_text, base_name=str(base_path), filename=str(p))
