"""A cache of the validated built-in catalog, so that a command does not parse and validate the
catalog's YAML each time it starts (docs/architecture.md).

The cache is a JSON file of plain data (never a pickle): a header line ``{"format", "key", "sha256",
"mac"}`` then the body, the parts' fields as pydantic dumped them. :mod:`lightfabric.catalog.store`
writes it only after parsing and validating the catalog's YAML, and only if rebuilding the parts from
the body (``model_construct``, which validates nothing and builds no pydantic schema) gives exactly
the catalog it validated; it reads a file back that way, so a warm start builds none of the catalog
models' validators. What a file must be to be read:

* The key is a hash of every catalog data file (name and bytes), the package's version, the
  pydantic version and the code that turns the files into parts (``models.py``, ``store.py`` and
  this module): a file that changes gives a new key, and the old file is not read.
* A file is used only if it is a regular file of the current user, its header names this format
  and this key, and its body has the digest the header states; anything else (a torn write, a
  file of another version or program, a hand edit) is ignored and the catalog is parsed again.
* The ``mac`` is an HMAC-SHA256 of the format, the key and the body with a random secret of this
  user's cache directory (the file ``secret``: 32 bytes, mode 0600, made on the first write). Only
  this module writes it, for bodies the store checked as above, so a body with the right mac is
  one this code validated, for this key. Any other file is ignored, however well formed: a torn
  or damaged file (the digest), a file of another version or program, a hand edit even with a new
  digest, or every file after the secret is lost (the mac); the catalog is parsed and validated
  again and the file rewritten. Nothing guards against a program running as this user that reads
  the secret (it could as well edit the installed package).
* Where: ``$LIGHTFABRIC_CACHE_DIR`` if set (``off`` disables the cache), else
  ``$XDG_CACHE_HOME/lightfabric``, else ``~/.cache/lightfabric``. A directory that cannot be made
  or written disables the cache silently: the catalog is parsed as before.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import threading
from collections.abc import Iterable
from pathlib import Path

FORMAT = "lightfabric-catalog-cache/2"
ENV = "LIGHTFABRIC_CACHE_DIR"
OFF = "off"
MAX_BYTES = 64 * 1024 * 1024   # the built-in catalog's cache is about 0.5 MB
KEEP = 8                       # cache files kept (one per catalog version seen); older ones are removed
_CODE = ("models.py", "store.py", "cache.py")
SECRET = "secret"           # the file of the mac's secret, in the cache directory
_SECRET_BYTES = 32


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
    one this module wrote with this key (wrong header, digest or mac, not a regular file of this user,
    too large, not JSON)."""
    if directory is None:
        return None
    data = _read_file(_path(directory, key), MAX_BYTES)
    if data is None:
        return None
    head, sep, body = data.partition(b"\n")
    if not sep:
        return None
    try:
        header = json.loads(head)
        if not (isinstance(header, dict) and header.get("format") == FORMAT and header.get("key") == key
                and header.get("sha256") == hashlib.sha256(body).hexdigest() and isinstance(header.get("mac"), str)):
            return None
        secret = _secret(directory, create=False)
        if secret is None or not hmac.compare_digest(header["mac"], _mac(secret, key, body)):
            return None
        return json.loads(body, parse_constant=_not_json)
    except (ValueError, RecursionError):   # not JSON (json.JSONDecodeError, bad UTF-8, NaN)
        return None


def _read_file(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file of this user of at most ``limit`` bytes, read
    without following a symlink (a FIFO put there does not block the open: fstat refuses it)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def _mac(secret: bytes, key: str, body: bytes) -> str:
    return hmac.new(secret, f"{FORMAT}\0{key}\0".encode() + body, hashlib.sha256).hexdigest()


def _secret(directory: Path, create: bool) -> bytes | None:
    """The cache directory's secret (:data:`SECRET`): 32 bytes in a regular file of this user that no
    one else may read or write; if ``create``, made where there is none or it is not such a file
    (atomically: a second writer reads the first one's). None otherwise."""
    path = directory / SECRET
    data = _valid_secret(path)
    if data is None and create:
        tmp = directory / f".{SECRET}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            try:
                os.write(fd, os.urandom(_SECRET_BYTES))
            finally:
                os.close(fd)
            try:
                os.link(tmp, path)   # never replaces a good secret another process made meanwhile
            except OSError:          # there is one (not good: replaced), or no hard links here
                if _valid_secret(path) is None:
                    os.replace(tmp, path)
            finally:
                if os.path.lexists(tmp):
                    tmp.unlink()
        except OSError:
            pass
        data = _valid_secret(path)
    return data


def _valid_secret(path: Path) -> bytes | None:
    data = _read_file(path, _SECRET_BYTES)
    if data is None or len(data) != _SECRET_BYTES:
        return None
    try:   # POSIX: no one else may read or write it (Windows has no such mode bits: its ACLs decide)
        if os.name == "posix" and os.stat(path, follow_symlinks=False).st_mode & 0o077:
            return None
    except OSError:
        return None
    return data


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
    path = _path(directory, key)
    tmp = directory / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        secret = _secret(directory, create=True)
        if secret is None:
            return None
        header = json.dumps({"format": FORMAT, "key": key, "sha256": hashlib.sha256(text).hexdigest(),
                             "mac": _mac(secret, key, text)}).encode()
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
