"""The mapper's output on every corpus record equals its golden N-Triples snapshot (as graphs).

Guards refactorings (speed work) against silent output changes; regenerate with
`python -m tests.mappers.snapshots` only when the mapping is meant to change.
"""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from tests.mappers.snapshots import EXPECTED, current_graphs


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    return current_graphs()


def test_every_mapped_record_has_a_snapshot_and_every_snapshot_a_record(graphs: dict[str, Graph]) -> None:
    assert len(graphs) >= 85
    assert set(graphs) == {p.name for p in EXPECTED.glob("*.nt")}


def test_mapped_graphs_are_isomorphic_to_their_snapshots(graphs: dict[str, Graph]) -> None:
    differing = {}
    for name, graph in sorted(graphs.items()):
        expected = Graph().parse(EXPECTED / name, format="nt")
        if not isomorphic(graph, expected):
            _, only_now, only_expected = graph_diff(to_isomorphic(graph), to_isomorphic(expected))
            differing[name] = (sorted(map(str, only_now))[:3], sorted(map(str, only_expected))[:3])
    assert differing == {}


def test_a_changed_graph_is_detected(graphs: dict[str, Graph]) -> None:
    name = sorted(graphs)[0]
    expected = Graph().parse(EXPECTED / name, format="nt")
    changed = Graph()
    for triple in graphs[name]:
        changed.add(triple)
    changed.remove(next(iter(changed)))
    assert not isomorphic(changed, expected)
