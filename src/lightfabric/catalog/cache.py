"""A cache of the validated built-in catalog, so that a command does not parse and validate the
catalog's YAML each time it starts (docs/architecture.md).

The cache is a JSON file of plain data (never a pickle): a header line ``{"format", "key", "sha256"}``
then the body, the parts' fields as pydantic dumped them. :mod:`lightfabric.catalog.store` reads it
back through the models' ``model_validate``, so every validator runs again on what was read, and
writes it only when reading it back gives the catalog it just parsed.

* The key is a hash of every catalog data file (name and bytes), the package's version, the
  pydantic version and the code that turns the files into parts (``models.py``, ``store.py`` and
  this module): a file that changes gives a new key, and the old file is not read.
* A file is used only if it is a regular file of the current user, its header names this format
  and this key, and its body has the digest the header states; anything else (a torn write, a
  file of another version or program, a hand edit) is ignored and the catalog is parsed again.
* Where: ``$LIGHTFABRIC_CACHE_DIR`` if set (``off`` disables the cache), else
  ``$XDG_CACHE_HOME/lightfabric``, else ``~/.cache/lightfabric``. A directory that cannot be made
  or written disables the cache silently: the catalog is parsed as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from collections.abc import Iterable
from pathlib import Path

FORMAT = "lightfabric-catalog-cache/1"
ENV = "LIGHTFABRIC_CACHE_DIR"
OFF = "off"
MAX_BYTES = 64 * 1024 * 1024   # the built-in catalog's cache is about 0.5 MB
KEEP = 8                       # cache files kept (one per catalog version seen); older ones are removed
_CODE = ("models.py", "store.py", "cache.py")


def cache_dir() -> Path | None:
    """The directory of lightfabric's cache files, or None when the cache is off."""
    env = os.environ.get(ENV, "").strip()
    if env:
        return None if env.lower() == OFF else Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):   # the XDG spec: a relative path is ignored
        return Path(xdg) / "lightfabric"
    try:
        return Path.home() / ".cache" / "lightfabric"
    except (RuntimeError, KeyError):   # no home directory
        return None


def _code_digest() -> bytes:
    """The source of the modules that turn the data files into parts (empty where it is not shipped)."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in _CODE:
        try:
            h.update((here / name).read_bytes())
        except OSError:
            h.update(b"-")
    return h.digest()


def catalog_key(files: Iterable[tuple[str, bytes]], version: str) -> str:
    """The key of a catalog made of ``files`` (name, bytes) by this version of the code."""
    import pydantic

    h = hashlib.sha256()
    for part in (FORMAT, version, pydantic.VERSION):
        h.update(part.encode() + b"\0")
    h.update(_code_digest())
    for name, data in sorted(files):
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def _path(directory: Path, key: str) -> Path:
    return directory / f"catalog-{key[:32]}.json"


def read(directory: Path | None, key: str) -> object | None:
    """The body stored under ``key`` (plain JSON data), or None if there is no such file or it is not
    one this module wrote with this key (wrong header or digest, not a regular file of this user, too
    large, not JSON)."""
    if directory is None:
        return None
    path = _path(directory, key)
    try:
        # no symlink followed; a FIFO put there does not block the open (then fstat refuses it)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    head, sep, body = data.partition(b"\n")
    if not sep:
        return None
    try:
        header = json.loads(head)
        if not (isinstance(header, dict) and header.get("format") == FORMAT and header.get("key") == key
                and header.get("sha256") == hashlib.sha256(body).hexdigest()):
            return None
        return json.loads(body, parse_constant=_not_json)
    except (ValueError, RecursionError):   # not JSON (json.JSONDecodeError, bad UTF-8, NaN)
        return None


def _not_json(token: str):
    raise ValueError(f"{token} is not JSON")   # NaN and Infinity: json.dumps(allow_nan=False) never writes them


def write(directory: Path | None, key: str, body: object) -> Path | None:
    """Store ``body`` (plain JSON data) under ``key``, atomically (a reader sees the old file or the
    new one, never half of one); the path written, or None if the cache is off or cannot be written."""
    if directory is None:
        return None
    try:
        text = json.dumps(body, allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode()
    except (TypeError, ValueError):
        return None
    header = json.dumps({"format": FORMAT, "key": key, "sha256": hashlib.sha256(text).hexdigest()}).encode()
    path = _path(directory, key)
    tmp = directory / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            with os.fdopen(fd, "wb", closefd=False) as f:
                f.write(header + b"\n" + text)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        return None
    _prune(directory, keep=path)
    return path


def _prune(directory: Path, keep: Path) -> None:
    """Remove all but the :data:`KEEP` newest catalog cache files (each catalog edit makes a new one)."""
    try:
        files = sorted((p for p in directory.glob("catalog-*.json") if p != keep),
                       key=lambda p: p.stat().st_mtime, reverse=True)
        for p in files[KEEP - 1:]:
            p.unlink()
    except OSError:
        pass
