"""`json.dumps(value, indent=N, ensure_ascii=False)`, the same text, about 1.5 times faster.

With an indent, the standard library encodes in pure Python through a generator per nesting level;
a `luxcat validate --format json` report of 2,000 datasets (13 MB) took 0.20 s there, 0.13 s here (issue 19).
This writer appends to one list instead and encodes strings with the same C function. It handles
what reports hold (dicts with str keys, lists, tuples, str, int, float, bool, None) and hands
anything else to the standard library, so the text is always json.dumps's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring  # ensure_ascii=False's string encoder (the C one when built)
from typing import Any


class _Unsupported(Exception):
    """A value this writer does not encode itself (the standard library will)."""


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


def _scalar(item: Any) -> str | None:
    """The JSON text of a str, None, bool, int or float (json's own forms); None for anything else."""
    kind = type(item)
    if kind is str:
        return encode_basestring(item)
    if item is None:
        return "null"
    if item is True:
        return "true"
    if item is False:
        return "false"
    if kind is int:
        return int.__repr__(item)
    if kind is float:
        return _float(item)
    return None


def _write(item: Any, depth: int, indent: int, write: Callable[[str], None]) -> None:
    """Append the text of `item` at nesting `depth`, as json's indenting encoder lays it out."""
    text = _scalar(item)
    if text is not None:
        write(text)
        return
    kind = type(item)
    if kind is dict:
        pairs: Iterable[tuple[Any, Any]] = item.items()
        opening, closing = "{", "}"
    elif kind is list or kind is tuple:
        pairs = ((None, val) for val in item)
        opening, closing = "[", "]"
    else:
        raise _Unsupported
    if not item:
        write(opening + closing)
        return
    inner = "\n" + " " * (indent * (depth + 1))
    separator = opening
    for key, val in pairs:
        if kind is dict:
            if type(key) is not str:
                raise _Unsupported
            write(separator + inner + encode_basestring(key) + ": ")
        else:
            write(separator + inner)
        separator = ","
        _write(val, depth + 1, indent, write)
    write("\n" + " " * (indent * depth) + closing)


def dumps_indented(value: Any, indent: int = 2) -> str:
    """The text of `json.dumps(value, indent=indent, ensure_ascii=False)`."""
    out: list[str] = []
    try:
        _write(value, 0, indent, out.append)
    except (_Unsupported, RecursionError):  # unusual values, or a cycle: the standard library decides
        return json.dumps(value, indent=indent, ensure_ascii=False)
    return "".join(out)
