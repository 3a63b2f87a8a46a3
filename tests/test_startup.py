"""Start-up (issue 25, item 4): the built-in catalog is read from a validated cache keyed by its files'
bytes, the YAML is read with libyaml, and the command line loads the heavy libraries only in the
commands that use them. No timings here: benchmarks/bench_startup.py measures them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import yaml

from lightfabric.catalog import cache
from lightfabric.catalog.store import Catalog, _data_files
from lightfabric.errors import CatalogError

DATA = Path(str(resources.files("lightfabric.catalog") / "data"))
HEAVY = ("plotly", "dask", "distributed", "duckdb", "fastapi", "scipy.stats", "pandas", "infragraph",
         "google.protobuf", "pyarrow")


def _cache_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("catalog-*.json"))


def _state(catalog: Catalog) -> list[tuple]:
    """Every part's type, values (with their types: repr) and the fields it was given, in order."""
    return [(type(p), repr(p), p.model_dump(), frozenset(p.model_fields_set)) for p in catalog]


@pytest.fixture
def data_copy(tmp_path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(DATA, d)
    return d


# -- the cache -------------------------------------------------------------------------------------

def test_cached_catalog_equals_the_freshly_parsed_one(tmp_path):
    fresh = Catalog.from_directory(cache=False)
    first = Catalog.from_directory(cache_dir=tmp_path)      # parses, writes the cache
    assert len(_cache_files(tmp_path)) == 1
    cached = Catalog.from_directory(cache_dir=tmp_path)     # reads it
    assert len(cached) == len(fresh) > 100
    for c in (first, cached):
        assert _state(c) == _state(fresh)
        assert c._references == fresh._references and c.user == {}
    # parts are equal field by field, sources and nested models included
    for a, b in zip(cached, fresh):
        assert a == b and a.sources == b.sources


def test_a_read_comes_from_the_cache_not_the_yaml(tmp_path, monkeypatch):
    from lightfabric.catalog import store
    first = Catalog.from_directory(cache_dir=tmp_path)

    def no_yaml(data):
        raise AssertionError("the YAML was parsed although the cache holds this catalog")

    monkeypatch.setattr(store, "_load_yaml", no_yaml)
    assert _state(Catalog.from_directory(cache_dir=tmp_path)) == _state(first)


def test_user_catalogs_and_overrides_apply_on_top_of_the_cached_catalog(tmp_path):
    mine = tmp_path / "mine.yaml"
    refs = {"our-sheet": {"title": "Our datasheet", "document": "internal", "date": "2026-05", "kind": "datasheet"}}
    part = {"id": "my-800g-dr8", "kind": "module", "name": "Ours", "technology": "pluggable-dsp", "form_factor": "OSFP",
            "rate_gbps": 800, "host_lanes": 8, "host_lane_rate_gbps": 100, "optical_lanes": 8,
            "optical_lane_rate_gbps": 100, "interface": "DR", "reach_m": 500, "power_w": 13.0, "lasers": 8,
            "price_usd": 700, "sources": [{"ref": "our-sheet", "fields": [
                "technology", "form_factor", "rate_gbps", "host_lanes", "host_lane_rate_gbps", "optical_lanes",
                "optical_lane_rate_gbps", "interface", "reach_m", "power_w", "lasers", "price_usd"]}]}
    mine.write_text(yaml.safe_dump({"references": refs, "parts": [part]}))
    overrides = {"osfp-800g-dr8.power_w": 21.5}
    fresh = Catalog.from_directory(cache=False).with_user_files([mine]).with_overrides(overrides)
    Catalog.from_directory(cache_dir=tmp_path)
    cached = Catalog.from_directory(cache_dir=tmp_path).with_user_files([mine]).with_overrides(overrides)
    assert _state(cached) == _state(fresh)
    assert cached.user == fresh.user == {"my-800g-dr8": str(mine)}
    assert cached.get("osfp-800g-dr8").power_w == 21.5
    assert cached.get("osfp-800g-dr8").sources[-1].kind == "user-override"
    with pytest.raises(CatalogError, match="already in the built-in catalog"):
        Catalog.from_directory(cache_dir=tmp_path).with_user_files([_with_id(tmp_path, part, refs)])


def _with_id(tmp_path, part, refs) -> Path:
    f = tmp_path / "clash.yaml"
    f.write_text(yaml.safe_dump({"references": refs, "parts": [dict(part, id="osfp-800g-dr8")]}))
    return f


def test_editing_a_data_file_invalidates_the_cache(tmp_path, data_copy):
    cache_dir = tmp_path / "cache"
    before = Catalog.from_directory(data_copy, cache_dir=cache_dir)
    assert len(_cache_files(cache_dir)) == 1
    old_power = before.get("osfp-800g-dr8").power_w
    f = data_copy / "pluggables.yaml"
    doc = yaml.safe_load(f.read_text())
    for raw in doc["parts"]:
        if raw["id"] == "osfp-800g-dr8":
            raw["power_w"] = old_power + 1.25
    f.write_text(yaml.safe_dump(doc, sort_keys=False))
    after = Catalog.from_directory(data_copy, cache_dir=cache_dir)
    assert after.get("osfp-800g-dr8").power_w == old_power + 1.25
    assert _state(after) == _state(Catalog.from_directory(data_copy, cache=False))
    assert len(_cache_files(cache_dir)) == 2                 # a new key; the old file is not read
    assert Catalog.from_directory(data_copy, cache_dir=cache_dir).get("osfp-800g-dr8").power_w == old_power + 1.25
    # a new file in the directory changes the key too
    (data_copy / "extra.yaml").write_text("parts: []\n")
    Catalog.from_directory(data_copy, cache_dir=cache_dir)
    assert len(_cache_files(cache_dir)) == 3


def test_an_invalid_edit_is_reported_not_hidden_by_the_cache(tmp_path, data_copy):
    Catalog.from_directory(data_copy, cache_dir=tmp_path / "cache")
    f = data_copy / "pluggables.yaml"
    f.write_text(f.read_text().replace("id: osfp-800g-dr8\n", "id: osfp-800g-dr8\n    bogus_field: 1\n", 1))
    with pytest.raises(CatalogError, match="bogus_field"):
        Catalog.from_directory(data_copy, cache_dir=tmp_path / "cache")


def _tamper(path: Path, body: bytes, *, digest: bool = True) -> None:
    """Write ``body`` under ``path``'s header, with a matching digest unless ``digest`` is False."""
    import hashlib
    header = json.loads(path.read_bytes().partition(b"\n")[0])
    if digest:
        header["sha256"] = hashlib.sha256(body).hexdigest()
    path.write_bytes(json.dumps(header).encode() + b"\n" + body)


CORRUPTIONS = {
    "empty": lambda p: p.write_bytes(b""),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "garbage": lambda p: p.write_bytes(os.urandom(4096)),
    "a pickle": lambda p: p.write_bytes(b"\x80\x05\x95" + b"\x00" * 64),
    "one byte flipped": lambda p: p.write_bytes(p.read_bytes()[:-10] + b"X" + p.read_bytes()[-9:]),
    "another key": lambda p: p.write_bytes(p.read_bytes().replace(b'"key": "', b'"key": "0', 1)),
    "another format": lambda p: p.write_bytes(p.read_bytes().replace(cache.FORMAT.encode(), b"other/1", 1)),
    "not a catalog, digest right": lambda p: _tamper(p, b'{"hello": "world"}'),
    "a list, digest right": lambda p: _tamper(p, b"[1, 2, 3]"),
    "an unknown kind, digest right": lambda p: _tamper(p, json.dumps(
        {"references": {}, "parts": [["rocket", {"id": "x"}]]}).encode()),
    "an invalid figure, digest right": lambda p: _tamper(p, p.read_bytes().partition(b"\n")[2].replace(
        b'"power_w":', b'"power_w":-', 1)),
    "a directory": lambda p: (p.unlink(), p.mkdir()),
    "a FIFO": lambda p: (p.unlink(), os.mkfifo(p)),
    "a symlink to a good file": lambda p: (p.rename(p.with_suffix(".bak")), p.symlink_to(p.with_suffix(".bak"))),
    "a valid other figure, digest right": lambda p: _tamper(p, p.read_bytes().partition(b"\n")[2].replace(
        b'"power_w":', b'"power_w":1', 1)),
    "no mac": lambda p: p.write_bytes(p.read_bytes().replace(b'"mac": "', b'"mac_": "', 1)),
}


@pytest.mark.parametrize("how", list(CORRUPTIONS))
def test_a_corrupt_or_foreign_cache_file_is_ignored_and_rewritten(tmp_path, how):
    fresh = Catalog.from_directory(cache=False)
    Catalog.from_directory(cache_dir=tmp_path)
    [path] = _cache_files(tmp_path)
    good = path.read_bytes()
    CORRUPTIONS[how](path)
    again = Catalog.from_directory(cache_dir=tmp_path)
    assert _state(again) == _state(fresh)
    if how != "a directory":                             # a file is written over a symlink, not through it
        assert path.is_file() and not path.is_symlink() and path.read_bytes() == good
    assert _state(Catalog.from_directory(cache_dir=tmp_path)) == _state(fresh)


def test_a_cache_file_is_read_only_with_the_secret_that_wrote_it(tmp_path):
    """The mac: a new secret (or none) makes every file written with the old one foreign."""
    fresh = Catalog.from_directory(cache=False)
    Catalog.from_directory(cache_dir=tmp_path)
    [path] = _cache_files(tmp_path)
    secret = tmp_path / cache.SECRET
    assert secret.stat().st_mode & 0o777 == 0o600 and len(secret.read_bytes()) == 32
    from lightfabric import __version__
    key = cache.catalog_key([(f.name, f.read_bytes()) for f in _data_files()], __version__)
    assert cache.read(tmp_path, key) is not None
    for change in (lambda: secret.write_bytes(os.urandom(32)),    # another secret
                   lambda: secret.chmod(0o644),                    # one others may read is none
                   lambda: secret.write_bytes(b"short"),
                   secret.unlink):
        good = secret.read_bytes() if secret.exists() else None
        change()
        assert cache.read(tmp_path, key) is None
        assert _state(Catalog.from_directory(cache_dir=tmp_path)) == _state(fresh)   # parsed, rewritten
        assert secret.stat().st_mode & 0o777 == 0o600 and len(secret.read_bytes()) == 32
        assert secret.read_bytes() != good and cache.read(tmp_path, key) is not None


def test_a_cached_catalog_is_read_without_building_the_models():
    """A warm start rebuilds the parts from the cache (``construct``): no pydantic validator or
    serializer of a catalog model is built, and the parts are those the YAML gives."""
    code = ("import sys\nfrom lightfabric.catalog.store import Catalog\nfrom lightfabric.catalog import models\n"
            "c = Catalog.from_directory(cache_dir=sys.argv[1])\n"
            "built = [m.__name__ for m in (*models.PART_TYPES.values(), models.Source, models.PortConfig,\n"
            "         models.Availability) if m.__pydantic_complete__]\n"
            "print(len(c), 'yaml' in sys.modules, built)\n")
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        runs = [subprocess.run([sys.executable, "-c", code, d], capture_output=True, text=True) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    n = len(Catalog.from_directory(cache=False))
    assert runs[0].stdout.split()[:2] == [str(n), "True"]             # cold: parsed and validated
    assert runs[1].stdout.strip() == f"{n} False []"                   # warm: neither


def test_a_cache_file_of_another_key_is_never_read(tmp_path, data_copy):
    """A file written for one catalog and renamed to another's key is refused by its header."""
    a = tmp_path / "a"
    Catalog.from_directory(cache_dir=a)
    (data_copy / "pluggables.yaml").write_text((data_copy / "pluggables.yaml").read_text() + "\n# edited\n")
    b = tmp_path / "b"
    Catalog.from_directory(data_copy, cache_dir=b)
    [fa], [fb] = _cache_files(a), _cache_files(b)
    assert fa.name != fb.name
    shutil.copy(fa, fb)                                      # the wrong catalog under b's name
    texts = [(f.name, f.read_bytes()) for f in _data_files(data_copy)]
    from lightfabric import __version__
    assert cache.read(b, cache.catalog_key(texts, __version__)) is None


def test_the_cache_is_off_when_its_directory_cannot_be_written(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    c = Catalog.from_directory(cache_dir=blocker / "cache")
    assert len(c) == len(Catalog.from_directory(cache=False))
    ro = tmp_path / "read-only"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        assert len(Catalog.from_directory(cache_dir=ro)) == len(c)
        if os.access(ro, os.W_OK):   # root writes anyway
            pytest.skip("running as root: a read-only directory is writable")
        assert _cache_files(ro) == []
    finally:
        ro.chmod(0o700)


def test_the_cache_directory_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"
    monkeypatch.setenv(cache.ENV, "off")
    assert cache.cache_dir() is None
    monkeypatch.delenv(cache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "lightfabric"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")       # ignored, as the XDG spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "lightfabric"


def test_the_default_catalog_uses_the_cache_directory_of_the_environment(tmp_path):
    code = ("from lightfabric.catalog.store import _default_catalog, Catalog; "
            "print(len(_default_catalog()))")
    env = {**os.environ, cache.ENV: str(tmp_path)}
    for _ in range(2):
        p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
    assert len(_cache_files(tmp_path)) == 1
    p = subprocess.run([sys.executable, "-c", code], env={**env, cache.ENV: "off"}, capture_output=True, text=True)
    assert p.returncode == 0 and int(p.stdout) == len(Catalog.from_directory(cache=False))


def test_old_cache_files_are_pruned(tmp_path):
    keys = [f"{i:02x}" * 32 for i in range(cache.KEEP + 3)]
    for i, key in enumerate(keys):
        cache.write(tmp_path, key, {"n": i})
    assert len(_cache_files(tmp_path)) == cache.KEEP
    assert cache.read(tmp_path, keys[-1]) == {"n": len(keys) - 1}


# -- the YAML loader -------------------------------------------------------------------------------

def test_libyaml_reads_every_catalog_file_as_the_python_loader_does():
    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML without libyaml: the store uses yaml.SafeLoader")
    for f in _data_files():
        text = f.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.load(text, Loader=yaml.SafeLoader), f.name


def test_from_files_still_parses_any_list_of_files():
    files = _data_files()
    assert _state(Catalog.from_files(files)) == _state(Catalog.from_directory(cache=False))


# -- imports ---------------------------------------------------------------------------------------

def _modules_after(code: str, *argv: str) -> set[str]:
    script = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    p = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True,
                       env={**os.environ, cache.ENV: "off"})
    assert p.returncode == 0, p.stderr
    return set(json.loads(p.stdout.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(h for h in HEAVY if h in modules)


def test_importing_the_cli_imports_no_heavy_library():
    assert _heavy(_modules_after("import lightfabric.cli")) == []


def test_building_the_command_line_imports_no_heavy_library():
    code = ("import typer.main\nfrom lightfabric.cli import app\ngroup = typer.main.get_command(app)\n"
            "for name in group.list_commands(None):\n    group.get_command(None, name)\n")
    mods = _modules_after(code)
    assert {"lightfabric.cli.root", "lightfabric.cli.money", "lightfabric.sweep.cli"} <= mods
    assert _heavy(mods) == []


OTHER_COMMAND_MODULES = ("lightfabric.cli.catalog", "lightfabric.cli.scenario", "lightfabric.cli.interop",
                         "lightfabric.cli.money", "lightfabric.cli.performance", "lightfabric.cli.reliability",
                         "lightfabric.cli.faces", "lightfabric.sweep.cli")


def test_the_root_lists_every_command_of_its_modules():
    """cli/root.py names each command without importing its module (COMMANDS, GROUPS): the names
    must be those of the modules' COMMANDS and Typer groups, in the order of ``lightfabric --help``."""
    import importlib

    import typer
    import typer.main

    from lightfabric.cli import app, root
    for module, names in root.COMMANDS:
        functions = importlib.import_module(module).COMMANDS
        assert tuple(typer.main.get_command_name(f.__name__) for f in functions) == names, module
    for name, module, attribute in root.GROUPS:
        assert isinstance(getattr(importlib.import_module(module), attribute), typer.Typer), name
    group = typer.main.get_command(app)
    expected = [n for _, names in root.COMMANDS for n in names] + [name for name, _, _ in root.GROUPS]
    assert group.list_commands(None) == expected
    assert [group.get_command(None, n).name for n in expected] == expected
    assert not app.registered_commands and not app.registered_groups   # built on demand, not registered


def test_a_command_builds_and_imports_only_its_own_module():
    """``lightfabric compare`` imports cli/fabric.py alone of the command modules, and typer builds the
    parameters of ``compare`` alone; the listing of ``--help`` and a mistyped name's suggestions see
    every command (tests/test_cli.py)."""
    code = ("import sys, io, contextlib\nimport typer.main\nfrom lightfabric.cli import root\n"
            "built = []\nold = typer.main.get_command_from_info\n"
            "typer.main.get_command_from_info = lambda info, **k: built.append(info.callback.__name__) or old(info, **k)\n"
            "try:\n    root.main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print(built)\n")
    mods = _modules_after(code, "compare", "--format", "json")
    assert "lightfabric.cli.fabric" in mods
    assert [m for m in OTHER_COMMAND_MODULES if m in mods] == []
    p = subprocess.run([sys.executable, "-c", code, "link", "-t", "cpo", "--length-m", "10", "-f", "json"],
                       capture_output=True, text=True, env={**os.environ, cache.ENV: "off"})
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().splitlines()[-1] == "['link']"


def test_importing_the_package_loads_nothing_but_itself():
    mods = _modules_after("import lightfabric")
    assert {m for m in mods if m.startswith("lightfabric")} == {"lightfabric"}
    assert not {"pydantic", "numpy", "yaml", "typer", "rich"} & mods


def test_version_answers_without_loading_the_commands():
    code = ("import sys\nfrom lightfabric.cli import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0\n")
    p = subprocess.run([sys.executable, "-c", code + "import json\nprint(json.dumps(sorted(sys.modules)))",
                        "--version"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    first, last = p.stdout.strip().splitlines()[0], p.stdout.strip().splitlines()[-1]
    from lightfabric import __version__
    assert first == f"lightfabric {__version__}"
    mods = set(json.loads(last))
    assert not {"typer", "pydantic", "numpy", "lightfabric.cli.root"} & mods


def test_the_default_compare_imports_no_scipy():
    """``lightfabric compare`` (the built-in scenario): the physics checks every link without scipy
    (``physics/ber.py``, ``receiver.py``: math.erfc, AS 241, an exact binomial sum, a closed-form
    OMA) and none of the heavy libraries loads."""
    code = ("import sys\nfrom lightfabric.cli import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n")
    mods = _modules_after(code, "compare", "--format", "json")
    assert {"lightfabric.compare", "lightfabric.physics.ber", "lightfabric.physics.receiver"} <= mods
    assert sorted(m for m in mods if m == "scipy" or m.startswith("scipy.")) == []
    assert _heavy(mods) == [] and not {"numpy.f2py", "numpy.testing", "numpy.ma"} & mods


def test_the_package_api_still_loads_on_use():
    import lightfabric
    from lightfabric.compare import compare as the_function
    assert lightfabric.compare is the_function                  # the function, not the module
    assert lightfabric.Catalog is Catalog
    assert callable(lightfabric.reliability) and callable(lightfabric.sweep)
    assert lightfabric.physics.ber.__name__ == "lightfabric.physics.ber"
    assert set(lightfabric.__all__) <= set(dir(lightfabric))
    with pytest.raises(AttributeError):
        lightfabric.no_such_name  # noqa: B018


def test_python_dash_m_lightfabric_is_the_command():
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "lightfabric", "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("lightfabric ")


def test_a_command_freezes_the_heap_only_as_the_process_ends():
    """The entry point registers ``gc.freeze`` to run at exit (it spares the interpreter's last
    collections a walk over start-up's objects): in the running process nothing is frozen, at exit
    everything alive is, and the command's output is whole."""
    code = ("import atexit, gc, sys\n"
            "atexit.register(lambda: print('frozen at exit', gc.get_freeze_count() > 0, file=sys.stderr))\n"
            "from lightfabric.cli import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print('frozen while running', gc.get_freeze_count() > 0, file=sys.stderr)\n")
    p = subprocess.run([sys.executable, "-c", code, "compare", "--format", "json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stderr.splitlines()[-2:] == ["frozen while running False", "frozen at exit True"]
    assert json.loads(p.stdout)["results"]
