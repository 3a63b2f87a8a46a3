"""Reading the user's files and YAML text within bounds: every limit is named in the message.

* :func:`read_text_file`: a regular file (not a FIFO, a device or a directory; a symlink loop is
  said), at most :data:`MAX_FILE_BYTES`, UTF-8.
* :func:`load_yaml`: YAML with PyYAML's safe constructors, but no anchors or aliases (a few hundred
  bytes of nested aliases expand to billions of nodes: "billion laughs"), no duplicate keys (the
  last would win silently), at most :data:`MAX_DEPTH` levels of nesting, and numbers that fit.

docs/limits.md lists every limit of the CLI, the sweeps and the web API.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

import yaml
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, SequenceNode

from lightfabric.errors import LightfabricError

MAX_FILE_BYTES = 256 * 1024       # a scenario or sweep file; the largest example is about 3 kB
MAX_DEPTH = 32                    # nested mappings and lists
MAX_MESSAGES = 20                 # problems listed in one error; the rest are counted


class InputError(ValueError):
    """A file or text that cannot be read as given; the message names where and why."""


def read_text_file(path: str | Path, what: str = "scenario", max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of a user's file, refused (:class:`InputError`) unless it is a regular UTF-8 file of at
    most ``max_bytes``."""
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise FileNotFoundError(str(p)) from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise InputError(f"{what} file {str(p)!r} is a symbolic link loop") from None
        raise InputError(f"{what} file {str(p)!r} cannot be read ({e.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(str(p))
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{what} file {str(p)!r} is not a regular file (a FIFO, a device or a socket); give the path "
                         f"of a YAML file")
    if st.st_size > max_bytes:
        raise InputError(f"{what} file {str(p)!r} has {st.st_size:,} bytes; at most {max_bytes:,} are read")
    try:
        with open(p, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise InputError(f"{what} file {str(p)!r} cannot be read ({e.strerror})") from None
    if len(data) > max_bytes:
        raise InputError(f"{what} file {str(p)!r} has more than {max_bytes:,} bytes; at most {max_bytes:,} are read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{what} file {str(p)!r} is not UTF-8 text") from None


class StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors and aliases, duplicate keys or deep nesting."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent) or (isinstance(event, (ScalarEvent, CollectionStartEvent))
                                             and event.anchor is not None):
            raise yaml.MarkedYAMLError(problem="YAML anchors and aliases (& and *) are not allowed here; write "
                                               "each value out", problem_mark=event.start_mark)
        if isinstance(event, CollectionStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(problem=f"nesting deeper than {MAX_DEPTH} levels",
                                           problem_mark=event.start_mark)
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node):
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise ConstructorError(None, None, f"a whole number of {len(str(node.value)):,} digits; at most "
                                               f"{sys.get_int_max_str_digits():,}", node.start_mark) from None

    def construct_mapping(self, node, deep=False):
        if isinstance(node, MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                try:
                    key = self.construct_object(key_node, deep=True)
                    hash(key)
                except (TypeError, ConstructorError):
                    continue
                if key in seen:
                    raise ConstructorError(
                        None, None, f"duplicate key {key!r} (first at line {seen[key].line + 1}); each key may be "
                                    f"given once", key_node.start_mark)
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)


def _where(filename: str, mark) -> str:
    return f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark is not None else filename


def _key_at(node, mark, path: tuple = ()) -> str | None:
    """The dotted key path of the value that starts at ``mark`` (for an error found while building it)."""
    if node is None or mark is None:
        return None
    if node.start_mark.index == mark.index and path:
        return ".".join(map(str, path))
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if k.start_mark.index == mark.index:
                return ".".join(map(str, path + (k.value,)))
            found = _key_at(v, mark, path + (k.value,))
            if found:
                return found
    elif isinstance(node, SequenceNode):
        for i, v in enumerate(node.value):
            found = _key_at(v, mark, path + (i,))
            if found:
                return found
    return None


def load_yaml(text: str, filename: str = "<yaml>", max_chars: int | None = None):
    """``(data, node)`` of one YAML document: the plain data and the composed node (for the line of
    each key), or :class:`InputError` naming ``filename:line:col`` and the problem."""
    if max_chars is not None and len(text) > max_chars:
        raise InputError(f"{filename}: {len(text):,} characters; at most {max_chars:,}")
    node = loader = None
    try:
        loader = StrictLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        context = f" {e.context}" if e.context and e.problem and "duplicate" not in str(e.problem) else ""
        key = _key_at(node, mark)
        raise InputError(f"{_where(filename, mark)}: {key + ': ' if key else ''}malformed YAML: "
                         f"{e.problem or e}{context}") from None
    except yaml.YAMLError as e:
        raise InputError(f"{filename}: malformed YAML: {e}") from None
    except (ValueError, OverflowError, RecursionError) as e:
        # a number Python will not convert (4,301 digits and more), or nesting past the interpreter
        raise InputError(f"{filename}: a value cannot be read ({type(e).__name__}: {str(e)[:200]})") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


def check_seed(seed: int, option: str = "--seed") -> None:
    """A seed numpy and the hashes take: a whole number from 0 to 2^32 - 1."""
    if not 0 <= seed <= 2**32 - 1:
        raise LightfabricError.for_field(option, seed, "a whole number from 0 to 4,294,967,295")


def summarise(messages: list[str], most: int = MAX_MESSAGES) -> str:
    """The first ``most`` messages, one a line, and how many more there are."""
    if len(messages) <= most:
        return "\n".join(messages)
    return "\n".join(messages[:most] + [f"... and {len(messages) - most:,} more problems like these"])
