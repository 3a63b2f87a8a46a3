"""The example scenarios, models and sweeps installed with the package (``lightfabric/examples``),
found by name from any directory: ``example_path("h100-16k-llama3-like")``, ``model_path("moe-1t")``.

A name may also be written as the repository path the docs use ("examples/models/moe-1t.yaml"),
so those commands work outside a checkout too. A path to an existing file is returned as it is.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from lightfabric.errors import LightfabricError, did_you_mean


def examples_dir() -> Path:
    """The installed examples directory."""
    return Path(str(resources.files("lightfabric") / "examples"))


def _named(folder: str = "") -> dict[str, Path]:
    d = examples_dir() / folder if folder else examples_dir()
    return {p.stem: p for p in sorted(d.glob("*.yaml"))} if d.is_dir() else {}


def example_scenarios() -> dict[str, Path]:
    """The example scenarios by name (the file's stem)."""
    return _named()


def example_models() -> dict[str, Path]:
    """The example model files by name (``moe-1t``, ``dense-405b``)."""
    return _named("models")


def example_sweeps() -> dict[str, Path]:
    """The example sweep files by name."""
    return _named("sweeps")


def _key(name: str | Path, folder: str) -> str:
    """``name`` as an example's stem: without ``.yaml``/``.yml`` and without a leading
    ``examples/`` (and ``folder/``) as the repository's paths are written."""
    text = str(name).replace("\\", "/")
    for prefix in ("./", "examples/", f"{folder}/" if folder else None):
        if prefix and text.startswith(prefix):
            text = text[len(prefix):]
    for suffix in (".yaml", ".yml"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text


def find(name: str | Path, known: dict[str, Path], folder: str = "") -> Path | None:
    """The file ``name`` names: itself if it exists, else the example of that name, else None."""
    if Path(name).is_file():
        return Path(name)
    return known.get(_key(name, folder))


def example_path(name: str | Path, option: str = "SCENARIO") -> Path:
    """A scenario file: ``name`` if it exists, else the example scenario of that name; otherwise a
    :class:`LightfabricError` naming ``option``, the value and the example names."""
    known = example_scenarios()
    found = find(name, known)
    if found is None:
        raise LightfabricError.for_field(option, str(name), "the path of a scenario YAML file or an example name: "
                                         + ", ".join(known),
                                         problem="no such file or example" + did_you_mean(_key(name, ""), known))
    return found


def model_path(name: str | Path, option: str = "--model") -> Path:
    """A model file: ``name`` if it exists, else the example model of that name (``moe-1t``)."""
    known = example_models()
    found = find(name, known, "models")
    if found is None:
        raise LightfabricError.for_field(option, str(name), "the path of a model YAML file or an example model: "
                                         + ", ".join(known),
                                         problem="no such file or model" + did_you_mean(_key(name, "models"), known))
    return found
