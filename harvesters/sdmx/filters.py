"""Which dataflows of a listing are published: id pattern, hiding annotations, categories."""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import Any


def hidden_by(dataflow: Any, exclude: dict[str, str]) -> str | None:
    """The annotation type that hides this dataflow (e.g. .Stat Suite's NonProductionDataflow), if any."""
    for ann in getattr(dataflow, "annotations", None) or []:
        wanted = exclude.get(ann.type or "")
        if wanted is None:
            continue
        values = {str(ann.title or "").strip().lower()}
        values.update(t.strip().lower() for t in ann.text.localizations.values())
        if wanted == "*" or wanted.lower() in values:
            return str(ann.type)
    return None


def id_matches(dataflow_id: str, pattern: str | None) -> bool:
    """True when no pattern is configured or the whole id matches it."""
    return pattern is None or re.fullmatch(pattern, dataflow_id) is not None


def category_matches(paths: Iterable[str], patterns: list[str]) -> bool:
    """True when no pattern is configured or a dotted category path is, or is under, a pattern."""
    if not patterns:
        return True
    for path in paths:
        for pattern in patterns:
            if path == pattern or path.startswith(pattern + ".") or fnmatchcase(path, pattern):
                return True
    return False


def modified_stamp(dataflow: Any, types: list[str]) -> str | None:
    """The source's own last-update stamp, from the first configured annotation type present."""
    by_type = {ann.type: ann for ann in getattr(dataflow, "annotations", None) or [] if ann.type}
    for kind in types:
        ann = by_type.get(kind)
        if ann is None:
            continue
        text = next(iter(ann.text.localizations.values()), None) if ann.text.localizations else None
        value = (ann.title or text or "").strip()
        if value:
            return value
    return None
