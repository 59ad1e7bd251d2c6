"""Which dataset a validation result belongs to: the dataset itself, its distributions, nodes only it reaches.

A catalogue graph holds many datasets; reports are per dataset. A node belongs to a dataset (or
series, or data service) when that subject reaches it by following triples forward, without passing
through another such subject, and no other subject reaches it. Nodes reached by several subjects
(a shared publisher) or by none (the catalogue) belong to no report. The same rule is applied to
luxcat's and pySHACL's results, so the per-dataset cross-check compares like with like.
"""

from __future__ import annotations

from rdflib import RDF, Literal, Namespace
from rdflib.term import Node

from validators.index import Index

DCAT = Namespace("http://www.w3.org/ns/dcat#")
REPORT_CLASSES = (DCAT.Dataset, DCAT.DatasetSeries, DCAT.DataService)
SHARED = Literal("__shared__")
RDF_TYPE = str(RDF.type)  # marker value: reached by more than one subject


def report_subjects(index: Index) -> list[Node]:
    """Datasets, dataset series and data services of the data graph, in a stable order."""
    found: set[Node] = set()
    for cls in REPORT_CLASSES:
        found |= index.types.get(cls, set())
    return sorted(found, key=str)


def assign_owners(index: Index, subjects: list[Node]) -> dict[Node, Node]:
    """Map each node to the one subject that owns it (or to SHARED)."""
    subject_set = set(subjects)
    owner: dict[Node, Node] = {s: s for s in subjects}
    for subject in subjects:
        seen = {subject}
        stack = [subject]
        while stack:
            node = stack.pop()
            for pred, objects in index.spo.get(node, {}).items():
                if pred == RDF_TYPE:
                    continue
                for obj in objects:
                    if isinstance(obj, Literal) or obj in seen or obj in subject_set:
                        continue
                    seen.add(obj)
                    previous = owner.get(obj)
                    owner[obj] = subject if previous is None or previous == subject else SHARED
                    stack.append(obj)
    return owner
