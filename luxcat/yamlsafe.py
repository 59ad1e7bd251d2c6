"""YAML loading with a bound on alias expansion, for every source and config file luxcat reads.

A YAML alias bomb (9 anchors of 9 aliases each: a few hundred bytes) loads fast because aliases
share objects, but everything that then walks the data (schema validation, the secret check, the DAG
scanner) visits 9^9 nodes and never ends (issue 17, F18). The composed node graph is measured
before any Python object is built: a document that would expand beyond MAX_NODES is refused with a
clear error. Tags stay those of the safe loader (`!!python/*` is refused as before).
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_NODES = 100_000  # scalars, sequences and mappings after alias expansion (a source file has a few hundred)
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlTooLarge(yaml.YAMLError):
    """The document expands (through aliases) beyond the node limit, or an alias refers to itself."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = None


def expanded_size(root: yaml.Node, limit: int = MAX_NODES) -> int:
    """How many nodes the document has once every alias is expanded; stops as soon as it passes `limit`."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise YamlTooLarge("an alias refers to a node that contains it (recursive anchor)")
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            children: list[yaml.Node] = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > limit:
                raise YamlTooLarge(f"the document expands to more than {limit:,} nodes through aliases (alias bomb?)")
        active.discard(key)
        sizes[key] = total
        return total

    return size(root)


def load(text: str, *, limit: int = MAX_NODES) -> Any:
    """Like yaml.safe_load, refusing documents that expand beyond `limit` nodes (YamlTooLarge)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            expanded_size(node, limit)
        except RecursionError as exc:
            raise YamlTooLarge("the document is nested too deeply") from exc
        return loader.construct_document(node)
    finally:
        loader.dispose()
