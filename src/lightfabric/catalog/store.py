"""Loading the catalog from its YAML files, looking parts up, and applying a scenario's overrides.

The built-in catalog is parsed and validated once and kept in a cache file keyed by its files' bytes
(:mod:`lightfabric.catalog.cache`); later runs rebuild the parts from the cached data, which only this
code writes (after validating it), instead of parsing and validating the YAML again.
"""

from __future__ import annotations

import math

import functools
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from lightfabric.catalog import cache as _cache
from lightfabric.catalog.models import PART_TYPES, Part, Source, construct
from lightfabric.errors import CatalogError, did_you_mean

P = TypeVar("P", bound=Part)

REFERENCES_FILE = "references.yaml"


def _data_files(data_dir: str | Path | None = None) -> list[Path]:
    """The catalog's YAML files: those of ``data_dir``, or the package's ``catalog/data``."""
    folder = Path(str(resources.files("lightfabric.catalog") / "data")) if data_dir is None else Path(data_dir)
    return sorted(p for p in folder.iterdir() if p.name.endswith(".yaml"))


def _load_yaml(data: bytes | str):
    """One YAML document of the catalog's own files (packaged data: no line map needed), read with
    libyaml's safe loader where PyYAML has it (the same data as ``yaml.SafeLoader``, 7 times as fast).
    PyYAML loads here, not with the module: a catalog read from the cache needs none of it."""
    import yaml

    return yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _pydantic_message(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        parts.append(f"{loc}: {e['msg']}" if loc else e["msg"])
    return "; ".join(parts)


def _resolve_sources(raw_sources: list, references: Mapping[str, dict], where: str) -> list[dict]:
    """Expand ``{ref: key, fields: [...]}`` into full source records from references.yaml."""
    out = []
    for s in raw_sources or []:
        if isinstance(s, dict) and "ref" in s:
            key = s["ref"]
            if key not in references:
                raise CatalogError(f"{where}: sources: unknown reference {key!r}"
                                   f"{did_you_mean(key, references)}")
            merged = {**references[key], **{k: v for k, v in s.items() if k != "ref"}}
            out.append(merged)
        else:
            out.append(s)
    return out


def _fields_set(value: object) -> object:
    """The fields a model and each model nested in it were given, as a nested structure."""
    if isinstance(value, BaseModel):
        return (frozenset(value.model_fields_set), tuple(_fields_set(getattr(value, f)) for f in type(value).model_fields))
    if isinstance(value, (tuple, list)):
        return tuple(_fields_set(v) for v in value)
    return None


class Catalog:
    """The parts that exist, by id. Immutable: overrides return a new catalog."""

    def __init__(self, parts: Iterable[Part], *, references: Mapping[str, dict] | None = None,
                 user: Mapping[str, str] | None = None):
        self._parts: dict[str, Part] = {}
        for p in parts:
            if p.id in self._parts:
                raise CatalogError(f"catalog: duplicate part id {p.id!r}")
            self._parts[p.id] = p
        self._references = dict(references or {})
        # part id -> the user's catalog file it came from (not the built-in catalog)
        self.user: dict[str, str] = dict(user or {})

    # -- loading ---------------------------------------------------------------------------------
    @classmethod
    def from_files(cls, files: Iterable[Path]) -> "Catalog":
        """The catalog of these YAML files (``references.yaml`` among them holds the cited sources)."""
        return cls._from_texts([(f.name, f.read_bytes()) for f in files])

    @classmethod
    def from_directory(cls, data_dir: str | Path | None = None, *, cache: bool = True,
                       cache_dir: str | Path | None = None) -> "Catalog":
        """The catalog of the ``*.yaml`` files in ``data_dir`` (default: the built-in catalog).

        With ``cache`` the validated catalog is kept in a cache file keyed by the files' bytes
        (:mod:`lightfabric.catalog.cache`; ``cache_dir`` or the user's cache directory): a later call
        with the same files rebuilds the parts from the cached data (validated when it was written)
        instead of parsing the YAML; a file that changes is parsed again; a cache file that is
        missing, corrupt, not this catalog's or not written by this code is ignored and rewritten."""
        texts = [(f.name, f.read_bytes()) for f in _data_files(data_dir)]
        if not cache:
            return cls._from_texts(texts)
        from lightfabric import __version__

        directory = _cache.cache_dir() if cache_dir is None else Path(cache_dir)
        key = _cache.catalog_key(texts, __version__)
        catalog = cls._from_cache_data(_cache.read(directory, key))
        if catalog is None:
            catalog = cls._from_texts(texts)
            data = catalog._cache_data()
            if directory is not None and cls._from_cache_data(data, like=catalog) is not None:
                _cache.write(directory, key, data)
        return catalog

    @classmethod
    def _from_texts(cls, texts: Iterable[tuple[str, bytes | str]]) -> "Catalog":
        texts = list(texts)
        references: dict[str, dict] = {}
        for name, text in texts:
            if name == REFERENCES_FILE:
                references.update(_load_yaml(text) or {})
        parts: list[Part] = []
        for name, text in texts:
            if name == REFERENCES_FILE:
                continue
            doc = _load_yaml(text) or {}
            for i, raw in enumerate(doc.get("parts", [])):
                where = f"{name}: part {raw.get('id', f'#{i}')!r}"
                kind = raw.get("kind")
                if kind not in PART_TYPES:
                    raise CatalogError(f"{where}: kind: got {kind!r}; allowed: {', '.join(PART_TYPES)}")
                data = {k: v for k, v in raw.items() if k != "kind"}
                data["sources"] = _resolve_sources(data.get("sources"), references, where)
                try:
                    parts.append(PART_TYPES[kind].model_validate(data))
                except ValidationError as e:
                    raise CatalogError(f"{where}: {_pydantic_message(e)}") from None
        catalog = cls(parts, references=references)
        catalog._check_links()
        return catalog

    # -- the cache -------------------------------------------------------------------------------
    def _cache_data(self) -> dict:
        """This catalog as plain JSON data: the references, and each part's kind and the fields it was
        given (``exclude_unset``: defaults are filled in again, and ``model_fields_set`` is kept)."""
        return {"references": self._references,
                "parts": [[p.kind, p.model_dump(mode="json", exclude_unset=True)] for p in self._parts.values()]}

    @classmethod
    def _from_cache_data(cls, data: object, like: "Catalog | None" = None) -> "Catalog | None":
        """The catalog of :meth:`_cache_data`'s output, each part rebuilt by
        :func:`~lightfabric.catalog.models.construct` without validating it again (the cache holds
        only data this code validated and checked with this method: :mod:`lightfabric.catalog.cache`);
        None if ``data`` is not such a catalog, or (given ``like``) if it is not exactly ``like``
        (every part's type, values with their types, and the fields it and each model in it were
        given; the references)."""
        if like is not None:
            import json
            try:
                data = json.loads(json.dumps(data, allow_nan=False))   # what a reader of the file sees
            except (TypeError, ValueError):
                return None
        if not isinstance(data, dict) or set(data) != {"references", "parts"} \
                or not isinstance(data["references"], dict) or not isinstance(data["parts"], list) \
                or not all(isinstance(r, dict) for r in data["references"].values()):
            return None
        try:
            parts = []
            for entry in data["parts"]:
                if not (isinstance(entry, list) and len(entry) == 2 and entry[0] in PART_TYPES
                        and isinstance(entry[1], dict)):
                    return None
                parts.append(construct(PART_TYPES[entry[0]], entry[1]))
            catalog = cls(parts, references=data["references"])
            catalog._check_links()
        except (ValidationError, CatalogError, TypeError, ValueError, KeyError, AttributeError, RecursionError):
            return None
        if like is not None and not catalog._same_as(like):
            return None
        return catalog

    def _same_as(self, other: "Catalog") -> bool:
        """The same parts in the same order, each of the same type with the same values (compared with
        their types, by ``repr``) and the same fields given, and the same references."""
        if list(self._parts) != list(other._parts) or self._references != other._references:
            return False
        return all(type(a) is type(b) and repr(a) == repr(b) and _fields_set(a) == _fields_set(b)
                   for a, b in zip(self._parts.values(), other._parts.values()))

    def with_user_files(self, paths: Iterable[str | Path], field: str = "catalog") -> "Catalog":
        """A new catalog with the parts of the user's catalog files added, validated exactly like the
        built-in ones (a source on every figure, an estimate with its derivation, the ids a part names
        must exist), each remembered in :attr:`user` with its file. A file holds ``parts:`` and,
        optionally, ``references:`` (keys its sources may ``ref``, besides the built-in ones). A
        part may not reuse a built-in id: give yours a new one."""
        from lightfabric.inputs import InputError, load_yaml, read_text_file

        paths = [Path(p) for p in paths]
        if not paths:
            return self
        parts = list(self._parts.values())
        user = dict(self.user)
        references = dict(self._references)
        for i, path in enumerate(paths):
            where_field = f"{field}[{i}]"
            try:
                text = read_text_file(path, "catalog")
                doc, _ = load_yaml(text, str(path))
            except FileNotFoundError:
                raise CatalogError.for_field(where_field, str(path), "the path of a YAML catalog file (parts: and "
                                             "references:)", problem="file not found") from None
            except (InputError, IsADirectoryError) as e:
                raise CatalogError(f"{where_field}: {e}", field=where_field, value=str(path)) from None
            if not isinstance(doc, dict) or not isinstance(doc.get("parts", []), list) or \
                    not isinstance(doc.get("references", {}), dict) or set(doc) - {"parts", "references"}:
                raise CatalogError.for_field(where_field, str(path), "a mapping with parts: (a list) and, optionally, "
                                             "references: (a mapping)", problem="not a catalog file")
            references.update(doc.get("references") or {})
            for j, raw in enumerate(doc.get("parts") or []):
                name = raw.get("id", f"#{j}") if isinstance(raw, dict) else f"#{j}"
                where = f"{path}: part {name!r}"
                if not isinstance(raw, dict):
                    raise CatalogError(f"{where}: a part is a mapping of its fields", field=where_field)
                kind = raw.get("kind")
                if kind not in PART_TYPES:
                    raise CatalogError(f"{where}: kind: got {kind!r}; allowed: {', '.join(PART_TYPES)}",
                                       field=where_field, value=kind)
                data = {k: v for k, v in raw.items() if k != "kind"}
                data["sources"] = _resolve_sources(data.get("sources"), references, where)
                try:
                    part = PART_TYPES[kind].model_validate(data)
                except ValidationError as e:
                    raise CatalogError(f"{where}: {_pydantic_message(e)}", field=where_field) from None
                if part.id in self._parts or part.id in user:
                    first = user.get(part.id, "the built-in catalog")
                    raise CatalogError(f"{where}: id {part.id!r} is already in {first}; give your part a new id "
                                       f"(change a built-in figure with the scenario's overrides)", field=where_field,
                                       value=part.id)
                parts.append(part)
                user[part.id] = str(path)
        catalog = Catalog(parts, references=references, user=user)
        try:
            catalog._check_links()
        except CatalogError as e:
            raise CatalogError(f"{field}: {e}", field=field) from None
        return catalog

    @classmethod
    def default(cls) -> "Catalog":
        """The catalog shipped with the package (loaded once, then cached)."""
        return _default_catalog()

    def _check_links(self) -> None:
        """Ids that parts name (a GPU's default NIC, an engine's hosts and laser) must exist."""
        for p in self._parts.values():
            refs: list[tuple[str, str, str]] = []
            if p.kind == "gpu" and p.default_nic:
                refs.append(("default_nic", p.default_nic, "nic"))
            if p.kind == "gpu" and p.default_scale_up_switch:
                refs.append(("default_scale_up_switch", p.default_scale_up_switch, "switch"))
            if p.kind == "optical-engine":
                refs += [("hosts", h, "gpu" if h in self._parts and self._parts[h].kind == "gpu" else "switch")
                         for h in p.hosts if h != "*"]
                refs.append(("laser_source", p.laser_source, "laser-source"))
            if p.kind == "laser-source":
                refs.append(("laser", p.laser, "laser"))
            if p.kind == "fiber":
                refs.append(("connector", p.connector, "connector"))
            for field, ref, kind in refs:
                self.get(ref, kind=kind, field=f"catalog part {p.id!r} {field}")

    # -- lookup ----------------------------------------------------------------------------------
    def __contains__(self, part_id: str) -> bool:
        return part_id in self._parts

    def __iter__(self):
        return iter(self._parts.values())

    def __len__(self) -> int:
        return len(self._parts)

    def ids(self, kind: str | None = None) -> list[str]:
        return [p.id for p in self._parts.values() if kind is None or p.kind == kind]

    def get(self, part_id: str, kind: str | None = None, field: str = "part") -> Part:
        """The part with this id; an unknown id (or one of another kind) names the closest ids."""
        part = self._parts.get(part_id)
        if part is None or (kind is not None and part.kind != kind):
            choices = self.ids(kind)
            what = f"a {kind} id" if kind else "a part id"
            problem = "unknown" if part is None else f"it is a {part.kind}, not a {kind}"
            raise CatalogError.for_field(
                field, part_id, f"{what} in the catalog{did_you_mean(part_id, choices)}; "
                f"known: {', '.join(choices)}", problem=problem)
        return part

    def value_key(self) -> int:
        """A hash of every part's values, in order (computed once: a catalog's parts are fixed when it
        is made), for caches keyed by what a result depends on rather than by which object it came from."""
        key = self.__dict__.get("_value_key")
        if key is None:
            key = self.__dict__["_value_key"] = hash(tuple((type(p).__name__, repr(p)) for p in self._parts.values()))
        return key

    def memo(self, name: str) -> dict:
        """A dictionary for lookups derived from this catalog alone (e.g. a part's value share),
        kept with it: a changed catalog is a new catalog with an empty memo."""
        return self.__dict__.setdefault("_memo", {}).setdefault(name, {})

    def of_kind(self, cls: type[P]) -> list[P]:
        """The parts of class ``cls``, in catalog order (indexed per class on first use: a catalog's
        parts are fixed when it is made; overrides and user files make a new catalog)."""
        index = self.__dict__.setdefault("_of_kind", {})
        parts = index.get(cls)
        if parts is None:
            parts = index[cls] = tuple(p for p in self._parts.values() if isinstance(p, cls))
        return list(parts)

    def without(self, part_ids: Iterable[str]) -> "Catalog":
        """A new catalog without these parts (the rest, their sources and user marks unchanged)."""
        drop = set(part_ids)
        return Catalog([p for p in self._parts.values() if p.id not in drop], references=self._references,
                       user={k: v for k, v in self.user.items() if k not in drop})

    # -- overrides -------------------------------------------------------------------------------
    def with_overrides(self, overrides: Mapping[str, object], field_prefix: str = "overrides") -> "Catalog":
        """A new catalog with ``{"part-id.field": value}`` replaced, each marked as a user override."""
        if not overrides:
            return self
        changes: dict[str, dict[str, object]] = {}
        for key, value in overrides.items():
            where = f"{field_prefix}.{key}"
            if not isinstance(key, str) or key.count(".") < 1:
                raise CatalogError.for_field(where, key, "keys of the form PART_ID.FIELD, e.g. osfp-800g-dr8.power_w")
            part_id, field = key.rsplit(".", 1)
            # a part id may itself contain dots (e.g. osfp-1.6t-dr8); split at the last dot
            part = self.get(part_id, field=where)
            allowed = part.data_fields()
            if field not in allowed:
                raise CatalogError.for_field(where, field, f"a field of {part.kind} {part_id!r}"
                                             f"{did_you_mean(field, allowed)}: {', '.join(allowed)}",
                                             problem="unknown field")
            current = getattr(part, field)
            if isinstance(current, (int, float)) and not isinstance(current, bool):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                    raise CatalogError.for_field(where, value, f"a finite number (the catalog has {current:g})",
                                                 problem="not a number")
            elif isinstance(current, bool) and not isinstance(value, bool):
                raise CatalogError.for_field(where, value, "true or false", problem="not a boolean")
            changes.setdefault(part_id, {})[field] = value
        new_parts = []
        for p in self._parts.values():
            if p.id not in changes:
                new_parts.append(p)
                continue
            fields = changes[p.id]
            kept = []
            for s in p.sources:
                rest = tuple(f for f in s.fields if f not in fields)
                if rest:
                    kept.append(s.model_copy(update={"fields": rest}))
            override_src = Source(title="scenario override", document="the scenario file's overrides section",
                                  date="2026", kind="user-override", fields=tuple(fields),
                                  note="value set by the user")
            data = p.model_dump()
            data.update(fields)
            data["sources"] = [s.model_dump() for s in kept] + [override_src.model_dump()]
            try:
                new_parts.append(type(p).model_validate(data))
            except ValidationError as e:
                first = e.errors()[0]
                loc = ".".join(str(x) for x in first["loc"])
                field = loc if loc in fields else next(iter(fields))
                raise CatalogError.for_field(
                    f"{field_prefix}.{p.id}.{field}", fields.get(field), first["msg"].lower(),
                    problem="invalid value") from None
        catalog = Catalog(new_parts, references=self._references, user=self.user)
        catalog._check_links()
        return catalog


@functools.lru_cache(maxsize=1)
def _default_catalog() -> Catalog:
    return Catalog.from_directory()
